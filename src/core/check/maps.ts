// Key and value sizes of an object's maps (BTF-defined `.maps` and legacy `maps` sections), as helper arguments need them.
import type { Btf, BtfType } from '../btf/types';
import type { ElfFile } from '../elf/types';

export interface MapSizes { keySize?: number; valueSize?: number }
/** Map symbol name → sizes. */
export type CheckObjectMaps = ReadonlyMap<string, MapSizes>;

/**
 * libbpf's reading of map definitions: in `.maps`, `__type(key, T)` is a member `key` of type `T *`
 * and `__uint(key_size, N)` a member `key_size` of type `int (*)[N]`; in the legacy `maps` section a
 * `struct bpf_map_def` { type, key_size, value_size, ... } of u32s. Anything unreadable is left out.
 */
export function mapSizes(elf: ElfFile, btf: Btf | undefined): CheckObjectMaps {
  const out = new Map<string, MapSizes>();
  const maps = btf?.findByName('.maps', 'DATASEC');
  if (btf && maps) {
    for (const v of maps.vars) {
      try {
        if (v.type.kind !== 'VAR') continue;
        const def = btf.resolveTypedefs(v.type.type);
        if (def.kind !== 'STRUCT') continue;
        const sizes: { keySize?: number; valueSize?: number } = {};
        for (const m of def.members) {
          const t = btf.resolveTypedefs(m.type);
          if (t.kind !== 'PTR') continue;
          const pointee = btf.resolveTypedefs(btf.typeById(t.typeId));
          if (m.name === 'key' || m.name === 'value') sizes[m.name === 'key' ? 'keySize' : 'valueSize'] = sizeOf(btf, pointee);
          else if ((m.name === 'key_size' || m.name === 'value_size') && pointee.kind === 'ARRAY') {
            sizes[m.name === 'key_size' ? 'keySize' : 'valueSize'] = pointee.nelems;
          }
        }
        out.set(v.type.name, sizes);
      } catch {
        // A damaged definition sizes nothing; the map's arguments go unchecked.
      }
    }
  }
  const legacy = elf.sectionByName('maps');
  if (legacy) {
    const view = new DataView(legacy.data.buffer, legacy.data.byteOffset, legacy.data.byteLength);
    const le = elf.byteOrder === 'little';
    for (const sym of elf.symbols) {
      if (sym.shndx !== legacy.index || !sym.name || sym.value + 12 > legacy.data.byteLength) continue;
      out.set(sym.name, { keySize: view.getUint32(sym.value + 4, le), valueSize: view.getUint32(sym.value + 8, le) });
    }
  }
  return out;
}

function sizeOf(btf: Btf, t: BtfType): number | undefined {
  try {
    return btf.sizeof(t);
  } catch {
    return undefined;
  }
}
