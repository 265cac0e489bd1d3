// Candidate target types by essential name (libbpf.c: bpf_core_find_cands / bpf_core_add_cands).
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Btf, BtfType } from '../btf/types';
import { btfFromElf, parseBtf, readBtfFile } from '../btf/load';
import { isElf, parseElf } from '../elf/reader';
import { readInputFile } from '../bpf/object-file';
import { BtfModel } from '../btf/model';
import { essentialName, isAnyEnum } from './btf-util';
import type { CoreCand } from './calc';

/** Where candidates come from: the kernel (or an override) and, lazily, its modules' split BTF. */
export interface CoreTarget {
  /** vmlinux BTF, or the `--target-btf` override. */
  readonly main: Btf;
  /** Label of `main` in candidate listings (libbpf says "vmlinux"). */
  readonly mainName?: string;
  /**
   * Module BTFs (split over `main`), consulted only when `main` has no candidate at all, as libbpf does;
   * libbpf never consults modules when the target BTF is overridden.
   */
  readonly modules?: () => readonly { name: string; btf: Btf }[];
}

/** The running kernel as libbpf sees it: /sys/kernel/btf/vmlinux plus every module's split BTF there. */
export function kernelTarget(dir = '/sys/kernel/btf'): CoreTarget {
  const main = readBtfFile(path.join(dir, 'vmlinux'));
  let mods: { name: string; btf: Btf }[] | undefined;
  return {
    main, mainName: 'vmlinux',
    modules: () => (mods ??= readdirSync(dir).filter((n) => n !== 'vmlinux').sort()
      .map((name) => ({ name, btf: readBtfFile(path.join(dir, name), { base: main }) }))),
  };
}

/** A target BTF file given by the user (raw BTF or an object's .BTF): no module lookup, like libbpf's btf_custom_path. */
export function fileTarget(file: string): CoreTarget {
  const bytes = readInputFile(file, 'BTF or a BPF object');
  const main = isElf(bytes) ? btfFromElf(parseElf(bytes, file)) : parseBtf(bytes, file);
  return { main, mainName: path.basename(file) };
}

const flavoredCache = new WeakMap<Btf, number[]>();
const flavoredOffsetCache = new WeakMap<Btf, Set<number>>();
const UNDERSCORES = Buffer.from('___');

/** Absolute string offsets (base strings included) of every string containing `___`: a native byte search, no decoding. */
function flavoredStringOffsets(btf: Btf): Set<number> {
  let set = flavoredOffsetCache.get(btf);
  if (set) return set;
  set = new Set(btf.base ? flavoredStringOffsets(btf.base) : []);
  if (btf instanceof BtfModel) {
    const { strings, stringsBase } = btf.wire;
    const buf = Buffer.from(strings.buffer, strings.byteOffset, strings.byteLength);
    for (let at = buf.indexOf(UNDERSCORES); at >= 0; at = buf.indexOf(UNDERSCORES, at + 1)) {
      let start = at;
      while (start > 0 && buf[start - 1] !== 0) start--;
      set.add(stringsBase + start);
    }
  }
  flavoredOffsetCache.set(btf, set);
  return set;
}

/**
 * This BTF's own type ids whose name contains `___` (possible flavors), ascending. With our model the
 * records' name offsets are matched against the flavored strings without decoding any name.
 */
function flavoredIds(btf: Btf): number[] {
  let ids = flavoredCache.get(btf);
  if (ids) return ids;
  ids = [];
  if (btf instanceof BtfModel) {
    const offs = flavoredStringOffsets(btf);
    const { view, offsets, littleEndian } = btf.wire;
    if (offs.size > 0) {
      for (let i = 0; i < offsets.length; i++) if (offs.has(view.getUint32(offsets[i]!, littleEndian))) ids.push(btf.startId + i);
    }
  } else {
    for (let id = btf.startId; id < btf.count; id++) if (btf.nameOf(id).includes('___')) ids.push(id);
  }
  flavoredCache.set(btf, ids);
  return ids;
}

/** This BTF's own ids (not its base's) whose essential name is `essential`, ascending (libbpf scans in id order). */
function idsByEssentialName(btf: Btf, essential: string): number[] {
  const exact = btf.findIdsByName(essential).filter((id) => id >= btf.startId);
  const flavored = flavoredIds(btf).filter((id) => essentialName(btf.nameOf(id)) === essential);
  if (flavored.length === 0) return exact;
  return [...new Set([...exact, ...flavored])].sort((a, b) => a - b);
}

/** libbpf.c: bpf_core_add_cands — same kind (or both enums), same essential name, ascending id. */
function addCands(local: BtfType, targ: Btf, targName: string, out: CoreCand[]): void {
  const ids = idsByEssentialName(targ, essentialName(local.name));
  const localEnum = isAnyEnum(local);
  for (const id of ids) {
    const k = targ.kindOf(id);
    if (k !== local.kind && !(localEnum && (k === 'ENUM' || k === 'ENUM64'))) continue;
    out.push({ btf: targ, id, btfName: targName });
  }
}

/** libbpf.c: bpf_core_find_cands — vmlinux first; modules only when vmlinux has none. */
export function findCands(localBtf: Btf, localTypeId: number, target: CoreTarget): CoreCand[] {
  const local = localBtf.typeById(localTypeId);
  const out: CoreCand[] = [];
  if (local.name === '') return out;
  addCands(local, target.main, target.mainName ?? 'vmlinux', out);
  if (out.length > 0 || !target.modules) return out;
  for (const m of target.modules()) addCands(local, m.btf, m.name, out);
  return out;
}
