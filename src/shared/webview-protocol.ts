// Messages between the extension's panels and their webviews (verifier log viewer, live capture view).
//
// Both sides import this file: the extension (Node) and the webview bundles (browser). It holds
// types and tiny pure helpers only; no `vscode`, no DOM.

// ---------------------------------------------------------------------------------------------
// Verifier log viewer
// ---------------------------------------------------------------------------------------------

/** The webview panel type; also the key of the WebviewPanelSerializer. */
export const VERIFIER_LOG_VIEW_TYPE = 'xdpMeta.verifierLog';
/** Most rows one `getRows` may ask for; the extension clamps larger requests. */
export const MAX_ROWS_PER_REQUEST = 2048;

/** Line classes of a verifier log, as the viewer colours them. Unknown lines are kept, never dropped. */
export type LogRowKind =
  | 'insn' // `12: (61) r2 = *(u32 *)(r1 +4)` with an optional `; R2_w=pkt_end()` state
  | 'state' // `12: R1=ctx() R10=fp0` (state before an instruction, level 2)
  | 'source' // `; if (data + 14 > data_end) @ prog.bpf.c:31` (or the older form without `@`)
  | 'branch' // `from 12 to 15: R1=...` (a pending state the verifier pops)
  | 'func' // `func#1 @12`
  | 'frame' // `caller:` / `callee:` dumps and `frameN:` lines
  | 'live_regs' // "Live regs before insn:" section
  | 'scc' // SCC lines of newer kernels
  | 'error' // the rejection message(s)
  | 'stats' // `processed 42 insns (limit 1000000) ...`
  | 'pruned' // `26: safe`: the path met a state already proven safe
  | 'partial' // the first line of a rotated log (the kernel kept the tail; it may be cut mid-line)
  | 'info' // other known lines (libbpf banners, `verification time`, `stack depth`, precision tracking)
  | 'unknown';

export interface SourceLoc {
  file: string;
  line: number;
}

/** One log line as the webview renders it. `index` is the 0-based line number in the log. */
export interface LogRow {
  index: number;
  kind: LogRowKind;
  text: string;
  /** Instruction index for `insn`/`state`/`branch` rows (the `to` of `from X to Y`). */
  insn?: number;
  source?: SourceLoc;
  /** Register / stack slot states printed on this line: `r1` → `pkt(off=0,r=14)`, `fp-8` → `mmmmmmmm`. */
  regs?: Record<string, string>;
}

/** The rejection, shown first, with the explainer's words when the core library has them. */
export interface LogErrorInfo {
  message: string;
  /** Follow-up lines the verifier printed after the message. */
  details?: string[];
  /** The explainer's one-line title, e.g. "Metadata access beyond the proven range". */
  title?: string;
  /** Row of the error line. */
  row: number;
  /** Row of the failing instruction, when known. */
  insnRow?: number;
  insn?: number;
  source?: SourceLoc;
  explanation?: string;
  fix?: string;
  /** A code snippet for the fix. */
  fixCode?: string;
  /** Where the register the message is about came from, newest first. */
  history?: TraceLink[];
}

export interface LogSummary {
  level?: number;
  processedInsns?: number;
  totalStates?: number;
  peakStates?: number;
  lines: number;
  unknownLines: number;
  truncated?: boolean;
}

/** One link of a register/stack-slot history: the row that wrote `slot`, and the slot it copied from. */
export interface TraceLink {
  row: number;
  insn?: number;
  slot: string;
  value?: string;
  text: string;
  /** The slot this write read from (`r3 = r2` → `r2`), followed by the next link. */
  from?: string;
}

/** What the webview keeps across reloads (`vscode.setState`, restored by the panel serializer). */
export interface VerifierLogViewState {
  /** The log file (URI string) the panel shows; the serializer reopens it. */
  uri: string;
  /** First visible log row. */
  topRow: number;
  selectedRow?: number;
  query?: string;
  collapseExplored: boolean;
  /** Header rows of segments the user toggled against the default. */
  toggled?: number[];
}

