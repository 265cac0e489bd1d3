// Relocation values for one spec and the candidate loop with libbpf's ambiguity rules (relo_core.c).
import type { Btf } from '../btf/types';
import { enumValueU64, kindStr, resolveSize, skipModsAndTypedefs } from './btf-util';
import {
  BPF_CORE_ENUMVAL_EXISTS, BPF_CORE_ENUMVAL_VALUE, BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_FIELD_BYTE_SIZE,
  BPF_CORE_FIELD_EXISTS, BPF_CORE_FIELD_LSHIFT_U64, BPF_CORE_FIELD_RSHIFT_U64, BPF_CORE_FIELD_SIGNED,
  BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_ID_LOCAL, BPF_CORE_TYPE_ID_TARGET, BPF_CORE_TYPE_MATCHES, BPF_CORE_TYPE_SIZE,
  coreReloKindStr, isEnumvalBased, isFieldBased, isTypeBased,
} from './kinds';
import { specMatch } from './match';
import { CoreSpecError, formatSpec, parseSpec } from './spec';
import type { CoreSpec } from './spec';

/** struct bpf_core_relo_res: the decision for one relocation. */
export interface CoreReloRes {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  /** Check that the instruction carries origVal before patching. */
  validate: boolean;
  /** Changing the load/store size would change the value read: poison LDX/ST/STX instead. */
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
  origTypeId: number;
  newTypeId: number;
}

