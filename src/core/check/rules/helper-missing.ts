// helper-missing: a BPF helper the program calls has an id the target kernel's enum bpf_func_id lacks (the kernel predates it).
import { existsSync } from 'node:fs';
import { helperNamesFromEnum } from '../../bpf/program';
import { kernelBtf, KERNEL_BTF_PATH } from '../../btf/load';
import type { Btf } from '../../btf/types';
import type { Diagnostic } from '../types';
import type { Rule } from './rule';
import { site } from './rule';

/** The helper ids of a kernel BTF's `enum bpf_func_id` (the BPF_FUNC_* values), or undefined when it has no such enum. */
const helperIds = new WeakMap<Btf, { ids: Set<number>; last?: string } | null>();

function targetHelperIds(btf: Btf): { ids: Set<number>; last?: string } | undefined {
  let v = helperIds.get(btf);
  if (v === undefined) {
    const e = btf.findByName('bpf_func_id', 'ENUM');
    if (!e) v = null;
    else {
      const funcs = e.values.filter((x) => x.name.startsWith('BPF_FUNC_'));
      const top = funcs.reduce<(typeof funcs)[number] | undefined>((a, x) => (!a || x.value > a.value ? x : a), undefined);
      v = { ids: new Set(funcs.map((x) => x.value)), ...(top ? { last: `${top.name} = ${top.value}` } : {}) };
    }
    helperIds.set(btf, v);
  }
  return v ?? undefined;
}

let runningNames: string[] | undefined;

/**
 * The helper's name: the built-in table (up to Linux 6.18), else the running kernel's enum (a newer kernel knows
 * newer helpers), else its bare id.
 */
function nameOf(name: string | undefined, id: number): string {
  if (name) return `${name}()`;
  try {
    runningNames ??= existsSync(KERNEL_BTF_PATH) ? helperNamesFromEnum(kernelBtf().findByName('bpf_func_id', 'ENUM')?.values ?? []) : [];
  } catch {
    runningNames = [];
  }
  const n = runningNames[id];
  return n ? `bpf_${n}()` : `helper #${id}`;
}

export const helperMissing: Rule = {
  code: 'helper-missing',
  severity: 'error',
  title: 'Called BPF helper is missing from the target kernel',
  check(ctx) {
    const out: Diagnostic[] = [];
    const known = targetHelperIds(ctx.target);
    // A BTF that only describes some types (not a kernel's) says nothing about helpers.
    if (!known && !ctx.targetIsKernel) return out;
    for (const an of ctx.analyses) {
      for (const c of an.calls) {
        if (c.kind !== 'helper' || c.id === undefined) continue;
        const name = nameOf(c.name, c.id);
        const enumName = name.startsWith('bpf_') ? `BPF_FUNC_${name.slice(4, -2)}` : undefined;
        if (!known) {
          out.push({
            code: 'helper-missing', severity: 'info', ...site(c),
            message: `availability of BPF helper ${name} (id ${c.id}) on ${ctx.targetLabel} is unknown: that BTF has no enum bpf_func_id`,
          });
          continue;
        }
        if (known.ids.has(c.id)) continue;
        const guard = enumName ? `guard the call with bpf_core_enum_value_exists(enum bpf_func_id, ${enumName}) or ` : '';
        out.push({
          code: 'helper-missing', severity: 'error', ...site(c),
          message: `BPF helper ${name} (id ${c.id}) is not in ${ctx.targetLabel}: its enum bpf_func_id ends at ${known.last ?? '?'}, so the verifier rejects the call ("invalid func unknown#${c.id}"); ${guard}target a newer kernel`,
        });
      }
    }
    return out;
  },
};
