// Benchmark: the metadata check of each template (compile excluded) beside clang's compile time of the same file; aim ≤ 10 %.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { compileArgs, findClang, listTemplates } from '../src/core/compile';
import { runCheck } from '../src/core/check';

const execFileP = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 5);

/**
 * The first check in a fresh process (vmlinux read, name index built, code not yet optimized), median
 * of fresh processes; with `btfReady`, the kernel BTF and its name index are built before the clock
 * starts, as a CLI can do while clang compiles.
 */
function firstInProcess(obj: string, src: string, btfReady: boolean): number {
  const runner = path.resolve(__dirname, 'check-run.ts');
  const times: number[] = [];
  for (let i = 0; i < COLD_ROUNDS; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', runner, ...(btfReady ? ['--btf-ready'] : []), obj, src], { encoding: 'utf8' });
    times.push((JSON.parse(out.trim().split('\n').pop()!) as { firstMs: number }).firstMs);
  }
  return median(times);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'check-bench-'));
  try {
    const clang = await findClang();
    console.log(`clang: ${clang.path}; target: the running kernel's BTF; ${ROUNDS} rounds, median (and best warm run: load on the machine shows in medians)`);
    console.log('first = the first check in a fresh process (median of fresh processes: loads vmlinux BTF, builds the name index, unoptimized code)');
    console.log('first, BTF ready = the same with the kernel BTF loaded and indexed beforehand (what a CLI could do while clang runs)');
    console.log('cold = first check of this template in this process (earlier templates warmed the BTF and the code); warm = later checks (as in the language server)\n');
    const rows: string[][] = [['template', 'clang', 'check first', 'ratio', 'first, BTF ready', 'ratio', 'check cold', 'ratio', 'check warm', 'ratio', 'warm best', 'findings']];
    const ratios: number[] = [];
    let first = true;
    for (const t of listTemplates(path.resolve(__dirname, '../bpf-templates'))) {
      for (const file of t.sources) {
        const obj = path.join(out, `${path.basename(file, '.c')}.o`);
        const args = compileArgs({ file, out: obj });
        await execFileP(clang.path, args); // warm the page cache and clang start-up
        const compile: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const s = performance.now();
          await execFileP(clang.path, args);
          compile.push(performance.now() - s);
        }
        const firstMs = firstInProcess(obj, file, false);
        const readyMs = firstInProcess(obj, file, true);
        let s = performance.now();
        const r = runCheck([{ objectPath: obj, sourcePath: file }]);
        const cold = performance.now() - s;
        const warm: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          // Collect first (node --expose-gc, as npm run bench starts it): a pause left over from earlier work is not the check's.
          (globalThis as { gc?: () => void }).gc?.();
          s = performance.now();
          runCheck([{ objectPath: obj, sourcePath: file }]);
          warm.push(performance.now() - s);
        }
        const mc = median(compile), mw = median(warm);
        ratios.push(mw / mc);
        rows.push([
          path.basename(file), `${mc.toFixed(1)} ms`,
          `${firstMs.toFixed(1)} ms`, `${((firstMs / mc) * 100).toFixed(1)} %`,
          `${readyMs.toFixed(1)} ms`, `${((readyMs / mc) * 100).toFixed(1)} %`,
          `${cold.toFixed(1)} ms${first ? ' *' : ''}`, `${((cold / mc) * 100).toFixed(1)} %`,
          `${mw.toFixed(2)} ms`, `${((mw / mc) * 100).toFixed(1)} %`,
          `${Math.min(...warm).toFixed(2)} ms`,
          String(r.diagnostics.length),
        ]);
        first = false;
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    console.log('\n* the first template\'s cold figure pays for loading vmlinux BTF once per process');
    const worst = Math.max(...ratios);
    console.log(`warm check / clang compile: worst ${(worst * 100).toFixed(1)} % (aim ≤ 10 %) ${worst <= 0.1 ? 'OK' : 'ABOVE AIM'}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
