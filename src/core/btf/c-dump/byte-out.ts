// Growable byte buffer the C header is written into (ASCII fast path, UTF-8 when needed).
import { XdpMetaError } from '../../util/errors';

const MAX_OUTPUT = 64 << 20;
/** Indentation saturates at 13 levels, as in libbpf. */
const TABS = '\t\t\t\t\t\t\t\t\t\t\t\t\t';

/** Growable byte buffer: appending to one JS string would build a rope of millions of retained nodes. */
export class ByteOut {
  private buf: Uint8Array;
  private pos = 0;
  private ascii = true;

  /** `hint`: expected size (vmlinux: ~22 bytes per type), to avoid regrowing a megabytes-long buffer. */
  constructor(hint: number) {
    this.buf = new Uint8Array(Math.max(1 << 16, Math.min(hint, MAX_OUTPUT)));
  }

  s(text: string): void {
    const n = text.length;
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.ascii = false;
        p += utf8enc.encodeInto(text.slice(i), b.subarray(p)).written;
        break;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Newline and `lvl` tabs (saturating like pfx). */
  nl(lvl: number): void {
    if (this.pos + 16 > this.buf.length) this.grow(16);
    this.buf[this.pos++] = 10;
    const n = Math.min(lvl, TABS.length);
    for (let i = 0; i < n; i++) this.buf[this.pos++] = 9;
  }

  /** A decimal integer (|n| < 2^53) without making a string. */
  num(n: number): void {
    if (this.pos + 24 > this.buf.length) this.grow(24);
    const b = this.buf;
    if (n < 0) { b[this.pos++] = 45; n = -n; }
    let start = this.pos;
    do { b[this.pos++] = 48 + (n % 10); n = Math.floor(n / 10); } while (n > 0);
    for (let end = this.pos - 1; start < end; start++, end--) { const t = b[start]!; b[start] = b[end]!; b[end] = t; }
  }

  /** Copies the NUL-terminated string at `pos` of `src` (a BTF string section) without making a JS string. */
  cstr(src: Uint8Array, pos: number): void {
    let end = pos;
    while (src[end] !== 0 && end < src.length) end++;
    const n = end - pos;
    if (this.pos + n > this.buf.length) this.grow(n);
    for (let i = pos; i < end; i++) {
      const c = src[i]!;
      if (c >= 0x80) this.ascii = false;
      this.buf[this.pos++] = c;
    }
  }

  private grow(extra: number): void {
    // vmlinux gives ~5 MB; only a corrupt BTF (e.g. a 4 GB struct of padding) gets near this.
    if (this.pos + extra > MAX_OUTPUT) throw new XdpMetaError(`C header would exceed ${MAX_OUTPUT >> 20} MiB: the BTF is corrupt`);
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  toString(): string {
    const b = Buffer.from(this.buf.buffer, 0, this.pos);
    return b.toString(this.ascii ? 'latin1' : 'utf8');
  }

  /**
   * The bytes that writing toString() as UTF-8 gives, without making the string when all is ASCII (a view of the
   * buffer: valid until the next write). Otherwise through the string, which replaces invalid UTF-8 as before.
   */
  toBytes(): Buffer {
    const b = Buffer.from(this.buf.buffer, 0, this.pos);
    return this.ascii ? b : Buffer.from(b.toString('utf8'), 'utf8');
  }
}

const utf8enc = new TextEncoder();
