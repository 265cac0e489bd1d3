// The editor features of issue 14 in a real VS Code (code-server 4.100.3) with the packaged extension, through headless Chromium.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { requirePrereq } from '../helpers/prereq';
import { hasClang } from '../helpers/clang';
import {
  CHROMIUM, installCodeServer, installVsix, launchChromium, openPalette, openWorkbench, QUIET_SETTINGS, ROOT, runCommand, screenshot, startCodeServer, type CodeServer,
} from './code-server';

describe('e2e: the editor (ranges, headers, vmlinux.h, status bar, messages, lenses, templates, when clauses)', function () {
  this.timeout(240_000);
  let tmp: string;
  let ws: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  before(async function () {
    requirePrereq(this, existsSync(CHROMIUM), `${CHROMIUM} (Debian package chromium)`);
    requirePrereq(this, hasClang(), 'clang-19');
    const bin = installCodeServer();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'e2e-editor-'));
    const extensions = path.join(tmp, 'extensions');
    installVsix(bin, extensions);
    ws = path.join(tmp, 'ws');
    cpSync(path.join(ROOT, 'test/fixtures/e2e/editor'), ws, { recursive: true });
    for (const f of ['meta_bounds_none.bpf.c', 'meta_not_core_clean.bpf.c', 'check_common.h']) copyFileSync(path.join(ROOT, 'test/fixtures/check', f), path.join(ws, f));
    mkdirSync(path.join(tmp, 'projects'));
    server = await startCodeServer(bin, { userData: path.join(tmp, 'user-data'), extensions }, {
      ...QUIET_SETTINGS, 'security.workspace.trust.enabled': false, 'editor.codeLens': true, 'files.simpleDialog.enable': true,
      'xdpMeta.clang.path': 'clang-19', 'files.autoSave': 'off',
    });
    browser = await launchChromium();
    page = await openFolder(ws);
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (t?.state === 'failed') await screenshot(page, t.fullTitle());
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function openFolder(folder: string): Promise<Page> {
    await page?.close().catch(() => undefined);
    return openWorkbench(browser!, server!, folder);
  }

  async function openFile(p: Page, name: string): Promise<void> {
    await openPalette(p, name);
    await p.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
    await p.keyboard.press('Enter');
    await p.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 15_000 });
  }

  /** Shows the Problems view filtered to `filter` (the list is virtualised: rows below the fold do not exist). */
  async function showProblems(p: Page, filter = ''): Promise<void> {
    await runCommand(p, 'View: Focus Problems');
    await p.locator('.markers-panel').first().waitFor({ timeout: 15_000 });
    const input = p.locator('.viewpane-filter input, .markers-panel-action-filter input').first();
    await input.fill(filter);
  }

  const problem = (p: Page, text: string | RegExp) => p.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
  /** The status item's accessible label (its icons have no text): "XDP Metadata: target local, FILE: N errors". */
  const status = (p: Page, label: string) => p.locator(`.statusbar [aria-label*="${label}"]`).first();

  /** Whether the palette lists `title` for the active editor (the list is filtered as typed). */
  async function paletteHas(p: Page, title: string): Promise<boolean> {
    await openPalette(p, `>${title}`);
    const input = p.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    // "No matching commands" or the row itself: one of them appears once the filter ran.
    const row = p.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const none = p.locator('.quick-input-widget', { hasText: /No matching/ }).first();
    await Promise.race([p.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 }), none.waitFor({ timeout: 15_000 })]);
    // Fuzzy matching lists similar commands too: only the exact title counts.
    const has = await row.count() > 0;
    await p.keyboard.press('Escape');
    return has;
  }

  it('palette: BPF commands only with a BPF source active; Select Target always', async () => {
    const p = page!;
    await openFile(p, 'notes.txt');
    assert.equal(await paletteHas(p, 'XDP Metadata: Check Current File'), false, 'Check Current File with a text file active');
    assert.equal(await paletteHas(p, 'XDP Metadata: Run on Host'), false, 'Run on Host with a text file active');
    assert.equal(await paletteHas(p, 'XDP Metadata: Select Target'), true, 'Select Target');
    await openFile(p, 'clean.bpf.c');
    assert.equal(await paletteHas(p, 'XDP Metadata: Check Current File'), true, 'Check Current File with a .bpf.c active');
    assert.equal(await paletteHas(p, 'XDP Metadata: Load and Show Verifier Log'), true, 'Load and Show Verifier Log with a .bpf.c active');
  });

  it('status bar: the active editor\'s result, not the last checked file\'s; the target stays shown', async () => {
    const p = page!;
    await openFile(p, 'broken.bpf.c');
    await status(p, 'broken.bpf.c: 1 errors').waitFor({ timeout: 60_000 });
    await openFile(p, 'clean.bpf.c');
    await status(p, 'clean.bpf.c: 0 errors').waitFor({ timeout: 60_000 });
    // Back to the broken one: no new check runs, its own result is shown again.
    await p.locator('.tab', { hasText: 'broken.bpf.c' }).first().click();
    await status(p, 'broken.bpf.c: 1 errors').waitFor({ timeout: 15_000 });
    await openFile(p, 'notes.txt');
    await status(p, 'XDP Metadata: target local').waitFor({ timeout: 15_000 });
    // No file result stays once a non-BPF editor is active (VS Code's own problems counter is not ours).
    await p.locator('.statusbar [aria-label*=".bpf.c: "]').first().waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('code lenses above a SEC("tc") program', async () => {
    const p = page!;
    await openFile(p, 'tc_only.bpf.c');
    const lens = p.locator('.codelens-decoration', { hasText: 'Load and show verifier log' }).first();
    await lens.waitFor({ timeout: 60_000 });
    assert.match(await p.locator('.codelens-decoration').first().innerText(), /Check.*Load and show verifier log.*Run on host/s);
  });

  it('ranges: the squiggle covers meta->mark, not the = sign', async () => {
    const p = page!;
    await openFile(p, 'meta_bounds_none.bpf.c');
    await showProblems(p, 'meta_bounds_none');
    await problem(p, 'write to struct meta::mark').waitFor({ timeout: 60_000 });
    assert.match(await problem(p, 'write to struct meta::mark').innerText(), /\[Ln 16, Col 2\]/);
    const squiggles = p.locator('.monaco-editor .view-overlays .squiggly-error');
    await squiggles.first().waitFor({ timeout: 15_000 });
    const widths = await squiggles.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    const charWidth = await p.locator('.monaco-editor .view-line span span').first().evaluate((e) => e.getBoundingClientRect().width / Math.max(1, (e.textContent ?? '').length));
    // "meta->mark" and "meta->hash": ten characters each.
    assert.ok(widths.length >= 2 && widths.every((w) => w > 8 * charWidth), `widths ${widths} at ${charWidth} px per character`);
  });

  it('messages: one line first, detail and the xdpMeta.check.targetBtf setting as related information, never --target-btf', async () => {
    const p = page!;
    await openFile(p, 'meta_not_core_clean.bpf.c');
    await showProblems(p, 'meta_not_core_clean');
    const row = problem(p, /CO-RE relocation field_byte_offset of struct xdp_to_skb_metadata::/);
    await row.waitFor({ timeout: 60_000 });
    assert.doesNotMatch(await row.innerText(), /;|libbpf poisons/);
    const panel = p.locator('.markers-panel').first();
    await panel.locator('.monaco-list-row', { hasText: 'libbpf poisons instruction' }).first().waitFor({ timeout: 15_000 });
    await panel.locator('.monaco-list-row', { hasText: 'xdpMeta.check.targetBtf' }).first().waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await panel.innerText(), /--target-btf/);
  });

  it('header edits re-check the file that includes it: on disk, and in an unsaved buffer', async () => {
    const p = page!;
    await openFile(p, 'clean.bpf.c');
    await status(p, 'clean.bpf.c: 0 errors').waitFor({ timeout: 60_000 });
    writeFileSync(path.join(ws, 'verdict.h'), '/* changed on disk */\n#define E2E_VERDICT e2e_verdict_from_disk\n');
    await showProblems(p, 'clean.bpf.c');
    await problem(p, "use of undeclared identifier 'e2e_verdict_from_disk'").waitFor({ timeout: 60_000 });
    await status(p, 'clean.bpf.c: 1 errors').waitFor({ timeout: 15_000 });

    // The header's buffer, not saved: select all, type a good definition; the includer is clean again.
    await openFile(p, 'verdict.h');
    await p.locator('.monaco-editor .view-lines').first().click();
    await p.keyboard.press('Control+A');
    await p.keyboard.type('#define E2E_VERDICT XDP_DROP\n');
    await p.locator('.tab.active.dirty', { hasText: 'verdict.h' }).first().waitFor({ timeout: 10_000 });
    await problem(p, 'e2e_verdict_from_disk').waitFor({ state: 'detached', timeout: 60_000 });
    assert.match(readFileSync(path.join(ws, 'verdict.h'), 'utf8'), /e2e_verdict_from_disk/, 'the file itself was not saved');
    await runCommand(p, 'File: Revert File');
  });

  it("'vmlinux.h' file not found: the quick fix generates it and the error goes away without a save", async () => {
    const p = page!;
    await openFile(p, 'needs_vmlinux.bpf.c');
    await showProblems(p, 'needs_vmlinux');
    const row = problem(p, "'vmlinux.h' file not found");
    await row.waitFor({ timeout: 60_000 });
    // Quick fix in the editor: the cursor on the include, Ctrl+. opens the action widget with its first fix
    // focused. The server may still be computing the line's code actions when it first opens (then it lists
    // none): open it again until the fix shows.
    const include = p.locator('.view-lines .view-line', { hasText: /#include\W+"vmlinux\.h"/ }).first();
    const fix = p.locator('.action-widget').getByText(/Generate vmlinux\.h/).first();
    for (let attempt = 1; ; attempt++) {
      await include.click();
      await p.keyboard.press('Control+.');
      try {
        await fix.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt === 4) throw e;
        await p.keyboard.press('Escape');
      }
    }
    // The widget focuses its first fix; Enter applies it (a click is blocked by the widget's pointer guard).
    await p.keyboard.press('Enter');
    await p.locator('.notification-toast', { hasText: 'wrote vmlinux.h' }).first().waitFor({ timeout: 90_000 });
    assert.ok(existsSync(path.join(ws, 'vmlinux.h')));
    await row.waitFor({ state: 'detached', timeout: 60_000 });
    await status(p, 'needs_vmlinux.bpf.c: 0 errors').waitFor({ timeout: 30_000 });
  });

  it('templates: plain picker labels, a titled folder dialog, and xdp-hints-core opens with no errors', async () => {
    let p = page!;
    await runCommand(p, 'XDP Metadata: New Project from Template');
    const rows = p.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    const labels = await rows.allInnerTexts();
    assert.ok(labels.some((l) => l.includes('XDP → TC through data_meta')), labels.join(' | '));
    assert.ok(labels.every((l) => !l.includes('`')), labels.join(' | '));
    await p.locator('.quick-input-widget input.input').fill('xdp-hints-core');
    await p.locator('.quick-input-list .monaco-list-row', { hasText: 'xdp-hints-core' }).first().waitFor({ timeout: 10_000 });
    await p.keyboard.press('Enter');
    // code-server's folder dialog is the simple (quick input) one: its title is ours.
    await p.locator('.quick-input-widget .quick-input-title', { hasText: 'folder to create xdp-hints-core in' }).waitFor({ timeout: 15_000 });
    // The simple dialog fills in its default folder after it opens, and may do so again while it lists that
    // folder: fill ours once its own is there, and fill again if the dialog is still open with its default.
    const folder = p.locator('.quick-input-widget input.input');
    const want = path.join(tmp, 'projects');
    const created = p.locator('.notification-toast', { hasText: 'created' }).first();
    for (let attempt = 1; ; attempt++) {
      await p.waitForFunction(() => ((document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value ?? '') !== '');
      await folder.fill(want);
      await p.waitForFunction((w) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === w, want);
      await p.locator('.quick-input-widget .monaco-button', { hasText: 'Create Project Here' }).first().click();
      try {
        await created.waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        if (attempt === 3 || !(await folder.isVisible())) throw e;
      }
    }
    const dest = path.join(tmp, 'projects', 'xdp-hints-core');
    assert.ok(existsSync(path.join(dest, 'target-kernel.o')), 'the stand-in kernel was built');
    p = page = await openFolder(dest);
    await openFile(p, 'xdp_hints_core.bpf.c');
    await status(p, 'xdp_hints_core.bpf.c: 0 errors').waitFor({ timeout: 90_000 });
    await showProblems(p, 'xdp_hints_core');
    assert.equal(await p.locator('.markers-panel .monaco-list-row', { hasText: 'core-unresolved' }).count(), 0);
  });
});
