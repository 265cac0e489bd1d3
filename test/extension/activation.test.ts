// The bundled extension activates against a stub vscode: every manifest command is registered, the status bar shows.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fakeExtensionContext, installVscodeStub, record } from './vscode-stub';

const ROOT = path.resolve(__dirname, '../..');

describe('extension activation (dist/extension.js, stub vscode)', function () {
  this.timeout(60_000);
  let ext: { activate(c: unknown): unknown; deactivate(): unknown };
  let context: ReturnType<typeof fakeExtensionContext>;

  before(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    installVscodeStub();
    record.trusted = false; // restricted: the server starts without a compiler
    ext = require(path.join(ROOT, 'dist/extension.js'));
    context = fakeExtensionContext(ROOT);
    ext.activate(context);
  });

  after(async () => {
    for (const d of context?.subscriptions ?? []) await d.dispose();
  });

  it('registers every command the manifest contributes (plus the viewer\'s internal link command)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const manifest = (pkg.contributes.commands as Array<{ command: string }>).map((c) => c.command).sort();
    const registered = [...record.commands.keys()];
    for (const c of manifest) assert.ok(registered.includes(c), c);
    assert.deepEqual(registered.filter((c) => !manifest.includes(c)).sort(), ['xdpMeta.showRule', 'xdpMeta.showVerifierLog']);
  });

  it('registers the command behind every walkthrough step\'s buttons and completion events', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const steps = (pkg.contributes.walkthroughs as Array<{ steps: Array<{ id: string; description: string; completionEvents?: string[] }> }>)
      .flatMap((w) => w.steps);
    assert.ok(steps.length >= 5);
    for (const s of steps) {
      const used = [...s.description.matchAll(/\(command:([\w.]+)/g), ...(s.completionEvents ?? []).map((e) => /^onCommand:([\w.]+)$/.exec(e))]
        .flatMap((m) => (m ? [m[1]] : []));
      assert.ok(used.length > 0, `step ${s.id} runs a command`);
      for (const c of used) assert.ok(record.commands.has(c), `step ${s.id}: ${c} is registered`);
    }
  });

  it('shows a status bar item that says the workspace is restricted', () => {
    const item = record.statusItems.find((i) => i.id === 'xdpMeta.status');
    assert.ok(item?.visible);
    assert.match(item.text, /XDP: local · restricted/);
    assert.match(String(item.tooltip), /no compiler/);
  });

  it('logs its activation time and the restricted mode', () => {
    assert.ok(record.outputLines.some((l) => /activated in [\d.]+ ms \(restricted workspace\)/.test(l)), record.outputLines.join('\n'));
    assert.ok(record.outputLines.some((l) => /Restricted Mode/.test(l)));
  });
});
