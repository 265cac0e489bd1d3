// The code of a BPF object by function: each STT_FUNC in an executable section decoded, with calls named.
import type { ElfFile, ElfFunction, ElfSection, ElfSymbol } from '../elf/types';
import { R_BPF, SHN, STT } from '../elf/types';
import { functionsIn, programSections } from '../elf/bpf';
import { decodeInsns, callKind } from './decode';
import type { BpfInsn } from './decode';
import { BPF_INSN_SZ } from './opcodes';
import { HELPER_NAMES } from './helper-names';

/** One function's code. Instruction indexes count from the function's first instruction, as libbpf counts. */
export interface BpfFunctionCode {
  readonly name: string;
  readonly section: ElfSection;
  readonly func: ElfFunction;
  /** Slot index of the function's first instruction within its section (libbpf's sec_insn_off). */
  readonly sectionInsnOffset: number;
  readonly insns: readonly BpfInsn[];
  /** Global functions in program sections are programs (entry points); static ones are subprograms. */
  readonly isProgram: boolean;
}

/** What a call instruction calls, resolved by name. */
export interface CallTarget {
  readonly kind: 'helper' | 'subprog' | 'kfunc' | 'callx';
  /** helper: `bpf_map_lookup_elem`; kfunc: the extern symbol; subprog: the function symbol at the target. */
  readonly name?: string;
  /** helper id for helpers. */
  readonly id?: number;
}

/** Decodes every function of every executable section. */
export function objectFunctions(elf: ElfFile): BpfFunctionCode[] {
  const out: BpfFunctionCode[] = [];
  for (const section of programSections(elf)) {
    const funcs = functionsIn(elf, section);
    const secInsns = decodeInsns(section.data, elf.byteOrder, `${elf.source}:${section.name}`, section.offset);
    for (const func of funcs) {
      const first = func.offset / BPF_INSN_SZ;
      const last = (func.offset + func.size) / BPF_INSN_SZ;
      const insns = secInsns
        .filter((i) => i.index >= first && i.index < last)
        .map((i) => ({ ...i, index: i.index - first, offset: i.offset - func.offset }));
      out.push({ name: func.name, section, func, sectionInsnOffset: first, insns, isProgram: func.global });
    }
  }
  return out;
}

/** Helper name (`bpf_` + the enum bpf_func_id suffix) for an id, from `names` (e.g. vmlinux BTF) or the built-in table. */
export function helperName(id: number, names: readonly string[] = HELPER_NAMES): string | undefined {
  const n = names[id];
  return n === undefined ? undefined : `bpf_${n}`;
}

/** Helper names from the values of a kernel's `enum bpf_func_id` (BPF_FUNC_<name> = id), for kernels newer than the built-in table. */
export function helperNamesFromEnum(values: readonly { name: string; value: number | bigint }[]): string[] {
  const names: string[] = [];
  for (const v of values) if (v.name.startsWith('BPF_FUNC_')) names[Number(v.value)] = v.name.slice('BPF_FUNC_'.length);
  return names;
}

/**
 * Resolves the call at `insn` of `fn`: kfuncs and subprogram calls by the ELF relocation on the
 * instruction (R_BPF_64_32 to an extern or a section symbol + addend), else by the pc-relative target.
 */
export function resolveCall(elf: ElfFile, fn: BpfFunctionCode, insn: BpfInsn, helperNames?: readonly string[]): CallTarget | undefined {
  const kind = callKind(insn);
  if (kind === undefined) return undefined;
  if (kind === 'callx') return { kind };
  const byteInSection = (fn.sectionInsnOffset + insn.index) * BPF_INSN_SZ;
  const rel = elf.relocationsFor(fn.section).find((r) => r.offset === byteInSection);
  if (kind === 'helper' && rel === undefined) return { kind, id: insn.imm, name: helperName(insn.imm, helperNames) };
  if (rel !== undefined && rel.symbol.shndx === SHN.UNDEF) return { kind: 'kfunc', name: rel.symbol.name };
  if (kind === 'subprog' || (rel !== undefined && rel.type === R_BPF.R_BPF_64_32)) {
    let targetSection = fn.section.index;
    let targetByte: number;
    if (rel !== undefined) {
      targetSection = rel.symbol.shndx;
      // BPF uses REL: the implicit addend is the imm in instruction units, biased by -1 (pc-relative).
      targetByte = rel.symbol.type === STT.SECTION ? (insn.imm + 1) * BPF_INSN_SZ : rel.symbol.value;
    } else {
      targetByte = byteInSection + (insn.imm + 1) * BPF_INSN_SZ;
    }
    const sym = elf.symbols.find((s) => s.type === STT.FUNC && s.shndx === targetSection && s.value === targetByte);
    return { kind: 'subprog', name: sym?.name };
  }
  return { kind, id: insn.imm, name: helperName(insn.imm, helperNames) };
}

/**
 * Names a branch target address the way llvm-objdump does: the nearest symbol at or before the address
 * in the same section (`sym` or `sym+0x18`).
 */
export function llvmSymbolizer(elf: ElfFile, section: ElfSection): (address: bigint) => string | undefined {
  const syms: ElfSymbol[] = elf.symbols
    .filter((s) => s.index > 0 && s.shndx === section.index && s.name !== '' && s.type !== STT.SECTION && s.type !== STT.FILE)
    .sort((a, b) => a.value - b.value || a.type - b.type);
  return (address) => {
    let best: ElfSymbol | undefined;
    for (const s of syms) if (BigInt(s.value) <= address) best = s;
    if (best === undefined) return undefined;
    const d = address - BigInt(best.value);
    return d === 0n ? best.name : `${best.name}+0x${d.toString(16)}`;
  };
}

