// Whole-process `xdp-meta log`: the ~3.7 MB level-1 failure log against its anchor, a ~15 MB level-2 log of an accepted program.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { canMakeRealLogs, realLog } from './real-logs';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const PAIRS = Number(process.env.LOG_BENCH_PAIRS ?? 9);

function once(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'log', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`xdp-meta log ${file}: status ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };

(async () => {
  let l1 = process.env.LOG_BENCH_L1;
  let l2 = process.env.LOG_BENCH_L2;
  if (!l1 || !l2) {
    if (!canMakeRealLogs()) {
      console.log('log-cli bench: needs root and bpffs to make the real logs (or LOG_BENCH_L1/L2 files); skipped');
      return;
    }
    l1 = await realLog(3200, 1, true);
    l2 = await realLog(850, 2, false);
  }
  if (!existsSync(CLI)) throw new Error(`${CLI}: build first (node scripts/build.mjs)`);
  const a: number[] = [];
  const b: number[] = [];
  once(l1); once(l2); // warm the page cache
  for (let i = 0; i < PAIRS; i++) {
    a.push(once(l1));
    b.push(once(l2));
  }
  const ratios = a.map((x, i) => x / b[i]!);
  const mb = (f: string): string => `${(statSync(f).size / 1e6).toFixed(1)} MB, ${readFileSync(f, 'latin1').split('\n').length - 1} lines`;
  console.log(`xdp-meta log, level-1 failure log (${mb(l1)}): min ${Math.min(...a).toFixed(0)} ms, median ${median(a).toFixed(0)} ms`);
  console.log(`anchor: xdp-meta log, level-2 accepted log (${mb(l2)}): min ${Math.min(...b).toFixed(0)} ms, median ${median(b).toFixed(0)} ms`);
  console.log(`ratio (level 1 / level 2, ${PAIRS} interleaved pairs): min ${Math.min(...ratios).toFixed(2)}, median ${median(ratios).toFixed(2)} (goal <= 1)`);
})().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
