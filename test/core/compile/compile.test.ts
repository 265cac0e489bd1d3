import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ClangInfo, findClang } from '../../../src/core/compile/clang';
import { bpfTargetFlags, compileBpf, type CompileResult } from '../../../src/core/compile/compile';
import { CancelledError } from '../../../src/core/compile/run';
import { ToolError } from '../../../src/core/util/errors';
import { CLANG, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

const FIX = path.resolve(__dirname, '../../fixtures/compile');
const fx = (name: string): string => path.join(FIX, name);
const EM_BPF = 247;

function isBpfObject(file: string): boolean {
  const b = readFileSync(file);
  return b.readUInt32BE(0) === 0x7f454c46 && b.readUInt16LE(18) === EM_BPF;
}

function errors(r: CompileResult): Array<[string, number, number]> {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.file, d.line, d.column]);
}

describe('core/compile/compile (real clang)', function () {
  let out: string;
  let clang: ClangInfo;
  before(async function () {
    requirePrereq(this, hasClang(), `${CLANG} for the compile tests`);
    clang = await findClang({ configured: CLANG });
    out = mkdtempSync(path.join(os.tmpdir(), 'compile-test-'));
  });
  after(() => { if (out) rmSync(out, { recursive: true, force: true }); });
  const obj = (name: string): string => path.join(out, name);

  it('uses -target bpf -O2 -g and the host __TARGET_ARCH', () => {
    const flags = bpfTargetFlags('x64');
    assert.deepEqual(flags.slice(0, 5), ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86']);
    assert.ok(bpfTargetFlags('arm64').includes('-D__TARGET_ARCH_arm64'));
  });

  it('compiles a good file to a BPF object with no diagnostics (even with -Wall)', async () => {
    const r = await compileBpf({ file: fx('good.bpf.c'), out: obj('good.o'), clang, extraFlags: ['-Wall'] });
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.ok);
    assert.equal(r.objectPath, obj('good.o'));
    assert.ok(isBpfObject(r.objectPath!));
    assert.ok(r.args.includes('-target') && r.args.includes('-g'));
  });

  it('reports an error at its line and writes no object', async () => {
    const r = await compileBpf({ file: fx('error.bpf.c'), out: obj('error.o'), clang });
    assert.equal(r.ok, false);
    assert.equal(r.objectPath, undefined);
    assert.deepEqual(errors(r), [[fx('error.bpf.c'), 10, 9]]);
    assert.match(r.diagnostics[0].message, /undeclared identifier 'no_such_action'/);
    assert.ok(!existsSync(obj('error.o')));
  });

  it('reports warnings but still succeeds', async () => {
    const r = await compileBpf({ file: fx('warning.bpf.c'), out: obj('warning.o'), clang, extraFlags: ['-Wall'] });
    assert.ok(r.ok);
    const w = r.diagnostics.map((d) => [d.severity, d.line, d.column, d.option]);
    assert.deepEqual(w, [['warning', 5, 2, '-W#warnings'], ['warning', 10, 6, '-Wunused-variable']]);
    assert.equal(r.diagnostics[0].message, '"metadata layout not final"');
    // Ranges are half-open: 'unused' spans columns 6..11 of "\tint unused;".
    assert.deepEqual(r.diagnostics[1].ranges, [{ start: { line: 10, column: 6 }, end: { line: 10, column: 12 } }]);
  });

  it('reports a missing header as a fatal error, and -I fixes it', async () => {
    const r = await compileBpf({ file: fx('include-missing.bpf.c'), out: obj('inc.o'), clang });
    assert.deepEqual(errors(r), [[fx('include-missing.bpf.c'), 4, 10]]);
    assert.equal(r.diagnostics[0].fatal, true);
    assert.match(r.diagnostics[0].message, /'no_such_header\.h' file not found/);

    const incDir = mkdtempSync(path.join(out, 'inc-'));
    writeFileSync(path.join(incDir, 'no_such_header.h'), '#define FOUND 1\n');
    const r2 = await compileBpf({ file: fx('include-missing.bpf.c'), out: obj('inc2.o'), clang, includes: [incDir] });
    assert.ok(r2.ok, JSON.stringify(r2.diagnostics));
  });

  it('places an error in a header with its include stack', async () => {
    const r = await compileBpf({ file: fx('include-stack.bpf.c'), out: obj('stack.o'), clang });
    assert.deepEqual(errors(r), [[fx('inc/bad_meta.h'), 4, 2]]);
    assert.deepEqual(r.diagnostics[0].includeStack, [{ file: fx('include-stack.bpf.c'), line: 4 }]);
  });

  it('attaches notes and fix-its', async () => {
    const r = await compileBpf({ file: fx('notes-fixits.bpf.c'), out: obj('nf.o'), clang });
    assert.deepEqual(errors(r), [[fx('notes-fixits.bpf.c'), 5, 5], [fx('notes-fixits.bpf.c'), 10, 17]]);
    assert.deepEqual(r.diagnostics[0].notes?.map((n) => [n.line, n.message]), [[4, 'previous definition is here']]);
    assert.deepEqual(r.diagnostics[1].fixits, [{
      file: fx('notes-fixits.bpf.c'), range: { start: { line: 10, column: 17 }, end: { line: 10, column: 17 } }, text: ';',
    }]);
  });

  it('locates BPF backend errors', async () => {
    const r = await compileBpf({ file: fx('backend.bpf.c'), out: obj('be.o'), clang });
    assert.deepEqual(errors(r), [[fx('backend.bpf.c'), 10, 2]]);
    assert.match(r.diagnostics[0].message, /built-in function 'memcpy' is not supported/);
  });

  describe('unsaved buffers (stdin)', () => {
    it('maps diagnostics back to the file, lines as in the buffer', async () => {
      const text = '\n\n' + readFileSync(fx('error.bpf.c'), 'utf8'); // two lines added in the editor
      const r = await compileBpf({ file: fx('error.bpf.c'), source: text, out: obj('buf-error.o'), clang });
      assert.deepEqual(errors(r), [[fx('error.bpf.c'), 12, 9]]);
    });

    it('resolves quoted includes relative to the file and keeps the include stack', async () => {
      const text = readFileSync(fx('include-stack.bpf.c'), 'utf8');
      const r = await compileBpf({ file: fx('include-stack.bpf.c'), source: text, out: obj('buf-stack.o'), clang });
      assert.deepEqual(errors(r), [[fx('inc/bad_meta.h'), 4, 2]]);
      assert.deepEqual(r.diagnostics[0].includeStack, [{ file: fx('include-stack.bpf.c'), line: 4 }]);
    });

    it('shifts fix-its and locates backend errors like a file compile', async () => {
      const nf = await compileBpf({ file: fx('notes-fixits.bpf.c'), source: readFileSync(fx('notes-fixits.bpf.c'), 'utf8'), out: obj('b-nf.o'), clang });
      assert.equal(nf.diagnostics[1].fixits?.[0].range.start.line, 10);
      const be = await compileBpf({ file: fx('backend.bpf.c'), source: readFileSync(fx('backend.bpf.c'), 'utf8'), out: obj('b-be.o'), clang });
      assert.deepEqual(errors(be), [[fx('backend.bpf.c'), 10, 2]]);
      const two = fx('backend-two.bpf.c');
      const f2 = await compileBpf({ file: two, out: obj('two.o'), clang });
      const b2 = await compileBpf({ file: two, source: readFileSync(two, 'utf8'), out: obj('b-two.o'), clang, cwd: FIX });
      assert.deepEqual(errors(f2), [[two, 9, 2], [two, 10, 2]]);
      assert.deepEqual(errors(b2), errors(f2));
    });

    it('writes a temp object whose line info names the real file', async () => {
      const virtualFile = path.join(FIX, 'unsaved-buffer.bpf.c'); // does not exist on disk
      const r = await compileBpf({ file: virtualFile, source: readFileSync(fx('good.bpf.c'), 'utf8'), clang });
      try {
        assert.ok(r.ok, JSON.stringify(r.diagnostics));
        assert.ok(r.objectPath!.startsWith(os.tmpdir()));
        assert.ok(isBpfObject(r.objectPath!));
        assert.ok(readFileSync(r.objectPath!).includes(Buffer.from('unsaved-buffer.bpf.c')));
        assert.ok(!readFileSync(r.objectPath!).includes(Buffer.from('<stdin>')));
      } finally {
        if (r.objectPath) rmSync(path.dirname(r.objectPath), { recursive: true, force: true });
      }
    });
  });

  describe('failures', () => {
    it('throws ToolError naming a missing configured clang', async () => {
      await assert.rejects(compileBpf({ file: fx('good.bpf.c'), out: obj('x.o'), clang: '/nonexistent' }),
        (e: unknown) => e instanceof ToolError && /configured clang '\/nonexistent': not found/.test(e.message));
    });

    it('throws ToolError with an empty PATH', async () => {
      await assert.rejects(compileBpf({ file: fx('good.bpf.c'), out: obj('x.o'), pathEnv: '' }),
        (e: unknown) => e instanceof ToolError && /PATH is empty[\s\S]*apt-get install clang-19/.test(e.message));
    });

    it('reports a missing input file as an error diagnostic', async () => {
      const r = await compileBpf({ file: path.join(out, 'absent.bpf.c'), out: obj('absent.o'), clang });
      assert.equal(r.ok, false);
      assert.match(r.diagnostics[0].message, /no such file or directory/);
    });

    it('cancels through an AbortSignal', async () => {
      const slow = path.join(out, 'slow-clang');
      writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(slow, 0o755);
      const fake: ClangInfo = { path: slow, version: { major: 19, minor: 0, patch: 0, text: 'fake' }, bpfTarget: true };
      await assert.rejects(compileBpf({ file: fx('good.bpf.c'), out: obj('c.o'), clang: fake, signal: AbortSignal.abort() }), CancelledError);
      const t0 = Date.now();
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(compileBpf({ file: fx('good.bpf.c'), out: obj('c.o'), clang: fake, signal: ac.signal }), CancelledError);
      assert.ok(Date.now() - t0 < 5000);
      await assert.rejects(compileBpf({ file: fx('good.bpf.c'), out: obj('c.o'), clang: fake, timeoutMs: 100 }),
        (e: unknown) => e instanceof ToolError && /no answer within 100 ms/.test(e.message));
    });
  });
});
