// The parsed verifier log: line columns, instructions with their writes, states, error, statistics, and queries.
import { classifyLine, newClassifyResult } from './classify';
import { InsnFlag, NO_SLOT, parseSlot, slotName } from './insn';
import { LineKind, lineKindName } from './kinds';
import { parseState, type StateEntry } from './state';
import type { LogTextSource } from './text-source';

export interface VerifierStats {
  processed_insns?: number;
  insn_limit?: number;
  max_states_per_insn?: number;
  total_states?: number;
  peak_states?: number;
  mark_read?: number;
  verification_time_usec?: number;
  /** Per subprogram, `stack depth 0+8+0` → [0, 8, 0]. */
  stack_depth?: number[];
}

export interface SourceLoc {
  file: string;
  line: number;
  text: string;
}

/** Column storage filled by the parser; plain data (typed arrays) so it can be transferred or serialised. */
export interface VerifierLogData {
  source: string;
  kind: Uint8Array;
  /** Byte offset of each line's first character. */
  offset: Float64Array;
  /** Instruction index for Insn/State/Branch(target)/LiveRegs lines, -1 otherwise. */
  pc: Int32Array;
  /** Insn: ordinal in the insn* columns; Source: source id; Branch: line of the matching jump (-1 unknown). */
  aux: Int32Array;
  frame: Uint8Array;
  totalBytes: number;
  /** Per processed instruction line (ordinal k): */
  insnLine: Int32Array;
  insnWrite: Int16Array;
  insnSrc: Int16Array;
  insnBase: Int16Array;
  insnFlags: Uint8Array;
  insnOpcode: Uint8Array;
  insnSource: Int32Array;
  sources: SourceLoc[];
  errorLines: number[];
  unknownLines: number;
  partialLines: number;
  level: 1 | 2;
  stats: VerifierStats;
  truncated: { head: boolean; tail: boolean };
  /** The last line has no newline: the text was cut (or the writer died) mid-line. */
  endsMidLine?: boolean;
  program?: string;
  loadError?: string;
}

export interface VerifierErrorInfo {
  /** The first rejection line (follow-up lines in `details`). */
  message: string;
  details: string[];
  /** Log line of the message. */
  logLine: number;
  /** Index of the instruction the verifier was at (-1 if none was printed). */
  insn: number;
  /** Log line of that instruction. */
  insnLogLine: number;
  file?: string;
  line?: number;
  sourceText?: string;
}

/** The `xdp-meta log --json` summary. */
export interface VerifierSummary {
  level: 1 | 2;
  program?: string;
  error: { message: string; insn: number | null; file: string | null; line: number | null } | null;
  processed_insns: number | null;
  total_states: number | null;
  peak_states: number | null;
  max_states_per_insn: number | null;
  verification_time_usec: number | null;
  stack_depth: number[] | null;
  lines: number;
  unknown_lines: number;
  truncated: boolean;
}

/** How much of the verifier's own output a log holds, for telling "accepted" from "cut off before the end". */
export interface LogCompleteness {
  /** Lines the verifier printed (not libbpf/bpftool text, markers, blank, unrecognised or cut-off lines). */
  verifierLines: number;
  /** The final `processed N insns` statistics line is there (the kernel prints it after every verification). */
  hasStats: boolean;
  /** The text ends without a newline. */
  endsMidLine: boolean;
  /** Size of the text in bytes (where a cut log ends). */
  totalBytes: number;
}

/** One line as a viewer shows it (see `page`). */
export interface LineView {
  index: number;
  kind: string;
  text: string;
  pc?: number;
  frame?: number;
  /** Insn lines: the disassembly, what it writes, the state printed after it, the C source it belongs to. */
  insn?: { text: string; write?: string; src?: string; state: StateEntry[]; source?: SourceLoc };
  /** State/Branch lines: the state printed; Branch: the jump it came from. */
  state?: StateEntry[];
  branchFrom?: { pc: number; line: number };
  source?: SourceLoc;
}

export interface HistoryStep {
  /** Log line of the instruction that wrote the slot. */
  line: number;
  pc: number;
  slot: string;
  insn: string;
  /** Value of the slot right after that instruction, when printed. */
  value?: string;
  source?: SourceLoc;
}

