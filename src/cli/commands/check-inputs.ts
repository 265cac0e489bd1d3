// `xdp-meta check`'s options and its input stage (read each INPUT, compile the *.bpf.c ones), shared with the launcher that starts it early.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputFile } from '../../core/bpf/object-file';
import { compileBpf, type CompileResult } from '../../core/compile/compile';
import { isElf } from '../../core/elf/reader';
import { XdpMetaError } from '../../core/util/errors';
import { defineArgs, parseArgs } from '../args';

export const CHECK_ARGS = defineArgs({
  options: {
    'target-btf': { type: 'string', valueName: 'FILE', description: 'BTF of the target kernel: raw BTF or an object with .BTF (default: the running kernel\'s)' },
    format: { type: 'string', choices: ['text', 'json', 'sarif'], default: 'text', description: 'the report as text, JSON or SARIF 2.1.0' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'add DIR to the include path of *.bpf.c inputs' },
    clang: { type: 'string', valueName: 'PATH', description: 'the clang to compile *.bpf.c inputs with' },
  },
  positionals: { name: 'INPUT' },
  passthrough: { name: 'CLANG-FLAG', description: 'flags for clang when compiling *.bpf.c inputs (e.g. -- -std=gnu2x -DDEBUG)' },
});

/** One INPUT after the input stage: an object read from disk, or a source and what clang made of it. */
export type PreparedInput =
  | { kind: 'object'; file: string; bytes: Buffer }
  | { kind: 'compiled'; file: string; result: CompileResult };

export interface InputStageOptions {
  includes: readonly string[];
  extraFlags: readonly string[];
  clang?: string;
}

/** Reads INPUT number `i` and compiles it into `tmp` when it is a C source; rejects (XdpMetaError) on unusable input. */
export async function prepareInput(file: string, i: number, tmp: string, opts: InputStageOptions): Promise<PreparedInput> {
  // Refuses a directory or a device (/dev/zero: read forever) by name.
  const bytes = readInputFile(file, 'a BPF object or a C source');
  if (isElf(bytes)) return { kind: 'object', file, bytes };
  if (!file.endsWith('.c')) throw new XdpMetaError(`${file}: neither a BPF object (ELF) nor a C source (*.c)`);
  const out = path.join(tmp, `${i}-${path.basename(file, '.c')}.o`);
  return { kind: 'compiled', file, result: await compileBpf({ file, out, clang: opts.clang, includes: opts.includes, extraFlags: opts.extraFlags }) };
}

/**
 * The input stage started by the launcher before the rest of the CLI is loaded, so clang's compile overlaps
 * that load. Its errors come from the launcher's own copy of the error classes: `check` redoes a rejected
 * input itself (a quick failure) so that what it reports is exactly what the normal path reports. So it is
 * started only when every input is a regular file (or absent), which reads the same twice.
 */
export interface EarlyInputs {
  argv: readonly string[];
  tmp: string;
  inputs: Promise<PreparedInput>[];
}

/** Starts `check ARGV`'s input stage when the arguments are a plain run; undefined when anything is unusual. */
export function startEarlyInputs(argv: readonly string[]): EarlyInputs | undefined {
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  try {
    const { options: { 'target-btf': targetBtf, include, clang }, positionals: files, passthrough } = parseArgs(CHECK_ARGS, [...argv]);
    if (files.length === 0 || (targetBtf !== undefined && !existsSync(targetBtf))) return undefined;
    // `check` may read an input again (see EarlyInputs): a FIFO would then wait for a writer that is gone.
    if (files.some((f) => !regularOrAbsent(f))) return undefined;
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-check-'));
    const inputs = files.map((file, i) => prepareInput(file, i, tmp, { includes: include, extraFlags: passthrough, clang }));
    for (const p of inputs) p.catch(() => undefined); // `check` looks at each one; none counts as unhandled
    return { argv: [...argv], tmp, inputs };
  } catch {
    return undefined;
  }
}

/** A regular file, or nothing there (reading it again fails the same way); not a FIFO, device or directory. */
function regularOrAbsent(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return true;
  }
}
