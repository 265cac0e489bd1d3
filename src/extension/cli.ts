// Runs the bundled `xdp-meta` CLI (dist/cli.js) with the extension host's Node, logging to the output channel.
import { spawn } from 'node:child_process';
import type * as vscode from 'vscode';
import type { Ctx } from './ctx';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Node args that run dist/cli.js; ELECTRON_RUN_AS_NODE makes VS Code's Electron binary behave as plain Node. */
export function cliInvocation(ctx: Ctx, args: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { file: process.execPath, args: [ctx.asset('dist/cli.js'), ...args], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } };
}

export function runCli(ctx: Ctx, args: string[], token?: vscode.CancellationToken, cwd?: string): Promise<CliRun> {
  const inv = cliInvocation(ctx, args);
  ctx.output.info(`xdp-meta ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(inv.file, inv.args, { env: inv.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; ctx.output.append(d); });
    token?.onCancellationRequested(() => child.kill());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
