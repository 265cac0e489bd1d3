// A decoder for the LZ4 "legacy" frame format that the kernel's build uses for lz4-compressed bzImage payloads.
import { FormatError } from '../util/errors';

/** 0x184C2102, little-endian on disk: `02 21 4c 18`. */
export const LZ4_LEGACY_MAGIC = 0x184c2102;

/**
 * Decodes a legacy frame: the magic, then blocks of [u32 compressed size][LZ4 block], each block at most 8 MiB
 * decompressed. `expectedSize` (the kernel appends the uncompressed size after the payload) sizes the output once.
 */
export function lz4LegacyDecode(input: Uint8Array, source: string, expectedSize?: number): Uint8Array {
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 4 || dv.getUint32(0, true) !== LZ4_LEGACY_MAGIC) throw new FormatError(source, 0, 'LZ4 legacy magic 02 21 4c 18');
  let out = new Uint8Array(expectedSize && expectedSize > 0 ? expectedSize : Math.max(input.length * 4, 1 << 20));
  let o = 0;
  const grow = (need: number): void => {
    if (o + need <= out.length) return;
    const next = new Uint8Array(Math.max(out.length * 2, o + need));
    next.set(out.subarray(0, o));
    out = next;
  };
  let p = 4;
  while (p + 4 <= input.length) {
    const size = dv.getUint32(p, true);
    // A second frame (concatenated streams) starts with the magic again.
    if (size === LZ4_LEGACY_MAGIC) { p += 4; continue; }
    p += 4;
    if (size === 0) break;
    const end = p + size;
    if (end > input.length) throw new FormatError(source, p - 4, `an LZ4 block of ${size} bytes inside the input (${input.length - p} left)`);
    while (p < end) {
      const token = input[p++]!;
      let lit = token >> 4;
      if (lit === 15) {
        let b: number;
        do {
          if (p >= end) throw new FormatError(source, p, 'an LZ4 literal length byte');
          b = input[p++]!;
          lit += b;
        } while (b === 255);
      }
      if (p + lit > end) throw new FormatError(source, p, `${lit} literal bytes inside the block`);
      grow(lit);
      out.set(input.subarray(p, p + lit), o);
      o += lit;
      p += lit;
      if (p >= end) break; // the last sequence of a block has literals only
      if (p + 2 > end) throw new FormatError(source, p, 'an LZ4 match offset');
      const off = input[p]! | (input[p + 1]! << 8);
      p += 2;
      if (off === 0 || off > o) throw new FormatError(source, p - 2, `an LZ4 match offset within the ${o} bytes written (got ${off})`);
      let len = (token & 15) + 4;
      if ((token & 15) === 15) {
        let b: number;
        do {
          if (p >= end) throw new FormatError(source, p, 'an LZ4 match length byte');
          b = input[p++]!;
          len += b;
        } while (b === 255);
      }
      grow(len);
      // Overlapping copies repeat the last `off` bytes: copy forward byte by byte when they overlap.
      if (off >= len) out.copyWithin(o, o - off, o - off + len);
      else for (let i = 0; i < len; i++) out[o + i] = out[o - off + i]!;
      o += len;
    }
  }
  return out.subarray(0, o);
}
