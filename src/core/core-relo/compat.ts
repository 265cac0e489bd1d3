// Type compatibility rules of CO-RE: fields, whole types (TYPE_* relocations) and TYPE_MATCHES (relo_core.c).
// Results follow libbpf: 1 compatible, 0 not, negative errno on malformed input / too deep recursion.
import type { Btf, BtfType } from '../btf/types';
import { essentialNameLen, isAnyEnum, isComposite, kindCoreCompat, skipModsAndTypedefs } from './btf-util';

export const EINVAL = -22;
export const E2BIG = -7;

const intOffset = (t: BtfType): number => (t.kind === 'INT' ? t.bitOffset : 0);

/** relo_core.c: __bpf_core_types_are_compat (level 32 from bpf_core_types_are_compat). */
export function typesAreCompat(localBtf: Btf, localId: number, targBtf: Btf, targId: number, level = 32): number {
  let depth = 32;
  if (!kindCoreCompat(localBtf.typeById(localId), targBtf.typeById(targId))) return 0;
  for (;;) {
    if (--depth < 0) return EINVAL;
    const lt = skipModsAndTypedefs(localBtf, localId);
    const tt = skipModsAndTypedefs(targBtf, targId);
    localId = lt.id; targId = tt.id;
    if (!kindCoreCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case 'VOID': case 'STRUCT': case 'UNION': case 'ENUM': case 'FWD': case 'ENUM64':
        return 1;
      case 'INT':
        // Only deprecated bitfield-like ints (non-zero offset) are rejected.
        return intOffset(lt) === 0 && intOffset(tt) === 0 ? 1 : 0;
      case 'PTR':
        localId = lt.typeId; targId = (tt as typeof lt).typeId;
        continue;
      case 'ARRAY':
        localId = lt.elemTypeId; targId = (tt as typeof lt).elemTypeId;
        continue;
      case 'FUNC_PROTO': {
        const tp = tt as typeof lt;
        if (lt.params.length !== tp.params.length) return 0;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) return EINVAL;
          const l = skipModsAndTypedefs(localBtf, lt.params[i]!.typeId).id;
          const r = skipModsAndTypedefs(targBtf, tp.params[i]!.typeId).id;
          const err = typesAreCompat(localBtf, l, targBtf, r, level - 1);
          if (err <= 0) return err;
        }
        localId = skipModsAndTypedefs(localBtf, lt.returnTypeId).id;
        targId = skipModsAndTypedefs(targBtf, tp.returnTypeId).id;
        continue;
      }
      default:
        return 0;
    }
  }
}

/** relo_core.c: bpf_core_fields_are_compat — field types for field relocations. */
export function fieldsAreCompat(localBtf: Btf, localId: number, targBtf: Btf, targId: number): number {
  for (;;) {
    const lt = skipModsAndTypedefs(localBtf, localId);
    const tt = skipModsAndTypedefs(targBtf, targId);
    if (isComposite(lt) && isComposite(tt)) return 1;
    if (!kindCoreCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case 'PTR': case 'FLOAT':
        return 1;
      case 'FWD': case 'ENUM64': case 'ENUM': {
        const ll = essentialNameLen(lt.name);
        const tl = essentialNameLen(tt.name);
        // One of them anonymous, or both with the same flavor-less name.
        return ll === 0 || tl === 0 || (ll === tl && lt.name.slice(0, ll) === tt.name.slice(0, tl)) ? 1 : 0;
      }
      case 'INT':
        return intOffset(lt) === 0 && intOffset(tt) === 0 ? 1 : 0;
      case 'ARRAY':
        localId = lt.elemTypeId; targId = (tt as typeof lt).elemTypeId;
        continue;
      default:
        return 0;
    }
  }
}

/** relo_core.c: bpf_core_names_match — flavor-insensitive, anonymous only matches anonymous. */
function namesMatch(localName: string, targName: string): boolean {
  if (targName === '') return localName === '';
  const tl = essentialNameLen(targName);
  const ll = essentialNameLen(localName);
  return tl === ll && localName.slice(0, ll) === targName.slice(0, tl);
}

