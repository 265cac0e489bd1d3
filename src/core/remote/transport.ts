// Starts the agent: locally (spawn, sudo -n when not root) or over the system OpenSSH client (upload once per hash, then run).
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import {
  CACHE_DIR, EXIT_UPLOAD_CUT, parseProbe, probeCommand, startCommand, SYSTEM_AGENT_DIR, uploadCommand,
} from './agent-cache';
import { findAgentBinary, localAgentBinaries, unameArch } from './agent-binary';
import { RemoteError } from './errors';
import { diagnoseSshStderr } from './ssh-errors';

export type SudoPolicy = 'auto' | 'always' | 'never';

/** Where to run the agent. `ssh` destinations go through OpenSSH, so ~/.ssh/config aliases, keys, ProxyJump work. */
export type Target =
  | { kind: 'local'; sudo?: SudoPolicy }
  | {
    kind: 'ssh';
    /** Destination as for `ssh`: an alias from ~/.ssh/config, host or user@host. */
    host: string;
    port?: number;
    identity?: string;
    /** An ssh_config file passed with -F (tests pin known_hosts through it). */
    configFile?: string;
    sudo?: SudoPolicy;
    connectTimeoutS?: number;
    /** Extra `-o Key=Value` options. Host key checking is never turned off: options that accept unknown keys are refused. */
    options?: string[];
    ssh?: string;
    /** The root-owned install folder to prefer (default /usr/local/lib/xdp-meta; tests point it elsewhere). */
    systemAgentDir?: string;
  };

