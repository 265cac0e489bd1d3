// `npm run fuzz [NAME...] [-- --OPTION...]`: builds, then runs every fuzz/*.fuzz.ts (or those whose name contains NAME) with the options.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const argv = process.argv.slice(2);
// npm eats the first `--`, so the options start at the first argument that looks like one (or after a second `--`).
const first = argv.findIndex((a) => a.startsWith('-'));
const wanted = first < 0 ? argv : argv.slice(0, first);
const passed = first < 0 ? [] : argv.slice(argv[first] === '--' ? first + 1 : first);
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
