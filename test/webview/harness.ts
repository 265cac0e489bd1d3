// Browser harness for the webviews: builds the bundles, serves them on 127.0.0.1, opens headless Chromium.
//
// The page is the very HTML a panel serves (webviewHtml, same CSP); a prelude script defines
// `acquireVsCodeApi` and forwards every message to a Node function (the "extension"), whose replies
// come back as window `message` events, as in VS Code.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { webviewHtml } from '../../src/extension/panels/webview-html';

export const ROOT = path.resolve(__dirname, '../..');
export const CACHE = path.join(ROOT, '.cache/webview');
const DIST = path.join(CACHE, 'dist');
export const CHROMIUM = process.env.XDP_META_TEST_CHROMIUM ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Builds the two webview bundles (and their CSS) the way scripts/build.mjs does, into .cache/webview/dist. */
export async function buildWebviews(): Promise<void> {
  mkdirSync(path.join(DIST, 'codicons'), { recursive: true });
  await esbuild.build({
    entryPoints: { 'verifier-log': path.join(ROOT, 'webview/verifier-log/main.ts'), live: path.join(ROOT, 'webview/live/main.ts') },
    outdir: DIST,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    logLevel: 'error',
  });
  for (const f of ['codicon.css', 'codicon.ttf'])
    copyFileSync(path.join(ROOT, 'node_modules/@vscode/codicons/dist', f), path.join(DIST, 'codicons', f));
}

/** A dark theme's worth of the variables VS Code sets on a webview's <html>. */
export const THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-disabledForeground': '#6b6b6b',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-editorWidget-background': '#252526',
  '--vscode-panel-border': '#454545',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-textLink-foreground': '#3794ff',
  '--vscode-textLink-activeForeground': '#4daafc',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-editorLineNumber-foreground': '#858585',
  '--vscode-editorError-foreground': '#f14c4c',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-inputValidation-errorBackground': '#5a1d1d',
  '--vscode-editor-findMatchHighlightBackground': '#ea5c0055',
  '--vscode-symbolIcon-variableForeground': '#75beff',
  '--vscode-debugTokenExpression-name': '#c586c0',
  '--vscode-debugTokenExpression-value': '#cccccc99',
  '--vscode-input-background': '#3c3c3c',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-badge-background': '#4d4d4d',
  '--vscode-badge-foreground': '#ffffff',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-purple': '#b180d7',
};

export interface Harness {
  origin: string;
  close(): Promise<void>;
}

/** Serves .cache/webview/dist and `/<entry>.html` pages on 127.0.0.1 (an ephemeral port). */
export async function serve(): Promise<Harness> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const page = /^\/(verifier-log|live)\.html$/.exec(url.pathname);
    if (page) {
      const entry = page[1];
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        webviewHtml({
          cspSource: origin,
          scriptUri: `${origin}/${entry}.js`,
          styleUri: `${origin}/${entry}.css`,
          codiconUri: `${origin}/codicons/codicon.css`,
          title: entry,
          preludeScript: prelude(),
        }),
      );
      return;
    }
    const file = path.join(DIST, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'font/ttf';
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs in the page before the bundle: theme variables, and `acquireVsCodeApi` bridged to Node. */
function prelude(): string {
  return `(() => {
  const theme = ${JSON.stringify(THEME)};
  for (const k in theme) document.documentElement.style.setProperty(k, theme[k]);
  document.body && document.body.classList.add('vscode-dark');
  window.__posted = [];
  window.__state = window.__initialState;
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      window.__posted.push(m);
      window.__toExtension(m).then((r) => { if (r) window.postMessage(r, '*'); });
    },
    getState() { return window.__state; },
    setState(s) { window.__state = s; },
  });
})();`;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens `entry` with `handler` as the extension side; collects console errors (CSP violations among them). */
export async function openPage(
  browser: Browser,
  h: Harness,
  entry: 'verifier-log' | 'live',
  handler: (msg: unknown) => unknown,
  initialState?: unknown,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.exposeFunction('__toExtension', async (m: unknown) => handler(m));
  await page.addInitScript((s) => {
    (window as unknown as { __initialState: unknown }).__initialState = s;
  }, initialState);
  await page.goto(`${h.origin}/${entry}.html`);
  return { page, errors };
}
