// "Load and Show Verifier Log" (also a code lens) and "Open Verifier Log Viewer".
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileBpf } from '../core/compile';
import type { CodeLensArgs } from '../shared/protocol';
import { targetDocumentUri } from './check';
import { runCli } from './cli';
import type { Ctx } from './ctx';
import { showVerifierLog } from './panels-hook';

export async function loadAndShowVerifierLog(ctx: Ctx, args?: CodeLensArgs | vscode.Uri): Promise<void> {
  const uri = targetDocumentUri(args);
  if (!uri) {
    void vscode.window.showInformationMessage('XDP Metadata: open a *.bpf.c file to load.');
    return;
  }
  if (!ctx.requireTrust('Loading a program')) return;
  if (ctx.target.kind === 'ssh') {
    void vscode.window.showInformationMessage(`XDP Metadata: the target is ${ctx.target.name}; loading there happens through "Run on Host", which shows the verifier log of a failed load.`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const name = path.basename(uri.fsPath);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-load-'));
  const obj = path.join(dir, name.replace(/\.c$/, '') + '.o');
  const log = path.join(dir, name.replace(/\.bpf\.c$|\.c$/, '') + '.verifier.log');
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: loading ${name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'compiling' });
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const compiled = await compileBpf({
          file: uri.fsPath, source: doc.getText(), out: obj, includes: ctx.config.includePaths, extraFlags: ctx.config.extraFlags,
          clang: ctx.config.clangPath || undefined, cwd: path.dirname(uri.fsPath), signal: abort.signal,
        });
        if (!compiled.ok) return { compiled: false as const };
        progress.report({ message: 'loading into the kernel (verifier log level 2)' });
        const program = args instanceof vscode.Uri ? undefined : args?.functionName;
        const cli = ['load', obj, '--log-level', '2', '--log', log, ...(program ? ['--program', program] : [])];
        return { compiled: true as const, run: await runCli(ctx, cli, token) };
      },
    );
    if (!outcome.compiled) {
      void vscode.window.showErrorMessage(`XDP Metadata: ${name} does not compile; fix the errors in the Problems view first.`);
      return;
    }
    const { run } = outcome;
    if (run.code === 2 && /unknown command 'load'/.test(run.stderr)) {
      void vscode.window.showErrorMessage('XDP Metadata: this build has no loader (`xdp-meta load`).');
      return;
    }
    const summary = (run.stdout || run.stderr).trim().split('\n')[0] ?? '';
    if (run.code === 0) void vscode.window.showInformationMessage(`XDP Metadata: ${name} loaded and unloaded. ${summary}`);
    else void vscode.window.showWarningMessage(`XDP Metadata: the kernel rejected ${name}. ${summary}`);
    if (existsSync(log)) showVerifierLog(ctx, vscode.Uri.file(log));
    else ctx.showError(`no verifier log was written for ${name}`, run.stderr.trim() || `exit ${run.code}`);
  } catch (e) {
    ctx.showError(`loading ${name}`, e);
  }
}

export async function openVerifierLogViewer(ctx: Ctx, arg?: vscode.Uri): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  const active = vscode.window.activeTextEditor?.document;
  if (!uri && active && (active.languageId === 'bpf-verifier-log' || /\.(vlog|verifier\.log)$/.test(active.fileName))) uri = active.uri;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Open Verifier Log',
      filters: { 'Verifier logs': ['vlog', 'log'], 'All files': ['*'] },
    });
    uri = picked?.[0];
  }
  if (uri) showVerifierLog(ctx, uri);
}
