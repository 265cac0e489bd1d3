// Abstract interpreter over one BPF function: tracks ctx/packet pointers and the verifier-style proven data_meta range on every path.
//
// A forward dataflow analysis (worklist over instruction indexes, states joined at merge points)
// in the spirit of the verifier's packet-pointer tracking: `r1` holds the ctx at entry; loads of
// `data_meta`/`data`/`data_end` from the ctx yield packet pointers with a constant offset; a
// comparison `meta + N <op> data` proves N bytes of metadata on the branch where it holds, exactly
// as find_good_pkt_pointers() marks `r=N`; helpers that change packet data invalidate every packet
// pointer. The join takes the smaller proven range, so a range holds "on every path". Offsets that
// stop being constants (variable adds, a loop moving a pointer) are dropped rather than guessed.
import type { BpfInsn } from '../bpf/decode';
import type { CtxLayout } from './ctx-layout';
import { PKT_ACCESS_HELPERS } from './mem-args';
import type { MemArg } from './mem-args';

/** Abstract value of a register or spilled stack slot. */
export type Val =
  | { k: 'unknown' }
  | { k: 'scalar'; v?: bigint; typeIdOf?: string; externOf?: string }
  | { k: 'ctx' }
  | { k: 'meta'; off?: number }
  | { k: 'pkt'; off?: number }
  | { k: 'pkt_end' }
  | { k: 'fp'; off: number }
  /** A map's address (ld_imm64 relocated to a map): its key and value sizes size helper arguments. */
  | { k: 'map'; keySize?: number; valueSize?: number }
  /** A packet pointer invalidated by a helper that may move packet data. */
  | { k: 'stale'; was: 'meta' | 'pkt'; by: string };

const UNKNOWN: Val = { k: 'unknown' };
const SCALAR: Val = { k: 'scalar' };

interface State {
  regs: Val[];
  /** Spilled 8-byte values by frame-pointer offset. */
  stack: Map<number, Val>;
  /** Bytes proven to lie within data_meta .. data (the verifier's `r=` of the data_meta pointers). */
  metaRange: number;
  /** Weak externs whose address was tested non-zero on every path here (`if (bpf_ksym_exists(f))`). */
  present: ReadonlySet<string>;
}

/** One load/store through a data_meta-derived pointer, with the state that reaches it (joined over all paths). */
export interface MetaAccess {
  insn: number;
  /** Base register of the access. */
  reg: number;
  /** Offset of the base register from data_meta; undefined when not constant. */
  ptrOff?: number;
  /** The instruction's own offset field. */
  insnOff: number;
  size: number;
  write: boolean;
  /** Proven bytes of metadata on every path reaching the access. */
  proven: number;
  /** The base pointer was invalidated by a call (named) that may change packet data. */
  staleBy?: string;
  /** For a store: the stored value is the local BTF type id of this struct (bpf_core_type_id_local). */
  storedTypeIdOf?: string;
  /** The access is a helper's or kfunc's memory argument (1-based register), not a load or store. */
  call?: { name: string; arg: number };
  /** The helper takes no packet pointers at all (no `.pkt_access` in its prototype): rejected whatever the range. */
  noPktAccess?: boolean;
}

export interface CallSite {
  insn: number;
  kind: 'helper' | 'subprog' | 'kfunc' | 'callx';
  name?: string;
  /** A helper's id (enum bpf_func_id), for kernels whose enum lacks it. */
  id?: number;
  /** Reached only where the callee's address was tested non-zero (bpf_ksym_exists()). */
  guarded?: boolean;
}

export interface InterpResult {
  accesses: MetaAccess[];
  calls: CallSite[];
  /** Instructions reached by the analysis. */
  reached: number;
}

