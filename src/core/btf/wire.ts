// BTF wire format: header, string section and the byte offset of every type record, validated without building objects.
import { FormatError } from '../util/errors';
import type { ByteOrder } from './types';

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_SIZE = 24;
export const BTF_TYPE_SIZE = 12;
export const BTF_MAX_KIND = 19;

/** Where a split BTF continues from: the base's id count and string section size. */
export interface BtfWireBase {
  readonly count: number;
  readonly stringsSize: number;
  readonly byteOrder: ByteOrder;
}

export interface BtfWire {
  readonly source: string;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  /** Absolute byte offsets of the type and string sections in `bytes`. */
  readonly typesStart: number;
  readonly typesEnd: number;
  readonly stringsStart: number;
  /** This BTF's own string bytes (offsets below `stringsBase` belong to the base). */
  readonly strings: Uint8Array;
  readonly stringsBase: number;
  /** First id of this BTF's own types (1, or base.count for split BTF). */
  readonly startId: number;
  /** Number of own types; own type i has id startId + i. */
  readonly length: number;
  /** Absolute byte offset of own type i's `struct btf_type` (computed on first use). */
  readonly offsets: Uint32Array;
  /** The type section as host-order u32 words (records are 4-byte multiples): no DataView or byte swaps when decoding. */
  readonly words: Uint32Array;
  /** Index in `words` of own type i's `struct btf_type`. */
  readonly wordIdx: Uint32Array;
}

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The type section as u32 words in host order: a view when possible, else a swapped copy. */
function typeWords(bytes: Uint8Array, view: DataView, start: number, len: number, le: boolean): Uint32Array {
  if (le === HOST_LE && (bytes.byteOffset + start) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + start, len / 4);
  const w = new Uint32Array(len / 4);
  for (let i = 0; i < w.length; i++) w[i] = view.getUint32(start + 4 * i, le);
  return w;
}

/**
 * Words of kind-specific data after a `struct btf_type`: FIXED_WORDS[kind] + VLEN_WORDS[kind] * vlen,
 * FIXED_WORDS -1 for an unknown kind. Tables rather than a switch: the record walk runs once per load,
 * mostly before V8 has optimized it, where a call and a switch per record cost more than the rest.
 */
const FIXED_WORDS = new Int8Array(32).fill(-1);
const VLEN_WORDS = new Uint8Array(32);
for (const k of [2, 7, 8, 9, 10, 11, 12, 16, 18]) FIXED_WORDS[k] = 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
for (const k of [1, 14, 17]) FIXED_WORDS[k] = 1; // INT encoding, VAR linkage, DECL_TAG component_idx
FIXED_WORDS[3] = 3; // btf_array
for (const k of [4, 5, 15, 19]) { FIXED_WORDS[k] = 0; VLEN_WORDS[k] = 3; } // btf_member, btf_var_secinfo, btf_enum64
for (const k of [6, 13]) { FIXED_WORDS[k] = 0; VLEN_WORDS[k] = 2; } // btf_enum, btf_param

/** Size in bytes of the kind-specific data following a `struct btf_type`, or -1 for an unknown kind. */
export function extraSize(kind: number, vlen: number): number {
  const fixed = kind >= 0 && kind < 32 ? FIXED_WORDS[kind]! : -1;
  return fixed < 0 ? -1 : 4 * (fixed + VLEN_WORDS[kind]! * vlen);
}

/** Detects byte order from the magic: bytes 9f eb are little-endian, eb 9f big-endian. */
export function btfByteOrder(bytes: Uint8Array): ByteOrder | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0x9f && bytes[1] === 0xeb) return 'little';
  if (bytes[0] === 0xeb && bytes[1] === 0x9f) return 'big';
  return undefined;
}

