// "Write compile_commands.json / .clangd": the BPF target flags for *.bpf.c, so clangd/cpptools parse them as the compiler does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { bpfTargetFlags, findClang } from '../core/compile';
import { clangdWithFragment, mergeCompileCommands } from './compile-db';
import type { Ctx } from './ctx';

export async function writeCompileCommands(ctx: Ctx): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    void vscode.window.showWarningMessage('XDP Metadata: open a folder first.');
    return;
  }
  const pick = await vscode.window.showQuickPick([
    { label: 'compile_commands.json', description: 'one entry per *.bpf.c (clangd, cpptools, other tools)', which: ['json'] },
    { label: '.clangd', description: 'a path-matched fragment with the BPF flags (clangd only, covers new files too)', which: ['clangd'] },
    { label: 'Both', which: ['json', 'clangd'] },
  ], { title: 'XDP Metadata: Write compile_commands.json / .clangd' });
  if (!pick) return;
  try {
    // Discovering clang runs it: only in a trusted workspace; otherwise name the configured or default one.
    const clang = ctx.trusted ? (await findClang({ configured: ctx.config.clangPath || undefined }).catch(() => undefined))?.path : undefined;
    const compiler = clang ?? (ctx.config.clangPath || 'clang');
    const flags = [...bpfTargetFlags(), ...ctx.config.includePaths.flatMap((p) => ['-I', path.resolve(folder, p)]), ...ctx.config.extraFlags];
    const written: string[] = [];
    if (pick.which.includes('json')) {
      const files = (await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**')).map((u) => u.fsPath).sort();
      writeFileSync(path.join(folder, 'compile_commands.json'), JSON.stringify(mergeCompileCommands(folder, files, compiler, flags), null, 2) + '\n');
      written.push(`compile_commands.json (${files.length} file${files.length === 1 ? '' : 's'})`);
    }
    if (pick.which.includes('clangd')) {
      const file = path.join(folder, '.clangd');
      writeFileSync(file, clangdWithFragment(existsSync(file) ? readFileSync(file, 'utf8') : '', flags));
      written.push('.clangd');
    }
    ctx.output.info(`wrote ${written.join(' and ')} in ${folder}`);
    void vscode.window.showInformationMessage(`XDP Metadata: wrote ${written.join(' and ')}.`);
  } catch (e) {
    ctx.showError('writing the compile database', e);
  }
}