export interface InterpEnv {
  /** Where the ctx keeps the packet pointers; undefined for program types without data_meta. */
  layout?: CtxLayout;
  /** What the call instruction at index `i` calls. */
  callAt(insn: BpfInsn): CallSite | undefined;
  /** The struct named by a TYPE_ID_LOCAL CO-RE relocation on this instruction, if any. */
  typeIdLocalAt(insn: BpfInsn): string | undefined;
  /**
   * The ELF relocation that fills the instruction in at load time (a map or extern address), if any:
   * its immediate is no constant. `extern` names an undefined symbol (a kfunc or ksym).
   */
  relocationAt?(insn: BpfInsn): { extern?: string; map?: { keySize?: number; valueSize?: number } } | undefined;
  /**
   * The memory arguments of a called helper or kfunc (from its prototype); undefined when the callee's
   * prototype is unknown (then every stack pointer passed to it may be written through).
   */
  memArgsOf?(call: CallSite): readonly MemArg[] | undefined;
  /** Ctx offsets of the 4-byte loads the program makes (filled in when given): tells an unknown section's program type. */
  ctxLoads?: Set<number>;
}

/** Helpers that may move packet data (the kernel's bpf_helper_changes_pkt_data list): they invalidate packet pointers. */
export const PKT_CHANGING_HELPERS = new Set([
  'bpf_skb_store_bytes', 'bpf_skb_change_proto', 'bpf_skb_change_tail', 'bpf_skb_change_head', 'bpf_skb_pull_data',
  'bpf_skb_vlan_push', 'bpf_skb_vlan_pop', 'bpf_skb_adjust_room', 'bpf_clone_redirect', 'bpf_l3_csum_replace',
  'bpf_l4_csum_replace', 'bpf_xdp_adjust_head', 'bpf_xdp_adjust_meta', 'bpf_xdp_adjust_tail', 'bpf_msg_pull_data',
  'bpf_msg_push_data', 'bpf_msg_pop_data', 'bpf_lwt_push_encap', 'bpf_lwt_seg6_store_bytes', 'bpf_lwt_seg6_adjust_srh',
  'bpf_lwt_seg6_action', 'bpf_skb_change_head', 'bpf_skb_ecn_set_ce',
]);

const MASK64 = (1n << 64n) - 1n;
/** The verifier's MAX_PACKET_OFF: comparisons of pointers further out prove nothing. */
const MAX_PACKET_OFF = 0xffff;
const MASK32 = (1n << 32n) - 1n;
const toS64 = (v: bigint): bigint => (v & (1n << 63n) ? v - (1n << 64n) : v);

function valEq(a: Val, b: Val): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'scalar': return a.v === (b as typeof a).v && a.typeIdOf === (b as typeof a).typeIdOf && a.externOf === (b as typeof a).externOf;
    case 'meta': case 'pkt': return a.off === (b as typeof a).off;
    case 'fp': return a.off === (b as typeof a).off;
    case 'map': return a.keySize === (b as typeof a).keySize && a.valueSize === (b as typeof a).valueSize;
    case 'stale': return a.was === (b as typeof a).was && a.by === (b as typeof a).by;
    default: return true;
  }
}

function joinVal(a: Val, b: Val): Val {
  if (valEq(a, b)) return a;
  if (a.k !== b.k) {
    // A pointer on one path and its invalidated self on another: keep the invalidation (it is what the verifier sees).
    if (a.k === 'stale' && (b.k === 'meta' || b.k === 'pkt') && a.was === b.k) return a;
    if (b.k === 'stale' && (a.k === 'meta' || a.k === 'pkt') && b.was === a.k) return b;
    return a.k === 'scalar' && b.k === 'scalar' ? SCALAR : UNKNOWN;
  }
  switch (a.k) {
    case 'scalar': return {
      k: 'scalar',
      typeIdOf: a.typeIdOf === (b as typeof a).typeIdOf ? a.typeIdOf : undefined,
      externOf: a.externOf === (b as typeof a).externOf ? a.externOf : undefined,
    };
    case 'meta': case 'pkt': return { k: a.k, off: undefined };
    case 'stale': return a; // invalidated on both paths (by different helpers): still invalid
    default: return UNKNOWN;
  }
}