/** Validates the header, the string section and every type record's extent; records no more than offsets. */
export function parseBtfWire(bytes: Uint8Array, source: string, base?: BtfWireBase): BtfWire {
  const h = parseSections(bytes, source, base);
  const { words, typesStart, stringsTotal } = h;
  const nWords = words.length;
  const all = new Uint32Array(Math.floor(words.byteLength / BTF_TYPE_SIZE) + 1);
  let n = 0;
  let q = 0; // word index
  // Hot loop (126k records in vmlinux): plain typed-array reads, the error paths out of line.
  while (q < nWords) {
    if (q + 3 > nWords) throw recordError(source, words, typesStart, q, n, base, stringsTotal);
    const info = words[q + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const fixed = FIXED_WORDS[kind]!;
    const end = q + 3 + fixed + VLEN_WORDS[kind]! * (info & 0xffff);
    if (fixed < 0 || words[q]! >= stringsTotal || end > nWords) throw recordError(source, words, typesStart, q, n, base, stringsTotal);
    all[n++] = q;
    q = end;
  }
  return wireOf(h, all.subarray(0, n));
}

/**
 * The wire of BTF whose record walk was done before, by parseBtfWire over these very bytes (a cache of the
 * running kernel's BTF): `wordIdx` is that walk's result. The header and sections are validated again; the
 * records are only checked to end where the type section does. undefined when the index does not fit.
 */
export function btfWireWithIndex(bytes: Uint8Array, source: string, wordIdx: Uint32Array): BtfWire | undefined {
  const h = parseSections(bytes, source, undefined);
  const n = wordIdx.length;
  if (n === 0) return h.words.length === 0 ? wireOf(h, wordIdx) : undefined;
  const q = wordIdx[n - 1]!;
  if (wordIdx[0] !== 0 || q + 3 > h.words.length) return undefined;
  const info = h.words[q + 1]!;
  const kind = (info >>> 24) & 0x1f;
  const fixed = FIXED_WORDS[kind]!;
  return fixed >= 0 && q + 3 + fixed + VLEN_WORDS[kind]! * (info & 0xffff) === h.words.length ? wireOf(h, wordIdx) : undefined;
}

type Sections = Omit<BtfWire, 'length' | 'offsets' | 'wordIdx'> & { readonly stringsTotal: number };

/** Header, section bounds and string section checks (libbpf's rules); the type section as words. */
function parseSections(bytes: Uint8Array, source: string, base: BtfWireBase | undefined): Sections {
  const order = btfByteOrder(bytes);
  if (!order) throw new FormatError(source, 0, 'BTF magic 0xeb9f');
  if (base && base.byteOrder !== order) throw new FormatError(source, 0, `the base BTF's byte order (${base.byteOrder}) in split BTF`);
  const le = order === 'little';
  if (bytes.length < BTF_HEADER_SIZE) throw new FormatError(source, bytes.length, `a ${BTF_HEADER_SIZE}-byte btf_header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[2]!;
  const flags = bytes[3]!;
  if (version !== 1) throw new FormatError(source, 2, `BTF version 1, got ${version}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < BTF_HEADER_SIZE || hdrLen > bytes.length) throw new FormatError(source, 4, `hdr_len between ${BTF_HEADER_SIZE} and ${bytes.length}, got ${hdrLen}`);
  // A longer header is fine if its unknown tail is zero (libbpf/kernel rule).
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) if (bytes[i] !== 0) throw new FormatError(source, i, 'zero bytes in the unknown tail of btf_header');
  const typeOff = view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const typesStart = hdrLen + typeOff;
  const typesEnd = typesStart + typeLen;
  const stringsStart = hdrLen + strOff;
  const stringsEnd = stringsStart + strLen;
  if (typeOff % 4 !== 0) throw new FormatError(source, 8, `type_off aligned to 4, got ${typeOff}`);
  if (typesEnd > bytes.length) throw new FormatError(source, 12, `type section [${typesStart}, ${typesEnd}) inside the ${bytes.length}-byte BTF`);
  if (stringsEnd > bytes.length) throw new FormatError(source, 20, `string section [${stringsStart}, ${stringsEnd}) inside the ${bytes.length}-byte BTF`);
  if (typesStart < stringsEnd && stringsStart < typesEnd && typeLen > 0 && strLen > 0) {
    throw new FormatError(source, 8, 'type and string sections that do not overlap');
  }
  const strings = bytes.subarray(stringsStart, stringsEnd);
  // libbpf's rules: split BTF may have no strings and need not start with "" (offset 0 is the base's).
  if (!base || strLen > 0) {
    if (strLen === 0 || strings[strLen - 1] !== 0) throw new FormatError(source, Math.max(stringsStart, stringsEnd - 1), 'a non-empty string section ending in NUL');
    if (!base && strings[0] !== 0) throw new FormatError(source, stringsStart, 'a string section starting with the empty string');
  }
  const stringsBase = base ? base.stringsSize : 0;
  if (typeLen % 4 !== 0) throw new FormatError(source, 12, `type_len a multiple of 4, got ${typeLen}`);
  const words = typeWords(bytes, view, typesStart, typeLen, le);
  return {
    source, bytes, view, littleEndian: le, version, flags, hdrLen, typesStart, typesEnd, stringsStart,
    strings, stringsBase, stringsTotal: stringsBase + strLen, startId: base ? base.count : 1, words,
  };
}

function wireOf(h: Sections, wordIdx: Uint32Array): BtfWire {
  const n = wordIdx.length;
  const typesStart = h.typesStart;
  let offsets: Uint32Array | undefined;
  return {
    ...h, length: n, wordIdx,
    get offsets(): Uint32Array {
      if (!offsets) {
        offsets = new Uint32Array(n);
        for (let i = 0; i < n; i++) offsets[i] = typesStart + 4 * wordIdx[i]!;
      }
      return offsets;
    },
  };
}

/** The FormatError for the malformed record at word `q` (own type index `n`), as the walk found it. */
function recordError(source: string, words: Uint32Array, typesStart: number, q: number, n: number,
  base: BtfWireBase | undefined, stringsTotal: number): FormatError {
  const p = typesStart + 4 * q;
  const id = (base?.count ?? 1) + n;
  if (q + 3 > words.length) return new FormatError(source, p, `a ${BTF_TYPE_SIZE}-byte btf_type inside the type section`);
  const info = words[q + 1]!;
  const kind = (info >>> 24) & 0x1f;
  const extra = extraSize(kind, info & 0xffff);
  if (kind === 0 || extra < 0) return new FormatError(source, p + 4, `a BTF kind between 1 and ${BTF_MAX_KIND} (type id ${id}), got ${kind}`);
  if (words[q]! >= stringsTotal) return new FormatError(source, p, `name_off below the string section size ${stringsTotal}, got ${words[q]}`);
  return new FormatError(source, p, `type id ${id}: ${extra} bytes of kind data inside the type section`);
}
