// Entry points: parse a verifier log from a string, a Buffer, or a file streamed in chunks.
import { createReadStream, statSync } from 'node:fs';
import { XdpMetaError } from '../util/errors';
import type { VerifierLog } from './model';
import { VerifierLogParser, type ParserOptions } from './parser';
import { FileTextSource } from './text-source';

export function parseLogText(text: string | Buffer, opts: ParserOptions = {}): VerifierLog {
  const p = new VerifierLogParser({ source: '<text>', ...opts, keepText: true });
  p.feed(text);
  return p.end();
}

/**
 * Streams `path` through the parser (64 KiB chunks); line text stays in the file and is read back by offset,
 * so the resident cost is the typed-array columns only.
 */
export async function parseLogFile(path: string, opts: ParserOptions = {}): Promise<VerifierLog> {
  try {
    if (!statSync(path).isFile()) throw new XdpMetaError(`${path}: not a regular file`);
  } catch (e) {
    if (e instanceof XdpMetaError) throw e;
    throw new XdpMetaError(`${path}: cannot read the verifier log (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const p = new VerifierLogParser({ source: path, ...opts, keepText: false });
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) p.feed(chunk as Buffer);
  } catch (e) {
    throw new XdpMetaError(`${path}: error while reading the verifier log`, { cause: e });
  }
  return p.end(new FileTextSource(path));
}