function joinState(a: State, b: State): State {
  const regs = a.regs.map((v, i) => joinVal(v, b.regs[i]!));
  const stack = new Map<number, Val>();
  for (const [off, v] of a.stack) {
    const w = b.stack.get(off);
    if (w) stack.set(off, joinVal(v, w));
  }
  const present = a.present.size === 0 || b.present.size === 0 ? EMPTY : new Set([...a.present].filter((x) => b.present.has(x)));
  return { regs, stack, metaRange: Math.min(a.metaRange, b.metaRange), present };
}

function stateEq(a: State, b: State): boolean {
  if (a.metaRange !== b.metaRange || a.stack.size !== b.stack.size || a.present.size !== b.present.size) return false;
  for (const x of a.present) if (!b.present.has(x)) return false;
  for (let i = 0; i < a.regs.length; i++) if (!valEq(a.regs[i]!, b.regs[i]!)) return false;
  for (const [off, v] of a.stack) {
    const w = b.stack.get(off);
    if (!w || !valEq(v, w)) return false;
  }
  return true;
}

const EMPTY: ReadonlySet<string> = new Set();
const clone = (s: State): State => ({ regs: s.regs.slice(), stack: new Map(s.stack), metaRange: s.metaRange, present: s.present });

const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

/** Runs the analysis over `insns` (one function, indexes from its first instruction). */
export function interpret(insns: readonly BpfInsn[], env: InterpEnv, isProgramEntry: boolean): InterpResult {
  const byIndex = new Map<number, number>();
  insns.forEach((insn, i) => byIndex.set(insn.index, i));
  const inStates: (State | undefined)[] = new Array(insns.length);
  const entry: State = {
    regs: Array.from({ length: 11 }, (_, r) => (r === 1 && isProgramEntry ? { k: 'ctx' } as Val : r === 10 ? { k: 'fp', off: 0 } as Val : UNKNOWN)),
    stack: new Map(),
    metaRange: 0,
    present: EMPTY,
  };
  if (insns.length === 0) return { accesses: [], calls: [], reached: 0 };
  inStates[0] = entry;
  const work = new MinHeap();
  const queued = new Uint8Array(insns.length);
  work.push(0);
  queued[0] = 1;
  let steps = 0;
  const limit = Math.max(100_000, insns.length * 200);

  const flow = (toIndex: number, s: State): void => {
    const i = byIndex.get(toIndex);
    if (i === undefined) return; // jump outside the function: the verifier would reject it; not ours to report
    const old = inStates[i];
    const next = old ? joinState(old, s) : s;
    if (old && stateEq(old, next)) return;
    inStates[i] = next;
    if (!queued[i]) { queued[i] = 1; work.push(i); }
  };

  // Lowest index first: forward code converges in one pass, loops iterate until the join is stable.
  while (work.size > 0 && steps++ < limit) {
    const i = work.pop();
    queued[i] = 0;
    const insn = insns[i]!;
    const s = clone(inStates[i]!);
    for (const [target, st] of step(insn, s, env)) flow(target, st);
  }

  // Report pass: every reached instruction with its joined in-state.
  const accesses: MetaAccess[] = [];
  const calls: CallSite[] = [];
  let reached = 0;
  insns.forEach((insn, i) => {
    const s = inStates[i];
    if (!s) return;
    reached++;
    const call = env.callAt(insn);
    if (call) {
      calls.push(call.name && s.present.has(call.name) ? { ...call, guarded: true } : call);
      accesses.push(...callMetaAccesses(insn, call, s, env));
    }
    const a = metaAccessOf(insn, s);
    if (a) accesses.push(a);
  });
  return { accesses, calls, reached };
}