export type VerifierLogToWebview =
  | {
      type: 'init';
      title: string;
      uri: string;
      totalRows: number;
      summary: LogSummary;
      error?: LogErrorInfo;
      /** Rows of `from X to Y` branch states, ascending. */
      branches: number[];
      /** Collapsible explored segments as flat pairs [header, end): rows header+1 .. end-1 fold away. */
      segments: number[];
      /** State to restore (after a reload). */
      state?: VerifierLogViewState;
    }
  | { type: 'rows'; reqId: number; from: number; rows: LogRow[] }
  | { type: 'searchResult'; reqId: number; query: string; row: number; total: number }
  | { type: 'traceResult'; reqId: number; row: number; slot: string; value?: string; chain: TraceLink[] }
  | { type: 'reveal'; row?: number; insn?: number }
  | { type: 'error'; message: string };

export type VerifierLogFromWebview =
  | { type: 'ready'; state?: VerifierLogViewState }
  | { type: 'getRows'; reqId: number; from: number; to: number }
  | { type: 'search'; reqId: number; query: string; from: number; backwards: boolean }
  | { type: 'trace'; reqId: number; row: number; slot: string }
  | { type: 'openSource'; file: string; line: number };

/** Validates state read back from a webview (it may be stale or from an older version); never throws. */
export function parseVerifierLogViewState(v: unknown): VerifierLogViewState | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.uri !== 'string' || o.uri.length === 0) return undefined;
  const nat = (x: unknown): number | undefined =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : undefined;
  const state: VerifierLogViewState = {
    uri: o.uri,
    topRow: nat(o.topRow) ?? 0,
    collapseExplored: o.collapseExplored === true,
  };
  const sel = nat(o.selectedRow);
  if (sel !== undefined) state.selectedRow = sel;
  if (typeof o.query === 'string' && o.query.length <= 1000) state.query = o.query;
  if (Array.isArray(o.toggled)) {
    const t = o.toggled.map(nat).filter((x): x is number => x !== undefined);
    if (t.length) state.toggled = t.slice(0, 100_000);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// Live capture view
// ---------------------------------------------------------------------------------------------

export const LIVE_VIEW_TYPE = 'xdpMeta.liveCapture';

/** One captured packet (the core's `LiveRow`, as `xdp-meta run --json` prints it, plus the packet head). */
export interface LiveRow {
  /** Seconds since the epoch (microsecond resolution). */
  ts: number;
  ifindex: number;
  /** Interface name, when the panel knows it. */
  ifname?: string;
  queue: number;
  /** `XDP_PASS`, `TC_ACT_OK`, ... or the number when unknown. */
  verdict: string;
  pkt_len?: number;
  meta_len: number;
  meta_hex: string;
  head_hex?: string;
  /** The struct the metadata was decoded with; no fields means hex only. */
  struct?: string;
  fields?: Record<string, number | string | boolean>;
}

/** Capture-side counters (the agent's): what reached the program and what was not captured. */
export interface LiveCounters {
  seen: number;
  captured: number;
  sampled_out: number;
  rate_limited: number;
  ringbuf_full: number;
}

export interface LiveStatus {
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'error';
  message: string;
  /** `host · dev · program` */
  target?: string;
  /** Capture mechanism in use, and what it cannot see (shown in the header). */
  mechanism?: string;
  blindSpots?: string[];
  counters?: LiveCounters;
  /** Rows the panel had received when these counters were read (so the view can show both as of one moment). */
  rowsAtCounters?: number;
  /** The panel can start the same capture again (Restart). */
  canRestart?: boolean;
}

export type LiveToWebview =
  | {
      type: 'rows';
      rows: LiveRow[];
      /** Rows the panel did not forward because the view could not keep up, by verdict (counted, not shown). */
      skipped?: Record<string, number>;
    }
  | { type: 'status'; status: LiveStatus }
  | { type: 'config'; title: string; capacity: number };

export type LiveFromWebview = { type: 'ready' } | { type: 'stop' } | { type: 'restart' };
