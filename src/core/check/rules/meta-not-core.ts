// meta-not-core: a kernel-owned struct (present in the target BTF) read through data_meta at a fixed offset, without CO-RE.
import { essentialName } from '../../core-relo/btf-util';
import type { Diagnostic } from '../types';
import type { Rule } from './rule';
import { site } from './rule';

export const metaNotCore: Rule = {
  code: 'meta-not-core',
  severity: 'error',
  title: 'Kernel-owned metadata struct accessed at a fixed offset',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const a of ctx.analyses.flatMap((x) => x.accesses)) {
      if (a.coreRelo || !a.struct || a.struct.evidence !== 'dwarf') continue;
      const kind = a.struct.kind === 'union' ? 'UNION' : 'STRUCT';
      const targ = ctx.target.findByName(essentialName(a.struct.name), kind);
      if (!targ) continue;
      const field = a.struct.field;
      const targMember = field ? targ.members.find((m) => m.name === field) : undefined;
      const localOff = a.insnOff;
      const moved = targMember && targMember.bitOffset / 8 !== localOff
        ? `; in ${ctx.targetLabel} it is at offset ${targMember.bitOffset / 8}`
        : '';
      const access = field && a.struct.variable ? `${a.struct.variable}->${field}`
        : field ? `${a.struct.kind} ${a.struct.name}::${field}` : `${a.struct.kind} ${a.struct.name}`;
      out.push({
        code: 'meta-not-core', severity: 'error', ...site(a),
        message: `${a.struct.kind} ${a.struct.name} is owned by the kernel (it is in ${ctx.targetLabel}), but ${access} is ${a.write ? 'written' : 'read'} at fixed offset ${localOff} without a CO-RE relocation${moved}; `
          + `declare the struct with __attribute__((preserve_access_index)) (or take the offset from bpf_core_field_offset()) so libbpf relocates it for each kernel; `
          + `not BPF_CORE_READ(), which reads through bpf_probe_read_kernel(): kernel memory, not packet data`,
        fix: { kind: 'use-core-read', struct: a.struct.name, field, accessLine: a.loc.line },
      });
    }
    return out;
  },
};
