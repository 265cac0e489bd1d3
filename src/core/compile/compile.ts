// Compiles one BPF C file (or an unsaved buffer of it) with clang into a BPF object and returns parsed diagnostics.
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { multiarchIncludeDir, targetArch } from './arch';
import { type ClangInfo, findClang } from './clang';
import { type ClangDiagnostic, parseClangDiagnostics } from './diagnostics';
import { runTool } from './run';

export interface CompileOptions {
  /** The `.bpf.c` file. With `source` it only names the buffer (it need not exist on disk). */
  file: string;
  /** Unsaved buffer text: compiled from stdin, diagnostics still name `file`. */
  source?: string;
  /** Object to write; default `<file minus .c>.o`, or a fresh temp dir when `source` is given (caller removes it). */
  out?: string;
  /** `-I` directories (relative ones against `cwd`). */
  includes?: readonly string[];
  /** Extra clang flags (e.g. `-Wall`, `-DDEBUG`), appended after ours so they can override. */
  extraFlags?: readonly string[];
  /** A configured clang path, or an already discovered clang; default: discovery on PATH. */
  clang?: string | ClangInfo;
  /** PATH for discovery (default process.env.PATH). */
  pathEnv?: string;
  /** Host architecture for `-D__TARGET_ARCH_*` (default process.arch). */
  arch?: NodeJS.Architecture;
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface CompileResult {
  /** clang exited 0 and reported no error. */
  ok: boolean;
  /** The object written (only when ok). */
  objectPath?: string;
  diagnostics: ClangDiagnostic[];
  clang: ClangInfo;
  /** The clang argument vector, for logs and "copy command". */
  args: string[];
  /** Raw stderr, kept for an output channel. */
  stderr: string;
  durationMs: number;
}

/**
 * Flags that make clang's stderr machine-readable. Carets stay on: `-fno-caret-diagnostics` also
 * suppresses the parseable fix-it lines; the parser skips the snippet lines instead.
 */
export const DIAGNOSTIC_FLAGS = [
  '-fno-color-diagnostics',
  '-fdiagnostics-parseable-fixits',
  '-fdiagnostics-print-source-range-info',
] as const;

/** The codegen flags every BPF object gets: `-target bpf -O2 -g -D__TARGET_ARCH_<arch>` plus the host asm headers. */
export function bpfTargetFlags(arch: NodeJS.Architecture = process.arch): string[] {
  const flags = ['-target', 'bpf', '-O2', '-g', `-D__TARGET_ARCH_${targetArch(arch)}`];
  const asmDir = multiarchIncludeDir(arch);
  if (asmDir) flags.push('-idirafter', asmDir);
  return flags;
}

/** Default object path: `prog.bpf.c` → `prog.bpf.o`. */
export function defaultObjectPath(file: string): string {
  return file.endsWith('.c') ? file.slice(0, -2) + '.o' : file + '.o';
}

/** A `#line` string literal for `file` (quotes and backslashes escaped). */
function lineDirective(file: string): string {
  return `#line 1 "${file.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
}

/**
 * Builds the clang argument vector. For a buffer, the text goes through stdin behind a `#line 1 "<file>"`
 * prologue so diagnostics, `__FILE__` and BTF line info name the real file; `-iquote` restores the
 * file's directory for `#include "..."`, which stdin has none of.
 */
export function compileArgs(opts: CompileOptions & { out: string }): string[] {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, opts.file);
  const args = [...bpfTargetFlags(opts.arch), ...DIAGNOSTIC_FLAGS];
  for (const dir of opts.includes ?? []) args.push('-I', path.resolve(cwd, dir));
  if (opts.source !== undefined) args.push('-iquote', path.dirname(file));
  args.push(...(opts.extraFlags ?? []));
  if (opts.source !== undefined) args.push('-x', 'c', '-c', '-', '-o', path.resolve(cwd, opts.out));
  // `-x c`: a file not named *.c would otherwise be taken as linker input and produce no object at all.
  else args.push('-x', 'c', '-c', file, '-o', path.resolve(cwd, opts.out));
  return args;
}

/** Compiles `opts.file` (or `opts.source`); throws ToolError when no clang is usable, CancelledError on abort. */
export async function compileBpf(opts: CompileOptions): Promise<CompileResult> {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, opts.file);
  const clang = typeof opts.clang === 'object'
    ? opts.clang
    : await findClang({ configured: opts.clang, pathEnv: opts.pathEnv, signal: opts.signal });
  const out = opts.out !== undefined
    ? path.resolve(cwd, opts.out)
    : opts.source !== undefined
      ? path.join(mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-compile-')), path.basename(defaultObjectPath(file)))
      : defaultObjectPath(file);
  const args = compileArgs({ ...opts, file, out, cwd });
  const input = opts.source !== undefined ? lineDirective(file) + opts.source : undefined;

  const started = performance.now();
  const r = await runTool(clang.path, args, { input, cwd, signal: opts.signal, timeoutMs: opts.timeoutMs });
  const durationMs = performance.now() - started;

  const diagnostics = parseClangDiagnostics(r.stderr, {
    renameFile: { from: '<stdin>', toFile: file },
    rangeLineShift: input !== undefined ? { forFile: file, lines: 1 } : undefined,
  });
  for (const d of walk(diagnostics)) {
    // Quoted includes come out relative to clang's cwd ("./inc.h"); editors want absolute paths.
    if (d.file && !d.file.startsWith('<')) d.file = path.resolve(cwd, d.file);
    for (const s of d.includeStack ?? []) if (!s.file.startsWith('<')) s.file = path.resolve(cwd, s.file);
    for (const f of d.fixits ?? []) if (!f.file.startsWith('<')) f.file = path.resolve(cwd, f.file);
  }
  const hasError = diagnostics.some((d) => d.severity === 'error');
  if (r.code !== 0 && !hasError) {
    // A crash or kill leaves no parseable error; make the failure visible anyway.
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    diagnostics.push({ file: '', line: 0, column: 0, severity: 'error',
      message: `${path.basename(clang.path)} exited with ${r.code ?? 'a signal'}${tail ? `: ${tail}` : ''}` });
  }
  let ok = r.code === 0 && !hasError;
  if (ok && !existsSync(out)) {
    // Never report success without the object the caller will go on to read.
    diagnostics.push({ file: '', line: 0, column: 0, severity: 'error',
      message: `${path.basename(clang.path)} exited 0 but wrote no object at ${out}` });
    ok = false;
  }
  return { ok, objectPath: ok ? out : undefined, diagnostics, clang, args, stderr: r.stderr, durationMs };
}

function* walk(ds: ClangDiagnostic[]): Generator<ClangDiagnostic> {
  for (const d of ds) {
    yield d;
    if (d.notes) yield* walk(d.notes);
  }
}
