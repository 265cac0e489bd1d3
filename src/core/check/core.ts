// Adapter over the CO-RE resolver (src/core/core-relo): outcomes per input, located at C lines, and the target-patched code.
import type { BpfInsn } from '../bpf/decode';
import type { BpfFunctionCode } from '../bpf/program';
import type { Btf } from '../btf/types';
import { relocateObject } from '../core-relo/relocate';
import type { CoreReloResult } from '../core-relo/relocate';
import { fileTarget, kernelTarget } from '../core-relo/candidates';
import type { CoreTarget } from '../core-relo/candidates';
import type { CheckObject, SourceLoc } from './object';

export interface CoreOutcome {
  obj: CheckObject;
  fn?: BpfFunctionCode;
  loc: SourceLoc;
  result: CoreReloResult;
}

let runningKernel: CoreTarget | undefined;

/**
 * The CO-RE target for a `--target-btf` value (path or loaded BTF), or the running kernel with its
 * modules (loaded once per process: the language server checks on every save).
 */
export function coreTarget(target: string | Btf | undefined): CoreTarget {
  if (target === undefined) return (runningKernel ??= kernelTarget());
  if (typeof target === 'string') return fileTarget(target);
  return { main: target, mainName: 'vmlinux' };
}

/** Resolves every CO-RE relocation of `obj` against `target` the way libbpf would at load time. */
export function resolveCore(obj: CheckObject, target: CoreTarget): CoreOutcome[] {
  const results = relocateObject({ elf: obj.elf, btf: obj.btf, ext: obj.ext }, target);
  return results.map((result) => {
    const fn = obj.functions.find((f) => f.name === result.program && f.section.name === result.section);
    return { obj, fn, result, loc: fn ? obj.locOf(fn, result.insn) : { file: obj.sourcePath ?? obj.label, line: 0 } };
  });
}

/**
 * The function's code as the verifier would see it on the target: instructions carry libbpf's patched
 * fields (offsets, immediates), so bounds proven with bpf_core_type_size() etc. use the target's values.
 * Poisoned instructions keep their local form here; core-unresolved reports them.
 */
export function patchedInsns(fn: BpfFunctionCode, outcomes: readonly CoreOutcome[]): readonly BpfInsn[] {
  const patches = new Map<number, CoreReloResult>();
  for (const o of outcomes) if (o.fn === fn && o.result.patch && !o.result.poison) patches.set(o.result.insn, o.result);
  if (patches.size === 0) return fn.insns;
  return fn.insns.map((insn) => {
    const p = patches.get(insn.index)?.patch;
    if (!p || !p[0]) return insn;
    const first = p[0];
    if (insn.wide && p[1]) {
      const imm64 = (BigInt(p[1].imm >>> 0) << 32n) | BigInt(first.imm >>> 0);
      return { ...insn, code: first.code, off: first.off, imm: first.imm, imm64, next: { ...p[1] } };
    }
    return { ...insn, code: first.code, off: first.off, imm: first.imm };
  });
}
