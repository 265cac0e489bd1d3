// "Run on Host" (also a code lens): load the program on the selected SSH target and watch its data_meta live.
import * as vscode from 'vscode';
import type { CodeLensArgs } from '../shared/protocol';
import { targetDocumentUri } from './check';
import type { Ctx } from './ctx';
import { startLiveCapture } from './panels-hook';
import { interfaceFor } from './hosts';
import { selectTarget } from './target';

export async function runOnHost(ctx: Ctx, args?: CodeLensArgs | vscode.Uri): Promise<void> {
  const uri = targetDocumentUri(args);
  if (!uri) {
    void vscode.window.showInformationMessage('XDP Metadata: open a *.bpf.c file to run.');
    return;
  }
  if (!ctx.requireTrust('Running on a host')) return;
  let target = ctx.target;
  if (target.kind !== 'ssh') {
    const pick = await vscode.window.showInformationMessage(
      'XDP Metadata: Run on Host needs an SSH target (where the NIC is). Select one now?', 'Select Target');
    if (!pick) return;
    await selectTarget(ctx);
    target = ctx.target;
    if (target.kind !== 'ssh') return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  // From the host's probe, never a typed-in guess (defaultInterface in xdpMeta.remote.hosts skips the pick).
  const dev = await interfaceFor(ctx, target.host);
  if (!dev) return;
  const lens = args instanceof vscode.Uri ? undefined : args;
  await startLiveCapture(ctx, uri.fsPath, { host: target.host, dev, program: lens?.functionName, secLine: lens?.line });
}
