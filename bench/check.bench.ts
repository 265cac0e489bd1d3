// Benchmark: the metadata check of each template (compile excluded) beside clang's compile time of the same file; aim ≤ 10 %.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { compileArgs, findClang, listTemplates } from '../src/core/compile';
import { runCheck } from '../src/core/check';

const execFileP = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'check-bench-'));
  try {
    const clang = await findClang();
    console.log(`clang: ${clang.path}; target: the running kernel's BTF; ${ROUNDS} rounds, median (and best warm run: load on the machine shows in medians)`);
    console.log('cold = first check in the process (includes loading vmlinux BTF); warm = later checks (BTF cached, as in the language server)\n');
    const rows: string[][] = [['template', 'clang', 'check cold', 'ratio', 'check warm', 'ratio', 'warm best', 'findings']];
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
