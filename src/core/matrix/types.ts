// The kernel matrix's report: kernels × programs, each cell the static findings against that kernel and the real load.
import type { Diagnostic } from '../check/types';
import type { KernelSource } from '../kernels/types';

export type LoadVerdict = 'accepted' | 'rejected' | 'not-run';

export interface MatrixKernel {
  id: string;
  release: string;
  source: KernelSource;
}

export interface MatrixLoad {
  verdict: LoadVerdict;
  error: { message: string; insn: number | null; file: string | null; line: number | null } | null;
  processed_insns: number | null;
  total_states: number | null;
  peak_states: number | null;
  /** The full verifier log (libbpf's messages when the kernel never saw the program). */
  log_file: string | null;
  dev_bound?: boolean;
  /** Why it was not run (static only, a kernel without an image, a VM that failed). */
  reason?: string;
  /** Served from the result cache (object hash, kernel). */
  cached?: boolean;
  /** Explanation id from our explainer, when rejected. */
  explanation?: string;
}

export interface MatrixCell {
  kernel: string;
  program: string;
  /** The object (or source) the program comes from. */
  object: string;
  static: { diagnostics: Diagnostic[] };
  load: MatrixLoad;
}

export interface MatrixReport {
  kernels: MatrixKernel[];
  results: MatrixCell[];
}

/** One program of one input, ready to load. */
export interface MatrixProgram {
  /** What the user named (source or object). */
  input: string;
  objectPath: string;
  sourcePath?: string;
  bytes: Buffer;
  /** SHA-256 of the object bytes (hex, 16 digits). */
  hash: string;
  program: string;
}
