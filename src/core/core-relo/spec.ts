// CO-RE access specs: parsing an access string against local BTF and printing it as libbpf does (relo_core.c).
import type { Btf, BtfArray } from '../btf/types';
import { isComposite, isAnyEnum, kindStr, resolveSize, skipModsAndTypedefs } from './btf-util';
import { coreReloKindStr, isEnumvalBased, isFieldBased, isTypeBased } from './kinds';

/** relo_core.h: BPF_CORE_SPEC_MAX_LEN. */
export const BPF_CORE_SPEC_MAX_LEN = 64;

/** One high-level access step (struct bpf_core_accessor): a named field or an array index. */
export interface CoreAccessor {
  /** Type id of the composite (named field) or of the array element (index step), modifiers skipped. */
  typeId: number;
  /** Member index, array index or enumerator index. */
  idx: number;
  /** Field or enumerator name; undefined for array indexing. */
  name?: string;
}

/** struct bpf_core_spec: low-level raw indices, high-level accessors, resulting bit offset. */
export interface CoreSpec {
  btf: Btf;
  rootTypeId: number;
  reloKind: number;
  /** High-level accessors. */
  spec: CoreAccessor[];
  /** Every index of the access string, including anonymous members. */
  rawSpec: number[];
  bitOffset: number;
}

/** Why a spec could not be parsed (libbpf returns -EINVAL/-E2BIG and fails the load). */
export class CoreSpecError extends Error {}

export const emptySpec = (btf: Btf, rootTypeId: number, reloKind: number): CoreSpec =>
  ({ btf, rootTypeId, reloKind, spec: [], rawSpec: [], bitOffset: 0 });

/** relo_core.c: is_flex_arr — a zero-length array as the last member of its enclosing struct. */
export function isFlexArr(btf: Btf, acc: CoreAccessor | undefined, arr: BtfArray): boolean {
  if (acc === undefined || acc.name === undefined || arr.nelems > 0) return false;
  const t = btf.typeById(acc.typeId);
  return isComposite(t) && acc.idx === (t as { members: readonly unknown[] }).members.length - 1;
}

/** relo_core.c: bpf_core_parse_spec. Throws CoreSpecError where libbpf returns an error. */
export function parseSpec(progName: string, btf: Btf, typeId: number, accessStr: string, kind: number): CoreSpec {
  const fail = (why: string): never => { throw new CoreSpecError(why); };
  if (accessStr === '' || accessStr.startsWith(':')) fail(`empty or malformed access string '${accessStr}'`);
  const spec = emptySpec(btf, typeId, kind);
  if (isTypeBased(kind)) {
    if (accessStr !== '0') fail(`type-based relocation with access string '${accessStr}' (must be "0")`);
    return spec;
  }
  // sscanf("%d") per ':'-separated item, as libbpf parses it.
  let s = accessStr;
  while (s.length > 0) {
    if (s.startsWith(':')) s = s.slice(1);
    const m = /^\s*([+-]?\d+)/.exec(s);
    if (!m) fail(`access string '${accessStr}' is not a list of indices`);
    const v = Number(m![1]);
    if (v < 0 || v > 0x7fffffff) fail(`negative index in access string '${accessStr}'`);
    if (spec.rawSpec.length === BPF_CORE_SPEC_MAX_LEN) fail(`access string '${accessStr}' deeper than ${BPF_CORE_SPEC_MAX_LEN}`);
    spec.rawSpec.push(v);
    s = s.slice(m![0].length);
  }
  if (spec.rawSpec.length === 0) fail('empty access string');

  let t = skipModsAndTypedefs(btf, typeId);
  let id = t.id;
  let accessIdx = spec.rawSpec[0]!;
  spec.spec.push({ typeId: id, idx: accessIdx });

  if (isEnumvalBased(kind)) {
    if (!isAnyEnum(t) || spec.rawSpec.length > 1) fail('enum value relocation on a non-enum or with a nested access string');
    const values = (t as { values: readonly { name: string }[] }).values;
    if (accessIdx >= values.length) fail(`enumerator index ${accessIdx} out of range (${values.length} values)`);
    spec.spec[0]!.name = values[accessIdx]!.name;
    return spec;
  }
  if (!isFieldBased(kind)) fail(`unknown relocation kind ${kind}`);

  let sz = resolveSize(btf, id);
  if (sz === undefined) fail(`cannot size [${id}]`);
  spec.bitOffset = accessIdx * sz! * 8;

  for (let i = 1; i < spec.rawSpec.length; i++) {
    t = skipModsAndTypedefs(btf, id);
    id = t.id;
    accessIdx = spec.rawSpec[i]!;
    if (t.kind === 'STRUCT' || t.kind === 'UNION') {
      if (accessIdx >= t.members.length) fail(`member index ${accessIdx} out of range in [${id}]`);
      const m = t.members[accessIdx]!;
      spec.bitOffset += m.bitOffset;
      // Anonymous members only appear in the raw spec; named ones become accessors.
      if (m.name !== '') spec.spec.push({ typeId: id, idx: accessIdx, name: m.name });
      id = m.typeId;
    } else if (t.kind === 'ARRAY') {
      const elem = skipModsAndTypedefs(btf, t.elemTypeId);
      id = elem.id;
      const flex = isFlexArr(btf, spec.spec[spec.spec.length - 1], t);
      if (!flex && accessIdx >= t.nelems) fail(`array index ${accessIdx} out of range (${t.nelems} elements)`);
      spec.spec.push({ typeId: id, idx: accessIdx });
      sz = resolveSize(btf, id);
      if (sz === undefined) fail(`cannot size [${id}]`);
      spec.bitOffset += accessIdx * sz! * 8;
    } else {
      fail(`prog '${progName}': relo for [${typeId}] ${accessStr} (at idx ${i}) captures type [${id}] of unexpected kind ${kindStr(t)}`);
    }
  }
  return spec;
}

