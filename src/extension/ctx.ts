// The extension's context: output channel, settings, language client, target and last result, shared by every feature.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CheckResult } from '../shared/protocol';
import { Config, type Target } from './config';
import { toastLine } from './toast-text';

export type CommandFactory = (ctx: Ctx) => (...args: any[]) => unknown;

export class Ctx {
  readonly config = new Config();
  readonly output: vscode.LogOutputChannel;
  client?: LanguageClient;
  /** The newest check result, and the newest per document (the status bar shows the active editor's). */
  lastResult?: CheckResult;
  readonly results = new Map<string, CheckResult>();
  /** BTF fetched from a remote target, by host name (local targets use the running kernel's). */
  readonly remoteBtf = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the target, the trust state or a check result changes (the status bar listens). */
  readonly onDidChange = this.changed.event;

  constructor(readonly extCtx: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('XDP Metadata', { log: true });
    this.pushCleanup(this.output, this.changed);
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  get target(): Target {
    return this.config.target;
  }

  /** Absolute path of a file shipped in the extension (dist/cli.js, bpf-templates/...). */
  asset(rel: string): string {
    return this.extCtx.asAbsolutePath(rel);
  }

  pushCleanup(...d: vscode.Disposable[]): void {
    this.extCtx.subscriptions.push(...d);
  }

  fireChanged(): void {
    this.changed.fire();
  }

  setResult(r: CheckResult): void {
    this.lastResult = r;
    this.results.set(r.uri, r);
    this.changed.fire();
  }

  /** The newest check result of a document (by URI string), if it was checked. */
  resultFor(uri: string): CheckResult | undefined {
    return this.results.get(uri);
  }

  /** False (and a message saying why) in an untrusted workspace: nothing that runs a tool may start there. */
  requireTrust(what: string): boolean {
    if (this.trusted) return true;
    void vscode.window.showWarningMessage(
      `XDP Metadata: ${what} is disabled in Restricted Mode: it would run a compiler or reach a remote host. Trust this workspace to enable it.`,
      'Manage Workspace Trust',
    ).then((pick) => { if (pick) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  }

  /** Reports an error to the user (one line) and the output channel (the full text). */
  showError(what: string, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.output.error(`${what}: ${msg}`);
    void vscode.window.showErrorMessage(`XDP Metadata: ${toastLine(`${what}: ${msg}`)}`, 'Show Output')
      .then((pick) => { if (pick) this.output.show(true); });
  }
}
