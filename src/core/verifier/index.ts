// Public surface of the verifier-log library: parser, model, explainer, loader.
export { LineKind, LINE_KIND_NAMES, lineKindName } from './kinds';
export { classifyLine, isErrorMessage, newClassifyResult, type ClassifyContext, type ClassifyResult } from './classify';
export { decodeInsn, parseSlot, slotName, InsnFlag, NO_SLOT, STACK_BASE } from './insn';
export { parseState, parseValue, type StateEntry } from './state';
export { VerifierLogParser, type ParserOptions } from './parser';
export {
  VerifierLog, type VerifierLogData, type VerifierStats, type VerifierSummary, type VerifierErrorInfo, type LineView,
  type HistoryStep, type SourceLoc,
} from './model';
export { parseLogText, parseLogFile } from './read';
export { BufferTextSource, FileTextSource, type LogTextSource } from './text-source';
export { explain, explainError, formatExplanation, type Explanation, type ExplanationId } from './explain';
export { extractProgramLogs, callsMetadataKfuncs, type VerifierLoader, type LoadOptions, type LoadResult, type ProgramLog } from './loader';
export { BpftoolLoader } from './bpftool-loader';
export { AgentLoader, agentAvailable } from './agent-loader';
