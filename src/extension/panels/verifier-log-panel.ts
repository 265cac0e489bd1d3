// The verifier log viewer panel: opens a log in a webview, answers its page/search/trace requests, survives reloads.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  parseVerifierLogViewState,
  VERIFIER_LOG_VIEW_TYPE,
  type VerifierLogFromWebview,
  type VerifierLogToWebview,
  type VerifierLogViewState,
} from '../../shared/webview-protocol';
import { openLogFileOffThread, openLogTextOffThread } from './verifier-log-core';
import type { LogDocument } from './verifier-log-document';
import { VerifierLogSession } from './verifier-log-session';
import { makeNonce, webviewHtml } from './webview-html';

/** Programmatic / command-URI entry: `{ uri?, text?, title?, insn? }` (diagnostic links, failed loads). */
export const SHOW_LOG_COMMAND = 'xdpMeta.showVerifierLog';

export interface ShowVerifierLogArgs {
  /** A log file (URI string or Uri). */
  uri?: string | vscode.Uri;
  /** A log held in memory (e.g. a failed load's); saved under the extension's storage so a reload can reopen it. */
  text?: string;
  title?: string;
  /** Reveal this instruction (its row on the failing path). */
  insn?: number;
}

const panels = new Map<string, VerifierLogPanel>();

class VerifierLogPanel {
  private session?: VerifierLogSession;
  private loading?: Promise<VerifierLogSession>;
  private pendingInsn?: number;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly title: string,
  ) {
    panel.webview.options = webviewOptions(context);
    panel.webview.html = html(context, panel.webview, title);
    panel.webview.onDidReceiveMessage((m: VerifierLogFromWebview) => this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panels.set(uri.toString(), this);
  }

  /** Parses the log once per panel; a reload of the webview reuses it. */
  private load(): Promise<VerifierLogSession> {
    this.loading ??= (async () => {
      const doc = await loadDocument(this.uri);
      this.session = new VerifierLogSession(doc, this.uri.toString(), this.title);
      return this.session;
    })();
    return this.loading;
  }

  private post(m: VerifierLogToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: VerifierLogFromWebview): Promise<void> {
    try {
      if (m.type === 'ready') {
        const s = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: `Parsing ${this.title}` },
          () => this.load(),
        );
        this.post(s.init(parseVerifierLogViewState(m.state)));
        if (this.pendingInsn !== undefined) this.reveal(this.pendingInsn);
        return;
      }
      if (m.type === 'openSource') {
        await openSource(this.uri, m.file, m.line);
        return;
      }
      const reply = this.session?.handle(m);
      if (reply) this.post(reply);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.post({ type: 'error', message: `Cannot show ${this.title}: ${msg}` });
    }
  }

  reveal(insn: number): void {
    if (!this.session) {
      this.pendingInsn = insn;
      return;
    }
    this.pendingInsn = undefined;
    this.post(this.session.reveal(insn));
  }

  dispose(): void {
    panels.delete(this.uri.toString());
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
  };
}

function html(context: vscode.ExtensionContext, webview: vscode.Webview, title: string): string {
  const res = (...p: string[]): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', ...p)).toString();
  return webviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: res('verifier-log.js'),
    styleUri: res('verifier-log.css'),
    codiconUri: res('codicons', 'codicon.css'),
    title,
  });
}

/** The parser runs in a worker (dist/log-worker.js beside this bundle): a hostile log cannot stall the extension host. */
const LOG_WORKER = path.join(__dirname, 'log-worker.js');

async function loadDocument(uri: vscode.Uri): Promise<LogDocument> {
  if (uri.scheme === 'file') return openLogFileOffThread(uri.fsPath, LOG_WORKER);
  const bytes = await vscode.workspace.fs.readFile(uri);
  return openLogTextOffThread(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), uri.toString(), LOG_WORKER);
}

/** Opens (or reveals) the viewer for a log file. */
export function showVerifierLogFile(
  context: vscode.ExtensionContext,
  uri: vscode.Uri,
  opts: { title?: string; insn?: number } = {},
): void {
  const existing = panels.get(uri.toString());
  if (existing) {
    existing.panel.reveal();
    if (opts.insn !== undefined) existing.reveal(opts.insn);
    return;
  }
  const title = opts.title ?? path.basename(uri.path);
  const panel = vscode.window.createWebviewPanel(VERIFIER_LOG_VIEW_TYPE, title, vscode.ViewColumn.Active, webviewOptions(context));
  const p = new VerifierLogPanel(context, panel, uri, title);
  if (opts.insn !== undefined) p.reveal(opts.insn);
}

