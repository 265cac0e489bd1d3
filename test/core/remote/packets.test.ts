// Unit tests of dry-run packet sources: the UDP builder, classic pcap (both byte orders), command-line specs.
import { strict as assert } from 'node:assert';
import { buildUdp, packetsFromSpec, parsePcap } from '../../../src/core/remote/packets';
import { FormatError, UsageError } from '../../../src/core/util/errors';

function pcap(packets: Buffer[], little = true, linktype = 1): Buffer {
  const u32 = (v: number) => { const b = Buffer.alloc(4); if (little) b.writeUInt32LE(v); else b.writeUInt32BE(v); return b; };
  const u16 = (v: number) => { const b = Buffer.alloc(2); if (little) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; };
  const parts: Buffer[] = [u32(0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(65535), u32(linktype)];
  for (const p of packets) parts.push(u32(1), u32(2), u32(p.length), u32(p.length), p);
  return Buffer.concat(parts);
}

describe('core/remote/packets', () => {
  it('builds a UDP/IPv4 frame with a valid header checksum', () => {
    const f = Buffer.from(buildUdp({ srcIp: '192.168.1.1', dstIp: '192.168.1.2', dstPort: 53, payload: 'hi' }));
    assert.equal(f.length, 14 + 20 + 8 + 2);
    assert.equal(f.readUInt16BE(12), 0x0800);
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += f.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    assert.equal(sum, 0xffff, 'checksum verifies');
    assert.equal(f.readUInt16BE(36), 53);
    assert.equal(f.subarray(42).toString(), 'hi');
  });

  it('reads classic pcap in either byte order, and names the offset of a bad record', () => {
    const a = Buffer.from(buildUdp());
    const b = Buffer.from(buildUdp({ dstPort: 1 }));
    for (const little of [true, false]) {
      const got = parsePcap(pcap([a, b], little), 'x.pcap');
      assert.deepEqual(got.map((p) => Buffer.from(p).toString('hex')), [a.toString('hex'), b.toString('hex')]);
    }
    const cut = pcap([a]).subarray(0, 24 + 16 + 10);
    assert.throws(() => parsePcap(cut, 'cut.pcap'), (e: unknown) => e instanceof FormatError && e.offset === 32 && /cut\.pcap/.test(e.message));
    assert.throws(() => parsePcap(pcap([a], true, 113), 'sll.pcap'), /link type 1 \(Ethernet\), got 113/);
    assert.throws(() => parsePcap(Buffer.from('0a0d0d0a' + '00'.repeat(24), 'hex'), 'n.pcapng'), /this is pcapng/);
  });

  it('parses specs: hex, udp builder; rejects short or non-hex input', () => {
    assert.equal(packetsFromSpec('ff'.repeat(14))[0].length, 14);
    assert.equal(Buffer.from(packetsFromSpec('udp:1.2.3.4>5.6.7.8:80')[0]).readUInt16BE(36), 80);
    assert.throws(() => packetsFromSpec('ffff'), (e: unknown) => e instanceof UsageError && /at least an Ethernet header/.test(e.message));
    assert.throws(() => packetsFromSpec('zz'), UsageError);
    assert.throws(() => packetsFromSpec('udp:1.2.3>5.6.7.8'), /not an IPv4 address/);
  });
});