/** relo_core.c: bpf_core_format_spec — `<byte_off> [2] struct xdp_md.data_meta (0:2 @ offset 8)`. */
export function formatSpec(spec: CoreSpec): string {
  const t = spec.btf.typeById(spec.rootTypeId);
  let out = `<${coreReloKindStr(spec.reloKind)}> [${spec.rootTypeId}] ${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;
  if (isTypeBased(spec.reloKind)) return out;
  if (isEnumvalBased(spec.reloKind)) {
    const e = skipModsAndTypedefs(spec.btf, spec.rootTypeId);
    // A non-matching candidate has an empty raw spec; libbpf then prints enumerator 0 (zeroed memory).
    const idx = spec.rawSpec[0] ?? 0;
    if (e.kind === 'ENUM' && idx < e.values.length) {
      const v = e.values[idx]!;
      // libbpf prints the raw __s32 with %d when kind_flag (signed) is set, %u otherwise.
      out += `::${v.name} = ${e.kindFlag ? v.value | 0 : v.value >>> 0}`;
    } else if (e.kind === 'ENUM64' && idx < e.values.length) {
      const v = e.values[idx]!;
      out += `::${v.name} = ${e.kindFlag ? BigInt.asIntN(64, v.value) : BigInt.asUintN(64, v.value)}`;
    }
    return out;
  }
  if (isFieldBased(spec.reloKind)) {
    spec.spec.forEach((a, i) => {
      if (a.name !== undefined) out += `.${a.name}`;
      else if (i > 0 || a.idx > 0) out += `[${a.idx}]`;
    });
    out += ` (${spec.rawSpec.join(':')}`;
    out += spec.bitOffset % 8 ? ` @ offset ${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8})` : ` @ offset ${spec.bitOffset / 8})`;
  }
  return out;
}

/**
 * The access in words, for people: `struct xdp_md::data_meta (0:2)`, `struct s::a[3].b (0:1:3:0)`,
 * `enum e::VAL (0)`, or just `struct xdp_md` for type-based relocations.
 */
export function describeAccess(spec: CoreSpec): string {
  const t = spec.btf.typeById(spec.rootTypeId);
  const root = `${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;
  if (isTypeBased(spec.reloKind)) return root;
  if (isEnumvalBased(spec.reloKind)) return `${root}::${spec.spec[0]?.name ?? '?'} (${spec.rawSpec.join(':')})`;
  let path = '';
  let lead = '';
  spec.spec.forEach((a, i) => {
    if (a.name !== undefined) path += path === '' ? a.name : `.${a.name}`;
    else if (i === 0) lead = a.idx > 0 ? `[${a.idx}]` : '';
    else path += `[${a.idx}]`;
  });
  return `${root}${lead}${path === '' ? '' : `::${path}`} (${spec.rawSpec.join(':')})`;
}
