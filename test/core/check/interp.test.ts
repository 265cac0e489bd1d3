// The data_meta interpreter on hand-assembled instructions: ranges per comparison form, joins, invalidation, loops.
import { strict as assert } from 'node:assert';
import { decodeInsns } from '../../../src/core/bpf/decode';
import { SKB_LAYOUT, XDP_LAYOUT } from '../../../src/core/check/ctx-layout';
import { interpret } from '../../../src/core/check/interp';
import type { CtxLayout } from '../../../src/core/check/ctx-layout';

/** One instruction slot, little-endian. */
function insn(code: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = Buffer.alloc(8);
  b[0] = code; b[1] = (src << 4) | dst; b.writeInt16LE(off, 2); b.writeInt32LE(imm, 4);
  return [...b];
}
const ldxw = (dst: number, src: number, off: number) => insn(0x61, dst, src, off, 0);
const ldxb = (dst: number, src: number, off: number) => insn(0x71, dst, src, off, 0);
const ldxdw = (dst: number, src: number, off: number) => insn(0x79, dst, src, off, 0);
const movx = (dst: number, src: number) => insn(0xbf, dst, src, 0, 0);
const movk = (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm);
const addk = (dst: number, imm: number) => insn(0x07, dst, 0, 0, imm);
const jx = (op: number, dst: number, src: number, off: number) => insn(0x05 | op | 0x08, dst, src, off, 0);
const ja = (off: number) => insn(0x05, 0, 0, off, 0);
const call = (id: number) => insn(0x85, 0, 0, 0, id);
const exit = () => insn(0x95, 0, 0, 0, 0);
const JGT = 0x20, JGE = 0x30, JLT = 0xa0, JLE = 0xb0;

function run(slots: number[][], layout: CtxLayout = XDP_LAYOUT) {
  const insns = decodeInsns(Uint8Array.from(slots.flat()), 'little');
  return interpret(insns, {
    layout,
    callAt: (i) => (i.code === 0x85 ? { insn: i.index, kind: 'helper', name: i.imm === 54 ? 'bpf_xdp_adjust_meta' : 'bpf_ktime_get_ns' } : undefined),
    typeIdLocalAt: () => undefined,
  }, true);
}
/** r2 = data_meta, r3 = data, r1 = data_meta + 8 (XDP offsets). */
const prologue = (l: CtxLayout = XDP_LAYOUT) => [ldxw(2, 1, l.dataMeta), ldxw(3, 1, l.data), movx(1, 2), addk(1, 8)];

