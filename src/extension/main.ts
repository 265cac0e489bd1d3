// Entry of dist/extension.js: builds the context, registers the command table, activates each feature.
import * as vscode from 'vscode';
import * as activeEditor from './active-editor';
import * as client from './client';
import * as panels from './panels-hook';
import { commandTable } from './commands';
import { Ctx } from './ctx';
import * as ruleHelp from './rule-help';
import * as status from './status';
import * as target from './target';
import * as trust from './trust';
import * as verifierDiagnostics from './verifier-diagnostics';
import * as matrixView from './matrix-view';

/** What activate returns: the context, for tests and for other extensions. */
export interface XdpMetaApi {
  ctx: Ctx;
}

export function activate(context: vscode.ExtensionContext): XdpMetaApi {
  const t0 = performance.now();
  const ctx = new Ctx(context);
  for (const [id, factory] of Object.entries(commandTable)) {
    const run = factory(ctx);
    ctx.pushCleanup(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (e) {
        ctx.showError(`command ${id} failed`, e);
        return undefined;
      }
    }));
  }
  for (const feature of [trust, target, activeEditor, status, panels, verifierDiagnostics, matrixView, ruleHelp, client]) feature.activate(ctx);
  ctx.output.info(`activated in ${(performance.now() - t0).toFixed(1)} ms (${ctx.trusted ? 'trusted' : 'restricted'} workspace)`);
  return { ctx };
}

export function deactivate(): Thenable<void> | undefined {
  // The client is stopped through the context's subscriptions.
  return undefined;
}
