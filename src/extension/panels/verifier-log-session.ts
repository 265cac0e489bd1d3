// Answers one verifier-log webview's requests (pages of rows, search, trace) from a LogDocument.
//
// Kept free of `vscode` so the paging protocol is tested headless; the panel only forwards messages
// and handles `openSource`/`state`, which need the editor.
import type {
  VerifierLogFromWebview,
  VerifierLogToWebview,
  VerifierLogViewState,
} from '../../shared/webview-protocol';
import type { LogDocument } from './verifier-log-document';

export class VerifierLogSession {
  constructor(
    readonly doc: LogDocument,
    readonly uri: string,
    readonly title: string,
  ) {}

  /** The first message: everything the webview needs before it asks for rows. */
  init(state?: VerifierLogViewState): VerifierLogToWebview {
    const d = this.doc;
    return {
      type: 'init',
      title: this.title,
      uri: this.uri,
      totalRows: d.rowCount,
      summary: d.summary,
      error: d.error,
      branches: d.branches,
      segments: d.segments,
      state: state && state.uri === this.uri ? state : undefined,
    };
  }

  /** The reply to a request, or undefined for messages the panel handles itself. */
  handle(msg: VerifierLogFromWebview): VerifierLogToWebview | undefined {
    switch (msg.type) {
      case 'getRows': {
        const from = clampRow(msg.from, this.doc.rowCount);
        return { type: 'rows', reqId: msg.reqId, from, rows: this.doc.rows(from, clampRow(msg.to, this.doc.rowCount)) };
      }
      case 'search': {
        const q = String(msg.query).slice(0, 1000);
        const hit = this.doc.search(q, clampRow(msg.from, this.doc.rowCount), msg.backwards === true);
        return { type: 'searchResult', reqId: msg.reqId, query: q, row: hit.row, total: hit.total };
      }
      case 'trace': {
        const row = clampRow(msg.row, this.doc.rowCount);
        const slot = /^(?:r(?:10|[0-9])|fp-?\d+)$/.test(msg.slot) ? msg.slot : 'r0';
        const t = this.doc.trace(row, slot);
        return { type: 'traceResult', reqId: msg.reqId, row, slot, value: t.value, chain: t.chain };
      }
      default:
        return undefined;
    }
  }

  /** A `reveal` for a diagnostic link that names an instruction. */
  reveal(insn: number): VerifierLogToWebview {
    const row = this.doc.rowOfInsn(insn);
    return row >= 0 ? { type: 'reveal', row } : { type: 'reveal', insn };
  }
}

function clampRow(x: unknown, n: number): number {
  const v = typeof x === 'number' && Number.isFinite(x) ? Math.floor(x) : 0;
  return Math.min(Math.max(0, v), n);
}
