// The ELF64 object model (sections, symbols, relocations) and the BPF-specific constants around it.

export type ElfByteOrder = 'little' | 'big';

/** Section header types (sh_type) that matter for BPF objects. */
export const SHT = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8,
  REL: 9, DYNSYM: 11, LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** Section header flags (sh_flags). */
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4, MERGE: 0x10, STRINGS: 0x20, INFO_LINK: 0x40 } as const;

/** Symbol types (low nibble of st_info). */
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
/** Symbol bindings (high nibble of st_info). */
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
/** Symbol visibility (low 2 bits of st_other). */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;
/** Special section indexes (st_shndx). */
export const SHN = { UNDEF: 0, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

/** BPF relocation types (llvm's ELFRelocs/BPF.def). */
export const R_BPF = {
  NONE: 0,
  /** ld_imm64 of a map/global/extern address (two-slot instruction). */
  R_BPF_64_64: 1,
  /** 64-bit data relocation (e.g. in .BTF / .data). */
  R_BPF_64_ABS64: 2,
  /** 32-bit data relocation (e.g. in .BTF.ext, .BTF). */
  R_BPF_64_ABS32: 3,
  /** 32-bit, not resolved by a dynamic linker (DWARF sections). */
  R_BPF_64_NODYLD32: 4,
  /** Call to a subprogram or extern function (kfunc): pc-relative imm in instruction units. */
  R_BPF_64_32: 10,
} as const;

export const EM_BPF = 247;

export interface ElfSection {
  /** Index in the section header table. */
  readonly index: number;
  readonly name: string;
  /** sh_type (see SHT). */
  readonly type: number;
  /** sh_flags (see SHF); BPF objects never need more than 32 bits. */
  readonly flags: number;
  /** sh_offset in the file. */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section bytes (a view into the file, bounds-checked; empty for SHT_NOBITS). */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  /** Index in .symtab. */
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* (see STT). */
  readonly type: number;
  /** STB_* (see STB). */
  readonly bind: number;
  /** STV_* (see STV). */
  readonly visibility: number;
  /** st_shndx: section index, or SHN_UNDEF/ABS/COMMON. */
  readonly shndx: number;
}

export interface ElfRelocation {
  /** r_offset: byte offset inside the section the relocations apply to. */
  readonly offset: number;
  /** Index into .symtab. */
  readonly symbolIndex: number;
  readonly symbol: ElfSymbol;
  /** R_BPF_* (see R_BPF). */
  readonly type: number;
  /** r_addend for RELA; 0 for REL (BPF uses REL: the addend lives in the instruction). */
  readonly addend: number;
}

export interface ElfFile {
  /** File path (or a label), used in error messages. */
  readonly source: string;
  readonly byteOrder: ElfByteOrder;
  /** e_machine (EM_BPF = 247 for BPF objects). */
  readonly machine: number;
  /** e_type (1 = ET_REL for BPF objects). */
  readonly type: number;
  readonly bytes: Uint8Array;
  readonly sections: readonly ElfSection[];
  /** Every .symtab symbol (index 0 is the null symbol). Empty when there is no .symtab. */
  readonly symbols: readonly ElfSymbol[];
  /** First section with this name. */
  sectionByName(name: string): ElfSection | undefined;
  /** Relocations that apply to a section (from the SHT_REL/SHT_RELA sections whose sh_info points at it), sorted by offset. */
  relocationsFor(section: ElfSection | number): readonly ElfRelocation[];
}

/** A function (STT_FUNC symbol) inside an executable section: a program entry or a subprogram. */
export interface ElfFunction {
  readonly name: string;
  readonly section: ElfSection;
  readonly symbol: ElfSymbol;
  /** Byte offset of the first instruction in the section. */
  readonly offset: number;
  /** Byte size (from st_size; if 0, up to the next function or the section end). */
  readonly size: number;
  /** Global (STB_GLOBAL/WEAK) functions in program sections are programs; static ones are subprograms (libbpf's rule). */
  readonly global: boolean;
}

/** An extern symbol: undefined global a program refers to (kfuncs, `.ksyms` variables, kconfig). */
export interface ElfExtern {
  readonly name: string;
  readonly symbol: ElfSymbol;
  /** 'func' when the object calls it (R_BPF_64_32 from code, or STT_FUNC): a kfunc; otherwise a variable (`.ksyms`/`.kconfig`). */
  readonly kind: 'func' | 'var';
  /** STB_WEAK: libbpf tolerates its absence in the kernel. */
  readonly weak: boolean;
}
