// The instruction change libbpf makes for a relocation decision (relo_core.c: bpf_core_patch_insn).
import type { BpfInsn } from '../bpf/decode';
import { BPF_ALU, BPF_ALU64, BPF_B, BPF_DW, BPF_H, BPF_JMP, BPF_CALL, BPF_K, BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_W, LD_IMM64_CODE, bpfClass, bpfMode, bpfSize, bpfSrc } from '../bpf/opcodes';
import type { CoreReloRes } from './calc';
import { POISON_IMM } from './kinds';

/** Raw fields of one instruction slot after patching. */
export interface InsnSlot { code: number; dst: number; src: number; off: number; imm: number }

export interface PatchResult {
  /** The patched slot(s) (two for ld_imm64); undefined when libbpf refuses to patch. */
  slots?: InsnSlot[];
  /** libbpf's debug lines for this patch ("patched insn #3 (LDX/ST/STX) off 8 -> 16", "substituting insn #3 w/ invalid insn"). */
  log: string[];
  /** libbpf's warning when it fails the load instead (unexpected instruction value/shape, offset too big). */
  error?: string;
  /** The instruction was replaced by the invalid `call 0xbad2310`. */
  poisoned: boolean;
}

const SHRT_MAX = 32767n;
const sizeBytes = (code: number): number => {
  switch (bpfSize(code)) { case BPF_DW: return 8; case BPF_W: return 4; case BPF_H: return 2; default: return 1; }
};
const bpfSizeOf = (bytes: number): number | undefined => ({ 8: BPF_DW, 4: BPF_W, 2: BPF_H, 1: BPF_B } as Record<number, number>)[bytes];
const u64 = (v: number): bigint => BigInt.asUintN(64, BigInt(v));

/** Applies `res` to `insn` (instruction index `insnIdx` in its program) exactly as libbpf would. */
export function patchInsn(progName: string, insn: BpfInsn, insnIdx: number, reloIdx: number, res: CoreReloRes): PatchResult {
  const log: string[] = [];
  const p = `prog '${progName}': relo #${reloIdx}:`;
  const first: InsnSlot = { code: insn.code, dst: insn.dst, src: insn.src, off: insn.off, imm: insn.imm };
  const second: InsnSlot | undefined = insn.next ? { ...insn.next } : undefined;
  const poison = (): PatchResult => {
    const bad = (): InsnSlot => ({ code: BPF_JMP | BPF_CALL, dst: 0, src: 0, off: 0, imm: POISON_IMM });
    // The second half of ld_imm64 is poisoned too, to avoid a confusing "unknown opcode 00".
    if (insn.code === LD_IMM64_CODE) log.push(`${p} substituting insn #${insnIdx + 1} w/ invalid insn`);
    log.push(`${p} substituting insn #${insnIdx} w/ invalid insn`);
    return { slots: insn.code === LD_IMM64_CODE ? [bad(), bad()] : [bad()], log, poisoned: true };
  };
  const fail = (error: string): PatchResult => ({ log, error, poisoned: false });
  if (res.poison) return poison();

  const { origVal, newVal } = res;
  switch (bpfClass(insn.code)) {
    case BPF_ALU: case BPF_ALU64: {
      if (bpfSrc(insn.code) !== BPF_K) return fail(`${p} insn #${insnIdx} is not an ALU instruction with an immediate`);
      if (res.validate && u64(insn.imm) !== origVal) {
        return fail(`${p} unexpected insn #${insnIdx} (ALU/ALU64) value: got ${insn.imm}, exp ${origVal} -> ${newVal}`);
      }
      first.imm = Number(BigInt.asIntN(32, newVal));
      log.push(`${p} patched insn #${insnIdx} (ALU/ALU64) imm ${BigInt.asUintN(64, BigInt(insn.imm))} -> ${newVal}`);
      return { slots: [first], log, poisoned: false };
    }
    case BPF_LDX: case BPF_ST: case BPF_STX: {
      if (res.validate && u64(insn.off) !== origVal) {
        return fail(`${p} unexpected insn #${insnIdx} (LDX/ST/STX) value: got ${insn.off}, exp ${origVal} -> ${newVal}`);
      }
      if (newVal > SHRT_MAX) return fail(`${p} insn #${insnIdx} (LDX/ST/STX) value too big: ${newVal}`);
      if (res.failMemszAdjust) {
        log.push(`${p} insn #${insnIdx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return poison();
      }
      first.off = Number(newVal);
      log.push(`${p} patched insn #${insnIdx} (LDX/ST/STX) off ${BigInt.asUintN(64, BigInt(insn.off))} -> ${newVal}`);
      if (res.newSz !== res.origSz) {
        const have = sizeBytes(insn.code);
        if (have !== res.origSz) return fail(`${p} insn #${insnIdx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz}`);
        const sz = bpfSizeOf(res.newSz);
        if (sz === undefined) return fail(`${p} insn #${insnIdx} (LDX/ST/STX) invalid new mem size: ${res.newSz}`);
        first.code = bpfMode(insn.code) | sz | bpfClass(insn.code);
        log.push(`${p} patched insn #${insnIdx} (LDX/ST/STX) mem_sz ${res.origSz} -> ${res.newSz}`);
      }
      return { slots: [first], log, poisoned: false };
    }
    case BPF_LD: {
      if (insn.code !== LD_IMM64_CODE || insn.src !== 0 || insn.off !== 0 || !second ||
        second.code !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) {
        return fail(`${p} insn #${insnIdx} (LDIMM64) has unexpected form`);
      }
      const imm = insn.imm64!;
      if (res.validate && imm !== origVal) {
        return fail(`${p} unexpected insn #${insnIdx} (LDIMM64) value: got ${imm}, exp ${origVal} -> ${newVal}`);
      }
      first.imm = Number(BigInt.asIntN(32, newVal));
      second.imm = Number(BigInt.asIntN(32, newVal >> 32n));
      log.push(`${p} patched insn #${insnIdx} (LDIMM64) imm64 ${imm} -> ${newVal}`);
      return { slots: [first, second], log, poisoned: false };
    }
    default:
      return fail(`${p} trying to relocate unrecognized insn #${insnIdx}, code:0x${insn.code.toString(16)}, src:0x${insn.src.toString(16)}, dst:0x${insn.dst.toString(16)}, off:0x${(insn.off & 0xffff).toString(16)}, imm:0x${(insn.imm >>> 0).toString(16)}`);
  }
}
