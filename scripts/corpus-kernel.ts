// corpus-eval --kernel K: the corpus loaded by kernel K's real verifier through the kernel matrix (one VM for every program), checked against K's BTF.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { btfExtFromElf } from '../src/core/btf/ext';
import { btfFromElf } from '../src/core/btf/load';
import { parseElf } from '../src/core/elf/reader';
import { resolveKernel, type KernelTarget } from '../src/core/kernels';
import { runMatrix, type MatrixCell, type MatrixLoad, type MatrixProgram } from '../src/core/matrix';
import type { LoadSession } from '../src/core/matrix/session';
import { retypedObject, typesFor } from './corpus-retype';
import { lineOfInsn } from '../src/core/matrix/lines';
import { attributeLoadFailure } from '../src/core/verifier/load-failure';
import { fidelity, type LineResolver } from './corpus-truth';
import { verdict, type Row } from './corpus-verdict';

/** One built corpus object and the programs in it. */
export interface CorpusObject {
  /** The source, and its path as printed (relative to the corpus's parent). */
  file: string;
  rel: string;
  obj: string;
  bytes: Buffer;
  programs: { name: string; section: string }[];
}

/** The object's line info as the matrix reads it (insn → line) and every line text it records per file:line. */
function lineResolver(bytes: Buffer, obj: string, program: string): LineResolver {
  let texts: Map<string, string[]> | undefined;
  return {
    lineOf: (insn) => lineOfInsn(bytes, obj, program, insn),
    textOf(file, line) {
      if (!texts) {
        texts = new Map();
        try {
          const elf = parseElf(bytes, obj);
          const ext = btfExtFromElf(elf, btfFromElf(elf));
          for (const sec of ext?.lineInfo ?? []) {
            for (const r of sec.records) {
              const key = `${path.basename(r.fileName)}:${r.line}`;
              texts.set(key, [...(texts.get(key) ?? []), r.lineText]);
            }
          }
        } catch { /* no line info: no text matches */ }
      }
      return texts.get(`${file}:${line}`) ?? [];
    },
  };
}

// libbpf's own messages (the agent sends them when the kernel printed no verifier log).
const LIBBPF_TEXT = /^libbpf: /m;

/**
 * Judges every program on kernel `spec` (`running`, a Debian package, a vmlinuz). The matrix caches loads by
 * (object, kernel, agent), so a second run re-reads the logs it kept and only re-parses them.
 */
export async function judgeOnKernel(spec: string, objects: readonly CorpusObject[], logsDir: string | undefined,
  progress: (msg: string) => void): Promise<{ kernel: KernelTarget; rows: Row[] }> {
  const kernel = resolveKernel(spec, progress);
  const programs: MatrixProgram[] = objects.flatMap((o) => {
    const hash = createHash('sha256').update(o.bytes).digest('hex').slice(0, 16);
    return o.programs.map((p) => ({ input: o.file, objectPath: o.obj, sourcePath: o.file, bytes: o.bytes, hash, program: p.name }));
  });
  // One session (one booted VM) for the first round and the retyped rounds.
  const sessions = new Map<string, LoadSession>();
  const judge = async (ps: MatrixProgram[]) => {
    let failed: Error | undefined;
    const report = await runMatrix(ps, [kernel], { concurrency: 1, sessions, onProgress: progress, onKernelError: (_k, e) => { failed = e; } });
    if (failed) throw failed;
    return report.results;
  };
  try {
    return { kernel, rows: await judgeRounds(objects, programs, judge, logsDir, progress) };
  } finally {
    for (const s of sessions.values()) await s.close().catch(() => undefined);
  }
}

