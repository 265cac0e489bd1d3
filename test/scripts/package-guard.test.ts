// The `npm run package` guard: a missing wrapper header or agent binary, or a file left out of the VSIX, is named.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '../..');
type Guard = {
  quotedIncludes(t: string): string[];
  wrapperHeaders(root: string): { found: string[]; missing: string[] };
  checkSources(root: string, readme?: string): string[];
  checkVsix(root: string, vsix: string, readme?: string): string[];
  zipEntries(f: string): string[];
};
const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;

/** A minimal zip (deflated entries, central directory) — the shape vsce writes. */
function writeZip(file: string, entries: Record<string, string>): void {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = deflateRawSync(Buffer.from(text));
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(8, 8); local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(text.length, 22); local.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(8, 10); c.writeUInt32LE(data.length, 20); c.writeUInt32LE(text.length, 24);
    c.writeUInt16LE(n.length, 28); c.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    central.push(c, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(entries).length, 8); end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, cd, end]));
}

describe('npm run package guard (scripts/package-guard.mjs)', () => {
  let g: Guard;
  let tmp: string;

  before(async () => {
    g = (await import(path.join(ROOT, 'scripts/package-guard.mjs'))) as Guard;
  });
  beforeEach(() => {
    // A tiny repository: manifest, wrapper header including capture.h, an agent binary, bundles, one template.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-guard-'));
    const w = (rel: string, text = 'x'): void => { mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true }); writeFileSync(path.join(tmp, rel), text); };
    w('package.json', JSON.stringify({ icon: 'media/icon.png', contributes: {} }));
    w('agent/xdp-meta-capture.bpf.h', '#ifndef X\n#include "capture.h"\n#include <linux/bpf.h>\n#endif\n');
    w('agent/capture.h', '  #  include "sub/extra.h"\n');
    w('agent/sub/extra.h');
    w(`agent/build/xdp-meta-agent-${arch}`);
    for (const f of ['dist/extension.js', 'dist/server.js', 'dist/cli.js', 'docs/rules.md', 'media/icon.png', 'bpf-templates/t/t.bpf.c']) w(f);
    w('README.marketplace.md', '![shot](media/screenshots/a.png)\n![remote](https://example.invalid/x.png)\n');
    w('media/screenshots/a.png');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('follows the wrapper header\'s quoted includes transitively (system headers are not ours)', () => {
    assert.deepEqual(g.quotedIncludes('#include "a.h"\n# include <b.h>\n  #include "c/d.h"'), ['a.h', 'c/d.h']);
    assert.deepEqual(g.wrapperHeaders(tmp), { found: ['agent/xdp-meta-capture.bpf.h', 'agent/capture.h', 'agent/sub/extra.h'], missing: [] });
    assert.deepEqual(g.checkSources(tmp, 'README.marketplace.md'), []);
  });

  it('names a header the wrapper includes that is missing, and who includes it', () => {
    rmSync(path.join(tmp, 'agent/capture.h'));
    assert.deepEqual(g.checkSources(tmp), ['agent/capture.h (included by agent/xdp-meta-capture.bpf.h)']);
  });

  it('names a missing agent binary for this machine, and a missing page image', () => {
    rmSync(path.join(tmp, 'agent/build'), { recursive: true });
    rmSync(path.join(tmp, 'media/screenshots/a.png'));
    const problems = g.checkSources(tmp, 'README.marketplace.md');
    assert.ok(problems.some((p) => p.startsWith(`agent/build/xdp-meta-agent-${arch}`) && p.includes('make -C agent')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('media/screenshots/a.png')), problems.join('\n'));
  });

  it('names each file the VSIX left out (a .vscodeignore that drops capture.h)', () => {
    const files = ['package.json', 'readme.md', 'agent/xdp-meta-capture.bpf.h', `agent/build/xdp-meta-agent-${arch}`, 'dist/extension.js',
      'dist/server.js', 'dist/cli.js', 'docs/rules.md', 'media/icon.png', 'bpf-templates/t/t.bpf.c', 'agent/sub/extra.h', 'media/screenshots/a.png'];
    const vsix = path.join(tmp, 'x.vsix');
    writeZip(vsix, Object.fromEntries(files.map((f) => [`extension/${f}`, 'x'])));
    assert.equal(g.zipEntries(vsix).length, files.length);
    assert.deepEqual(g.checkVsix(tmp, vsix, 'README.marketplace.md'),
      ['extension/agent/capture.h (left out of the VSIX: add a `!agent/capture.h` line to .vscodeignore)']);
  });

  it('names files that must not ship: a sanitizer build of the agent, a source map', () => {
    const files = ['package.json', 'readme.md', 'agent/xdp-meta-capture.bpf.h', 'agent/capture.h', `agent/build/xdp-meta-agent-${arch}`,
      'agent/build/xdp-meta-agent-asan', 'dist/extension.js', 'dist/extension.js.map', 'dist/server.js', 'dist/cli.js', 'docs/rules.md',
      'media/icon.png', 'bpf-templates/t/t.bpf.c', 'agent/sub/extra.h', 'media/screenshots/a.png'];
    const vsix = path.join(tmp, 'y.vsix');
    writeZip(vsix, Object.fromEntries(files.map((f) => [`extension/${f}`, 'x'])));
    assert.deepEqual(g.checkVsix(tmp, vsix, 'README.marketplace.md'), [
      'extension/agent/build/xdp-meta-agent-asan (does not run for users: keep it out through .vscodeignore)',
      'extension/dist/extension.js.map (does not run for users: keep it out through .vscodeignore)']);
  });

  it('the package script refuses before vsce runs, naming what is missing, and leaves no VSIX', function () {
    this.timeout(60_000);
    // A copy of the real scripts against the tiny repository (its build step is stubbed: no sources here).
    mkdirSync(path.join(tmp, 'scripts'));
    cpSync(path.join(ROOT, 'scripts/package.mjs'), path.join(tmp, 'scripts/package.mjs'));
    cpSync(path.join(ROOT, 'scripts/package-guard.mjs'), path.join(tmp, 'scripts/package-guard.mjs'));
    writeFileSync(path.join(tmp, 'scripts/build.mjs'), '');
    rmSync(path.join(tmp, 'agent/capture.h'));
    const r = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: tmp, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no VSIX was made; missing:\n {2}- agent\/capture\.h \(included by agent\/xdp-meta-capture\.bpf\.h\)/);
  });
});
