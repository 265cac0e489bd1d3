// Explains a verifier rejection in plain words: what failed, the register history behind it, and the fix.
import { helperName } from '../bpf/program';
import { InsnFlag } from './insn';
import { LineKind } from './kinds';
import type { HistoryStep, SourceLoc, VerifierErrorInfo, VerifierLog } from './model';
import { parseValue } from './state';

export type ExplanationId =
  | 'packet-meta-range' | 'packet-range' | 'negative-offset' | 'unbounded-offset' | 'map-value-range'
  | 'uninit-register' | 'uninit-stack' | 'null-pointer' | 'scalar-deref' | 'unreleased-reference'
  | 'back-edge' | 'infinite-loop' | 'too-large' | 'too-complex' | 'core-relocation' | 'kfunc-dev-bound'
  | 'kfunc-not-allowed' | 'kfunc-not-function' | 'kfunc-missing' | 'helper-not-allowed' | 'helper-unknown'
  | 'ctx-access' | 'arg-type' | 'stack-too-deep' | 'stale-packet-pointer' | 'global-func-return' | 'not-dereferenceable'
  | 'unknown';

export interface Explanation {
  id: ExplanationId;
  /** One line, e.g. "Metadata access beyond the proven range". */
  title: string;
  /** The verifier's message as printed. */
  message: string;
  /** Plain explanation of what the verifier could not prove. */
  explanation: string;
  /** What to change. */
  fix: string;
  /** A code snippet for the fix, when one can be given. */
  fixCode?: string;
  /** The register (or stack slot) the message is about, e.g. `r1`. */
  register?: string;
  /** Where that register's value came from, newest first. */
  history: HistoryStep[];
  /**
   * The register's value at the rejected instruction, as the verifier saw it (`pkt_meta(off=8,r=8)`): the
   * kind from the state, off and r from the message when it prints them. History values are as of each write.
   */
  value?: string;
  /** For pointer arithmetic: where the offset register came from. */
  offsetHistory?: HistoryStep[];
  /** Instruction index and log line of the rejected instruction (-1 when none was printed). */
  insn: number;
  logLine: number;
  insnLogLine: number;
  file?: string;
  line?: number;
  sourceText?: string;
  /** Numbers the explanation used: off, size, range, needed, ... */
  facts: Record<string, number | string>;
  /** Extra lines the verifier printed after the message. */
  details: string[];
}

/** Explains the first rejection in `log`; null for a log that passed (or has no recognisable error). */
export function explain(log: VerifierLog): Explanation | null {
  const err = log.error();
  if (err) return explainError(log, err);
  return libbpfFailure(log);
}

function base(err: VerifierErrorInfo, id: ExplanationId, title: string): Explanation {
  const e: Explanation = {
    id, title, message: err.message, explanation: '', fix: '', history: [], insn: err.insn, logLine: err.logLine,
    insnLogLine: err.insnLogLine, facts: {}, details: err.details,
  };
  if (err.file) e.file = err.file;
  if (err.line !== undefined) e.line = err.line;
  if (err.sourceText !== undefined) e.sourceText = err.sourceText;
  return e;
}

