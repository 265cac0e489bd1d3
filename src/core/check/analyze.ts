// Runs the data_meta interpreter over every function of an object and attaches evidence (struct, field, source line) to each access.
import { resolveCall } from '../bpf/program';
import { SHN } from '../elf/types';
import type { BpfFunctionCode } from '../bpf/program';
import type { BpfInsn } from '../bpf/decode';
import type { BtfExtCoreRelo } from '../btf/ext';
import { isKnownSection, layoutForSection, layoutFromCtxLoads } from './ctx-layout';
import { HELPER_MEM_ARGS, kfuncMemArgs } from './mem-args';
import type { MemArg } from './mem-args';
import type { CheckObjectMaps } from './maps';
import { mapSizes } from './maps';
import type { CtxLayout } from './ctx-layout';
import type { DwarfStruct } from '../dwarf/reader';
import { interpret } from './interp';
import type { CallSite, InterpEnv, MetaAccess } from './interp';
import type { CheckObject, SourceLoc } from './object';
import { patchedInsns } from './core';
import type { CoreOutcome } from './core';

const FIELD_BYTE_OFFSET = 0;
const TYPE_ID_LOCAL = 6;

/** What the access touches, and how we know. */
export interface AccessStruct {
  name: string;
  kind: 'struct' | 'union';
  /** 'core': the instruction's CO-RE relocation names it; 'dwarf': the debug info's variable in the base register. */
  evidence: 'core' | 'dwarf';
  /** The field accessed, when the offset falls on a member. */
  field?: string;
  /** Layout from DWARF (for layout comparisons and declaration lines). */
  layout?: DwarfStruct;
  /** The variable in the base register (DWARF evidence). */
  variable?: string;
}

export interface AccessFact extends MetaAccess {
  obj: CheckObject;
  fn: BpfFunctionCode;
  loc: SourceLoc;
  coreRelo?: BtfExtCoreRelo;
  /** libbpf poisons this instruction on the target (core-unresolved reports it; the verifier never checks the access). */
  poisoned: boolean;
  struct?: AccessStruct;
}

export interface CallFact extends CallSite {
  obj: CheckObject;
  fn: BpfFunctionCode;
  loc: SourceLoc;
}

export interface ObjectAnalysis {
  obj: CheckObject;
  accesses: AccessFact[];
  calls: CallFact[];
}

/**
 * Analyses every function of `obj` (programs with the ctx in r1; subprograms with unknown arguments),
 * on the code as CO-RE patches it for the target (`core`).
 */
export function analyzeObject(obj: CheckObject, core: readonly CoreOutcome[] = []): ObjectAnalysis {
  const accesses: AccessFact[] = [];
  const calls: CallFact[] = [];
  const maps: CheckObjectMaps = mapSizes(obj.elf, obj.btf);
  const kfuncArgs = new Map<string, MemArg[]>();
  for (const fn of obj.functions) {
    const callCache = new Map<number, CallSite | undefined>();
    const relocs = new Map(obj.elf.relocationsFor(fn.section).map((r) => [r.offset, r]));
    const insns = patchedInsns(fn, core);
    let layout: CtxLayout | undefined = layoutForSection(fn.section.name);
    const env: InterpEnv = {
      layout,
      callAt(insn) {
        if (insn.code !== 0x85 && insn.code !== 0x8d) return undefined; // call, callx
        if (callCache.has(insn.index)) return callCache.get(insn.index);
        const t = resolveCall(obj.elf, fn, insn);
        const site: CallSite | undefined = t ? { insn: insn.index, kind: t.kind, name: t.name, ...(t.kind === 'helper' && t.id !== undefined ? { id: t.id } : {}) } : undefined;
        callCache.set(insn.index, site);
        return site;
      },
      relocationAt(insn: BpfInsn) {
        const r = relocs.get(fn.func.offset + insn.index * 8);
        if (!r) return undefined;
        return { extern: r.symbol.shndx === SHN.UNDEF && r.symbol.name ? r.symbol.name : undefined, map: maps.get(r.symbol.name) };
      },
      memArgsOf(call: CallSite): readonly MemArg[] | undefined {
        if (!call.name) return undefined;
        if (call.kind === 'helper') return HELPER_MEM_ARGS.get(call.name);
        if (call.kind !== 'kfunc') return undefined;
        let m = kfuncArgs.get(call.name);
        if (!m) { m = kfuncMemArgs(obj.btf, call.name); kfuncArgs.set(call.name, m); }
        return m;
      },
      typeIdLocalAt(insn: BpfInsn) {
        const r = obj.coreRelosAt(fn, insn.index).find((x) => x.kind === TYPE_ID_LOCAL);
        return r ? obj.btf.nameOf(r.typeId) || undefined : undefined;
      },
    };
    if (!layout && fn.isProgram && !isKnownSection(fn.section.name)) {
      // A section libbpf does not know (iproute2 loads it by name, with the type on its command line):
      // judge the program type by the ctx offsets the code reads.
      const ctxLoads = new Set<number>();
      interpret(insns, { ...env, ctxLoads }, true);
      layout = env.layout = layoutFromCtxLoads(ctxLoads);
    }
    const result = interpret(insns, env, fn.isProgram && layout !== undefined);
    const poisoned = new Set(core.filter((c) => c.fn === fn && c.result.poison).map((c) => c.result.insn));
    for (const a of result.accesses) {
      const coreRelo = obj.coreRelosAt(fn, a.insn).find((r) => r.kind === FIELD_BYTE_OFFSET);
      accesses.push({ ...a, obj, fn, loc: obj.locOf(fn, a.insn), coreRelo, poisoned: poisoned.has(a.insn), struct: structOf(obj, fn, a, coreRelo) });
    }
    for (const c of result.calls) calls.push({ ...c, obj, fn, loc: obj.locOf(fn, c.insn) });
  }
  return { obj, accesses, calls };
}

