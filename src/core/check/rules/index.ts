// The rule table: every check rule, in the order docs/rules.md lists them.
import { coreUnresolved } from './core-unresolved';
import { helperMissing } from './helper-missing';
import { kfuncDevbound } from './kfunc-devbound';
import { kfuncMissing } from './kfunc-missing';
import { metaBounds } from './meta-bounds';
import { metaLayoutMismatch } from './meta-layout-mismatch';
import { metaNotCore } from './meta-not-core';
import { metaTrailer } from './meta-trailer';
import type { Rule } from './rule';

export type { Rule, RuleContext } from './rule';

export const RULES: readonly Rule[] = [
  coreUnresolved, metaNotCore, metaBounds, metaLayoutMismatch, metaTrailer, kfuncDevbound, kfuncMissing, helperMissing,
];

/** Where each rule is documented (SARIF helpUri, LSP codeDescription). */
export const RULES_DOC_URL = 'https://example.invalid/xdp-metadata-workbench/blob/main/docs/rules.md';
export const ruleHelpUri = (code: string): string => `${RULES_DOC_URL}#${code}`;
