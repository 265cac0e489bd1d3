// Supervisor of the log fuzzer: runs the child, kills it on a slow or oversized input, restarts after it, counts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LogFuzzOptions {
  iterations: number;
  seed: number;
  /** An input that takes longer than this is a hang (the child is killed). */
  timeLimitMs: number;
  /** The child's resident memory may not pass this (the child is killed). */
  rssLimitBytes: number;
}

export interface LogFuzzReport {
  inputs: number;
  typedErrors: number;
  crashes: { iteration: number; error: string }[];
  hangs: { iteration: number; bytes: number }[];
  memory: { iteration: number; bytes: number; rss: number }[];
  /** Peak resident set of the child (KiB precision), and the slowest input. */
  peakRss: number;
  slowestMs: number;
}

const CHILD = path.join(__dirname, 'log-fuzz-child.ts');

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `iterations` mutated logs in a child process (restarted after each killed input). */
export async function runLogFuzz(o: LogFuzzOptions): Promise<LogFuzzReport> {
  const rep: LogFuzzReport = { inputs: 0, typedErrors: 0, crashes: [], hangs: [], memory: [], peakRss: 0, slowestMs: 0 };
  let next = 0;
  while (next < o.iterations) {
    next = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=1024', CHILD,
        JSON.stringify({ seed: o.seed, start: next, count: o.iterations - next })], { stdio: ['ignore', 'pipe', 'inherit'] });
      let cur = -1;
      let curBytes = 0;
      let startedAt = 0;
      let killed: 'hang' | 'memory' | undefined;
      let buf = '';
      let resumeAt = o.iterations;
      const timer = setInterval(() => {
        const rss = rssOf(child.pid!);
        rep.peakRss = Math.max(rep.peakRss, rss);
        if (killed || cur < 0) return;
        if (rss > o.rssLimitBytes) {
          killed = 'memory';
          rep.memory.push({ iteration: cur, bytes: curBytes, rss });
        } else if (performance.now() - startedAt > o.timeLimitMs) {
          killed = 'hang';
          rep.hangs.push({ iteration: cur, bytes: curBytes });
        } else return;
        rep.inputs++;
        resumeAt = cur + 1;
        child.kill('SIGKILL');
      }, 25);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const [tag, a, ...rest] = line.split(' ');
          if (tag === 'S') {
            cur = Number(a);
            curBytes = Number(rest[0]);
            startedAt = performance.now();
          } else if (tag === 'D') {
            rep.inputs++;
            rep.slowestMs = Math.max(rep.slowestMs, performance.now() - startedAt);
            if (rest[0] === 'typed') rep.typedErrors++;
            else if (rest[0] === 'crash') rep.crashes.push({ iteration: Number(a), error: JSON.parse(rest.slice(1).join(' ')) as string });
            cur = -1;
          } else if (tag === 'R') {
            rep.peakRss = Math.max(rep.peakRss, Number(a));
          }
        }
      });
      child.on('error', (e) => { clearInterval(timer); reject(e); });
      child.on('close', (code) => {
        clearInterval(timer);
        if (killed) resolve(resumeAt);
        else if (code !== 0) {
          // The child died by itself (a V8 heap limit, a native crash): that input counts as a crash.
          rep.inputs++;
          rep.crashes.push({ iteration: cur, error: `child exited with status ${code} on input ${cur}` });
          resolve(cur >= 0 ? cur + 1 : o.iterations);
        } else resolve(o.iterations);
      });
    });
  }
  return rep;
}

export function formatFuzzReport(r: LogFuzzReport, seconds: number): string {
  return `${r.inputs} inputs, ${r.typedErrors} typed errors, ${r.crashes.length} crashes, ${r.hangs.length} hangs, ` +
    `${r.memory.length} over the memory bound, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MiB, slowest input ${r.slowestMs.toFixed(0)} ms, ${seconds.toFixed(1)} s`;
}
