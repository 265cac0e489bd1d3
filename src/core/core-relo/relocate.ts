// Resolves every CO-RE relocation of an object against a target, in libbpf's order (libbpf.c: bpf_object__relocate_core).
import type { Btf } from '../btf/types';
import type { BtfExt } from '../btf/ext';
import type { ElfFile } from '../elf/types';
import { objectFunctions } from '../bpf/program';
import type { BpfFunctionCode } from '../bpf/program';
import { BPF_ALU, BPF_ALU64, BPF_INSN_SZ, BPF_K, BPF_LD, BPF_LDX, BPF_ST, BPF_STX, LD_IMM64_CODE, bpfClass, bpfSrc } from '../bpf/opcodes';
import type { BpfInsn } from '../bpf/decode';
import { calcReloInsn, CoreReloError } from './calc';
import type { CandVerdict, CoreCand } from './calc';
import { findCands } from './candidates';
import type { CoreTarget } from './candidates';
import { BPF_CORE_TYPE_ID_LOCAL, coreReloKindName, isEnumvalBased, isFieldBased } from './kinds';
import { essentialName, kindStr } from './btf-util';
import { patchInsn } from './patch';
import type { InsnSlot } from './patch';
import { describeAccess, formatSpec, parseSpec } from './spec';

/** One relocation's outcome. */
export interface CoreReloResult {
  /** The function (program or subprogram) holding the instruction. */
  readonly program: string;
  readonly section: string;
  /** Instruction index from the start of `program`, as libbpf counts (and logs) it. */
  readonly insn: number;
  /** libbpf's "relo #N": the record's index within its section's core_relo records. */
  readonly reloIdx: number;
  readonly kind: string;
  readonly kindValue: number;
  /** `struct xdp_md::data_meta (0:2)`. */
  readonly access: string;
  /** libbpf's own spec text: `<byte_off> [2] struct xdp_md.data_meta (0:2 @ offset 8)`. */
  readonly spec: string;
  readonly localTypeId: number;
  readonly accessStr: string;
  /** The value the compiler encoded (libbpf's orig_val). */
  readonly local: bigint;
  /** The value for the target; null when the instruction is poisoned or libbpf fails the load. */
  readonly target: bigint | null;
  readonly poison: boolean;
  /** Why, in words. */
  readonly reason: string;
  /** The first matching candidate: `{btf: 'vmlinux', id, spec}`. */
  readonly targetType?: { readonly btf: string; readonly id: number; readonly spec: string };
  readonly candidates: readonly CandVerdict[];
  /** The instruction slot(s) after libbpf's patch (two for ld_imm64). */
  readonly patch?: readonly InsnSlot[];
  /** libbpf's debug/warning lines for this relocation. */
  readonly log: readonly string[];
  /** Set when libbpf would refuse the object here (ambiguity, bad spec, unpatchable instruction). */
  readonly error?: string;
}

export interface CoreObject {
  readonly elf: ElfFile;
  readonly btf: Btf;
  readonly ext: BtfExt | undefined;
}

export interface RelocateOptions {
  /** Continue past the first failure (libbpf stops there). Default true: every relocation gets a result. */
  keepGoing?: boolean;
  /**
   * Relocate only these programs, like libbpf with autoload off for the others (which also keeps their
   * relocations out of the candidate cache). Subprograms in `.text` are always relocated: libbpf's
   * program iterator never reaches them, so their autoload stays on.
   */
  programs?: readonly string[];
}

/**
 * Resolves all CO-RE relocations of `obj` against `target`. Results come in libbpf's order (core_relo
 * sections, then records). Candidate lists are cached per local type and pruned as libbpf prunes them.
 * Relocations in a function that does not exist (eliminated weak subprogram) or in a `?`-section are
 * skipped, as libbpf skips them.
 */
