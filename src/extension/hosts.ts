// SSH hosts for the target picker: ~/.ssh/config aliases, "Add host…" that probes the host with the agent and saves it, interface choice from the probe.
import * as vscode from 'vscode';
import { AgentClient } from '../core/remote/client';
import type { ProbeInterface, ProbeReply } from '../core/remote/protocol';
import { sshConfigHosts, type SshConfigHost } from '../core/remote/ssh-config';
import { startAgent } from '../core/remote/transport';
import type { RemoteHost } from './config';
import type { Ctx } from './ctx';
import { remoteTarget } from './panels-hook';

/** ~/.ssh/config aliases (with Includes) not yet in xdpMeta.remote.hosts. */
export function unsavedSshConfigHosts(saved: readonly RemoteHost[]): SshConfigHost[] {
  const known = new Set(saved.flatMap((h) => [h.name, h.host]));
  return sshConfigHosts().filter((h) => !known.has(h.alias));
}

/** Starts the agent on the host over ssh and asks it for kernel, BTF, privileges and interfaces. */
export async function probeHost(h: RemoteHost, token?: vscode.CancellationToken): Promise<ProbeReply> {
  const client = await AgentClient.connect(await startAgent(remoteTarget(h)));
  token?.onCancellationRequested(() => void client.kill());
  try {
    return await client.request({ op: 'probe' });
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** One line for an interface: driver, attached XDP mode and the RX metadata the driver offers. */
export function describeInterface(i: ProbeInterface): string {
  const parts = [i.driver ?? 'no driver name'];
  if (i.xdp && i.xdp.mode !== 'none') parts.push(`XDP ${i.xdp.mode} attached`);
  if (i.xdp_features?.length) parts.push(`XDP: ${i.xdp_features.join(', ')}`);
  parts.push(i.xdp_rx_metadata_features?.length ? `rx metadata: ${i.xdp_rx_metadata_features.join(', ')}` : 'no rx metadata kfuncs');
  return parts.join(' · ');
}

/** Probes `h` (with progress), then saves it to xdpMeta.remote.hosts. Returns the saved host, or undefined on failure/cancel. */
export async function probeAndSave(ctx: Ctx, h: RemoteHost): Promise<RemoteHost | undefined> {
  let probe: ProbeReply;
  try {
    probe = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: probing ${h.host} (uploads the agent once)`, cancellable: true },
      (_p, token) => probeHost(h, token),
    );
  } catch (e) {
    ctx.showError(`probing ${h.host}`, e);
    return undefined;
  }
  const saved: RemoteHost = { ...h };
  const iface = await pickInterface(probe, h.host);
  if (iface) saved.defaultInterface = iface;
  await ctx.config.addRemoteHost(saved);
  ctx.output.info(`added host ${saved.name}: ${probe.kernel}, BTF ${probe.btf.present ? 'present' : 'missing'}, ` +
    `${probe.interfaces.length} interfaces${iface ? `, default ${iface}` : ''}`);
  if (!probe.btf.present) {
    void vscode.window.showWarningMessage(`XDP Metadata: ${h.host} has no kernel BTF at ${probe.btf.path}: CO-RE programs will not load there.`);
  }
  return saved;
}

/** "Add host…": asks for an ssh destination (alias, host or user@host, optional :port), then probes and saves it. */
export async function addHost(ctx: Ctx): Promise<RemoteHost | undefined> {
  const dest = await vscode.window.showInputBox({
    title: 'XDP Metadata: Add SSH Host', prompt: 'An ~/.ssh/config alias, host or user@host (optionally :port); the agent probes it before it is saved',
    validateInput: (v) => (/^[\w.@-]+(:\d{1,5})?$/.test(v.trim()) ? undefined : 'alias, host or user@host, e.g. root@lab-box:2222'),
  });
  if (!dest) return undefined;
  const [host, port] = dest.trim().split(':');
  return probeAndSave(ctx, { name: host!, host: host!, port: port ? Number(port) : undefined });
}

/**
 * The interface to attach to, chosen from the probe (never typed in): the interface carrying the SSH
 * session is marked, loopback and the like are listed last.
 */
export async function pickInterface(probe: ProbeReply, host: string): Promise<string | undefined> {
  const items = probe.interfaces
    .slice()
    .sort((a, b) => Number(a.name === 'lo') - Number(b.name === 'lo') || a.ifindex - b.ifindex)
    .map((i) => ({
      label: i.name,
      description: `${i.ifindex === probe.ssh_ifindex ? '(carries this SSH session) ' : ''}ifindex ${i.ifindex}`,
      detail: describeInterface(i),
    }));
  const pick = await vscode.window.showQuickPick(items, {
    title: `XDP Metadata: interface on ${host}`, placeHolder: `${probe.kernel} — the interface to attach XDP programs to`,
  });
  return pick?.label;
}

/** The interface for a run on `h`: its saved default, else a pick from a fresh probe. */
export async function interfaceFor(ctx: Ctx, h: RemoteHost): Promise<string | undefined> {
  if (h.defaultInterface) return h.defaultInterface;
  try {
    const probe = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XDP Metadata: listing interfaces of ${h.host}`, cancellable: true },
      (_p, token) => probeHost(h, token),
    );
    return await pickInterface(probe, h.host);
  } catch (e) {
    ctx.showError(`probing ${h.host}`, e);
    return undefined;
  }
}