/** The data_meta access an instruction makes in state `s`, if its base register is a data_meta pointer. */
function metaAccessOf(insn: BpfInsn, s: State): MetaAccess | undefined {
  const cls = insn.code & 7;
  const mode = insn.code & 0xe0;
  let reg: number, write: boolean;
  if (cls === 1 && (mode === 0x60 || mode === 0x80)) { reg = insn.src; write = false; }
  else if ((cls === 2 || cls === 3) && (mode === 0x60 || mode === 0xc0)) { reg = insn.dst; write = true; }
  else return undefined;
  if (reg > 10 || insn.src > 10) return undefined;
  const base = s.regs[reg]!;
  const size = SIZE_BYTES[insn.code & 0x18]!;
  if (base.k === 'meta') {
    const stored = cls === 3 ? s.regs[insn.src]! : undefined;
    return {
      insn: insn.index, reg, ptrOff: base.off, insnOff: insn.off, size, write, proven: s.metaRange,
      storedTypeIdOf: stored?.k === 'scalar' ? stored.typeIdOf : undefined,
    };
  }
  if (base.k === 'stale' && base.was === 'meta') {
    return { insn: insn.index, reg, insnOff: insn.off, size, write, proven: 0, staleBy: base.by };
  }
  return undefined;
}

/** The bytes a memory argument covers in state `s`, when they are known. */
function memArgBytes(m: MemArg, s: State): number | undefined {
  if ('bytes' in m.size) return m.size.bytes;
  if ('sizeArg' in m.size) {
    const v = s.regs[m.size.sizeArg]!;
    return v.k === 'scalar' && v.v !== undefined && v.v <= 0xffffffffn ? Number(v.v) : undefined;
  }
  const map = s.regs[1]!;
  if (map.k !== 'map') return undefined;
  return m.size.map === 'key' ? map.keySize : map.valueSize;
}

/**
 * A helper's or kfunc's memory arguments that point into the metadata: the verifier checks each as an
 * access of its size (check_helper_mem_access → check_packet_access), reads and, for kfuncs, writes.
 */
function callMetaAccesses(insn: BpfInsn, call: CallSite, s: State, env: InterpEnv): MetaAccess[] {
  const out: MetaAccess[] = [];
  if (!call.name) return out;
  for (const m of env.memArgsOf?.(call) ?? []) {
    const v = s.regs[m.arg]!;
    const tag = { call: { name: call.name, arg: m.arg } };
    if (v.k === 'stale' && v.was === 'meta') {
      out.push({ insn: insn.index, reg: m.arg, insnOff: 0, size: memArgBytes(m, s) ?? 1, write: m.write, proven: 0, staleBy: v.by, ...tag });
      continue;
    }
    if (v.k !== 'meta') continue;
    const size = memArgBytes(m, s);
    if (call.kind === 'helper' && !PKT_ACCESS_HELPERS.has(call.name)) {
      out.push({ insn: insn.index, reg: m.arg, ptrOff: v.off, insnOff: 0, size: size ?? 0, write: m.write, proven: s.metaRange, noPktAccess: true, ...tag });
      continue;
    }
    if (size === undefined || size === 0) continue; // a size only known at run time: not modelled (docs/rules.md)
    out.push({ insn: insn.index, reg: m.arg, ptrOff: v.off, insnOff: 0, size, write: m.write, proven: s.metaRange, ...tag });
  }
  return out;
}

/**
 * Stack bytes a call may write through pointers passed to it lose their value, as the verifier marks
 * them STACK_MISC: a helper's or kfunc's output argument, or any stack pointer given to a callee whose
 * prototype is unknown (a subprogram, an unlisted helper).
 */
function clobberStackArgs(s: State, call: CallSite | undefined, env: InterpEnv): void {
  const known = call ? env.memArgsOf?.(call) : undefined;
  for (let a = 1; a <= 5; a++) {
    const v = s.regs[a]!;
    if (v.k !== 'fp') continue;
    const m = known?.find((x) => x.arg === a);
    if (known && (!m || !m.write)) continue; // read-only or no memory argument: the verifier keeps the slot
    const size = m ? memArgBytes(m, s) : undefined;
    const end = size === undefined ? 0 : v.off + size; // unknown size: everything from the pointer to the frame's top
    for (const off of [...s.stack.keys()]) if (off < end && v.off < off + 8) s.stack.delete(off);
  }
}

