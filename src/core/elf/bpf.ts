// BPF views of an ELF object: program sections, the functions inside them, and extern symbols (kfuncs, .ksyms).
import { R_BPF, SHF, SHN, SHT, STB, STT } from './types';
import type { ElfExtern, ElfFile, ElfFunction, ElfSection } from './types';

/** Executable sections with code (libbpf: SHT_PROGBITS + SHF_EXECINSTR, non-empty), in section order. */
export function programSections(elf: ElfFile): ElfSection[] {
  return elf.sections.filter((s) => s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0 && s.size > 0);
}

/** STT_FUNC symbols defined in `section`, sorted by offset; a size of 0 extends to the next function. */
export function functionsIn(elf: ElfFile, section: ElfSection): ElfFunction[] {
  const syms = elf.symbols
    .filter((s) => s.type === STT.FUNC && s.shndx === section.index && s.value < section.size)
    .sort((a, b) => a.value - b.value || a.index - b.index);
  return syms.map((symbol, i) => {
    const next = i + 1 < syms.length ? syms[i + 1]!.value : section.size;
    const size = symbol.size > 0 ? Math.min(symbol.size, section.size - symbol.value) : next - symbol.value;
    return {
      name: symbol.name, section, symbol, offset: symbol.value, size,
      global: symbol.bind === STB.GLOBAL || symbol.bind === STB.WEAK,
    };
  });
}

/** Every function in every program section. */
export function allFunctions(elf: ElfFile): ElfFunction[] {
  return programSections(elf).flatMap((s) => functionsIn(elf, s));
}

/** Undefined global/weak symbols: kfuncs (called from code) and extern variables (.ksyms / .kconfig). */
export function externSymbols(elf: ElfFile): ElfExtern[] {
  const called = new Set<number>();
  for (const s of programSections(elf)) {
    for (const r of elf.relocationsFor(s)) if (r.type === R_BPF.R_BPF_64_32) called.add(r.symbolIndex);
  }
  return elf.symbols
    .filter((s) => s.index > 0 && s.shndx === SHN.UNDEF && s.name !== '' && (s.bind === STB.GLOBAL || s.bind === STB.WEAK))
    .map((symbol) => ({
      name: symbol.name, symbol, weak: symbol.bind === STB.WEAK,
      kind: symbol.type === STT.FUNC || called.has(symbol.index) ? 'func' as const : 'var' as const,
    }));
}
