// Reads a verifier log's summary straight from the raw text (no parser) and compares it with ours: corpus-eval's fidelity check.
import { explain } from '../src/core/verifier/explain';
import { parseLogText } from '../src/core/verifier/read';

/** What a reader sees at the end of a raw log. */
export interface RawTruth {
  /** First line of the final block of non-instruction, non-state lines before the statistics; null when accepted. */
  message: string | null;
  /** Index printed on the last instruction line before that block. */
  insn: number | null;
  /** `@ file:LINE` of the last `; source` line before that instruction line. */
  line: number | null;
  processed: number | null;
  /** Kernels before 6.2 (`; source` without `@ file:line`): the text of that source line, for checking our line by its text. */
  text?: string;
}

export interface Fidelity {
  truth: RawTruth;
  ours: RawTruth;
  /** The fields that differ (message, insn, line, processed). */
  inexact: string[];
  /** The pointer kind our explanation names for its register (pkt, pkt_meta, ...), when it names one. */
  namedKind?: string;
  /** The pointer kind the explanation names, the register's type in the raw log; set when they disagree. */
  kindMismatch?: { register: string; named: string; log: string };
}

const INSN = /^(\d+): \([0-9a-f]{2}\)/;
const STATS = /^processed (\d+) insns/;
// Lines the verifier prints along a path, never as a complaint: states, branches, source, liveness, pruning.
const PATH_LINE = /^(\d+: (R\d|frame\d|\(|safe)|\d+: *$|from \d+ to \d+|; |Live regs before insn|\s+\d+: |SCC |Func#|last_idx |regs=|parent |mark_precise|func#|propagating |processed |verification time|stack depth|\s*$)/;

export function rawTruth(log: string): RawTruth {
  const lines = log.split('\n').map((l) => l.replace(/\r$/, ''));
  let stats = -1;
  for (let i = lines.length - 1; i >= 0; i--) if (STATS.test(lines[i]!)) { stats = i; break; }
  const processed = stats >= 0 ? Number(STATS.exec(lines[stats]!)![1]) : null;
  const end = stats >= 0 ? stats : lines.length;
  // The complaint: the run of lines right before the statistics that are neither instructions nor path output.
  let i = end - 1;
  while (i >= 0 && !lines[i]!.trim()) i--;
  let first = -1;
  for (; i >= 0; i--) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    if (INSN.test(l)) {
      // An error glued to the end of the instruction's own line (`5: (85) call f#1R1 type=...`) is rare; not handled here.
      break;
    }
    if (PATH_LINE.test(l)) break;
    first = i;
  }
  if (first < 0) return { message: null, insn: null, line: null, processed };
  let insnAt = -1;
  for (let j = first - 1; j >= 0; j--) if (INSN.test(lines[j]!)) { insnAt = j; break; }
  let line: number | null = null;
  let text: string | undefined;
  const oldFormat = !lines.some((l) => /^; .* @ \S+:\d+$/.test(l));
  for (let j = insnAt - 1; j >= 0 && insnAt >= 0; j--) {
    const l = lines[j]!;
    if (INSN.test(l) && /^from \d+ to/.test(lines[j + 1] ?? '')) break;
    const m = /^; .* @ \S+:(\d+)$/.exec(l);
    if (m) { line = Number(m[1]); break; }
    if (oldFormat && l.startsWith('; ')) { text = l.slice(2).trim(); break; }
    if (/^from \d+ to \d+:/.test(l)) break; // a new path starts: the source line would have been printed after it
  }
  return { message: lines[first]!.trim(), insn: insnAt >= 0 ? Number(INSN.exec(lines[insnAt]!)![1]) : null, line, processed, ...(text !== undefined ? { text } : {}) };
}

/** The type the raw log last gave register `reg` (R3) at or before line `upTo`: `R3_w=pkt_meta(r=8)` → pkt_meta. */
export function rawRegisterType(lines: readonly string[], upTo: number, reg: string): string | undefined {
  const re = new RegExp(`\\b${reg}(?:_w|_rw|_r)?=([a-z_]+)`, 'g');
  for (let i = Math.min(upTo, lines.length - 1); i >= 0; i--) {
    const all = [...lines[i]!.matchAll(re)];
    if (all.length) return all[all.length - 1]![1];
  }
  return undefined;
}

/** The object's line info, for logs that name no line (6.1): as the kernel matrix maps an insn to a line, and a line's text. */
export interface LineResolver {
  lineOf(insn: number): { file: string; line: number } | undefined;
  /** Every text the object's line info records for file:line. */
  textOf(file: string, line: number): string[];
}

export function fidelity(log: string, lines?: LineResolver): Fidelity {
  const truth = rawTruth(log);
  const parsed = parseLogText(log);
  const s = parsed.summary();
  const ours: RawTruth = {
    message: s.error?.message ?? null,
    insn: s.error?.insn ?? null,
    line: s.error?.line ?? null,
    processed: s.processed_insns,
  };
  // A log without `@ file:line` (6.1): our line is the matrix's (from the object), checked by the text the log printed.
  let ourAt: { file: string; line: number } | undefined;
  if (lines && ours.line === null && ours.insn !== null) ourAt = lines.lineOf(ours.insn);
  if (ourAt) ours.line = ourAt.line;
  const same = (k: 'message' | 'insn' | 'line' | 'processed'): boolean => {
    if (k !== 'line' || truth.text === undefined || truth.line !== null || !lines) return truth[k] === ours[k];
    return !!ourAt && lines!.textOf(ourAt.file, ourAt.line).some((t) => t.trim() === truth.text);
  };
  const inexact = (['message', 'insn', 'line', 'processed'] as const).filter((k) => !same(k));
  const out: Fidelity = { truth, ours, inexact };
  const e = explain(parsed);
  // The kind the words claim: the packet kinds and not-dereferenceable name it, a stale pointer's was, "a plain number".
  const named = e ? (e.facts.kind ?? e.facts.was ?? (e.id === 'scalar-deref' ? 'scalar' : undefined)) : undefined;
  if (e?.register && typeof named === 'string') {
    out.namedKind = named;
    const lines = log.split('\n');
    const reg = e.register.toUpperCase();
    // At the access: the state before the complaint. A stale pointer: the value last written before the
    // invalidating call (the newest step of its history before that call, under the name it had then).
    let at = lines.findIndex((l) => l.trim() === truth.message) - 1;
    let name = reg;
    if (e.id === 'stale-packet-pointer') {
      const call = lines.findIndex((l) => l.startsWith(`${e.facts.call_insn}: (85)`));
      const step = e.history.find((h) => h.line < call);
      at = step ? step.line : -1;
      name = (step?.slot ?? reg).toUpperCase();
    }
    const logType = at >= 0 ? rawRegisterType(lines, at, name) : undefined;
    if (logType !== undefined && logType !== named) out.kindMismatch = { register: reg, named, log: logType };
  }
  return out;
}
