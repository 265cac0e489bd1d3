// Benchmark: save → diagnostics published by `xdp-meta lsp --stdio` on each template, beside clang's compile alone.
// Aims: < 500 ms from save to diagnostics; the check adds ≤ 10 % to the compile.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileBpf, findClang, listTemplates } from '../src/core/compile';
import { LspClient, ROOT } from '../test/server/lsp-client';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const clang = await findClang();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lsp-bench-'));
  // Save-driven only (no compile while typing) so each round measures exactly one save.
  const client = await LspClient.start({ trusted: true, settings: { check: { onType: false } } });
  console.log(`clang: ${clang.path}; ${ROUNDS} rounds per template, median; target: the running kernel's BTF`);
  console.log('total = didSave sent → publishDiagnostics received (compile + check + protocol); clang = compileBpf of the same buffer alone\n');
  const rows: string[][] = [['template', 'clang alone', 'save→diagnostics', 'server compile', 'check', 'check / compile', 'diagnostics']];
  let worstTotal = 0, worstRatio = 0;
  try {
    for (const t of listTemplates(path.join(ROOT, 'bpf-templates'))) {
      for (const file of t.sources) {
        const text = readFileSync(file, 'utf8');
        const alone: number[] = [];
        for (let i = 0; i <= ROUNDS; i++) {
          const s = performance.now();
          const r = await compileBpf({ file, source: text, out: path.join(tmp, 'alone.o'), clang, cwd: path.dirname(file) });
          if (i > 0) alone.push(performance.now() - s); // round 0 warms the page cache
          if (!r.ok) throw new Error(`${file} does not compile: ${r.stderr}`);
        }
        const uri = client.open(file, text);
        await client.diagnosticsFor(uri, 1); // warm: the first check loads the kernel BTF
        const total: number[] = [], compile: number[] = [], check: number[] = [];
        let count = 0;
        for (let i = 0; i < ROUNDS; i++) {
          const before = client.results.length;
          const v = client.change(uri, `${text}\n/* round ${i} */\n`);
          const s = performance.now();
          client.save(uri);
          const diags = await client.diagnosticsFor(uri, v);
          total.push(performance.now() - s);
          const r = await client.until('check result', () => client.results.slice(before).find((x) => x.uri === uri && x.version === v));
          compile.push(r.compileMs);
          check.push(r.checkMs);
          count = diags.length;
        }
        await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
        const ratio = median(check) / median(compile);
        worstTotal = Math.max(worstTotal, median(total));
        worstRatio = Math.max(worstRatio, ratio);
        rows.push([`${t.name}/${path.basename(file)}`, `${median(alone).toFixed(0)} ms`, `${median(total).toFixed(0)} ms`,
          `${median(compile).toFixed(0)} ms`, `${median(check).toFixed(1)} ms`, `${(ratio * 100).toFixed(1)} %`, String(count)]);
      }
    }
  } finally {
    await client.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  console.log(`\nworst save→diagnostics ${worstTotal.toFixed(0)} ms (aim < 500 ms: ${worstTotal < 500 ? 'met' : 'MISSED'}); `
    + `worst check/compile ${(worstRatio * 100).toFixed(1)} % (aim ≤ 10 %: ${worstRatio <= 0.1 ? 'met' : 'MISSED'})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
