// Loads what CO-RE needs from an object: its ELF, .BTF and .BTF.ext.
import { parseElf } from '../elf/reader';
import { readObjectFile } from '../bpf/object-file';
import type { ElfFile } from '../elf/types';
import { btfFromElf } from '../btf/load';
import { btfExtFromElf } from '../btf/ext';
import type { CoreObject } from './relocate';

function fromElf(elf: ElfFile): CoreObject {
  const btf = btfFromElf(elf);
  return { elf, btf, ext: btfExtFromElf(elf, btf) };
}

/** Reads an object file (XdpMetaError/FormatError on unreadable or malformed input). */
export function loadCoreObject(file: string): CoreObject {
  return fromElf(readObjectFile(file));
}

/** The same from bytes already in memory; `source` names them in errors. */
export function coreObjectFromBytes(bytes: Uint8Array, source: string): CoreObject {
  return fromElf(parseElf(bytes, source));
}
