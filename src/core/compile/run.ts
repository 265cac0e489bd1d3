// Runs an external tool (clang, bpftool) to completion with optional stdin, cancellation and a time limit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ToolError, XdpMetaError } from '../util/errors';

/** The run was cancelled through its AbortSignal; callers usually drop the result silently. */
export class CancelledError extends XdpMetaError {}

export interface RunOptions {
  /** Text written to the tool's stdin (stdin is closed empty otherwise). */
  input?: string;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the tool after this many milliseconds (default 120 s): a wedged compiler must not hang the LSP. */
  timeoutMs?: number;
}

export interface RunResult {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `cmd args`; ENOENT/EACCES and time-outs become ToolError, aborts become CancelledError. */
export function runTool(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new CancelledError(`${cmd}: cancelled before start`));
      return;
    }
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let timedOut = false;
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    const onAbort = (): void => { child.kill('SIGKILL'); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => finish(() => {
      // spawn reports a missing working directory as ENOENT too; name the right culprit.
      const why = e.code === 'ENOENT' && opts.cwd && !existsSync(opts.cwd) ? `working directory ${opts.cwd} does not exist`
        : e.code === 'ENOENT' ? 'not found' : e.code === 'EACCES' ? 'not executable' : e.message;
      reject(new ToolError(`${cmd}: ${why}`, { cause: e }));
    }));
    child.on('close', (code) => finish(() => {
      if (opts.signal?.aborted) reject(new CancelledError(`${cmd}: cancelled`));
      else if (timedOut) reject(new ToolError(`${cmd}: no answer within ${timeoutMs} ms, killed`));
      else resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    }));
    // A tool that exits before reading stdin gives EPIPE; its exit status tells the real story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
