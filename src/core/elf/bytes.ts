// Bounds-checked little/big-endian reads over a byte buffer that fail with FormatError, never RangeError.
import { FormatError } from '../util/errors';

export class ByteView {
  readonly view: DataView;
  readonly le: boolean;

  constructor(readonly bytes: Uint8Array, readonly source: string, littleEndian: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = littleEndian;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws unless [offset, offset+size) lies inside the buffer. */
  need(offset: number, size: number, what: string): void {
    if (!Number.isInteger(offset) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new FormatError(this.source, offset, `${what} (${size} bytes; file has ${this.bytes.length})`);
    }
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.bytes[offset]!;
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, this.le);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, this.le);
  }

  i32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getInt32(offset, this.le);
  }

  /** A 64-bit unsigned field that must fit a JS number (file offsets, sizes, symbol values). */
  u64n(offset: number, what: string): number {
    this.need(offset, 8, what);
    const v = this.view.getBigUint64(offset, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(this.source, offset, `${what} that fits in 53 bits (got ${v})`);
    return Number(v);
  }

  /** A signed 64-bit field as a number (RELA addends). */
  i64n(offset: number, what: string): number {
    this.need(offset, 8, what);
    const v = this.view.getBigInt64(offset, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new FormatError(this.source, offset, `${what} that fits in 53 bits (got ${v})`);
    }
    return Number(v);
  }

  /** Sub-range view, checked. */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.need(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** NUL-terminated string at `offset` inside `table`; `tableOffset` (the table's file offset) is used for errors. */
export function cString(table: Uint8Array, offset: number, source: string, tableOffset: number, what: string): string {
  if (!Number.isInteger(offset) || offset < 0 || offset >= table.length) {
    throw new FormatError(source, tableOffset + Math.max(0, Math.min(offset, table.length)), `${what}: string offset ${offset} inside a ${table.length}-byte string table`);
  }
  let end = offset;
  let ascii = true;
  while (end < table.length && table[end] !== 0) {
    if (table[end]! >= 0x80) ascii = false;
    end++;
  }
  if (end >= table.length) throw new FormatError(source, tableOffset + offset, `${what}: NUL-terminated string`);
  if (ascii && end - offset < 64) {
    let s = '';
    for (let i = offset; i < end; i++) s += String.fromCharCode(table[i]!);
    return s;
  }
  return utf8.decode(table.subarray(offset, end));
}
