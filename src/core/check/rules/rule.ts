// The shape of one check rule and the context every rule reads.
import type { Btf } from '../../btf/types';
import type { ObjectAnalysis } from '../analyze';
import type { CoreOutcome } from '../core';
import type { CheckCode, Diagnostic, Severity } from '../types';

export interface RuleContext {
  /** One analysis per input, in input order (producer first by convention). */
  analyses: ObjectAnalysis[];
  target: Btf;
  /** How to name the target in messages (a path, or "the running kernel"). */
  targetLabel: string;
  /** The target is a kernel's whole BTF (its helper enum's absence means something). */
  targetIsKernel: boolean;
  /** CO-RE outcomes of every input against the target. */
  core: CoreOutcome[];
}

export interface Rule {
  code: CheckCode;
  severity: Severity;
  /** One line for SARIF `shortDescription` and the docs index. */
  title: string;
  check(ctx: RuleContext): Diagnostic[];
}

/** The site fields every diagnostic carries, from a located fact. */
export function site(f: { loc: { file: string; line: number; column?: number }; fn: { name: string }; insn: number }): Pick<Diagnostic, 'file' | 'line' | 'column' | 'insn' | 'program'> {
  return { file: f.loc.file, line: f.loc.line, column: f.loc.column, insn: f.insn, program: f.fn.name };
}
