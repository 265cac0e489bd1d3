// The command table: every command the manifest contributes, mapped to the feature that implements it.
import { Commands, type CommandId } from '../shared/protocol';
import { checkCurrentFile } from './check';
import { restartServer } from './client';
import { writeCompileCommands } from './compile-commands';
import type { Ctx, CommandFactory } from './ctx';
import { stopCaptures } from './panels-hook';
import { runOnHost } from './run-on-host';
import { selectTarget } from './target';
import { newProjectFromTemplate } from './templates';
import { loadAndShowVerifierLog, openVerifierLogViewer } from './verifier-log';
import { generateVmlinuxH } from './vmlinux';

export const commandTable: Record<CommandId, CommandFactory> = {
  [Commands.checkCurrentFile]: (ctx) => (args) => checkCurrentFile(ctx, args),
  [Commands.loadAndShowVerifierLog]: (ctx) => (args) => loadAndShowVerifierLog(ctx, args),
  [Commands.openVerifierLogViewer]: (ctx) => (uri) => openVerifierLogViewer(ctx, uri),
  [Commands.runOnHost]: (ctx) => (args) => runOnHost(ctx, args),
  [Commands.stopCapture]: (ctx) => () => stopCaptures(ctx),
  [Commands.selectTarget]: (ctx) => () => selectTarget(ctx),
  [Commands.generateVmlinuxH]: (ctx) => () => generateVmlinuxH(ctx),
  [Commands.writeCompileCommands]: (ctx) => () => writeCompileCommands(ctx),
  [Commands.newProjectFromTemplate]: (ctx) => () => newProjectFromTemplate(ctx),
  [Commands.restartServer]: (ctx) => async () => {
    await restartServer(ctx);
    ctx.output.info('language server restarted');
  },
  [Commands.showOutput]: (ctx) => () => ctx.output.show(true),
};

export function commandIds(): CommandId[] {
  return Object.keys(commandTable) as CommandId[];
}

export type { Ctx };
