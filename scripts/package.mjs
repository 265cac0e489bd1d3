// `npm run package`: production build, the guard, vsce with the user-facing page, then the guard on the VSIX itself.
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { checkSources, checkVsix, zipEntries } from './package-guard.mjs';

const ROOT = process.cwd();
const OUT = 'dist/xdp-metadata-workbench.vsix';
const README = 'README.marketplace.md';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function refuse(when, problems) {
  console.error(`npm run package: ${when}, so no VSIX was made; missing:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}

run(process.execPath, ['scripts/build.mjs', '--production']);
const before = checkSources(ROOT, README);
if (before.length) refuse('the package would not run', before);
rmSync(OUT, { force: true });
run(process.execPath, ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links',
  '--readme-path', README, '--out', OUT]);
const after = checkVsix(ROOT, OUT, README);
if (after.length) {
  rmSync(OUT, { force: true });
  refuse(`${OUT} lacks files the extension opens at run time`, after);
}
console.log(`npm run package: ${OUT} checked: ${zipEntries(OUT).length} entries, ${(statSync(OUT).size / 1048576).toFixed(2)} MB`);
