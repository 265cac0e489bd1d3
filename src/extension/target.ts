// Target selection (this machine or a configured SSH host) and fetching a remote target's kernel BTF for the check.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pushSettings } from './client';
import type { RemoteHost } from './config';
import type { Ctx } from './ctx';
import { addHost, probeAndSave, unsavedSshConfigHosts } from './hosts';
import { readHostBtfBytes } from '../core/remote/host-btf';
import type { SshConfigHost } from '../core/remote/ssh-config';
import { KERNEL_BTF_PATH } from '../core/btf/load';
import { remoteTarget } from './panels-hook';

export function activate(ctx: Ctx): void {
  ctx.pushCleanup(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('xdpMeta.target') || e.affectsConfiguration('xdpMeta.remote.hosts')) ctx.fireChanged();
  }));
}

interface TargetPick extends vscode.QuickPickItem { name: string; host?: RemoteHost; ssh?: SshConfigHost; action?: 'add' | 'settings' }

export async function selectTarget(ctx: Ctx): Promise<void> {
  const current = ctx.target.name;
  const items: TargetPick[] = [
    { name: 'local', label: '$(vm) local', description: 'this machine\'s kernel (/sys/kernel/btf/vmlinux)', picked: current === 'local' },
    ...ctx.config.remoteHosts.map((h) => ({
      name: h.name, host: h, label: `$(remote) ${h.name}`,
      description: `${h.host}${h.port ? `:${h.port}` : ''}${h.useSudo ? ' (sudo -n)' : ''}${h.defaultInterface ? ` · ${h.defaultInterface}` : ''}`,
      picked: current === h.name,
    })),
    ...unsavedSshConfigHosts(ctx.config.remoteHosts).map((h) => ({
      name: h.alias, ssh: h, label: `$(remote) ${h.alias}`,
      description: `~/.ssh/config${h.hostName ? ` · ${h.user ? `${h.user}@` : ''}${h.hostName}` : ''}${h.port ? `:${h.port}` : ''} · probe and save`,
    })),
    { name: '', action: 'add', label: '$(add) Add host…', description: 'probe a host with the agent, then save it' },
    { name: '', action: 'settings', label: '$(gear) Configure SSH hosts…', description: 'xdpMeta.remote.hosts' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'XDP Metadata: Select Target', placeHolder: `current: ${current}` });
  if (!pick) return;
  if (pick.action === 'settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'xdpMeta.remote.hosts');
    return;
  }
  if ((pick.action === 'add' || pick.ssh) && !ctx.requireTrust('a remote target')) return;
  if (pick.action === 'add' || pick.ssh) {
    // The alias goes to ssh as is, so ~/.ssh/config (ProxyJump, IdentityFile, User) applies.
    const saved = pick.ssh ? await probeAndSave(ctx, { name: pick.ssh.alias, host: pick.ssh.alias }) : await addHost(ctx);
    if (!saved) return;
    pick.name = saved.name;
    pick.host = saved;
  }
  if (pick.host && !ctx.requireTrust('a remote target')) return;
  await ctx.config.setTarget(pick.name);
  if (pick.host) {
    try {
      const file = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: fetching kernel BTF from ${pick.host.host}`, cancellable: true },
        (_p, token) => fetchRemoteBtf(ctx, pick.host!, token),
      );
      ctx.remoteBtf.set(pick.name, file);
      ctx.output.info(`target ${pick.name}: kernel BTF in ${file}`);
    } catch (e) {
      ctx.showError(`reading the kernel BTF of ${pick.host.host}`, e);
    }
  }
  await pushSettings(ctx);
  ctx.fireChanged();
}

/** Copies /sys/kernel/btf/vmlinux of the host into the extension's storage; returns the local path. */
export async function fetchRemoteBtf(ctx: Ctx, h: RemoteHost, token?: vscode.CancellationToken): Promise<string> {
  const dir = path.join(ctx.extCtx.globalStorageUri.fsPath, 'btf');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${h.name.replace(/[^\w.-]/g, '_')}.btf`);
  const tmp = `${file}.${process.pid}.tmp`;
  // The run's own transport (ssh options, -F, known hosts, typed errors), so the editor and `run` agree.
  const abort = new AbortController();
  const sub = token?.onCancellationRequested(() => abort.abort());
  try {
    writeFileSync(tmp, await readHostBtfBytes(remoteTarget(h), KERNEL_BTF_PATH, 60_000, abort.signal));
    renameSync(tmp, file);
  } finally {
    sub?.dispose();
    rmSync(tmp, { force: true });
  }
  return file;
}