const MAX_WALK = 2_000_000;

export class VerifierLog {
  constructor(readonly data: VerifierLogData, private readonly textSource: LogTextSource) {}

  get lineCount(): number {
    return this.data.kind.length;
  }
  get insnCount(): number {
    return this.data.insnLine.length;
  }
  get level(): 1 | 2 {
    return this.data.level;
  }
  get stats(): VerifierStats {
    return this.data.stats;
  }
  kind(line: number): LineKind {
    return this.data.kind[line] as LineKind;
  }

  /** The text of one line (re-read from the source by offset). */
  text(line: number): string {
    const d = this.data;
    if (line < 0 || line >= d.kind.length) return '';
    const start = d.offset[line];
    const end = line + 1 < d.kind.length ? d.offset[line + 1] : d.totalBytes;
    return this.textSource.read(start, end).replace(/\r?\n$/, '');
  }

  /** Text of lines [from, to) with one read. */
  texts(from: number, to: number): string[] {
    const d = this.data;
    from = Math.max(0, from);
    to = Math.min(d.kind.length, to);
    if (to <= from) return [];
    const end = to < d.kind.length ? d.offset[to] : d.totalBytes;
    const blob = this.textSource.read(d.offset[from], end);
    const out = blob.split('\n');
    if (out.length > to - from) out.length = to - from;
    return out.map((s) => (s.endsWith('\r') ? s.slice(0, -1) : s));
  }

  countKind(k: LineKind): number {
    let c = 0;
    for (const x of this.data.kind) if (x === k) c++;
    return c;
  }

  sourceOfLine(line: number): SourceLoc | undefined {
    const d = this.data;
    if (d.kind[line] === LineKind.Source) return d.sources[d.aux[line]];
    if (d.kind[line] === LineKind.Insn) {
      const s = d.insnSource[d.aux[line]];
      return s >= 0 ? d.sources[s] : undefined;
    }
    return undefined;
  }

  /** The last instruction line at or before `line`, -1 if none. */
  insnLineAtOrBefore(line: number): number {
    const k = this.data.kind;
    for (let i = Math.min(line, k.length - 1); i >= 0; i--) if (k[i] === LineKind.Insn) return i;
    return -1;
  }

  /** Lines of every processed instance of instruction `pc` (level 2 visits an insn once per path). */
  linesOfInsn(pc: number): number[] {
    const out: number[] = [];
    const { kind, pc: pcs } = this.data;
    for (let i = 0; i < kind.length; i++) if (kind[i] === LineKind.Insn && pcs[i] === pc) out.push(i);
    return out;
  }

  /** The state printed on a line (after `;` of an insn, or the dump of a State/Branch line). */
  printedState(line: number): StateEntry[] {
    const k = this.data.kind[line];
    if (k !== LineKind.Insn && k !== LineKind.State && k !== LineKind.Branch && k !== LineKind.FrameState &&
      k !== LineKind.StateCompare) return [];
    const text = this.text(line);
    if (k === LineKind.FrameState) return parseState(text).entries;
    if (k === LineKind.StateCompare) return parseState(text.slice(text.indexOf(':') + 1)).entries;
    const r = newClassifyResult();
    classifyLine(text, { liveRegs: false, frameDump: false }, r);
    if (!r.stateStart) return [];
    const st = text.slice(r.stateStart);
    if (st.trim() === 'safe') return [];
    return parseState(st).entries;
  }

  /** The instruction text of an Insn line, e.g. `r1 = *(u32 *)(r6 +8)`. */
  insnText(line: number): string {
    if (this.data.kind[line] !== LineKind.Insn) return '';
    const text = this.text(line);
    const r = newClassifyResult();
    classifyLine(text, { liveRegs: false, frameDump: false }, r);
    return text.slice(r.textStart, r.textEnd);
  }

  /**
   * The line before `line` on the same verification path: the previous line, or for the first line of a
   * popped branch (`from X to Y`) the jump X it was pushed at.
   */
  private prevOnPath(line: number): number {
    const d = this.data;
    if (d.kind[line] === LineKind.Branch) return d.aux[line];
    return line - 1;
  }

