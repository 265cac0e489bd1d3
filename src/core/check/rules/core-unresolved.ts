// core-unresolved: a CO-RE relocation with no match in the target (libbpf poisons the instruction or fails the load).
import { essentialName } from '../../core-relo/btf-util';
import { PROPOSED_KERNEL_STRUCTS } from '../kernel-owned';
import type { Diagnostic } from '../types';
import type { Rule } from './rule';

export const coreUnresolved: Rule = {
  code: 'core-unresolved',
  severity: 'error',
  title: 'CO-RE relocation has no match in the target kernel',
  check(ctx) {
    const out: Diagnostic[] = [];
    // Structs the program reaches through data_meta: its own metadata, never the kernel's to relocate.
    const metaStructs = new Set(ctx.analyses.flatMap((a) => a.accesses.map((x) => x.struct?.name).filter((n): n is string => !!n)));
    for (const o of ctx.core) {
      const r = o.result;
      if (!r.poison && !r.error) continue;
      const local = o.obj.btf.resolveTypedefs(o.obj.btf.typeById(r.localTypeId));
      const name = local.name;
      const kind = local.kind === 'UNION' ? 'union' : local.kind === 'STRUCT' ? 'struct' : local.kind.toLowerCase();
      // `foo___v2` is libbpf's flavor of `foo`: the kernel owns `foo` if the target has it.
      const inTarget = name !== '' && ctx.target.findIdsByName(essentialName(name), local.kind).length > 0;
      const proposal = PROPOSED_KERNEL_STRUCTS.get(essentialName(name));
      const programOwned = !proposal && (local.kind === 'STRUCT' || local.kind === 'UNION') && (metaStructs.has(name) || !inTarget);
      const consequence = r.poison
        ? `libbpf poisons instruction #${r.insn} of ${r.program}, and the load fails with "failed to resolve CO-RE relocation"`
        : `libbpf fails the load: ${r.error}`;
      let advice = '';
      if (proposal) {
        advice = `; ${kind} ${name} is kernel-owned (${proposal}), so keep reading it through CO-RE and check against a kernel BTF that carries it (--target-btf)`;
      } else if (programOwned && metaStructs.has(name)) {
        advice = `; ${kind} ${name} looks like the program's own metadata struct: drop __attribute__((preserve_access_index)) from its declaration, or move it out of vmlinux.h's "#pragma clang attribute push" region`;
      } else if (programOwned) {
        advice = `; if ${kind} ${name} is the program's own type, drop __attribute__((preserve_access_index)) (or declare it outside vmlinux.h's pragma region)`;
      }
      const layout = o.obj.dwarf?.structs.get(name);
      out.push({
        code: 'core-unresolved', severity: 'error',
        file: o.loc.file, line: o.loc.line, column: o.loc.column, insn: r.insn, program: r.program,
        message: `CO-RE relocation ${r.kind.toLowerCase()} of ${r.access} cannot be resolved against ${ctx.targetLabel} (${r.reason}): ${consequence}${advice}`,
        ...(programOwned && (local.kind === 'STRUCT' || local.kind === 'UNION')
          ? { fix: { kind: 'drop-preserve-access-index' as const, struct: name, declFile: layout?.declFile, declLine: layout?.declLine } }
          : {}),
      });
    }
    return out;
  },
};