describe('check interpreter', () => {
  it('meta+8 > data: the fallthrough proves 8 bytes', () => {
    const r = run([...prologue(), jx(JGT, 1, 3, 1), ldxdw(0, 1, -8), movk(0, 2), exit()]);
    assert.deepEqual(r.accesses.map((a) => [a.insn, a.ptrOff, a.insnOff, a.size, a.proven]), [[5, 8, -8, 8, 8]]);
  });
  it('strict forms prove one byte more (meta+8 < data → 9), closed forms exactly 8', () => {
    const strict = run([...prologue(), jx(JLT, 1, 3, 1), ja(1), ldxb(0, 1, 0), movk(0, 2), exit()]);
    assert.equal(strict.accesses[0]!.proven, 9);
    const ge = run([...prologue(), jx(JGE, 1, 3, 1), ldxb(0, 1, 0), movk(0, 2), exit()]);
    assert.equal(ge.accesses[0]!.proven, 9);
    const le = run([...prologue(), jx(JLE, 1, 3, 1), ja(1), ldxb(0, 1, 0), movk(0, 2), exit()]);
    assert.equal(le.accesses[0]!.proven, 8);
    const reversed = run([...prologue(), jx(JGT, 3, 1, 1), ja(1), ldxb(0, 1, 0), movk(0, 2), exit()]); // data > meta+8
    assert.equal(reversed.accesses[0]!.proven, 9);
  });
  it('the taken branch of meta+8 > data proves nothing', () => {
    const r = run([...prologue(), jx(JGT, 1, 3, 1), ja(1), ldxb(0, 2, 0), movk(0, 2), exit()]);
    assert.equal(r.accesses[0]!.proven, 0);
  });
  it('a comparison of meta + 0x10000 (past MAX_PACKET_OFF) proves nothing; meta + 0xffff does', () => {
    const far = (n: number) => run([ldxw(2, 1, 8), ldxw(3, 1, 0), movx(1, 2), addk(1, n), jx(JGT, 1, 3, 1), ldxb(0, 2, 0), movk(0, 2), exit()]);
    assert.equal(far(0x10000).accesses[0]!.proven, 0);
    assert.equal(far(0xffff).accesses[0]!.proven, 0xffff);
  });
  it('a stack slot whose address a call may write through loses its constant (the branch on it is not pruned)', () => {
    // *(u64 *)(r10 - 8) = -1; r2 = r10 - 8; call; r0 = *(u64 *)(r10 - 8); if r0 != 0 goto exit; r0 = *(u8 *)(meta + 0)
    const slots = (helper: number) => [
      ldxw(6, 1, 8), insn(0x7a, 10, 0, -8, -1), movx(2, 10), addk(2, -8), call(helper),
      ldxdw(0, 10, -8), insn(0x55, 0, 0, 1, 0), ldxb(0, 6, 0), movk(0, 2), exit(),
    ];
    const insns = decodeInsns(Uint8Array.from(slots(1).flat()), 'little');
    const env = (args: { arg: number; size: { bytes: number }; write: boolean }[] | undefined) => ({
      layout: XDP_LAYOUT, typeIdLocalAt: () => undefined,
      callAt: (i: { code: number; index: number }) => (i.code === 0x85 ? { insn: i.index, kind: 'helper' as const, name: 'h' } : undefined),
      memArgsOf: () => args,
    });
    assert.equal(interpret(insns, env([{ arg: 2, size: { bytes: 8 }, write: true }]), true).accesses.length, 1, 'written: explored');
    assert.equal(interpret(insns, env(undefined), true).accesses.length, 1, 'unknown callee: explored');
    assert.equal(interpret(insns, env([{ arg: 2, size: { bytes: 8 }, write: false }]), true).accesses.length, 0, 'read-only: -1 stays, pruned');
  });
  it('joins take the smaller range: checked on one path only → 0 after the merge', () => {
    const r = run([
      ldxw(7, 1, 8), ldxw(8, 1, 0), movx(9, 7), addk(9, 8), // r7 = meta, r8 = data, r9 = meta + 8
      ldxw(0, 1, 16), // rx_queue_index: an unknown scalar
      insn(0x15, 0, 0, 1, 0), // if r0 == 0 goto +1 (skip the check on that path)
      jx(JGT, 9, 8, 1), // if meta + 8 > data goto exit
      ldxw(0, 7, 0), // after the join
      exit(),
    ]);
    assert.deepEqual(r.accesses.map((a) => [a.insn, a.proven]), [[7, 0]]);
  });
  it('bpf_xdp_adjust_meta() invalidates a checked pointer; other helpers do not', () => {
    // r7 (callee-saved) keeps the checked pointer across the call.
    const inval = run([insn(0xbf, 6, 1, 0, 0), ...prologue(), movx(7, 2), jx(JGT, 1, 3, 3), movx(1, 6), call(54), ldxw(0, 7, 0), exit()]);
    assert.equal(inval.accesses.at(-1)!.staleBy, 'bpf_xdp_adjust_meta');
    const keep = run([...prologue(), movx(7, 2), jx(JGT, 1, 3, 2), call(5), ldxw(0, 7, 0), exit()]);
    assert.equal(keep.accesses.at(-1)!.proven, 8);
    assert.equal(keep.accesses.at(-1)!.staleBy, undefined);
  });
  it('TC programs read data_meta at __sk_buff offset 140', () => {
    const r = run([...prologue(SKB_LAYOUT), jx(JGT, 1, 3, 1), ldxw(0, 2, 4), movk(0, 0), exit()], SKB_LAYOUT);
    assert.deepEqual(r.accesses.map((a) => [a.ptrOff, a.insnOff, a.proven]), [[0, 4, 8]]);
  });
  it('a loop moving the pointer reaches a fixpoint with an unknown offset', () => {
    const r = run([...prologue(), addk(2, 1), jx(JGT, 2, 3, -2), ldxb(0, 2, 0), exit()]);
    assert.equal(r.accesses[0]!.ptrOff, undefined);
    assert.ok(r.reached >= 6);
  });
});