/** A running agent: its pipes, and a promise of how it ended. */
export interface AgentProcess {
  readonly host: string;
  readonly stdin: NodeJS.WritableStream;
  readonly stdout: NodeJS.ReadableStream;
  /** stderr collected so far (last 64 KiB): ssh/sudo diagnostics and libbpf chatter. */
  stderrText(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  /** The local child (ssh or the agent itself). */
  readonly child: ChildProcessWithoutNullStreams;
  /** The child is ssh: its end says the connection ended, not necessarily the agent. */
  readonly viaSsh?: boolean;
}

export interface StartOptions {
  /** Extra agent arguments (e.g. ['--btf', PATH]). */
  agentArgs?: string[];
  /** Diagnostics of the upload/probe steps. */
  onProgress?: (msg: string) => void;
}

export function targetName(t: Target): string {
  return t.kind === 'local' ? 'localhost' : t.port ? `${t.host}:${t.port}` : t.host;
}

/** POSIX shell single-quoting. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `group`: the child was spawned detached, so it leads a process group; signals go to the whole group. */
function wrap(child: ChildProcessWithoutNullStreams, host: string, group = false, viaSsh = false): AgentProcess {
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    err += d;
    if (err.length > 65536) err = err.slice(-65536);
  });
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => { closed = true; resolve({ code: null, signal: null }); });
    child.on('close', (code, signal) => { closed = true; resolve({ code, signal }); });
  });
  // A dead peer must not crash the process with EPIPE.
  child.stdin.on('error', () => undefined);
  return {
    host, stdin: child.stdin, stdout: child.stdout, child, exited, viaSsh,
    stderrText: () => err,
    kill: (sig = 'SIGTERM') => {
      // Until its pipes close, something of the agent still runs: after the leader exits, a child it left
      // (a shell's background job, sudo's agent) may still hold them, and only the group signal reaches it.
      if (closed) return;
      if (group && child.pid !== undefined) {
        try {
          process.kill(-child.pid, sig);
          return;
        } catch { /* no such group (already gone) or not ours: fall back to the child */ }
      }
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
}

/**
 * Wraps any child speaking the protocol (tests use fake agents). `detached` starts it in its own process
 * group, as the real agent is, so kill() signals everything it started.
 */
export function spawnAgentProcess(command: string, args: string[], host: string, opts: { detached?: boolean } = {}): AgentProcess {
  return wrap(spawn(command, args, { stdio: 'pipe', detached: opts.detached ?? false }), host, opts.detached ?? false);
}

export async function startAgent(target: Target, opts: StartOptions = {}): Promise<AgentProcess> {
  return target.kind === 'local' ? startLocal(target, opts) : startSsh(target, opts);
}

function startLocal(target: Extract<Target, { kind: 'local' }>, opts: StartOptions): AgentProcess {
  const bin = findAgentBinary(unameArch());
  const args = [...(opts.agentArgs ?? [])];
  const root = process.getuid?.() === 0;
  const useSudo = target.sudo === 'always' || (target.sudo !== 'never' && !root);
  // Run from an SSH login, this machine's SSH interface is guarded like a remote host's.
  const conn = process.env.SSH_CONNECTION?.trim();
  if (conn) args.unshift('--ssh-connection', conn);
  // detached: Ctrl-C in a terminal reaches us, not the agent, so stop() can still detach cleanly.
  const child = useSudo
    ? spawn('sudo', ['-n', bin.path, ...args], { stdio: 'pipe', detached: true })
    : spawn(bin.path, args, { stdio: 'pipe', detached: true });
  return wrap(child, 'localhost', true);
}

/** ssh's options and destination for `t` (BatchMode, keepalives, -F/-p/-i/-o); a remote command may follow. */
export function sshArgs(t: Extract<Target, { kind: 'ssh' }>): string[] {
  const a = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${t.connectTimeoutS ?? 10}`, '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3', '-T'];
  if (t.configFile) a.push('-F', t.configFile);
  if (t.port) a.push('-p', String(t.port));
  if (t.identity) a.push('-i', t.identity, '-o', 'IdentitiesOnly=yes');
  for (const o of t.options ?? []) a.push('-o', o);
  a.push('--', t.host);
  return a;
}

/**
 * glibc malloc settings for the ssh client. OpenSSH grows its packet and channel buffers by reallocating
 * (recallocarray: new block, copy, zero, free); at the default thresholds those blocks are fresh mmap()s
 * given back on free and trimmed heap tops, so every reallocation page-faults its memory in again. That was
 * ~75% of the client's CPU under a row stream (memmove + page faults in perf) and ~10 ns per byte moved;
 * keeping big blocks on the heap and the heap untrimmed brings it to ~3 ns/byte. Other libcs ignore it,
 * and settings the user already gives in GLIBC_TUNABLES win.
 */
const SSH_MALLOC_TUNABLES: readonly [string, string][] = [['glibc.malloc.mmap_threshold', '4194304'], ['glibc.malloc.trim_threshold', '67108864']];

/** The environment for every ssh we start: `env` plus those tunables, unless `env` already sets them. */
export function sshEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const mine = (env.GLIBC_TUNABLES ?? '').split(':').filter(Boolean);
  const have = new Set(mine.map((t) => t.split('=')[0]));
  const add = SSH_MALLOC_TUNABLES.filter(([k]) => !have.has(k)).map(([k, v]) => `${k}=${v}`);
  return { ...env, GLIBC_TUNABLES: [...mine, ...add].join(':') };
}

/**
 * Asks ssh itself which host-key options apply (`ssh -G` prints the effective configuration: -o options,
 * the -F file, ~/.ssh/config) and refuses any that would accept an unknown key or record keys nowhere.
 */
export async function checkHostKeyOptions(t: Extract<Target, { kind: 'ssh' }>): Promise<void> {
  const name = targetName(t);
  const args = sshArgs(t);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(t.ssh ?? 'ssh', ['-G', ...args], { timeout: 10_000, encoding: 'utf8' }, (e, stdout, stderr) => {
      if (e) {
        const last = String(stderr).trim().split('\n').pop() ?? '';
        reject(new RemoteError('ssh-failed', name, `ssh -G refused the options${last ? `: ${last}` : ''}`, { cause: e }));
      } else resolve(stdout);
    });
  });
  const opt = (k: string) => new RegExp(`^${k} (.*)$`, 'mi').exec(out)?.[1]?.trim() ?? '';
  const strict = opt('stricthostkeychecking').toLowerCase();
  if (['false', 'no', 'off', 'accept-new'].includes(strict)) {
    throw new RemoteError('host-key-option', name, `refusing StrictHostKeyChecking ${strict} (from --ssh-option or ssh_config): ` +
      `xdp-meta never turns off host key checking, and never accepts unknown host keys. Connect once with \`ssh ${t.host}\`, ` +
      `check the fingerprint, and accept it.`);
  }
  const files = opt('userknownhostsfile').split(/\s+/).filter(Boolean);
  const nul = files.find((f) => path.posix.normalize(f) === '/dev/null');
  if (nul !== undefined) {
    throw new RemoteError('host-key-option', name, `refusing UserKnownHostsFile ${nul} (from --ssh-option or ssh_config): ` +
      `xdp-meta never turns off host key checking, and a /dev/null known_hosts records nothing to check against.`);
  }
}

