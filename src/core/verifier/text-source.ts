// Where a parsed log's line text lives: kept in memory, or re-read from the file by byte offset on demand.
import { closeSync, openSync, readSync } from 'node:fs';
import { XdpMetaError } from '../util/errors';

export interface LogTextSource {
  /** Bytes [start, end) decoded as UTF-8. */
  read(start: number, end: number): string;
  close?(): void;
}

export class BufferTextSource implements LogTextSource {
  constructor(private readonly buf: Buffer) {}
  read(start: number, end: number): string {
    return this.buf.toString('utf8', start, end);
  }
}

/** Block size of the re-reads: the explainer walks back a few lines at a time, so one read serves hundreds. */
const BLOCK = 1 << 16;
/** Blocks kept: enough for a walk back along a path and a viewer page, a few hundred KiB at most. */
const CACHED_BLOCKS = 8;

/**
 * Reads lines back from the log file: a 1 GB log costs no resident text, only its offsets. Reads go by
 * aligned 64 KiB blocks with a small cache, never a syscall per line.
 */
export class FileTextSource implements LogTextSource {
  private fd: number | undefined;
  /** Block index -> bytes, in least-recently-used order (Map keeps insertion order). */
  private readonly blocks = new Map<number, Buffer>();
  constructor(readonly path: string) {}

  read(start: number, end: number): string {
    if (end <= start) return '';
    try {
      if (this.fd === undefined) this.fd = openSync(this.path, 'r');
      if (end - start > CACHED_BLOCKS * BLOCK / 2) return this.readDirect(start, end);
      const first = Math.floor(start / BLOCK);
      const last = Math.floor((end - 1) / BLOCK);
      if (first === last) {
        const b = this.block(first);
        return b.toString('utf8', start - first * BLOCK, Math.min(b.length, end - first * BLOCK));
      }
      const parts: Buffer[] = [];
      for (let k = first; k <= last; k++) {
        const b = this.block(k);
        const lo = k === first ? start - k * BLOCK : 0;
        const hi = k === last ? Math.min(b.length, end - k * BLOCK) : b.length;
        parts.push(b.subarray(lo, hi));
        if (b.length < BLOCK) break; // end of file
      }
      return Buffer.concat(parts).toString('utf8');
    } catch (e) {
      throw new XdpMetaError(`${this.path}: cannot read bytes ${start}..${end} of the verifier log`, { cause: e });
    }
  }

  private block(k: number): Buffer {
    const hit = this.blocks.get(k);
    if (hit) {
      this.blocks.delete(k);
      this.blocks.set(k, hit);
      return hit;
    }
    const buf = this.fill(Buffer.allocUnsafe(BLOCK), k * BLOCK);
    if (this.blocks.size >= CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(k, buf);
    return buf;
  }

  private readDirect(start: number, end: number): string {
    return this.fill(Buffer.allocUnsafe(end - start), start).toString('utf8');
  }

  /** Fills `buf` from `pos`; shorter at the end of the file. */
  private fill(buf: Buffer, pos: number): Buffer {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd!, buf, got, buf.length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got < buf.length ? buf.subarray(0, got) : buf;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.blocks.clear();
  }
}

/** For logs parsed without keeping their text (`keepText: false` and no file). */
export class NoTextSource implements LogTextSource {
  read(): string {
    return '';
  }
}
