// "Check Current File" (also the Check code lens): compile + check now through the server, with progress.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CheckNowRequest, type CheckResult, type CodeLensArgs } from '../shared/protocol';
import { startServer } from './client';
import type { Ctx } from './ctx';

/** The .bpf.c the command is about: the lens argument, else the active editor. */
export function targetDocumentUri(args?: CodeLensArgs | vscode.Uri): vscode.Uri | undefined {
  if (args instanceof vscode.Uri) return args;
  if (args?.uri) return vscode.Uri.parse(args.uri);
  return vscode.window.activeTextEditor?.document.uri;
}

export async function checkCurrentFile(ctx: Ctx, args?: CodeLensArgs | vscode.Uri): Promise<CheckResult | undefined> {
  const uri = targetDocumentUri(args);
  if (!uri) {
    void vscode.window.showInformationMessage('XDP Metadata: open a *.bpf.c file to check.');
    return undefined;
  }
  if (!ctx.requireTrust('Checking')) return undefined;
  await vscode.workspace.openTextDocument(uri);
  if (!ctx.client) await startServer(ctx);
  const name = path.basename(uri.fsPath);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: compiling and checking ${name}` },
    () => ctx.client!.sendRequest<CheckResult | null>(CheckNowRequest, { uri: uri.toString() }),
  );
  if (!result) {
    void vscode.window.showWarningMessage(`XDP Metadata: ${name} is not a BPF source (*.bpf.c or xdpMeta.documentSelector).`);
    return undefined;
  }
  ctx.setResult(result);
  const summary = `${result.errors} error(s), ${result.warnings} warning(s), ${result.infos} info`;
  if (result.errors) {
    void vscode.window.showWarningMessage(`XDP Metadata: ${name}: ${summary}`, 'Show Problems')
      .then((p) => { if (p) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
  } else {
    void vscode.window.showInformationMessage(`XDP Metadata: ${name}: ${summary} (compile ${Math.round(result.compileMs)} ms, check ${Math.round(result.checkMs)} ms)`);
  }
  return result;
}

/** Re-checks every open document the server handles, without messages (the results update diagnostics and the status bar). */
export async function recheckOpenDocuments(ctx: Ctx): Promise<void> {
  const client = ctx.client;
  if (!client || !ctx.trusted) return;
  await Promise.all(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) =>
    client.sendRequest<CheckResult | null>(CheckNowRequest, { uri: d.uri.toString() }).then((r) => { if (r) ctx.setResult(r); }, () => undefined)));
}
