// The "Kernel Matrix" view: runs `xdp-meta matrix` for the open *.bpf.c against xdpMeta.matrix.kernels (on demand and on save).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MatrixReport } from '../core/matrix/types';
import { runCli } from './cli';
import type { Ctx } from './ctx';
import { matrixRows, type MatrixRow } from './matrix-rows';
import { SHOW_LOG_COMMAND, type ShowVerifierLogArgs } from './panels/verifier-log-panel';

export const MATRIX_VIEW = 'xdpMeta.kernelMatrix';

class MatrixTree implements vscode.TreeDataProvider<MatrixRow> {
  private rows: MatrixRow[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  set(rows: MatrixRow[]): void {
    this.rows = rows;
    this.changed.fire();
  }

  getChildren(row?: MatrixRow): MatrixRow[] {
    return row ? row.children ?? [] : this.rows;
  }

  getTreeItem(row: MatrixRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, row.children?.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    // A cell's click opens that kernel's verifier log in the viewer, at the error's instruction.
    if (row.open) {
      const args: ShowVerifierLogArgs = { uri: vscode.Uri.file(row.open.logFile), title: row.open.title, ...(row.open.insn !== null ? { insn: row.open.insn } : {}) };
      item.command = { command: SHOW_LOG_COMMAND, title: 'Open Verifier Log', arguments: [args] };
    }
    return item;
  }
}

let tree: MatrixTree | undefined;
let running: vscode.CancellationTokenSource | undefined;

function kernels(): string[] {
  return vscode.workspace.getConfiguration('xdpMeta').get<string[]>('matrix.kernels', []).filter((k) => k.trim() !== '');
}

/** "Run Kernel Matrix": the active *.bpf.c (or `uri`) against every kernel of xdpMeta.matrix.kernels. */
export async function runKernelMatrix(ctx: Ctx, uri?: vscode.Uri): Promise<void> {
  const file = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!file || !file.fsPath.endsWith('.c')) {
    void vscode.window.showInformationMessage('XDP Metadata: open a *.bpf.c file to run the kernel matrix.');
    return;
  }
  const ks = kernels();
  if (ks.length === 0) {
    const pick = await vscode.window.showInformationMessage('XDP Metadata: set xdpMeta.matrix.kernels (e.g. running, linux-image-6.1.0-…-cloud-amd64) to run the kernel matrix.', 'Open Settings');
    if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'xdpMeta.matrix.kernels');
    return;
  }
  if (!ctx.requireTrust('The kernel matrix')) return;
  running?.cancel();
  const cts = (running = new vscode.CancellationTokenSource());
  const name = path.basename(file.fsPath);
  const args = ['matrix', file.fsPath, ...ks.flatMap((k) => ['--kernel', k]), '--json',
    ...ctx.config.includePaths.flatMap((d) => ['-I', d]), ...(ctx.config.clangPath ? ['--clang', ctx.config.clangPath] : [])];
  const run = await vscode.window.withProgress(
    { location: { viewId: MATRIX_VIEW }, title: `Kernel matrix: ${name}` },
    () => vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `XDP Metadata: kernel matrix of ${name} on ${ks.length} kernels` },
      () => runCli(ctx, args, cts.token, path.dirname(file.fsPath))),
  );
  if (cts.token.isCancellationRequested) return;
  let report: MatrixReport;
  try {
    report = JSON.parse(run.stdout) as MatrixReport;
  } catch {
    ctx.showError(`the kernel matrix of ${name} failed`, run.stderr.trim().split('\n').filter((l) => /error/.test(l)).join('\n') || `exit ${run.code}`);
    return;
  }
  tree?.set(matrixRows(report));
  const failed = run.stderr.split('\n').filter((l) => l.startsWith('xdp-meta matrix: error:'));
  if (failed.length) ctx.output.warn(failed.join('\n'));
}

export function activate(ctx: Ctx): void {
  tree = new MatrixTree();
  ctx.pushCleanup(
    vscode.window.registerTreeDataProvider(MATRIX_VIEW, tree),
    // Re-run on save of the open file, when kernels are configured (cached results make unchanged objects instant).
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.fsPath.endsWith('.bpf.c') && kernels().length && ctx.trusted && vscode.window.activeTextEditor?.document === doc) {
        void runKernelMatrix(ctx, doc.uri);
      }
    }),
    { dispose: () => running?.cancel() },
  );
}
