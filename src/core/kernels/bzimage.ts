// bzImage (x86 boot protocol) → the compressed payload it carries → the ELF vmlinux, for every compressor the kernel offers.
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { FormatError, ToolError } from '../util/errors';
import { lz4LegacyDecode } from './lz4';

export type PayloadCompression = 'gzip' | 'xz' | 'lzma' | 'lz4' | 'zstd' | 'bzip2' | 'lzo' | 'none';

export interface BzImagePayload {
  compression: PayloadCompression;
  /** File offset of the compressed stream. */
  offset: number;
  /** The stream without the 4-byte uncompressed size the kernel's build appends. */
  data: Uint8Array;
  /** That appended size, when the header gave the payload's length. */
  uncompressedSize?: number;
  /** The header's kernel_version string ("6.12.117+deb12-cloud-amd64 (debian-kernel@...) #1 SMP ..."). */
  kernelVersion?: string;
}

const MAGICS: Array<[PayloadCompression, number[]]> = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  // lzma "alone": properties 0x5d and a 64 KiB-multiple dictionary; the kernel's build writes 5d 00 00.
  ['lzma', [0x5d, 0x00, 0x00]],
  ['none', [0x7f, 0x45, 0x4c, 0x46]],
];

function magicAt(b: Uint8Array, at: number): PayloadCompression | undefined {
  for (const [name, m] of MAGICS) if (m.every((x, i) => b[at + i] === x)) return name;
  return undefined;
}

/** True when `bytes` starts like a bzImage: the boot sector's 0x55aa and the setup header's "HdrS". */
export function isBzImage(bytes: Uint8Array): boolean {
  return bytes.length > 0x260 && bytes[0x1fe] === 0x55 && bytes[0x1ff] === 0xaa
    && bytes[0x202] === 0x48 && bytes[0x203] === 0x64 && bytes[0x204] === 0x72 && bytes[0x205] === 0x53;
}

/** Finds the payload through the setup header (boot protocol ≥ 2.08: payload_offset/payload_length). */
export function findPayload(bytes: Uint8Array, source: string): BzImagePayload {
  if (!isBzImage(bytes)) throw new FormatError(source, 0x202, 'a bzImage setup header (0x55aa at 0x1fe, "HdrS" at 0x202)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(0x206, true);
  const setupSects = bytes[0x1f1] || 4;
  const pm = (setupSects + 1) * 512;
  let kernelVersion: string | undefined;
  const kvPtr = dv.getUint16(0x20e, true);
  if (kvPtr && kvPtr + 0x200 < bytes.length) {
    const at = kvPtr + 0x200;
    const end = bytes.indexOf(0, at);
    if (end > at && end - at < 512) kernelVersion = Buffer.from(bytes.subarray(at, end)).toString('latin1');
  }
  if (version < 0x208) throw new FormatError(source, 0x206, `boot protocol 2.08 or later (payload_offset), got ${version >> 8}.${version & 0xff}`);
  const payloadOffset = pm + dv.getUint32(0x248, true);
  const payloadLength = dv.getUint32(0x24c, true);
  if (payloadLength < 8 || payloadOffset + payloadLength > bytes.length) {
    throw new FormatError(source, 0x248, `payload_offset/payload_length inside the file (offset ${payloadOffset}, length ${payloadLength}, file ${bytes.length})`);
  }
  const compression = magicAt(bytes, payloadOffset);
  if (!compression) {
    const head = Buffer.from(bytes.subarray(payloadOffset, payloadOffset + 8)).toString('hex').replace(/(..)/g, '$1 ').trim();
    throw new FormatError(source, payloadOffset, `a compressed vmlinux (gzip, xz, lzma, lz4, zstd, bzip2, lzo) at the payload, found ${head}`);
  }
  const end = payloadOffset + payloadLength;
  return {
    compression, offset: payloadOffset, kernelVersion,
    data: bytes.subarray(payloadOffset, end - 4),
    uncompressedSize: dv.getUint32(end - 4, true),
  };
}

function viaTool(tool: string, args: string[], input: Uint8Array, source: string, what: string): Uint8Array {
  try {
    return execFileSync(tool, args, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new ToolError(`${source}: decompressing its ${what} payload needs \`${tool}\` (Debian: apt-get install ${tool === 'zstd' ? 'zstd' : 'xz-utils'})`, { cause: e });
    throw new FormatError(source, 0, `a valid ${what} stream (${tool}: ${String(err.stderr ?? err.message).trim().split('\n').pop()})`, { cause: e });
  }
}

/** Decompresses the payload to the ELF vmlinux. gzip: Node's zlib; lz4: our decoder; zstd, xz, lzma: Debian's tools. */
export function decompressPayload(p: BzImagePayload, source: string): Uint8Array {
  switch (p.compression) {
    case 'none': return p.data;
    case 'gzip':
      try {
        return gunzipSync(p.data);
      } catch (e) {
        throw new FormatError(source, p.offset, `a valid gzip stream (${(e as Error).message})`, { cause: e });
      }
    case 'lz4': return lz4LegacyDecode(p.data, `${source} (lz4 payload at ${p.offset})`, p.uncompressedSize);
    case 'zstd': return viaTool('zstd', ['-dcq'], p.data, source, 'zstd');
    case 'xz': return viaTool('xz', ['-dcq', '--format=xz', '--single-stream'], p.data, source, 'xz');
    case 'lzma': return viaTool('xz', ['-dcq', '--format=lzma'], p.data, source, 'lzma');
    default:
      throw new FormatError(source, p.offset, `a payload compressed with gzip, xz, lzma, lz4 or zstd (this kernel uses ${p.compression}, which we do not decompress)`);
  }
}

/** vmlinuz bytes → vmlinux bytes (an ELF). */
export function extractVmlinux(bytes: Uint8Array, source: string): { vmlinux: Uint8Array; payload: BzImagePayload } {
  const payload = findPayload(bytes, source);
  const vmlinux = decompressPayload(payload, source);
  if (!(vmlinux[0] === 0x7f && vmlinux[1] === 0x45 && vmlinux[2] === 0x4c && vmlinux[3] === 0x46)) {
    throw new FormatError(source, payload.offset, `an ELF vmlinux inside the ${payload.compression} payload`);
  }
  return { vmlinux, payload };
}
