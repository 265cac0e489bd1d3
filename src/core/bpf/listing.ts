// A disassembly listing of an object: every function's instructions in llvm syntax, calls and
// ld_imm64 relocations named, and each instruction mapped to its source line (.BTF.ext line_info).
import type { ElfFile } from '../elf/types';
import { R_BPF, STT } from '../elf/types';
import type { BtfExt, BtfExtLineInfo } from '../btf/ext';
import { lineAt, lineInfoFor } from '../btf/ext';
import type { BpfInsn } from './decode';
import { formatInsn } from './disasm';
import type { DisasmOptions } from './disasm';
import { llvmSymbolizer, objectFunctions, resolveCall } from './program';
import type { BpfFunctionCode, CallTarget } from './program';
import { LD_IMM64_CODE, LD_IMM64_PSEUDO_NAMES } from './opcodes';

export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

export interface ListedInsn {
  readonly insn: BpfInsn;
  /** llvm-objdump-19's text for the instruction. */
  readonly text: string;
  /** What a call calls. */
  readonly call?: CallTarget;
  /** The symbol an ld_imm64 loads (map, global variable, extern), from its R_BPF_64_64 relocation. */
  readonly loads?: string;
  /** The source line whose line_info record covers this instruction. */
  readonly source?: SourceLine;
}

export interface ListedFunction {
  readonly fn: BpfFunctionCode;
  readonly insns: readonly ListedInsn[];
}

export interface ListingOptions extends Pick<DisasmOptions, 'alu32'> {
  /** Helper names by id (e.g. from vmlinux BTF's enum bpf_func_id); default the built-in table. */
  helperNames?: readonly string[];
}

/** Lists every function of `elf`; `ext` (the object's .BTF.ext) supplies source lines when present. */
export function listObject(elf: ElfFile, ext: BtfExt | undefined, opts: ListingOptions = {}): ListedFunction[] {
  const out: ListedFunction[] = [];
  const symbolizers = new Map<number, (a: bigint) => string | undefined>();
  for (const fn of objectFunctions(elf)) {
    let sym = symbolizers.get(fn.section.index);
    if (!sym) { sym = llvmSymbolizer(elf, fn.section); symbolizers.set(fn.section.index, sym); }
    const lines: readonly BtfExtLineInfo[] = ext ? lineInfoFor(ext, fn.section.name) : [];
    const rels = new Map(elf.relocationsFor(fn.section).map((r) => [r.offset, r]));
    const insns = fn.insns.map((insn): ListedInsn => {
      const byteInSection = fn.func.offset + insn.offset;
      const text = formatInsn(insn, { alu32: opts.alu32, baseAddress: fn.func.offset, symbolize: sym });
      const call = resolveCall(elf, fn, insn, opts.helperNames);
      let loads: string | undefined;
      if (insn.code === LD_IMM64_CODE) {
        const rel = rels.get(byteInSection);
        if (rel && rel.type === R_BPF.R_BPF_64_64) {
          // Section symbols (.bss/.data/.rodata) carry the variable's offset in the instruction's imm.
          loads = rel.symbol.type === STT.SECTION ? `${rel.symbol.name || elf.sections[rel.symbol.shndx]?.name || '?'}+0x${(insn.imm >>> 0).toString(16)}` : rel.symbol.name;
        } else if (insn.src !== 0) {
          loads = LD_IMM64_PSEUDO_NAMES[insn.src];
        }
      }
      const li = lines.length > 0 ? lineAt(lines, byteInSection) : undefined;
      const source = li && li.insnOff >= fn.func.offset ? { file: li.fileName, line: li.line, col: li.col, text: li.lineText } : undefined;
      return { insn, text, ...(call ? { call } : {}), ...(loads !== undefined ? { loads } : {}), ...(source ? { source } : {}) };
    });
    out.push({ fn, insns });
  }
  return out;
}

/** The comment the CLI prints after an instruction: the callee or the loaded symbol. */
export function annotation(l: ListedInsn): string | undefined {
  if (l.call) {
    switch (l.call.kind) {
      case 'helper': return l.call.name ?? `helper #${l.call.id}`;
      case 'kfunc': return `kfunc ${l.call.name ?? '?'}`;
      case 'subprog': return l.call.name ?? 'subprogram';
      default: return undefined;
    }
  }
  return l.loads;
}

/** Text listing: a header per function, the source line before the instructions it covers, then `idx: text ; note`. */
export function renderListing(funcs: readonly ListedFunction[]): string {
  const out: string[] = [];
  for (const f of funcs) {
    out.push(`${f.fn.section.name}:${f.fn.name}${f.fn.isProgram ? '' : ' (subprogram)'}:`);
    let last: SourceLine | undefined;
    const width = String(Math.max(0, ...f.insns.map((i) => i.insn.index))).length;
    for (const l of f.insns) {
      if (l.source && (l.source !== last && (last === undefined || l.source.line !== last.line || l.source.file !== last.file))) {
        out.push(`; ${l.source.text.trim()}  @ ${l.source.file}:${l.source.line}:${l.source.col}`);
      }
      if (l.source) last = l.source;
      const note = annotation(l);
      out.push(`  ${String(l.insn.index).padStart(width)}: ${l.text}${note ? `\t; ${note}` : ''}`);
    }
    out.push('');
  }
  return out.join('\n');
}

