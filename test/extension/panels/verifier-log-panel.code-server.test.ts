// The verifier log panel in a real VS Code (code-server): opens, reveals, opens the C file at a line, survives a reload.
//
// The extension's own activate() may not wire the panel yet, so a throwaway extension (built into
// .cache/webview/panel-ext) registers it exactly as the extension does: registerVerifierLogViewer(context).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { requirePrereq } from '../../helpers/prereq';
import { buildWebviews, CACHE, hasChromium, ROOT } from '../../webview/harness';
import { launchChromium, startCodeServer, type CodeServer } from '../../e2e/code-server';

const CODE_SERVER_DIR =
  process.env.XDP_META_CODE_SERVER_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'xdp-meta/code-server-4.100.3');
const CODE_SERVER = path.join(CODE_SERVER_DIR, 'node_modules/.bin/code-server');
const FIXTURES = path.join(__dirname, 'fixtures');

async function buildPanelExtension(): Promise<string> {
  const dir = path.join(CACHE, 'panel-ext');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'xdp-meta-panel-check', publisher: 'xdpmetatest', version: '0.0.1', license: 'MIT',
    engines: { vscode: '^1.100.0' }, main: './dist/extension.js',
    activationEvents: ['onStartupFinished', 'onWebviewPanel:xdpMeta.verifierLog'], contributes: {},
  }));
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  const entry = path.join(dir, 'entry.ts');
  const panel = path.join(ROOT, 'src/extension/panels/verifier-log-panel').replace(/\\/g, '/');
  writeFileSync(entry, `import * as vscode from 'vscode';
import { registerVerifierLogViewer, showVerifierLogFile } from '${panel}';
export function activate(context: vscode.ExtensionContext): void {
  registerVerifierLogViewer(context);
  const folder = vscode.workspace.workspaceFolders?.[0];
  // Once: after the reload the serializer must bring the panel back by itself.
  if (folder && !context.workspaceState.get('opened')) {
    void context.workspaceState.update('opened', true);
    showVerifierLogFile(context, vscode.Uri.joinPath(folder.uri, 'meta_short_check.vlog'), { insn: 9 });
  }
}
`);
  await esbuild.build({ entryPoints: [entry], outfile: path.join(dir, 'dist/extension.js'), bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'error' });
  cpSync(path.join(CACHE, 'dist'), path.join(dir, 'dist/webview'), { recursive: true });
  const vsix = path.join(CACHE, 'panel-check.vsix');
  execFileSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: dir, stdio: 'ignore' });
  return vsix;
}

describe('verifier log panel in code-server', function () {
  this.timeout(240_000);
  let tmp: string | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const webview = (): FrameLocator => page.frameLocator('iframe.webview').frameLocator('#active-frame');

  before(async function () {
    requirePrereq(this, hasChromium() && existsSync(path.join(CODE_SERVER_DIR, '.complete')), `code-server (scripts/install-code-server.sh) and chromium`);
    await buildWebviews();
    const vsix = await buildPanelExtension();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'webview-panel-'));
    const dirs = { userData: path.join(tmp, 'ud'), extensions: path.join(tmp, 'ext') };
    const ws = path.join(tmp, 'ws');
    mkdirSync(ws);
    copyFileSync(path.join(FIXTURES, 'meta_short_check.vlog'), path.join(ws, 'meta_short_check.vlog'));
    copyFileSync(path.join(ROOT, 'test/fixtures/verifier/meta_short_check.bpf.c'), path.join(ws, 'meta_short_check.bpf.c'));
    execFileSync(CODE_SERVER, ['--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData], { stdio: 'ignore' });
    server = await startCodeServer(CODE_SERVER, dirs, { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('opens with the explained error and the asked instruction selected', async () => {
    await webview().locator('.error-card .explanation').waitFor({ timeout: 60_000 });
    assert.equal(await webview().locator('.error-title').textContent(), 'Metadata access beyond the proven range');
    const sel = await webview().locator('.vrow.selected .text').textContent();
    assert.match(sel!, /^9: \(2d\) if r3 > r2 goto pc\+4/);
    await page.screenshot({ path: path.join(CACHE, 'code-server-viewer.png') });
  });

  it('a click on a source line opens the C file at that line', async () => {
    await webview().locator('.vrow .src-link', { hasText: '@ meta_short_check.bpf.c:14' }).first().click();
    await page.waitForSelector('.tab.active[data-resource-name="meta_short_check.bpf.c"]', { timeout: 20_000 });
    await page.waitForFunction(() => /Ln 14, Col 1/.test(document.querySelector('#status\\.editor\\.selection')?.textContent ?? ''));
  });

  it('comes back after "Reload Window" through the serializer, with its state', async () => {
    await page.locator('.tab', { hasText: 'meta_short_check.vlog' }).first().click();
    await webview().locator('.vrow.selected').waitFor();
    await webview().locator('body:not([data-state-pending])').waitFor({ state: 'attached' });
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill('>Developer: Reload Window');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Developer: Reload Window' }).first().waitFor();
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await page.keyboard.press('Enter');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.tab', { hasText: 'meta_short_check.vlog' }).first().click({ timeout: 30_000 });
    await webview().locator('.error-card .explanation').waitFor({ timeout: 60_000 });
    const sel = await webview().locator('.vrow.selected .text').textContent();
    assert.match(sel!, /^9: \(2d\)/);
  });
});
