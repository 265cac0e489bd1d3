// What the verifier log viewer needs from a parsed log: pages of rows, search, register trace.
//
// The panel and its session talk to this interface only; verifier-log-core.ts implements it over the
// core model (src/core/verifier), and tests can implement it over anything.
import type { LogErrorInfo, LogRow, LogSummary, TraceLink } from '../../shared/webview-protocol';

export interface SearchHit {
  /** Row of the next match, -1 when none. */
  row: number;
  /** Matches in the whole log, -1 when not counted. */
  total: number;
}

export interface TraceResult {
  /** The slot's value at the asked row, when some line shows it. */
  value?: string;
  /** Where the slot was written, then where the slot that write read from was written, and so on. */
  chain: TraceLink[];
}

export interface LogDocument {
  readonly rowCount: number;
  readonly summary: LogSummary;
  readonly error?: LogErrorInfo;
  /** Rows of `from X to Y` lines, ascending. */
  readonly branches: number[];
  /** Explored segments as flat pairs [header, end). */
  readonly segments: number[];
  rows(from: number, to: number): LogRow[];
  search(query: string, from: number, backwards: boolean): SearchHit;
  trace(row: number, slot: string): TraceResult;
  /** Row showing instruction `insn` on the failing path (the last one before the error), or -1. */
  rowOfInsn(insn: number): number;
}
