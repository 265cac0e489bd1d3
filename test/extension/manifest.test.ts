// The VS Code manifest (package.json) and what the VSIX would hold: commands, activation, settings, grammars, icon.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('has the marketplace fields and a 128x128 PNG icon', () => {
    for (const k of ['name', 'displayName', 'publisher', 'description', 'license', 'icon', 'categories', 'keywords']) assert.ok(pkg[k], k);
    assert.equal(pkg.engines.vscode, '^1.100.0');
    const png = readFileSync(path.join(ROOT, pkg.icon));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.ok(existsSync(path.join(ROOT, 'LICENSE')));
  });

  it('activates narrowly: never on *, on *.bpf.c workspaces, its language and its commands', () => {
    const events: string[] = pkg.activationEvents;
    assert.ok(!events.includes('*'));
    assert.ok(events.includes('workspaceContains:**/*.bpf.c'));
    assert.ok(events.includes('onLanguage:bpf-verifier-log'));
    assert.ok(!events.some((e) => e === 'onLanguage:c'), 'not every C file');
    for (const c of pkg.contributes.commands) assert.ok(events.includes(`onCommand:${c.command}`), c.command);
  });

  it('puts every command under the "XDP Metadata" category', () => {
    const titles = pkg.contributes.commands.map((c: { category: string; title: string }) => {
      assert.equal(c.category, 'XDP Metadata');
      return c.title;
    });
    for (const t of ['Check Current File', 'Load and Show Verifier Log', 'Open Verifier Log Viewer', 'Run on Host', 'Select Target',
      'Generate vmlinux.h', 'Write compile_commands.json / .clangd', 'New Project from Template', 'Restart Language Server', 'Show Output']) {
      assert.ok(titles.includes(t), t);
    }
  });

  it('has honest categories, homepage and bugs on one placeholder host, and a user page and changelog', () => {
    assert.ok(!pkg.categories.includes('Debuggers'), 'there is no debugger');
    const host = new URL(pkg.repository.url).host;
    assert.equal(new URL(pkg.homepage).host, host);
    assert.equal(new URL(pkg.bugs.url).host, host);
    assert.match(pkg.scripts.package, /scripts\/package\.mjs/);
    assert.ok(existsSync(path.join(ROOT, 'CHANGELOG.md')));
    const page = readFileSync(path.join(ROOT, 'README.marketplace.md'), 'utf8');
    assert.doesNotMatch(page, /setup\.sh|npm (ci|test|start)|CONTRIBUTING/, 'no developer set-up on the user page');
    for (const img of [...page.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1])) assert.ok(existsSync(path.join(ROOT, img)), img);
    // The repository README keeps its two commands first (.ci/run calls them).
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
    assert.match(readme[3], /^bash scripts\/setup\.sh && npm start/);
    assert.match(readme[4], /^bash scripts\/setup\.sh && npm test/);
  });

  it('walkthrough: five steps, each with a contributed command, an image that exists and a completion event', () => {
    const ours = new Set((pkg.contributes.commands as Array<{ command: string }>).map((c) => c.command));
    const [w] = pkg.contributes.walkthroughs as Array<{ id: string; steps: Array<{ id: string; description: string; media: { image: string }; completionEvents: string[] }> }>;
    assert.deepEqual(w.steps.map((s) => s.id), ['doctor', 'template', 'diagnostic', 'verifier', 'remote']);
    for (const s of w.steps) {
      const links = [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${s.id} has a button`);
      for (const c of links) assert.ok(ours.has(c), `${s.id}: ${c} is contributed`);
      for (const e of s.completionEvents) assert.ok(ours.has(e.replace(/^onCommand:/, '')), `${s.id}: ${e}`);
      assert.ok(existsSync(path.join(ROOT, s.media.image)), s.media.image);
    }
  });

  it('describes every setting, including the remote host shape', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['xdpMeta.clang.path', 'xdpMeta.clang.extraFlags', 'xdpMeta.includePaths', 'xdpMeta.documentSelector',
      'xdpMeta.target', 'xdpMeta.remote.hosts', 'xdpMeta.check.targetBtf', 'xdpMeta.trace.server']) {
      assert.ok(props[key], key);
      assert.ok(props[key].description || props[key].markdownDescription, `${key} has a description`);
    }
    assert.deepEqual(Object.keys(props['xdpMeta.remote.hosts'].items.properties).sort(),
      ['defaultInterface', 'host', 'identityFile', 'name', 'port', 'useSudo']);
  });

  it('declares limited untrusted-workspace support that restricts tool settings', () => {
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    assert.match(u.description, /no compiler/);
    assert.ok(u.restrictedConfigurations.includes('xdpMeta.clang.path'));
  });

  it('contributes the verifier-log language and both grammars', () => {
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'bpf-verifier-log');
    assert.deepEqual(lang.extensions, ['.vlog', '.verifier.log']);
    assert.ok(existsSync(path.join(ROOT, lang.configuration)));
    const grammars = pkg.contributes.grammars as Array<{ path: string; scopeName: string; injectTo?: string[] }>;
    assert.ok(grammars.some((g) => g.path.endsWith('bpf-verifier-log.tmLanguage.json')));
    const inj = grammars.find((g) => g.injectTo?.includes('source.c'));
    assert.ok(inj);
    const g = JSON.parse(readFileSync(path.join(ROOT, inj.path), 'utf8'));
    assert.equal(g.scopeName, inj.scopeName);
  });

  it('injection grammar: SEC(), __ksym, XDP actions, helpers and metadata kfuncs get their scopes', () => {
    const g = JSON.parse(readFileSync(path.join(ROOT, 'syntaxes/c-bpf.injection.tmLanguage.json'), 'utf8'));
    const rx = (key: string): RegExp => new RegExp((g.repository[key].match ?? g.repository[key].patterns[0].match).replace(/\(\?<=->\|\\\.\)/, '(?<=->|\\.)'));
    assert.match('SEC("xdp")', rx('section'));
    assert.match('extern int f(void) __ksym;', rx('attributes'));
    assert.match('return XDP_PASS;', rx('xdp-actions'));
    assert.match('bpf_xdp_adjust_meta(ctx, -4)', rx('helpers'));
    assert.match('bpf_xdp_metadata_rx_vlan_tag(ctx, &p, &t)', rx('metadata-kfuncs'));
    assert.doesNotMatch('bpf_xdp_metadata_rx_other(ctx)', rx('metadata-kfuncs'));
    assert.match(g.injectionSelector, /^L:source\.c -comment -string$/);
  });

  it('packages only what runs (vsce ls): no sources, tests, node_modules or maps', function () {
    this.timeout(60_000);
    const files = execFileSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n').filter(Boolean);
    for (const f of files) assert.doesNotMatch(f, /^(src|test|bench|node_modules|webview|scripts|\.cache)\/|\.map$|\.ts$|tsconfig/, f);
    for (const f of ['package.json', 'LICENSE', 'media/icon.png', 'syntaxes/c-bpf.injection.tmLanguage.json']) assert.ok(files.includes(f), f);
  });
});
