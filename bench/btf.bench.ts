// Benchmark: index vmlinux BTF, decode all of it, generate vmlinux.h, each beside bpftool doing the same job in this run.
// Run: npx tsx bench/btf.bench.ts [--runs N] [--btf FILE]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { readBtfFile } from '../src/core/btf/load';
import { dumpC } from '../src/core/btf/c-dump';

interface Args { runs: number; btf: string; bpftool: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 5, btf: '/sys/kernel/btf/vmlinux', bpftool: process.env.BPFTOOL ?? 'bpftool' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') a.runs = Math.max(1, Number(argv[++i]));
    else if (argv[i] === '--btf') a.btf = argv[++i]!;
  }
  return a;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** Wall time of a whole bpftool process (through sh for the pipe), as a user would run it. */
function timeShell(cmd: string): number | undefined {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  return r.status === 0 ? ms : undefined;
}

/**
 * In-process wall time of `fn`. No forced GC between runs even under --expose-gc: a full GC shrinks
 * V8's young generation and made the next run up to 2x slower than a real long-lived process sees.
 */
function timeOurs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row { job: string; ours: number[]; theirs: (number | undefined)[]; anchor: string }

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const rows: Row[] = [
    {
      job: 'index + findByName(xdp_md)', anchor: `${a.bpftool} btf dump file X | head -c1`, ours: [], theirs: [],
    },
    { job: 'decode all types', anchor: `${a.bpftool} btf dump file X > /dev/null`, ours: [], theirs: [] },
    { job: 'C header (vmlinux.h)', anchor: `${a.bpftool} btf dump file X format c > /dev/null`, ours: [], theirs: [] },
  ];
  const shell = [
    `${a.bpftool} btf dump file ${q(a.btf)} | head -c1 > /dev/null`,
    `${a.bpftool} btf dump file ${q(a.btf)} > /dev/null`,
    `${a.bpftool} btf dump file ${q(a.btf)} format c > /dev/null`,
  ];
  // Per job: our runs back to back, then bpftool's. (Interleaving single runs made ours slower by
  // up to 2x: after each child process our process restarts cold on a loaded machine.) Every run of
  // ours starts from the file (a fresh Btf), so nothing is cached between runs; run 1 also pays for
  // JIT warm-up, which is why the first run is shown too.
  const jobs: (() => unknown)[] = [
    () => readBtfFile(a.btf).findByName('xdp_md', 'STRUCT'),
    () => readBtfFile(a.btf).decodeAll(),
    () => dumpC(readBtfFile(a.btf)),
  ];
  rows.forEach((r, i) => {
    for (let run = 0; run < a.runs; run++) r.ours.push(timeOurs(jobs[i]!));
    for (let run = 0; run < a.runs; run++) r.theirs.push(timeShell(shell[i]!));
  });
  const btf = readBtfFile(a.btf);
  const load = loadavg()[0]!.toFixed(1);
  console.log(`BTF benchmark: ${a.btf} (${btf.count - 1} types), ${a.runs} runs, load average ${load}`);
  console.log('ms as median / min [first run]; ratio of medians (min ratio in brackets); ours is in-process, bpftool a whole process');
  console.log(`${'job'.padEnd(28)} ${'ours'.padStart(20)} ${'bpftool'.padStart(20)} ${'ours/bpftool'.padStart(14)}  anchor`);
  for (const r of rows) {
    const theirs = r.theirs.filter((x): x is number => x !== undefined);
    const fmt = (xs: number[]) => `${median(xs).toFixed(1)} / ${Math.min(...xs).toFixed(1)} [${xs[0]!.toFixed(0)}]`;
    const ratio = theirs.length
      ? `${(median(r.ours) / median(theirs)).toFixed(2)} [${(Math.min(...r.ours) / Math.min(...theirs)).toFixed(2)}]` : 'n/a';
    console.log(`${r.job.padEnd(28)} ${fmt(r.ours).padStart(20)} ${(theirs.length ? fmt(theirs) : 'n/a').padStart(20)} ${ratio.padStart(14)}  ${r.anchor}`);
  }
}

main();