/** Transfer function: returns the successor (slot index, state) pairs. */
function step(insn: BpfInsn, s: State, env: InterpEnv): [number, State][] {
  const cls = insn.code & 7;
  const next = insn.index + (insn.wide ? 2 : 1);
  const r = s.regs;
  // Registers beyond r10 do not exist: the verifier rejects the instruction; nothing to model.
  if (insn.dst > 10 || insn.src > 10) return cls === 0x05 && (insn.code & 0xf0) === 0x90 ? [] : [[next, s]];
  switch (cls) {
    case 0x00: { // LD: only ld_imm64 is valid in BPF programs
      if (insn.wide) {
        const typeIdOf = env.typeIdLocalAt(insn);
        // `if (bpf_some_kfunc)` loads the extern's address: 0 in the object, unknown until libbpf resolves it.
        const rel = env.relocationAt?.(insn);
        if (rel) r[insn.dst] = rel.extern ? { k: 'scalar', externOf: rel.extern } : rel.map ? { k: 'map', ...rel.map } : UNKNOWN;
        else r[insn.dst] = insn.src === 0 || typeIdOf ? { k: 'scalar', v: insn.imm64, typeIdOf } : UNKNOWN;
      } else {
        r[0] = SCALAR; // legacy LD_ABS/LD_IND
      }
      return [[next, s]];
    }
    case 0x01: { // LDX
      const base = r[insn.src]!;
      const size = SIZE_BYTES[insn.code & 0x18]!;
      let v: Val = SCALAR;
      if (base.k === 'ctx' && size === 4 && (insn.code & 0xe0) === 0x60) env.ctxLoads?.add(insn.off);
      if (base.k === 'ctx' && env.layout && (insn.code & 0xe0) === 0x60) {
        const off = insn.off;
        if (off === env.layout.dataMeta) v = { k: 'meta', off: 0 };
        else if (off === env.layout.data) v = { k: 'pkt', off: 0 };
        else if (off === env.layout.dataEnd) v = { k: 'pkt_end' };
      } else if (base.k === 'fp' && size === 8) {
        v = s.stack.get(base.off + insn.off) ?? SCALAR;
      }
      r[insn.dst] = v;
      return [[next, s]];
    }
    case 0x02: case 0x03: { // ST, STX (and atomics)
      const base = r[insn.dst]!;
      const size = SIZE_BYTES[insn.code & 0x18]!;
      if (base.k === 'fp') {
        const at = base.off + insn.off;
        for (const off of [...s.stack.keys()]) if (off < at + size && at < off + 8) s.stack.delete(off);
        if (cls === 0x03 && (insn.code & 0xe0) === 0x60 && size === 8) s.stack.set(at, r[insn.src]!);
        else if (cls === 0x02 && size === 8) s.stack.set(at, { k: 'scalar', v: BigInt(insn.imm) & MASK64 });
      }
      if (cls === 0x03 && (insn.code & 0xe0) === 0xc0 && (insn.imm & 1)) {
        // Atomic with BPF_FETCH writes the old value back into src (cmpxchg into r0).
        r[insn.imm === 0xf1 ? 0 : insn.src] = SCALAR;
      }
      return [[next, s]];
    }
    case 0x04: case 0x07: {
      alu(insn, s, cls === 0x07);
      return [[next, s]];
    }
    case 0x05: case 0x06: {
      const op = insn.code & 0xf0;
      if (cls === 0x05 && op === 0x90) return []; // exit
      if (cls === 0x05 && op === 0x80) { // call
        const call = env.callAt(insn);
        const changesPkt = call?.kind === 'helper' && call.name !== undefined && PKT_CHANGING_HELPERS.has(call.name);
        clobberStackArgs(s, call, env);
        for (let i = 0; i <= 5; i++) r[i] = i === 0 ? SCALAR : UNKNOWN;
        if (changesPkt) invalidatePackets(s, call!.name!);
        return [[next, s]];
      }
      if (op === 0x00) { // ja / gotol
        const disp = cls === 0x06 ? insn.imm : insn.off;
        return [[insn.index + 1 + disp, s]];
      }
      return branch(insn, s, next, cls === 0x06);
    }
    default:
      return [[next, s]];
  }
}