  /**
   * Full register/stack state before the instruction on `line`, merged from the nearest printed states back
   * along the path (a State or Branch dump is complete, so the walk stops there).
   */
  stateBefore(line: number): Map<string, string> {
    const out = new Map<string, string>();
    const d = this.data;
    if (line < 0 || line >= d.kind.length) return out;
    const frame = d.frame[line];
    let steps = 0;
    for (let i = this.prevOnPath(line); i >= 0 && steps < MAX_WALK; steps++) {
      const k = d.kind[i];
      if ((k === LineKind.Insn || k === LineKind.State || k === LineKind.Branch) && d.frame[i] === frame) {
        for (const e of this.printedState(i)) if (!out.has(e.name)) out.set(e.name, e.value);
        if (k === LineKind.State || (k === LineKind.Branch && out.size > 0)) break;
      }
      if (k === LineKind.Branch) {
        i = d.aux[i];
        continue;
      }
      i--;
    }
    return out;
  }

  /**
   * `stateBefore(line).get(name)` without building the whole state: the walk stops at the first line that
   * prints `name` (a level-1 path can be 40k instructions long, each printing only what it changed).
   */
  valueBefore(line: number, name: string): string | undefined {
    const d = this.data;
    if (line < 0 || line >= d.kind.length) return undefined;
    const frame = d.frame[line];
    let steps = 0;
    let seen = false;
    for (let i = this.prevOnPath(line); i >= 0 && steps < MAX_WALK; steps++) {
      const k = d.kind[i];
      if ((k === LineKind.Insn || k === LineKind.State || k === LineKind.Branch) && d.frame[i] === frame) {
        const printed = this.printedState(i);
        const hit = printed.find((e) => e.name === name);
        if (hit) return hit.value;
        if (printed.length) seen = true;
        if (k === LineKind.State || (k === LineKind.Branch && seen)) return undefined;
      }
      if (k === LineKind.Branch) {
        i = d.aux[i];
        continue;
      }
      i--;
    }
    return undefined;
  }

  /** State after the instruction on `line`: the state before, updated by what the line printed. */
  stateAfter(line: number): Map<string, string> {
    const out = this.stateBefore(line);
    for (const e of this.printedState(line)) out.set(e.name, e.value);
    // Level 2 may print the state after an instruction on a following `N: R...` line instead (after backtracking).
    const next = this.stateLineAfter(line);
    if (next >= 0) for (const e of this.printedState(next)) out.set(e.name, e.value);
    return out;
  }

  /** The `N: R...` state line that directly follows an instruction (only backtracking lines between), or -1. */
  private stateLineAfter(line: number): number {
    const d = this.data;
    for (let i = line + 1; i < d.kind.length && i < line + 64; i++) {
      const k = d.kind[i];
      if (k === LineKind.State) return i;
      if (k !== LineKind.Precise && k !== LineKind.Liveness && k !== LineKind.Scc) return -1;
    }
    return -1;
  }

  /**
   * The instruction line that last wrote `slot` (`r1`, `fp-8`) before `line` on the same path and frame,
   * crossing into the caller for argument registers of a subprogram. -1 when set at program entry / unknown.
   */
  writerOf(line: number, slot: string): number {
    const d = this.data;
    let s = parseSlot(slot);
    if (s === NO_SLOT) return -1;
    let frame = d.frame[line] ?? 0;
    let steps = 0;
    for (let i = this.prevOnPath(line); i >= 0 && steps < MAX_WALK; steps++) {
      const k = d.kind[i];
      if (k === LineKind.Insn) {
        const n = d.aux[i];
        const f = d.insnFlags[n];
        const fr = d.frame[i];
        if (fr === frame) {
          if (d.insnWrite[n] === s) return i;
          // A helper call clobbers r1-r5.
          if ((f & InsnFlag.Call) && !(f & InsnFlag.SubprogCall) && s >= 1 && s <= 5) return i;
        } else if (fr + 1 === frame && (f & InsnFlag.SubprogCall)) {
          // Walked back out of the callee to its call: arguments r1-r5 came from the caller.
          if (s >= 1 && s <= 5) frame = fr;
          else return -1;
        } else if (fr === frame + 1 && (f & InsnFlag.Exit) && s === 0) {
          // r0 after a subprogram call is the callee's r0 at its exit.
          frame = fr;
          return i;
        }
      }
      if (k === LineKind.Branch) {
        const j = d.aux[i];
        if (j < 0) return -1;
        i = j;
        continue;
      }
      i--;
    }
    return -1;
  }

