// kfunc-devbound: calls to XDP metadata kfuncs require loading the program device-bound to one interface.
import type { Diagnostic } from '../types';
import { kfuncInfo } from '../kfuncs';
import type { Rule } from './rule';
import { site } from './rule';

export const kfuncDevbound: Rule = {
  code: 'kfunc-devbound',
  severity: 'info',
  title: 'Program calls XDP metadata kfuncs and must be loaded device-bound',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const c of ctx.analyses.flatMap((x) => x.calls)) {
      if (c.kind !== 'kfunc' || !c.name || !kfuncInfo(c.name)?.devBound) continue;
      out.push({
        code: 'kfunc-devbound', severity: 'info', ...site(c),
        message: `${c.fn.name} calls ${c.name}(), so it must be loaded device-bound to one interface (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY); otherwise the kernel rejects it with "metadata kfuncs require device-bound program". The runner loads it that way.`,
      });
    }
    return out;
  },
};