export function relocateObject(obj: CoreObject, target: CoreTarget, opts: RelocateOptions = {}): CoreReloResult[] {
  const keepGoing = opts.keepGoing ?? true;
  const out: CoreReloResult[] = [];
  if (!obj.ext) return out;
  const funcs = objectFunctions(obj.elf);
  const candCache = new Map<number, CoreCand[]>();
  const bigEndian = obj.elf.byteOrder === 'big';
  for (const sec of obj.ext.coreRelo) {
    const section = obj.elf.sectionByName(sec.secName);
    sec.records.forEach((rec, reloIdx) => {
      if (!keepGoing && out.some((r) => r.error !== undefined)) return;
      if (rec.insnOff % BPF_INSN_SZ !== 0 || section === undefined) {
        out.push(failed(sec.secName, '?', rec.insnOff / BPF_INSN_SZ, reloIdx, rec, `instruction offset ${rec.insnOff} in section ${sec.secName} is not an instruction boundary`));
        return;
      }
      const secInsn = rec.insnOff / BPF_INSN_SZ;
      const fn = funcs.find((f) => f.section.index === section.index && secInsn >= f.sectionInsnOffset && secInsn < f.sectionInsnOffset + f.func.size / BPF_INSN_SZ);
      if (!fn || sec.secName.startsWith('?')) return;
      // libbpf.c: prog_is_subprog — in .text, when the object has more than one function.
      const subprog = fn.section.name === '.text' && funcs.length > 1;
      if (opts.programs && !subprog && !opts.programs.includes(fn.name)) return;
      out.push(resolveOne(obj, fn, secInsn - fn.sectionInsnOffset, reloIdx, rec, target, candCache, bigEndian));
    });
  }
  return out;
}

interface Rec { readonly typeId: number; readonly accessStr: string; readonly kind: number; readonly insnOff: number }

function failed(section: string, program: string, insn: number, reloIdx: number, rec: Rec, error: string, log: string[] = [error]): CoreReloResult {
  return {
    program, section, insn, reloIdx, kind: coreReloKindName(rec.kind), kindValue: rec.kind, access: rec.accessStr, spec: '',
    localTypeId: rec.typeId, accessStr: rec.accessStr, local: 0n, target: null, poison: false, reason: error,
    candidates: [], log, error,
  };
}

function resolveOne(obj: CoreObject, fn: BpfFunctionCode, insnIdx: number, reloIdx: number, rec: Rec,
  target: CoreTarget, candCache: Map<number, CoreCand[]>, bigEndian: boolean): CoreReloResult {
  const insn = fn.insns.find((i) => i.index === insnIdx);
  const prog = fn.name;
  if (!insn) return failed(fn.section.name, prog, insnIdx, reloIdx, rec, `prog '${prog}': relo #${reloIdx}: insn #${insnIdx} is the second half of ld_imm64`);
  let cands: CoreCand[] | undefined;
  if (rec.kind !== BPF_CORE_TYPE_ID_LOCAL && rec.typeId < obj.btf.count) {
    cands = candCache.get(rec.typeId);
    if (!cands) { cands = findCands(obj.btf, rec.typeId, target); candCache.set(rec.typeId, cands); }
  }
  let calc;
  const log: string[] = [];
  try {
    if (rec.typeId <= 0 || rec.typeId >= obj.btf.count) throw new CoreReloError(`prog '${prog}': relo #${reloIdx}: type id ${rec.typeId} out of range`);
    const local = obj.btf.typeById(rec.typeId);
    if (rec.kind !== BPF_CORE_TYPE_ID_LOCAL && local.name === '') {
      // libbpf.c: bpf_core_find_cands refuses anonymous types before the spec is even parsed.
      throw new CoreReloError(`prog '${prog}': relo #${reloIdx}: target candidate search failed for [${rec.typeId}] ${kindStr(local)} : -22`);
    }
    calc = calcReloInsn(prog, reloIdx, insnIdx, rec.kind, obj.btf, rec.typeId, rec.accessStr, cands, bigEndian, log);
  } catch (e) {
    if (!(e instanceof CoreReloError)) throw e;
    log.push(e.message, `prog '${prog}': relo #${reloIdx}: failed to relocate: ${e.errno}`);
    const r = failed(fn.section.name, prog, insnIdx, reloIdx, rec, e.message, log);
    try {
      // Describe the access when only the target side failed (ambiguity), so the error names the field.
      const ls = parseSpec(prog, obj.btf, rec.typeId, rec.accessStr, rec.kind);
      return { ...r, access: describeAccess(ls), spec: formatSpec(ls) };
    } catch {
      return r;
    }
  }
  const { res, localSpec, targSpec, targCand, verdicts } = calc;
  const spec = formatSpec(localSpec);
  const patch = patchInsn(prog, insn, insnIdx, reloIdx, res);
  log.push(...patch.log);
  const base = {
    program: prog, section: fn.section.name, insn: insnIdx, reloIdx, kind: coreReloKindName(rec.kind), kindValue: rec.kind,
    access: describeAccess(localSpec), spec, localTypeId: rec.typeId, accessStr: rec.accessStr, local: encodedValue(insn) ?? res.origVal,
    candidates: verdicts, log,
    ...(targSpec && targCand ? { targetType: { btf: targCand.btfName, id: targCand.id, spec: formatSpec(targSpec) } } : {}),
  };
  if (patch.error !== undefined) {
    log.push(patch.error, `prog '${prog}': relo #${reloIdx}: failed to patch insn #${insnIdx}: -22`);
    return { ...base, target: null, poison: false, reason: patch.error, error: patch.error };
  }
  const poisoned = patch.poisoned;
  return { ...base, target: poisoned ? null : res.newVal, poison: poisoned, patch: patch.slots, reason: why(rec.kind, verdicts, targCand, res, poisoned, localSpec.btf.typeById(rec.typeId).name) };
}

