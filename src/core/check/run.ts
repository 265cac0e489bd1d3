// runCheck: loads every input, resolves CO-RE against the target, runs the rules, returns sorted diagnostics.
import { readBtfFile } from '../btf/load';
import type { Btf } from '../btf/types';
import { XdpMetaError } from '../util/errors';
import { analyzeObject } from './analyze';
import { coreTarget, resolveCore } from './core';
import { addExpressionRanges } from './expr-range';
import { loadCheckObject } from './object';
import { RULES } from './rules/index';
import type { CheckInput, CheckOptions, CheckResult, Diagnostic } from './types';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Code-unit order: the same on every machine and locale (and it skips ICU collation setup). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Stable order: file, line, column, code, instruction, message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return cmp(a.file, b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0)
    || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || cmp(a.code, b.code)
    || cmp(a.program ?? '', b.program ?? '') || (a.insn ?? 0) - (b.insn ?? 0) || cmp(a.message, b.message);
}

/** Checks `inputs` together as one data_meta contract against the target BTF. */
export function runCheck(inputs: readonly CheckInput[], opts: CheckOptions = {}): CheckResult {
  if (inputs.length === 0) throw new XdpMetaError('check: no inputs');
  const target = coreTarget(opts.targetBtf);
  const targetLabel = typeof opts.targetBtf === 'string'
    ? `target BTF ${opts.targetBtf}`
    : opts.targetBtf ? `target BTF ${opts.targetBtf.source}` : "the running kernel's BTF";
  const objects = inputs.map(loadCheckObject);
  const core = objects.flatMap((o) => resolveCore(o, target));
  const analyses = objects.map((o) => analyzeObject(o, core.filter((c) => c.obj === o)));
  const ctx = { analyses, target: target.main, targetLabel, targetIsKernel: opts.targetBtf === undefined || opts.targetIsKernel === true, core };
  const all = RULES.flatMap((rule) => rule.check(ctx));
  // Several instructions of one C line can say the same thing: keep one.
  const seen = new Set<string>();
  const diagnostics = all.sort(compareDiagnostics).filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.code}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  addExpressionRanges(diagnostics, opts.sourceText);
  return { diagnostics: diagnostics.map(inKeyOrder) };
}

/** One key order for every diagnostic (JSON output and snapshots read the same either way). */
function inKeyOrder(d: Diagnostic): Diagnostic {
  const o: Diagnostic = { code: d.code, severity: d.severity, message: d.message, file: d.file, line: d.line };
  if (d.column !== undefined) o.column = d.column;
  if (d.endColumn !== undefined) o.endColumn = d.endColumn;
  if (d.insn !== undefined) o.insn = d.insn;
  if (d.program !== undefined) o.program = d.program;
  if (d.related?.length) o.related = d.related;
  if (d.fix) o.fix = d.fix;
  return o;
}

/** Loads a `--target-btf` file (raw BTF or an object with .BTF) once, for callers that check many times. */
export function loadTargetBtf(path: string): Btf {
  return readBtfFile(path);
}
