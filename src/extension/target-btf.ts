// "Set the Target BTF for Checking" (also the quick fix on CO-RE findings): writes xdpMeta.check.targetBtf, then the server re-checks.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

const SETTING = 'check.targetBtf';

export async function setTargetBtf(ctx: Ctx, args?: { uri?: string }): Promise<string | undefined> {
  const folder = (args?.uri ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.uri)) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
  const current = ctx.config.targetBtf;
  if (current) {
    const pick = await vscode.window.showQuickPick([
      { label: 'Pick a BTF file…', id: 'pick' },
      { label: 'Check against the target\'s kernel', description: `clears ${current}`, id: 'clear' },
    ], { title: 'XDP Metadata: the BTF the check resolves CO-RE against' });
    if (!pick) return undefined;
    if (pick.id === 'clear') {
      await write(folder, '');
      return '';
    }
  }
  const files = await vscode.window.showOpenDialog({
    title: 'XDP Metadata: BTF to check against (raw BTF, e.g. /sys/kernel/btf/vmlinux, or an object with .BTF)',
    openLabel: 'Check Against This BTF', canSelectFiles: true, canSelectFolders: false, canSelectMany: false,
    defaultUri: folder?.uri,
  });
  const file = files?.[0]?.fsPath;
  if (!file) return undefined;
  // Inside the workspace: a relative path, so the setting travels with the project.
  const rel = folder && !path.relative(folder.uri.fsPath, file).startsWith('..') ? path.relative(folder.uri.fsPath, file) : file;
  await write(folder, rel);
  ctx.output.info(`xdpMeta.check.targetBtf = ${rel}`);
  return rel;
}

async function write(folder: vscode.WorkspaceFolder | undefined, value: string): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('xdpMeta', folder?.uri);
  await cfg.update(SETTING, value, folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

/** The setting as an absolute path (relative values are relative to the first workspace folder, as the server reads them). */
export function targetBtfPath(ctx: Ctx): string {
  const v = ctx.config.targetBtf;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return v && root && !path.isAbsolute(v) ? path.join(root, v) : v;
}
