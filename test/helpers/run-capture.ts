// Runs `xdp-meta run ... --json` as a child process and calls back once the program is attached (to send traffic).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { LiveRow } from '../../src/core/remote/session';

const ROOT = path.resolve(__dirname, '../..');

export interface CaptureResult { code: number | null; rows: LiveRow[]; stderr: string }

/** `xdp-meta run ARGS`; `whenAttached` runs once stderr says the program is attached. */
export function runCapture(args: string[], whenAttached: () => void, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CaptureResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'run', ...args], { cwd: ROOT, env: opts.env ?? process.env });
    let out = '';
    let err = '';
    let fired = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`xdp-meta run timed out; stderr: ${err}`)); }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (!fired && / attached to /.test(err)) {
        fired = true;
        whenAttached();
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err, rows: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LiveRow) });
    });
  });
}