function invalidatePackets(s: State, by: string): void {
  const inv = (v: Val): Val => (v.k === 'meta' || v.k === 'pkt' ? { k: 'stale', was: v.k, by } : v.k === 'pkt_end' ? UNKNOWN : v);
  s.regs = s.regs.map(inv);
  for (const [off, v] of s.stack) s.stack.set(off, inv(v));
  s.metaRange = 0;
}

function alu(insn: BpfInsn, s: State, is64: boolean): void {
  const r = s.regs;
  const op = insn.code & 0xf0;
  const useReg = (insn.code & 0x08) !== 0;
  const dst = r[insn.dst]!;
  const srcVal: Val = useReg ? r[insn.src]! : { k: 'scalar', v: BigInt(insn.imm) & MASK64 };
  if (op === 0xb0) { // mov
    if (!is64) r[insn.dst] = srcVal.k === 'scalar' && srcVal.v !== undefined ? { k: 'scalar', v: srcVal.v & MASK32 } : SCALAR;
    else if (insn.off !== 0) r[insn.dst] = SCALAR; // movsx
    else r[insn.dst] = useReg ? srcVal : { k: 'scalar', v: BigInt(insn.imm) & MASK64 };
    return;
  }
  const isPtr = (v: Val) => v.k === 'meta' || v.k === 'pkt' || v.k === 'fp';
  if (is64 && (op === 0x00 || op === 0x10) && isPtr(dst) && srcVal.k === 'scalar') {
    const delta = srcVal.v === undefined ? undefined : Number(toS64(srcVal.v));
    const sign = op === 0x00 ? 1 : -1;
    if (dst.k === 'fp') r[insn.dst] = delta === undefined ? UNKNOWN : { k: 'fp', off: dst.off + sign * delta };
    else if (dst.k === 'meta' || dst.k === 'pkt') {
      r[insn.dst] = { k: dst.k, off: delta === undefined || dst.off === undefined ? undefined : dst.off + sign * delta };
    }
    return;
  }
  if (is64 && op === 0x00 && isPtr(srcVal) && dst.k === 'scalar' && useReg) {
    const delta = dst.v === undefined ? undefined : Number(toS64(dst.v));
    if (srcVal.k === 'fp') r[insn.dst] = delta === undefined ? UNKNOWN : { k: 'fp', off: srcVal.off + delta };
    else if (srcVal.k === 'meta' || srcVal.k === 'pkt') r[insn.dst] = { k: srcVal.k, off: delta === undefined || srcVal.off === undefined ? undefined : srcVal.off + delta };
    return;
  }
  if (dst.k !== 'scalar' || srcVal.k !== 'scalar' || dst.v === undefined || srcVal.v === undefined || op === 0xd0) {
    r[insn.dst] = SCALAR; // pointer arithmetic we do not model, or an unknown operand
    return;
  }
  const mask = is64 ? MASK64 : MASK32;
  const a = dst.v & mask;
  const b = srcVal.v & mask;
  const bits = is64 ? 64n : 32n;
  let v: bigint | undefined;
  switch (op) {
    case 0x00: v = a + b; break;
    case 0x10: v = a - b; break;
    case 0x20: v = a * b; break;
    case 0x30: v = b === 0n ? 0n : insn.off === 0 ? a / b : undefined; break;
    case 0x40: v = a | b; break;
    case 0x50: v = a & b; break;
    case 0x60: v = a << (b & (bits - 1n)); break;
    case 0x70: v = a >> (b & (bits - 1n)); break;
    case 0x80: v = -a; break;
    case 0x90: v = b === 0n ? a : insn.off === 0 ? a % b : undefined; break;
    case 0xa0: v = a ^ b; break;
    default: v = undefined; // arsh and friends: not needed for pointers
  }
  r[insn.dst] = v === undefined ? SCALAR : { k: 'scalar', v: ((v % (mask + 1n)) + (mask + 1n)) & mask };
}

