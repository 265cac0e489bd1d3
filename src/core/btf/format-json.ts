// Plain-JSON view of BTF types (ids instead of links; 64-bit enum values as decimal strings).
import type { Btf, BtfType } from './types';

export type BtfTypeJson = Record<string, unknown> & { id: number; kind: string; name: string };

/** One type as a JSON-safe object; references stay ids so the output is a flat, acyclic table. */
export function typeToJson(t: BtfType): BtfTypeJson {
  const base = { id: t.id, kind: t.kind, name: t.name };
  switch (t.kind) {
    case 'VOID': return base;
    case 'INT':
      return { ...base, size: t.size, signed: t.signed, char: t.char, bool: t.bool, bitOffset: t.bitOffset, bits: t.bits };
    case 'PTR': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPEDEF': case 'TYPE_TAG':
      return { ...base, typeId: t.typeId };
    case 'ARRAY': return { ...base, elemTypeId: t.elemTypeId, indexTypeId: t.indexTypeId, nelems: t.nelems };
    case 'STRUCT': case 'UNION':
      return {
        ...base, size: t.size,
        members: t.members.map((m) => ({ name: m.name, typeId: m.typeId, bitOffset: m.bitOffset, ...(m.bitfieldSize ? { bitfieldSize: m.bitfieldSize } : {}) })),
      };
    case 'ENUM': return { ...base, size: t.size, signed: t.signed, values: t.values.map((v) => ({ name: v.name, value: v.value })) };
    case 'ENUM64': return { ...base, size: t.size, signed: t.signed, values: t.values.map((v) => ({ name: v.name, value: v.value.toString() })) };
    case 'FWD': return { ...base, fwdKind: t.fwdKind };
    case 'FUNC': return { ...base, typeId: t.typeId, linkage: t.linkage };
    case 'FUNC_PROTO':
      return { ...base, returnTypeId: t.returnTypeId, params: t.params.map((p) => ({ name: p.name, typeId: p.typeId })), variadic: t.variadic };
    case 'VAR': return { ...base, typeId: t.typeId, linkage: t.linkage };
    case 'DATASEC': return { ...base, size: t.size, vars: t.vars.map((v) => ({ typeId: v.typeId, offset: v.offset, size: v.size })) };
    case 'FLOAT': return { ...base, size: t.size };
    case 'DECL_TAG': return { ...base, typeId: t.typeId, componentIdx: t.componentIdx };
  }
}

/** Count of own types per kind, in BTF_KIND order. */
export function kindCounts(btf: Btf): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let id = btf.startId; id < btf.count; id++) {
    const k = btf.kindOf(id);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
