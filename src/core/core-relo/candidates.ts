// Candidate target types by essential name (libbpf.c: bpf_core_find_cands / bpf_core_add_cands).
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Btf, BtfType } from '../btf/types';
import { btfFromElf, kernelBtf, parseBtf, readBtfFile } from '../btf/load';
import { isElf, parseElf } from '../elf/reader';
import { readInputFile } from '../bpf/object-file';
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

const KERNEL_BTF_DIR = '/sys/kernel/btf';

/** The running kernel as libbpf sees it: /sys/kernel/btf/vmlinux plus every module's split BTF there. */
export function kernelTarget(dir = KERNEL_BTF_DIR): CoreTarget {
  // The running kernel's vmlinux is shared with kernelBtf(): loaded and name-indexed once per process.
  const main = dir === KERNEL_BTF_DIR ? kernelBtf() : readBtfFile(path.join(dir, 'vmlinux'));
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

/** libbpf.c: bpf_core_add_cands — same kind (or both enums), same essential name, ascending id. */
function addCands(local: BtfType, targ: Btf, targName: string, out: CoreCand[]): void {
  const ess = essentialName(local.name);
  // Asking by kind keeps the index away from the 56k vmlinux functions no CO-RE relocation targets.
  const ids = isAnyEnum(local)
    ? targ.findIdsByEssentialName(ess, 'ENUM').concat(targ.findIdsByEssentialName(ess, 'ENUM64')).sort((a, b) => a - b)
    : targ.findIdsByEssentialName(ess, local.kind);
  // This BTF's own ids only: a module's candidates do not include its base's (vmlinux) types.
  for (const id of ids) if (id >= targ.startId) out.push({ btf: targ, id, btfName: targName });
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
