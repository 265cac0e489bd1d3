// Decodes raw BPF instruction bytes (either byte order) into instructions; `ld_imm64` is one two-slot instruction.
import { FormatError } from '../util/errors';
import {
  BPF_INSN_SZ, BPF_JMP, BPF_JMP32, BPF_CALL, BPF_EXIT, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL,
  LD_IMM64_CODE, bpfClass, bpfOp, bpfSrc, BPF_K, CLASS_NAMES,
} from './opcodes';
import type { BpfClassName } from './opcodes';

export type ByteOrder = 'little' | 'big';

/** One decoded instruction, with the raw fields as in `struct bpf_insn`. */
export interface BpfInsn {
  /** Slot index (8-byte units) from the start of the decoded range: libbpf's instruction index. */
  readonly index: number;
  /** Byte offset from the start of the decoded range (index * 8). */
  readonly offset: number;
  readonly code: number;
  readonly cls: BpfClassName;
  readonly dst: number;
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
  /** True for `ld_imm64` (code 0x18), which occupies two slots. */
  readonly wide: boolean;
  /** For `ld_imm64`: imm of the first slot (low 32 bits) | imm of the second slot << 32, unsigned. */
  readonly imm64?: bigint;
  /** For `ld_imm64`: the raw second slot fields (the kernel requires code/regs/off 0). */
  readonly next?: { readonly code: number; readonly dst: number; readonly src: number; readonly off: number; readonly imm: number };
}

/** Number of slots an instruction takes. */
export const slots = (insn: BpfInsn): 1 | 2 => (insn.wide ? 2 : 1);

/** What a `call` instruction calls (by its src_reg), or undefined for other instructions. */
export function callKind(insn: BpfInsn): 'helper' | 'subprog' | 'kfunc' | 'callx' | undefined {
  if (bpfClass(insn.code) !== BPF_JMP || bpfOp(insn.code) !== BPF_CALL) return undefined;
  if (bpfSrc(insn.code) !== BPF_K) return 'callx';
  return insn.src === BPF_PSEUDO_CALL ? 'subprog' : insn.src === BPF_PSEUDO_KFUNC_CALL ? 'kfunc' : 'helper';
}

export const isExit = (insn: BpfInsn): boolean => insn.code === (BPF_JMP | BPF_EXIT);

/** Slot index a jump lands on (gotol in JMP32 carries its displacement in imm), or undefined for non-jumps. */
export function jumpTarget(insn: BpfInsn): number | undefined {
  const cls = bpfClass(insn.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return undefined;
  const op = bpfOp(insn.code);
  if (op === BPF_CALL || op === BPF_EXIT) return undefined;
  const disp = cls === BPF_JMP32 && op === 0 ? insn.imm : insn.off;
  return insn.index + 1 + disp;
}

/**
 * Decodes `bytes` (a whole program section or a slice of one). `source` and `baseOffset` (the file
 * offset of bytes[0]) only serve error messages. Throws FormatError for a length that is not a multiple
 * of 8 or an `ld_imm64` cut off by the end.
 */
export function decodeInsns(bytes: Uint8Array, byteOrder: ByteOrder, source = '<insns>', baseOffset = 0): BpfInsn[] {
  if (bytes.length % BPF_INSN_SZ !== 0) {
    throw new FormatError(source, baseOffset + bytes.length - (bytes.length % BPF_INSN_SZ),
      `instructions in whole 8-byte slots (${bytes.length} bytes is not a multiple of 8)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = byteOrder === 'little';
  const n = bytes.length / BPF_INSN_SZ;
  const out: BpfInsn[] = [];
  const fields = (i: number) => {
    const at = i * BPF_INSN_SZ;
    const regs = bytes[at + 1]!;
    return {
      code: bytes[at]!,
      // struct bpf_insn's dst_reg:4/src_reg:4 bitfields are laid out low nibble first on little-endian hosts.
      dst: le ? regs & 0x0f : regs >> 4,
      src: le ? regs >> 4 : regs & 0x0f,
      off: view.getInt16(at + 2, le),
      imm: view.getInt32(at + 4, le),
    };
  };
  for (let i = 0; i < n; i++) {
    const f = fields(i);
    const cls = CLASS_NAMES[f.code & 7]!;
    if (f.code === LD_IMM64_CODE) {
      if (i + 1 >= n) {
        throw new FormatError(source, baseOffset + i * BPF_INSN_SZ, 'second slot of ld_imm64 (instruction cut off at the end of the code)');
      }
      const next = fields(i + 1);
      const imm64 = (BigInt(next.imm >>> 0) << 32n) | BigInt(f.imm >>> 0);
      out.push({ index: i, offset: i * BPF_INSN_SZ, ...f, cls, wide: true, imm64, next });
      i++;
    } else {
      out.push({ index: i, offset: i * BPF_INSN_SZ, ...f, cls, wide: false });
    }
  }
  return out;
}

/** Encodes one slot back to bytes (used to show patched instructions). */
export function encodeSlot(f: { code: number; dst: number; src: number; off: number; imm: number }, byteOrder: ByteOrder): Uint8Array {
  const b = new Uint8Array(BPF_INSN_SZ);
  const v = new DataView(b.buffer);
  const le = byteOrder === 'little';
  b[0] = f.code;
  b[1] = le ? (f.src << 4) | (f.dst & 0x0f) : (f.dst << 4) | (f.src & 0x0f);
  v.setInt16(2, f.off, le);
  v.setInt32(4, f.imm, le);
  return b;
}
