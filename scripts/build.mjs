// Bundles every entry point (extension, language server, CLI, webviews) with esbuild.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, chmodSync, copyFileSync } from 'node:fs';
import { CLI_OWN_BUNDLES, onlyCommand } from './cli-bundles.mjs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const nodeEntries = [
  { in: 'src/extension/main.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/server/main.ts', out: 'server' },
  // dist/cli.js is a small launcher (src/cli/launch.ts) that loads the CLI itself with a code cache: the whole of
  // it (dist/cli-main.js), or for the commands below a copy holding that one command only (dist/cli-NAME.js).
  { in: 'src/cli/launch.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/cli/main.ts', out: 'cli-main' },
  ...CLI_OWN_BUNDLES.map((name) => ({ in: 'src/cli/main.ts', out: `cli-${name}`, plugins: [onlyCommand(name)] })),
  { in: 'src/core/verifier/parse-worker.ts', out: 'log-worker' },
];
const webEntries = [
  { in: 'webview/verifier-log/main.ts', out: 'webview/verifier-log' },
  { in: 'webview/live/main.ts', out: 'webview/live' },
];

mkdirSync('dist', { recursive: true });
const builds = [];
for (const e of nodeEntries) {
  if (!existsSync(e.in)) continue;
  builds.push(esbuild.build({
    ...common, entryPoints: [e.in], outfile: `dist/${e.out}.js`, platform: 'node', target: 'node20',
    format: 'cjs', external: e.external ?? [], banner: e.banner ? { js: e.banner } : undefined, plugins: e.plugins ?? [],
  }));
}
for (const e of webEntries) {
  if (!existsSync(e.in)) continue;
  builds.push(esbuild.build({
    ...common, entryPoints: [e.in], outfile: `dist/${e.out}.js`, platform: 'browser', target: 'es2022', format: 'iife',
  }));
}
await Promise.all(builds);
// Webviews may load only from dist/webview and media: the codicon font goes beside their bundles.
mkdirSync('dist/webview/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/codicons/${f}`);
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
