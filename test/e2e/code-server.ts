// Drives a real VS Code (code-server 4.100.3) in headless Chromium: package + install the VSIX, start, open a folder, wait on the UI.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { waitForOutput } from '../helpers/wait-output';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, '.cache/e2e');
/** Screenshots of the real UI that the marketplace page and the walkthrough show (rewritten by each run). */
export const PRODUCT_SHOTS = path.join(ROOT, 'media/screenshots');
export const VSIX = path.join(ROOT, 'dist/xdp-metadata-workbench.vsix');

let packaged: string | undefined;

/**
 * `npm run package` once per test process (its guard refuses a VSIX lacking a file the product opens),
 * then the VSIX's path: every e2e file installs this same package.
 */
export function packageVsix(): string {
  if (packaged) return packaged;
  const t0 = Date.now();
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`      npm run package: ${(statSync(VSIX).size / 1048576).toFixed(2)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return (packaged = VSIX);
}

/**
 * Installs the packaged VSIX into a fresh extensions folder the way a user does (`--install-extension`)
 * and returns the installed extension's folder (what runs: nothing is read from the repository).
 */
export function installVsix(bin: string, extensions: string): string {
  execFileSync(bin, ['--install-extension', packageVsix(), '--extensions-dir', extensions], { stdio: 'ignore' });
  const dir = readdirSync(extensions).find((n) => n.startsWith('xdp-meta.xdp-metadata-workbench-'));
  if (!dir) throw new Error(`code-server --install-extension put no xdp-meta.xdp-metadata-workbench-* into ${extensions}`);
  return path.join(extensions, dir);
}

/** Runs scripts/install-code-server.sh (idempotent) and returns the code-server executable. */
export function installCodeServer(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = /code-server: (\/\S+)\s*$/.exec(out.trim())?.[1];
  if (!dir) throw new Error(`install-code-server.sh printed no directory: ${out}`);
  return path.join(dir, 'node_modules/.bin/code-server');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  url: string;
  child: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts code-server on a free loopback port with its own user-data and extensions dirs; resolves when it listens. */
export async function startCodeServer(
  bin: string, dirs: { userData: string; extensions: string }, settings: Record<string, unknown>, opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<CodeServer> {
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  // Its own config file, so nothing is written to ~/.config/code-server.
  const config = path.join(dirs.userData, 'code-server.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  writeFileSync(path.join(dirs.userData, 'User/settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const child = spawn(bin, [
    '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    '--disable-telemetry', '--disable-update-check',
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: opts.env ?? process.env });
  const url = `http://127.0.0.1:${port}`;
  const log = await waitForOutput(child, /HTTP server listening/, 'code-server', 60_000);
  return {
    url, child, log,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** User settings every e2e workbench starts with: no welcome page, tips or recommendations in the way. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'extensions.ignoreRecommendations': true,
} as const;

/**
 * Opens `folder` in a new page and waits until the extension is active (its status item shows; the
 * palette then knows its commands). A cold code-server on a loaded machine needs the long timeouts.
 */
export async function openWorkbench(browser: Browser, server: CodeServer, folder: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`, { timeout: 120_000, waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.statusbar-item', { hasText: /XDP: local/ }).first().waitFor({ timeout: 120_000 });
  return page;
}

/** Opens the command palette and runs a command by its full title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await openPalette(page, `>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Opens the quick input with `text` typed (a leading `>` means commands; without, files). */
export async function openPalette(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
}

export async function screenshot(page: Page | undefined, name: string): Promise<void> {
  if (!page) return;
  if (!existsSync(SHOTS)) mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name.replace(/[^\w.-]+/g, '_')}.png`) }).catch(() => undefined);
}

/** A screenshot for the marketplace page / walkthrough: media/screenshots/NAME.png at a fixed size. */
export async function productShot(page: Page, name: string): Promise<void> {
  mkdirSync(PRODUCT_SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(PRODUCT_SHOTS, `${name}.png`) });
}
