// The kinds of line a BPF verifier log (or libbpf/bpftool output around it) is made of.

/** One per line; stored in a Uint8Array column, so keep values < 256. */
export const enum LineKind {
  /** A line no rule recognised: kept, counted, shown as is. */
  Unknown = 0,
  /** `12: (61) r1 = *(u32 *)(r1 +4)      ; R1_w=pkt(r=0)` (state after `;` optional). */
  Insn = 1,
  /** `12: R0=... R1=...` or `12: frame1: R1=...`: the full state before insn 12. */
  State = 2,
  /** `; <source> @ file.bpf.c:LINE`, or the old form `; <source>`. */
  Source = 3,
  /** `from 4 to 10: R0=... ` or `from 14 to 17: safe`: the start of a popped branch. */
  Branch = 4,
  /** `func#1 @11`: subprogram start. */
  FuncInfo = 5,
  /** `Live regs before insn:` header. */
  LiveRegsHeader = 6,
  /** `      4: 0.....6... (55) if r0 != 0x0 goto pc+5` (optionally with an SCC column). */
  LiveRegs = 7,
  /** `SCC enter (1)`, `SCC exit (1)` and other SCC lines. */
  Scc = 8,
  /** Precision backtracking: `mark_precise: ...`, `frame 0: propagating r1`, `last_idx`, `regs=`, `parent ...`. */
  Precise = 9,
  /** The rejection (and its follow-up lines). */
  Error = 10,
  /** `processed N insns (limit L) max_states_per_insn M total_states T peak_states P mark_read K`. */
  Stats = 11,
  /** `verification time N usec`. */
  VerificationTime = 12,
  /** `stack depth N` or `stack depth 0+8+0`. */
  StackDepth = 13,
  /** `-- BEGIN PROG LOAD LOG --` / `-- END PROG LOAD LOG --` (libbpf, maybe prefixed). */
  Marker = 14,
  /** An empty line. */
  Empty = 15,
  /** `caller:`, `callee:`, `returning from callee:`, `to caller at 1:`. */
  FrameHeader = 16,
  /** ` frame1: R1=ctx() R10=fp0` / ` R10=fp0`: a frame dump under a FrameHeader. */
  FrameState = 17,
  /** `Validating f() func#2...`, `Func#2 ('f') is global and assumed valid.`, `... is safe for any args ...`. */
  FuncValidate = 18,
  /** `cur state: ...` / `old state: ...` (printed with "infinite loop detected"). */
  StateCompare = 19,
  /** libbpf / bpftool output around the log (`libbpf: ...`, `Error: ...`, lines outside the markers). */
  Tool = 20,
  /** The first line of a rotated/truncated log: the kernel kept the tail, so it may be cut mid-line. */
  Partial = 21,
  /** Other verifier lines known to be informational (e.g. `insn 5 cannot be patched ...`). */
  Info = 22,
  /** `26: safe`: the path reached insn 26 in a state already proven safe (pruned). */
  Pruned = 23,
  /** 6.18 stack liveness: `(0) frame 0 insn 13 +live -8`, `(2,7) live stack update done in 2 iterations`. */
  Liveness = 24,
}

export const LINE_KIND_NAMES: readonly string[] = [
  'unknown', 'insn', 'state', 'source', 'branch', 'func_info', 'live_regs_header', 'live_regs', 'scc', 'precise',
  'error', 'stats', 'verification_time', 'stack_depth', 'marker', 'empty', 'frame_header', 'frame_state',
  'func_validate', 'state_compare', 'tool', 'partial', 'info', 'pruned', 'liveness',
];

export type LineKindName = (typeof LINE_KIND_NAMES)[number];

export function lineKindName(k: LineKind): string {
  return LINE_KIND_NAMES[k] ?? 'unknown';
}
