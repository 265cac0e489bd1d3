// Matching a local access spec against one candidate target type (relo_core.c: bpf_core_spec_match).
import type { Btf } from '../btf/types';
import { essentialNameLen, isAnyEnum, resolveSize, skipModsAndTypedefs } from './btf-util';
import { E2BIG, EINVAL, fieldsAreCompat, typesAreCompat, typesMatch } from './compat';
import { BPF_CORE_TYPE_MATCHES, isEnumvalBased, isFieldBased, isTypeBased } from './kinds';
import { BPF_CORE_SPEC_MAX_LEN, emptySpec, isFlexArr } from './spec';
import type { CoreAccessor, CoreSpec } from './spec';

/**
 * relo_core.c: bpf_core_match_member — finds the local named field in the target composite, descending
 * into anonymous members, and extends the target spec. Returns [1|0|errno, next target type id].
 */
function matchMember(localBtf: Btf, localAcc: CoreAccessor, targBtf: Btf, targId: number, spec: CoreSpec): [number, number] {
  const tt = skipModsAndTypedefs(targBtf, targId);
  targId = tt.id;
  if (tt.kind !== 'STRUCT' && tt.kind !== 'UNION') return [0, 0];
  const lt = localBtf.typeById(localAcc.typeId);
  const localMember = (lt as { members: readonly { name: string; typeId: number }[] }).members[localAcc.idx]!;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    if (spec.rawSpec.length === BPF_CORE_SPEC_MAX_LEN) return [E2BIG, 0];
    // Speculate that this member is the one.
    spec.bitOffset += m.bitOffset;
    spec.rawSpec.push(i);
    if (m.name === '') {
      const [found, next] = matchMember(localBtf, localAcc, targBtf, m.typeId, spec);
      if (found !== 0) return [found, next];
    } else if (m.name === localMember.name) {
      spec.spec.push({ typeId: targId, idx: i, name: m.name });
      const found = fieldsAreCompat(localBtf, localMember.typeId, targBtf, m.typeId);
      if (found === 0) spec.spec.pop();
      return [found, m.typeId];
    }
    spec.bitOffset -= m.bitOffset;
    spec.rawSpec.pop();
  }
  return [0, 0];
}

/** relo_core.c: bpf_core_spec_match. Returns [1 matched | 0 not | negative errno, the candidate's spec]. */
export function specMatch(local: CoreSpec, targBtf: Btf, targId: number): [number, CoreSpec] {
  const targ = emptySpec(targBtf, targId, local.reloKind);
  if (isTypeBased(local.reloKind)) {
    const r = local.reloKind === BPF_CORE_TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, targBtf, targId)
      : typesAreCompat(local.btf, local.rootTypeId, targBtf, targId);
    return [r, targ];
  }
  if (isEnumvalBased(local.reloKind)) {
    const tt = skipModsAndTypedefs(targBtf, targId);
    if (!isAnyEnum(tt)) return [0, targ];
    const localName = local.spec[0]!.name!;
    const ll = essentialNameLen(localName);
    const values = (tt as { values: readonly { name: string }[] }).values;
    for (let i = 0; i < values.length; i++) {
      const tn = values[i]!.name;
      if (essentialNameLen(tn) !== ll || tn.slice(0, ll) !== localName.slice(0, ll)) continue;
      targ.spec.push({ typeId: tt.id, idx: i, name: tn });
      targ.rawSpec.push(i);
      return [1, targ];
    }
    return [0, targ];
  }
  if (!isFieldBased(local.reloKind)) return [EINVAL, targ];

  for (let i = 0; i < local.spec.length; i++) {
    const la = local.spec[i]!;
    const tt = skipModsAndTypedefs(targBtf, targId);
    targId = tt.id;
    if (la.name !== undefined) {
      const [matched, next] = matchMember(local.btf, la, targBtf, targId, targ);
      if (matched <= 0) return [matched, targ];
      targId = next;
    } else {
      // For i = 0 the root itself is the "element"; deeper index steps need an array in the target.
      if (i > 0) {
        if (tt.kind !== 'ARRAY') return [0, targ];
        const flex = isFlexArr(targBtf, targ.spec[targ.spec.length - 1], tt);
        if (!flex && la.idx >= tt.nelems) return [0, targ];
        targId = skipModsAndTypedefs(targBtf, tt.elemTypeId).id;
      }
      if (targ.rawSpec.length === BPF_CORE_SPEC_MAX_LEN) return [E2BIG, targ];
      targ.spec.push({ typeId: targId, idx: la.idx });
      targ.rawSpec.push(la.idx);
      const sz = resolveSize(targBtf, targId);
      if (sz === undefined) return [EINVAL, targ];
      targ.bitOffset += la.idx * sz * 8;
    }
  }
  return [1, targ];
}

