// Unit tests of binary rows frames: records decoded into rows (verdicts, timestamps, hex, fields), malformed records refused.
import { strict as assert } from 'node:assert';
import { BtfBuilder } from '../../../src/core/btf';
import { jsonRow } from '../../../src/cli/commands/run';
import { MetaDecoder } from '../../../src/core/remote/decode';
import { RemoteError } from '../../../src/core/remote/errors';
import { decodeFrame } from '../../../src/core/remote/frame';
import type { LiveRow } from '../../../src/core/remote/session';

function decoder(): MetaDecoder {
  const b = new BtfBuilder();
  const u32 = b.int('unsigned int', 4);
  const u64 = b.int('unsigned long long', 8);
  b.struct('bench_meta', 16, [{ name: 'magic', typeId: u32, bitOffset: 0 }, { name: 'seq', typeId: u32, bitOffset: 32 }, { name: 'cookie', typeId: u64, bitOffset: 64 }]);
  return new MetaDecoder(b.build('t.o:.BTF'), { evidence: { written: ['bench_meta'], read: [], trailer: [] } });
}

function record(o: { tsUs: number; verdict: number; meta: Buffer; head: Buffer; metaLen?: number }): Buffer {
  const r = Buffer.alloc(32);
  r.writeUInt16LE(32 + o.meta.length + o.head.length, 0);
  r.writeUInt16LE(o.metaLen ?? o.meta.length, 2);
  r.writeUInt16LE(o.meta.length, 4);
  r.writeUInt16LE(o.head.length, 6);
  r.writeBigUInt64LE(BigInt(o.tsUs), 8);
  r.writeUInt32LE(5, 16);
  r.writeUInt32LE(1, 20);
  r.writeInt32LE(o.verdict, 24);
  r.writeUInt32LE(60, 28);
  return Buffer.concat([r, o.meta, o.head]);
}

const meta = (seq: number, cookie: bigint) => {
  const m = Buffer.alloc(16);
  m.writeUInt32LE(0xb0a710ad, 0);
  m.writeUInt32LE(seq, 4);
  m.writeBigUInt64LE(cookie, 8);
  return m;
};

describe('core/remote/frame', () => {
  it('decodes records into rows with their metadata fields; --json text equals JSON.stringify of the row', () => {
    const records = Buffer.concat([
      record({ tsUs: 1764083652123456, verdict: 2, meta: meta(1, 0x1122334455667788n), head: Buffer.from('0a0b', 'hex') }),
      record({ tsUs: 1764083652123457, verdict: 1, meta: meta(2, 7n), head: Buffer.alloc(0) }),
      record({ tsUs: 1764083652123458, verdict: 9, meta: Buffer.alloc(0), head: Buffer.from('ff', 'hex') }),
    ]);
    const rows = decodeFrame({ capture: 3, count: 3, records }, 'xdp', decoder(), 'h');
    assert.deepEqual(rows.map((r) => [r.ts, r.verdict, r.meta_hex.length, r.head_hex, r.struct]), [
      [1764083652.123456, 'XDP_PASS', 32, '0a0b', 'bench_meta'],
      [1764083652.123457, 'XDP_DROP', 32, '', 'bench_meta'],
      [1764083652.123458, '9', 0, 'ff', undefined],
    ]);
    // u64 beyond 2^53 stays exact as a decimal string; below it, a number.
    assert.deepEqual(rows[0].fields, { magic: 0xb0a710ad, seq: 1, cookie: '1234605616436508552' });
    assert.deepEqual(rows[1].fields, { magic: 0xb0a710ad, seq: 2, cookie: 7 });
    for (const r of rows) {
      const expected = JSON.stringify({ ts: r.ts, ifindex: r.ifindex, queue: r.queue, verdict: r.verdict, meta_len: r.meta_len, meta_hex: r.meta_hex,
        fields: r.fields ?? null, struct: r.struct ?? null, pkt_len: r.pkt_len, head_hex: r.head_hex });
      assert.equal(jsonRow(r), expected);
    }
  });

  it('--json text equals JSON.stringify for any field values (strings to escape, NaN, booleans, no fields)', () => {
    const base = { ts: 1.5, ifindex: 1, queue: 0, verdict: 'XDP_PASS', verdict_code: 2, pkt_len: 60, meta_len: 0, meta_hex: '', head_hex: '' };
    const cases: (Record<string, string | number | boolean> | undefined)[] = [{ 'we"ird': 'a"b\\c\n', nan: NaN, inf: -Infinity, neg0: -0, big: 1e21, t: true, f: false }, {}, undefined];
    for (const fields of cases) {
      const r: LiveRow = { ...base, fields, struct: fields ? 'odd"struct' : undefined };
      assert.equal(jsonRow(r), JSON.stringify({ ts: r.ts, ifindex: 1, queue: 0, verdict: 'XDP_PASS', meta_len: 0, meta_hex: '', fields: fields ?? null,
        struct: r.struct ?? null, pkt_len: 60, head_hex: '' }));
    }
  });

  it('refuses a record whose lengths disagree, or bytes after the last record, naming the offset', () => {
    const good = record({ tsUs: 1, verdict: 2, meta: meta(1, 1n), head: Buffer.alloc(4) });
    const bad = Buffer.from(good);
    bad.writeUInt16LE(200, 0);
    assert.throws(() => decodeFrame({ capture: 3, count: 1, records: bad }, 'xdp', decoder(), 'lab'),
      (e: unknown) => e instanceof RemoteError && e.kind === 'protocol' && /^lab: malformed rows frame of capture 3 at record byte 0: record 0/.test(e.message));
    assert.throws(() => decodeFrame({ capture: 3, count: 2, records: good }, 'xdp', decoder(), 'lab'),
      (e: unknown) => e instanceof RemoteError && /record 1 of 2 starts past/.test(e.message));
    assert.throws(() => decodeFrame({ capture: 3, count: 1, records: Buffer.concat([good, Buffer.alloc(3)]) }, 'xdp', decoder(), 'lab'),
      (e: unknown) => e instanceof RemoteError && /3 bytes after the last of 1 records/.test(e.message));
  });
});
