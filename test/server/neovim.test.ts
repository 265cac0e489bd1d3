// Neovim headless drives `xdp-meta lsp --stdio` through its built-in LSP client and the Lua config shipped in docs/.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requirePrereq } from '../helpers/prereq';
import { hasClang } from '../helpers/clang';
import { ROOT } from './lsp-client';

function hasNvim(): boolean {
  try {
    execFileSync('nvim', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface NvimResult {
  diagnostics: Array<{ lnum: number; col: number; end_col: number; severity: number; message: string; source: string }>;
  hover: { kind?: string; value?: string } | string | null;
  error: string | null;
}

describe('Neovim (nvim --headless, built-in LSP client, docs/xdp-meta.lua)', function () {
  this.timeout(120_000);
  let work: string;

  before(function () {
    requirePrereq(this, hasNvim(), 'nvim (Debian package neovim)');
    requirePrereq(this, hasClang(), 'clang-19');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    work = mkdtempSync(path.join(os.tmpdir(), 'nvim-test-'));
  });
  after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('gets clang diagnostics and a helper hover from xdp-meta lsp --stdio', async () => {
    const lua = path.join(work, 'lua');
    mkdirSync(lua);
    copyFileSync(path.join(ROOT, 'docs/xdp-meta.lua'), path.join(lua, 'xdp-meta.lua'));
    copyFileSync(path.join(ROOT, 'test/fixtures/server/nvim.bpf.c'), path.join(work, 'prog.bpf.c'));
    writeFileSync(path.join(work, 'Makefile'), 'all:\n');
    // A user's init.lua: the shipped config on the runtime path, the server run from this checkout.
    const init = path.join(work, 'init.lua');
    writeFileSync(init, [
      `vim.opt.runtimepath:prepend(${JSON.stringify(work)})`,
      `require('xdp-meta').setup({ cmd = { ${JSON.stringify(process.execPath)}, ${JSON.stringify(path.join(ROOT, 'dist/cli.js'))}, 'lsp', '--stdio' },`,
      `  settings = { clang = { path = 'clang-19' } } })`,
    ].join('\n'));
    const out = path.join(work, 'result.json');
    const home = path.join(work, 'home');
    mkdirSync(home);
    const child = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', init, path.join(work, 'prog.bpf.c'), '-c', `luafile ${path.join(ROOT, 'test/fixtures/server/nvim-driver.lua')}`], {
      cwd: work, stdio: ['ignore', 'pipe', 'pipe'],
      // Its own state and log folders: nothing is written into the real home.
      env: { ...process.env, XDP_NVIM_OUT: out, HOME: home, XDG_STATE_HOME: path.join(home, 'state'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') },
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.ok(existsSync(out), `nvim wrote no result (exit ${code}): ${stderr.slice(-2000)}`);
    const r = JSON.parse(readFileSync(out, 'utf8')) as NvimResult;
    assert.equal(r.error, null, JSON.stringify(r));
    const err = r.diagnostics.find((d) => /nvim_no_such_action/.test(d.message));
    assert.ok(err, JSON.stringify(r.diagnostics));
    assert.equal(err.lnum, 12);
    assert.equal(err.severity, 1);
    assert.equal(err.source, 'clang');
    const hover = typeof r.hover === 'string' ? r.hover : r.hover?.value ?? '';
    assert.match(hover, /bpf_xdp_adjust_meta/);
  });
});
