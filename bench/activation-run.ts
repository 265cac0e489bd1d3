// One activation of dist/extension.js against the stub vscode, timed; prints {requireMs, activateMs} (run by activation.bench.ts).
import * as path from 'node:path';
import { fakeExtensionContext, installVscodeStub, record } from '../test/extension/vscode-stub';

const ROOT = path.resolve(__dirname, '..');
installVscodeStub();
record.trusted = process.argv.includes('--trusted');
const t0 = performance.now();
if (process.argv.includes('--anchor')) {
  // The anchor: what any language-client extension pays, loading vscode-languageclient alone.
  require(path.join(ROOT, 'node_modules/vscode-languageclient/lib/node/main.js'));
  process.stdout.write(JSON.stringify({ requireMs: performance.now() - t0, activateMs: 0 }) + '\n');
  process.exit(0);
}
const ext = require(path.join(ROOT, 'dist/extension.js')) as { activate(c: unknown): unknown };
const t1 = performance.now();
const context = fakeExtensionContext(ROOT);
ext.activate(context);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1 }) + '\n');
for (const d of context.subscriptions) void d.dispose();
setTimeout(() => process.exit(0), 50);
