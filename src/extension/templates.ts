// "New Project from Template": copies one of bpf-templates/ into a folder the user picks, prepares it, then offers to open it.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileBpf, listTemplates } from '../core/compile';
import type { Ctx } from './ctx';
import { templateItem } from './template-items';

export async function newProjectFromTemplate(ctx: Ctx): Promise<string | undefined> {
  const templates = listTemplates(ctx.asset('bpf-templates'));
  if (templates.length === 0) {
    void vscode.window.showErrorMessage('XDP Metadata: no templates found in this installation (bpf-templates/ is empty).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(templates.map(templateItem),
    { title: 'XDP Metadata: New Project from Template', placeHolder: 'The template to copy into a new folder', matchOnDescription: true, matchOnDetail: true });
  if (!pick) return undefined;
  const parent = await vscode.window.showOpenDialog({
    title: `XDP Metadata: folder to create ${pick.t.name} in`,
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
    await buildTargetBtf(ctx, dest);
  } catch (e) {
    ctx.showError(`creating the project in ${dest}`, e);
    return undefined;
  }
  ctx.output.info(`new project ${pick.t.name} in ${dest}`);
  const action = await vscode.window.showInformationMessage(`XDP Metadata: created ${pick.label} in ${dest}`, 'Open Folder', 'Add to Workspace');
  if (action === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dest), { forceNewWindow: false });
  else if (action === 'Add to Workspace') vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: vscode.Uri.file(dest) });
  return dest;
}

/**
 * A template whose `.vscode/settings.json` points `xdpMeta.check.targetBtf` at an object it ships the source of
 * (xdp-hints-core's stand-in kernel): build that object now, so the project opens checked against it.
 */
async function buildTargetBtf(ctx: Ctx, dest: string): Promise<void> {
  const settingsFile = path.join(dest, '.vscode', 'settings.json');
  if (!existsSync(settingsFile)) return;
  if (!ctx.trusted) {
    ctx.output.warn(`${dest}: Restricted Mode, so clang did not run; build the stand-in target BTF with make (see README.md)`);
    return;
  }
  const target = (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)['xdpMeta.check.targetBtf'];
  if (typeof target !== 'string' || !target.endsWith('.o') || path.isAbsolute(target)) return;
  const source = path.join(dest, target.replace(/\.o$/, '.c'));
  if (!existsSync(source)) return;
  const r = await compileBpf({ file: source, out: path.join(dest, target), clang: ctx.config.clangPath || undefined, cwd: dest });
  if (!r.ok) throw new Error(`${path.basename(source)} did not compile: ${r.diagnostics.find((d) => d.severity === 'error')?.message ?? r.stderr.trim()}`);
}
