// Checks a BPF object with our own ELF/BTF/BTF.ext readers before libbpf sees it, so damage is named with file and offset.
import { objectFunctions } from '../bpf/program';
import { readInputFile } from '../bpf/object-file';
import { btfExtFromElf } from '../btf/ext';
import { btfFromElf } from '../btf/load';
import { isElf, parseElf } from '../elf/reader';
import type { ElfFile } from '../elf/types';
import { UsageError, XdpMetaError } from '../util/errors';

export interface PreflightOptions {
  /**
   * What the command takes, for a file that is no ELF at all (e.g. "load takes a BPF object built with clang -target bpf").
   * With it, such a file is a usage mistake (UsageError, exit 2); without it, bad input (XdpMetaError, exit 1).
   */
  usageHint?: string;
}

/**
 * Reads OBJ and parses it with our own readers: a corrupt or truncated object then gets an error with the
 * file and byte offset instead of libbpf's "cannot open the object". A damaged .BTF or .BTF.ext is refused
 * too: libbpf would drop it with a debug message and load without CO-RE relocations. An object without
 * programs is refused. Returns the bytes (to send to the agent) and the parsed ELF.
 */
export function preflightObject(obj: string, opts: PreflightOptions = {
  usageHint: 'load takes a BPF object built with clang -target bpf',
}): { bytes: Buffer; elf: ElfFile } {
  const bytes = readInputFile(obj, 'a BPF object');
  if (!isElf(bytes)) {
    const msg = `${obj}: not an ELF object (no \\x7fELF magic at byte offset 0)`;
    if (opts.usageHint) throw new UsageError(`${msg}: ${opts.usageHint}`);
    throw new XdpMetaError(`${msg}: expected a BPF object (or a .bpf.c source)`);
  }
  const elf = parseElf(bytes, obj);
  if (elf.sectionByName('.BTF')) btfExtFromElf(elf, btfFromElf(elf));
  if (objectFunctions(elf).length === 0) {
    throw new XdpMetaError(`${obj}: no BPF programs (no function symbols in executable sections): nothing to load`);
  }
  return { bytes, elf };
}
