// Where verifier logs of loads go: `run` and `load` write one only to --log FILE (0600, never through a symlink), nothing in /tmp.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeLogFile } from '../../src/cli/log-file';
import { hasClang } from '../helpers/clang';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../..');
const UNBOUNDED = path.join(ROOT, 'test/fixtures/remote/unbounded_meta.bpf.c');

const ourTmpLogs = (): string[] => readdirSync(os.tmpdir()).filter((n) => /^xdp-meta-\d+\.verifier\.log$/.test(n));

describe('verifier log files of loads', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-logfile-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writeLogFile: creates 0600, truncates an existing file, refuses a symlink instead of following it', () => {
    const f = path.join(dir, 'a.verifier.log');
    writeLogFile(f, 'first, longer text\n');
    writeLogFile(f, 'second\n');
    assert.equal(readFileSync(f, 'utf8'), 'second\n');
    assert.equal(statSync(f).mode & 0o777, 0o600);
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'keep me');
    const link = path.join(dir, 'planted.verifier.log');
    symlinkSync(victim, link);
    assert.throws(() => writeLogFile(link, 'log'), (e: Error) => e.message === `${link}: cannot write the verifier log: it is a symbolic link (not followed)`);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.throws(() => writeLogFile(dir, 'log'), /cannot write the verifier log: it is a directory/);
  });

  describe('a rejected `xdp-meta run --local`', () => {
    before(function () {
      requirePrereq(this, isRoot, 'root (loading BPF)');
      requirePrereq(this, hasClang(), 'clang-19');
      try {
        execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch {
        requirePrereq(this, false, 'the agent builds (make -C agent)');
      }
    });

    it('without --log prints the explanation, writes no file and names no temp path', async () => {
      const before = ourTmpLogs();
      const r = await runCli(['run', UNBOUNDED, '--local', '--dev', 'lo', '--duration', '5']);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /Metadata access beyond the proven range/);
      assert.match(r.err, /the verifier log has \d+ lines; pass --log FILE to keep it/);
      assert.ok(!r.err.includes(os.tmpdir() + '/xdp-meta-'), r.err);
      assert.deepEqual(ourTmpLogs(), before);
    });

    it('with --log FILE writes the whole log there (0600) and says where', async () => {
      const f = path.join(dir, 'run.verifier.log');
      const r = await runCli(['run', UNBOUNDED, '--local', '--dev', 'lo', '--duration', '5', '--log', f]);
      assert.equal(r.code, 1, r.err);
      assert.match(readFileSync(f, 'utf8'), /invalid access to packet/);
      assert.equal(statSync(f).mode & 0o777, 0o600);
      assert.match(r.err, new RegExp(`the verifier log \\(\\d+ lines\\) is in ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    });

    it('with --log naming a planted symlink refuses it and leaves its target alone', async () => {
      const victim = path.join(dir, 'victim');
      writeFileSync(victim, 'keep me');
      const link = path.join(dir, 'link.verifier.log');
      symlinkSync(victim, link);
      const r = await runCli(['run', UNBOUNDED, '--local', '--dev', 'lo', '--duration', '5', '--log', link]);
      assert.equal(r.code, 1);
      assert.match(r.err, /link\.verifier\.log: cannot write the verifier log: it is a symbolic link/);
      assert.equal(readFileSync(victim, 'utf8'), 'keep me');
      assert.ok(lstatSync(link).isSymbolicLink() && existsSync(victim));
    });
  });
});
