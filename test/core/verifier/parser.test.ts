import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { LineKind } from '../../../src/core/verifier/kinds';
import { VerifierLogParser } from '../../../src/core/verifier/parser';
import { parseLogFile, parseLogText } from '../../../src/core/verifier/read';
import { XdpMetaError } from '../../../src/core/util/errors';

const LOGS = path.resolve(__dirname, '../../fixtures/verifier/logs');
const EXPECTED = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/verifier/expected.json'), 'utf8')) as
  Record<string, Record<string, { error: unknown; processed_insns: number | null; total_states: number | null; peak_states: number | null }>>;
const read = (name: string): string => readFileSync(path.join(LOGS, name), 'utf8');

/**
 * Hand-written in the format kernels 5.4-5.15 print at level 2 (no such kernel is available here to capture one):
 * states on their own lines with `_w` and `(id=0,off=0,imm=0)`, `inv` scalars, `; source` without `@ file:line`,
 * bitmask precision lines, and the fall-through state after a jump printed with a leading space.
 */
const OLD_KERNEL_LOG = `func#0 @0
0: R1=ctx(id=0,off=0,imm=0) R10=fp0
; int prog(struct xdp_md *ctx)
0: (61) r2 = *(u32 *)(r1 +4)
1: R1=ctx(id=0,off=0,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R10=fp0
; void *data = (void *)(long)ctx->data;
1: (61) r1 = *(u32 *)(r1 +0)
2: R1_w=pkt(id=0,off=0,r=0,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R10=fp0
2: (bf) r3 = r1
3: R1_w=pkt(id=0,off=0,r=0,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R3_w=pkt(id=0,off=0,r=0,imm=0) R10=fp0
3: (07) r3 += 14
4: R1_w=pkt(id=0,off=0,r=0,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R3_w=pkt(id=0,off=14,r=0,imm=0) R10=fp0
4: (2d) if r3 > r2 goto pc+2
 R1_w=pkt(id=0,off=0,r=14,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R3_w=pkt(id=0,off=14,r=14,imm=0) R10=fp0
5: R1_w=pkt(id=0,off=0,r=14,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R3_w=pkt(id=0,off=14,r=14,imm=0) R10=fp0
; return data[20];
5: (71) r0 = *(u8 *)(r1 +20)
last_idx 5 first_idx 0
regs=2 stack=0 before 4: (2d) if r3 > r2 goto pc+2
invalid access to packet, off=20 size=1, R1(id=0,off=20,r=14)
R1 offset is outside of the packet
processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`;