/** relo_core.c: bpf_core_enums_match. */
function enumsMatch(lt: BtfType, tt: BtfType): number {
  if (!isAnyEnum(lt) || !isAnyEnum(tt)) return 0;
  const l = lt as { size: number; values: readonly { name: string }[] };
  const t = tt as { size: number; values: readonly { name: string }[] };
  if (l.size !== t.size || l.values.length > t.values.length) return 0;
  for (const lv of l.values) if (!t.values.some((tv) => namesMatch(lv.name, tv.name))) return 0;
  return 1;
}

/** relo_core.c: bpf_core_composites_match. */
function compositesMatch(localBtf: Btf, lt: BtfType, targBtf: Btf, tt: BtfType, behindPtr: boolean, level: number): number {
  if (!isComposite(lt) || !isComposite(tt)) return 0;
  const lm = (lt as { members: readonly { name: string; typeId: number }[] }).members;
  const tm = (tt as { members: readonly { name: string; typeId: number }[] }).members;
  if (lm.length > tm.length) return 0;
  for (const l of lm) {
    let matched = false;
    for (const t of tm) {
      if (!namesMatch(l.name, t.name)) continue;
      const err = typesMatch(localBtf, l.typeId, targBtf, t.typeId, behindPtr, level - 1);
      if (err < 0) return err;
      if (err > 0) { matched = true; break; }
    }
    if (!matched) return 0;
  }
  return 1;
}

/** relo_core.c: __bpf_core_types_match — the TYPE_MATCHES relation (root names already matched by the caller). */
export function typesMatch(localBtf: Btf, localId: number, targBtf: Btf, targId: number, behindPtr = false, level = 32): number {
  let depth = 32;
  if (level <= 0) return EINVAL;
  for (;;) {
    if (--depth < 0) return EINVAL;
    const lt = skipModsAndTypedefs(localBtf, localId);
    const tt = skipModsAndTypedefs(targBtf, targId);
    localId = lt.id; targId = tt.id;
    if (!namesMatch(lt.name, tt.name)) return 0;
    switch (lt.kind) {
      case 'VOID':
        return tt.kind === 'VOID' ? 1 : 0;
      case 'FWD': {
        const lf = lt.kindFlag;
        if (behindPtr) {
          if (tt.kind === 'FWD') return lf === tt.kindFlag ? 1 : 0;
          // A forward declaration's kind_flag says struct (0) or union (1).
          return (tt.kind === 'STRUCT' && !lf) || (tt.kind === 'UNION' && lf) ? 1 : 0;
        }
        return tt.kind === 'FWD' && lf === tt.kindFlag ? 1 : 0;
      }
      case 'ENUM': case 'ENUM64':
        return enumsMatch(lt, tt);
      case 'STRUCT': case 'UNION':
        if (behindPtr) {
          if (lt.kind === tt.kind) return 1;
          if (tt.kind !== 'FWD') return 0;
          return (lt.kind === 'UNION') === tt.kindFlag ? 1 : 0;
        }
        if (lt.kind !== tt.kind) return 0;
        return compositesMatch(localBtf, lt, targBtf, tt, behindPtr, level);
      case 'INT':
        if (tt.kind !== 'INT') return 0;
        return lt.size === tt.size && lt.signed === tt.signed ? 1 : 0;
      case 'PTR':
        if (tt.kind !== 'PTR') return 0;
        behindPtr = true;
        localId = lt.typeId; targId = tt.typeId;
        continue;
      case 'ARRAY':
        if (tt.kind !== 'ARRAY' || lt.nelems !== tt.nelems) return 0;
        localId = lt.elemTypeId; targId = tt.elemTypeId;
        continue;
      case 'FUNC_PROTO': {
        if (tt.kind !== 'FUNC_PROTO' || lt.params.length !== tt.params.length) return 0;
        for (let i = 0; i < lt.params.length; i++) {
          const err = typesMatch(localBtf, lt.params[i]!.typeId, targBtf, tt.params[i]!.typeId, behindPtr, level - 1);
          if (err <= 0) return err;
        }
        localId = lt.returnTypeId; targId = tt.returnTypeId;
        continue;
      }
      default:
        return 0;
    }
  }
}
