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

/** In-process wall time of `fn`, after a full GC (with --expose-gc, as `npm run bench` runs us) so runs do not pay for each other's garbage. */
function timeOurs(fn: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
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
  // Interleave ours and bpftool so machine load affects both alike. Every run starts from the file
  // (a fresh Btf), so nothing is cached between runs; run 1 also pays for JIT warm-up.
  for (let run = 0; run < a.runs; run++) {
    rows[0]!.ours.push(timeOurs(() => readBtfFile(a.btf).findByName('xdp_md', 'STRUCT')));
    rows[1]!.ours.push(timeOurs(() => readBtfFile(a.btf).decodeAll()));
    rows[2]!.ours.push(timeOurs(() => dumpC(readBtfFile(a.btf))));
    rows.forEach((r, i) => r.theirs.push(timeShell(shell[i]!)));
  }
  const btf = readBtfFile(a.btf);
  const load = loadavg()[0]!.toFixed(1);
  console.log(`BTF benchmark: ${a.btf} (${btf.count - 1} types), ${a.runs} runs, median ms (first run in brackets), load average ${load}`);
  console.log(`${'job'.padEnd(28)} ${'ours'.padStart(14)} ${'bpftool'.padStart(14)} ${'ours/bpftool'.padStart(13)}  anchor`);
  for (const r of rows) {
    const theirs = r.theirs.filter((x): x is number => x !== undefined);
    const ours = median(r.ours);
    const t = theirs.length ? median(theirs) : undefined;
    const fmt = (m: number, first: number) => `${m.toFixed(1)} [${first.toFixed(0)}]`;
    console.log(`${r.job.padEnd(28)} ${fmt(ours, r.ours[0]!).padStart(14)} ${(t !== undefined ? fmt(t, theirs[0]!) : 'n/a').padStart(14)} ${(t !== undefined ? (ours / t).toFixed(2) : 'n/a').padStart(13)}  ${r.anchor}`);
  }
}

main();
