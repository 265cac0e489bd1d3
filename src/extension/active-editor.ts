// Whether a document is a BPF source the server handles, and the `xdpMeta.bpfSource` context key the palette's `when` clauses use.
import * as vscode from 'vscode';
import { BPF_C_GLOB } from '../shared/protocol';
import type { Ctx } from './ctx';

export const BPF_SOURCE_CONTEXT = 'xdpMeta.bpfSource';

/** True for `*.bpf.c` files and files matching `xdpMeta.documentSelector` (the client's document selector). */
export function isBpfSource(ctx: Ctx, doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file') return false;
  const globs = [BPF_C_GLOB, ...ctx.config.documentGlobs];
  return vscode.languages.match(globs.map((pattern) => ({ scheme: 'file', pattern })), doc) > 0;
}

export function activate(ctx: Ctx): void {
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    void vscode.commands.executeCommand('setContext', BPF_SOURCE_CONTEXT, doc !== undefined && isBpfSource(ctx, doc));
  };
  ctx.pushCleanup(
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('xdpMeta.documentSelector')) update(); }),
  );
  update();
}
