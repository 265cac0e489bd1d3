// "Load and Show Verifier Log" (also a code lens) and "Open Verifier Log Viewer".
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileBpf } from '../core/compile';
import { parseLogFile } from '../core/verifier/read';
import type { CodeLensArgs } from '../shared/protocol';
import { targetDocumentUri } from './check';
import { runCli } from './cli';
import type { Ctx } from './ctx';
import { pickLoadDevice } from './load-device';
import { newLoadLogPath } from './load-logs';
import { toastLine } from './toast-text';
import { showVerifierLog } from './panels-hook';
import { clearVerifierDiagnostics, reportVerifierFailure } from './verifier-diagnostics';

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
  const lens = args instanceof vscode.Uri ? undefined : args;
  // The object is scratch (removed below); the log stays in the extension's storage for the viewer.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-load-'));
  const obj = path.join(dir, name.replace(/\.c$/, '') + '.o');
  const log = newLoadLogPath(ctx.extCtx.globalStorageUri.fsPath, name);
  try {
    const compiled = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: compiling ${name}`, cancellable: true },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return compileBpf({
          file: uri.fsPath, source: doc.getText(), out: obj, includes: ctx.config.includePaths, extraFlags: ctx.config.extraFlags,
          clang: ctx.config.clangPath || undefined, cwd: path.dirname(uri.fsPath), signal: abort.signal,
        });
      },
    );
    if (!compiled.ok) {
      void vscode.window.showErrorMessage(`XDP Metadata: ${name} does not compile; fix the errors in the Problems view first.`);
      return;
    }
    // A program calling bpf_xdp_metadata_rx_* is rejected unless it is bound to a device.
    const device = await pickLoadDevice(ctx, readFileSync(obj), name);
    if (device === null) return;
    if (device) ctx.output.info(`${name} calls metadata kfuncs: loading it device-bound to ${device.dev} (${device.reason})`);
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: loading ${name}${device ? ` bound to ${device.dev}` : ''}`, cancellable: true },
      (progress, token) => {
        progress.report({ message: 'loading into the kernel (verifier log level 2)' });
        const cli = ['load', obj, '--log-level', '2', '--log', log, ...(lens?.functionName ? ['--program', lens.functionName] : []),
          ...(device ? ['--dev', device.dev] : [])];
        return runCli(ctx, cli, token);
      },
    );
    if (run.code === 2 && /unknown command 'load'/.test(run.stderr)) {
      void vscode.window.showErrorMessage('XDP Metadata: this build has no loader (`xdp-meta load`).');
      return;
    }
    // The CLI names the object it loaded, a scratch path: the toast names the source instead.
    const summary = toastLine(((run.stdout || run.stderr).trim().split('\n')[0] ?? '').replace(`${obj}: `, ''));
    const bound = /device-bound to (\S+)/.exec(summary)?.[1];
    if (bound) ctx.output.info(`${name} was loaded device-bound to ${bound}`);
    if (run.code === 0) {
      clearVerifierDiagnostics(uri);
      void vscode.window.showInformationMessage(`XDP Metadata: ${name} loaded and unloaded. ${summary}`);
    } else {
      // The summary says who refused (libbpf or the kernel); do not presume the kernel.
      void vscode.window.showWarningMessage(`XDP Metadata: ${name} did not load. ${summary}`);
    }
    if (!existsSync(log)) {
      ctx.showError(`no verifier log was written for ${name}`, run.stderr.trim() || `exit ${run.code}`);
      return;
    }
    const logUri = vscode.Uri.file(log);
    showVerifierLog(ctx, logUri);
    if (run.code === 1) {
      await reportVerifierFailure(ctx, {
        source: uri, log: await parseLogFile(log, { level: 2 }), logUri,
        failure: /^.*?: load failed via \S+?(?:, device-bound to \S+)?: (.*)$/.exec(summary)?.[1] ?? summary, fallbackLine: lens?.line,
      });
    }
  } catch (e) {
    ctx.showError(`loading ${name}`, e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