/**
 * Opens the viewer for a log (a file, or text such as a failed load's log). Text is written once per
 * content hash under the extension's global storage, so the panel can be restored after a reload.
 * Returns the log's URI (for links back to it, e.g. a diagnostic's).
 */
export async function showVerifierLog(context: vscode.ExtensionContext, args: ShowVerifierLogArgs): Promise<vscode.Uri> {
  let uri: vscode.Uri;
  if (args.uri !== undefined) uri = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri;
  else if (args.text !== undefined) {
    const hash = createHash('sha256').update(args.text).digest('hex').slice(0, 16);
    const dir = vscode.Uri.joinPath(context.globalStorageUri, 'verifier-logs');
    await vscode.workspace.fs.createDirectory(dir);
    uri = vscode.Uri.joinPath(dir, `${hash}.vlog`);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(args.text, 'utf8'));
    await pruneSavedLogs(dir, uri);
  } else throw new Error('showVerifierLog needs a uri or the log text');
  showVerifierLogFile(context, uri, { title: args.title, insn: args.insn });
  return uri;
}

/** Keeps the newest SAVED_LOGS_KEPT saved logs (a restored panel may still need a recent one). */
const SAVED_LOGS_KEPT = 50;
async function pruneSavedLogs(dir: vscode.Uri, keep: vscode.Uri): Promise<void> {
  try {
    const entries = (await vscode.workspace.fs.readDirectory(dir)).filter(([n]) => n.endsWith('.vlog'));
    if (entries.length <= SAVED_LOGS_KEPT) return;
    const stats = await Promise.all(entries.map(async ([n]) => {
      const u = vscode.Uri.joinPath(dir, n);
      return { u, mtime: (await vscode.workspace.fs.stat(u)).mtime };
    }));
    stats.sort((a, b) => b.mtime - a.mtime);
    for (const { u } of stats.slice(SAVED_LOGS_KEPT)) {
      if (u.toString() !== keep.toString() && !panels.has(u.toString())) await vscode.workspace.fs.delete(u);
    }
  } catch {
    // Pruning is housekeeping: never fail the open for it.
  }
}

/** Resolves a `; ... @ file:line` name: absolute, beside the log, or found in the workspace. */
async function openSource(logUri: vscode.Uri, file: string, line: number): Promise<void> {
  const candidates: vscode.Uri[] = [];
  if (path.isAbsolute(file)) candidates.push(vscode.Uri.file(file));
  if (logUri.scheme === 'file') candidates.push(vscode.Uri.file(path.resolve(path.dirname(logUri.fsPath), file)));
  for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, file));
  let target: vscode.Uri | undefined;
  for (const c of candidates) {
    try {
      await vscode.workspace.fs.stat(c);
      target = c;
      break;
    } catch {
      // not there; try the next place
    }
  }
  if (!target) {
    const found = await vscode.workspace.findFiles(`**/${path.basename(file)}`, '**/node_modules/**', 20);
    target = found.find((u) => u.path.endsWith(`/${file}`)) ?? found[0];
  }
  if (!target) {
    void vscode.window.showWarningMessage(`XDP Metadata: cannot find ${file} in the workspace (the verifier log names it at line ${line}).`);
    return;
  }
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(target, {
    selection: new vscode.Range(pos, pos),
    viewColumn: vscode.ViewColumn.One,
    preview: true,
  });
}

/**
 * Registers the viewer's panel serializer (so open viewers come back after a reload) and the internal
 * SHOW_LOG_COMMAND (`{ uri?, text?, title?, insn? }`, for command links and failed loads). Call once
 * from `activate`. The palette command (xdpMeta.openVerifierLogViewer) stays in the extension's command
 * table and ends in `showVerifierLogFile`.
 */
export function registerVerifierLogViewer(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, (args: ShowVerifierLogArgs) => showVerifierLog(context, args ?? {})),
    vscode.window.registerWebviewPanelSerializer(VERIFIER_LOG_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const st: VerifierLogViewState | undefined = parseVerifierLogViewState(state);
        if (!st) {
          panel.dispose(); // nothing to restore from
          return;
        }
        const uri = vscode.Uri.parse(st.uri);
        const open = panels.get(uri.toString());
        if (open) {
          panel.dispose();
          open.panel.reveal();
          return;
        }
        new VerifierLogPanel(context, panel, uri, panel.title || path.basename(uri.path));
      },
    }),
  );
}
