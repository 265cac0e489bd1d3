// Starts the agent: locally (spawn, sudo -n when not root) or over the system OpenSSH client (upload once per hash, then run).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
    /** Extra `-o Key=Value` options. Host key checking is never turned off: StrictHostKeyChecking=no is refused. */
    options?: string[];
    ssh?: string;
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
function wrap(child: ChildProcessWithoutNullStreams, host: string, group = false): AgentProcess {
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
    host, stdin: child.stdin, stdout: child.stdout, child, exited,
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
  const args = opts.agentArgs ?? [];
  const root = process.getuid?.() === 0;
  const useSudo = target.sudo === 'always' || (target.sudo !== 'never' && !root);
  // detached: Ctrl-C in a terminal reaches us, not the agent, so stop() can still detach cleanly.
  const child = useSudo
    ? spawn('sudo', ['-n', bin.path, ...args], { stdio: 'pipe', detached: true })
    : spawn(bin.path, args, { stdio: 'pipe', detached: true });
  return wrap(child, 'localhost', true);
}

function sshArgs(t: Extract<Target, { kind: 'ssh' }>): string[] {
  for (const o of t.options ?? []) {
    if (/^\s*StrictHostKeyChecking\s*=?\s*(no|off)\b/i.test(o) || /^\s*UserKnownHostsFile\s*=?\s*\/dev\/null/i.test(o)) {
      throw new RemoteError('ssh-failed', t.host, `refusing ssh option "${o}": xdp-meta never turns off host key checking`);
    }
  }
  const a = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${t.connectTimeoutS ?? 10}`, '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3', '-T'];
  if (t.configFile) a.push('-F', t.configFile);
  if (t.port) a.push('-p', String(t.port));
  if (t.identity) a.push('-i', t.identity, '-o', 'IdentitiesOnly=yes');
  for (const o of t.options ?? []) a.push('-o', o);
  a.push('--', t.host);
  return a;
}

/** Runs one remote shell command over ssh; rejects with a diagnosed RemoteError when ssh (255) or the command fails. */
function sshRun(t: Extract<Target, { kind: 'ssh' }>, command: string, input?: Buffer, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(t.ssh ?? 'ssh', [...sshArgs(t), command], { stdio: 'pipe' });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
      if (signal === 'SIGKILL') return reject(new RemoteError('timeout', targetName(t), `ssh did not finish within ${timeoutMs / 1000} s`));
      const last = err.trim().split('\n').pop() ?? '';
      reject(new RemoteError('ssh-failed', targetName(t), `ssh exited with ${code ?? signal}${last ? `: ${last}` : ''}`));
    });
    child.stdin.end(input ?? '');
  });
}

const CACHE_DIR = '.cache/xdp-meta';

async function startSsh(t: Extract<Target, { kind: 'ssh' }>, opts: StartOptions): Promise<AgentProcess> {
  const name = targetName(t);
  // One round trip: the host's architecture and which of our agents it already has (executable).
  const hashes = localAgentBinaries().map((b) => b.hash);
  const probe = await sshRun(t, `printf 'arch=%s\\n' "$(uname -m)"; for h in ${hashes.join(' ')}; do ` +
    `test -x ~/${CACHE_DIR}/agent-$h && echo have=agent-$h; done; true`);
  const arch = /^arch=(\S+)/m.exec(probe)?.[1];
  if (!arch) throw new RemoteError('protocol', name, `unexpected answer to the architecture probe: ${JSON.stringify(probe.slice(0, 200))}`);
  let bin;
  try {
    bin = findAgentBinary(arch);
  } catch (e) {
    throw new RemoteError('unsupported-arch', name, `the host is ${arch}, and ${(e as Error).message}`, { cause: e });
  }
  const remote = `~/${CACHE_DIR}/agent-${bin.hash}`;
  if (!new RegExp(`^have=agent-${bin.hash}$`, 'm').test(probe)) {
    opts.onProgress?.(`uploading the agent (${bin.bytes.length} bytes) to ${name}:${remote}`);
    await sshRun(t, `umask 077 && mkdir -p ~/${CACHE_DIR} && t=$(mktemp ~/${CACHE_DIR}/.upload.XXXXXX) && cat > "$t" && ` +
      `chmod 700 "$t" && mv -f "$t" ${remote} && test -x ${remote}`, bin.bytes, 120_000);
  }
  const args = (opts.agentArgs ?? []).map(shQuote).join(' ');
  const run = `"$A" --ssh-connection "$SSH_CONNECTION" ${args}`;
  const sudo = t.sudo ?? 'auto';
  const cmd = `A=${remote}; ` + (sudo === 'never' ? `exec ${run}`
    : sudo === 'always' ? `exec sudo -n ${run}`
      : `if [ "$(id -u)" = 0 ]; then exec ${run}; else exec sudo -n ${run}; fi`);
  // detached as above; if we die, ssh sees stdin close, the agent sees EOF and exits, the kernel detaches.
  const child = spawn(t.ssh ?? 'ssh', [...sshArgs(t), cmd], { stdio: 'pipe', detached: true });
  return wrap(child, name, true);
}