/**
 * The value the compiler encoded in the instruction, as libbpf's "patched insn #I ... A -> B" prints A. For bitfields
 * clang picks its own load width, so libbpf's own calculation on the local spec (orig_val, never validated there)
 * is not what the instruction carries.
 */
function encodedValue(insn: BpfInsn): bigint | undefined {
  switch (bpfClass(insn.code)) {
    case BPF_ALU: case BPF_ALU64: return bpfSrc(insn.code) === BPF_K ? BigInt.asUintN(64, BigInt(insn.imm)) : undefined;
    case BPF_LDX: case BPF_ST: case BPF_STX: return BigInt.asUintN(64, BigInt(insn.off));
    case BPF_LD: return insn.code === LD_IMM64_CODE ? insn.imm64 : undefined;
    default: return undefined;
  }
}

function why(kind: number, verdicts: readonly CandVerdict[], cand: CoreCand | undefined, res: { failMemszAdjust: boolean; origSz: number; newSz: number }, poisoned: boolean, localName: string): string {
  if (kind === BPF_CORE_TYPE_ID_LOCAL) return 'local type id: needs no target';
  const ess = essentialName(localName);
  if (verdicts.length === 0) return `no type named ${ess} (or ${ess}___*) of this kind in the target${poisoned ? '; instruction poisoned' : ''}`;
  if (cand === undefined) {
    const n = verdicts.length;
    const [one, many] = isFieldBased(kind) ? ['lacks a compatible field', 'has a compatible field']
      : isEnumvalBased(kind) ? ['lacks the enumerator', 'has the enumerator'] : ['is not compatible', 'is compatible'];
    const text = n === 1 ? `the target's ${ess} ${one}` : `none of the target's ${n} types named ${ess}* ${many}`;
    return `${text}${poisoned ? '; instruction poisoned' : ''}`;
  }
  if (poisoned && res.failMemszAdjust) return `field size changes ${res.origSz} -> ${res.newSz} bytes and is not a pointer or unsigned integer; instruction poisoned`;
  const n = verdicts.filter((v) => v.matching).length;
  return `matched [${cand.id}] in ${cand.btfName}${n > 1 ? ` (${n} candidates agree)` : ''}`;
}
