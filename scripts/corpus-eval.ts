// Kernel-as-judge for meta-bounds on a directory of BPF C programs: builds, loads each program, runs the check, prints the confusion table.
//
//   npx tsx scripts/corpus-eval.ts DIR... [-I DIR]... [--cflag FLAG]... [--json] [--logs OUTDIR] [--kernel K]
//
// --kernel K (as `xdp-meta matrix` names kernels: running, a linux-image-* package, a vmlinuz) loads every program
// through the kernel matrix instead (one microVM for all of them; loads cached by object and kernel) and runs the
// static check against K's BTF (scripts/corpus-kernel.ts).
// Every *.c under DIR with a `SEC(` and an XDP/TC ctx (`xdp_md`, `__sk_buff`) is compiled with clang-19
// (-target bpf -O2 -g; include path: the file's directory, every `headers`/`include` directory above it
// up to DIR, the -I directories). Each program is loaded alone through the xdp-meta agent (libbpf; a
// program calling the XDP metadata kfuncs is loaded device-bound to a veth this script creates, its peer in
// a namespace of its own, both removed at the end). The kernel's verdict: accepted, rejected for a
// data_meta bounds reason (the log's error is a packet-access error with a pkt_meta register in its last
// lines), or rejected otherwise. Ours: any meta-bounds finding on that program. Every real log the kernel
// printed (rejected, or accepted) is also checked against its raw text: our summary's message, insn, source
// line and processed count, and the pointer kind our explanation names against the register's type in the log
// (scripts/corpus-truth.ts). A DIR with a manifest.json gives its own -I directories and per-subdirectory
// cflags (`{"include": [...], "sources": [{"dir", "repo", "commit", "cflags", "include"}]}`, paths relative to
// DIR). The corpus stays outside the repository (fetched code is never committed): this script only reads it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { objectFunctions } from '../src/core/bpf/program';
import { namesMetadataKfunc } from '../src/core/bpf/xdp-kfuncs';
import { runCheck } from '../src/core/check';
import { parseElf } from '../src/core/elf/reader';
import { AgentLoader } from '../src/core/verifier/agent-loader';
import { extractProgramLogs } from '../src/core/verifier/loader';
import { layoutForSection, SKB_LAYOUT } from '../src/core/check/ctx-layout';
import { multiarchIncludeDir } from '../src/core/compile/arch';
import { fidelity } from './corpus-truth';
import { judgeOnKernel, type CorpusObject } from './corpus-kernel';
import { verdict, type Kernel, type Row } from './corpus-verdict';

interface Manifest { include?: string[]; cflags?: string[]; sources?: { dir: string; cflags?: string[]; include?: string[] }[] }

/** Build settings a corpus directory's manifest.json gives a file under it (none without a manifest). */
function manifestFlags(root: string, file: string): { incs: string[]; cflags: string[] } {
  let m: Manifest;
  try { m = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as Manifest; } catch { return { incs: [], cflags: [] }; }
  const incs = (m.include ?? []).map((d) => path.join(root, d));
  const cflags = [...(m.cflags ?? [])];
  for (const s of m.sources ?? []) {
    if (!file.startsWith(path.join(root, s.dir) + path.sep)) continue;
    incs.unshift(...(s.include ?? []).map((d) => path.join(root, d)));
    cflags.push(...(s.cflags ?? []));
  }
  return { incs, cflags };
}

const CLANG = process.env.XDP_META_TEST_CLANG ?? 'clang-19';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) { out.push(...sources(p)); continue; }
    if (!name.endsWith('.c')) continue;
    const text = readFileSync(p, 'utf8');
    if (/\bSEC\(/.test(text) && /\b(xdp_md|__sk_buff)\b/.test(text) && !/#include\s*<stdio\.h>/.test(text)) out.push(p);
  }
  return out.sort();
}

function includeDirs(file: string, root: string, extra: string[]): string[] {
  const dirs = [path.dirname(file)];
  for (let d = path.dirname(file); d.startsWith(root); d = path.dirname(d)) {
    for (const sub of ['headers', 'include', 'lib/util']) {
      try { if (statSync(path.join(d, sub)).isDirectory()) dirs.push(path.join(d, sub)); } catch { /* absent */ }
    }
    if (d === root) break;
  }
  return [...dirs, ...extra];
}

function compile(file: string, out: string, incs: string[], cflags: string[]): string | undefined {
  const asm = multiarchIncludeDir();
  const r = spawnSync(CLANG, ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', ...incs.flatMap((d) => ['-I', d]),
    ...(asm ? ['-idirafter', asm] : []), ...cflags, '-c', file, '-o', out], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr.split('\n').find((l) => / error: /.test(l)) ?? r.stderr.slice(0, 200));
}