describe('core/verifier/parser', () => {
  it('classifies every line of every captured log and reproduces its expected summary', () => {
    const files = readdirSync(LOGS).filter((f) => f.endsWith('.log'));
    assert.ok(files.length >= 10);
    for (const f of files) {
      const log = parseLogText(read(f));
      const s = log.summary();
      assert.equal(s.unknown_lines, 0, `${f}: ${s.unknown_lines} unknown lines`);
      assert.equal(s.lines, read(f).split('\n').length - 1, f);
      const [name, lvl] = f.replace(/\.log$/, '').split('.');
      const exp = EXPECTED[name]?.[lvl === 'l1' ? 'level1' : 'level2'];
      assert.ok(exp, `no expected summary for ${f}`);
      assert.deepEqual(s.error, exp.error, f);
      assert.equal(s.processed_insns, exp.processed_insns, f);
      assert.equal(s.total_states, exp.total_states, f);
      assert.equal(s.peak_states, exp.peak_states, f);
    }
  });

  it('detects the level: 2 from func#/Live regs/backtracking, 1 otherwise (or as told)', () => {
    assert.equal(parseLogText(read('meta_short_check.l2.log')).level, 2);
    assert.equal(parseLogText(read('meta_short_check.l1.log')).level, 1);
    assert.equal(parseLogText(read('kfunc_not_devbound.l2.log'), { level: 2 }).level, 2);
  });

  it('parses the same in any chunking (streaming), with CRLF and without a final newline', () => {
    const text = read('subprog_good.l2.log') + read('negative_offset.l2.log');
    const whole = parseLogText(text);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }), (sizes) => {
      const p = new VerifierLogParser();
      const buf = Buffer.from(text);
      let off = 0;
      for (let i = 0; off < buf.length; i++) {
        const n = sizes[i % sizes.length];
        p.feed(buf.subarray(off, off + n));
        off += n;
      }
      const log = p.end();
      assert.deepEqual(Array.from(log.data.kind), Array.from(whole.data.kind));
      assert.deepEqual(Array.from(log.data.pc), Array.from(whole.data.pc));
      assert.deepEqual(log.summary(), whole.summary());
    }), { numRuns: 40 });
    const crlf = parseLogText(read('meta_short_check.l2.log').replace(/\n/g, '\r\n').replace(/\r\n$/, ''));
    assert.deepEqual(crlf.summary(), parseLogText(read('meta_short_check.l2.log')).summary());
    assert.equal(crlf.text(0), 'func#0 @0');
  });

  it('streams a file and reads line text back by offset', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verifier-test-'));
    try {
      const f = path.join(dir, 'x.log');
      const text = read('ringbuf_leak.l2.log');
      writeFileSync(f, text);
      const log = await parseLogFile(f);
      assert.deepEqual(log.summary(), parseLogText(text).summary());
      const lines = text.split('\n');
      for (let i = 0; i < log.lineCount; i += 7) assert.equal(log.text(i), lines[i]);
      assert.deepEqual(log.texts(3, 9), lines.slice(3, 9));
      log.close();
      await assert.rejects(parseLogFile(path.join(dir, 'missing.log')), (e: unknown) => e instanceof XdpMetaError && /missing\.log/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps and counts unknown lines, never drops them', () => {
    const lines = read('meta_short_check.l2.log').split('\n');
    lines.splice(30, 0, 'a line from a future kernel', '12 not an insn');
    const log = parseLogText(lines.join('\n'));
    assert.equal(log.summary().unknown_lines, 2);
    assert.equal(log.summary().lines, lines.length - 1);
    assert.equal(log.kind(30), LineKind.Unknown);
    assert.equal(log.text(30), 'a line from a future kernel');
    assert.equal(log.page(30, 31)[0].kind, 'unknown');
  });

  it('rotated log (kernel kept the tail): first line cut mid-line is partial, the rest still parses', () => {
    const text = read('negative_offset.l2.log');
    // Cut inside a line, as the kernel's rotating buffer does.
    const cut = text.indexOf('R0=map_value(map=table') + 5;
    const log = parseLogText(text.slice(cut));
    const s = log.summary();
    assert.equal(log.kind(0), LineKind.Partial);
    assert.equal(s.truncated, true);
    assert.equal(log.data.truncated.head, true);
    assert.equal(s.unknown_lines, 0);
    assert.equal(s.error?.message, 'R0 min value is negative, either use unsigned index or do a if (index >=0) check.');
    assert.equal(s.error?.insn, 19);
    assert.equal(s.processed_insns, 19);
    // Cut exactly at a line start in the middle of the program: an insn with pc > 0 first is suspect too.
    const atLine = text.slice(text.indexOf('\n13: (71)') + 1);
    assert.equal(parseLogText(atLine).kind(0), LineKind.Partial);
    // The caller can say so (ENOSPC from a rotating buffer).
    assert.equal(parseLogText(read('meta_short_check.l2.log'), { rotated: true }).kind(0), LineKind.Partial);
  });

  it('truncated log (tail missing): flagged, no statistics, last instruction kept', () => {
    const text = read('ringbuf_leak.l2.log');
    const cut = text.indexOf('14: (85) call bpf_ringbuf_submit') + 12;
    const log = parseLogText(text.slice(0, cut));
    const s = log.summary();
    assert.equal(log.data.truncated.tail, true);
    assert.equal(s.truncated, true);
    assert.equal(s.processed_insns, null);
    assert.equal(s.error, null);
    assert.equal(log.kind(log.lineCount - 1), LineKind.Insn);
  });

  it('parses kernel 5.x logs: separate state lines, _w, old source lines, bitmask precision', () => {
    const log = parseLogText(OLD_KERNEL_LOG);
    const s = log.summary();
    assert.equal(s.unknown_lines, 0);
    assert.equal(s.level, 2);
    assert.deepEqual(s.error, { message: 'invalid access to packet, off=20 size=1, R1(id=0,off=20,r=14)', insn: 5, file: null, line: null });
    const e = log.error()!;
    assert.equal(e.sourceText, 'return data[20];');
    const errInsn = e.insnLogLine;
    assert.equal(log.stateBefore(errInsn).get('r1'), 'pkt(id=0,off=0,r=14,imm=0)');
    assert.deepEqual(log.history(errInsn, 'r1').map((h) => h.pc), [1]);
  });

  it('libbpf/bpftool wrappers: markers, tool lines, program name and failure', () => {
    const log = parseLogText(read('meta_short_check.bpftool.txt'));
    const s = log.summary();
    assert.equal(s.program, 'meta_short_check');
    assert.equal(s.unknown_lines, 0);
    assert.equal(log.data.loadError, 'Permission denied');
    assert.equal(s.error?.insn, 11);
    assert.equal(log.countKind(LineKind.Marker), 2);
    assert.ok(log.countKind(LineKind.Tool) >= 4);
  });

  it('model: state before/after, writer of a register, history back through moves and arithmetic', () => {
    const log = parseLogText(read('meta_short_check.l2.log'));
    const e = log.error()!;
    assert.equal(e.insn, 11);
    assert.equal(e.file, 'meta_short_check.bpf.c');
    assert.equal(e.line, 17);
    const before = log.stateBefore(e.insnLogLine);
    assert.equal(before.get('r1'), 'pkt_meta(r=0)');
    assert.equal(before.get('r3'), 'pkt_meta(off=4,r=4)');
    const w = log.writerOf(e.insnLogLine, 'r3');
    assert.equal(log.data.pc[w], 8);
    assert.deepEqual(log.history(e.insnLogLine, 'r3').map((h) => [h.pc, h.slot, h.insn]),
      [[8, 'r3', 'r3 += 4'], [7, 'r3', 'r3 = r1'], [6, 'r1', 'r1 = *(u32 *)(r6 +8)']]);
    const after = log.stateAfter(log.linesOfInsn(8)[0]);
    assert.equal(after.get('r3'), 'pkt_meta(off=4,r=0)');
  });

  it('model: history across a popped branch and the stack', () => {
    const log = parseLogText(read('ringbuf_leak.l2.log'));
    const e = log.error()!;
    // The failing path came from `from 10 to 16`: r0 = r1 at 16, r1 = 1 at 8 (before the branch).
    assert.deepEqual(log.history(e.insnLogLine, 'r0').map((h) => h.pc), [16, 8]);
    const neg = parseLogText(read('negative_offset.l2.log'));
    const key = neg.linesOfInsn(3)[0];
    assert.equal(neg.data.insnWrite[neg.data.aux[key]], 16 + 4); // *(u32 *)(r10 -4) = r1 writes fp-4
    assert.equal(neg.writerOf(neg.linesOfInsn(7)[0] + 5, 'fp-4'), key);
  });

  it('model: subprogram frames (caller r0 comes from the callee exit)', () => {
    const log = parseLogText(read('subprog_good.l2.log'));
    const l = log.linesOfInsn(1)[0];
    const w = log.writerOf(l, 'r0');
    assert.equal(log.data.pc[w], 17);
    assert.equal(log.data.frame[w], 1);
    assert.equal(log.data.frame[log.linesOfInsn(12)[0]], 1);
    assert.deepEqual(log.stats.stack_depth, [0, 0, 0]);
  });

  it('paging API returns JSON-serialisable lines with kind, state and source', () => {
    const log = parseLogText(read('meta_short_check.l2.log'));
    const page = log.page(0, log.lineCount);
    assert.equal(page.length, log.lineCount);
    const json = JSON.parse(JSON.stringify(page)) as typeof page;
    const insn = json.find((v) => v.pc === 9 && v.kind === 'insn')!;
    assert.equal(insn.insn?.text, 'if r3 > r2 goto pc+4');
    assert.deepEqual(insn.insn?.state.map((e) => e.name), ['r2', 'r3']);
    assert.equal(insn.insn?.source?.line, 14);
    assert.ok(json.some((v) => v.kind === 'live_regs'));
    const model = JSON.parse(JSON.stringify(log)) as { summary: { lines: number }; kind: number[] };
    assert.equal(model.kind.length, log.lineCount);
  });

  it('an unrecognised early rejection before the statistics is the error, not a cut line', () => {
    const log = parseLogText('some new early check failed\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
    assert.equal(log.summary().error?.message, 'some new early check failed');
    assert.equal(log.summary().truncated, false);
    assert.equal(log.kind(0), LineKind.Error);
  });

  it('handles empty input and input with no verifier lines', () => {
    const empty = parseLogText('');
    assert.equal(empty.summary().lines, 0);
    assert.equal(empty.summary().error, null);
    assert.equal(empty.summary().truncated, false);
  });
});