/** A relocation libbpf refuses (the load fails): carries libbpf's warning text and its errno. */
export class CoreReloError extends Error {
  constructor(message: string, readonly errno = -22, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A relocation value as bigint. Damaged BTF (a zero-sized bitfield type, an unsizable array element) makes
 * the arithmetic NaN; that is this relocation's error, not a crash of the whole run.
 */
function big(n: number): bigint {
  if (!Number.isSafeInteger(n)) throw new CoreReloError(`relocation value is not an integer (${n}): the BTF sizes or offsets are damaged`);
  return BigInt(n);
}

/** Signals "poison the instruction" (libbpf's -EUCLEAN). */
const POISON = Symbol('poison');

interface FieldVal { val: bigint; fieldSz: number; typeId: number; validate: boolean }

/** relo_core.c: bpf_core_calc_field_relo. `byteOrder` is that of the object (libbpf uses its host's, which must equal it). */
function calcFieldRelo(progName: string, kind: number, insnIdx: number, spec: CoreSpec | undefined, bigEndian: boolean): FieldVal | typeof POISON {
  if (kind === BPF_CORE_FIELD_EXISTS) return { val: spec ? 1n : 0n, fieldSz: 0, typeId: 0, validate: true };
  if (spec === undefined) return POISON;
  const acc = spec.spec[spec.spec.length - 1]!;
  const btf = spec.btf;
  const elemSize = (id: number): number => {
    // For arrays the element size matters for load/store width, not the whole array's.
    let t = skipModsAndTypedefs(btf, id);
    while (t.kind === 'ARRAY') t = skipModsAndTypedefs(btf, t.elemTypeId);
    const sz = resolveSize(btf, t.id);
    if (sz === undefined) throw new CoreReloError(`cannot size [${t.id}]`);
    return sz;
  };
  if (acc.name === undefined) {
    if (kind === BPF_CORE_FIELD_BYTE_OFFSET) {
      return { val: big(Math.floor(spec.bitOffset / 8)), fieldSz: elemSize(acc.typeId), typeId: acc.typeId, validate: true };
    }
    if (kind === BPF_CORE_FIELD_BYTE_SIZE) {
      const sz = resolveSize(btf, acc.typeId);
      if (sz === undefined) throw new CoreReloError(`cannot size [${acc.typeId}]`);
      return { val: big(sz), fieldSz: 0, typeId: 0, validate: true };
    }
    throw new CoreReloError(`prog '${progName}': relo ${kind} at insn #${insnIdx} can't be applied to array access`);
  }
  const t = btf.typeById(acc.typeId) as { members: readonly { typeId: number; bitfieldSize: number }[] };
  const m = t.members[acc.idx]!;
  const mt = skipModsAndTypedefs(btf, m.typeId);
  const fieldTypeId = mt.id;
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    // Only integers and enums can be bitfields; damaged BTF can say otherwise, and then there is no size to use.
    if (mt.kind !== 'INT' && mt.kind !== 'ENUM' && mt.kind !== 'ENUM64') {
      throw new CoreReloError(`prog '${progName}': relo ${kind} at insn #${insnIdx}: bitfield member of non-integer type [${mt.id}] ${mt.kind}`);
    }
    byteSz = (mt as { size: number }).size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    // Smallest power-of-two load that covers the whole bitfield.
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreReloError(`prog '${progName}': relo ${kind} at insn #${insnIdx} can't be satisfied for bitfield`, -7);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    const sz = resolveSize(btf, fieldTypeId);
    if (sz === undefined) throw new CoreReloError(`cannot size [${fieldTypeId}]`);
    byteSz = sz;
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  // Bitfield offsets/sizes may legitimately differ from what the compiler encoded: no validation.
  let validate = !bitfield;
  let fieldSz = 0;
  let typeId = 0;
  let val: bigint;
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
      val = big(byteOff);
      if (!bitfield) { fieldSz = elemSize(fieldTypeId); typeId = fieldTypeId; }
      break;
    case BPF_CORE_FIELD_BYTE_SIZE:
      val = big(byteSz);
      break;
    case BPF_CORE_FIELD_SIGNED:
      val = ((mt.kind === 'ENUM' || mt.kind === 'ENUM64') && mt.kindFlag) || (mt.kind === 'INT' && mt.signed) ? 1n : 0n;
      validate = true;
      break;
    case BPF_CORE_FIELD_LSHIFT_U64:
      val = big(bigEndian ? (8 - byteSz) * 8 + (bitOff - byteOff * 8) : 64 - (bitOff + bitSz - byteOff * 8));
      break;
    case BPF_CORE_FIELD_RSHIFT_U64:
      val = big(64 - bitSz);
      validate = true;
      break;
    default:
      throw new CoreReloError(`prog '${progName}': unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind}) at insn #${insnIdx}`, -95);
  }
  return { val, fieldSz, typeId, validate };
}

/** relo_core.c: bpf_core_calc_type_relo. */
function calcTypeRelo(kind: number, spec: CoreSpec | undefined): { val: bigint; validate: boolean } {
  if (spec === undefined) return { val: 0n, validate: true };
  switch (kind) {
    case BPF_CORE_TYPE_ID_TARGET:
      // Type ids change during linking: never validated.
      return { val: big(spec.rootTypeId), validate: false };
    case BPF_CORE_TYPE_EXISTS: case BPF_CORE_TYPE_MATCHES:
      return { val: 1n, validate: true };
    case BPF_CORE_TYPE_SIZE: {
      const sz = resolveSize(spec.btf, spec.rootTypeId);
      if (sz === undefined) throw new CoreReloError(`cannot size [${spec.rootTypeId}]`);
      return { val: big(sz), validate: true };
    }
    default:
      throw new CoreReloError(`unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind})`, -95);
  }
}

/** relo_core.c: bpf_core_calc_enumval_relo. */
function calcEnumvalRelo(kind: number, spec: CoreSpec | undefined): bigint | typeof POISON {
  if (kind === BPF_CORE_ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (kind !== BPF_CORE_ENUMVAL_VALUE) throw new CoreReloError(`unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind})`, -95);
  if (spec === undefined) return POISON;
  const a = spec.spec[0]!;
  return enumValueU64(spec.btf.typeById(a.typeId), a.idx);
}

/** relo_core.c: bpf_core_calc_relo — local and target values for one candidate (or none). */
export function calcRelo(progName: string, kind: number, insnIdx: number, local: CoreSpec, targ: CoreSpec | undefined, bigEndian: boolean): CoreReloRes {
  const res: CoreReloRes = {
    origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0,
  };
  if (isFieldBased(kind)) {
    const l = calcFieldRelo(progName, kind, insnIdx, local, bigEndian);
    if (l === POISON) { res.poison = true; return res; }
    res.origVal = l.val; res.origSz = l.fieldSz; res.origTypeId = l.typeId; res.validate = l.validate;
    const t = calcFieldRelo(progName, kind, insnIdx, targ, bigEndian);
    if (t === POISON) { res.poison = true; return res; }
    res.newVal = t.val; res.newSz = t.fieldSz; res.newTypeId = t.typeId;
    if (res.origSz !== res.newSz) {
      // Resizing a load is only safe for pointers (32-bit kernel pointers) and unsigned integers (zero-extension).
      const ot = local.btf.typeById(res.origTypeId);
      const nt = targ!.btf.typeById(res.newTypeId);
      const unsignedInt = (x: typeof ot): boolean => x.kind === 'INT' && x.encoding !== 1;
      if (!(ot.kind === 'PTR' && nt.kind === 'PTR') && !(unsignedInt(ot) && unsignedInt(nt))) res.failMemszAdjust = true;
    }
  } else if (isTypeBased(kind)) {
    const l = calcTypeRelo(kind, local);
    res.origVal = l.val; res.validate = l.validate;
    res.newVal = calcTypeRelo(kind, targ).val;
  } else if (isEnumvalBased(kind)) {
    const l = calcEnumvalRelo(kind, local);
    if (l === POISON) { res.poison = true; return res; }
    res.origVal = l;
    const t = calcEnumvalRelo(kind, targ);
    if (t === POISON) { res.poison = true; return res; }
    res.newVal = t;
  } else {
    throw new CoreReloError(`prog '${progName}': unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind}) at insn #${insnIdx}`, -95);
  }
  return res;
}

/** A candidate target type: libbpf's struct bpf_core_cand plus the name of the BTF it lives in. */
export interface CoreCand {
  btf: Btf;
  id: number;
  /** "vmlinux" or the module name. */
  btfName: string;
}

/** One candidate's verdict, as libbpf logs it ("matching candidate #0 ..."). */
export interface CandVerdict {
  index: number;
  matching: boolean;
  spec: string;
  btfName: string;
  id: number;
}

export interface CalcInsnResult {
  res: CoreReloRes;
  localSpec: CoreSpec;
  /** Spec of the first matching candidate (libbpf's targ_spec); undefined when none matched. */
  targSpec?: CoreSpec;
  targCand?: CoreCand;
  verdicts: CandVerdict[];
}

/**
 * relo_core.c: bpf_core_calc_relo_insn. `cands` is the shared candidate list for the local type
 * (libbpf's cand_cache entry): like libbpf it is pruned in place to the matching candidates.
 */
export function calcReloInsn(progName: string, reloIdx: number, insnIdx: number, kind: number, localBtf: Btf,
  typeId: number, accessStr: string, cands: CoreCand[] | undefined, bigEndian: boolean, log: string[] = []): CalcInsnResult {
  const p = `prog '${progName}': relo #${reloIdx}:`;
  const localType = localBtf.typeById(typeId);
  let localSpec: CoreSpec;
  try {
    localSpec = parseSpec(progName, localBtf, typeId, accessStr, kind);
  } catch (e) {
    if (!(e instanceof CoreSpecError)) throw e;
    throw new CoreReloError(`${p} parsing [${typeId}] ${kindStr(localType)} ${localType.name || '<anon>'} + ${accessStr} failed: -22 (${e.message})`, -22, { cause: e });
  }
  log.push(`${p} ${formatSpec(localSpec)}`);
  const verdicts: CandVerdict[] = [];
  if (kind === BPF_CORE_TYPE_ID_LOCAL) {
    // Needs no candidates: the id in the object's own BTF, never validated (it may change at link time).
    const id = BigInt(localSpec.rootTypeId);
    return { res: { origVal: id, newVal: id, poison: false, validate: false, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 }, localSpec, verdicts };
  }
  if (localType.name === '') {
    throw new CoreReloError(`${p} <${coreReloKindStr(kind)}> (${kind}) relocation doesn't support anonymous types`, -95);
  }
  const list = cands ?? [];
  let targRes: CoreReloRes | undefined;
  let targSpec: CoreSpec | undefined;
  let targCand: CoreCand | undefined;
  let j = 0;
  for (let i = 0; i < list.length; i++) {
    const cand = list[i]!;
    const [m, candSpec] = specMatch(localSpec, cand.btf, cand.id);
    if (m < 0) throw new CoreReloError(`${p} error matching candidate #${i} ${formatSpec(candSpec)}: ${m}`, m);
    const v = { index: i, matching: m > 0, spec: formatSpec(candSpec), btfName: cand.btfName, id: cand.id };
    verdicts.push(v);
    log.push(`${p} ${v.matching ? 'matching' : 'non-matching'} candidate #${i} ${v.spec}`);
    if (m === 0) continue;
    const candRes = calcRelo(progName, kind, insnIdx, localSpec, candSpec, bigEndian);
    if (j === 0) {
      targRes = candRes; targSpec = candSpec; targCand = cand;
    } else if (candSpec.bitOffset !== targSpec!.bitOffset) {
      throw new CoreReloError(`${p} field offset ambiguity: ${candSpec.bitOffset} != ${targSpec!.bitOffset}`);
    } else if (candRes.poison !== targRes!.poison || candRes.newVal !== targRes!.newVal) {
      throw new CoreReloError(`${p} relocation decision ambiguity: ${candRes.poison ? 'failure' : 'success'} ${candRes.newVal} != ${targRes!.poison ? 'failure' : 'success'} ${targRes!.newVal}`);
    }
    list[j++] = cand;
  }
  // Later relocations of the same local type only consider the candidates that matched here.
  if (j > 0) list.length = j;
  if (j === 0) {
    log.push(`${p} no matching targets found`);
    targRes = calcRelo(progName, kind, insnIdx, localSpec, undefined, bigEndian);
    return { res: targRes, localSpec, verdicts };
  }
  return { res: targRes!, localSpec, targSpec, targCand, verdicts };
}