/** Conditional jumps: decide constant comparisons, and mark proven metadata ranges like try_match_pkt_pointers(). */
function branch(insn: BpfInsn, s: State, next: number, is32: boolean): [number, State][] {
  const op = insn.code & 0xf0;
  const target = insn.index + 1 + insn.off;
  const useReg = (insn.code & 0x08) !== 0;
  const dst = s.regs[insn.dst]!;
  const src: Val = useReg ? s.regs[insn.src]! : { k: 'scalar', v: BigInt(insn.imm) & MASK64 };

  if (dst.k === 'scalar' && src.k === 'scalar' && dst.v !== undefined && src.v !== undefined) {
    const taken = compare(op, dst.v, src.v, is32);
    if (taken !== undefined) return [[taken ? target : next, s]];
  }
  const fall = s;
  const jump = clone(s);
  // `if (extern_addr == 0)` / `!= 0`: the branch where the address is non-zero knows the extern is there.
  if (dst.k === 'scalar' && dst.externOf && src.k === 'scalar' && src.v === 0n) {
    const nonZero = op === 0x50 || op === 0x20 ? jump : op === 0x10 ? fall : undefined;
    if (nonZero) nonZero.present = new Set([...nonZero.present, dst.externOf]);
  }
  if (!is32 && useReg) {
    // meta' <op> data, or data <op> meta': which branch proves meta' <= data (closed) or meta' < data (open).
    const isMeta = (v: Val): v is { k: 'meta'; off: number } => v.k === 'meta' && v.off !== undefined;
    const isData = (v: Val) => v.k === 'pkt' && v.off === 0;
    let good: State | undefined;
    let open = false;
    let off = 0;
    if (isMeta(dst) && isData(src)) {
      off = dst.off;
      if (op === 0x20) { good = fall; open = false; } // JGT: fallthrough meta' <= data
      else if (op === 0xa0) { good = jump; open = true; } // JLT
      else if (op === 0x30) { good = fall; open = true; } // JGE: fallthrough meta' < data
      else if (op === 0xb0) { good = jump; open = false; } // JLE
    } else if (isData(dst) && isMeta(src)) {
      off = src.off;
      if (op === 0x20) { good = jump; open = true; } // data > meta'
      else if (op === 0xa0) { good = fall; open = false; } // data < meta' false: data >= meta'
      else if (op === 0x30) { good = jump; open = false; } // data >= meta'
      else if (op === 0xb0) { good = fall; open = true; } // data <= meta' false: data > meta'
    }
    // find_good_pkt_pointers(): a pointer beyond MAX_PACKET_OFF (0xffff) marks no range.
    if (good && off >= 0 && off <= MAX_PACKET_OFF && !(off === 0 && open)) {
      good.metaRange = Math.max(good.metaRange, open ? off + 1 : off);
    }
  }
  return [[next, fall], [target, jump]];
}

function compare(op: number, a: bigint, b: bigint, is32: boolean): boolean | undefined {
  const mask = is32 ? MASK32 : MASK64;
  const ua = a & mask, ub = b & mask;
  const sgn = (v: bigint) => (is32 ? (v & (1n << 31n) ? v - (1n << 32n) : v) : toS64(v));
  switch (op) {
    case 0x10: return ua === ub;
    case 0x50: return ua !== ub;
    case 0x20: return ua > ub;
    case 0x30: return ua >= ub;
    case 0xa0: return ua < ub;
    case 0xb0: return ua <= ub;
    case 0x40: return (ua & ub) !== 0n;
    case 0x60: return sgn(ua) > sgn(ub);
    case 0x70: return sgn(ua) >= sgn(ub);
    case 0xc0: return sgn(ua) < sgn(ub);
    case 0xd0: return sgn(ua) <= sgn(ub);
    default: return undefined;
  }
}

/** A binary min-heap of instruction positions (the worklist). */
class MinHeap {
  private a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
