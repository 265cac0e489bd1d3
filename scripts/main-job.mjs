// The main job (`npm start`): build everything, run the doctor, then compile every template and print a table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { encoding: 'utf8', ...opts });
const section = (title) => console.log(`\n== ${title}`);

section('build');
const build = run('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('main job: the build failed');
  process.exit(1);
}
console.log('dist/ built');

// The doctor's verdicts are informational here: a missing bpftool or bpffs must not fail the job,
// while a missing clang shows up as failed template compiles below.
section('xdp-meta doctor');
run('node', ['dist/cli.js', 'doctor'], { stdio: 'inherit' });

section('templates (xdp-meta build, -Wall)');
const root = 'bpf-templates';
const templates = existsSync(root)
  ? readdirSync(root).filter((d) => statSync(path.join(root, d)).isDirectory()).sort()
  : [];
const out = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-main-job-'));
const rows = [];
let checkFailures = 0;
try {
  for (const t of templates) {
    for (const src of readdirSync(path.join(root, t)).filter((f) => f.endsWith('.bpf.c')).sort()) {
      const obj = path.join(out, `${t}-${src.replace(/\.c$/, '.o')}`);
      const t0 = performance.now();
      const r = run('node', ['dist/cli.js', 'build', path.join(root, t, src), '-o', obj, '--format', 'json', '--', '-Wall']);
      const ms = performance.now() - t0;
      let diags = [];
      try {
        diags = JSON.parse(r.stdout || '[]');
      } catch {
        // Not JSON: the CLI failed before compiling (e.g. no clang); its stderr says why.
      }
      const errors = diags.filter((d) => d.severity === 'error').length;
      const warnings = diags.filter((d) => d.severity === 'warning').length;
      const size = r.status === 0 && existsSync(obj) ? statSync(obj).size : 0;
      rows.push({
        template: t, source: src, status: r.status === 0 ? 'ok' : 'FAILED', time: `${ms.toFixed(0)} ms`,
        result: r.status === 0 ? `${size} B, ${warnings} warning${warnings === 1 ? '' : 's'}`
          : errors ? `${errors} error${errors === 1 ? '' : 's'}: ${diags[0].file.split('/').pop()}:${diags[0].line}: ${diags[0].message}`
            : (r.stderr || '').trim().split('\n')[0],
      });
    }
  }
  // The metadata check of each compiled template against this machine's kernel BTF. Findings are
  // the point of the report, not a failure: xdp-hints-core reads a proposed struct no kernel has.
  section('xdp-meta check');
  for (const r of rows.filter((x) => x.status === 'ok')) {
    const obj = path.join(out, `${r.template}-${r.source.replace(/\.c$/, '.o')}`);
    // A template that ships a stand-in kernel (target-kernel.c) is checked against that kernel's BTF.
    const targetSrc = path.join(root, r.template, 'target-kernel.c');
    const targetArgs = [];
    let against = 'this kernel';
    if (existsSync(targetSrc)) {
      const targetObj = path.join(out, `${r.template}-target-kernel.o`);
      const b = run('node', ['dist/cli.js', 'build', targetSrc, '-o', targetObj]);
      if (b.status === 0) {
        targetArgs.push('--target-btf', targetObj);
        against = `${r.template}/target-kernel.c`;
      }
    }
    const c = run('node', ['dist/cli.js', 'check', obj, ...targetArgs, '--format', 'json']);
    let diags;
    try {
      diags = JSON.parse(c.stdout).diagnostics;
    } catch {
      console.log(`${r.template}: check failed: ${(c.stderr || '').trim().split('\n')[0]}`);
      checkFailures++;
      continue;
    }
    const counts = {};
    for (const d of diags) counts[d.code] = (counts[d.code] ?? 0) + 1;
    const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'clean';
    console.log(`${r.template}/${r.source} (against ${against}): ${summary}`);
    for (const d of diags) console.log(`  ${path.basename(d.file)}:${d.line}: ${d.severity}: ${d.message} [${d.code}]`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const cols = ['template', 'source', 'status', 'time', 'result'];
const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
const line = (r) => cols.map((c) => (c === 'time' ? r[c].padStart(width[c]) : r[c].padEnd(width[c]))).join('  ').trimEnd();
console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
for (const r of rows) console.log(line(r));

const failed = rows.filter((r) => r.status !== 'ok').length;
section('summary');
console.log(`${rows.length - failed}/${rows.length} templates compiled${failed ? `, ${failed} FAILED` : ''}`);
process.exit(failed || checkFailures || rows.length === 0 ? 1 : 0);
