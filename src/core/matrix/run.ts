// Runs the kernel matrix: static findings per kernel, then real loads (a VM per kernel, several at once), cached by (object, kernel).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from '../check/types';
import { cacheRoot } from '../kernels/cache';
import type { KernelTarget } from '../kernels/types';
import { findAgentBinary } from '../remote/agent-binary';
import { XdpMetaError } from '../util/errors';
import { localSession, vmSession, type LoadSession } from './session';
import { staticForKernel } from './static';
import type { MatrixCell, MatrixLoad, MatrixProgram, MatrixReport } from './types';

export interface MatrixOptions {
  staticOnly?: boolean;
  /** Verifier log level of the loads (default 1: the full log on rejection, the statistics on success). */
  logLevel?: 1 | 2;
  /** VMs booted at once (default: the machine's cores). */
  concurrency?: number;
  bootTimeoutMs?: number;
  /** Ignore cached loads (still writes the cache). */
  noCache?: boolean;
  onProgress?: (msg: string) => void;
  /** Kernel failures (a VM that did not boot): the cells become not-run with this message; also reported here. */
  onKernelError?: (kernel: KernelTarget, e: Error) => void;
  /**
   * Sessions kept open across runs, by kernel id: a run takes the kernel's session from here, or puts the one it
   * opens here instead of closing it (the caller closes them). For callers that judge in several rounds on one VM.
   */
  sessions?: Map<string, LoadSession>;
}

export function matrixCacheDir(): string {
  return path.join(cacheRoot(), 'matrix');
}

const notRun = (reason: string, error?: string): MatrixLoad => ({
  verdict: 'not-run', error: error ? { message: error, insn: null, file: null, line: null } : null,
  processed_insns: null, total_states: null, peak_states: null, log_file: null, reason,
});

/** The cache key of one load: the object's bytes, the program, the kernel, and the agent that loads it (the guest's arch). */
function cacheKey(p: MatrixProgram, k: KernelTarget, level: number): string {
  let agent = '';
  try { agent = findAgentBinary(k.arch ?? 'x86_64').hash; } catch { /* no agent: the load fails anyway */ }
  return createHash('sha256').update([p.hash, p.program, k.id, k.release, k.source, agent, level].join('\0')).digest('hex').slice(0, 24);
}

function readCached(key: string): MatrixLoad | undefined {
  const file = path.join(matrixCacheDir(), `${key}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const load = JSON.parse(readFileSync(file, 'utf8')) as MatrixLoad;
    if (load.log_file && !existsSync(load.log_file)) return undefined;
    return { ...load, cached: true };
  } catch {
    return undefined;
  }
}

function writeCached(key: string, load: MatrixLoad): void {
  const file = path.join(matrixCacheDir(), `${key}.json`);
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(load));
  renameSync(`${file}.${process.pid}.tmp`, file);
}

/** Runs `fn` over `items` with at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function runMatrix(programs: readonly MatrixProgram[], kernels: readonly KernelTarget[], opts: MatrixOptions = {}): Promise<MatrixReport> {
  if (programs.length === 0) throw new XdpMetaError('matrix: no programs to judge');
  if (kernels.length === 0) throw new XdpMetaError('matrix: no kernels (name them with --kernel)');
  const level = opts.logLevel ?? 1;
  const statics = new Map<string, Map<string, Diagnostic[]>>();
  for (const k of kernels) statics.set(k.id, staticForKernel(k, programs));
  const loads = new Map<string, MatrixLoad>();
  const cellKey = (k: KernelTarget, p: MatrixProgram): string => `${k.id}\0${p.objectPath}\0${p.program}`;

  const todo: KernelTarget[] = [];
  for (const k of kernels) {
    const bootable = k.source === 'running' || !!k.vmlinuz;
    let missing = false;
    for (const p of programs) {
      if (opts.staticOnly) loads.set(cellKey(k, p), notRun('--static-only'));
      else if (!bootable) loads.set(cellKey(k, p), notRun(`a ${k.source} file gives static checks only (no bootable image)`));
      else {
        const hit = opts.noCache ? undefined : readCached(cacheKey(p, k, level));
        if (hit) loads.set(cellKey(k, p), hit);
        else missing = true;
      }
    }
    if (missing) todo.push(k);
  }

  if (todo.length) {
    mkdirSync(matrixCacheDir(), { recursive: true });
    const n = opts.concurrency ?? Math.max(1, availableParallelism());
    await pool(todo, n, async (k) => {
      let session: LoadSession | undefined;
      try {
        session = opts.sessions?.get(k.id);
        if (!session) {
          opts.onProgress?.(k.source === 'running' ? `kernel ${k.id}: starting the local agent` : `kernel ${k.id}: booting ${k.release}`);
          session = k.source === 'running' ? await localSession(k) : await vmSession(k, { timeoutMs: opts.bootTimeoutMs });
          opts.sessions?.set(k.id, session);
          opts.onProgress?.(`kernel ${k.id}: ready in ${(session.startMs / 1000).toFixed(1)} s`);
        }
        for (const p of programs) {
          if (loads.has(cellKey(k, p))) continue;
          const key = cacheKey(p, k, level);
          const load = await session.load(p, path.join(matrixCacheDir(), `${key}.log`), level);
          writeCached(key, load);
          loads.set(cellKey(k, p), load);
          opts.onProgress?.(`kernel ${k.id}: ${p.program} ${load.verdict}`);
        }
      } catch (e) {
        opts.onKernelError?.(k, e as Error);
        // A failed kernel's session is not handed on: closed below.
        if (opts.sessions?.get(k.id) === session) opts.sessions?.delete(k.id);
        for (const p of programs) if (!loads.has(cellKey(k, p))) loads.set(cellKey(k, p), notRun('the kernel failed', (e as Error).message));
      } finally {
        if (!opts.sessions?.has(k.id)) await session?.close().catch(() => undefined);
      }
    });
  }

  const results: MatrixCell[] = [];
  for (const p of programs) {
    for (const k of kernels) {
      results.push({
        kernel: k.id, program: p.program, object: p.input,
        static: { diagnostics: statics.get(k.id)?.get(`${p.objectPath}\0${p.program}`) ?? [] },
        load: loads.get(cellKey(k, p)) ?? notRun('not loaded'),
      });
    }
  }
  return { kernels: kernels.map((k) => ({ id: k.id, release: k.release, source: k.source })), results };
}
