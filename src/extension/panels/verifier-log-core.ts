// LogDocument over the core verifier-log model (src/core/verifier): what the viewer pages, searches and traces.
import { readFileSync } from 'node:fs';
import {
  explain,
  InsnFlag,
  LineKind,
  NO_SLOT,
  parseLogFile,
  parseLogText,
  parseSlot,
  slotName,
  type HistoryStep,
  type LineView,
  type VerifierLog,
} from '../../core/verifier';
import { parseLogFileInWorker, parseLogTextInWorker } from '../../core/verifier/parse-in-worker';
import type { LogErrorInfo, LogRow, LogRowKind, LogSummary, TraceLink } from '../../shared/webview-protocol';
import { MAX_ROWS_PER_REQUEST } from '../../shared/webview-protocol';
import type { LogDocument, SearchHit, TraceResult } from './verifier-log-document';

/** The core's line kind names → the viewer's row classes. */
const KIND: Record<string, LogRowKind> = {
  insn: 'insn',
  state: 'state',
  source: 'source',
  branch: 'branch',
  func_info: 'func',
  live_regs_header: 'live_regs',
  live_regs: 'live_regs',
  scc: 'scc',
  error: 'error',
  stats: 'stats',
  frame_header: 'frame',
  frame_state: 'frame',
  pruned: 'pruned',
  partial: 'partial',
  unknown: 'unknown',
};

const SEARCH_CHUNK = 4096;
/** Logs up to this many lines get an exact match count on each search. */
const COUNT_LIMIT = 300_000;

export class CoreLogDocument implements LogDocument {
  readonly rowCount: number;
  readonly summary: LogSummary;
  readonly error?: LogErrorInfo;
  readonly branches: number[] = [];
  readonly segments: number[] = [];
  /** The rejected register's value at the rejected instruction, as the explanation derived it (the message's r). */
  private atError?: { row: number; slot: string; value: string };

  constructor(readonly log: VerifierLog) {
    this.rowCount = log.lineCount;
    const s = log.summary();
    this.summary = {
      level: s.level,
      processedInsns: s.processed_insns ?? undefined,
      totalStates: s.total_states ?? undefined,
      peakStates: s.peak_states ?? undefined,
      lines: s.lines,
      unknownLines: s.unknown_lines,
      truncated: s.truncated,
    };
    const kinds = log.data.kind;
    for (let i = 0; i < kinds.length; i++) if (kinds[i] === LineKind.Branch) this.branches.push(i);
    this.error = this.errorInfo();
    // Each `from X to Y` starts an explored segment that runs to the next one, or to the rejection.
    const tail = this.error ? this.error.row : this.rowCount;
    for (let k = 0; k < this.branches.length; k++) {
      const h = this.branches[k];
      const end = k + 1 < this.branches.length ? this.branches[k + 1] : h < tail ? tail : this.rowCount;
      if (end > h + 1) this.segments.push(h, end);
    }
  }

  private errorInfo(): LogErrorInfo | undefined {
    const err = this.log.error();
    if (!err) return undefined;
    const info: LogErrorInfo = { message: err.message, row: err.logLine };
    if (err.details.length) info.details = err.details;
    if (err.insnLogLine >= 0) info.insnRow = err.insnLogLine;
    if (err.insn >= 0) info.insn = err.insn;
    if (err.file && err.line !== undefined) info.source = { file: err.file, line: err.line };
    const x = explain(this.log);
    if (x && x.id !== 'unknown') {
      info.title = x.title;
      info.explanation = x.explanation;
      info.fix = x.fix;
      if (x.fixCode) info.fixCode = x.fixCode;
      if (x.history.length) info.history = x.history.map(link);
      if (x.value && x.register && err.insnLogLine >= 0) this.atError = { row: err.insnLogLine, slot: x.register, value: x.value };
    }
    return info;
  }

  rows(from: number, to: number): LogRow[] {
    const lo = Math.max(0, Math.floor(from));
    const hi = Math.min(this.rowCount, Math.floor(to), lo + MAX_ROWS_PER_REQUEST);
    return hi > lo ? this.log.page(lo, hi).map(toRow) : [];
  }

  /** Case-insensitive unless the query has an upper-case letter (VS Code's smart case); wraps around. */
  search(query: string, from: number, backwards: boolean): SearchHit {
    const n = this.rowCount;
    if (!query || n === 0) return { row: -1, total: 0 };
    const sensitive = query !== query.toLowerCase();
    const q = sensitive ? query : query.toLowerCase();
    const hit = (t: string): boolean => (sensitive ? t : t.toLowerCase()).includes(q);
    let row = -1;
    // Scan in chunks of lines read with one call, from `from` (exclusive) around to `from` (inclusive).
    const start = Math.min(Math.max(from, -1), n - 1);
    if (!backwards) {
      for (let done = 0, i = start + 1; done < n && row < 0; ) {
        if (i >= n) i = 0;
        const end = Math.min(n, i + SEARCH_CHUNK, i + (n - done));
        const texts = this.log.texts(i, end);
        for (let k = 0; k < texts.length; k++) if (hit(texts[k])) { row = i + k; break; }
        done += end - i;
        i = end;
      }
    } else {
      for (let done = 0, i = start < 0 ? n : start; done < n && row < 0; ) {
        if (i <= 0) i = n;
        const begin = Math.max(0, i - SEARCH_CHUNK, i - (n - done));
        const texts = this.log.texts(begin, i);
        for (let k = texts.length - 1; k >= 0; k--) if (hit(texts[k])) { row = begin + k; break; }
        done += i - begin;
        i = begin;
      }
    }
    let total = -1;
    if (row < 0) total = 0;
    else if (n <= COUNT_LIMIT) {
      total = 0;
      for (let i = 0; i < n; i += SEARCH_CHUNK) for (const t of this.log.texts(i, Math.min(n, i + SEARCH_CHUNK))) if (hit(t)) total++;
    }
    return { row, total };
  }

