-- The XDP Metadata language server (`xdp-meta lsp --stdio`) for Neovim 0.7+ with the built-in LSP client.
--
-- Put this file on 'runtimepath' as lua/xdp-meta.lua (or on package.path) and in init.lua:
--   require('xdp-meta').setup({ settings = { includePaths = { 'include' } } })
-- It starts one server per Neovim and attaches every *.bpf.c buffer (plus `patterns`) to it.
-- Settings are the VS Code ones without the `xdpMeta.` prefix (docs/editor.md, "Settings").
local M = {}

M.defaults = {
  cmd = { 'xdp-meta', 'lsp', '--stdio' },   -- or { 'node', '/path/to/dist/cli.js', 'lsp', '--stdio' }
  patterns = { '*.bpf.c' },                 -- the server itself also checks only *.bpf.c + documentSelector
  root_markers = { '.git', 'Makefile' },
  trusted = true,                            -- false: no compiler runs (hovers only)
  settings = {
    clang = { path = '', extraFlags = {} },
    includePaths = {},
    check = { targetBtf = '', onType = true },
  },
}

-- The nearest folder above `file` that holds one of the markers, else the file's folder.
local function root_dir(file, markers)
  local dir = vim.fn.fnamemodify(file, ':p:h')
  for _, marker in ipairs(markers) do
    local found = vim.fn.findfile(marker, dir .. ';')
    if found == '' then found = vim.fn.finddir(marker, dir .. ';') end
    if found ~= '' then return vim.fn.fnamemodify(found, ':p:h:h') end
  end
  return dir
end

function M.setup(opts)
  local cfg = vim.tbl_deep_extend('force', M.defaults, opts or {})
  local client_id
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    pattern = cfg.patterns,
    callback = function(args)
      if not client_id or vim.lsp.client_is_stopped(client_id) then
        client_id = vim.lsp.start_client({
          name = 'xdp_meta',
          cmd = cfg.cmd,
          root_dir = root_dir(vim.api.nvim_buf_get_name(args.buf), cfg.root_markers),
          init_options = { trusted = cfg.trusted, settings = cfg.settings },
          settings = { xdpMeta = cfg.settings },
        })
      end
      if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
    end,
  })
end

return M
