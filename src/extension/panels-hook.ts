// The seam to the webview panels (src/extension/panels/): the verifier log viewer and the live data_meta capture.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LiveCapture } from '../core/remote/session';
import { parseLogText } from '../core/verifier/read';
import { AgentError } from '../core/remote/errors';
import type { Target as RemoteTarget } from '../core/remote/transport';
import { LivePanel, openLiveCapture } from './panels/live-panel';
import { registerVerifierLogViewer, showVerifierLog as showLogPanel, showVerifierLogFile } from './panels/verifier-log-panel';
import type { RemoteHost } from './config';
import type { Ctx } from './ctx';
import { clearVerifierDiagnostics, reportVerifierFailure } from './verifier-diagnostics';

export function activate(ctx: Ctx): void {
  registerVerifierLogViewer(ctx.extCtx);
}

/** Opens a verifier log file in the viewer, optionally at an instruction. */
export function showVerifierLog(ctx: Ctx, log: vscode.Uri, insn?: number): void {
  showVerifierLogFile(ctx.extCtx, log, { insn });
  ctx.output.info(`verifier log: ${log.fsPath}`);
}

/** Opens a verifier log held in memory (a failed remote load's); returns where the viewer reads it from. */
export function showVerifierLogText(ctx: Ctx, text: string, title: string): Promise<vscode.Uri> {
  return showLogPanel(ctx.extCtx, { text, title });
}

export function remoteTarget(h: RemoteHost): RemoteTarget {
  return { kind: 'ssh', host: h.host, port: h.port, identity: h.identityFile, sudo: h.useSudo ? 'always' : 'auto' };
}

/**
 * Builds, uploads the agent, loads, attaches and captures `source` on the host, then shows rows in the live panel
 * (closing the panel detaches). A load the verifier rejects opens its log in the viewer.
 */
export async function startLiveCapture(
  ctx: Ctx, source: string, args: { host: RemoteHost; dev: string; program?: string; secLine?: number },
): Promise<void> {
  const name = path.basename(source);
  const start = (confirmSshInterface: boolean) => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: running ${name} on ${args.host.name} (${args.dev})` },
    (progress) => LiveCapture.start({
      target: remoteTarget(args.host), dev: args.dev, input: source, program: args.program, confirmSshInterface,
      clang: ctx.config.clangPath || undefined,
      onProgress: (m) => { progress.report({ message: m }); ctx.output.info(`run: ${m}`); },
    }),
  );
  let capture: LiveCapture;
  try {
    capture = await start(false);
  } catch (e) {
    if (e instanceof AgentError && e.code === 'ssh_interface') {
      const ok = await vscode.window.showWarningMessage(
        `${args.dev} carries the SSH session to ${args.host.host}: a program that drops packets there cuts the connection. Attach anyway?`,
        { modal: true }, 'Attach Anyway');
      if (ok !== 'Attach Anyway') return;
      try {
        capture = await start(true);
      } catch (e2) {
        return failed(ctx, source, args, e2);
      }
    } else return failed(ctx, source, args, e);
  }
  clearVerifierDiagnostics(vscode.Uri.file(source));
  LivePanel.onRunningChanged = () => void vscode.commands.executeCommand('setContext', 'xdpMeta.capturing', LivePanel.running.size > 0);
  openLiveCapture(ctx.extCtx, capture, {
    title: `Live: ${capture.info.program} on ${args.host.name}/${args.dev}`,
    restart: () => void startLiveCapture(ctx, source, args),
  });
}

/** "Stop Capture": stops every running capture (each detaches its program); their panels stay open and say so. */
export async function stopCaptures(ctx: Ctx): Promise<void> {
  const panels = [...LivePanel.running];
  if (!panels.length) {
    void vscode.window.showInformationMessage('XDP Metadata: no capture is running.');
    return;
  }
  await Promise.all(panels.map((p) => p.stop()));
  ctx.output.info(`stopped ${panels.length} capture${panels.length > 1 ? 's' : ''}`);
}

async function failed(ctx: Ctx, source: string, args: { host: RemoteHost; secLine?: number }, e: unknown): Promise<void> {
  const name = path.basename(source);
  const host = args.host;
  if (e instanceof AgentError && e.code === 'load_failed' && e.log) {
    void vscode.window.showWarningMessage(`XDP Metadata: ${host.name} rejected ${name}; the verifier log is open and the failing line is in the Problems view.`);
    const logUri = await showVerifierLogText(ctx, e.log, `${name} on ${host.name}`);
    // The capture wrapper #includes the source by its absolute path, so the log's line numbers are the file's own.
    await reportVerifierFailure(ctx, {
      source: vscode.Uri.file(source), log: parseLogText(e.log, { source: logUri.fsPath }), logUri, failure: e.message, fallbackLine: args.secLine,
    });
    return;
  }
  ctx.showError(`running ${name} on ${host.name}`, e);
}
