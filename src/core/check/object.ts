// Loads one check input into what the rules read: ELF, local BTF, .BTF.ext, decoded functions, DWARF and source lines.
import * as path from 'node:path';
import { XdpMetaError } from '../util/errors';
import { parseElf } from '../elf/reader';
import type { ElfFile } from '../elf/types';
import { btfFromElf } from '../btf/load';
import { btfExtFromElf, lineAt, lineInfoFor } from '../btf/ext';
import type { BtfExt, BtfExtCoreRelo, BtfExtLineInfo } from '../btf/ext';
import type { Btf } from '../btf/types';
import { readInputFile } from '../bpf/object-file';
import { objectFunctions } from '../bpf/program';
import type { BpfFunctionCode } from '../bpf/program';
import { readDwarf } from '../dwarf/reader';
import type { DwarfInfo } from '../dwarf/reader';
import type { CheckInput } from './types';

export interface SourceLoc {
  file: string;
  line: number;
  column?: number;
  text?: string;
}

export interface CheckObject {
  /** The object path or label, for messages. */
  label: string;
  /** The C source named by the input (absolute), if any. */
  sourcePath?: string;
  elf: ElfFile;
  btf: Btf;
  ext?: BtfExt;
  functions: BpfFunctionCode[];
  /** Debug info, when the object was compiled with -g (it always is through our driver). */
  dwarf?: DwarfInfo;
  /** Source location of instruction `insn` (function-relative index) of `fn`, from BTF line_info. */
  locOf(fn: BpfFunctionCode, insn: number): SourceLoc;
  /** CO-RE relocation records on instruction `insn` of `fn`. */
  coreRelosAt(fn: BpfFunctionCode, insn: number): BtfExtCoreRelo[];
  /** Every CO-RE relocation with the function it falls in and its function-relative instruction index. */
  coreRelos(): { fn: BpfFunctionCode; insn: number; relo: BtfExtCoreRelo }[];
}

/** Reads and parses an input; errors name the file and never escape as raw exceptions. */
export function loadCheckObject(input: CheckInput): CheckObject {
  const label = input.objectPath ?? input.label ?? input.sourcePath ?? '<object>';
  let bytes = input.bytes;
  if (!bytes) {
    if (!input.objectPath) throw new XdpMetaError('check input has neither objectPath nor bytes');
    bytes = readInputFile(input.objectPath, 'a BPF object');
  }
  const elf = parseElf(bytes, label);
  const btf = btfFromElf(elf);
  const ext = btfExtFromElf(elf, btf);
  const functions = objectFunctions(elf);
  let dwarf: DwarfInfo | undefined;
  try {
    dwarf = readDwarf(elf);
  } catch (e) {
    // Debug info only sharpens evidence; a reader gap must not hide the other rules' findings.
    if (!(e instanceof XdpMetaError)) throw e;
    dwarf = undefined;
  }
  const sourcePath = input.sourcePath ? path.resolve(input.sourcePath) : undefined;

  const linesBySection = new Map<string, readonly BtfExtLineInfo[]>();
  const lines = (sec: string) => {
    let l = linesBySection.get(sec);
    if (!l) linesBySection.set(sec, (l = ext ? lineInfoFor(ext, sec) : []));
    return l;
  };
  const relosBySection = new Map<string, Map<number, BtfExtCoreRelo[]>>();
  for (const s of ext?.coreRelo ?? []) {
    const m = new Map<number, BtfExtCoreRelo[]>();
    for (const r of s.records) {
      const list = m.get(r.insnOff);
      if (list) list.push(r); else m.set(r.insnOff, [r]);
    }
    relosBySection.set(s.secName, m);
  }
  const byteInSection = (fn: BpfFunctionCode, insn: number) => fn.func.offset + insn * 8;

  return {
    label, sourcePath, elf, btf, ext, functions, dwarf,
    locOf(fn, insn) {
      const li = lineAt(lines(fn.section.name), byteInSection(fn, insn));
      if (!li || li.insnOff < fn.func.offset) return { file: sourcePath ?? label, line: 0 };
      const file = sourcePath && path.basename(li.fileName) === path.basename(sourcePath) ? sourcePath : li.fileName;
      return { file, line: li.line, column: li.col || undefined, text: li.lineText };
    },
    coreRelosAt(fn, insn) {
      return relosBySection.get(fn.section.name)?.get(byteInSection(fn, insn)) ?? [];
    },
    coreRelos() {
      const out: { fn: BpfFunctionCode; insn: number; relo: BtfExtCoreRelo }[] = [];
      for (const fn of functions) {
        const m = relosBySection.get(fn.section.name);
        if (!m) continue;
        for (const [off, list] of m) {
          if (off < fn.func.offset || off >= fn.func.offset + fn.func.size) continue;
          for (const relo of list) out.push({ fn, insn: (off - fn.func.offset) / 8, relo });
        }
      }
      return out.sort((a, b) => a.fn.name.localeCompare(b.fn.name) || a.insn - b.insn);
    },
  };
}
