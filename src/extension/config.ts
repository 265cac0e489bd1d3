// Typed view of the `xdpMeta.*` settings, read fresh from VS Code each time.
import * as vscode from 'vscode';
import type { RawSettings } from '../shared/protocol';

export interface RemoteHost {
  name: string;
  host: string;
  port?: number;
  identityFile?: string;
  useSudo?: boolean;
  defaultInterface?: string;
}

export type Target = { kind: 'local'; name: 'local' } | { kind: 'ssh'; name: string; host: RemoteHost };

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('xdpMeta');
  }

  get clangPath(): string { return this.cfg.get<string>('clang.path', '').trim(); }
  get extraFlags(): string[] { return this.cfg.get<string[]>('clang.extraFlags', []); }
  get includePaths(): string[] { return this.cfg.get<string[]>('includePaths', []); }
  get documentGlobs(): string[] { return this.cfg.get<string[]>('documentSelector', []).filter((g) => g.trim() !== ''); }
  get targetBtf(): string { return this.cfg.get<string>('check.targetBtf', '').trim(); }
  get checkOnType(): boolean { return this.cfg.get<boolean>('check.onType', true); }
  /** `xdpMeta.local.defaultInterface`: the local target's interface for device-bound loads (empty: ask). */
  get localDefaultInterface(): string { return this.cfg.get<string>('local.defaultInterface', '').trim(); }

  get remoteHosts(): RemoteHost[] {
    const hosts = this.cfg.get<unknown[]>('remote.hosts', []);
    return hosts.filter((h): h is RemoteHost => typeof h === 'object' && h !== null
      && typeof (h as RemoteHost).name === 'string' && typeof (h as RemoteHost).host === 'string');
  }

  /** Adds (or replaces, by name) a host in `xdpMeta.remote.hosts` (user settings: hosts are the user's, not the workspace's). */
  async addRemoteHost(h: RemoteHost): Promise<void> {
    const raw = this.cfg.get<unknown[]>('remote.hosts', []);
    const rest = raw.filter((x) => !(typeof x === 'object' && x !== null && (x as RemoteHost).name === h.name));
    const clean = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined));
    await this.cfg.update('remote.hosts', [...rest, clean], vscode.ConfigurationTarget.Global);
  }

  /** `xdpMeta.target`: `local` or a configured host; an unknown name falls back to local. */
  get target(): Target {
    const name = this.cfg.get<string>('target', 'local');
    const host = name === 'local' ? undefined : this.remoteHosts.find((h) => h.name === name);
    return host ? { kind: 'ssh', name: host.name, host } : { kind: 'local', name: 'local' };
  }

  async setTarget(name: string): Promise<void> {
    const scope = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await this.cfg.update('target', name, scope);
  }

  /** The settings the language server gets, with `targetBtfOverride` for a remote target's fetched BTF. */
  serverSettings(targetBtfOverride?: string): RawSettings {
    return {
      clang: { path: this.clangPath, extraFlags: this.extraFlags },
      includePaths: this.includePaths,
      documentSelector: this.documentGlobs,
      check: { targetBtf: this.targetBtf || targetBtfOverride || '', onType: this.checkOnType },
    };
  }
}
