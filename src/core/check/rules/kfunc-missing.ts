// kfunc-missing: a kfunc the program calls is absent from the target BTF (say which kernel added it).
import type { Diagnostic } from '../types';
import { externSymbols } from '../../elf/bpf';
import { kfuncInfo, weakDeclaration } from '../kfuncs';
import type { Rule } from './rule';
import { site } from './rule';

export const kfuncMissing: Rule = {
  code: 'kfunc-missing',
  severity: 'error',
  title: 'Called kfunc is missing from the target kernel',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const an of ctx.analyses) {
      const weak = new Set(externSymbols(an.obj.elf).filter((e) => e.weak).map((e) => e.name));
      for (const c of an.calls) {
        if (c.kind !== 'kfunc' || !c.name) continue;
        if (ctx.target.findByName(c.name, 'FUNC')) continue;
        const info = kfuncInfo(c.name);
        const since = info ? `; it appeared in Linux ${info.since}` : '';
        const isWeak = weak.has(c.name);
        out.push({
          code: 'kfunc-missing', severity: isWeak ? 'warning' : 'error', ...site(c),
          message: `kfunc ${c.name}() is not in ${ctx.targetLabel}${since}; ` + (isWeak
            ? 'it is declared __weak, so libbpf loads the program only if the call is guarded with bpf_ksym_exists()'
            : 'libbpf fails the load ("failed to find BTF for extern"); guard it with a __weak declaration and bpf_ksym_exists(), or target a newer kernel'),
          fix: { kind: 'declare-kfunc', kfunc: c.name, since: info?.since, declaration: weakDeclaration(c.name, info?.declaration) },
        });
      }
    }
    return out;
  },
};
