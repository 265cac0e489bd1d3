// "New Project from Template": copies one of bpf-templates/ into a folder the user picks, then offers to open it.
import { cpSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listTemplates } from '../core/compile';
import type { Ctx } from './ctx';

export async function newProjectFromTemplate(ctx: Ctx): Promise<string | undefined> {
  const templates = listTemplates(ctx.asset('bpf-templates'));
  if (templates.length === 0) {
    void vscode.window.showErrorMessage('XDP Metadata: no templates found in this installation (bpf-templates/ is empty).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    templates.map((t) => ({ label: t.title, description: t.name, detail: t.summary, t })),
    { title: 'XDP Metadata: New Project from Template', matchOnDetail: true },
  );
  if (!pick) return undefined;
  const parent = await vscode.window.showOpenDialog({
    canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Create Project Here',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!parent?.[0]) return undefined;
  const dest = path.join(parent[0].fsPath, pick.t.name);
  if (existsSync(dest)) {
    void vscode.window.showErrorMessage(`XDP Metadata: ${dest} already exists; pick another folder.`);
    return undefined;
  }
  try {
    cpSync(pick.t.dir, dest, { recursive: true, filter: (src) => !src.endsWith('.o') });
  } catch (e) {
    ctx.showError(`copying the template to ${dest}`, e);
    return undefined;
  }
  ctx.output.info(`new project ${pick.t.name} in ${dest}`);
  const action = await vscode.window.showInformationMessage(`XDP Metadata: created ${pick.t.title} in ${dest}`, 'Open Folder', 'Add to Workspace');
  if (action === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dest), { forceNewWindow: false });
  else if (action === 'Add to Workspace') vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: vscode.Uri.file(dest) });
  return dest;
}
