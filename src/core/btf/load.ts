// Loading BTF: raw files (/sys/kernel/btf/*), an object's .BTF section, split BTF over a base.
import { realpathSync } from 'node:fs';
import { readInputFile } from '../bpf/object-file';
import { XdpMetaError } from '../util/errors';
import { isElf, parseElf } from '../elf/reader';
import type { ElfFile } from '../elf/types';
import { restoreKernelBtf, saveKernelBtf } from './kernel-cache';
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
 * The running kernel's BTF (/sys/kernel/btf/vmlinux), loaded once per process: from the user's cache folder
 * when that holds it for this very file and boot; else read, and left there when the process exits.
 */
export function kernelBtf(): Btf {
  return (vmlinuxCache ??= kernelBtfAt(KERNEL_BTF_PATH)!);
}

/**
 * The BTF at `path` (named so in messages) when that is the running kernel's BTF file, through the cache as
 * kernelBtf loads it; undefined when `path` is some other file (or none: the caller's own read reports that).
 */
export function kernelBtfAt(path: string): Btf | undefined {
  const cached = restoreKernelBtf(path);
  if (cached) return cached;
  if (path !== KERNEL_BTF_PATH && !sameFile(path, KERNEL_BTF_PATH)) return undefined;
  const btf = readBtfFile(path);
  if (btf instanceof BtfModel) process.once('exit', () => saveKernelBtf(btf, path));
  return btf;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
