// A second SSH host for tests: a Debian kernel in a matrix microVM with sshd, reached through a pinned ssh_config alias.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveKernel } from '../../src/core/kernels';
import { MicroVm } from '../../src/core/vm/qemu';
import { freePort } from './sshd';

export interface VmSshHost {
  vm: MicroVm;
  alias: string;
  configFile: string;
  port: number;
  /** Runs a shell command in the guest over ssh (busybox sh); resolves with its stdout, rejects with ssh's stderr. */
  sh(command: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startVmSshHost(pkg: string): Promise<VmSshHost> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-vm-ssh-'));
  for (const k of ['host', 'user']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xdpmeta-vm-test', '-f', path.join(dir, k)], { stdio: 'ignore' });
  const port = await freePort();
  let vm: MicroVm;
  try {
    vm = await MicroVm.boot(resolveKernel(pkg), { ssh: { port, authorizedKeys: readFileSync(path.join(dir, 'user.pub'), 'utf8'), hostKeyFile: path.join(dir, 'host') } });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const hostPub = readFileSync(path.join(dir, 'host.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  // The kernel series in the alias: errors name the host, and two guests must be told apart.
  const alias = `xdpmeta-vm-${/^linux-image-(\d+\.\d+)/.exec(pkg)?.[1] ?? 'x'}`;
  const configFile = path.join(dir, 'ssh_config');
  writeFileSync(configFile, [
    `Host ${alias}`, '  HostName 127.0.0.1', `  Port ${port}`, '  User root', `  IdentityFile ${dir}/user`, '  IdentitiesOnly yes',
    '  IdentityAgent none', `  UserKnownHostsFile ${dir}/known_hosts`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes',
    '  CheckHostIP no', '  LogLevel ERROR', '',
  ].join('\n'));
  return {
    vm, alias, configFile, port,
    sh: (command, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      execFile('ssh', ['-F', configFile, '-o', 'BatchMode=yes', alias, command], { encoding: 'utf8', timeout: timeoutMs }, (e, out, err) => {
        if (e) reject(new Error(`${alias} (${pkg}): \`${command}\` failed: ${err.trim() || e.message}`, { cause: e }));
        else resolve(out);
      });
    }),
    async stop() {
      try { await vm.shutdown(); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
