// Benchmark: our verifier-log parser against libbpf's bpfvv (parser.ts + analyzer.ts from BPFVV_DIR) on real logs made here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canMakeRealLogs, realLog } from './real-logs';

const ROOT = path.resolve(__dirname, '..');

interface Result { impl: string; ms: number; heapMB: number; maxRssMB: number; lines: number; unknown: number }

/** Finds ITERS giving about `target` lines (the log grows linearly with the loop count). */
async function logOfSize(target: number, level: 1 | 2, fail: boolean): Promise<string> {
  let iters = level === 1 ? 1000 : 300;
  let file = '';
  for (let i = 0; i < 4; i++) {
    file = await realLog(iters, level, fail);
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    if (Math.abs(lines - target) / target < 0.05) break;
    iters = Math.max(10, Math.round(iters * target / lines));
  }
  return file;
}

function run(impl: string, file: string): Result | undefined {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16384', '--import', 'tsx', path.join(__dirname, 'verifier-run.ts'), impl, file, '3'],
    { encoding: 'utf8', cwd: ROOT, env: process.env, maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.log(`  ${impl}: failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

function row(r: Result): string {
  return `  ${r.impl.padEnd(10)} ${r.ms.toFixed(0).padStart(7)} ms  heap ${r.heapMB.toFixed(1).padStart(7)} MiB  peak RSS ${r.maxRssMB.toFixed(0).padStart(5)} MiB  ` +
    `lines ${r.lines}  unrecognised ${r.unknown}`;
}

(async () => {
  const logs: [string, string][] = [];
  if (process.env.VERIFIER_BENCH_L1 && process.env.VERIFIER_BENCH_L2) {
    logs.push(['level-1 failure log', process.env.VERIFIER_BENCH_L1], ['level-2 log', process.env.VERIFIER_BENCH_L2]);
  } else if (!canMakeRealLogs()) {
    console.log('verifier bench: needs root and a mounted bpffs to make real logs (or VERIFIER_BENCH_L1/L2 files); skipped');
    return;
  } else {
    logs.push(['level-1 failure log (~30k lines)', await logOfSize(30_000, 1, true)]);
    logs.push(['level-2 log (~200k lines)', await logOfSize(200_000, 2, false)]);
  }
  const bpfvvDir = process.env.BPFVV_DIR;
  const haveBpfvv = !!bpfvvDir && existsSync(path.join(bpfvvDir, 'src/analyzer.ts')) && existsSync(path.join(bpfvvDir, 'src/parser.ts'));
  if (!haveBpfvv) console.log('bpfvv not available (set BPFVV_DIR to a folder with its src/parser.ts and src/analyzer.ts)');
  for (const [title, file] of logs) {
    const size = readFileSync(file).length;
    console.log(`\n${title}: ${path.relative(ROOT, file)} (${(size / 2 ** 20).toFixed(1)} MiB)`);
    const ours = run('ours-file', file);
    const oursText = run('ours-text', file);
    for (const r of [ours, oursText]) if (r) console.log(row(r));
    if (!haveBpfvv || !ours) continue;
    const b = run('bpfvv', file);
    if (!b) continue;
    console.log(row(b));
    console.log(`  ratio (bpfvv / ours-file): time ${(b.ms / ours.ms).toFixed(1)}x faster, heap ${(b.heapMB / Math.max(ours.heapMB, 0.01)).toFixed(1)}x smaller` +
      (oursText ? `; ours-text: time ${(b.ms / oursText.ms).toFixed(1)}x, heap ${(b.heapMB / Math.max(oursText.heapMB, 0.01)).toFixed(1)}x` : ''));
  }
})().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
