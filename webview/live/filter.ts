// The live view's filter: space-separated terms, all must match a row.
//
//   pass            substring of the row's text (verdict, interface, fields, hex), any case
//   verdict=drop    a column or field equals the value (XDP_ prefix optional for verdicts)
//   mark!=0         a column or field differs
//   hash>100        numeric comparison (> < >= <=) on a column or field
//   -pass           negation of any term
import type { LiveRow } from '../../src/shared/webview-protocol';

export type RowPredicate = (row: LiveRow) => boolean;

const TERM_RE = /^([A-Za-z_][\w.[\]]*)(=|!=|>=|<=|>|<)(.*)$/;

function column(row: LiveRow, key: string): unknown {
  switch (key) {
    case 'verdict':
      return row.verdict;
    case 'if':
    case 'ifname':
    case 'dev':
      return row.ifname ?? row.ifindex;
    case 'ifindex':
      return row.ifindex;
    case 'queue':
      return row.queue;
    case 'meta_len':
    case 'len':
      return row.meta_len;
    case 'hex':
    case 'meta':
      return row.meta_hex;
    default:
      return row.fields?.[key];
  }
}

/** Text a bare term is searched in (lower case). */
export function rowText(row: LiveRow): string {
  const f = row.fields ? Object.entries(row.fields).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  return `${row.verdict} ${row.ifname ?? ''} if${row.ifindex} q${row.queue} ${f} ${row.meta_hex}`.toLowerCase();
}

function equalish(a: unknown, b: string, key: string): boolean {
  if (a === undefined || a === null) return false;
  const s = String(a).toLowerCase();
  const v = b.toLowerCase();
  if (s === v) return true;
  if (key === 'verdict' && (s === `xdp_${v}` || s === `tc_act_${v}`)) return true;
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && b.trim() !== '' && Number.isFinite(nb) && na === nb;
}

function term(t: string): RowPredicate {
  if (t.startsWith('-') && t.length > 1) {
    const p = term(t.slice(1));
    return (r) => !p(r);
  }
  const m = TERM_RE.exec(t);
  if (m) {
    const [, k, op, value] = m;
    switch (op) {
      case '=':
        return (r) => equalish(column(r, k), value, k);
      case '!=':
        return (r) => !equalish(column(r, k), value, k);
      default: {
        const n = Number(value);
        if (!Number.isFinite(n)) return () => false;
        return (r) => {
          const x = Number(column(r, k));
          if (!Number.isFinite(x)) return false;
          return op === '>' ? x > n : op === '<' ? x < n : op === '>=' ? x >= n : x <= n;
        };
      }
    }
  }
  const needle = t.toLowerCase();
  return (r) => rowText(r).includes(needle);
}

/** Compiles filter text; an empty filter matches everything. */
export function compileFilter(text: string): RowPredicate {
  const terms = text.trim().split(/\s+/).filter(Boolean).map(term);
  if (!terms.length) return () => true;
  return (r) => terms.every((p) => p(r));
}
