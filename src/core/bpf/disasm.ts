// Formats one instruction in llvm's BPF assembly syntax, exactly as `llvm-objdump-19 -d` prints it.
import type { BpfInsn } from './decode';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_DIV, BPF_DW,
  BPF_END, BPF_EXIT, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP,
  BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM,
  BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_W, BPF_X,
  BPF_XOR, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc,
} from './opcodes';

export interface DisasmOptions {
  /**
   * Print 32-bit sub-register operands of loads/stores/atomics as `wN` (llvm's `--mattr=+alu32`).
   * Default false: the syntax of plain `llvm-objdump -d`, which also cannot decode 32-bit atomics
   * other than `lock ... +=` and prints `<unknown>` for them.
   */
  alu32?: boolean;
  /** Byte address of the decoded range's first instruction in its section (for branch targets). */
  baseAddress?: number;
  /** Names a branch target as llvm does (`<sym>` / `<sym+0x18>`); returns undefined to print none. */
  symbolize?: (address: bigint) => string | undefined;
}

export const UNKNOWN = '<unknown>';

/** llvm's immediate syntax: signed hexadecimal. */
export function hex(v: number | bigint): string {
  return v < 0 ? `-0x${(-BigInt(v)).toString(16)}` : `0x${v.toString(16)}`;
}
const disp = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`);

const ALU_OPS: Readonly<Record<number, string>> = {
  [BPF_ADD]: '+=', [BPF_SUB]: '-=', [BPF_MUL]: '*=', [BPF_DIV]: '/=', [BPF_OR]: '|=', [BPF_AND]: '&=',
  [BPF_LSH]: '<<=', [BPF_RSH]: '>>=', [BPF_MOD]: '%=', [BPF_XOR]: '^=', [BPF_ARSH]: 's>>=',
};
const JMP_OPS: Readonly<Record<number, string>> = {
  [BPF_JEQ]: '==', [BPF_JGT]: '>', [BPF_JGE]: '>=', [BPF_JSET]: '&', [BPF_JNE]: '!=', [BPF_JSGT]: 's>',
  [BPF_JSGE]: 's>=', [BPF_JLT]: '<', [BPF_JLE]: '<=', [BPF_JSLT]: 's<', [BPF_JSLE]: 's<=',
};
const SIZE_NAMES: Readonly<Record<number, string>> = { [BPF_B]: '8', [BPF_H]: '16', [BPF_W]: '32', [BPF_DW]: '64' };
const ATOMIC_ALU: Readonly<Record<number, [string, string]>> = {
  [BPF_ADD]: ['+=', 'add'], [BPF_OR]: ['|=', 'or'], [BPF_AND]: ['&=', 'and'], [BPF_XOR]: ['^=', 'xor'],
};

const mem = (base: number, off: number): string => `(r${base} ${off < 0 ? '-' : '+'} ${hex(Math.abs(off))})`;

/** The instruction text (without address or bytes) that llvm-objdump-19 prints. */
export function formatInsn(insn: BpfInsn, opts: DisasmOptions = {}): string {
  switch (bpfClass(insn.code)) {
    case BPF_ALU: case BPF_ALU64: return formatAlu(insn);
    case BPF_JMP: case BPF_JMP32: return formatJmp(insn, opts);
    case BPF_LD: return formatLd(insn);
    case BPF_LDX: return formatLdx(insn, opts);
    case BPF_ST: return formatSt(insn);
    default: return formatStx(insn, opts);
  }
}

function formatAlu(insn: BpfInsn): string {
  const is64 = bpfClass(insn.code) === BPF_ALU64;
  const r = is64 ? 'r' : 'w';
  const op = bpfOp(insn.code);
  const x = bpfSrc(insn.code) === BPF_X;
  const d = `${r}${insn.dst}`;
  const s = `${r}${insn.src}`;
  if (op === BPF_END) {
    // llvm prints byte swaps on the full register in both classes; width must be 16/32/64.
    if (insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64)) return UNKNOWN;
    if (is64) return x ? UNKNOWN : `r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
    return `r${insn.dst} = ${x ? 'be' : 'le'}${insn.imm} r${insn.dst}`;
  }
  if (op === BPF_NEG) return insn.off === 0 && !x ? `${d} = -${d}` : UNKNOWN;
  if (op === BPF_MOV) {
    if (!x) return insn.off === 0 ? `${d} = ${hex(insn.imm)}` : UNKNOWN;
    if (insn.off === 0) return `${d} = ${s}`;
    // movsx (cpu v4): off = source width in bits.
    if (insn.off === 8 || insn.off === 16 || (is64 && insn.off === 32)) return `${d} = (s${insn.off})${s}`;
    return UNKNOWN;
  }
  const sym = ALU_OPS[op];
  if (sym === undefined) return UNKNOWN;
  // sdiv/smod (cpu v4): off = 1 on DIV/MOD.
  const signed = (op === BPF_DIV || op === BPF_MOD) && insn.off === 1;
  if (insn.off !== 0 && !signed) return UNKNOWN;
  return `${d} ${signed ? 's' : ''}${sym} ${x ? s : hex(insn.imm)}`;
}

