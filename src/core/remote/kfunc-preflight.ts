// Before a run loads anything: the static kfunc-missing check against the host's own BTF, so a kfunc the host lacks is named up front.
import { runCheck, type Diagnostic } from '../check';
import type { Btf } from '../btf/types';
import { externSymbols } from '../elf/bpf';
import type { ElfFile } from '../elf/types';
import { XdpMetaError } from '../util/errors';

/** The run refused to load: the program calls kfuncs absent from the host kernel's BTF (`code` as in `xdp-meta check`). */
export class KfuncMissingError extends XdpMetaError {
  readonly code = 'kfunc-missing';
  constructor(readonly host: string, readonly kernel: string, readonly diagnostics: Diagnostic[], readonly kfuncs: string[]) {
    super(`${host}: kfunc-missing: kernel ${kernel} lacks ${kfuncs.join(', ')}; nothing was loaded\n` +
      diagnostics.map((d) => `  ${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}\n`).join('') +
      `${host}: pass --force to load anyway and see the host's own error`);
  }
}

/** True when the object calls a strong (non-__weak) extern function: a kfunc libbpf must find in the host's BTF. */
export function callsStrongKfunc(elf: ElfFile): boolean {
  return externSymbols(elf).some((e) => e.kind === 'func' && !e.weak);
}

/**
 * The kfunc-missing errors for `bytes` against `hostBtf` (only that rule: the others judge the program, not the host).
 * `sourcePath` names the C file in the findings when the object's line info does not.
 */
export function missingKfuncs(bytes: Uint8Array, label: string, hostBtf: Btf, sourcePath?: string): Diagnostic[] {
  const { diagnostics } = runCheck([{ bytes, label, sourcePath }], { targetBtf: hostBtf, targetIsKernel: true });
  return diagnostics.filter((d) => d.code === 'kfunc-missing' && d.severity === 'error');
}

/** The strong kfuncs the object calls that `hostBtf` has no FUNC for. */
export function absentKfuncs(elf: ElfFile, hostBtf: Btf): string[] {
  return externSymbols(elf).filter((e) => e.kind === 'func' && !e.weak && !hostBtf.findByName(e.name, 'FUNC')).map((e) => e.name);
}
