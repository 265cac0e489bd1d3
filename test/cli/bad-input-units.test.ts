// The pieces behind the bad-input contract, in process: binary detection, verdicts, one-line system and internal errors.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { internalErrorMessage, systemErrorMessage } from '../../src/cli/main';
import { logVerdict } from '../../src/cli/commands/log';
import { ClangNotFoundError } from '../../src/core/compile/clang';
import { readInputFile } from '../../src/core/bpf/object-file';
import { binaryOffset, parseLogFile, parseLogText } from '../../src/core/verifier/read';
import { FormatError, XdpMetaError } from '../../src/core/util/errors';

describe('cli: bad-input building blocks', () => {
  it('binaryOffset: a NUL with data after it is binary; trailing NUL padding is not', () => {
    assert.equal(binaryOffset(Buffer.from('0: (b7) r0 = 0\n')), -1);
    assert.equal(binaryOffset(Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x07')), 7);
    assert.equal(binaryOffset(Buffer.concat([Buffer.from('processed 1 insns\n'), Buffer.alloc(64)])), -1);
    assert.equal(binaryOffset(Buffer.alloc(0)), -1);
  });

  it('parseLogText/parseLogFile refuse binary data with the offset of the NUL', async () => {
    assert.throws(() => parseLogText(Buffer.from('func#0 @0\n\x00\x01'), { source: 'x.log' }),
      (e: unknown) => e instanceof FormatError && e.offset === 10 && /^x\.log: at byte offset 10/.test(e.message));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-units-'));
    try {
      const f = path.join(dir, 'obj.log');
      writeFileSync(f, Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00\x01'));
      await assert.rejects(parseLogFile(f), (e: unknown) => e instanceof FormatError && e.source === f && e.offset === 7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a log cut before its statistics has no verdict, and says where it stops', () => {
    const cut = parseLogText('func#0 @0\n0: R1=ctx() R10=fp0\n0: (b7) r0 = 2          ; R0_w=2\n1: (95) ex');
    assert.equal(logVerdict(cut.summary()), 'unknown');
    assert.deepEqual(cut.completeness(), { verifierLines: 4, hasStats: false, endsMidLine: true, totalBytes: 73 });
    const whole = parseLogText('0: (b7) r0 = 2\n1: (95) exit\nprocessed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
    assert.equal(logVerdict(whole.summary()), 'accepted');
    assert.equal(whole.completeness().endsMidLine, false);
  });

  it('a Node system error naming a path becomes one line; anything else stays a bug', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file or directory, open \'x.o\''), { code: 'ENOENT', path: 'x.o' });
    assert.equal(systemErrorMessage(enoent), 'x.o: no such file or directory (ENOENT)');
    assert.equal(systemErrorMessage(new TypeError('x is undefined')), undefined);
    assert.equal(systemErrorMessage(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING', path: 'x' })), undefined);
  });

  it('an internal error is one line unless XDP_META_DEBUG asks for the stack', () => {
    const saved = process.env.XDP_META_DEBUG;
    try {
      delete process.env.XDP_META_DEBUG;
      const line = internalErrorMessage(new RangeError('bad\nsecond line'));
      assert.match(line, /^xdp-meta: internal error: RangeError: bad \(a bug: please report it; XDP_META_DEBUG=1 shows the stack\)\n$/);
      process.env.XDP_META_DEBUG = '1';
      assert.match(internalErrorMessage(new RangeError('bad')), /\n\s+at /);
    } finally {
      if (saved === undefined) delete process.env.XDP_META_DEBUG;
      else process.env.XDP_META_DEBUG = saved;
    }
  });

  it('ClangNotFoundError keeps what was tried for a one-line verdict', () => {
    const e = new ClangNotFoundError(["configured clang '/x': not found"]);
    assert.deepEqual(e.tried, ["configured clang '/x': not found"]);
    assert.match(e.message, /Tried:\n {2}- configured clang '\/x': not found\n/);
  });

  it('readInputFile names the path for a missing file, a directory and a device', () => {
    assert.throws(() => readInputFile('/nonexistent/x.o', 'a BPF object'), (e: unknown) => e instanceof XdpMetaError && e.message === '/nonexistent/x.o: no such file');
    assert.throws(() => readInputFile(os.tmpdir(), 'a BPF object'), /is a directory, not a BPF object/);
    assert.throws(() => readInputFile('/dev/zero', 'BTF'), /\/dev\/zero: not a regular file/);
  });
});
