// Status bar item: the target and the active editor's check result; "restricted" in an untrusted workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, type CheckResult } from '../shared/protocol';
import { isBpfSource } from './active-editor';
import type { Ctx } from './ctx';

export const STATUS_ITEM_ID = 'xdpMeta.status';

export function activate(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 10);
  item.name = 'XDP Metadata';
  item.command = Commands.selectTarget;
  const update = () => render(ctx, item);
  ctx.pushCleanup(item, ctx.onDidChange(update), vscode.window.onDidChangeActiveTextEditor(update));
  update();
  item.show();
}

/** The result to show: the active editor's, when it is a BPF source (none yet: "not checked yet"). */
function activeResult(ctx: Ctx): { file?: string; result?: CheckResult } {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || !isBpfSource(ctx, doc)) return {};
  return { file: path.basename(doc.uri.fsPath), result: ctx.resultFor(doc.uri.toString()) };
}

function render(ctx: Ctx, item: vscode.StatusBarItem): void {
  const target = ctx.target.name;
  const { file, result: r } = activeResult(ctx);
  if (!ctx.trusted) {
    // Once the server has answered for a document, say that nothing was checked (and why, in the tooltip).
    item.text = `$(workspace-untrusted) XDP: ${target} · restricted${r?.status === 'untrusted' ? ' · not checked' : ''}`;
    item.tooltip = 'XDP Metadata — Restricted Mode: no compiler, loader or remote command runs in an untrusted workspace, so there are no diagnostics. Hovers and code lenses still work. Trust the workspace to enable checking.';
    item.accessibilityInformation = { label: `XDP Metadata: target ${target}, restricted mode` };
    item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    return;
  }
  item.backgroundColor = undefined;
  let result = '';
  let detail = file ? `${file}: not checked yet.` : 'No BPF source in the active editor.';
  if (r) {
    const timing = `compile ${Math.round(r.compileMs)} ms, check ${Math.round(r.checkMs)} ms`;
    if (r.status === 'no-clang') { result = ' · $(error) no clang'; detail = r.detail ?? 'No clang found.'; }
    else if (r.status === 'internal-error') { result = ' · $(bug) failed'; detail = `The analysis of ${file} failed: ${r.detail ?? ''}`; }
    else {
      result = r.errors ? ` · $(error) ${r.errors}` : r.warnings ? ` · $(warning) ${r.warnings}` : ' · $(check)';
      detail = `${file}: ${r.status === 'compile-failed' ? 'clang failed' : 'compiled and checked'} — ${r.errors} error(s), ${r.warnings} warning(s), ${r.infos} info (${timing})${r.detail ? `\n${r.detail}` : ''}`;
    }
  }
  item.text = `$(server-environment) XDP: ${target}${result}`;
  item.tooltip = `XDP Metadata — target: ${target === 'local' ? 'this machine\'s kernel' : target}\n${detail}\nClick to select the target.`;
  item.accessibilityInformation = { label: `XDP Metadata: target ${target}${r ? `, ${file}: ${r.errors} errors` : ''}` };
}
