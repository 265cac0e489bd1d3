// `npm run fuzz [NAME...]`: runs every fuzz/*.ts (or the ones whose name contains NAME) in turn; each prints its counts.
// Targets are files, so adding one never edits this runner. FUZZ_ITERATIONS / FUZZ_SEED are passed through.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const files = readdirSync('fuzz').filter((f) => f.endsWith('.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w))).sort();
if (files.length === 0) {
  console.error(`no fuzz target matches ${wanted.join(' ')} (fuzz/*.ts)`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== fuzz/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `fuzz/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`fuzz/${f} exited with ${r.status ?? r.signal}`); }
}
process.exit(failed ? 1 : 0);
