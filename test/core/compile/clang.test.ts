import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  clearClangCache, findClang, listsBpfTarget, parseClangVersion, versionedClangsOnPath, whichSync,
} from '../../../src/core/compile/clang';
import { multiarchIncludeDir, targetArch } from '../../../src/core/compile/arch';
import { ToolError } from '../../../src/core/util/errors';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

/** A shell script posing as clang: prints `version` for --version and lists bpf only when `bpf`. */
function fakeClang(dir: string, name: string, version: string, bpf: boolean): string {
  const file = path.join(dir, name);
  const targets = bpf ? '    bpf         - BPF (host endian)\\n    x86-64      - 64-bit X86' : '    x86-64      - 64-bit X86';
  writeFileSync(file, [
    '#!/bin/sh',
    `case "$1" in`,
    `  --version) printf 'clang version ${version}\\nTarget: x86_64-pc-linux-gnu\\n' ;;`,
    `  -print-targets) printf '  Registered Targets:\\n${targets}\\n' ;;`,
    '  *) exit 1 ;;',
    'esac',
  ].join('\n'));
  chmodSync(file, 0o755);
  return file;
}

describe('core/compile/clang', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'compile-clang-'));
    clearClangCache();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses versions from several vendors', () => {
    assert.deepEqual(parseClangVersion('Debian clang version 19.1.7 (3~deb12u1)\nTarget: x'),
      { major: 19, minor: 1, patch: 7, text: 'Debian clang version 19.1.7 (3~deb12u1)' });
    assert.equal(parseClangVersion('Ubuntu clang version 14.0.0-1ubuntu1.1')?.major, 14);
    assert.equal(parseClangVersion('Apple clang version 15.0.0 (clang-1500.3.9.4)')?.major, 15);
    assert.equal(parseClangVersion('clang version 18.1')?.patch, 0);
    assert.equal(parseClangVersion('gcc (Debian 12.2.0-14) 12.2.0'), undefined);
  });

  it('recognises the bpf target line', () => {
    assert.ok(listsBpfTarget('  Registered Targets:\n    bpf         - BPF (host endian)\n    bpfeb - BPF (big endian)'));
    assert.ok(!listsBpfTarget('  Registered Targets:\n    x86-64 - 64-bit X86\n    bpfeb - BPF (big endian)'));
  });

  it('maps the host architecture', () => {
    assert.equal(targetArch('x64'), 'x86');
    assert.equal(targetArch('arm64'), 'arm64');
    assert.equal(targetArch('s390x'), 's390');
    assert.equal(targetArch('riscv64'), 'riscv');
    if (process.arch === 'x64') assert.equal(multiarchIncludeDir('x64'), '/usr/include/x86_64-linux-gnu');
  });

  it('prefers `clang`, skipping one that is too old, then the newest clang-NN with bpf', async () => {
    fakeClang(dir, 'clang', '12.0.1', true);
    fakeClang(dir, 'clang-15', '15.0.7', true);
    fakeClang(dir, 'clang-18', '18.1.8', false);
    fakeClang(dir, 'clang-cpp-20', '20.0.0', true); // not a clang-NN name
    assert.deepEqual(versionedClangsOnPath(dir).map((f) => path.basename(f)), ['clang-18', 'clang-15']);
    const c = await findClang({ pathEnv: dir });
    assert.equal(c.path, path.join(dir, 'clang-15'));
    assert.equal(c.version.major, 15);
  });

  it('takes plain `clang` when it qualifies', async () => {
    fakeClang(dir, 'clang', '17.0.6', true);
    fakeClang(dir, 'clang-18', '18.1.8', true);
    assert.equal((await findClang({ pathEnv: dir })).path, path.join(dir, 'clang'));
  });

  it('names every candidate it tried and how to install one', async () => {
    fakeClang(dir, 'clang', '11.0.0', true);
    fakeClang(dir, 'clang-16', '16.0.0', false);
    await assert.rejects(findClang({ pathEnv: dir }), (e: unknown) => {
      assert.ok(e instanceof ToolError);
      assert.match(e.message, /older than the minimum 14/);
      assert.match(e.message, /clang-16: clang 16 has no bpf target/);
      assert.match(e.message, /apt-get install clang-19/);
      return true;
    });
  });

  it('reports an empty PATH plainly', async () => {
    await assert.rejects(findClang({ pathEnv: '' }), /'clang' on PATH \(PATH is empty\): not found[\s\S]*'clang-NN' on PATH \(PATH is empty\): none found[\s\S]*apt-get install clang-19/);
  });

  it('uses only the configured clang and says so when it is missing', async () => {
    fakeClang(dir, 'clang-18', '18.1.8', true);
    await assert.rejects(findClang({ configured: '/nonexistent/clang', pathEnv: dir }),
      /configured clang '\/nonexistent\/clang': not found/);
    const cfg = fakeClang(dir, 'my-clang', '16.0.0', true);
    assert.equal((await findClang({ configured: cfg, pathEnv: '' })).path, cfg);
    assert.equal((await findClang({ configured: 'clang-18', pathEnv: dir })).path, path.join(dir, 'clang-18'));
  });

  it('resolves names through PATH like a shell', () => {
    const f = fakeClang(dir, 'clang-17', '17.0.0', true);
    symlinkSync(f, path.join(dir, 'cc-link'));
    assert.equal(whichSync('cc-link', `/nonexistent${path.delimiter}${dir}`), path.join(dir, 'cc-link'));
    assert.equal(whichSync('nope', dir), undefined);
  });

  it('finds the real clang on this machine', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const c = await findClang();
    assert.ok(c.version.major >= 14);
    assert.ok(c.bpfTarget);
  });
});
