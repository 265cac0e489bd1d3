// `npm run fuzz [NAME...] [-- ARGS]`: builds, then runs every fuzz/*.fuzz.ts (or those whose name contains NAME) with ARGS.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const wanted = dash < 0 ? argv : argv.slice(0, dash);
const passed = dash < 0 ? [] : argv.slice(dash + 1);
const files = readdirSync('fuzz').filter((f) => f.endsWith('.fuzz.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w))).sort();
if (!files.length) { console.error(`no fuzz/*.fuzz.ts matches ${wanted.join(' ')}`); process.exit(2); }
if (spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0) process.exit(1);
let failed = 0;
for (const f of files) {
  console.log(`\n=== fuzz/${f}`);
  const r = spawnSync('node', ['--import', 'tsx', `fuzz/${f}`, ...passed], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`fuzz/${f} exited with ${r.status}`); }
}
process.exit(failed ? 1 : 0);
