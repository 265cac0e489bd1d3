// Decodes the verifier's disassembly of one instruction into the slot it writes and the slot its value comes from.

/**
 * A slot is a register (0..10 = r0..r10) or a stack slot of the current frame (STACK_BASE + K = fp-K).
 * NO_SLOT when the instruction writes nothing we track (memory through a non-fp pointer, jumps).
 */
export const NO_SLOT = -1;
export const STACK_BASE = 16;

export const enum InsnFlag {
  /** The destination is also read (`r3 += 8`, `lock *(u64 *)(r10 -8) += r1`). */
  Update = 1,
  Call = 2,
  SubprogCall = 4,
  Exit = 8,
  CondJump = 16,
  Goto = 32,
  /** A store through a pointer that is not r10 (packet, map value, ...). */
  MemStore = 64,
  /** A load through a pointer that is not r10. */
  MemLoad = 128,
}

export interface DecodedInsn {
  write: number;
  src: number;
  /** The pointer register of a memory access (load or store), NO_SLOT otherwise. */
  base: number;
  flags: number;
}

export function slotName(slot: number): string {
  if (slot < 0) return '';
  return slot < STACK_BASE ? `r${slot}` : `fp-${slot - STACK_BASE}`;
}

/** Parses `r3`, `R3`, `w3`, `fp-8`, `fp-8_w`, `R3_w` into a slot number, or NO_SLOT. */
export function parseSlot(name: string): number {
  const m = /^(?:[rRwW](\d{1,2})|fp(-\d+|0))(?:_w)?$/.exec(name.trim());
  if (!m) return NO_SLOT;
  if (m[1] !== undefined) {
    const r = Number(m[1]);
    return r <= 10 ? r : NO_SLOT;
  }
  const off = Number(m[2]);
  return off <= 0 && off >= -(32767 - STACK_BASE) ? STACK_BASE - off : NO_SLOT;
}

const RE_DST_REG = /^([rw])(\d{1,2}) (\S*)= ?(.*)$/;
const RE_MEM = /\*\((?:u|s)\d+ \*\)\(r(\d{1,2}) ([+-]\d+)\)/;
const RE_SRC_REG = /^(?:\((?:s\d+|u\d+)\))?[rw](\d{1,2})$/;
const RE_TAIL_REG = / [rw](\d{1,2})$/;

function memSlot(base: number, off: number): number {
  return base === 10 && off < 0 ? STACK_BASE - off : NO_SLOT;
}

/** `opcode` is the byte in `(61)`; `text` is the disassembly after it, e.g. `r1 = *(u32 *)(r6 +8)`. */
export function decodeInsn(opcode: number, text: string): DecodedInsn {
  const out: DecodedInsn = { write: NO_SLOT, src: NO_SLOT, base: NO_SLOT, flags: 0 };
  const cls = opcode & 7;
  if (cls === 5 || cls === 6) {
    const code = opcode >> 4;
    if (code === 8) {
      out.flags |= InsnFlag.Call;
      out.write = 0;
      if (text.startsWith('call pc')) out.flags |= InsnFlag.SubprogCall;
    } else if (code === 9) {
      out.flags |= InsnFlag.Exit;
    } else if (code === 0) {
      out.flags |= InsnFlag.Goto;
    } else {
      out.flags |= InsnFlag.CondJump;
    }
    return out;
  }
  const m = RE_DST_REG.exec(text);
  if (m) {
    // ALU/ALU64/LD/LDX and atomics that return into a register (`r0 = atomic_fetch_add(...)`).
    out.write = Number(m[2]);
    const op = m[3];
    const rhs = m[4];
    if (op !== '') out.flags |= InsnFlag.Update;
    const mem = RE_MEM.exec(rhs);
    if (mem) {
      const base = Number(mem[1]);
      const slot = memSlot(base, Number(mem[2]));
      if (slot !== NO_SLOT) out.src = slot;
      else {
        out.base = base;
        out.flags |= InsnFlag.MemLoad;
      }
      return out;
    }
    const s = RE_SRC_REG.exec(rhs) ?? RE_TAIL_REG.exec(rhs);
    if (s) out.src = Number(s[1]);
    return out;
  }
  // Stores: `*(u32 *)(r10 -4) = r1`, `*(u8 *)(r1 +0) = 1`, `lock *(u64 *)(r10 -8) += r1`.
  const mem = RE_MEM.exec(text);
  if (mem) {
    const base = Number(mem[1]);
    const slot = memSlot(base, Number(mem[2]));
    const after = text.slice(mem.index + mem[0].length);
    if (text.startsWith('lock')) out.flags |= InsnFlag.Update;
    const s = /=\s*[rw](\d{1,2})\s*$/.exec(after);
    if (s) out.src = Number(s[1]);
    if (slot !== NO_SLOT) out.write = slot;
    else {
      out.base = base;
      out.flags |= InsnFlag.MemStore;
    }
  }
  return out;
}
