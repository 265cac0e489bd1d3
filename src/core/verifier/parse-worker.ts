// Worker-thread entry: parses a verifier log off the caller's thread and hands back the columns (transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { isXdpMetaError } from '../util/errors';
import { parseLogFile, parseLogText } from './read';
import type { VerifierLogData } from './model';

export type ParseRequest = { file: string } | { bytes: Uint8Array; source: string };
export type ParseReply = { ok: true; data: VerifierLogData } | { ok: false; typed: boolean; name: string; message: string };

/** The typed arrays of the model: moved to the receiving thread instead of copied. */
export function transferList(d: VerifierLogData): ArrayBuffer[] {
  const cols = [d.kind, d.offset, d.pc, d.aux, d.frame, d.insnLine, d.insnWrite, d.insnSrc, d.insnBase, d.insnFlags, d.insnOpcode, d.insnSource];
  return [...new Set(cols.map((c) => c.buffer as ArrayBuffer))];
}

async function handle(req: ParseRequest): Promise<void> {
  try {
    const log = 'file' in req ? await parseLogFile(req.file) : parseLogText(Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength), { source: req.source });
    log.close();
    const reply: ParseReply = { ok: true, data: log.data };
    parentPort!.postMessage(reply, transferList(log.data));
  } catch (e) {
    const reply: ParseReply = { ok: false, typed: isXdpMetaError(e), name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(reply);
  }
}

parentPort?.once('message', (req: ParseRequest) => { void handle(req); });
