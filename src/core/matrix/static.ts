// Static matrix: the metadata check (CO-RE, kfunc availability, meta-not-core, layout) against each kernel's BTF.
import { readBtfFile } from '../btf/load';
import type { Diagnostic } from '../check/types';
import { runCheck } from '../check/run';
import type { KernelTarget } from '../kernels/types';
import type { MatrixProgram } from './types';

/**
 * Diagnostics per program ("object\0program") for one kernel. Each input is its own contract here: the matrix
 * judges programs one by one (`xdp-meta check` judges a producer and its consumers together).
 */
export function staticForKernel(kernel: KernelTarget, programs: readonly MatrixProgram[]): Map<string, Diagnostic[]> {
  const btf = readBtfFile(kernel.btfPath);
  const out = new Map<string, Diagnostic[]>();
  for (const p of new Map(programs.map((x) => [x.objectPath, x])).values()) {
    const result = runCheck([{ objectPath: p.objectPath, bytes: p.bytes, ...(p.sourcePath ? { sourcePath: p.sourcePath } : {}) }], { targetBtf: btf, targetIsKernel: true });
    for (const q of programs.filter((x) => x.objectPath === p.objectPath)) {
      out.set(`${q.objectPath}\0${q.program}`, result.diagnostics.filter((d) => d.program === undefined || d.program === q.program));
    }
  }
  return out;
}

/** Findings that are not the same on every kernel (by code and line): the rows the editor shows. */
export function differingFindings(perKernel: ReadonlyArray<readonly Diagnostic[]>): Set<string> {
  const keyOf = (d: Diagnostic): string => `${d.code}\0${d.file}\0${d.line}\0${d.program ?? ''}`;
  const counts = new Map<string, number>();
  for (const list of perKernel) for (const k of new Set(list.map(keyOf))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n !== perKernel.length).map(([k]) => k));
}
