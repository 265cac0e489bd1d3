// Where "Load and Show Verifier Log" keeps verifier logs: the extension's global storage, newest few kept, never /tmp.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** How many load logs stay (a level-2 log of a big program is ~16 MB; a reopened viewer may still need a recent one). */
export const LOAD_LOGS_KEPT = 10;

/**
 * A new, unused log path for a load of `sourceName` in `<storage>/load-logs`; older logs beyond
 * LOAD_LOGS_KEPT - 1 are removed first, so with the new one at most LOAD_LOGS_KEPT remain.
 */
export function newLoadLogPath(storageDir: string, sourceName: string, now: number = Date.now()): string {
  const dir = path.join(storageDir, 'load-logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  pruneLoadLogs(dir, LOAD_LOGS_KEPT - 1);
  const base = sourceName.replace(/\.bpf\.c$|\.c$/, '').replace(/[^\w.-]/g, '_');
  for (let n = 0; ; n++) {
    const file = path.join(dir, `${base}-${now}${n ? `-${n}` : ''}.verifier.log`);
    try {
      statSync(file);
    } catch {
      return file;
    }
  }
}

/** Keeps the `keep` newest `*.verifier.log` files of `dir`. */
export function pruneLoadLogs(dir: string, keep: number): void {
  let files: { file: string; mtime: number }[];
  try {
    files = readdirSync(dir).filter((n) => n.endsWith('.verifier.log'))
      .map((n) => ({ file: path.join(dir, n), mtime: statSync(path.join(dir, n)).mtimeMs }));
  } catch {
    return; // housekeeping never fails a load
  }
  files.sort((a, b) => b.mtime - a.mtime);
  for (const f of files.slice(Math.max(0, keep))) rmSync(f.file, { force: true });
}
