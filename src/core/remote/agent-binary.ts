// Finds the locally built agent binary for an architecture and its content hash (the upload cache key).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { readInputFile } from '../bpf/object-file';
import { ToolError } from '../util/errors';

export interface AgentBinary {
  arch: string;
  path: string;
  /** First 16 hex digits of the SHA-256 of the file: names it in the host's cache. */
  hash: string;
  /** The whole SHA-256 (hex): a copy on a host is run only when its content has it. */
  sha256: string;
  bytes: Buffer;
}

/** `uname -m` names for Node's process.arch. */
export function unameArch(arch: string = process.arch): string {
  return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'aarch64' : arch;
}

/** The repository's (or packaged extension's) `agent/` folder: searched upward from this module. */
export function agentDir(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'agent', 'Makefile')) || existsSync(path.join(dir, 'agent', 'build'))) return path.join(dir, 'agent');
  }
  return path.resolve(__dirname, '../../../agent');
}

const cache = new Map<string, AgentBinary>();

/** The agent for `arch` (`uname -m` spelling). XDP_META_AGENT overrides the path (any arch). */
export function findAgentBinary(arch: string = unameArch()): AgentBinary {
  const override = process.env.XDP_META_AGENT;
  const file = override ?? path.join(agentDir(), 'build', `xdp-meta-agent-${arch}`);
  const hit = cache.get(file);
  if (hit) return hit;
  if (!existsSync(file)) {
    throw new ToolError(override
      ? `XDP_META_AGENT=${override} does not exist`
      : `no xdp-meta agent built for ${arch} (${file}): run \`make -C agent\`${arch !== unameArch() ? ' (a cross build: `make -C agent aarch64`)' : ''}`);
  }
  let bytes: Buffer;
  try {
    // An environment path like any user path: a directory or device is refused by name.
    bytes = readInputFile(file, 'the xdp-meta agent program');
  } catch (e) {
    throw new ToolError(`${override ? 'XDP_META_AGENT: ' : ''}${(e as Error).message}`, { cause: e });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const bin: AgentBinary = { arch, path: file, bytes, sha256, hash: sha256.slice(0, 16) };
  cache.set(file, bin);
  return bin;
}

/** Every agent built here (one per architecture), or just the XDP_META_AGENT override. */
export function localAgentBinaries(): AgentBinary[] {
  if (process.env.XDP_META_AGENT) return [findAgentBinary(unameArch())];
  const dir = path.join(agentDir(), 'build');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /^xdp-meta-agent-[a-z0-9_]+$/.test(n));
  } catch { /* not built */ }
  return names.map((n) => findAgentBinary(n.slice('xdp-meta-agent-'.length)));
}
