// Test sshd on 127.0.0.1: host/user keys in a temp folder, a pinned known_hosts and an ssh_config with aliases.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { waitForOutput } from './wait-output';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export function hasSshd(): boolean {
  return existsSync(SSHD) && existsSync('/usr/bin/ssh') && existsSync('/usr/bin/ssh-keygen');
}

export interface TestSshd {
  port: number;
  dir: string;
  /** ssh_config (pass with -F) defining the aliases below. */
  configFile: string;
  /** root@127.0.0.1 with the authorized key and the pinned host key. */
  alias: string;
  /** Same host, but a key the server does not know. */
  badKeyAlias: string;
  /** Same host, but an empty known_hosts (unknown host key). */
  unknownHostAlias: string;
  /** Same host, but known_hosts pins a different key (changed host key). */
  changedHostAlias: string;
  /** 127.0.0.1 on a port nothing listens on. */
  closedPortAlias: string;
  /** Adds an alias logging in as `user` with the authorized key. */
  addUserAlias(alias: string, user: string): void;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xdpmeta-remote-test', '-f', file], { stdio: 'ignore' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-remote-sshd-'));
  chmodSync(dir, 0o755);
  for (const k of ['host', 'host2', 'user', 'other']) keygen(path.join(dir, `${k}_ed25519`));
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'user_ed25519.pub')));
  chmodSync(path.join(dir, 'authorized_keys'), 0o644);
  const port = await freePort();
  const closedPort = await freePort();
  mkdirSync('/run/sshd', { recursive: true }); // Debian's privilege-separation directory
  const cfg = path.join(dir, 'sshd_config');
  writeFileSync(cfg, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_ed25519`, `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`, 'StrictModes no', 'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no',
    'PrintMotd no', 'PrintLastLog no', 'MaxStartups 100:30:200', 'LogLevel VERBOSE', '',
  ].join('\n'));
  const hostPub = readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const host2Pub = readFileSync(path.join(dir, 'host2_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(path.join(dir, 'known_hosts_changed'), `[127.0.0.1]:${port} ${host2Pub}\n`);
  writeFileSync(path.join(dir, 'known_hosts_empty'), '');
  const hostBlock = (alias: string, opts: { port?: number; user?: string; key?: string; known?: string }) => [
    `Host ${alias}`, '  HostName 127.0.0.1', `  Port ${opts.port ?? port}`, `  User ${opts.user ?? 'root'}`,
    `  IdentityFile ${dir}/${opts.key ?? 'user'}_ed25519`, '  IdentitiesOnly yes', '  IdentityAgent none',
    `  UserKnownHostsFile ${dir}/${opts.known ?? 'known_hosts'}`, '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes', '  CheckHostIP no', '  LogLevel ERROR', '',
  ].join('\n');
  const configFile = path.join(dir, 'ssh_config');
  writeFileSync(configFile, [
    hostBlock('xdpmeta-test', {}),
    hostBlock('xdpmeta-test-badkey', { key: 'other' }),
    hostBlock('xdpmeta-test-unknown', { known: 'known_hosts_empty' }),
    hostBlock('xdpmeta-test-changed', { known: 'known_hosts_changed' }),
    hostBlock('xdpmeta-test-closed', { port: closedPort }),
  ].join('\n'));
  const child = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForOutput(child, new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}\\b`), `sshd on 127.0.0.1:${port}`, 10_000);
  return {
    port, dir, configFile,
    alias: 'xdpmeta-test', badKeyAlias: 'xdpmeta-test-badkey', unknownHostAlias: 'xdpmeta-test-unknown',
    changedHostAlias: 'xdpmeta-test-changed', closedPortAlias: 'xdpmeta-test-closed',
    addUserAlias(alias, user) {
      writeFileSync(configFile, readFileSync(configFile, 'utf8') + '\n' + hostBlock(alias, { user }));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
