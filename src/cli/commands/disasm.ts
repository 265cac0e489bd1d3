// `xdp-meta disasm OBJ`: every function's instructions in llvm-objdump syntax, calls named, source lines interleaved.
import { existsSync } from 'node:fs';
import { btfFromElf, readBtfFile } from '../../core/btf/load';
import { helperNamesFromEnum } from '../../core/bpf/program';
import { btfExtFromElf } from '../../core/btf/ext';
import type { BtfExt } from '../../core/btf/ext';
import { listObject, renderListing, annotation } from '../../core/bpf/listing';
import { readObjectFile } from '../../core/bpf/object-file';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import type { CliCommand, CliIo } from '../command';

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

const usage = `usage: xdp-meta disasm OBJ [--json] [--alu32] [--no-source]

Disassembles every function of a BPF object (programs and subprograms) in the syntax of
'llvm-objdump-19 -d'. Instruction indexes count from the start of each function, as libbpf and
the verifier count them. Calls are named (helper, kfunc, subprogram), ld_imm64 loads name the map
or variable they refer to, and each group of instructions is preceded by its C source line
(from .BTF.ext line_info).
  --json       one JSON object per instruction: {section, function, insn, text, call?, loads?, file?, line?, col?}
  --alu32      32-bit sub-register syntax for loads/stores/atomics (llvm-objdump --mattr=+alu32)
  --no-source  leave out the source lines`;

export const disasmCommand: CliCommand = {
  name: 'disasm',
  summary: 'disassemble a BPF object with source lines and named calls',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const files: string[] = [];
    let json = false;
    let alu32 = false;
    let source = true;
    for (const a of argv) {
      if (a === '--json') json = true;
      else if (a === '--alu32') alu32 = true;
      else if (a === '--no-source') source = false;
      else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
      else files.push(a);
    }
    if (files.length !== 1) throw new UsageError(files.length ? `one OBJ at a time, got ${files.length}` : 'missing OBJ');
    const elf = readObjectFile(files[0]!);
    let ext: BtfExt | undefined;
    if (source && elf.sectionByName('.BTF')) {
      try {
        ext = btfExtFromElf(elf, btfFromElf(elf));
      } catch (e) {
        // The code is still worth showing when only the debug info is damaged.
        io.err(`xdp-meta disasm: warning: no source lines: ${e instanceof XdpMetaError ? e.message : String(e)}`);
      }
    }
    let funcs = listObject(elf, ext, { alu32 });
    // Helpers newer than the built-in table: take their names from the running kernel's enum bpf_func_id.
    if (funcs.some((f) => f.insns.some((l) => l.call?.kind === 'helper' && l.call.name === undefined)) && existsSync(KERNEL_BTF)) {
      const e = readBtfFile(KERNEL_BTF).findByName('bpf_func_id', 'ENUM');
      if (e) funcs = listObject(elf, ext, { alu32, helperNames: helperNamesFromEnum(e.values) });
    }
    if (funcs.length === 0) throw new XdpMetaError(`${elf.source}: no functions in executable sections`);
    if (!json) {
      io.out(renderListing(funcs));
      return 0;
    }
    for (const f of funcs) {
      for (const l of f.insns) {
        const note = annotation(l);
        io.out(JSON.stringify({
          section: f.fn.section.name, function: f.fn.name, insn: l.insn.index, text: l.text,
          ...(l.call ? { call: { kind: l.call.kind, ...(note ? { name: note.replace(/^kfunc /, '') } : {}) } } : {}),
          ...(l.loads !== undefined ? { loads: l.loads } : {}),
          ...(l.source ? { file: l.source.file, line: l.source.line, col: l.source.col } : {}),
        }));
      }
    }
    return 0;
  },
};
