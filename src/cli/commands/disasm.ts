// `xdp-meta disasm OBJ`: every function's instructions in llvm-objdump syntax, calls named, source lines interleaved.
import { existsSync } from 'node:fs';
import { btfFromElf, kernelBtf, KERNEL_BTF_PATH } from '../../core/btf/load';
import { helperNamesFromEnum } from '../../core/bpf/program';
import { btfExtFromElf } from '../../core/btf/ext';
import type { BtfExt } from '../../core/btf/ext';
import { listObject, renderListing, annotation } from '../../core/bpf/listing';
import { readObjectFile } from '../../core/bpf/object-file';
import { XdpMetaError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs } from '../args';
import type { CliCommand, CliIo } from '../command';

const ARGS = defineArgs({
  options: {
    json: { type: 'boolean', description: 'one JSON object per instruction: {section, function, insn, text, call?, loads?, file?, line?, col?}' },
    alu32: { type: 'boolean', description: '32-bit sub-register syntax for loads/stores/atomics (llvm-objdump --mattr=+alu32)' },
    'no-source': { type: 'boolean', description: 'leave out the source lines' },
  },
  positionals: { name: 'OBJ', min: 1, max: 1 },
});

const usage = `usage: xdp-meta disasm OBJ [--json] [--alu32] [--no-source]

Disassembles every function of a BPF object (programs and subprograms) in the syntax of
'llvm-objdump-19 -d'. Instruction indexes count from the start of each function, as libbpf and
the verifier count them. Calls are named (helper, kfunc, subprogram), ld_imm64 loads name the map
or variable they refer to, and each group of instructions is preceded by its C source line
(from .BTF.ext line_info).
${formatOptions(ARGS)}`;

export const disasmCommand: CliCommand = {
  name: 'disasm',
  summary: 'disassemble a BPF object with source lines and named calls',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { options: o, positionals: files } = parseArgs(ARGS, argv);
    const { json, alu32 } = o;
    const source = !o['no-source'];
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
    if (funcs.some((f) => f.insns.some((l) => l.call?.kind === 'helper' && l.call.name === undefined)) && existsSync(KERNEL_BTF_PATH)) {
      const e = kernelBtf().findByName('bpf_func_id', 'ENUM');
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
