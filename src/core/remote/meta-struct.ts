// Which struct a program puts in data_meta: its stores (and reads) through data_meta, and the type ids it stores there.
//
// The evidence is the check's data_meta interpreter over the object that is loaded: each access through
// a data_meta-derived pointer carries its struct from the instruction's CO-RE relocation or from the
// DWARF variable in the base register. A BTF-ID trailer is trusted only for structs whose local type id
// (`bpf_core_type_id_local`, a TYPE_ID_LOCAL CO-RE relocation) the program stores into data_meta: the
// last 4 bytes of other metadata are data (an ifindex, a counter) and may equal any type id by chance.
import { analyzeObject } from '../check/analyze';
import { loadCheckObject } from '../check/object';
import { XdpMetaError } from '../util/errors';

export interface MetaStructEvidence {
  /** Structs the captured program writes through data_meta, most written first. */
  written: string[];
  /** Structs it reads through data_meta (a TC reader), most read first. */
  read: string[];
  /** Structs whose local BTF type id the program stores into data_meta (the trailer convention). */
  trailer: string[];
}

const CTX_STRUCTS = new Set(['xdp_md', '__sk_buff']);

export const NO_EVIDENCE: MetaStructEvidence = { written: [], read: [], trailer: [] };

/** Names ordered by how often they occur, ties by first occurrence. */
function byCount(names: string[]): string[] {
  const n = new Map<string, number>();
  for (const x of names) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.keys()].sort((a, b) => n.get(b)! - n.get(a)!);
}

/**
 * The evidence for `program` of the object `bytes` (the capture wrapper's entry and the user's inlined
 * function, `__xdpmeta_inner_<program>`, both count). An object the check cannot read gives no evidence:
 * decoding then falls back to the source and size hints rather than failing the capture.
 */
export function metaStructEvidence(bytes: Uint8Array, label: string, program: string): MetaStructEvidence {
  let analysis;
  try {
    analysis = analyzeObject(loadCheckObject({ bytes, label }));
  } catch (e) {
    if (e instanceof XdpMetaError) return NO_EVIDENCE;
    throw e;
  }
  const ours = (fn: string) => fn === program || fn === `__xdpmeta_inner_${program}`;
  const written: string[] = [];
  const read: string[] = [];
  const trailer: string[] = [];
  for (const a of analysis.accesses) {
    if (!ours(a.fn.name)) continue;
    if (a.write && a.storedTypeIdOf) trailer.push(a.storedTypeIdOf);
    // The ctx structs are never metadata: a DWARF location gap can put the ctx variable beside a data_meta access.
    if (!a.struct || a.struct.kind !== 'struct' || !a.struct.name || CTX_STRUCTS.has(a.struct.name)) continue;
    (a.write ? written : read).push(a.struct.name);
  }
  return { written: byCount(written), read: byCount(read), trailer: byCount(trailer) };
}
