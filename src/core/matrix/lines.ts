// The source line of a verifier error from the object's .BTF.ext line info, for kernels (6.1) whose logs name no line.
import { btfExtFromElf, lineAt, lineInfoFor } from '../btf/ext';
import { btfFromElf } from '../btf/load';
import { functionsIn, programSections } from '../elf/bpf';
import { parseElf } from '../elf/reader';

/**
 * `insn` counts from the program's first instruction. libbpf appends subprograms after the entry function, so only
 * an instruction inside the entry function maps back to the object; elsewhere (or without line info) undefined.
 */
export function lineOfInsn(bytes: Uint8Array, source: string, program: string, insn: number): { file: string; line: number } | undefined {
  try {
    const elf = parseElf(bytes, source);
    for (const sec of programSections(elf)) {
      const fn = functionsIn(elf, sec).find((f) => f.name === program);
      if (!fn) continue;
      if (insn < 0 || insn * 8 >= fn.size) return undefined;
      const ext = btfExtFromElf(elf, btfFromElf(elf));
      const rec = ext ? lineAt(lineInfoFor(ext, sec.name), fn.offset + insn * 8) : undefined;
      if (!rec || rec.insnOff < fn.offset) return undefined;
      return { file: rec.fileName.split('/').pop() ?? rec.fileName, line: rec.line };
    }
  } catch {
    // An object we cannot read back: the log's own (empty) answer stands.
  }
  return undefined;
}
