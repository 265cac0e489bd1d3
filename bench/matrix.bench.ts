// Benchmark: the kernel matrix, 3 programs × {running, Debian 6.1, 6.12}: cold (kernels cached, VMs to boot), warm (VMs booted),
// per-program marginal cost, the result cache, and the naive vmtest loop (boot each kernel once per program); aim: warm < 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveKernel, type KernelTarget } from '../src/core/kernels';
import { matrixPrograms, runMatrix, type MatrixProgram } from '../src/core/matrix';
import { localSession, vmSession, type LoadSession } from '../src/core/matrix/session';
import { debianKernels, vmPrereqMissing } from '../test/helpers/kernels';

const ANCHOR_WARM_S = 10;
const FIXTURES = ['meta_ok', 'meta_unchecked', 'rx_hash_meta'].map((f) => path.resolve(__dirname, `../test/fixtures/matrix/${f}.bpf.c`));

const secs = (t: number): string => `${((performance.now() - t) / 1000).toFixed(2)} s`;

async function pool<T>(items: readonly T[], fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const open = (k: KernelTarget): Promise<LoadSession> => (k.source === 'running' ? localSession(k) : vmSession(k, {}));

async function loadAll(sessions: LoadSession[], programs: MatrixProgram[], dir: string): Promise<void> {
  await Promise.all(sessions.map(async (s) => {
    for (const p of programs) await s.load(p, path.join(dir, `${s.kernel.release}-${p.program}.log`), 1);
  }));
}

async function main(): Promise<void> {
  const missing = vmPrereqMissing();
  const { k61, k612 } = debianKernels();
  if (missing || !k61 || !k612 || process.getuid?.() !== 0) {
    console.log(`matrix bench: needs ${missing ?? (!k61 || !k612 ? 'Debian 6.1/6.12 kernels in apt' : 'root')}; skipped`);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'xdp-meta-bench-matrix-'));
  try {
    let t = performance.now();
    const kernels = ['running', k61, k612].map((k) => resolveKernel(k));
    console.log(`kernels resolved (download + extract, or the cache): ${secs(t)}`);
    const programs = await matrixPrograms(FIXTURES, { outDir: dir });
    console.log(`${programs.length} programs × ${kernels.length} kernels, ${availableParallelism()} cores, TCG`);

    t = performance.now();
    await runMatrix(programs, kernels, { noCache: true });
    const coldS = (performance.now() - t) / 1000;
    console.log(`cold matrix (boot every kernel once, load all):   ${coldS.toFixed(2)} s`);

    t = performance.now();
    await runMatrix(programs, kernels, {});
    console.log(`cached matrix (results by object hash, kernel):   ${secs(t)}`);

    t = performance.now();
    const sessions: LoadSession[] = [];
    await pool(kernels, async (k) => { sessions.push(await open(k)); });
    console.log(`boot: ${sessions.map((s) => `${s.kernel.id === 'running' ? 'running' : s.kernel.release.split('-')[0]} ${(s.startMs / 1000).toFixed(1)} s`).join(', ')} (wall ${secs(t)})`);
    try {
      t = performance.now();
      await loadAll(sessions, programs, dir);
      const warmS = (performance.now() - t) / 1000;
      console.log(`warm matrix (VMs booted):                         ${warmS.toFixed(2)} s  (${(warmS / ANCHOR_WARM_S).toFixed(2)}× the ${ANCHOR_WARM_S} s anchor; ${warmS < ANCHOR_WARM_S ? 'under' : 'OVER'})`);
      t = performance.now();
      await loadAll(sessions, programs.slice(0, 1), dir);
      console.log(`marginal cost of one more program (all kernels): ${secs(t)}`);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }

    if (process.env.BENCH_NAIVE !== '0') {
      t = performance.now();
      const cells = programs.flatMap((p) => kernels.map((k) => ({ p, k })));
      await pool(cells, async ({ p, k }) => {
        const s = await open(k);
        try { await s.load(p, path.join(dir, `naive-${k.release}-${p.program}.log`), 1); } finally { await s.close(); }
      });
      const naiveS = (performance.now() - t) / 1000;
      console.log(`naive vmtest loop (boot per program × kernel):    ${naiveS.toFixed(2)} s  (the matrix's cold run is ${(naiveS / coldS).toFixed(2)}× faster)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
