// Whole-process `xdp-meta log`: the ~3.7 MB level-1 failure log against its anchor, a ~15 MB level-2 log of an accepted program.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BpftoolLoader } from '../src/core/verifier/bpftool-loader';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const CACHE = path.join(ROOT, '.cache/verifier-bench');
const SRC = path.join(ROOT, 'test/fixtures/verifier/bench_loop.bpf.c');
const PAIRS = Number(process.env.LOG_BENCH_PAIRS ?? 9);

function archInclude(): string {
  try {
    return `/usr/include/${execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim()}`;
  } catch {
    return '/usr/include/x86_64-linux-gnu';
  }
}

/** bench_loop.bpf.c with -DITERS (3200 failing at level 1: 3.7 MB; 850 accepted at level 2: 15 MB), loaded here. */
async function realLog(iters: number, level: 1 | 2, fail: boolean): Promise<string> {
  const file = path.join(CACHE, `bench_loop-${iters}-l${level}${fail ? '-fail' : ''}.log`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const obj = `${file}.o`;
  execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', `-I${archInclude()}`, `-DITERS=${iters}`, ...(fail ? ['-DFAIL'] : []), '-c', SRC, '-o', obj]);
  const res = await new BpftoolLoader().load(obj, { logLevel: level });
  if (!res.logs[0]) throw new Error(`no verifier log for ITERS=${iters} level ${level}: ${res.failure ?? 'loaded without log'}`);
  writeFileSync(file, res.logs[0].log);
  return file;
}

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
    let bpffs = false;
    try { bpffs = Number(statfsSync('/sys/fs/bpf').type) === 0xcafe4a11; } catch { /* not mounted */ }
    if (process.getuid?.() !== 0 || !bpffs) {
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