/** Runs one remote shell command over ssh; rejects with a diagnosed RemoteError when ssh (255) or the command fails. */
function sshRun(t: Extract<Target, { kind: 'ssh' }>, command: string, input?: Buffer, timeoutMs = 60_000, what = 'ssh'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(t.ssh ?? 'ssh', [...sshArgs(t), command], { stdio: 'pipe', env: sshEnv() });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new RemoteError('ssh-failed', targetName(t), `cannot run ssh: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      const known = diagnoseSshStderr(targetName(t), err);
      if (known) return reject(known);
      if (timedOut) return reject(new RemoteError('timeout', targetName(t), `${what} did not finish within ${timeoutMs / 1000} s`));
      if (signal) return reject(new RemoteError('ssh-failed', targetName(t), `${what}: the ssh client was killed (${signal})`));
      const cut = /^xdp-meta-upload: .*$/m.exec(err)?.[0];
      if (code === EXIT_UPLOAD_CUT && cut) {
        return reject(new RemoteError('upload-failed', targetName(t),
          `the agent upload did not arrive whole (${cut.slice('xdp-meta-upload: '.length)}): nothing was installed; retry`));
      }
      const last = err.trim().split('\n').pop() ?? '';
      reject(new RemoteError('ssh-failed', targetName(t), `ssh exited with ${code ?? signal}${last ? `: ${last}` : ''}`));
    });
    child.stdin.end(input ?? '');
  });
}

async function startSsh(t: Extract<Target, { kind: 'ssh' }>, opts: StartOptions): Promise<AgentProcess> {
  const name = targetName(t);
  await checkHostKeyOptions(t);
  // One round trip: the host's architecture and the sha256 of every copy of our agents it has.
  const hashes = localAgentBinaries().map((b) => b.hash);
  const systemDir = t.systemAgentDir ?? SYSTEM_AGENT_DIR;
  const probe = await sshRun(t, probeCommand(hashes, systemDir));
  const host = parseProbe(probe);
  if (!host) throw new RemoteError('protocol', name, `unexpected answer to the architecture probe: ${JSON.stringify(probe.slice(0, 200))}`);
  const arch = host.arch;
  if (!host.hasSha256sum) {
    throw new RemoteError('agent-start', name, 'the host has no sha256sum (coreutils or busybox): xdp-meta runs no agent it cannot verify');
  }
  let bin;
  try {
    bin = findAgentBinary(arch);
  } catch (e) {
    throw new RemoteError('unsupported-arch', name, `the host is ${arch}, and ${(e as Error).message}`, { cause: e });
  }
  let remote = `~/${CACHE_DIR}/agent-${bin.hash}`;
  const system = host.system.get(bin.hash);
  const cached = host.cached.get(bin.hash);
  if (system?.rootOnly && system.sha256 === bin.sha256) {
    // Installed once by an administrator: root-owned, so a sudo rule naming it grants no more than the agent.
    remote = `${systemDir}/agent-${bin.hash}`;
    opts.onProgress?.(`using the root-owned agent ${name}:${remote}`);
  } else if (cached !== bin.sha256) {
    if (cached !== undefined) opts.onProgress?.(`the cached agent ${name}:${remote} is damaged (sha256 ${cached.slice(0, 16) || 'unreadable'}…): replacing it`);
    opts.onProgress?.(`uploading the agent (${bin.bytes.length} bytes) to ${name}:${remote}`);
    await sshRun(t, uploadCommand(bin), bin.bytes, 120_000, 'the agent upload');
  }
  const args = (opts.agentArgs ?? []).map(shQuote).join(' ');
  const run = `"$A" --ssh-connection "$SSH_CONNECTION" ${args}`;
  const cmd = startCommand(remote, bin.sha256, run, t.sudo ?? 'auto', remote.startsWith('~/'));
  // detached as above; if we die, ssh sees stdin close, the agent sees EOF and exits, the kernel detaches.
  const child = spawn(t.ssh ?? 'ssh', [...sshArgs(t), cmd], { stdio: 'pipe', detached: true, env: sshEnv() });
  return wrap(child, name, true, true);
}