/** A veth whose peer lives in a namespace made here, for device-bound loads; removed by the returned function. */
function makeVeth(): { dev: string; remove(): void } {
  const id = `${process.pid % 100000}`;
  const dev = `ce${id}`, peer = `cep${id}`, ns = `corpus_eval_${id}`;
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', peer, 'netns', ns]);
  execFileSync('ip', ['link', 'set', dev, 'up']);
  return {
    dev,
    remove() {
      spawnSync('ip', ['link', 'del', dev]);
      spawnSync('ip', ['netns', 'del', ns]);
    },
  };
}

/**
 * A section libbpf does not know (iproute2's `xdp_sock`, `prog`, …) loads as iproute2 would, with the type
 * given: bpftool prog loadall OBJ PIN type xdp (or classifier), trying XDP first. Undefined when neither loads.
 */
function loadWithType(obj: string, section: string): { kernel: Kernel; reason: string; log?: string } | undefined {
  const types = layoutForSection(section) === SKB_LAYOUT ? ['classifier'] : ['xdp', 'classifier'];
  for (const type of types) {
    const pin = `/sys/fs/bpf/corpus_eval_${process.pid}`;
    const r = spawnSync('bpftool', ['prog', 'loadall', obj, pin, 'type', type], { encoding: 'utf8' });
    rmSync(pin, { recursive: true, force: true });
    const log = extractProgramLogs(`${r.stdout}${r.stderr}`).map((l) => l.log).join('\n');
    if (r.status === 0) return { kernel: 'accept', reason: `loaded as type ${type}`, ...(log.trim() ? { log } : {}) };
    if (log.trim() && !/invalid bpf_context access/.test(log)) {
      const v = verdict(false, log, undefined);
      return { ...v, reason: `type ${type}: ${v.reason}`, log };
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dirs: string[] = [], extra: string[] = [], cflags: string[] = [];
  let json = false;
  let logsDir: string | undefined;
  let kernelSpec: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-I') extra.push(path.resolve(argv[++i]!));
    else if (argv[i] === '--cflag') cflags.push(argv[++i]!);
    else if (argv[i] === '--json') json = true;
    else if (argv[i] === '--logs') logsDir = path.resolve(argv[++i]!);
    else if (argv[i] === '--kernel') kernelSpec = argv[++i]!;
    else dirs.push(path.resolve(argv[i]!));
  }
  if (dirs.length === 0) throw new Error('usage: corpus-eval DIR... [-I DIR]... [--cflag FLAG]... [--json] [--logs OUTDIR] [--kernel K]');
  if (logsDir) mkdirSync(logsDir, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'corpus-eval-'));
  const loader = new AgentLoader();
  let veth: { dev: string; remove(): void } | undefined;
  const rows: Row[] = [];
  const buildFailures: { file: string; error: string }[] = [];
  const built: CorpusObject[] = [];
  let header = '';
  try {
    for (const root of dirs) {
      for (const file of sources(root)) {
        const rel = path.relative(path.dirname(root), file);
        const obj = path.join(tmp, `${rows.length + built.length}-${buildFailures.length}-${path.basename(file, '.c')}.o`);
        const own = manifestFlags(root, file);
        const err = compile(file, obj, [...includeDirs(file, root, extra), ...own.incs], [...cflags, ...own.cflags]);
        if (err) { buildFailures.push({ file: rel, error: err }); continue; }
        const bytes = readFileSync(obj);
        const elf = parseElf(bytes, obj);
        const programs = objectFunctions(elf).filter((f) => f.isProgram && f.section.name !== '.text');
        if (kernelSpec) {
          built.push({ file, rel, obj, bytes, programs: programs.map((p) => ({ name: p.name, section: p.section.name })) });
          continue;
        }
        const diags = runCheck([{ objectPath: obj, sourcePath: file }]).diagnostics.filter((d) => d.code === 'meta-bounds');
        const devBound = namesMetadataKfunc(bytes);
        if (devBound && !veth) veth = makeVeth();
        for (const p of programs) {
          let res;
          try {
            res = await loader.load(obj, { logLevel: 1, program: p.name, ...(devBound ? { dev: veth!.dev } : {}) });
          } catch (e) {
            rows.push({ file: rel, program: p.name, section: p.section.name, kernel: 'not-loaded', reason: (e as Error).message.slice(0, 160), ours: 0 });
            continue;
          }
          const log = res.logs.map((l) => l.log).join('\n');
          let v: { kernel: Kernel; reason: string; log?: string } = { ...verdict(res.ok, log, res.failure), ...(log.trim() ? { log } : {}) };
          if (v.kernel === 'not-loaded' && programs.length === 1 && !devBound) v = loadWithType(obj, p.section.name) ?? v;
          const ours = diags.filter((d) => d.program === p.name);
          const { log: raw, ...rest } = v;
          // The raw logs, for reading the truth by eye: one file per program, named after the source.
          if (raw && logsDir) writeFileSync(path.join(logsDir, `${rel.replace(/[/\\]/g, '__')}.${p.name}.log`), raw);
          rows.push({ file: rel, program: p.name, section: p.section.name, ...rest, ours: ours.length, message: ours[0]?.message,
            ...(raw ? { fidelity: fidelity(raw) } : {}) });
        }
      }
    }
    if (kernelSpec) {
      // Another kernel's verifier: through the kernel matrix (a microVM booted once), checked against its BTF.
      const started = Date.now();
      const r = await judgeOnKernel(kernelSpec, built, logsDir, (m) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}`));
      rows.push(...r.rows);
      header = `kernel ${r.kernel.id}: ${r.kernel.release} (${r.kernel.source}), loads through the kernel matrix in ${((Date.now() - started) / 1000).toFixed(0)} s`;
    }
  } finally {
    veth?.remove();
    rmSync(tmp, { recursive: true, force: true });
  }
  const count = (k: Kernel, flagged: boolean) => rows.filter((r) => r.kernel === k && (r.ours > 0) === flagged).length;
  const table = {
    'reject-meta': { flagged: count('reject-meta', true), quiet: count('reject-meta', false) },
    accept: { flagged: count('accept', true), quiet: count('accept', false) },
    'reject-other': { flagged: count('reject-other', true), quiet: count('reject-other', false) },
    'not-loaded': { flagged: count('not-loaded', true), quiet: count('not-loaded', false) },
  };
  if (json) {
    console.log(JSON.stringify({ rows, buildFailures, table }, null, 2));
    return;
  }
  if (header) console.log(header);
  for (const r of rows) {
    console.log(`${r.kernel.padEnd(12)} ours=${r.ours}  ${r.file} ${r.program} [${r.section}]${r.reason ? `  — ${r.reason}` : ''}${r.message ? `\n${' '.repeat(14)}ours: ${r.message.slice(0, 150)}` : ''}`);
  }
  for (const b of buildFailures) console.log(`build-failed ${b.file}: ${b.error}`);
  const objects = new Set(rows.map((r) => r.file)).size;
  console.log(`\n${objects} objects built (${buildFailures.length} failed to build), ${rows.length} programs`);
  console.log('meta-bounds confusion (kernel verdict vs ours), per program:');
  console.log('| kernel \\ ours | finding | no finding |');
  console.log('|---|---|---|');
  for (const [k, v] of Object.entries(table)) console.log(`| ${k} | ${v.flagged} | ${v.quiet} |`);
  const tp = table['reject-meta'].flagged, fn = table['reject-meta'].quiet, fp = table.accept.flagged;
  console.log(`recall on kernel data_meta rejections: ${tp}/${tp + fn}; false positives on accepted programs: ${fp}`);
  const logged = rows.filter((r) => r.fidelity);
  const exact = (k: Kernel | 'reject') => logged.filter((r) => (k === 'reject' ? r.kernel.startsWith('reject') : r.kernel === k));
  const rejected = exact('reject'), accepted = exact('accept');
  const ok = (rs: Row[]) => rs.filter((r) => r.fidelity!.inexact.length === 0).length;
  console.log(`log summaries (message, insn, source line, processed insns) exact against the raw log: ` +
    `${ok(rejected)}/${rejected.length} rejected, ${ok(accepted)}/${accepted.length} accepted ` +
    `(${rows.length - logged.length} programs printed no log)`);
  for (const r of logged.filter((x) => x.fidelity!.inexact.length)) {
    const f = r.fidelity!;
    const log = (k: string) => JSON.stringify(k === 'line' && f.truth.text !== undefined ? `; ${f.truth.text}` : f.truth[k as keyof typeof f.truth]);
    console.log(`  inexact ${r.file} ${r.program}: ${f.inexact.map((k) => `${k} ours=${JSON.stringify(f.ours[k as 'line'])} log=${log(k)}`).join('; ')}`);
  }
  const kinds = logged.filter((r) => r.fidelity!.kindMismatch);
  const named = logged.filter((r) => r.fidelity!.namedKind).length;
  console.log(`explanations naming a pointer kind that disagrees with the register's type in the log: ${kinds.length} of ${named}`);
  for (const r of kinds) {
    const k = r.fidelity!.kindMismatch!;
    console.log(`  kind ${r.file} ${r.program}: ${k.register} named ${k.named}, log says ${k.log}`);
  }
}

main().catch((e: Error) => {
  console.error(`corpus-eval: ${e.message}`);
  process.exit(1);
});
