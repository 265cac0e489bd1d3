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
        // A __weak kfunc behind bpf_ksym_exists() loads everywhere: the call is just skipped here.
        const severity = !isWeak ? 'error' : c.guarded ? 'info' : 'warning';
        const consequence = !isWeak
          ? 'libbpf fails the load ("failed to find BTF for extern"); guard it with a __weak declaration and bpf_ksym_exists(), or target a newer kernel'
          : c.guarded
            ? 'it is declared __weak and the call is guarded by an address test (bpf_ksym_exists()), so the program loads and skips the call on this kernel'
            : 'it is declared __weak, so libbpf loads the program only if the call is guarded with bpf_ksym_exists()';
        out.push({
          code: 'kfunc-missing', severity, ...site(c),
          message: `kfunc ${c.name}() is not in ${ctx.targetLabel}${since}; ${consequence}`,
          ...(isWeak ? {} : { fix: { kind: 'declare-kfunc' as const, kfunc: c.name, since: info?.since, declaration: weakDeclaration(c.name, info?.declaration) } }),
        });
      }
    }
    return out;
  },
};