  /** Follows a slot back through the instructions that produced it (`r1 = r6`, `r3 += 8`, loads from fp-8). */
  history(line: number, slot: string, max = 32): HistoryStep[] {
    const d = this.data;
    const steps: HistoryStep[] = [];
    let cur = line;
    let s = slot;
    const seen = new Set<string>();
    while (steps.length < max) {
      const w = this.writerOf(cur, s);
      if (w < 0) break;
      const key = `${w}:${s}`;
      if (seen.has(key)) break;
      seen.add(key);
      const n = d.aux[w];
      let printed = this.printedState(w).find((e) => e.name === s);
      if (!printed) {
        const next = this.stateLineAfter(w);
        if (next >= 0) printed = this.printedState(next).find((e) => e.name === s);
      }
      const step: HistoryStep = { line: w, pc: d.pc[w], slot: s, insn: this.insnText(w) };
      if (printed) step.value = printed.value;
      const src = this.sourceOfLine(w);
      if (src) step.source = src;
      steps.push(step);
      const f = d.insnFlags[n];
      if (f & InsnFlag.Call) break;
      if (f & InsnFlag.Update) {
        cur = w; // `r3 += 8`: keep following r3 (the pointer), before this instruction.
        continue;
      }
      const src2 = d.insnSrc[n];
      if (src2 === NO_SLOT) break;
      cur = w;
      s = slotName(src2);
    }
    return steps;
  }

  /**
   * The verifier's final complaint: the last run of error lines (a message and its follow-ups, with nothing
   * but blank lines and `cur state:`/`old state:` dumps between them). An earlier error-looking line is a
   * note the verifier went on from. Returns [first, end) indexes into `errorLines`.
   */
  private finalRun(): [number, number] {
    const d = this.data;
    const el = d.errorLines;
    let start = el.length - 1;
    while (start > 0) {
      let joined = true;
      for (let i = el[start - 1] + 1; i < el[start]; i++) {
        const k = d.kind[i];
        if (k !== LineKind.Empty && k !== LineKind.StateCompare) { joined = false; break; }
      }
      if (!joined) break;
      start--;
    }
    return [start, el.length];
  }

  /** Informational lines (`Global function f() doesn't return scalar.`) right before line `at`: the reason for it. */
  private notesBefore(at: number): string[] {
    const d = this.data;
    const out: string[] = [];
    for (let i = at - 1; i >= 0 && i >= at - 8; i--) {
      const k = d.kind[i];
      if (k === LineKind.Info) out.unshift(this.text(i));
      else if (k !== LineKind.Empty) break;
    }
    return out;
  }

  /** The rejection (the verifier's final complaint), with the instruction and C source line it belongs to. */
  error(): VerifierErrorInfo | null {
    const d = this.data;
    if (d.errorLines.length === 0) return null;
    const [from, to] = this.finalRun();
    const first = d.errorLines[from];
    let message = this.text(first);
    if (d.kind[first] === LineKind.Insn) {
      const r = newClassifyResult();
      classifyLine(message, { liveRegs: false, frameDump: false }, r);
      if (r.gluedError) message = message.slice(r.gluedError);
    }
    const details = [...d.errorLines.slice(from + 1, Math.min(to, from + 8)).map((l) => this.text(l)), ...this.notesBefore(first)];
    const insnLogLine = d.kind[first] === LineKind.Insn ? first : this.insnLineAtOrBefore(first);
    const info: VerifierErrorInfo = {
      message: message.trim(),
      details,
      logLine: first,
      insn: insnLogLine >= 0 ? d.pc[insnLogLine] : -1,
      insnLogLine,
    };
    const src = insnLogLine >= 0 ? this.sourceOfLine(insnLogLine) : undefined;
    if (src) {
      if (src.file) {
        info.file = src.file;
        info.line = src.line;
      }
      info.sourceText = src.text;
    }
    return info;
  }