/** Guesses the C variable behind the access from the source line (`meta->hash = 7;` → `meta`). */
function pointerName(src: string | undefined, fallback: string): string {
  if (!src) return fallback;
  const m = /([A-Za-z_]\w*)\s*->/.exec(src) ?? /\*\s*\(?\s*([A-Za-z_]\w*)/.exec(src) ?? /([A-Za-z_]\w*)\s*\[/.exec(src);
  return m ? m[1] : fallback;
}

function withHistory(log: VerifierLog, e: Explanation, reg: string): void {
  if (e.insnLogLine < 0) return;
  e.register = reg;
  e.history = log.history(e.insnLogLine, reg);
  const first = e.history[0];
  if (first) {
    // `r0 += r1`: the pointer came through r0, the offset through r1.
    const n = log.data.aux[first.line];
    const src = log.data.insnSrc[n];
    if ((log.data.insnFlags[n] & InsnFlag.Update) && src >= 0 && src <= 10 && src !== Number(reg.slice(1))) {
      e.offsetHistory = log.history(first.line + 1, `r${src}`);
      if (e.offsetHistory.length === 0 || e.offsetHistory[0].line !== first.line) {
        e.offsetHistory = log.history(first.line, `r${src}`);
      }
    }
  }
}

/** The conditional jump that proved the current range of a packet pointer (`if r3 > r2 goto` with r=N). */
function boundsCheck(log: VerifierLog, fromLine: number, kind: string, range: number): { line: number; pc: number; src?: SourceLoc } | undefined {
  const d = log.data;
  for (let i = fromLine - 1, steps = 0; i >= 0 && steps < 100_000; steps++) {
    const k = d.kind[i];
    if (k === LineKind.Branch) {
      if (d.aux[i] < 0) return undefined;
      i = d.aux[i];
      continue;
    }
    if (k === LineKind.Insn && (d.insnFlags[d.aux[i]] & InsnFlag.CondJump)) {
      for (const s of log.printedState(i)) {
        const v = parseValue(s.value);
        if (v.kind === kind && v.fields.r !== undefined && Number(v.fields.r) === range) {
          const out: { line: number; pc: number; src?: SourceLoc } = { line: i, pc: d.pc[i] };
          const src = log.sourceOfLine(i);
          if (src) out.src = src;
          return out;
        }
      }
    }
    i--;
  }
  return undefined;
}

/** Pointer kinds of packet memory: the kind decides which end the bounds check compares against. */
const PACKET_KINDS = new Set(['pkt', 'pkt_meta', 'pkt_end']);

/**
 * The kind of `reg` at the rejected instruction: from the state before it, else from the newest value in its
 * write history (a level-1 log prints only what changed). Undefined when neither names a kind.
 */
function lastValue(log: VerifierLog, err: VerifierErrorInfo, reg: string, history: HistoryStep[]): string | undefined {
  return valueAt(log, err, reg) ?? history.find((h) => h.value !== undefined && h.slot === reg)?.value;
}

function explainPacket(log: VerifierLog, err: VerifierErrorInfo, m: RegExpExecArray): Explanation {
  const off = Number(m[1]);
  const size = Number(m[2]);
  const reg = `r${m[3]}`;
  const range = Number(m[6]);
  const needed = off + size;
  const history = err.insnLogLine >= 0 ? log.history(err.insnLogLine, reg) : [];
  // The kind at the access: from the state before it, else from the newest value in its write history
  // (a level-1 log prints only what changed). One walk back: it may cross the whole path.
  const last = lastValue(log, err, reg, history);
  const known = last !== undefined ? parseValue(last).kind : undefined;
  // The message itself says "packet"; without a state the source line may still name data_meta.
  const kind = known ?? (/data_meta/.test(err.sourceText ?? '') ? 'pkt_meta' : 'pkt');
  const isMeta = kind === 'pkt_meta';
  const e = base(err, isMeta ? 'packet-meta-range' : 'packet-range',
    isMeta ? 'Metadata access beyond the proven range' : 'Packet access beyond the proven range');
  e.facts = { off, size, range, needed, kind };
  // The message's r is the range at the access; the printed state may lag behind it (a bounds check on one
  // register raises r on all its copies, and the log prints only what changed). The message's off is the
  // access's (insn + register), so the register's own off comes from the state.
  const regOff = last !== undefined ? Number(parseValue(last).fields.off ?? 0) : 0;
  e.value = `${kind}(${m[4] !== '0' ? `id=${m[4]},` : ''}${regOff !== 0 ? `off=${regOff},` : ''}r=${range})`;
  const name = pointerName(err.sourceText, isMeta ? 'meta' : 'ptr');
  const check = range > 0 ? boundsCheck(log, err.insnLogLine, kind, range) : undefined;
  const where = err.line !== undefined ? ` (line ${err.line})` : '';
  const start = isMeta ? 'ctx->data_meta' : 'ctx->data';
  const limit = isMeta ? 'data' : 'data_end';
  const area = isMeta
    ? `${reg.toUpperCase()} points into the XDP metadata area (pkt_meta: between ctx->data_meta and ctx->data)`
    : `${reg.toUpperCase()} points into the packet (pkt: between ctx->data and ctx->data_end)`;
  const bytes = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`;
  if (off < 0) {
    // Before the start of the area: no bounds check can allow it.
    e.explanation = `${area}. Instruction ${err.insn}${where} accesses ${bytes(size)} at offset ${off}, ${-off} byte${off === -1 ? '' : 's'} ` +
      `before ${start}. The verifier allows ${isMeta ? 'metadata' : 'packet'} access only from ${start} onwards, whatever the bounds check proves` +
      `${range > 0 ? ` (it proved ${bytes(range)} after ${start}, r=${range})` : ''}.`;
    e.fix = isMeta
      ? `Access the metadata only at offsets 0 and up from ctx->data_meta. To make room for more metadata, grow the area with bpf_xdp_adjust_meta(ctx, -(int)sizeof(*${name})) (a negative delta), then re-read ctx->data_meta and ctx->data and bounds-check again.`
      : `Access the packet only at offsets 0 and up from ctx->data. Bytes in front of the packet (headroom) become packet only after bpf_xdp_adjust_head(ctx, -N); re-read ctx->data and ctx->data_end and bounds-check again.`;
    e.fixCode = isMeta
      ? `if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*${name})))\n\treturn XDP_PASS;\n${name} = (void *)(long)ctx->data_meta;\nvoid *data = (void *)(long)ctx->data;\nif ((void *)(${name} + 1) > data)\n\treturn XDP_PASS;`
      : `if (bpf_xdp_adjust_head(ctx, -N))\n\treturn XDP_DROP;\nvoid *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;\nif (data + N > data_end)\n\treturn XDP_DROP;`;
    e.history = history;
    e.register = reg;
    return e;
  }
  const proven = range === 0
    ? 'no bounds check on this path has proven any byte of it (r=0)'
    : `the bounds check${check ? ` at insn ${check.pc}${check.src?.line ? ` (line ${check.src.line})` : ''}` : ''} proved only ${bytes(range)} (r=${range})`;
  e.explanation = `${area}. Instruction ${err.insn}${where} accesses ${bytes(size)} at offset ${off}, ` +
    `so the verifier must know that ${bytes(needed)} ${needed === 1 ? 'is' : 'are'} there (from ${start}), but ${proven}.`;
  e.fix = range > 0 && range < needed
    ? `Make the bounds check cover all ${needed} bytes the program touches: compare ${name} + ${needed} bytes (or ${name} + 1, when ${name} points to the whole struct) with ${limit}, not ${name} + ${range}.`
    : `Before the access, prove ${needed} bytes with a bounds check against ctx->${limit}; it must be on every path to the access and after the last bpf_xdp_adjust_meta()/adjust_head() (they invalidate packet pointers).`;
  // The log knows the bytes this access needs, not the struct's size: the byte-exact check is the one to give.
  e.fixCode = isMeta
    ? `void *data = (void *)(long)ctx->data;\nif ((void *)${name} + ${needed} > data) /* this access ends at byte ${needed} */\n\treturn XDP_PASS;\n` +
      `/* or check the whole struct: if ((void *)(${name} + 1) > data) return XDP_PASS; */`
    : `void *data_end = (void *)(long)ctx->data_end;\nif ((void *)${name} + ${needed} > data_end)\n\treturn XDP_DROP;`;
  if (check) e.facts.check_insn = check.pc;
  withHistory(log, e, reg);
  return e;
}

/** Helpers after which the verifier forgets every packet pointer (bpf_helper_changes_pkt_data). */
const PKT_CHANGING = /^call (bpf_xdp_adjust_meta|bpf_xdp_adjust_head|bpf_xdp_adjust_tail|bpf_skb_pull_data|bpf_skb_change_\w+|bpf_skb_adjust_room|bpf_skb_store_bytes|bpf_skb_vlan_\w+|bpf_l[34]_csum_replace|bpf_lwt_push_encap|bpf_lwt_seg6_\w+|bpf_msg_\w+_data|bpf_clone_redirect|bpf_skb_change_proto|bpf_xdp_store_bytes|bpf_dynptr_write)#/;

/**
 * A `R7 invalid mem access 'scalar'` whose register held a packet pointer when it was written, with a
 * packet-changing helper call on the path between: the call invalidated it. Returns that call's line.
 */
function invalidatingCall(log: VerifierLog, err: VerifierErrorInfo, writer: HistoryStep): number {
  const d = log.data;
  for (let i = err.insnLogLine - 1, steps = 0; i > writer.line && steps < 100_000; steps++) {
    const k = d.kind[i];
    if (k === LineKind.Branch) {
      if (d.aux[i] < 0) return -1;
      i = d.aux[i];
      continue;
    }
    if (k === LineKind.Insn && (d.insnFlags[d.aux[i]] & InsnFlag.Call) && PKT_CHANGING.test(log.insnText(i))) return i;
    i--;
  }
  return -1;
}

/**
 * A register that is a scalar at the error but held a packet pointer when it was written (through copies, so
 * by any name), with a packet-changing call between that write and the error: the stale pointer, else undefined.
 */
function stalePointer(log: VerifierLog, err: VerifierErrorInfo, reg: string): { was: string; writer: HistoryStep; history: HistoryStep[]; call: number } | undefined {
  if (err.insnLogLine < 0) return undefined;
  const history = log.history(err.insnLogLine, reg);
  const writer = history.find((h) => h.value !== undefined && PACKET_KINDS.has(parseValue(h.value).kind));
  if (!writer) return undefined;
  const call = invalidatingCall(log, err, writer);
  return call >= 0 ? { was: parseValue(writer.value!).kind, writer, history, call } : undefined;
}

function explainStale(log: VerifierLog, err: VerifierErrorInfo, reg: string, stale: { was: string; writer: HistoryStep; history: HistoryStep[]; call: number }, use: string): Explanation {
  const { was, writer, history, call } = stale;
  const e = base(err, 'stale-packet-pointer', 'Packet pointer used after a helper invalidated it');
  const helper = /^call (\w+)#/.exec(log.insnText(call))?.[1] ?? 'the helper';
  const callPc = log.data.pc[call];
  const callSrc = log.sourceOfLine(call);
  const isMeta = was === 'pkt_meta';
  e.register = reg;
  e.history = history;
  e.value = 'scalar';
  e.facts = { was, call_insn: callPc, helper };
  const copied = writer.slot !== reg ? ` (as ${writer.slot.toUpperCase()}, copied into ${reg.toUpperCase()} since)` : '';
  e.explanation = `${reg.toUpperCase()} was a ${isMeta ? 'metadata pointer (pkt_meta, from ctx->data_meta)' : `packet pointer (${was})`} when insn ${writer.pc} wrote it${copied}, ` +
    `but the call to ${helper}() at insn ${callPc}${callSrc?.line ? ` (line ${callSrc.line})` : ''} can move the packet and its metadata, ` +
    `so the verifier invalidated every packet pointer held at that point: ${reg.toUpperCase()} is now an unknown number (scalar) ` +
    `and instruction ${err.insn} cannot ${use}.`;
  e.fix = `After ${helper}(), re-read ctx->data_meta and ctx->data (and ctx->data_end), and bounds-check again before the access.`;
  e.fixCode = isMeta
    ? `if (${helper}(ctx, /* ... */))\n\treturn XDP_PASS;\nmeta = (void *)(long)ctx->data_meta;\nvoid *data = (void *)(long)ctx->data;\nif ((void *)(meta + 1) > data)\n\treturn XDP_PASS;`
    : `if (${helper}(ctx, /* ... */))\n\treturn XDP_DROP;\ndata = (void *)(long)ctx->data;\ndata_end = (void *)(long)ctx->data_end;\nif (data + N > data_end)\n\treturn XDP_DROP;`;
  return e;
}

/** What each pointer kind that can never be dereferenced is for (`R1 invalid mem access 'pkt_end'`). */
const NOT_DEREFERENCEABLE: Record<string, { what: string; fix: string }> = {
  pkt_end: {
    what: 'the end of the packet (pkt_end, from ctx->data_end): it marks where the packet stops and may only be compared with packet pointers',
    fix: 'Read packet bytes through ctx->data (plus an offset) after a bounds check against ctx->data_end; never through data_end itself.',
  },
  map_ptr: {
    what: 'a map (map_ptr): helpers take it, but its memory is not the map\'s data',
    fix: 'Look an element up with bpf_map_lookup_elem() and access the value it returns (after a NULL check).',
  },
};

function explainNotDereferenceable(log: VerifierLog, err: VerifierErrorInfo, reg: string, kind: string): Explanation {
  const e = base(err, 'not-dereferenceable', 'Pointer that cannot be dereferenced');
  withHistory(log, e, reg);
  e.value = kind;
  e.facts = { kind };
  const known = NOT_DEREFERENCEABLE[kind];
  e.explanation = `${reg.toUpperCase()} is ${known?.what ?? `a pointer of kind ${kind}, which the verifier does not let this program read or write through`}, ` +
    `so instruction ${err.insn} cannot load or store through it.`;
  e.fix = known?.fix ?? `Access memory through a pointer the verifier lets you dereference (packet, metadata, map value, stack); ${kind} is not one.`;
  return e;
}

function valueAt(log: VerifierLog, err: VerifierErrorInfo, reg: string): string | undefined {
  if (err.insnLogLine < 0) return undefined;
  return log.valueBefore(err.insnLogLine, reg);
}

function allocCall(log: VerifierLog, insn: number): { text: string; src?: SourceLoc } | undefined {
  const lines = log.linesOfInsn(insn);
  if (!lines.length) return undefined;
  const l = lines[0];
  const out: { text: string; src?: SourceLoc } = { text: log.insnText(l) };
  const src = log.sourceOfLine(l);
  if (src) out.src = src;
  return out;
}

const KFUNC_ALTERNATIVES: Record<string, string> = {
  bpf_dynptr_from_skb: 'bpf_dynptr_from_xdp(ctx, 0, &ptr)',
  bpf_skb_get_xfrm_info: 'none (XDP has no skb); read the packet through ctx->data/data_end',
  bpf_sock_destroy: 'only iterator programs may destroy sockets',
};

export function explainError(log: VerifierLog, err: VerifierErrorInfo): Explanation {
  const msg = err.message;
  let m: RegExpExecArray | null;

  if ((m = /^invalid access to packet, off=(-?\d+) size=(\d+), R(\d+)\(id=(\d+),off=(-?\d+),r=(\d+)\)/.exec(msg))) {
    return explainPacket(log, err, m);
  }
  if ((m = /^R(\d+) min value is negative/.exec(msg))) {
    const e = base(err, 'negative-offset', 'Offset may be negative');
    const reg = `r${m[1]}`;
    withHistory(log, e, reg);
    e.explanation = `${reg.toUpperCase()} is a pointer plus a variable offset whose smallest possible value is negative, ` +
      'so the access could land before the start of the object. A signed index that is only checked from above (idx < N) can still be negative.';
    e.fix = 'Use an unsigned index type, or check the lower bound too before using it.';
    e.fixCode = 'if (idx < 0 || idx >= N)\n\treturn XDP_PASS;';
    return e;
  }
  if ((m = /^R(\d+) (unbounded memory access|max value is outside of the allowed memory range|min value is outside of the allowed memory range)/.exec(msg)) ||
    (m = /^math between (\S+) pointer and register with unbounded min value/.exec(msg))) {
    const e = base(err, 'unbounded-offset', 'Offset without an upper bound');
    const reg = /^\d+$/.test(m[1]) ? `r${m[1]}` : undefined;
    if (reg) withHistory(log, e, reg);
    const v = reg ? valueAt(log, err, reg) : undefined;
    const vs = v ? parseValue(v).fields.vs : undefined;
    if (vs) e.facts.value_size = Number(vs);
    e.explanation = 'The pointer was moved by a value the verifier cannot bound (for example a number read from the packet or a map), ' +
      `so the access may fall outside the ${vs ? `${vs}-byte map value` : 'object'}.`;
    e.fix = `Clamp the offset with an explicit check before the pointer arithmetic${vs ? ` (it must stay below ${vs} minus the access size)` : ''}; ` +
      'masking (idx & (N - 1)) also works when N is a power of two.';
    e.fixCode = `if (idx >= ${vs ?? 'N'})\n\treturn XDP_PASS;`;
    return e;
  }
  if ((m = /^invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/.exec(msg))) {
    const e = base(err, 'map-value-range', 'Access outside the map value');
    e.facts = { value_size: Number(m[1]), off: Number(m[2]), size: Number(m[3]) };
    const reg = /R(\d+)/.exec(err.details.join(' '))?.[1];
    if (reg) withHistory(log, e, `r${reg}`);
    e.explanation = `The access at offset ${m[2]} of ${m[3]} bytes does not fit in the ${m[1]}-byte map value (or the offset range is not known to fit).`;
    e.fix = 'Bound the offset so that off + size <= value_size on every path.';
    return e;
  }
  if ((m = /^R(\d+) !read_ok/.exec(msg))) {
    const e = base(err, 'uninit-register', 'Register read before it was written');
    const reg = `r${m[1]}`;
    e.register = reg;
    const w = err.insnLogLine >= 0 ? log.writerOf(err.insnLogLine, reg) : -1;
    const clobbered = w >= 0 && (log.data.insnFlags[log.data.aux[w]] & InsnFlag.Call) !== 0 && Number(m[1]) >= 1 && Number(m[1]) <= 5;
    if (clobbered) {
      e.history = [{ line: w, pc: log.data.pc[w], slot: reg, insn: log.insnText(w), ...(log.sourceOfLine(w) ? { source: log.sourceOfLine(w)! } : {}) }];
      e.explanation = `${reg.toUpperCase()} is read at insn ${err.insn}, but the call at insn ${log.data.pc[w]} scratched R1-R5: after a call only R0 (the result) and R6-R9 keep values.`;
      e.fix = 'Keep values needed after a call in R6-R9 (a local variable the compiler keeps live) or on the stack, not in R1-R5.';
    } else {
      e.explanation = `${reg.toUpperCase()} is read at insn ${err.insn} but nothing wrote it on this path. On entry only R1 (ctx) and R10 (frame pointer) hold values.`;
      e.fix = 'Initialise the variable on every path (the usual source is inline assembly or an uninitialised local used on a rare path).';
    }
    return e;
  }
  if ((m = /^invalid (?:indirect )?read from stack/.exec(msg))) {
    const e = base(err, 'uninit-stack', 'Stack read before it was written');
    e.explanation = 'The program (or a helper it calls) reads stack bytes that were never written on this path.';
    e.fix = 'Zero-initialise the local (e.g. `struct x v = {};` or __builtin_memset) before passing its address or reading it.';
    return e;
  }
  if ((m = /^R(\d+) invalid mem access '(\w+)'/.exec(msg))) {
    const reg = `r${m[1]}`;
    const nullable = /_or_null|or_null/.test(m[2]);
    if (m[2] === 'scalar') {
      const stale = stalePointer(log, err, reg);
      if (stale) return explainStale(log, err, reg, stale, 'dereference it');
    }
    if (!nullable && m[2] !== 'scalar') return explainNotDereferenceable(log, err, reg, m[2]);
    const e = base(err, nullable ? 'null-pointer' : 'scalar-deref', nullable ? 'Pointer may be NULL' : 'Dereferencing a number');
    withHistory(log, e, reg);
    e.explanation = nullable
      ? `${reg.toUpperCase()} may be NULL (${m[2]}) here: for example the result of bpf_map_lookup_elem() or bpf_ringbuf_reserve() was used without a NULL check.`
      : `${reg.toUpperCase()} holds a plain number (${m[2]}), not a pointer the verifier tracks, so it cannot be dereferenced.`;
    e.fix = nullable ? 'Check the pointer for NULL right after the call and use it only on the non-NULL path.'
      : 'Derive the pointer from ctx, a map lookup or the stack; do not cast numbers to pointers or lose the pointer type through arithmetic on a copy.';
    if (nullable) e.fixCode = 'if (!ptr)\n\treturn XDP_PASS;';
    return e;
  }
  if ((m = /^Unreleased reference id=(\d+) alloc_insn=(\d+)/.exec(msg))) {
    const e = base(err, 'unreleased-reference', 'Reference not released on every path');
    const alloc = Number(m[2]);
    e.facts = { id: Number(m[1]), alloc_insn: alloc };
    const call = allocCall(log, alloc);
    const fname = call ? /call (\w+)/.exec(call.text)?.[1] : undefined;
    const at = call?.src?.line ? ` (line ${call.src.line}: ${call.src.text.trim()})` : '';
    e.explanation = `The reference taken at insn ${alloc}${fname ? ` by ${fname}()` : ''}${at} is still held when the program exits at insn ${err.insn}` +
      `${err.line !== undefined ? ` (line ${err.line})` : ''}. Every path must release what it acquired.`;
    if (fname?.startsWith('bpf_ringbuf_reserve')) {
      e.fix = 'On every path after a successful bpf_ringbuf_reserve(), call bpf_ringbuf_submit() or bpf_ringbuf_discard() before returning.';
      e.fixCode = 'if (cond) {\n\tbpf_ringbuf_discard(rec, 0);\n\treturn XDP_DROP;\n}';
    } else {
      e.fix = `Release the object on every path (${fname ? `the release function paired with ${fname}()` : 'bpf_sk_release(), bpf_*_release()'}) before returning.`;
    }
    if (call?.src) e.facts.alloc_line = call.src.line;
    return e;
  }
  if ((m = /^back-edge from insn (\d+) to (\d+)/.exec(msg))) {
    const e = base(err, 'back-edge', 'Loop (backward jump) not allowed');
    e.facts = { from: Number(m[1]), to: Number(m[2]) };
    e.explanation = `Insn ${m[1]} jumps back to insn ${m[2]}: a loop. Without CAP_BPF (or on kernels before 5.3) the verifier rejects every backward jump.`;
    e.fix = 'Load with CAP_BPF/CAP_SYS_ADMIN on a 5.3+ kernel with a loop whose bound the verifier can see, unroll it (#pragma unroll with a constant bound), or use bpf_loop()/bpf_for().';
    return e;
  }
  if ((m = /^infinite loop detected at insn (\d+)/.exec(msg))) {
    const e = base(err, 'infinite-loop', 'Loop that never ends');
    e.facts = { insn: Number(m[1]) };
    e.explanation = `The verifier reached insn ${m[1]} twice with the same state: nothing in the loop moves it towards its exit.`;
    e.fix = 'Make the loop variable change on every iteration and compare it with a bound the verifier can see (a constant, or a value clamped with a check).';
    return e;
  }
  if ((m = /^BPF program is too large\. Processed (\d+) insn/.exec(msg)) || (m = /^The sequence of (\d+) jumps is too complex/.exec(msg))) {
    const jumps = msg.startsWith('The sequence');
    const e = base(err, jumps ? 'too-complex' : 'too-large', jumps ? 'Too many pending branches' : 'Verification hit the instruction limit');
    const st = log.stats;
    e.facts = { processed: Number(m[1]) };
    if (st.total_states !== undefined) e.facts.total_states = st.total_states;
    if (st.peak_states !== undefined) e.facts.peak_states = st.peak_states;
    e.explanation = jumps
      ? `The verifier had ${m[1]} branches waiting to be explored: too many data-dependent branches in a row.`
      : `The verifier simulated ${m[1]} instructions (limit ${st.insn_limit ?? 1000000}) without finishing: it walks every path, and a loop whose bound it cannot see (or many branches) multiplies the paths.`;
    e.fix = 'Give loops a constant bound (or clamp the bound with a check), use bpf_loop()/bpf_for() iterators, reduce branching inside loops, or move work into global functions (verified once).';
    return e;
  }
  if (/^failed to resolve CO-RE relocation/.test(msg) || /unknown#195896080|0xbad2310|<invalid CO-RE relocation>/.test(msg)) {
    const e = base(err, 'core-relocation', 'CO-RE relocation could not be resolved');
    const r = /CO-RE relocation (<\w+>) \[(\d+)\] (.*?) \((.*)\)$/.exec(msg);
    if (r) {
      e.facts = { relo_kind: r[1], type_id: Number(r[2]), access: r[3], spec: r[4] };
    }
    e.explanation = `libbpf could not find ${r ? r[3] : 'the accessed field'} in the running kernel's BTF, so it replaced insn ${err.insn} with a poisoned call (0xbad2310) that the verifier rejects when it is reached. ` +
      'A common cause: a program-owned struct marked preserve_access_index (for example declared inside vmlinux.h\'s `#pragma clang attribute push` region), which libbpf tries to relocate against the kernel.';
    e.fix = 'Declare program-owned structs (like the data_meta layout) outside the preserve_access_index region and without the attribute; for optional kernel fields guard the access with bpf_core_field_exists().';
    return e;
  }
  if (/^metadata kfuncs require device-bound program/.test(msg)) {
    const e = base(err, 'kfunc-dev-bound', 'Metadata kfuncs need a device-bound program');
    e.explanation = 'bpf_xdp_metadata_rx_hash()/rx_timestamp()/rx_vlan_tag() are implemented by the NIC driver, so the program must be bound to that device when it is loaded.';
    e.fix = 'Load with prog_ifindex set to the interface and the BPF_F_XDP_DEV_BOUND_ONLY flag (1 << 6); with libbpf: bpf_program__set_ifindex() and bpf_program__set_flags(). With this tool: `xdp-meta load OBJ --dev IFNAME`. A device-bound program attaches only to that device and cannot be run with BPF_PROG_TEST_RUN.';
    e.fixCode = 'bpf_program__set_ifindex(prog, if_nametoindex("eth0"));\nbpf_program__set_flags(prog, BPF_F_XDP_DEV_BOUND_ONLY /* 1 << 6 */);';
    return e;
  }
  if ((m = /^calling kernel function (\S+) is not allowed/.exec(msg))) {
    const e = base(err, 'kfunc-not-allowed', 'Kfunc not allowed for this program type');
    e.facts = { kfunc: m[1] };
    e.explanation = `The kernel has ${m[1]}(), but it is not registered for this program type (XDP here), or needs a context this program does not have (sleepable, a held lock, ...).`;
    e.fix = KFUNC_ALTERNATIVES[m[1]] ? `Use the XDP counterpart instead: ${KFUNC_ALTERNATIVES[m[1]]}.` : `Call only kfuncs registered for this program type; check the kernel's BTF_KFUNCS set that lists ${m[1]}.`;
    return e;
  }
  if ((m = /^kernel btf_id (\d+) is not a function/.exec(msg))) {
    const e = base(err, 'kfunc-not-function', 'Kfunc resolves to something that is not a function');
    e.facts = { btf_id: Number(m[1]) };
    e.explanation = `The extern __ksym was resolved to kernel BTF id ${m[1]}, which is not a function: the name matches a variable or type, not a kfunc.`;
    e.fix = 'Check the spelling and the extern declaration (`extern int name(...) __ksym;`), and that the kfunc exists in this kernel (bpftool btf dump file /sys/kernel/btf/vmlinux | grep name).';
    return e;
  }
  if ((m = /^program of this type cannot use helper (\S+)/.exec(msg))) {
    const e = base(err, 'helper-not-allowed', 'Helper not allowed for this program type');
    e.explanation = `${m[1]} is not available to this program type.`;
    e.fix = 'Use a helper allowed for XDP (see `bpftool feature probe`) or move this work to a program type that has it (TC, tracing).';
    return e;
  }
  // A helper id past this kernel's enum bpf_func_id (after the CO-RE poison id above): the helper is newer than the kernel.
  if ((m = /^invalid func unknown#(\d+)/.exec(msg))) {
    const e = base(err, 'helper-unknown', 'Helper newer than this kernel');
    const name = helperName(Number(m[1]));
    e.explanation = `This kernel has no helper with id ${m[1]}${name ? ` (${name}, in newer kernels)` : ''}: its enum bpf_func_id ends before it.`;
    e.fix = `Target a newer kernel, or guard the call with bpf_core_enum_value_exists(enum bpf_func_id, ${name ? `BPF_FUNC_${name.slice(4)}` : 'BPF_FUNC_...'}) and keep a fallback path; the static check reports it as helper-missing.`;
    return e;
  }
  if ((m = /^unknown func (\S+)/.exec(msg))) {
    const e = base(err, 'helper-unknown', 'Helper unknown to this kernel');
    e.explanation = `This kernel does not know ${m[1]} (too old, or the helper id is wrong).`;
    e.fix = 'Check the kernel version or use an older equivalent; `bpftool feature probe` lists the helpers available.';
    return e;
  }
  if ((m = /^invalid bpf_context access off=(\d+) size=(\d+)/.exec(msg))) {
    const e = base(err, 'ctx-access', 'Invalid context access');
    e.facts = { off: Number(m[1]), size: Number(m[2]) };
    e.explanation = `The program reads or writes ${m[2]} bytes at offset ${m[1]} of the context, which this program type does not allow (struct xdp_md fields are 4-byte, read-only).`;
    e.fix = 'Access ctx fields with their declared size, read-only; pointers come from (void *)(long)ctx->data/data_end/data_meta.';
    return e;
  }
  if ((m = /^R(\d+) type=(\S+) expected=(.*)/.exec(msg))) {
    const reg = `r${m[1]}`;
    // A packet pointer passed to a helper after a packet-moving call is a scalar by then: say why.
    const stale = m[2] === 'scalar' ? stalePointer(log, err, reg) : undefined;
    if (stale) return explainStale(log, err, reg, stale, `pass it where the helper expects ${m[3]}`);
    const e = base(err, 'arg-type', 'Wrong argument type for a helper');
    withHistory(log, e, reg);
    e.explanation = `Argument ${reg.toUpperCase()} is ${m[2]} but the helper expects ${m[3]}.`;
    e.fix = 'Pass a pointer of the expected kind (for example a stack buffer, a map value or a NULL-checked pointer).';
    return e;
  }
  if (/^the call stack of \d+ frames is too deep|^combined stack size of/.test(msg)) {
    const e = base(err, 'stack-too-deep', 'Stack too deep');
    e.explanation = 'BPF programs have 512 bytes of stack across all nested calls and at most 8 call frames.';
    e.fix = 'Move large locals to a per-CPU array map, reduce nesting, or mark helpers __always_inline.';
    return e;
  }
  if ((m = /^Caller passes invalid args into func#(\d+) \('([^']*)'\)/.exec(msg)) &&
    err.details.some((d) => /^Global function \S+ doesn't return scalar/.test(d))) {
    const e = base(err, 'global-func-return', 'Global function that does not return a scalar');
    e.facts = { func: m[2], subprog: Number(m[1]) };
    e.explanation = `${m[2]}() is a global (non-static) function, so the verifier checks it on its own, against its BTF prototype, ` +
      `and this kernel does that only for functions that return a scalar (an int or enum). ${m[2]}() returns void (or is __naked), ` +
      `so the call at insn ${err.insn} cannot be checked.`;
    e.fix = `Make ${m[2]}() static (or static __always_inline) so the verifier checks it with its caller, or give it an int return type and return a value.`;
    e.fixCode = `static __always_inline void ${m[2]}(/* ... */)\n/* or: __attribute__((noinline)) int ${m[2]}(...) { ...; return 0; } */`;
    return e;
  }
  const e = base(err, 'unknown', 'Rejected by the verifier');
  const r = /^R(\d+)\b/.exec(msg) ?? /\bR(\d+)\b/.exec(msg);
  if (r) withHistory(log, e, `r${r[1]}`);
  e.explanation = `The verifier stopped at insn ${err.insn}: ${msg}`;
  e.fix = 'Read the register history above and the state before the instruction; the message names what could not be proven.';
  return e;
}

/** A load that failed in libbpf before the verifier ran (kfunc not found, CO-RE failures before load). */
function libbpfFailure(log: VerifierLog): Explanation | null {
  const d = log.data;
  for (let i = 0; i < d.kind.length; i++) {
    if (d.kind[i] !== LineKind.Tool) continue;
    const t = log.text(i);
    const m = /extern \((?:func )?ksym\) '(\w+)': (not found in kernel or module BTFs|func_proto \[\d+\] incompatible with (?:kernel|vmlinux) \[\d+\])/.exec(t);
    if (m) {
      const err: VerifierErrorInfo = { message: t.replace(/^libbpf: /, ''), details: [], logLine: i, insn: -1, insnLogLine: -1 };
      const e = base(err, 'kfunc-missing', 'Kfunc not found or prototype mismatch');
      e.facts = { kfunc: m[1] };
      e.explanation = m[2].startsWith('not found')
        ? `libbpf found no kernel function ${m[1]} in vmlinux or module BTF, so the program was not loaded.`
        : `The extern declaration of ${m[1]} does not match the kernel's prototype (argument or return types differ).`;
      e.fix = m[2].startsWith('not found')
        ? 'Check the name and that this kernel has the kfunc (newer kernels add them); mark it __weak and test bpf_ksym_exists() to make it optional.'
        : `Copy the prototype of ${m[1]} from the kernel (bpftool btf dump file /sys/kernel/btf/vmlinux format c) including the pointed-to struct types.`;
      return e;
    }
  }
  return null;
}

/** Human-readable form for the CLI. */
export function formatExplanation(e: Explanation): string {
  const out: string[] = [];
  const where = e.file ? `${e.file}:${e.line}` : '';
  out.push(`${e.title}${where ? ` at ${where}` : ''}${e.insn >= 0 ? ` (insn ${e.insn})` : ''}`);
  out.push(`  verifier: ${e.message}`);
  for (const d of e.details) out.push(`            ${d}`);
  if (e.sourceText) out.push(`  source:   ${e.sourceText.trim()}`);
  out.push('', wrap(e.explanation, '  '));
  if (e.value && e.register) out.push('', `  ${e.register.toUpperCase()} at insn ${e.insn}: ${e.value}`);
  if (e.history.length) {
    out.push(...(e.value && e.register ? [] : ['']), `  where ${e.register?.toUpperCase()} came from:`);
    for (const h of e.history) out.push(`    insn ${String(h.pc).padStart(4)}: ${h.insn.padEnd(28)} ${h.value ? `${h.slot.toUpperCase()}=${h.value}` : ''}${h.source?.line ? `  (line ${h.source.line})` : ''}`);
  }
  if (e.offsetHistory?.length) {
    out.push('  where the offset came from:');
    for (const h of e.offsetHistory) out.push(`    insn ${String(h.pc).padStart(4)}: ${h.insn.padEnd(28)} ${h.value ? `${h.slot.toUpperCase()}=${h.value}` : ''}${h.source?.line ? `  (line ${h.source.line})` : ''}`);
  }
  out.push('', wrap(`Fix: ${e.fix}`, '  '));
  if (e.fixCode) out.push('', ...e.fixCode.split('\n').map((l) => `    ${l}`));
  return out.join('\n');
}

function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = indent;
  for (const w of words) {
    if (cur.length + w.length + 1 > width && cur.trim()) {
      lines.push(cur.trimEnd());
      cur = indent;
    }
    cur += (cur.trim() ? ' ' : '') + w;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines.join('\n');
}