  /**
   * The slot's value at `row` and the chain of writes behind it. When the instruction on `row` writes the
   * slot itself, that write is the first link (a click on `r3` in `r3 += 4` starts there).
   */
  trace(row: number, slotIn: string): TraceResult {
    const log = this.log;
    const d = log.data;
    if (row < 0 || row >= this.rowCount || parseSlot(slotIn) === NO_SLOT) return { chain: [] };
    const slot = slotName(parseSlot(slotIn));
    const chain: TraceLink[] = [];
    let value: string | undefined;
    if (d.kind[row] === LineKind.Insn) {
      const n = d.aux[row];
      const printed = log.printedState(row).find((e) => e.name === slot)?.value;
      if (d.insnWrite[n] === parseSlot(slot)) {
        value = printed;
        const first: TraceLink = { row, insn: d.pc[row], slot, text: log.insnText(row) };
        if (printed !== undefined) first.value = printed;
        const f = d.insnFlags[n];
        let next: string | undefined;
        if (f & InsnFlag.Call) next = undefined;
        else if (f & InsnFlag.Update) next = slot;
        else if (d.insnSrc[n] !== NO_SLOT) next = slotName(d.insnSrc[n]);
        if (next) first.from = next;
        chain.push(first);
        if (next) chain.push(...log.history(row, next).map(link));
        return { value, chain: linkUp(chain) };
      }
      value = printed ?? log.stateBefore(row).get(slot);
      // The printed state can lag behind the range a bounds check gave a copy of this register.
      if (this.atError?.row === row && this.atError.slot === slot) value = this.atError.value;
    } else {
      value = log.printedState(row).find((e) => e.name === slot)?.value ?? log.stateBefore(row).get(slot);
    }
    chain.push(...log.history(row, slot).map(link));
    if (value === undefined && chain[0]?.value !== undefined) value = chain[0].value;
    return { value, chain: linkUp(chain) };
  }

  rowOfInsn(insn: number): number {
    if (this.error?.insn === insn && this.error.insnRow !== undefined) return this.error.insnRow;
    const rows = this.log.linesOfInsn(insn);
    if (!rows.length) return -1;
    const limit = this.error ? this.error.row : this.rowCount;
    let best = -1;
    for (const r of rows) if (r < limit) best = r;
    return best >= 0 ? best : rows[0];
  }
}

/** Each link read from the slot of the link after it. */
function linkUp(chain: TraceLink[]): TraceLink[] {
  for (let i = 0; i + 1 < chain.length; i++) chain[i].from ??= chain[i + 1].slot;
  return chain;
}

function link(h: HistoryStep): TraceLink {
  const l: TraceLink = { row: h.line, insn: h.pc, slot: h.slot, text: h.insn };
  if (h.value !== undefined) l.value = h.value;
  return l;
}

function toRow(v: LineView): LogRow {
  const row: LogRow = { index: v.index, kind: KIND[v.kind] ?? 'info', text: v.text };
  if (v.pc !== undefined) row.insn = v.pc;
  const src = v.source ?? v.insn?.source;
  if (src && src.file && v.kind === 'source') row.source = { file: src.file, line: src.line };
  const state = v.insn?.state ?? v.state;
  if (state?.length) {
    const regs: Record<string, string> = {};
    for (const e of state) regs[e.name] = e.value;
    row.regs = regs;
  }
  return row;
}

/** Parses a log file (streamed; line text is re-read from the file on demand). */
export async function openLogFile(path: string): Promise<CoreLogDocument> {
  return new CoreLogDocument(await parseLogFile(path));
}

/** Parses a log held in memory (a failed load's log, a non-file URI's bytes). */
export function openLogText(text: string | Buffer, source = '<log>'): CoreLogDocument {
  return new CoreLogDocument(parseLogText(text, { source }));
}

/** `openLogFile` with the parse in a worker thread (`script`: the bundled dist/log-worker.js). */
export async function openLogFileOffThread(path: string, script: string): Promise<CoreLogDocument> {
  return new CoreLogDocument(await parseLogFileInWorker(path, { script }));
}

/** `openLogText` with the parse in a worker thread. */
export async function openLogTextOffThread(bytes: Buffer, source: string, script: string): Promise<CoreLogDocument> {
  return new CoreLogDocument(await parseLogTextInWorker(bytes, source, { script }));
}

/** Synchronous file variant for tests. */
export function openLogFileSync(path: string): CoreLogDocument {
  return openLogText(readFileSync(path), path);
}
