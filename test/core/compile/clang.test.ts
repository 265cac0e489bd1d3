import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
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
function fakeClang(dir: string, name: string, version: string, bpf: boolean, log?: string): string {
  const file = path.join(dir, name);
  const targets = bpf ? '    bpf         - BPF (host endian)\\n    x86-64      - 64-bit X86' : '    x86-64      - 64-bit X86';
  writeFileSync(file, [
    '#!/bin/sh',
    ...(log ? [`echo "$1" >> '${log}'`] : []),
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
  const savedCacheDir = process.env.XDP_META_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'compile-clang-'));
    process.env.XDP_META_CACHE_DIR = path.join(dir, 'cache');
    clearClangCache();
  });
  afterEach(() => {
    if (savedCacheDir === undefined) delete process.env.XDP_META_CACHE_DIR;
    else process.env.XDP_META_CACHE_DIR = savedCacheDir;
    rmSync(dir, { recursive: true, force: true });
  });

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

  it('asks a clang for its version and targets once, until the executable changes', async () => {
    const log = path.join(dir, 'calls.log');
    const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
    fakeClang(dir, 'clang-17', '17.0.6', true, log);
    assert.equal((await findClang({ pathEnv: dir })).version.text, 'clang version 17.0.6');
    assert.deepEqual(calls(), ['--version', '-print-targets']);
    assert.ok(existsSync(path.join(dir, 'cache', 'clang-probes.json')));
    clearClangCache(); // a new process: only the cache folder remains
    const again = await findClang({ pathEnv: dir });
    assert.equal(again.version.text, 'clang version 17.0.6');
    assert.equal(again.path, path.join(dir, 'clang-17'));
    assert.equal(calls().length, 2, 'the second discovery ran clang');
    // An upgrade in place (same path and size) is a different file: probed again, never the stale answer.
    fakeClang(dir, 'clang-17', '17.0.7', true, log);
    clearClangCache();
    assert.equal((await findClang({ pathEnv: dir })).version.text, 'clang version 17.0.7');
    assert.equal(calls().length, 4);
    // So is a symlink pointed elsewhere, and a removed compiler is not found from the cache.
    const other = fakeClang(dir, 'clang-16.real', '16.0.0', true, log);
    unlinkSync(path.join(dir, 'clang-17'));
    symlinkSync(other, path.join(dir, 'clang-17'));
    clearClangCache();
    assert.equal((await findClang({ pathEnv: dir })).version.major, 16);
    unlinkSync(path.join(dir, 'clang-17'));
    clearClangCache();
    await assert.rejects(findClang({ pathEnv: dir }), /none found/);
  });

  it('works without a cache folder (XDP_META_CACHE_DIR=off, or one that cannot be written)', async () => {
    const log = path.join(dir, 'calls.log');
    fakeClang(dir, 'clang-17', '17.0.6', true, log);
    process.env.XDP_META_CACHE_DIR = 'off';
    assert.equal((await findClang({ pathEnv: dir })).version.major, 17);
    writeFileSync(path.join(dir, 'not-a-dir'), '');
    process.env.XDP_META_CACHE_DIR = path.join(dir, 'not-a-dir', 'cache');
    clearClangCache();
    assert.equal((await findClang({ pathEnv: dir })).version.major, 17);
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 4);
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
