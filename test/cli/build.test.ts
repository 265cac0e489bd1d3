import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLANG, hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';

const REPO = path.resolve(__dirname, '../..');
const FIX = path.join(REPO, 'test/fixtures/compile');

describe('cli/build', function () {
  let tmp: string;
  before(function () {
    requirePrereq(this, hasClang(), CLANG);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'compile-cli-'));
  });
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('prints clang\'s error at the right line and exits 1', async () => {
    const r = await runCli(['build', path.join(FIX, 'error.bpf.c'), '-o', path.join(tmp, 'e.o'), '--clang', CLANG]);
    assert.equal(r.code, 1);
    assert.match(r.out, /error\.bpf\.c:10:9: error: use of undeclared identifier 'no_such_action'/);
    assert.match(r.err, /build failed: 1 error/);
    assert.ok(!existsSync(path.join(tmp, 'e.o')));
  });

  it('prints an array of {file, line, column, severity, message} with --format json', async () => {
    const r = await runCli(['build', path.join(FIX, 'notes-fixits.bpf.c'), '-o', path.join(tmp, 'n.o'), '--clang', CLANG, '--format', 'json']);
    assert.equal(r.code, 1);
    const ds = JSON.parse(r.out) as Array<Record<string, unknown>>;
    assert.deepEqual(ds, [
      { file: path.join(FIX, 'notes-fixits.bpf.c'), line: 5, column: 5, severity: 'error', message: 'redefinition of \'counter\'' },
      { file: path.join(FIX, 'notes-fixits.bpf.c'), line: 4, column: 5, severity: 'note', message: 'previous definition is here' },
      { file: path.join(FIX, 'notes-fixits.bpf.c'), line: 10, column: 17, severity: 'error', message: 'expected \';\' after return statement' },
    ]);
  });

  it('builds a good file to the default FILE.bpf.o and exits 0; warnings alone do not fail', async () => {
    copyFileSync(path.join(FIX, 'good.bpf.c'), path.join(tmp, 'good.bpf.c'));
    const r = await runCli(['build', path.join(tmp, 'good.bpf.c'), `--clang=${CLANG}`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /wrote .*good\.bpf\.o \(0 errors, 0 warnings\)/);
    assert.ok(existsSync(path.join(tmp, 'good.bpf.o')));
    const w = await runCli(['build', path.join(FIX, 'warning.bpf.c'), '-o', path.join(tmp, 'w.o'), '--clang', CLANG, '--', '-Wall']);
    assert.equal(w.code, 0);
    assert.match(w.out, /warning\.bpf\.c:5:2: warning: "metadata layout not final" \[-W#warnings\]/);
    assert.match(w.out, /warning\.bpf\.c:10:6: warning: unused variable 'unused' \[-Wunused-variable\]/);
  });

  it('passes -I and -D through', async () => {
    const r = await runCli(['build', path.join(FIX, 'include-stack.bpf.c'), '-o', path.join(tmp, 'i.o'), '--clang', CLANG,
      '-D', 'u32=__u32', `-I${FIX}`]);
    assert.equal(r.code, 0, r.out + r.err);
  });

  it('names what it tried when clang is missing', async () => {
    const r = await runCli(['build', path.join(FIX, 'good.bpf.c'), '-o', path.join(tmp, 'x.o'), '--clang', '/nonexistent']);
    assert.equal(r.code, 1);
    assert.match(r.err, /configured clang '\/nonexistent': not found/);
    assert.match(r.err, /apt-get install clang-19/);
    assert.doesNotMatch(r.err, /\n\s+at /); // no stack trace
  });

  it('rejects bad usage with status 2 and a missing file with status 1', async () => {
    assert.equal((await runCli(['build'])).code, 2);
    assert.equal((await runCli(['build', 'a.c', 'b.c'])).code, 2);
    assert.equal((await runCli(['build', 'a.c', '--format', 'xml'])).code, 2);
    assert.equal((await runCli(['build', 'a.c', '--frobnicate'])).code, 2);
    const r = await runCli(['build', path.join(tmp, 'absent.bpf.c')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /absent\.bpf\.c: no such file/);
  });

  it('runs as a process: an empty PATH gives a clear message and exit 1', function () {
    this.timeout(60000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'build', path.join(FIX, 'good.bpf.c'),
      '-o', path.join(tmp, 'p.o')], { cwd: REPO, env: { ...process.env, PATH: '' }, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /'clang' on PATH \(PATH is empty\): not found/);
    assert.match(r.stderr, /'clang-NN' on PATH \(PATH is empty\): none found/);
  });

  it('runs the bundled dist/cli.js on an error file', function () {
    this.timeout(60000);
    if (!existsSync(path.join(REPO, 'dist/cli.js'))) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
    const r = spawnSync(process.execPath, ['dist/cli.js', 'build', path.join(FIX, 'error.bpf.c'), '-o', path.join(tmp, 'd.o'),
      '--clang', CLANG], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /test\/fixtures\/compile\/error\.bpf\.c:10:9: error: use of undeclared identifier/);
  });
});
