// Parses a verifier log in a worker thread (the extension host stays responsive on any input); the model is rebuilt here.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { XdpMetaError } from '../util/errors';
import { VerifierLog } from './model';
import type { ParseReply, ParseRequest } from './parse-worker';
import { parseLogFile, parseLogText } from './read';
import { BufferTextSource, FileTextSource } from './text-source';

export interface WorkerParseOptions {
  /** The bundled worker (dist/log-worker.js), or `{ eval }` code that loads it (tests). */
  script: string | { eval: string };
  /** The worker's V8 heap cap; the parser's columns are typed arrays outside it and follow the input's size. */
  maxHeapMb?: number;
}

function run(req: ParseRequest, o: WorkerParseOptions, transfer: ArrayBuffer[] = []): Promise<ParseReply> {
  return new Promise((resolve, reject) => {
    const w = typeof o.script === 'string'
      ? new Worker(o.script, { resourceLimits: { maxOldGenerationSizeMb: o.maxHeapMb ?? 1024 } })
      : new Worker(o.script.eval, { eval: true, resourceLimits: { maxOldGenerationSizeMb: o.maxHeapMb ?? 1024 } });
    let done = false;
    w.once('message', (m: ParseReply) => { done = true; resolve(m); void w.terminate(); });
    w.once('error', (e) => { done = true; reject(new XdpMetaError(`the verifier-log parser worker failed: ${e.message}`, { cause: e })); });
    w.once('exit', (code) => { if (!done) reject(new XdpMetaError(`the verifier-log parser worker exited (status ${code}) before answering`)); });
    w.postMessage(req, transfer);
  });
}

function unpack(r: ParseReply, what: string): VerifierLogData {
  if (r.ok) return r.data;
  // The worker's typed errors keep their words; anything else is a bug there, still one line here.
  throw new XdpMetaError(r.typed ? r.message : `${what}: the verifier-log parser failed (${r.name}: ${r.message})`);
}

type VerifierLogData = VerifierLog['data'];

/** `parseLogFile` in a worker: line text is read back from the file here, by offset. */
export async function parseLogFileInWorker(path: string, o: WorkerParseOptions): Promise<VerifierLog> {
  if (typeof o.script === 'string' && !existsSync(o.script)) return parseLogFile(path); // an unbundled run (tests, tsx)
  return new VerifierLog(unpack(await run({ file: path }, o), path), new FileTextSource(path));
}

/** `parseLogText` in a worker: the bytes are copied to it, and kept here for the line text. */
export async function parseLogTextInWorker(bytes: Buffer, source: string, o: WorkerParseOptions): Promise<VerifierLog> {
  if (typeof o.script === 'string' && !existsSync(o.script)) return parseLogText(bytes, { source });
  return new VerifierLog(unpack(await run({ bytes: new Uint8Array(bytes), source }, o), source), new BufferTextSource(bytes));
}
