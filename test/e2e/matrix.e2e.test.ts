// The Kernel Matrix view of the installed VSIX in code-server: verdict cells against `running`, a click opens the log at the error; a per-kernel finding row.
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { resolveKernel } from '../../src/core/kernels';
import { hasClang } from '../helpers/clang';
import { debianKernels } from '../helpers/kernels';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { CHROMIUM, installCodeServer, installVsix, launchChromium, openWorkbench, QUIET_SETTINGS, ROOT, runCommand, screenshot, startCodeServer, type CodeServer } from './code-server';

const FIX = path.join(ROOT, 'test/fixtures/matrix');

describe('e2e: the Kernel Matrix view', function () {
  this.timeout(240_000);
  const { k61 } = debianKernels();
  let tmp: string;
  let ws: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  before(async function () {
    requirePrereq(this, existsSync(CHROMIUM), `${CHROMIUM} (Debian package chromium)`);
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, isRoot, 'root (the running kernel loads through the local agent)');
    requirePrereq(this, !!k61, 'a Debian 6.1 cloud kernel package in apt (its BTF is the static-only kernel)');
    // The 6.1 kernel as a raw BTF file: static findings only, so nothing boots and the test stays short.
    const btf61 = resolveKernel(k61!).btfPath;
    const bin = installCodeServer();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'e2e-matrix-'));
    installVsix(bin, path.join(tmp, 'extensions'));
    ws = path.join(tmp, 'ws');
    mkdirSync(ws);
    for (const f of ['meta_unchecked.bpf.c', 'helper_new.bpf.c']) cpSync(path.join(FIX, f), path.join(ws, f));
    server = await startCodeServer(bin, { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions') }, {
      ...QUIET_SETTINGS, 'security.workspace.trust.enabled': false, 'xdpMeta.matrix.kernels': ['running', btf61],
    });
    browser = await launchChromium();
    page = await openWorkbench(browser, server, ws);
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

  const p = (): Page => page!;
  const matrixRow = (text: string | RegExp) => p().locator('.pane', { has: p().locator('.pane-header', { hasText: 'Kernel Matrix' }) })
    .locator('.monaco-list-row', { hasText: text }).first();

  async function runMatrixOn(name: string): Promise<void> {
    await p().locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }).first().click({ timeout: 30_000 });
    await p().locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 15_000 });
    await runCommand(p(), 'XDP Metadata: Run Kernel Matrix');
    await runCommand(p(), 'Explorer: Focus on Kernel Matrix View');
  }

  it('running rejects meta_unchecked: a REJECTED cell; a click opens that verifier log in the viewer at the error', async () => {
    const t0 = Date.now();
    await runMatrixOn('meta_unchecked.bpf.c');
    const cell = matrixRow(/REJECTED · \d+ insns · invalid access to packet/);
    await cell.waitFor({ timeout: 60_000 });
    assert.match(await cell.innerText(), /running \(/);
    // The BTF-file kernel is static only: a "not run" cell beside it.
    await matrixRow(/not run/).waitFor({ timeout: 5000 });
    await cell.click();
    const view = p().frameLocator('iframe.webview').frameLocator('#active-frame');
    // The viewer fills rows lazily (a placeholder first): wait for the selected row's text, not just the row.
    await view.locator('.vrow.selected .text', { hasText: /^7: / }).waitFor({ timeout: 30_000 });
    console.log(`      matrix → cell → log viewer: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await runCommand(p(), 'View: Close All Editors');
  });

  it('helper_new against running and 6.1\'s BTF: a helper-missing row "only on" 6.1', async () => {
    await runMatrixOn('helper_new.bpf.c');
    const row = matrixRow(/helper-missing \(line \d+\)/);
    await row.waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /only on vmlinux\.btf/);
    await matrixRow(/accepted · \d+ insns/).waitFor({ timeout: 5000 });
  });
});
