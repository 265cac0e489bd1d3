// Offset and size of a struct member in a BTF (the program's object or the target kernel) or the object's DWARF.
import type { Btf, BtfType } from '../../core/btf';
import type { DwarfStruct } from '../../core/dwarf/reader';

export interface FieldLayout {
  /** Byte offset from the start of the struct (bit offset / 8 for bitfields, rounded down). */
  offset: number;
  /** Byte size of the member's type; for bitfields see `bitSize`. */
  size: number;
  bitOffset: number;
  /** Bitfield width; 0 for an ordinary member. */
  bitSize: number;
  structSize: number;
}

/** Layout of `structName.field` in `btf`, or undefined when either is missing (a kernel without that struct). */
export function fieldLayout(btf: Btf, structName: string, field: string): FieldLayout | undefined {
  for (const kind of ['STRUCT', 'UNION'] as const) {
    const t = btf.findByName(structName, kind);
    if (!t) continue;
    const hit = findMember(btf, t, field, 0);
    if (hit) return { ...hit, structSize: t.size };
  }
  return undefined;
}

function findMember(btf: Btf, t: BtfType, field: string, baseBits: number): Omit<FieldLayout, 'structSize'> | undefined {
  if (t.kind !== 'STRUCT' && t.kind !== 'UNION') return undefined;
  for (const m of t.members) {
    const bits = baseBits + m.bitOffset;
    if (m.name === field) {
      let size: number;
      try { size = btf.sizeof(m.type); } catch { size = 0; }
      return { offset: Math.floor(bits / 8), size, bitOffset: bits, bitSize: m.bitfieldSize };
    }
    if (m.name === '') {
      const inner = findMember(btf, btf.resolveTypedefs(m.type), field, bits);
      if (inner) return inner;
    }
  }
  return undefined;
}

export function describeLayout(l: FieldLayout): string {
  if (l.bitSize) return `bits ${l.bitOffset}..${l.bitOffset + l.bitSize - 1} (byte ${l.offset}), ${l.bitSize} bit${l.bitSize > 1 ? 's' : ''}`;
  return `offset ${l.offset}, size ${l.size}`;
}

/**
 * Layout of a direct member from the object's DWARF: a struct the program only reaches through a
 * local pointer (`struct meta *m = data_meta`) has no BTF, but clang's -g debug info describes it.
 */
export function dwarfFieldLayout(structs: ReadonlyMap<string, DwarfStruct>, structName: string, field: string): FieldLayout | undefined {
  const s = structs.get(structName);
  const m = s?.members.find((x) => x.name === field);
  if (!s || !m) return undefined;
  return { offset: m.offset, size: m.size, bitOffset: m.bitOffset, bitSize: m.bitSize, structSize: s.size };
}
