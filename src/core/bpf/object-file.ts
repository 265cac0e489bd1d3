// Reads an object or BTF file named on the command line: refuses what would hang or mislead before reading it.
import { readFileSync, statSync } from 'node:fs';
import { parseElf } from '../elf/reader';
import type { ElfFile } from '../elf/types';
import { XdpMetaError } from '../util/errors';

/**
 * The bytes of `path`. Regular files and pipes (`<(cat x.o)`) are read; a directory, a character or block
 * device (/dev/zero would be read forever) or a socket is refused with a message naming the path.
 * `what` names the expected content ("a BPF object", "BTF").
 */
export function readInputFile(path: string, what: string): Buffer {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new XdpMetaError(`${path}: is a directory, not ${what}`);
    if (!st.isFile() && !st.isFIFO()) throw new XdpMetaError(`${path}: not a regular file (a device or socket), not ${what}`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof XdpMetaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new XdpMetaError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`, { cause: e });
  }
}

/** Reads and parses an ELF object (FormatError with the byte offset when it is malformed). */
export function readObjectFile(path: string): ElfFile {
  return parseElf(readInputFile(path, 'a BPF object'), path);
}
