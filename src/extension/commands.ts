// The command table: every command the manifest contributes, mapped to the feature that implements it.
import { Commands, type CommandId } from '../shared/protocol';
import { checkCurrentFile } from './check';
import { restartServer } from './client';
import { writeCompileCommands } from './compile-commands';
import type { Ctx, CommandFactory } from './ctx';
import { runDoctor } from './doctor';
import { stopCaptures } from './panels-hook';
import { runOnHost } from './run-on-host';
import { selectTarget } from './target';
import { setTargetBtf } from './target-btf';
import { newProjectFromTemplate } from './templates';
import { loadAndShowVerifierLog, openVerifierLogViewer } from './verifier-log';
import { generateVmlinuxH } from './vmlinux';
import { runKernelMatrix } from './matrix-view';

export const commandTable: Record<CommandId, CommandFactory> = {
  [Commands.checkCurrentFile]: (ctx) => (args) => checkCurrentFile(ctx, args),
  [Commands.loadAndShowVerifierLog]: (ctx) => (args) => loadAndShowVerifierLog(ctx, args),
  [Commands.openVerifierLogViewer]: (ctx) => (uri) => openVerifierLogViewer(ctx, uri),
  [Commands.runOnHost]: (ctx) => (args) => runOnHost(ctx, args),
  [Commands.stopCapture]: (ctx) => () => stopCaptures(ctx),
  [Commands.selectTarget]: (ctx) => () => selectTarget(ctx),
  [Commands.generateVmlinuxH]: (ctx) => (args) => generateVmlinuxH(ctx, args),
  [Commands.writeCompileCommands]: (ctx) => () => writeCompileCommands(ctx),
  [Commands.newProjectFromTemplate]: (ctx) => () => newProjectFromTemplate(ctx),
  [Commands.restartServer]: (ctx) => async () => {
    await restartServer(ctx);
    ctx.output.info('language server restarted');
  },
  [Commands.showOutput]: (ctx) => () => ctx.output.show(true),
  [Commands.setTargetBtf]: (ctx) => (args) => setTargetBtf(ctx, args),
  [Commands.runKernelMatrix]: (ctx) => (uri?: unknown) => runKernelMatrix(ctx, uri instanceof Object && 'fsPath' in uri ? uri as never : undefined),
  [Commands.runDoctor]: (ctx) => () => runDoctor(ctx),
};

export function commandIds(): CommandId[] {
  return Object.keys(commandTable) as CommandId[];
}

export type { Ctx };