function formatJmp(insn: BpfInsn, opts: DisasmOptions): string {
  const is32 = bpfClass(insn.code) === BPF_JMP32;
  const op = bpfOp(insn.code);
  const x = bpfSrc(insn.code) === BPF_X;
  const target = (d: number): string => {
    const base = BigInt(opts.baseAddress ?? 0) + BigInt(insn.offset);
    const addr = BigInt.asUintN(64, base + 8n + BigInt(d) * 8n);
    const name = opts.symbolize?.(addr);
    return name === undefined ? '' : ` <${name}>`;
  };
  if (op === BPF_JA) {
    if (x) return UNKNOWN;
    // gotol (JMP32|JA) carries a 32-bit displacement in imm.
    if (is32) return `gotol ${disp(insn.imm)}${target(insn.imm)}`;
    return `goto ${disp(insn.off)}${target(insn.off)}`;
  }
  if (op === BPF_CALL) {
    if (is32) return UNKNOWN;
    // callx keeps the register in dst_reg (llvm 19).
    return x ? `callx r${insn.dst}` : `call ${hex(insn.imm)}`;
  }
  if (op === BPF_EXIT) return !is32 && !x && insn.imm === 0 ? 'exit' : UNKNOWN;
  const sym = JMP_OPS[op];
  if (sym === undefined) return UNKNOWN;
  const r = is32 ? 'w' : 'r';
  return `if ${r}${insn.dst} ${sym} ${x ? `${r}${insn.src}` : hex(insn.imm)} goto ${disp(insn.off)}${target(insn.off)}`;
}

function formatLd(insn: BpfInsn): string {
  const mode = bpfMode(insn.code);
  const size = bpfSize(insn.code);
  if (mode === BPF_IMM && size === BPF_DW) {
    if (insn.src === 0) return `r${insn.dst} = ${hex(BigInt.asIntN(64, insn.imm64!))} ll`;
    // Pseudo sources (map fd/idx/value, btf_id, func) print as llvm's generic ld_pseudo with the low imm.
    return `ld_pseudo\tr${insn.dst}, ${hex(insn.src)}, ${hex(insn.imm)}`;
  }
  if ((mode === BPF_ABS || mode === BPF_IND) && size !== BPF_DW) {
    const t = `*(u${SIZE_NAMES[size]} *)skb[${mode === BPF_ABS ? hex(insn.imm) : `r${insn.src}`}]`;
    return `r0 = ${t}`;
  }
  return UNKNOWN;
}

function formatLdx(insn: BpfInsn, opts: DisasmOptions): string {
  const mode = bpfMode(insn.code);
  const size = bpfSize(insn.code);
  if (mode === BPF_MEM) {
    const r = opts.alu32 && size !== BPF_DW ? 'w' : 'r';
    return `${r}${insn.dst} = *(u${SIZE_NAMES[size]} *)${mem(insn.src, insn.off)}`;
  }
  if (mode === BPF_MEMSX && size !== BPF_DW) return `r${insn.dst} = *(s${SIZE_NAMES[size]} *)${mem(insn.src, insn.off)}`;
  return UNKNOWN;
}

function formatSt(insn: BpfInsn): string {
  if (bpfMode(insn.code) !== BPF_MEM) return UNKNOWN;
  return `*(u${SIZE_NAMES[bpfSize(insn.code)]} *)${mem(insn.dst, insn.off)} = ${hex(insn.imm)}`;
}

function formatStx(insn: BpfInsn, opts: DisasmOptions): string {
  const mode = bpfMode(insn.code);
  const size = bpfSize(insn.code);
  if (mode === BPF_MEM) {
    const r = opts.alu32 && size !== BPF_DW ? 'w' : 'r';
    return `*(u${SIZE_NAMES[size]} *)${mem(insn.dst, insn.off)} = ${r}${insn.src}`;
  }
  if (mode !== BPF_ATOMIC || (size !== BPF_W && size !== BPF_DW)) return UNKNOWN;
  const is64 = size === BPF_DW;
  const bits = is64 ? '64' : '32';
  const addr = mem(insn.dst, insn.off);
  // llvm's decoder keys on imm bits 7-4 (operation) and 3-0 (fetch); for plain `lock +=` bits 3-0 are don't-care.
  const hi = (insn.imm >> 4) & 0xf;
  const lo = insn.imm & 0xf;
  if (!is64 && !opts.alu32) {
    // Without alu32 llvm only knows the 32-bit XADD form, printed with an `r` register.
    return hi === 0 ? `lock *(u32 *)${addr} += r${insn.src}` : UNKNOWN;
  }
  const r = is64 ? 'r' : 'w';
  const s = `${r}${insn.src}`;
  const alu = ATOMIC_ALU[hi << 4];
  if (alu !== undefined) {
    if (lo === 1) return `${s} = atomic_fetch_${alu[1]}((u${bits} *)${addr}, ${s})`;
    if (lo === 0 || hi === 0) return `lock *(u${bits} *)${addr} ${alu[0]} ${s}`;
    return UNKNOWN;
  }
  if (hi === 0xe && lo === 1) return is64 ? `${s} = xchg_64(${addr.slice(1, -1)}, ${s})` : `${s} = xchg32_32(${addr.slice(1, -1)}, ${s})`;
  if (hi === 0xf && lo === 1) {
    return is64 ? `r0 = cmpxchg_64(${addr.slice(1, -1)}, r0, ${s})` : `w0 = cmpxchg32_32(${addr.slice(1, -1)}, w0, ${s})`;
  }
  return UNKNOWN;
}

