// Test packets for dry runs: hex, classic pcap files, or a small UDP/IPv4 builder.
import { readInputFile } from '../bpf/object-file';
import { FormatError, UsageError } from '../util/errors';

/** Packets of a classic libpcap file (either byte order, µs or ns timestamps), Ethernet link type only. */
export function parsePcap(bytes: Uint8Array, source: string): Uint8Array[] {
  if (bytes.length < 24) throw new FormatError(source, 0, 'a 24-byte pcap file header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else if (magic === 0x0a0d0d0a) throw new FormatError(source, 0, 'classic pcap (this is pcapng: save it as pcap, e.g. `editcap -F pcap`)');
  else throw new FormatError(source, 0, `pcap magic 0xa1b2c3d4 or 0xa1b23c4d, got 0x${magic.toString(16)}`);
  const linktype = dv.getUint32(20, little) & 0x0fffffff;
  if (linktype !== 1) throw new FormatError(source, 20, `link type 1 (Ethernet), got ${linktype}`);
  const out: Uint8Array[] = [];
  for (let off = 24; off < bytes.length;) {
    if (off + 16 > bytes.length) throw new FormatError(source, off, 'a 16-byte packet record header');
    const incl = dv.getUint32(off + 8, little);
    if (incl > 262144 || off + 16 + incl > bytes.length) throw new FormatError(source, off + 8, `a captured length within the file, got ${incl}`);
    out.push(bytes.subarray(off + 16, off + 16 + incl));
    off += 16 + incl;
  }
  return out;
}

function ipv4(s: string): number[] {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new UsageError(`not an IPv4 address: '${s}'`);
  return p;
}

export interface UdpSpec {
  srcMac?: string;
  dstMac?: string;
  srcIp?: string;
  dstIp?: string;
  srcPort?: number;
  dstPort?: number;
  payload?: string | Uint8Array;
}

/** An Ethernet + IPv4 + UDP frame with a valid IPv4 header checksum (UDP checksum 0: allowed over IPv4). */
export function buildUdp(spec: UdpSpec = {}): Uint8Array {
  const mac = (m: string) => Buffer.from(m.replace(/[:-]/g, ''), 'hex');
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : Buffer.from(spec.payload ?? Buffer.from('xdp-meta'));
  const ipLen = 20 + 8 + payload.length;
  const f = Buffer.alloc(14 + ipLen);
  mac(spec.dstMac ?? '02:00:00:00:00:02').copy(f, 0);
  mac(spec.srcMac ?? '02:00:00:00:00:01').copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(ipLen, ip + 2);
  f.writeUInt16BE(0x4000, ip + 6); // DF
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  Buffer.from(ipv4(spec.srcIp ?? '10.0.0.1')).copy(f, ip + 12);
  Buffer.from(ipv4(spec.dstIp ?? '10.0.0.2')).copy(f, ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += f.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, ip + 10);
  const udp = ip + 20;
  f.writeUInt16BE(spec.srcPort ?? 40000, udp);
  f.writeUInt16BE(spec.dstPort ?? 9999, udp + 2);
  f.writeUInt16BE(8 + payload.length, udp + 4);
  payload.copy(f, udp + 8);
  return f;
}

/**
 * Packets from a command-line spec: a hex string, a `.pcap` path, or `udp[:SRC>DST[:PORT]]` for the
 * builder (e.g. `udp:10.0.0.1>10.0.0.2:53`).
 */
export function packetsFromSpec(spec: string): Uint8Array[] {
  if (/\.pcap$/i.test(spec)) {
    // One line naming the file (no such file, a directory, a device), not Node's raw errno text.
    return parsePcap(readInputFile(spec, 'a pcap file (--test-run)'), spec);
  }
  const udp = /^udp(?::([\d.]+)>([\d.]+)(?::(\d+))?)?$/.exec(spec);
  if (udp) return [buildUdp({ srcIp: udp[1], dstIp: udp[2], dstPort: udp[3] ? Number(udp[3]) : undefined })];
  const hex = spec.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError(`a test packet is hex, a .pcap file or udp[:SRC>DST[:PORT]], not '${spec.slice(0, 40)}'`);
  if (hex.length < 28) throw new UsageError(`a test packet needs at least an Ethernet header (14 bytes), got ${hex.length / 2}`);
  return [Buffer.from(hex, 'hex')];
}
