// Benchmark: whole `xdp-meta` processes (check, relocs, btf c/summary) in interleaved pairs with the C tool a user would run instead.
// Run: npm run bench cli  (BENCH_PAIRS=N, default 11; XDP_META_CLI=path of the bundle, default dist/cli.js)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { bpfTargetFlags, compileArgs, findClang, listTemplates } from '../src/core/compile';

const PAIRS = Math.max(1, Number(process.env.BENCH_PAIRS ?? 11));
const CLI = path.resolve(process.env.XDP_META_CLI ?? path.join(__dirname, '../dist/cli.js'));
const BTF = process.env.BENCH_BTF ?? '/sys/kernel/btf/vmlinux';
const BPFTOOL = process.env.BPFTOOL ?? 'bpftool';

interface Side { label: string; cmd: string }
interface Pair { job: string; goal: number; ours: Side; anchor: Side }
interface Run { wallMs: number; cpuMs: number }

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** User+system CPU of all reaped children so far, in ms (/proc/self/stat cutime+cstime; clock ticks of 10 ms). */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10; // fields 16 and 17 of proc(5), counted from field 3
}

/** One whole process through sh (pipes and redirections as a user types them); failure ends the benchmark. */
function time(cmd: string): Run {
  const cpu0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = performance.now() - t0;
  // xdp-meta check exits 1 when it finds errors (the xdp-hints-core template has poisoned relocations here).
  if (r.status !== 0 && !(r.status === 1 && cmd.includes(' check '))) {
    throw new Error(`'${cmd}' exited with ${r.status}: ${r.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { wallMs, cpuMs: childCpuMs() - cpu0 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'cli-bench-'));
  try {
    const clang = await findClang();
    const node = `${q(process.execPath)} ${q(CLI)}`;
    const pairs: Pair[] = [];
    let reloObj: string | undefined;
    for (const t of listTemplates(path.resolve(__dirname, '../bpf-templates'))) {
      for (const file of t.sources) {
        const obj = path.join(tmp, `${path.basename(file, '.c')}.o`);
        execFileSync(clang.path, compileArgs({ file, out: obj }), { stdio: 'ignore' });
        if (t.name === 'xdp-hints-core') reloObj = obj;
        pairs.push({
          job: `check ${t.name}`, goal: 1.5,
          ours: { label: 'xdp-meta check T.bpf.c', cmd: `${node} check ${q(file)} > /dev/null` },
          // The same codegen flags (the host asm headers too), without our diagnostic-format flags.
          anchor: { label: `${path.basename(clang.path)} -target bpf -O2 -g -c`, cmd: `${[clang.path, ...bpfTargetFlags()].map(q).join(' ')} -c ${q(file)} -o ${q(path.join(tmp, 'anchor.o'))}` },
        });
      }
    }
    if (reloObj) {
      pairs.push({
        job: 'relocs --json', goal: 2,
        ours: { label: 'xdp-meta relocs OBJ --json', cmd: `${node} relocs ${q(reloObj)} --json > /dev/null` },
        anchor: { label: 'bpftool gen min_core_btf', cmd: `${BPFTOOL} gen min_core_btf ${q(BTF)} ${q(path.join(tmp, 'min.btf'))} ${q(reloObj)}` },
      });
    }
    pairs.push({
      job: 'btf --format c', goal: 1.5,
      ours: { label: 'xdp-meta btf vmlinux --format c', cmd: `${node} btf ${q(BTF)} --format c > /dev/null` },
      anchor: { label: 'bpftool btf dump file vmlinux format c', cmd: `${BPFTOOL} btf dump file ${q(BTF)} format c > /dev/null` },
    }, {
      job: 'btf --format summary', goal: 3,
      ours: { label: 'xdp-meta btf vmlinux', cmd: `${node} btf ${q(BTF)} > /dev/null` },
      anchor: { label: 'bpftool btf dump file vmlinux | head -c1', cmd: `${BPFTOOL} btf dump file ${q(BTF)} | head -c1 > /dev/null` },
    });

    // One warm-up pair each (page cache; the clang probe, kernel BTF and code caches), then PAIRS rounds; within a round each
    // pair runs back to back, the order of its two sides alternating, so load drifts hit both alike.
    const runs = pairs.map(() => ({ ours: [] as Run[], anchor: [] as Run[] }));
    pairs.forEach((p) => { time(p.ours.cmd); time(p.anchor.cmd); });
    for (let round = 0; round < PAIRS; round++) {
      pairs.forEach((p, i) => {
        if (round % 2 === 0) { runs[i]!.ours.push(time(p.ours.cmd)); runs[i]!.anchor.push(time(p.anchor.cmd)); } else {
          runs[i]!.anchor.push(time(p.anchor.cmd)); runs[i]!.ours.push(time(p.ours.cmd));
        }
      });
    }

    console.log(`whole processes, ${PAIRS} interleaved pairs each; ${CLI}; load average ${loadavg()[0]!.toFixed(1)} on ${execFileSync('nproc').toString().trim()} CPUs`);
    console.log('wall ms median (min); ratio = ours / anchor: median of the per-pair ratios, and min ours / min anchor; CPU = user+sys, median');
    const head = ['job', 'ours wall', 'anchor wall', 'ratio med', 'ratio min', 'goal', 'ours CPU', 'anchor CPU', 'CPU ratio', 'anchor'];
    const rows = pairs.map((p, i) => {
      const o = runs[i]!.ours, a = runs[i]!.anchor;
      const ratioMed = median(o.map((r, k) => r.wallMs / a[k]!.wallMs));
      const ratioMin = Math.min(...o.map((r) => r.wallMs)) / Math.min(...a.map((r) => r.wallMs));
      const cpuO = median(o.map((r) => r.cpuMs)), cpuA = median(a.map((r) => r.cpuMs));
      const w = (xs: Run[]): string => `${median(xs.map((r) => r.wallMs)).toFixed(0)} (${Math.min(...xs.map((r) => r.wallMs)).toFixed(0)})`;
      return [p.job, w(o), w(a), `${ratioMed.toFixed(2)}x`, `${ratioMin.toFixed(2)}x`, `<= ${p.goal}x ${ratioMed <= p.goal ? 'met' : 'MISSED'}`,
        `${cpuO}`, `${cpuA}`, cpuA > 0 ? `${(cpuO / cpuA).toFixed(2)}x` : 'n/a', p.anchor.label];
    });
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const r of [head, ...rows]) console.log(r.map((x, c) => (c === 0 || c === r.length - 1 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  '));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