function structOf(obj: CheckObject, fn: BpfFunctionCode, a: MetaAccess, relo: BtfExtCoreRelo | undefined): AccessStruct | undefined {
  if (relo) {
    // The relocation's root type and the first member index of its access string ("0:1" → member 1).
    const t = obj.btf.resolveTypedefs(obj.btf.typeById(relo.typeId));
    if (t.kind === 'STRUCT' || t.kind === 'UNION') {
      const idx = relo.accessStr.split(':').map(Number);
      const member = idx.length > 1 ? t.members[idx[1]!] : undefined;
      return {
        name: t.name, kind: t.kind === 'STRUCT' ? 'struct' : 'union', evidence: 'core', field: member?.name,
        layout: obj.dwarf?.structs.get(t.name),
      };
    }
  }
  const dwarf = obj.dwarf;
  if (!dwarf) return undefined;
  const pc = fn.func.offset + a.insn * 8;
  const memberAt = (s: DwarfStruct) => s.members.find((x) => a.insnOff >= x.offset && a.insnOff < x.offset + Math.max(1, x.size));
  // 1. The variable the location lists put in the base register at this pc.
  const v = dwarf.variableInRegister(fn.section.index, pc, a.reg);
  if (v?.pointee?.name) {
    const s = v.pointee;
    return { name: s.name, kind: s.kind, evidence: 'dwarf', field: memberAt(s)?.name, layout: s, variable: v.name };
  }
  // 2. Location lists at -O2 have gaps: take `var->field` from the source line (BTF line_info) and
  //    accept it only when var's declared struct has that field exactly at the instruction's offset.
  //    Several candidates that disagree on the struct give no evidence at all.
  const text = obj.locOf(fn, a.insn).text ?? '';
  const found = new Map<string, AccessStruct>();
  for (const m of text.matchAll(/([A-Za-z_]\w*)\s*->\s*([A-Za-z_]\w*)/g)) {
    for (const cand of dwarf.variablesNamed(m[1]!, fn.section.index, pc)) {
      const s = cand.pointee;
      const member = s?.members.find((x) => x.name === m[2]);
      if (!s?.name || !member || member.offset !== a.insnOff || (member.size && a.size > member.size)) continue;
      found.set(s.name, { name: s.name, kind: s.kind, evidence: 'dwarf', field: member.name, layout: s, variable: cand.name });
      break;
    }
  }
  // 3. No variable: a cast on the line, `((struct X *)p)->field`, with X's debug-info layout having `field` at the offset.
  if (found.size === 0) {
    const fields = new Set([...text.matchAll(/->\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!));
    for (const m of text.matchAll(/\(\s*(?:const\s+|volatile\s+)*(struct|union)\s+([A-Za-z_]\w*)\s*\*\s*\)/g)) {
      const s = dwarf.structs.get(m[2]!);
      const member = s?.members.find((x) => fields.has(x.name) && x.offset === a.insnOff && !(x.size && a.size > x.size));
      if (s && member && s.kind === m[1]) found.set(s.name, { name: s.name, kind: s.kind, evidence: 'dwarf', field: member.name, layout: s });
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}
