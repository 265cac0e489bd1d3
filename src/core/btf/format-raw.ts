// Text dump of BTF types in bpftool's raw format (`bpftool btf dump file X`), line for line.
import type { Btf, BtfType } from './types';

function q(name: string): string {
  return `'${name === '' ? '(anon)' : name}'`;
}

function intEncoding(enc: number): string {
  switch (enc) {
    case 0: return '(none)';
    case 1: return 'SIGNED';
    case 2: return 'CHAR';
    case 4: return 'BOOL';
    default: return 'UNKN';
  }
}

/** One type as bpftool prints it (multi-line for members, values, params and datasec entries). */
export function formatTypeRaw(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${t.kind} ${q(t.name)}`;
  switch (t.kind) {
    case 'VOID': return `[0] VOID ${q('')}`;
    case 'INT':
      return `${head} size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case 'PTR': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPEDEF': case 'TYPE_TAG':
      return `${head} type_id=${t.typeId}`;
    case 'ARRAY':
      return `${head} type_id=${t.elemTypeId} index_type_id=${t.indexTypeId} nr_elems=${t.nelems}`;
    case 'STRUCT': case 'UNION': {
      let s = `${head} size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t${q(m.name)} type_id=${m.typeId} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      return s;
    }
    case 'ENUM': case 'ENUM64': {
      let s = `${head} encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      const suffix = t.kind === 'ENUM64' ? (t.signed ? 'LL' : 'ULL') : '';
      for (const v of t.values) s += `\n\t${q(v.name)} val=${v.value}${suffix}`;
      return s;
    }
    case 'FWD': return `${head} fwd_kind=${t.fwdKind}`;
    case 'FUNC': return `${head} type_id=${t.typeId} linkage=${t.linkage}`;
    case 'FUNC_PROTO': {
      let s = `${head} ret_type_id=${t.returnTypeId} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t${q(p.name)} type_id=${p.typeId}`;
      return s;
    }
    case 'VAR': return `${head} type_id=${t.typeId}, linkage=${t.linkage}`;
    case 'DATASEC': {
      let s = `${head} size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        s += `\n\ttype_id=${v.typeId} offset=${v.offset} size=${v.size}`;
        // bpftool names the VAR/FUNC an entry points at.
        if (v.typeId < btf.count) {
          const k = btf.kindOf(v.typeId);
          if (k === 'VAR' || k === 'FUNC') s += ` (${k} ${q(btf.nameOf(v.typeId))})`;
        }
      }
      return s;
    }
    case 'FLOAT': return `${head} size=${t.size}`;
    case 'DECL_TAG': return `${head} type_id=${t.typeId} component_idx=${t.componentIdx}`;
  }
}

/** Every own type of `btf` (startId .. count-1), one entry per type, joined with newlines. */
export function dumpRaw(btf: Btf): string {
  const parts: string[] = [];
  for (let id = btf.startId; id < btf.count; id++) parts.push(formatTypeRaw(btf, btf.typeById(id)));
  return parts.join('\n') + (parts.length ? '\n' : '');
}
