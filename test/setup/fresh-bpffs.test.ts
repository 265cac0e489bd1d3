// A fresh machine has no bpffs: inside a private mount namespace with it unmounted, the bpffs suites and `load` fail fast and clearly.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../src/core/compile/arch';
import { BPFFS_MOUNT_FIX } from '../../src/core/util/bpffs';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { isRoot, requirePrereq } from '../helpers/prereq';

const ROOT = path.resolve(__dirname, '../..');
// Every suite that pins into /sys/fs/bpf.
const BPFFS_SUITES = [
  'test/core/check/verifier.test.ts',
  'test/core/verifier/real-logs.test.ts',
  'test/core/core-relo/libbpf-oracle.test.ts',
  'test/templates/templates.test.ts',
];

/** Runs `script` with sh in a private mount namespace where every bpffs at /sys/fs/bpf is unmounted. */
function withoutBpffs(script: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  const prelude = 'while umount /sys/fs/bpf 2>/dev/null; do :; done; ' +
    '[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || { echo "still mounted" >&2; exit 97; }; ';
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', prelude + script], {
    cwd: ROOT, encoding: 'utf8', env, timeout: timeoutMs, killSignal: 'SIGKILL',
  });
}

describe('a fresh machine without bpffs', function () {
  this.timeout(240_000);
  before(function () {
    requirePrereq(this, isRoot, 'root (to make a private mount namespace)');
    requirePrereq(this, spawnSync('unshare', ['--version']).status === 0, 'unshare (util-linux)');
  });

  it('the bpffs suites fail at once in CI with the fix named, instead of hanging', () => {
    const mocha = ['node', 'node_modules/mocha/bin/mocha.js', '--require', 'tsx/cjs', '--timeout', '60000',
      ...BPFFS_SUITES].join(' ');
    const started = Date.now();
    const r = withoutBpffs(mocha, { ...process.env, CI: 'true' }, 180_000);
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.signal, null, `the suites did not end within 180 s (hang):\n${out.slice(-2000)}`);
    assert.notEqual(r.status, 97, 'bpffs could not be unmounted in the namespace');
    assert.notEqual(r.status, 0, `the suites passed without bpffs:\n${out.slice(-2000)}`);
    const missing = out.match(/prerequisite missing in CI: a bpf filesystem mounted at \/sys\/fs\/bpf \(run: mount -t bpf bpf \/sys\/fs\/bpf\)/g) ?? [];
    assert.ok(missing.length >= BPFFS_SUITES.length, `${missing.length} clear failures for ${BPFFS_SUITES.length} suites:\n${out.slice(-3000)}`);
    assert.ok(Date.now() - started < 180_000);
  });

  it('`xdp-meta load` through bpftool names the mount command', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, existsSync(path.join(ROOT, 'dist/cli.js')), 'dist/cli.js (npm run build)');
    const asm = multiarchIncludeDir();
    const obj = buildBpfObject('verifier/meta_good.bpf.c', { args: asm ? ['-idirafter', asm] : [] });
    const r = withoutBpffs(`node dist/cli.js load '${obj}' --loader bpftool`, process.env, 60_000);
    assert.equal(r.signal, null, 'load hung');
    assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
    assert.ok(r.stderr.includes(BPFFS_MOUNT_FIX), r.stderr);
    assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr), `a stack trace:\n${r.stderr}`);
  });
});
