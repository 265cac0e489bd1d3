// The Kernel Matrix view's rows from a matrix report: programs, a verdict cell per kernel, static findings that differ by kernel.
import type { MatrixCell, MatrixReport } from '../core/matrix/types';

export interface MatrixRow {
  label: string;
  description?: string;
  tooltip?: string;
  /** Codicon id: pass, error, circle-slash, warning, symbol-function. */
  icon: string;
  children?: MatrixRow[];
  /** A cell: the verifier log to open and the instruction of the error. */
  open?: { logFile: string; insn: number | null; title: string };
}

function cellRow(c: MatrixCell, kernelLabel: string): MatrixRow {
  const l = c.load;
  const insns = l.processed_insns !== null ? `${l.processed_insns} insns` : '';
  const word = l.verdict === 'accepted' ? 'accepted' : l.verdict === 'rejected' ? 'REJECTED' : 'not run';
  const err = l.error ? `${l.error.message}${l.error.line ? ` (line ${l.error.line})` : l.error.insn !== null ? ` (insn ${l.error.insn})` : ''}` : '';
  return {
    label: kernelLabel,
    description: [word, insns, l.verdict === 'rejected' ? err.split('\n')[0] : ''].filter(Boolean).join(' · '),
    tooltip: [`${c.program} on ${c.kernel}: ${word}`, err, l.reason ?? '', l.log_file ? `log: ${l.log_file}` : ''].filter(Boolean).join('\n'),
    icon: l.verdict === 'accepted' ? 'pass' : l.verdict === 'rejected' ? 'error' : 'circle-slash',
    ...(l.log_file ? { open: { logFile: l.log_file, insn: l.error?.insn ?? null, title: `${c.program} on ${kernelLabel}` } } : {}),
  };
}

/** One row per program; under it a cell per kernel, then each static finding that is not the same on every kernel. */
export function matrixRows(r: MatrixReport): MatrixRow[] {
  const release = new Map(r.kernels.map((k) => [k.id, k.id === 'running' ? `running (${k.release})` : k.release]));
  const programs = [...new Map(r.results.map((c) => [`${c.object}\0${c.program}`, c])).values()];
  return programs.map((p) => {
    const cells = r.results.filter((c) => c.object === p.object && c.program === p.program);
    const keyOf = (d: MatrixCell['static']['diagnostics'][number]): string => `${d.code}\0${d.line}\0${d.message.replace(/target BTF \S+/g, 'target BTF')}`;
    const findings = new Map<string, { d: MatrixCell['static']['diagnostics'][number]; kernels: string[] }>();
    for (const c of cells) {
      for (const d of c.static.diagnostics) {
        const f = findings.get(keyOf(d)) ?? { d, kernels: [] };
        f.kernels.push(release.get(c.kernel) ?? c.kernel);
        findings.set(keyOf(d), f);
      }
    }
    const differing = [...findings.values()].filter((f) => f.kernels.length !== cells.length);
    const rejected = cells.filter((c) => c.load.verdict === 'rejected').length;
    return {
      label: p.program,
      description: `${p.object.split('/').pop()} · ${rejected ? `rejected by ${rejected} of ${cells.length}` : `${cells.filter((c) => c.load.verdict === 'accepted').length} of ${cells.length} accept`}`,
      icon: rejected ? 'error' : 'symbol-function',
      children: [
        ...cells.map((c) => cellRow(c, release.get(c.kernel) ?? c.kernel)),
        ...differing.map((f) => ({
          label: `${f.d.code} (line ${f.d.line})`,
          description: `only on ${f.kernels.join(', ')}`,
          tooltip: f.d.message,
          icon: f.d.severity === 'error' ? 'warning' : 'info',
        })),
      ],
    };
  });
}
