// Benchmark: activation time of the bundled extension (require + activate of dist/extension.js, stub vscode), fresh process each round.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The runner is bundled to plain JS first, so no TypeScript loader sits between Node and dist/extension.js.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'activation-bench-'));
const runner = path.join(tmp, 'run.cjs');
buildSync({ entryPoints: [path.join(ROOT, 'bench/activation-run.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: runner, logLevel: 'warning',
  define: { __dirname: JSON.stringify(path.join(ROOT, 'bench')) } });
const size = statSync(path.join(ROOT, 'dist/extension.js')).size;
console.log(`dist/extension.js: ${(size / 1024).toFixed(0)} KB; ${ROUNDS} fresh processes per row, median`);
console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores (figures scale with it)`);
let anchor = 0;
for (const mode of ['--anchor', '--trusted', '--untrusted']) {
  const req: number[] = [], act: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const out = execFileSync(process.execPath, [runner, mode], { cwd: ROOT, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { requireMs: number; activateMs: number };
    req.push(r.requireMs);
    act.push(r.activateMs);
  }
  const total = median(req.map((r, i) => r + act[i]));
  if (mode === '--anchor') {
    anchor = total;
    console.log(`anchor     require vscode-languageclient/node alone ${total.toFixed(1)} ms`);
    continue;
  }
  console.log(`${mode.slice(2).padEnd(9)}  require ${median(req).toFixed(1)} ms  activate ${median(act).toFixed(1)} ms  total ${total.toFixed(1)} ms`
    + `  = ${(total / anchor).toFixed(2)}× the anchor`);
}
rmSync(tmp, { recursive: true, force: true });
