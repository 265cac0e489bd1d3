// meta-bounds: every access through data_meta must lie within the range proven against data on every path.
import type { AccessFact } from '../analyze';
import type { Diagnostic } from '../types';
import type { Rule, RuleContext } from './rule';
import { site } from './rule';

const ORDINAL = ['', '1st', '2nd', '3rd', '4th', '5th'];

/** Why one access fails, or undefined when it is proven. */
function failure(a: AccessFact): { start: number; end: number } | 'stale' | 'no-pkt' | undefined {
  if (a.poisoned) return undefined; // the load fails on the poisoned instruction first (core-unresolved)
  if (a.staleBy) return 'stale';
  if (a.noPktAccess) return 'no-pkt';
  if (a.ptrOff === undefined) return undefined; // variable offset: not modelled (see docs/rules.md)
  const start = a.ptrOff + a.insnOff;
  const end = start + a.size;
  return start >= 0 && end <= a.proven ? undefined : { start, end };
}

export const metaBounds: Rule = {
  code: 'meta-bounds',
  severity: 'error',
  title: 'Metadata access not proven within data_meta..data',
  check(ctx) {
    const out: Diagnostic[] = [];
    // One finding per C statement: a memcpy into the metadata is many stores on one line, and one mistake.
    const groups = new Map<string, { first: AccessFact; all: AccessFact[]; stale?: AccessFact }>();
    for (const a of ctx.analyses.flatMap((x) => x.accesses)) {
      const why = failure(a);
      if (!why) continue;
      if (why === 'no-pkt') {
        out.push({
          code: 'meta-bounds', severity: 'error', ...site(a),
          message: `${a.call!.name}() takes no packet pointers, and its ${ORDINAL[a.call!.arg]} argument points into the metadata: the verifier rejects this load ("helper access to the packet is not allowed"); copy the bytes to the stack first`,
          fix: { kind: 'add-bounds-check', struct: a.struct?.name, bytesNeeded: a.size, bytesProven: a.proven, accessLine: a.loc.line },
        });
        continue;
      }
      const key = `${a.obj.label}\0${a.fn.name}\0${a.loc.file}\0${a.loc.line || `#${a.insn}`}`;
      const g = groups.get(key) ?? { first: a, all: [] };
      groups.set(key, g);
      if (a.insn < g.first.insn) g.first = a;
      if (why === 'stale') g.stale ??= a;
      else g.all.push(a);
    }
    for (const g of groups.values()) {
      const a = g.stale ?? g.first;
      const what = describe(a, g.stale ? [g.stale] : g.all);
      if (g.stale) {
        const s = g.stale;
        out.push({
          code: 'meta-bounds', severity: 'error', ...site(a),
          message: `${what} through a data_meta pointer that ${s.staleBy}() invalidated: the verifier forgets packet pointers after a helper that moves packet data; reload ctx->data_meta and check it against ctx->data again (0 bytes proven, ${s.size} accessed)`,
          fix: { kind: 'add-bounds-check', struct: s.struct?.name, bytesNeeded: s.insnOff + s.size, bytesProven: 0, accessLine: s.loc.line },
        });
        continue;
      }
      const start = Math.min(...g.all.map((x) => x.ptrOff! + x.insnOff));
      const end = Math.max(...g.all.map((x) => x.ptrOff! + x.insnOff + x.size));
      const proven = Math.min(...g.all.map((x) => x.proven));
      const zeroSized = zeroSizedTypes(ctx, a);
      const why = start < 0
        ? `it starts ${-start} bytes before data_meta`
        : zeroSized
          ? `the bounds check is there, but it is sized with bpf_core_type_size(${zeroSized}), which libbpf sets to 0 on ${ctx.targetLabel} (no such type there), so it proves none of the ${end} bytes the access needs (data_meta+${start}..+${end}) on this target`
          : `${proven} bytes proven, ${end} accessed (data_meta+${start}..+${end})`;
      out.push({
        code: 'meta-bounds', severity: 'error', ...site(g.first),
        message: `${what} is not proven to lie within data_meta..data on every path: ${why}; the verifier rejects this load ("invalid access to packet")`,
        fix: { kind: 'add-bounds-check', struct: a.struct?.name, bytesNeeded: Math.max(end, 0), bytesProven: proven, accessLine: a.loc.line, pointer: a.struct?.variable },
      });
    }
    return out;
  },
};

/**
 * A bounds check sized with bpf_core_type_size(struct X) proves nothing on a target without X: libbpf
 * patches the size to 0. Names those types, or "0 bytes proven" would read as if the check were missing.
 */
function zeroSizedTypes(ctx: RuleContext, a: AccessFact): string | undefined {
  if (a.proven !== 0) return undefined;
  const zero = ctx.core.filter((o) => o.fn === a.fn && o.obj === a.obj && o.result.kind === 'TYPE_SIZE' && o.result.target === 0n && o.result.local !== 0n);
  return zero.length ? [...new Set(zero.map((o) => o.result.access.replace(/\s*\(.*\)$/, '')))].join(', ') : undefined;
}

/** "write to struct meta::mark", "read of the metadata (3 accesses)", "bpf_map_update_elem() reading its 3rd argument". */
function describe(a: AccessFact, all: readonly AccessFact[]): string {
  const target = a.struct?.field && all.length === 1 ? `${a.struct.kind} ${a.struct.name}::${a.struct.field}` : a.struct ? `${a.struct.kind} ${a.struct.name}` : 'the metadata';
  if (a.call) {
    return `${a.call.name}() ${a.write ? 'writing' : 'reading'} ${a.size} bytes of ${target} through its ${ORDINAL[a.call.arg]} argument`;
  }
  const writes = all.some((x) => x.write);
  const reads = all.some((x) => !x.write);
  const verb = writes && reads ? 'access to' : writes ? 'write to' : 'read of';
  return `${verb} ${target}${all.length > 1 ? ` (${all.length} accesses on this line)` : ''}`;
}