  summary(): VerifierSummary {
    const d = this.data;
    const e = this.error();
    return {
      level: d.level,
      ...(d.program ? { program: d.program } : {}),
      error: e ? { message: e.message, insn: e.insn >= 0 ? e.insn : null, file: e.file ?? null, line: e.line ?? null } : null,
      processed_insns: d.stats.processed_insns ?? null,
      total_states: d.stats.total_states ?? null,
      peak_states: d.stats.peak_states ?? null,
      max_states_per_insn: d.stats.max_states_per_insn ?? null,
      verification_time_usec: d.stats.verification_time_usec ?? null,
      stack_depth: d.stats.stack_depth ?? null,
      lines: d.kind.length,
      unknown_lines: d.unknownLines,
      truncated: d.truncated.head || d.truncated.tail,
    };
  }

  completeness(): LogCompleteness {
    const d = this.data;
    let verifierLines = 0;
    let hasStats = false;
    for (let i = 0; i < d.kind.length; i++) {
      const k = d.kind[i] as LineKind;
      if (k === LineKind.Stats) hasStats = true;
      if (k !== LineKind.Unknown && k !== LineKind.Tool && k !== LineKind.Marker && k !== LineKind.Empty && k !== LineKind.Partial) verifierLines++;
    }
    return { verifierLines, hasStats, endsMidLine: d.endsMidLine ?? false, totalBytes: d.totalBytes };
  }

  /** Lines [from, to) with classification, state and source: the paging API for a viewer. */
  page(from: number, to: number): LineView[] {
    const d = this.data;
    from = Math.max(0, from);
    to = Math.min(d.kind.length, to);
    const texts = this.texts(from, to);
    const out: LineView[] = [];
    for (let i = from; i < to; i++) {
      const k = d.kind[i] as LineKind;
      const v: LineView = { index: i, kind: lineKindName(k), text: texts[i - from] ?? '' };
      if (d.pc[i] >= 0) v.pc = d.pc[i];
      if (d.frame[i]) v.frame = d.frame[i];
      if (k === LineKind.Insn) {
        const n = d.aux[i];
        const insn: LineView['insn'] = { text: this.insnText(i), state: this.printedState(i) };
        if (d.insnWrite[n] !== NO_SLOT) insn.write = slotName(d.insnWrite[n]);
        if (d.insnSrc[n] !== NO_SLOT) insn.src = slotName(d.insnSrc[n]);
        const s = d.insnSource[n];
        if (s >= 0) insn.source = d.sources[s];
        v.insn = insn;
      } else if (k === LineKind.State || k === LineKind.Branch) {
        v.state = this.printedState(i);
        if (k === LineKind.Branch) {
          const m = /^from (\d+)/.exec(v.text);
          v.branchFrom = { pc: m ? Number(m[1]) : -1, line: d.aux[i] };
        }
      } else if (k === LineKind.Source) {
        v.source = d.sources[d.aux[i]];
      }
      out.push(v);
    }
    return out;
  }

  /** Next line at or after `from` of kind `k` (e.g. the next Branch state), or -1. */
  nextOfKind(from: number, k: LineKind, step: 1 | -1 = 1): number {
    const kinds = this.data.kind;
    for (let i = from; i >= 0 && i < kinds.length; i += step) if (kinds[i] === k) return i;
    return -1;
  }

  /** JSON for a webview: the summary and the columns as plain arrays (line text is fetched with `page`). */
  toJSON(): object {
    const d = this.data;
    return {
      summary: this.summary(),
      source: d.source,
      kind: Array.from(d.kind),
      pc: Array.from(d.pc),
      frame: Array.from(d.frame),
      sources: d.sources,
      errorLines: d.errorLines,
    };
  }

  close(): void {
    this.textSource.close?.();
  }
}
