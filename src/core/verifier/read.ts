// Entry points: parse a verifier log from a string, a Buffer, or a file streamed in chunks.
import { createReadStream, statSync } from 'node:fs';
import { FormatError, XdpMetaError } from '../util/errors';
import type { VerifierLog } from './model';
import { VerifierLogParser, type ParserOptions } from './parser';
import { FileTextSource } from './text-source';

const BINARY_PROBE = 1 << 16;

/**
 * Offset of the first NUL byte in `head` that has more data after it, or -1. A verifier log is text;
 * a NUL inside it means a binary file (an object, a core dump). NULs only at the end are the padding of
 * a fixed-size log buffer written out whole, and are allowed.
 */
export function binaryOffset(head: Uint8Array): number {
  const nul = head.indexOf(0);
  if (nul < 0) return -1;
  for (let i = nul + 1; i < head.length; i++) if (head[i] !== 0) return nul;
  return -1;
}

function notText(source: string, at: number): FormatError {
  return new FormatError(source, at, 'verifier log text, found a NUL byte (binary data, e.g. a BPF object?)');
}

export function parseLogText(text: string | Buffer, opts: ParserOptions = {}): VerifierLog {
  const source = opts.source ?? '<text>';
  if (typeof text !== 'string') {
    const at = binaryOffset(text.subarray(0, BINARY_PROBE));
    if (at >= 0) throw notText(source, at);
  } else if (text.slice(0, BINARY_PROBE).includes('\0')) {
    const at = binaryOffset(Buffer.from(text.slice(0, BINARY_PROBE), 'utf8'));
    if (at >= 0) throw notText(source, at);
  }
  const p = new VerifierLogParser({ source: '<text>', ...opts, keepText: true });
  p.feed(text);
  return p.end();
}

/**
 * Streams `path` through the parser (64 KiB chunks); line text stays in the file and is read back by offset,
 * so the resident cost is the typed-array columns only. Binary data in the first chunk is a FormatError.
 */
export async function parseLogFile(path: string, opts: ParserOptions = {}): Promise<VerifierLog> {
  try {
    if (!statSync(path).isFile()) throw new XdpMetaError(`${path}: not a regular file`);
  } catch (e) {
    if (e instanceof XdpMetaError) throw e;
    throw new XdpMetaError(`${path}: cannot read the verifier log (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const p = new VerifierLogParser({ source: path, ...opts, keepText: false });
  const stream = createReadStream(path, { highWaterMark: BINARY_PROBE });
  let first = true;
  try {
    for await (const chunk of stream) {
      if (first) {
        first = false;
        const at = binaryOffset(chunk as Buffer);
        if (at >= 0) throw notText(path, at);
      }
      p.feed(chunk as Buffer);
    }
  } catch (e) {
    stream.destroy();
    if (e instanceof XdpMetaError) throw e;
    throw new XdpMetaError(`${path}: error while reading the verifier log (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  return p.end(new FileTextSource(path));
}
