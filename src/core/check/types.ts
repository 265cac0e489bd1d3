// The metadata check's public data model: inputs, options, diagnostics (codes are part of the interface) and quick-fix data.
import type { Btf } from '../btf/types';

/** Rule codes; they appear in CLI output, SARIF ruleIds, LSP diagnostics and docs/rules.md anchors. */
export type CheckCode =
  | 'core-unresolved'
  | 'meta-not-core'
  | 'meta-bounds'
  | 'meta-layout-mismatch'
  | 'meta-trailer'
  | 'kfunc-devbound'
  | 'kfunc-missing'
  | 'helper-missing';

export type Severity = 'error' | 'warning' | 'info';

/** One input of a check: an object file (path or bytes) and optionally the C source it came from. */
export interface CheckInput {
  /** Path of the BPF object; read from disk unless `bytes` is given. */
  objectPath?: string;
  /** Object bytes (e.g. compiled in memory by the language server). */
  bytes?: Uint8Array;
  /** The C source the object was compiled from; diagnostics fall back to the BTF line info's file name. */
  sourcePath?: string;
  /** Label used in messages when there is no path. */
  label?: string;
}

export interface CheckOptions {
  /** Target kernel BTF: a path (raw BTF or object with .BTF) or a loaded Btf; default the running kernel's. */
  targetBtf?: string | Btf;
  /**
   * The target BTF is a whole kernel's (the matrix's kernels; the running kernel always is): a BTF without
   * `enum bpf_func_id` then gets "helper availability unknown" findings instead of none.
   */
  targetIsKernel?: boolean;
  /** A source file's text for expression ranges (an editor's unsaved buffer); default: read from disk. */
  sourceText?: (file: string) => string | undefined;
}

export interface RelatedLocation {
  file: string;
  line: number;
  message: string;
}

/** Data a language-server quick fix needs; `kind` says which fix. */
export type CheckFix =
  | { kind: 'add-bounds-check'; struct?: string; bytesNeeded: number; bytesProven: number; accessLine: number; pointer?: string }
  | { kind: 'drop-preserve-access-index'; struct: string; declFile?: string; declLine?: number }
  | { kind: 'use-core-read'; struct: string; field?: string; accessLine: number }
  /** `declaration` is the `__weak` extern to put in place of the strong one; guard calls with bpf_ksym_exists(). */
  | { kind: 'declare-kfunc'; kfunc: string; declaration: string; since?: string }
  | { kind: 'align-layout'; struct: string; otherFile: string; otherLine: number };

export interface Diagnostic {
  code: CheckCode;
  severity: Severity;
  message: string;
  /** Source file (the C file from BTF line info, else the object). */
  file: string;
  /** 1-based line; 0 when nothing better than the object is known. */
  line: number;
  /** 1-based column when the line info has one. */
  column?: number;
  /** 1-based, exclusive end column of the expression at `column` (a token scan of the source line), when found. */
  endColumn?: number;
  /** Instruction index counted from the start of the program's function (libbpf's counting). */
  insn?: number;
  /** Program (function) name. */
  program?: string;
  related?: RelatedLocation[];
  fix?: CheckFix;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
}
