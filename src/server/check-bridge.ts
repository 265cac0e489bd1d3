// Runs the metadata check (src/core/check) on a compiled object and maps its findings to the server's shape.
import { readFileSync } from 'node:fs';
import { kernelBtf, type Btf } from '../core/btf';
import { loadTargetBtf, runCheck, type Diagnostic as CheckDiagnostic } from '../core/check';
import { isXdpMetaError } from '../core/util/errors';
import type { CheckOutcome, CheckRequest, SourceDiagnostic } from './pipeline';

let target: { path: string; btf: Btf } | undefined;

/** The target BTF, loaded once per path (the kernel's is cached by the BTF library); throws XdpMetaError when unreadable. */
export function loadTarget(path: string): Btf {
  if (!path) return kernelBtf();
  if (target?.path !== path) target = { path, btf: loadTargetBtf(path) };
  return target.btf;
}

export async function checkObject(req: CheckRequest): Promise<CheckOutcome> {
  const t0 = performance.now();
  let btf: Btf;
  try {
    btf = loadTarget(req.targetBtf);
  } catch (e) {
    return { diagnostics: [], ms: performance.now() - t0, unavailable: `target BTF unreadable: ${isXdpMetaError(e) ? e.message : String(e)}` };
  }
  const bytes = readFileSync(req.objectPath);
  const sourceText = (file: string) => (file === req.sourcePath ? req.text : undefined);
  const result = runCheck([{ bytes, sourcePath: req.sourcePath, label: req.sourcePath }], { targetBtf: btf, sourceText });
  return { diagnostics: result.diagnostics.map((d) => fromCheck(d, req.sourcePath)), ms: performance.now() - t0 };
}

function fromCheck(d: CheckDiagnostic, sourcePath: string): SourceDiagnostic {
  // No line (only the object is known): the top of the document, so it is still seen.
  const located = d.line > 0 && !d.file.endsWith('.o');
  return {
    file: located ? d.file : sourcePath,
    line: located ? d.line : 1,
    column: located ? d.column : undefined,
    // The whole expression (`meta->magic`, the kfunc call), as SARIF and the text output's column give it.
    range: located && d.column && d.endColumn ? { start: { line: d.line, column: d.column }, end: { line: d.line, column: d.endColumn } } : undefined,
    severity: d.severity,
    message: d.message,
    code: d.code,
    related: d.related?.map((r) => ({ file: r.file, line: r.line, message: r.message })),
    data: d.fix ? { ...d.fix } : undefined,
  };
}
