// Picks the interface a local "Load and Show Verifier Log" binds a metadata-kfunc program to: the setting, else a quick pick.
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { AgentClient } from '../core/remote/client';
import type { ProbeInterface } from '../core/remote/protocol';
import { startAgent } from '../core/remote/transport';
import { callsMetadataKfuncs } from '../core/verifier/loader';
import type { Ctx } from './ctx';

export type DeviceChoice =
  /** No metadata kfuncs: load unbound. */
  | { kind: 'unbound' }
  | { kind: 'use'; dev: string; reason: string }
  /** Ask the user; candidates best first. */
  | { kind: 'ask'; candidates: ProbeInterface[] }
  | { kind: 'error'; message: string };

export interface DeviceChoiceInput {
  callsMetadataKfuncs: boolean;
  /** The target's defaultInterface setting (empty: none). */
  configured?: string;
  /** The host's interfaces (the agent's probe); undefined when they could not be listed. */
  interfaces?: ProbeInterface[];
  host: string;
}

/** Interfaces whose driver implements rx metadata first (the kfuncs return real values there), loopback last. */
function rank(i: ProbeInterface): number {
  if (i.xdp_rx_metadata_features?.length) return 0;
  return i.name === 'lo' ? 2 : 1;
}

/**
 * The kernel binds only to a device whose driver does XDP itself (ndo_bpf; else EOPNOTSUPP before the verifier
 * runs, as for lo or ifb). The probe says so through the netdev family's xdp_features (6.3+); without it, keep all.
 */
function canBind(i: ProbeInterface): boolean {
  return i.xdp_features === undefined || i.xdp_features.length > 0;
}

/** The choice logic, pure: a metadata-kfunc program must be bound to a device (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY). */
export function chooseLoadDevice(o: DeviceChoiceInput): DeviceChoice {
  if (!o.callsMetadataKfuncs) return { kind: 'unbound' };
  const configured = o.configured?.trim();
  if (configured) {
    if (o.interfaces && !o.interfaces.some((i) => i.name === configured)) {
      return { kind: 'error', message: `the defaultInterface setting names '${configured}', which is not an interface on ${o.host} (it has: ${o.interfaces.map((i) => i.name).join(', ') || 'none'})` };
    }
    return { kind: 'use', dev: configured, reason: 'the defaultInterface setting' };
  }
  if (!o.interfaces) return { kind: 'error', message: `cannot list the interfaces of ${o.host}; set defaultInterface to name one` };
  const usable = o.interfaces.filter(canBind);
  if (usable.length === 0) {
    return { kind: 'error', message: `no interface on ${o.host} has a driver with native XDP (${o.interfaces.map((i) => i.name).join(', ') || 'none'}), and the kernel binds only to one` };
  }
  if (usable.length === 1) return { kind: 'use', dev: usable[0].name, reason: `the only interface with native XDP on ${o.host}` };
  const candidates = usable.sort((a, b) => rank(a) - rank(b) || a.ifindex - b.ifindex);
  return { kind: 'ask', candidates };
}

export interface DeviceItem extends vscode.QuickPickItem { dev: string }

/** Quick pick rows: the name, the driver and which rx metadata the driver provides. */
export function deviceQuickPickItems(candidates: ProbeInterface[]): DeviceItem[] {
  return candidates.map((i) => {
    const rx = i.xdp_rx_metadata_features ?? [];
    return {
      dev: i.name,
      label: i.name,
      description: [i.driver, `ifindex ${i.ifindex}`].filter(Boolean).join(' · '),
      detail: rx.length
        ? `rx metadata: ${rx.join(', ')}`
        : i.xdp_rx_metadata_features ? 'no rx metadata in this driver: the kfuncs load but return -EOPNOTSUPP' : undefined,
    };
  });
}

/** The host's interfaces from the agent's probe; without an agent, from /sys/class/net (this machine only). */
async function localInterfaces(ctx: Ctx): Promise<ProbeInterface[] | undefined> {
  try {
    const client = await AgentClient.connect(await startAgent({ kind: 'local' }));
    try {
      return (await client.request({ op: 'probe' })).interfaces;
    } finally {
      await client.close();
    }
  } catch (e) {
    ctx.output.warn(`probe through the agent failed (${e instanceof Error ? e.message : String(e)}); listing /sys/class/net`);
  }
  try {
    return readdirSync('/sys/class/net').map((name) => ({ name, ifindex: Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()) }));
  } catch {
    return undefined;
  }
}

/**
 * The `--dev` for loading `objectBytes` on this machine: undefined when the program needs none, null when the
 * user cancelled the pick; throws when no interface can be chosen.
 */
export async function pickLoadDevice(ctx: Ctx, objectBytes: Buffer, name: string): Promise<{ dev: string; reason: string } | undefined | null> {
  const calls = callsMetadataKfuncs(objectBytes);
  if (!calls) return undefined;
  const configured = ctx.config.localDefaultInterface;
  const choice = chooseLoadDevice({ callsMetadataKfuncs: true, configured, interfaces: await localInterfaces(ctx), host: 'this machine' });
  if (choice.kind === 'unbound') return undefined;
  if (choice.kind === 'error') throw new Error(`${name} calls metadata kfuncs, so it must be loaded device-bound, but ${choice.message}`);
  if (choice.kind === 'use') return { dev: choice.dev, reason: choice.reason };
  const pick = await vscode.window.showQuickPick(deviceQuickPickItems(choice.candidates), {
    title: `XDP Metadata: ${name} calls metadata kfuncs — bind it to which interface?`,
    placeHolder: 'The program is loaded device-bound to this interface (set xdpMeta.local.defaultInterface to skip this)',
  });
  return pick ? { dev: pick.dev, reason: 'picked' } : null;
}
