// The few libbpf BTF primitives CO-RE needs (btf.c / libbpf_internal.h), expressed over the linked model.
import type { Btf, BtfType } from '../btf/types';

/** libbpf's skip_mods_and_typedefs: skips CONST/VOLATILE/RESTRICT/TYPE_TAG/TYPEDEF, returning the type reached. */
export function skipModsAndTypedefs(btf: Btf, id: number): BtfType {
  return btf.resolveTypedefs(btf.typeById(id));
}

/** libbpf's btf__resolve_size, or undefined where it returns an error (void, fwd, func_proto, too deep). */
export function resolveSize(btf: Btf, id: number): number | undefined {
  try {
    return btf.sizeof(id);
  } catch {
    return undefined;
  }
}

export const isComposite = (t: BtfType): boolean => t.kind === 'STRUCT' || t.kind === 'UNION';
export const isAnyEnum = (t: BtfType): boolean => t.kind === 'ENUM' || t.kind === 'ENUM64';

/** btf.h: btf_kind_core_compat — same kind, or both enums (ENUM and ENUM64 mix). */
export function kindCoreCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

/** libbpf.c: bpf_core_is_flavor_sep — "X___Y" with X, Y not '_'. */
function isFlavorSep(s: string, i: number): boolean {
  return s.charCodeAt(i) !== 95 && s.charCodeAt(i + 1) === 95 && s.charCodeAt(i + 2) === 95 &&
    s.charCodeAt(i + 3) === 95 && s.length > i + 4 && s.charCodeAt(i + 4) !== 95;
}

/** libbpf.c: bpf_core_essential_name_len — length of the name before the last `___flavor` suffix. */
export function essentialNameLen(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) if (isFlavorSep(name, i)) return i + 1;
  return name.length;
}

export const essentialName = (name: string): string => name.slice(0, essentialNameLen(name));

/** libbpf's btf_kind_str: lower-case kind names as printed in logs. */
export function kindStr(t: BtfType): string {
  switch (t.kind) {
    case 'VOID': return 'void';
    case 'FUNC_PROTO': return 'func_proto';
    case 'DECL_TAG': return 'decl_tag';
    case 'TYPE_TAG': return 'type_tag';
    default: return t.kind.toLowerCase();
  }
}

/** The value of enumerator `idx` as libbpf reads it into a __u64: ENUM values are __s32 (sign-extended), ENUM64 unsigned. */
export function enumValueU64(t: BtfType, idx: number): bigint {
  if (t.kind === 'ENUM') return BigInt.asUintN(64, BigInt(t.values[idx]!.value | 0));
  if (t.kind === 'ENUM64') return BigInt.asUintN(64, t.values[idx]!.value);
  throw new Error(`not an enum: ${t.kind}`);
}
