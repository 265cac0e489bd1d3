// Shape checks of what an agent sends: a malformed reply, event or row is a typed protocol error, never a TypeError.
import type { AgentOp, WireRow } from './protocol';

type Json = Record<string, unknown>;
type Check = (v: unknown) => boolean;

const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v) => Number.isSafeInteger(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const hex: Check = (v) => typeof v === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(v);
const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const obj = (fields: Record<string, Check>): Check => (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(fields).every(([k, c]) => c((v as Json)[k]));
const optional = (c: Check): Check => (v) => v === undefined || c(v);

/** The fields of each successful reply that the client reads (more may be present). */
const REPLY_FIELDS: Partial<Record<AgentOp, Record<string, Check>>> = {
  hello: { version: int, agent: str, arch: str, kernel: str, pid: int },
  probe: { kernel: str, interfaces: arrayOf(obj({ name: str, ifindex: int })) },
  load: { prog: int, name: str, type: (v) => v === 'xdp' || v === 'tc', dev_bound: bool, log: str, libbpf_log: optional(str) },
  attach: { link: int, ifindex: int },
  capture: { capture: int, mechanism: str, blind_spots: arrayOf(str) },
  test_run: { retval: num, meta_len: int, meta: hex, data: hex },
};

/** What is wrong with a successful reply to `op`, or undefined when the client can use it. */
export function replyProblem(op: string, reply: Json): string | undefined {
  const fields = REPLY_FIELDS[op as AgentOp];
  if (!fields) return undefined;
  for (const [k, c] of Object.entries(fields)) {
    if (!c(reply[k])) return `the "${op}" reply has a missing or malformed "${k}" (${JSON.stringify(reply[k])?.slice(0, 80) ?? 'missing'})`;
  }
  return undefined;
}

/** What is wrong with a failed reply (`ok: false`), or undefined. */
export function errorReplyProblem(reply: Json): string | undefined {
  if (!obj({ code: str, message: str, errno: optional(int) })(reply.error)) return `an error reply without a well-formed "error" {code, message}`;
  if (!optional(str)(reply.log) || !optional(str)(reply.libbpf_log)) return 'an error reply whose "log" is not a string';
  return undefined;
}

/** What is wrong with an event line (`ev`), or undefined. Rows are checked one by one by `wireRowProblem`. */
export function eventProblem(ev: Json): string | undefined {
  switch (ev.ev) {
    case 'rows': return int(ev.capture) && Array.isArray(ev.rows) ? undefined : 'a "rows" event without a capture number and a rows array';
    case 'stats':
      return ['capture', 'seen', 'captured', 'sampled_out', 'rate_limited', 'ringbuf_full'].every((k) => int(ev[k])) && bool(ev.final)
        ? undefined : 'a "stats" event with missing or non-integer counters';
    case 'detached': return int(ev.link) && int(ev.ifindex) && str(ev.reason) ? undefined : 'a "detached" event without link, ifindex and reason';
    default: return `an unknown event ${JSON.stringify(ev.ev)?.slice(0, 40)}`;
  }
}

/** What is wrong with one captured row ([ts_us, ifindex, queue, verdict, pkt_len, meta_len, meta_hex, head_hex]), or undefined. */
export function wireRowProblem(r: unknown): string | undefined {
  if (!Array.isArray(r) || r.length !== 8) return `a row that is not an array of 8 values: ${JSON.stringify(r)?.slice(0, 80)}`;
  const row = r as unknown[];
  for (let i = 0; i < 6; i++) if (!num(row[i])) return `a row whose value ${i} is not a number: ${JSON.stringify(r).slice(0, 80)}`;
  if (!hex(row[6]) || !hex(row[7])) return `a row whose metadata or packet head is not hex: ${JSON.stringify(r).slice(0, 80)}`;
  return undefined;
}

export function isWireRow(r: unknown): r is WireRow {
  return wireRowProblem(r) === undefined;
}
