import { strict as assert } from 'node:assert';
import { classifyLine, newClassifyResult, type ClassifyContext } from '../../../src/core/verifier/classify';
import { LineKind, lineKindName } from '../../../src/core/verifier/kinds';

function kinds(lines: string[]): string[] {
  const ctx: ClassifyContext = { liveRegs: false, frameDump: false };
  const r = newClassifyResult();
  return lines.map((l) => lineKindName(classifyLine(l, ctx, r)));
}

function one(line: string, ctx: ClassifyContext = { liveRegs: false, frameDump: false }) {
  const r = newClassifyResult();
  const k = classifyLine(line, ctx, r);
  return { ...r, kind: lineKindName(k) };
}

describe('core/verifier/classify', () => {
  // Lines captured from this machine's 6.18 kernel unless marked otherwise.
  it('instruction lines with the state after `;`', () => {
    const r = one('5: (61) r1 = *(u32 *)(r6 +8)          ; R1=pkt_meta(r=0) R6=ctx()');
    assert.equal(r.kind, 'insn');
    assert.equal(r.pc, 5);
    assert.equal(r.aux, 0x61);
    const line = '5: (61) r1 = *(u32 *)(r6 +8)          ; R1=pkt_meta(r=0) R6=ctx()';
    assert.equal(line.slice(r.textStart, r.textEnd), 'r1 = *(u32 *)(r6 +8)');
    assert.equal(line.slice(r.stateStart).trim(), 'R1=pkt_meta(r=0) R6=ctx()');
  });

  it('instruction lines without state, with an empty `;`, and the old `_w` form', () => {
    assert.equal(one('17: (95) exit').kind, 'insn');
    const call = '14: (85) call bpf_ringbuf_submit#132          ;';
    const r = one(call);
    assert.equal(call.slice(r.textStart, r.textEnd), 'call bpf_ringbuf_submit#132');
    // Kernels 5.17-6.6 mark written registers with `_w`.
    assert.equal(one('12: (61) r1 = *(u32 *)(r1 +4)      ; R1_w=pkt(r=0)').kind, 'insn');
  });

  it('level 1 glues the next state or the final error to an instruction', () => {
    const glued = '18: (2d) if r2 > r4 goto pc-8 11: R0=2 R1=0 R2=scalar(smin=umin=umin32=2) R3=1 R4=1 R10=fp0';
    const r = one(glued);
    assert.equal(r.kind, 'insn');
    assert.equal(glued.slice(r.textStart, r.textEnd), 'if r2 > r4 goto pc-8');
    assert.ok(glued.slice(r.stateStart).startsWith('11: R0=2'));
    const err = '18: (2d) if r2 > r4 goto pc-8 BPF program is too large. Processed 1000001 insn';
    const e = one(err);
    assert.equal(e.kind, 'insn');
    assert.equal(err.slice(e.gluedError), 'BPF program is too large. Processed 1000001 insn');
  });

  it('standalone state lines, frames, pruned points', () => {
    assert.deepEqual(kinds(['0: R1=ctx() R10=fp0', '11: frame1: R1=ctx() R10=fp0', '26: safe', '4: R1=0 R10=fp0 fp-8=0000????']),
      ['state', 'state', 'pruned', 'state']);
    assert.equal(one('6: R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=4) refs=2').pc, 6);
    // Kernels up to ~5.15: fall-through state after a jump, with a leading space.
    assert.equal(one(' R1_w=pkt(id=0,off=0,r=14,imm=0) R2_w=pkt_end(id=0,off=0,imm=0) R10=fp0').kind, 'state');
  });

  it('source lines, new (`@ file:line`) and old', () => {
    assert.equal(one('; meta->hash = 7; @ meta_no_bounds.bpf.c:14').kind, 'source');
    assert.equal(one('; int xdp_prog(struct xdp_md *ctx)').kind, 'source');
    assert.equal(one(';').kind, 'source');
  });

  it('branch states, including `safe` and speculative paths', () => {
    const b = one('from 10 to 16: R0=ringbuf_mem(ref_obj_id=2,sz=4) R1=1 R2=1 R6=ctx() R10=fp0 refs=2');
    assert.equal(b.kind, 'branch');
    assert.equal(b.pc, 16);
    assert.equal(b.aux, 10);
    assert.equal(one('from 14 to 17: safe').kind, 'branch');
    assert.equal(one('from 4 to 7 (speculative execution): R0=scalar() R10=fp0').pc, 7);
  });

  it('subprograms: func#, caller/callee dumps, global function validation', () => {
    assert.deepEqual(kinds([
      'func#0 @0', 'func#1 @11', '0: (85) call pc+10', 'caller:', ' R10=fp0', 'callee:', ' frame1: R1=ctx() R10=fp0',
      'returning from callee:', ' frame1: R0=scalar(id=1) R1=scalar(id=1) R2=pkt_meta(r=0) R10=fp0', 'to caller at 1:',
      ' R0=scalar(id=1) R10=fp0', '', "Func#2 ('scale') is global and assumed valid.", 'Validating scale() func#2...',
      "Func#2 ('scale') is safe for any args that match its prototype",
    ]), [
      'func_info', 'func_info', 'insn', 'frame_header', 'frame_state', 'frame_header', 'frame_state', 'frame_header',
      'frame_state', 'frame_header', 'frame_state', 'empty', 'func_validate', 'func_validate', 'func_validate',
    ]);
  });

  it('Live regs sections (with the SCC column) and SCC / liveness lines', () => {
    assert.deepEqual(kinds([
      'Live regs before insn:', '      0: .1........ (bf) r6 = r1', '  1   8: .12....... (bf) r3 = r2',
      '      1: .1....6... (18) r2 = 0xfffffff8', '1234: 0......... (95) exit', ' 9: .1........ p (79) r0 = *(u64 *)(r1 +0)',
      '0: R1=ctx() R10=fp0', 'SCC enter (1)', 'SCC exit (1)', '(0) frame 0 insn 13 +live -8 ', '(2,7) live stack update done in 2 iterations',
    ]), ['live_regs_header', 'live_regs', 'live_regs', 'live_regs', 'live_regs', 'live_regs', 'state', 'scc', 'scc', 'liveness', 'liveness']);
  });

  it('precision backtracking, new and old formats', () => {
    assert.deepEqual(kinds([
      'mark_precise: frame0: last_idx 14 first_idx 12 subseq_idx -1 ',
      'mark_precise: frame0: regs=r1 stack= before 13: (61) r1 = *(u32 *)(r6 +0)',
      'mark_precise: frame0: parent state regs=r1 stack=:  R1=Pscalar(smin=umin=umin32=1) R10=fp0',
      'frame 0: propagating r1',
      // 5.x forms (bitmasks):
      'last_idx 5 first_idx 0', 'regs=4 stack=0 before 4: (bf) r3 = r1', "parent didn't have regs=4 stack=0 marks",
      'propagating r6',
    ]), ['precise', 'precise', 'precise', 'precise', 'precise', 'precise', 'precise', 'precise']);
  });

  it('error lines', () => {
    for (const l of [
      'invalid access to packet, off=4 size=4, R1(id=0,off=4,r=0)', 'R1 offset is outside of the packet', 'R9 !read_ok',
      'R0 min value is negative, either use unsigned index or do a if (index >=0) check.',
      'R0 unbounded memory access, make sure to bounds check any such access', 'Unreleased reference id=2 alloc_insn=5',
      'BPF_EXIT instruction in main prog would lead to reference leak', 'back-edge from insn 11 to 8',
      'infinite loop detected at insn 11', 'BPF program is too large. Processed 1000001 insn',
      'The sequence of 8193 jumps is too complex.', 'metadata kfuncs require device-bound program',
      'calling kernel function bpf_dynptr_from_skb is not allowed', 'kernel btf_id 1234 is not a function',
      'failed to resolve CO-RE relocation <byte_off> [8] struct xdp_meta_private.hash (0:1 @ offset 4)',
      "R0 invalid mem access 'map_value_or_null'", 'invalid bpf_context access off=76 size=4',
      'program of this type cannot use helper bpf_probe_read#4', 'unknown func bpf_foo#999',
    ]) assert.equal(one(l).kind, 'error', l);
    assert.equal(one('6: <invalid CO-RE relocation>').kind, 'insn');
  });

  it('statistics, time, stack depth, markers and tool lines', () => {
    assert.deepEqual(kinds([
      'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
      'processed 6 insns (limit 131072), stack depth 0', 'verification time 1300 usec', 'stack depth 0+8+0',
      "libbpf: prog 'x': -- BEGIN PROG LOAD LOG --", '-- END PROG LOAD LOG --', 'libbpf: loading x.o',
      'cur state: R1=scalar() R10=fp0', 'old state: R1=Pscalar() R10=fp0', 'insn 5 cannot be patched due to 16-bit range',
    ]), ['stats', 'stats', 'verification_time', 'stack_depth', 'marker', 'marker', 'tool', 'state_compare', 'state_compare', 'info']);
  });

  it('keeps unrecognised lines as unknown', () => {
    assert.equal(one('something the kernel will print one day').kind, 'unknown');
    assert.equal(one('12 this is not an instruction').kind, 'unknown');
    assert.equal(LineKind.Unknown, 0);
  });
});
