// Loading BTF: raw files (/sys/kernel/btf/*), an object's .BTF section, split BTF over a base.
import { readInputFile } from '../bpf/object-file';
import { XdpMetaError } from '../util/errors';
import { isElf, parseElf } from '../elf/reader';
import type { ElfFile } from '../elf/types';
import { restoreKernelBtfIndex, saveKernelBtfIndex } from './index-cache';
import { BtfModel } from './model';
import type { Btf } from './types';
import { parseBtfWire } from './wire';

export interface BtfLoadOptions {
  /** Base BTF for split BTF (e.g. vmlinux under a module's /sys/kernel/btf/<module>). */
  base?: Btf;
}

/** Parses raw BTF bytes (a `.BTF` section or a raw BTF file). Validates the wire records; decodes nothing. */
export function parseBtf(bytes: Uint8Array, source: string, opts: BtfLoadOptions = {}): Btf {
  const base = opts.base;
  if (base !== undefined && !(base instanceof BtfModel)) throw new XdpMetaError(`${source}: base BTF must come from parseBtf/readBtfFile`);
  const wire = parseBtfWire(bytes, source, base ? { count: base.count, stringsSize: base.stringsSize, byteOrder: base.byteOrder } : undefined);
  return new BtfModel(wire, base);
}

/** The BTF of an ELF object's `.BTF` section; XdpMetaError when the object has none. */
export function btfFromElf(elf: ElfFile, opts: BtfLoadOptions = {}): Btf {
  const sec = elf.sectionByName('.BTF');
  if (!sec) throw new XdpMetaError(`${elf.source}: no .BTF section (compile with -g)`);
  return parseBtf(sec.data, `${elf.source}:.BTF`, opts);
}

/**
 * The bytes of a BTF file or object named by the user: a directory or a device (/dev/zero, read forever)
 * is refused by name before reading.
 */
export function readBtfBytes(path: string): Buffer {
  try {
    return readInputFile(path, 'BTF or a BPF object');
  } catch (e) {
    throw new XdpMetaError(`cannot read ${(e as Error).message}`, { cause: e });
  }
}

/** Reads a file that is either raw BTF or an ELF object with `.BTF`. */
export function readBtfFile(path: string, opts: BtfLoadOptions = {}): Btf {
  const bytes = readBtfBytes(path);
  return isElf(bytes) ? btfFromElf(parseElf(bytes, path), opts) : parseBtf(bytes, path, opts);
}

/** Where the running kernel publishes its BTF (CONFIG_DEBUG_INFO_BTF). */
export const KERNEL_BTF_PATH = '/sys/kernel/btf/vmlinux';

let vmlinuxCache: Btf | undefined;

/**
 * The running kernel's BTF (/sys/kernel/btf/vmlinux), loaded once per process. Its name index comes from the
 * user's cache folder when that holds one for this very file and boot; else the first process to load it
 * leaves one there when it exits.
 */
export function kernelBtf(): Btf {
  if (vmlinuxCache) return vmlinuxCache;
  const btf = readBtfFile(KERNEL_BTF_PATH);
  if (btf instanceof BtfModel && !restoreKernelBtfIndex(btf, KERNEL_BTF_PATH)) {
    process.once('exit', () => saveKernelBtfIndex(btf, KERNEL_BTF_PATH));
  }
  return (vmlinuxCache = btf);
}
