// Decodes a binary rows frame from the agent (packed, length-prefixed records) into LiveRows with their metadata decoded.
import type { MetaDecoder } from './decode';
import { RemoteError } from './errors';
import { RECORD_HEADER, verdictName, type RowsFrame } from './protocol';
import type { Hook } from './capture-wrap';
import type { LiveRow } from './session';

/**
 * Record layout (little endian): u16 record length, u16 meta_len, u16 meta bytes present, u16 head bytes,
 * u64 ts_us, u32 ifindex, u32 queue, s32 verdict, u32 pkt_len; then the meta bytes and the head bytes.
 * A record that does not fit the frame, or whose lengths disagree, is a protocol error naming the offset.
 */
export function decodeFrame(f: RowsFrame, hook: Hook, decoder: MetaDecoder, host: string): LiveRow[] {
  const b = f.records;
  const rows: LiveRow[] = new Array(f.count);
  const verdicts = new Map<number, string>();
  let off = 0;
  for (let i = 0; i < f.count; i++) {
    if (off + RECORD_HEADER > b.length) throw bad(host, f, off, `record ${i} of ${f.count} starts past the frame's ${b.length} bytes`);
    const recLen = b.readUInt16LE(off);
    const metaLen = b.readUInt16LE(off + 2);
    const metaBytes = b.readUInt16LE(off + 4);
    const headBytes = b.readUInt16LE(off + 6);
    if (recLen !== RECORD_HEADER + metaBytes + headBytes || off + recLen > b.length || metaBytes > metaLen) {
      throw bad(host, f, off, `record ${i}: length ${recLen} with ${metaBytes} meta and ${headBytes} head bytes`);
    }
    const verdict = b.readInt32LE(off + 24);
    let name = verdicts.get(verdict);
    if (name === undefined) verdicts.set(verdict, (name = verdictName(hook, verdict)));
    const m = off + RECORD_HEADER;
    const row: LiveRow = {
      ts: (b.readUInt32LE(off + 8) + b.readUInt32LE(off + 12) * 0x1_0000_0000) / 1e6,
      ifindex: b.readUInt32LE(off + 16),
      queue: b.readUInt32LE(off + 20),
      verdict: name,
      verdict_code: verdict,
      pkt_len: b.readUInt32LE(off + 28),
      meta_len: metaLen,
      meta_hex: metaBytes ? b.toString('hex', m, m + metaBytes) : '',
      head_hex: b.toString('hex', m + metaBytes, m + metaBytes + headBytes),
    };
    if (metaBytes) {
      const d = decoder.decodeAt(b, m, metaBytes);
      if (d.fields) {
        row.struct = d.struct;
        row.struct_choice = d.choice;
        row.fields = d.fields;
      }
    }
    rows[i] = row;
    off += recLen;
  }
  if (off !== b.length) throw bad(host, f, off, `${b.length - off} bytes after the last of ${f.count} records`);
  return rows;
}

function bad(host: string, f: RowsFrame, off: number, what: string): RemoteError {
  return new RemoteError('protocol', host, `malformed rows frame of capture ${f.capture} at record byte ${off}: ${what}`);
}
