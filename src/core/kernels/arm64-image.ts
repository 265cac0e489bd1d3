// arm64 kernel Image (Documentation/arch/arm64/booting.rst) → its BTF and release: the Image is raw memory, not ELF.
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../util/errors';
import { BTF_MAGIC } from '../btf/wire';

/** "ARM\x64" at offset 56 of the Image header. */
const ARM64_MAGIC = 0x644d5241;

/** True when `bytes` is an arm64 Image (raw, or signed with a PE header in front: the magic is at 56 either way). */
export function isArm64Image(bytes: Uint8Array): boolean {
  return bytes.length > 64 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(56, true) === ARM64_MAGIC;
}

/** Debian ships the Image raw; other distributions gzip it (vmlinuz = Image.gz). Either way: the raw Image, or undefined. */
export function arm64Image(bytes: Uint8Array, source: string): Uint8Array | undefined {
  if (isArm64Image(bytes)) return bytes;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return undefined;
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes);
  } catch (e) {
    throw new FormatError(source, 0, `a valid gzip stream (${(e as Error).message})`, { cause: e });
  }
  return isArm64Image(raw) ? raw : undefined;
}

/**
 * The kernel's BTF inside a raw Image: the linker places .BTF between __start_BTF and __stop_BTF with no section
 * table left to find it, so scan for a BTF header (magic, version 1, hdr_len 24, types first, strings right after,
 * the whole blob inside the file) whose string section starts with the empty string, as btf__parse requires.
 */
export function btfOfArm64Image(image: Uint8Array, source: string): Uint8Array {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const found: Array<{ at: number; size: number }> = [];
  for (let at = image.indexOf(0x9f); at >= 0 && at + 24 <= image.length; at = image.indexOf(0x9f, at + 1)) {
    if (dv.getUint16(at, true) !== BTF_MAGIC || image[at + 2] !== 1 || image[at + 3] !== 0) continue;
    const hdrLen = dv.getUint32(at + 4, true);
    const typeOff = dv.getUint32(at + 8, true);
    const typeLen = dv.getUint32(at + 12, true);
    const strOff = dv.getUint32(at + 16, true);
    const strLen = dv.getUint32(at + 20, true);
    const size = hdrLen + strOff + strLen;
    if (hdrLen !== 24 || typeOff !== 0 || strOff !== typeLen || typeLen === 0 || strLen === 0 || at + size > image.length) continue;
    if (image[at + hdrLen + strOff] !== 0) continue;
    found.push({ at, size });
  }
  if (found.length === 0) throw new FormatError(source, 0, 'kernel BTF in the arm64 Image (no BTF header found; was it built with CONFIG_DEBUG_INFO_BTF?)');
  // Module-sized BTF blobs could in principle be embedded too: the kernel's own is by far the largest.
  const best = found.reduce((a, b) => (b.size > a.size ? b : a));
  return image.subarray(best.at, best.at + best.size);
}

/** The release from the Image's banner ("Linux version 6.1.0-50-cloud-arm64 (debian-kernel@...) ..."). */
export function arm64ImageRelease(image: Uint8Array): string | undefined {
  const at = Buffer.from(image.buffer, image.byteOffset, image.byteLength).indexOf('Linux version ');
  if (at < 0) return undefined;
  const end = image.indexOf(0x20, at + 14);
  return end > at + 14 && end - at < 200 ? Buffer.from(image.subarray(at + 14, end)).toString('latin1') : undefined;
}