async function judgeRounds(objects: readonly CorpusObject[], programs: MatrixProgram[], judge: (ps: MatrixProgram[]) => Promise<MatrixCell[]>,
  logsDir: string | undefined, progress: (msg: string) => void): Promise<Row[]> {
  const cells = await judge(programs);
  const rows: Row[] = [];
  for (const o of objects) {
    for (const p of o.programs) {
      const cell = cells.find((c) => c.object === o.file && c.program === p.name)!;
      const ours = cell.static.diagnostics.filter((d) => d.code === 'meta-bounds' && d.program === p.name);
      const row = rowOf(o, p.name, p.section, cell.load, logsDir);
      rows.push({ ...row, ours: ours.length, ...(ours[0] ? { message: ours[0].message } : {}) });
    }
  }
  // Sections libbpf does not know (iproute2's `xdp_sock`, `prog`): loaded again as iproute2 would, as type xdp, then tc.
  let retry = rows.filter((r) => r.kernel === 'not-loaded' && r.stage === 'section');
  for (const type of ['xdp', 'tc'] as const) {
    const again: MatrixProgram[] = [];
    for (const r of retry) {
      const o = objects.find((x) => x.rel === r.file)!;
      const bytes = o.programs.length === 1 && typesFor(r.section).includes(type) ? retypedObject(o.bytes, r.section, type) : undefined;
      if (!bytes) continue;
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      again.push({ input: `${o.file}#${type}`, objectPath: `${o.obj}#${type}`, sourcePath: o.file, bytes, hash, program: r.program });
    }
    if (!again.length) break;
    progress(`${again.length} programs in sections libbpf does not know: loading them as type ${type}`);
    const more = await judge(again);
    const next: Row[] = [];
    for (const c of more) {
      const r = retry.find((x) => `${objects.find((o) => o.rel === x.file)!.file}#${type}` === c.object && x.program === c.program)!;
      const o = objects.find((x) => x.rel === r.file)!;
      const row = rowOf({ ...o, bytes: again.find((a) => a.input === c.object)!.bytes }, r.program, r.section, c.load, logsDir);
      // As corpus-eval's bpftool fallback: a type whose context the program does not fit (the verifier says so) is no verdict.
      if (row.kernel === 'not-loaded' || (row.kernel === 'reject-other' && /invalid bpf_context access/.test(row.reason))) {
        progress(`${r.program} as type ${type}: ${row.reason}`);
        next.push(r);
        continue;
      }
      Object.assign(r, row, { reason: `type ${type}${row.reason ? `: ${row.reason}` : ''}`.replace(/^type (\w+)$/, 'loaded as type $1') });
    }
    retry = next;
  }
  for (const r of rows) delete r.stage;
  return rows;
}

/** The row of one load (without our findings): the kernel's verdict from its log, and the log checked against our summary. */
function rowOf(o: CorpusObject, program: string, section: string, load: MatrixLoad, logsDir: string | undefined): Row {
  const base = { file: o.rel, program, section, ours: 0 };
  if (load.verdict === 'not-run' || !load.log_file) return { ...base, kernel: 'not-loaded', reason: (load.reason ?? load.error?.message ?? '').slice(0, 160) };
  const text = readFileSync(load.log_file, 'utf8');
  const libbpf = LIBBPF_TEXT.test(text);
  const log = libbpf ? '' : text;
  const failure = load.error?.message.split('\n')[0];
  let v: { kernel: Row['kernel']; reason: string; stage?: string } = verdict(load.verdict === 'accepted', log, failure);
  if (v.kernel === 'not-loaded' && libbpf) {
    const why = attributeLoadFailure(text, undefined, failure);
    // A kfunc this kernel lacks (the metadata kfuncs before 6.3): a rejection by this kernel, which libbpf voices first.
    v = { kernel: why.stage === 'kfunc' && /not found in kernel/.test(why.message) ? 'reject-other' : 'not-loaded', reason: why.message.slice(0, 200), stage: why.stage };
  }
  if (log.trim() && logsDir) writeFileSync(path.join(logsDir, `${o.rel.replace(/[/\\]/g, '__')}.${program}.log`), log);
  return { ...base, ...v, ...(log.trim() ? { fidelity: fidelity(log, lineResolver(o.bytes, o.obj, program)) } : {}) };
}
