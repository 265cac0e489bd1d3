// "Generate vmlinux.h": dumps the target's kernel BTF as C into the workspace (progress: it takes a few seconds).
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dumpC, kernelBtf, readBtfFile, type Btf } from '../core/btf';
import type { Ctx } from './ctx';
import { recheckOpenDocuments } from './check';
import { fetchRemoteBtf } from './target';
import { targetBtfPath } from './target-btf';

/** `args.uri` (the quick fix on "'vmlinux.h' file not found"): write it beside that file. */
export async function generateVmlinuxH(ctx: Ctx, args?: { uri?: string }): Promise<string | undefined> {
  const target = ctx.target;
  if (target.kind === 'ssh' && !ctx.requireTrust('Reading BTF from a remote host')) return undefined;
  const folder = args?.uri ? path.dirname(vscode.Uri.parse(args.uri).fsPath) : defaultFolder();
  if (!folder) {
    void vscode.window.showWarningMessage('XDP Metadata: open a folder first; vmlinux.h is written into the workspace.');
    return undefined;
  }
  const out = path.join(folder, 'vmlinux.h');
  if (existsSync(out)) {
    const ok = await vscode.window.showWarningMessage(`${path.relative(folder, out) || out} exists. Replace it?`, { modal: true }, 'Replace');
    if (ok !== 'Replace') return undefined;
  }
  try {
    const size = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: generating vmlinux.h from ${target.name === 'local' ? 'this kernel' : target.name}` },
      async (progress, token) => {
        let btf: Btf;
        if (ctx.config.targetBtf) btf = readBtfFile(targetBtfPath(ctx));
        else if (target.kind === 'ssh') {
          progress.report({ message: 'fetching BTF over ssh' });
          let file = ctx.remoteBtf.get(target.name);
          if (!file) ctx.remoteBtf.set(target.name, (file = await fetchRemoteBtf(ctx, target.host, token)));
          btf = readBtfFile(file);
        } else btf = kernelBtf();
        progress.report({ message: `dumping ${btf.count} types` });
        // Let the notification paint before the synchronous dump.
        await new Promise((r) => setTimeout(r, 0));
        const text = dumpC(btf);
        writeFileSync(out, text);
        return text.length;
      },
    );
    ctx.output.info(`wrote ${out} (${(size / 1e6).toFixed(1)} MB)`);
    // The files that could not find it compile now: do not leave the error up until the next save.
    void recheckOpenDocuments(ctx);
    const pick = await vscode.window.showInformationMessage(`XDP Metadata: wrote ${path.basename(out)} (${(size / 1e6).toFixed(1)} MB) to ${folder}`, 'Open');
    if (pick) await vscode.window.showTextDocument(vscode.Uri.file(out));
    return out;
  } catch (e) {
    ctx.showError('generating vmlinux.h', e);
    return undefined;
  }
}

/** The folder of the active *.bpf.c when inside the workspace, else the first workspace folder. */
export function defaultFolder(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)) return path.dirname(active.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}
