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

/** Reads lines back from the log file: a 1 GB log costs no resident text, only its offsets. */
export class FileTextSource implements LogTextSource {
  private fd: number | undefined;
  constructor(readonly path: string) {}
  read(start: number, end: number): string {
    if (end <= start) return '';
    try {
      if (this.fd === undefined) this.fd = openSync(this.path, 'r');
      const buf = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(this.fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return buf.toString('utf8', 0, got);
    } catch (e) {
      throw new XdpMetaError(`${this.path}: cannot read bytes ${start}..${end} of the verifier log`, { cause: e });
    }
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** For logs parsed without keeping their text (`keepText: false` and no file). */
export class NoTextSource implements LogTextSource {
  read(): string {
    return '';
  }
}
