// `xdp-meta build`: compiles one *.bpf.c with clang for the BPF target and prints clang's diagnostics.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { compileBpf, countDiagnostics, defaultObjectPath, formatDiagnostic, type ClangDiagnostic } from '../../core/compile';
import { FormatError, UsageError, XdpMetaError } from '../../core/util/errors';
import type { CliCommand } from '../command';

interface BuildArgs {
  file: string;
  out?: string;
  clang?: string;
  includes: string[];
  extraFlags: string[];
  format: 'text' | 'json';
}

/** The JSON shape of one diagnostic: notes follow their diagnostic as entries with severity "note". */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
}

function parseArgs(argv: string[]): BuildArgs {
  const a: BuildArgs = { file: '', includes: [], extraFlags: [], format: 'text' };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (name: string): string => {
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (arg === '--') {
      a.extraFlags.push(...argv.slice(i + 1));
      break;
    } else if (arg === '-o' || arg === '--output' || arg.startsWith('--output=')) a.out = value('-o');
    else if (arg === '--clang' || arg.startsWith('--clang=')) a.clang = value('--clang');
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const f = value('--format');
      if (f !== 'text' && f !== 'json') throw new UsageError(`--format must be text or json, not '${f}'`);
      a.format = f;
    } else if (arg === '-I') a.includes.push(value('-I'));
    else if (arg.startsWith('-I')) a.includes.push(arg.slice(2));
    else if (arg === '-D') a.extraFlags.push(`-D${value('-D')}`);
    else if (arg.startsWith('-D')) a.extraFlags.push(arg);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError(files.length ? `one FILE at a time, got ${files.length}` : 'missing FILE.bpf.c');
  a.file = files[0];
  return a;
}

function flatten(ds: readonly ClangDiagnostic[]): ClangDiagnostic[] {
  return ds.flatMap((d) => [d, ...flatten(d.notes ?? [])]);
}

/** Paths under the working directory are shown relative, like clang shows them. */
function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Refuses what clang would misread: no file, a directory, an empty file, an object or other binary data. */
export function checkSourceFile(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new XdpMetaError(`${file}: is a directory, not a C source file`);
    // A pipe (`build <(gen.sh)`) is clang's to read: peeking would consume it.
    if (st.isFIFO()) return;
    if (!st.isFile()) throw new XdpMetaError(`${file}: not a regular file (a device or socket), not a C source file`);
    size = st.size;
  } catch (e) {
    if (e instanceof XdpMetaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new XdpMetaError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`, { cause: e });
  }
  if (size === 0) throw new XdpMetaError(`${file}: empty file (0 bytes), nothing to compile`);
  const head = Buffer.alloc(Math.min(size, 4096));
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    throw new XdpMetaError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) {
    throw new XdpMetaError(`${file}: an ELF object, not C source (build compiles *.bpf.c; try \`xdp-meta disasm ${file}\`)`);
  }
  // C source never holds a NUL byte; clang would print pages of nonsense for a binary file.
  const nul = head.indexOf(0);
  if (nul >= 0) throw new FormatError(file, nul, 'C source text, found a NUL byte (a binary file?)');
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'compile a *.bpf.c to a BPF object with clang and print its diagnostics',
  usage: [
    'usage: xdp-meta build FILE.bpf.c [-o OUT.o] [--clang PATH] [-I DIR]... [-D NAME[=VAL]]...',
    '                      [--format text|json] [-- CLANG-FLAGS...]',
    '',
    'Compiles with `-target bpf -O2 -g -D__TARGET_ARCH_<host>`. Default output: FILE.bpf.o.',
    'clang: --clang PATH, else `clang`, else the newest `clang-NN` on PATH with the bpf target (>= 14).',
    'Prints `file:line:col: severity: message` per diagnostic (json: an array of',
    '{file, line, column, severity, message}). Exit status 1 on any error.',
  ].join('\n'),
  async run(argv, io) {
    const a = parseArgs(argv);
    checkSourceFile(a.file);
    const out = a.out ?? defaultObjectPath(a.file);
    const r = await compileBpf({ file: a.file, out, clang: a.clang, includes: a.includes, extraFlags: a.extraFlags });
    const all = flatten(r.diagnostics);
    if (a.format === 'json') {
      const json: JsonDiagnostic[] = all.map((d) => ({
        file: d.file, line: d.line, column: d.column, severity: d.severity, message: d.message,
      }));
      io.out(JSON.stringify(json, null, 2));
    } else {
      if (all.length) io.out(all.map((d) => formatDiagnostic(d, display)).join('\n'));
      const { errors, warnings } = countDiagnostics(r.diagnostics);
      const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      io.err(r.ok ? `wrote ${display(r.objectPath ?? out)} (${counts})` : `build failed: ${counts}`);
    }
    return r.ok ? 0 : 1;
  },
};
