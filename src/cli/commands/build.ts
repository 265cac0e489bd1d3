// `xdp-meta build`: compiles one *.bpf.c with clang for the BPF target and prints clang's diagnostics.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { compileBpf, countDiagnostics, defaultObjectPath, formatDiagnostic, type ClangDiagnostic } from '../../core/compile';
import { FormatError, XdpMetaError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs } from '../args';
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

const ARGS = defineArgs({
  options: {
    output: { type: 'string', short: 'o', valueName: 'OUT.o', description: 'the object to write (default FILE.bpf.o)' },
    clang: { type: 'string', valueName: 'PATH', description: 'the clang to run' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'add DIR to the include path' },
    define: { type: 'list', short: 'D', valueName: 'NAME[=VAL]', description: 'define a macro' },
    format: { type: 'string', choices: ['text', 'json'], default: 'text', description: 'diagnostics as text or a JSON array' },
  },
  positionals: { name: 'FILE.bpf.c', min: 1, max: 1 },
  passthrough: { name: 'CLANG-FLAGS', description: 'passed to clang as they are' },
});

function buildArgs(argv: string[]): BuildArgs {
  const { options: o, positionals, passthrough } = parseArgs(ARGS, argv);
  return {
    file: positionals[0]!, out: o.output, clang: o.clang, includes: o.include, format: o.format,
    // -D before the `--` flags, as they stood on the command line.
    extraFlags: [...o.define.map((d) => `-D${d}`), ...passthrough],
  };
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
    '',
    formatOptions(ARGS),
  ].join('\n'),
  async run(argv, io) {
    const a = buildArgs(argv);
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
