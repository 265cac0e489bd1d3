// Public entry of the metadata check: runCheck, the rule table, output formats.
export * from './types';
export { runCheck, compareDiagnostics, loadTargetBtf } from './run';
export { RULES, ruleHelpUri, RULES_DOC_URL } from './rules/index';
export { formatText, formatJson, formatSarif } from './format';
export { XDP_METADATA_KFUNCS, kfuncInfo } from './kfuncs';
export { XDP_LAYOUT, SKB_LAYOUT, layoutFromBtf } from './ctx-layout';
