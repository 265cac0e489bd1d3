// Benchmark: compile time of each template through compileBpf() vs. the same clang command spawned raw (the anchor).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { clearClangCache, compileArgs, compileBpf, findClang, listTemplates } from '../src/core/compile';

const execFileP = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'compile-bench-'));
  try {
    clearClangCache();
    let t0 = performance.now();
    const clang = await findClang();
    const discoveryMs = performance.now() - t0;
    t0 = performance.now();
    await findClang();
    const cachedMs = performance.now() - t0;
    console.log(`clang: ${clang.path} (${clang.version.text})`);
    console.log(`discovery: ${discoveryMs.toFixed(1)} ms cold, ${cachedMs.toFixed(3)} ms cached; ${ROUNDS} rounds, median`);
    console.log('');

    const rows: string[][] = [['template', 'raw clang', 'compileBpf', 'ratio', 'buffer (stdin)', 'ratio']];
    const ratios: number[] = [];
    for (const t of listTemplates(path.resolve(__dirname, '../bpf-templates'))) {
      for (const file of t.sources) {
        const obj = path.join(out, `${t.name}.o`);
        const args = compileArgs({ file, out: obj });
        const text = readFileSync(file, 'utf8');
        const raw: number[] = [];
        const driver: number[] = [];
        const buffer: number[] = [];
        // Warm the page cache and clang's own start-up once before measuring.
        await execFileP(clang.path, args);
        for (let i = 0; i < ROUNDS; i++) {
          // Interleave so drift (thermal, other load) hits all three alike.
          let s = performance.now();
          await execFileP(clang.path, args);
          raw.push(performance.now() - s);
          s = performance.now();
          const r = await compileBpf({ file, out: obj, clang });
          driver.push(performance.now() - s);
          if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.diagnostics)}`);
          s = performance.now();
          const b = await compileBpf({ file, source: text, out: obj, clang });
          buffer.push(performance.now() - s);
          if (!b.ok) throw new Error(`${file} (buffer): ${JSON.stringify(b.diagnostics)}`);
        }
        const [mr, md, mb] = [median(raw), median(driver), median(buffer)];
        ratios.push(md / mr);
        rows.push([t.name, `${mr.toFixed(1)} ms`, `${md.toFixed(1)} ms`, `${(md / mr).toFixed(2)}x`, `${mb.toFixed(1)} ms`, `${(mb / mr).toFixed(2)}x`]);
      }
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
    console.log('');
    console.log(`compileBpf vs raw clang: ${median(ratios).toFixed(2)}x median overhead ratio (anchor: raw clang = 1.00x)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
