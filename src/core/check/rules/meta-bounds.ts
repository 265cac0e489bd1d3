// meta-bounds: every access through data_meta must lie within the range proven against data on every path.
import type { Diagnostic } from '../types';
import type { Rule } from './rule';
import { site } from './rule';

export const metaBounds: Rule = {
  code: 'meta-bounds',
  severity: 'error',
  title: 'Metadata access not proven within data_meta..data',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const a of ctx.analyses.flatMap((x) => x.accesses)) {
      if (a.poisoned) continue; // the load fails on the poisoned instruction first (core-unresolved)
      const what = a.struct?.field ? `${a.struct.kind} ${a.struct.name}::${a.struct.field}` : a.struct ? `${a.struct.kind} ${a.struct.name}` : 'the metadata';
      const verb = a.write ? 'write to' : 'read of';
      if (a.staleBy) {
        out.push({
          code: 'meta-bounds', severity: 'error', ...site(a),
          message: `${verb} ${what} through a data_meta pointer that ${a.staleBy}() invalidated: the verifier forgets packet pointers after a helper that moves packet data; reload ctx->data_meta and check it against ctx->data again (0 bytes proven, ${a.size} accessed)`,
          fix: { kind: 'add-bounds-check', struct: a.struct?.name, bytesNeeded: a.insnOff + a.size, bytesProven: 0, accessLine: a.loc.line },
        });
        continue;
      }
      if (a.ptrOff === undefined) continue; // variable offset: not modelled (see docs/check.md)
      const start = a.ptrOff + a.insnOff;
      const end = start + a.size;
      if (start >= 0 && end <= a.proven) continue;
      const why = start < 0
        ? `it starts ${-start} bytes before data_meta`
        : `${a.proven} bytes proven, ${end} accessed (data_meta+${start}..+${end})`;
      out.push({
        code: 'meta-bounds', severity: 'error', ...site(a),
        message: `${verb} ${what} is not proven to lie within data_meta..data on every path: ${why}; the verifier rejects this load ("invalid access to packet")`,
        fix: { kind: 'add-bounds-check', struct: a.struct?.name, bytesNeeded: Math.max(end, 0), bytesProven: a.proven, accessLine: a.loc.line, pointer: a.struct?.variable },
      });
    }
    return out;
  },
};
