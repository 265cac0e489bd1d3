// BPF instruction encoding constants (include/uapi/linux/bpf_common.h, bpf.h): classes, sizes, modes, ops, pseudo sources.

/** Instruction classes: the low 3 bits of `code`. */
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

export const CLASS_NAMES = ['LD', 'LDX', 'ST', 'STX', 'ALU', 'JMP', 'JMP32', 'ALU64'] as const;
export type BpfClassName = (typeof CLASS_NAMES)[number];

/** Load/store sizes: bits 3-4 of `code`. */
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

/** Load/store modes: bits 5-7 of `code`. */
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

/** Source operand: bit 3 of `code` for ALU/JMP. */
export const BPF_K = 0x00;
export const BPF_X = 0x08;

/** ALU operations: bits 4-7 of `code`. */
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;
/** BPF_END source bit: BPF_TO_LE (K) / BPF_TO_BE (X); in ALU64 it is the unconditional bswap. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

/** Jump operations: bits 4-7 of `code`. */
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;

/** Atomic operation modifiers (imm of a BPF_ATOMIC instruction). */
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;

/** src_reg of `ld_imm64`: what the 64-bit immediate means. */
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

export const LD_IMM64_PSEUDO_NAMES: Readonly<Record<number, string>> = {
  0: 'imm64', 1: 'map_fd', 2: 'map_value', 3: 'btf_id', 4: 'func', 5: 'map_idx', 6: 'map_idx_value',
};

/** src_reg of `call`: helper id, pc-relative subprogram call, or kfunc BTF id. */
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** Size of one instruction slot in bytes; `ld_imm64` takes two. */
export const BPF_INSN_SZ = 8;

/** The `code` of `ld_imm64` (BPF_LD | BPF_IMM | BPF_DW). */
export const LD_IMM64_CODE = BPF_LD | BPF_IMM | BPF_DW;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;

/** Bytes moved by a load/store of this size field. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  return size === BPF_B ? 1 : size === BPF_H ? 2 : size === BPF_W ? 4 : 8;
}
