// Code lenses above each program (`SEC("xdp")`, `SEC("tc")`, `SEC("tcx/ingress")`, ...): Check · Load and show verifier log · Run on host.
import type { CodeLens } from 'vscode-languageserver/node';
import { Commands, type CodeLensArgs } from '../shared/protocol';
import { findSecPrograms, isCaptureSection } from './c-scan';

export function codeLenses(uri: string, text: string): CodeLens[] {
  const out: CodeLens[] = [];
  for (const p of findSecPrograms(text)) {
    const args: CodeLensArgs = { uri, functionName: p.functionName, section: p.section, line: p.line };
    const range = { start: { line: p.line, character: 0 }, end: { line: p.line, character: 0 } };
    out.push(
      { range, command: { title: 'Check', command: Commands.checkCurrentFile, arguments: [args] } },
      { range, command: { title: 'Load and show verifier log', command: Commands.loadAndShowVerifierLog, arguments: [args] } },
    );
    // The live capture wraps XDP and TC entries only (src/core/remote/capture-wrap.ts).
    if (isCaptureSection(p.section)) out.push({ range, command: { title: 'Run on host', command: Commands.runOnHost, arguments: [args] } });
  }
  return out;
}
