// meta-trailer: a BTF-ID trailer (bpf_core_type_id_local() stored as the last member of the metadata struct) was recognised.
import type { Diagnostic } from '../types';
import type { Rule } from './rule';
import { site } from './rule';

export const metaTrailer: Rule = {
  code: 'meta-trailer',
  severity: 'info',
  title: 'BTF-ID trailer recognised',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const an of ctx.analyses) {
      for (const a of an.accesses) {
        if (!a.write || !a.storedTypeIdOf || a.ptrOff === undefined) continue;
        // The struct written through (debug-info evidence), else the struct the type id names.
        const layout = a.struct?.layout ?? an.obj.dwarf?.structs.get(a.storedTypeIdOf);
        const last = layout?.members[layout.members.length - 1];
        if (!layout || !last) continue;
        const at = a.struct ? a.insnOff : a.ptrOff + a.insnOff;
        if (at !== last.offset || a.size !== last.size) continue;
        out.push({
          code: 'meta-trailer', severity: 'info', ...site(a),
          message: `BTF-ID trailer: the last member ${layout.name}::${last.name} carries the local BTF type id of struct ${a.storedTypeIdOf} (bpf_core_type_id_local), so consumers can tell which layout the producer wrote by the 4 bytes just before the packet data`,
        });
      }
    }
    return out;
  },
};
