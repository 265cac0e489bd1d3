// The matrix's inputs: BPF objects (or *.bpf.c compiled with clang) split into their programs, each with its object hash.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { readInputFile } from '../bpf/object-file';
import { objectFunctions } from '../bpf/program';
import { compileBpf, formatDiagnostic } from '../compile';
import { isElf, parseElf } from '../elf/reader';
import { XdpMetaError } from '../util/errors';
import type { MatrixProgram } from './types';

export interface InputOptions {
  /** Where compiled objects go (a folder the caller removes). */
  outDir: string;
  clang?: string;
  includes?: string[];
}

/** Every program (global function of an executable section) of every input. Compile errors throw, naming the file. */
export async function matrixPrograms(files: readonly string[], opts: InputOptions): Promise<MatrixProgram[]> {
  const out: MatrixProgram[] = [];
  for (const [i, file] of files.entries()) {
    let bytes = readInputFile(file, 'a BPF object or a C source');
    let objectPath = file;
    let sourcePath: string | undefined;
    if (!isElf(bytes)) {
      if (!file.endsWith('.c')) throw new XdpMetaError(`${file}: neither a BPF object (ELF) nor a C source (*.c)`);
      objectPath = path.join(opts.outDir, `${i}-${path.basename(file, '.c')}.o`);
      const r = await compileBpf({ file, out: objectPath, clang: opts.clang, includes: opts.includes });
      if (!r.ok) {
        const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
        throw new XdpMetaError(`${file}: compile failed\n${errs.join('\n')}`);
      }
      bytes = readInputFile(objectPath, 'a BPF object');
      sourcePath = path.resolve(file);
    }
    // Global functions in .text are global subprograms (called, verified with their caller), not programs.
    const programs = objectFunctions(parseElf(bytes, file)).filter((f) => f.isProgram && f.section.name !== '.text');
    if (programs.length === 0) throw new XdpMetaError(`${file}: no BPF programs (no global functions in executable sections)`);
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    for (const f of programs) out.push({ input: file, objectPath, ...(sourcePath ? { sourcePath } : {}), bytes, hash, program: f.name });
  }
  return out;
}
