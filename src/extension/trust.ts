// Workspace trust: the server starts restricted (no compiler) and restarts with full features once trust is granted.
import * as vscode from 'vscode';
import { restartServer } from './client';
import type { Ctx } from './ctx';

export function activate(ctx: Ctx): void {
  if (!ctx.trusted) ctx.output.warn('Restricted Mode: no compiler, loader or remote command will run until the workspace is trusted.');
  ctx.pushCleanup(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    ctx.output.info('workspace trusted: restarting the language server with the compiler enabled');
    void restartServer(ctx);
    ctx.fireChanged();
  }));
}
