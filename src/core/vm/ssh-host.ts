// Makes the matrix VM an SSH target: Debian's sshd and its libraries copied into the initramfs, a virtio-net port forward.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ToolError } from '../util/errors';
import type { CpioEntry } from './cpio';

export interface SshHostOptions {
  /** Host port forwarded to the guest's port 22 (on 127.0.0.1). */
  port: number;
  /** authorized_keys content for root. */
  authorizedKeys: string;
  /** The guest's host key (a private key file, e.g. made by ssh-keygen -t ed25519). */
  hostKeyFile: string;
}

const SSHD = '/usr/sbin/sshd';

/** The shared libraries `ldd` says a binary needs (absolute paths, the dynamic loader included). */
function libraries(bin: string): string[] {
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  return [...new Set([...out.matchAll(/(\/\S+\.so[\w.]*)/g)].map((m) => m[1]!))];
}

/** Files and /init lines that start sshd on eth0 (QEMU user networking: 10.0.2.15, gateway 10.0.2.2). */
export function sshHostExtras(opts: SshHostOptions): { entries: CpioEntry[]; initLines: string } {
  if (!existsSync(SSHD)) throw new ToolError(`an SSH matrix host needs Debian's sshd (${SSHD}): apt-get install openssh-server`);
  const libs = libraries(SSHD);
  const dirs = new Set<string>(['usr', 'usr/sbin', 'etc', 'etc/ssh', 'run', 'run/sshd', 'root', 'root/.ssh', 'var', 'var/empty']);
  for (const l of libs) {
    const parts = l.slice(1).split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  dirs.delete('lib'); // the initramfs makes lib/ itself
  const entries: CpioEntry[] = [
    ...[...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1)).map((name) => ({ name, type: 'dir' as const, perm: name === 'root/.ssh' ? 0o700 : 0o755 })),
    ...libs.map((l) => ({ name: l.slice(1), type: 'file' as const, perm: 0o755, data: readFileSync(l) })),
    { name: 'usr/sbin/sshd', type: 'file', perm: 0o755, data: readFileSync(SSHD) },
    { name: 'etc/passwd', type: 'file', perm: 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\n') },
    { name: 'etc/group', type: 'file', perm: 0o644, data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { name: 'etc/ssh/ssh_host_ed25519_key', type: 'file', perm: 0o600, data: readFileSync(opts.hostKeyFile) },
    { name: 'root/.ssh/authorized_keys', type: 'file', perm: 0o600, data: Buffer.from(opts.authorizedKeys) },
    {
      name: 'etc/ssh/sshd_config', type: 'file', perm: 0o644, data: Buffer.from([
        'Port 22', 'HostKey /etc/ssh/ssh_host_ed25519_key', 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes',
        'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PrintMotd no',
        'PrintLastLog no', 'UseDNS no', 'LogLevel ERROR', '',
      ].join('\n')),
    },
  ];
  const initLines = [
    'if [ -e /sys/class/net/eth0 ]; then',
    '  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2',
    '  /usr/sbin/sshd -f /etc/ssh/sshd_config -E /dev/console && echo "init: sshd up"',
    'else',
    '  echo "init: no eth0 (virtio_net not loaded): no sshd"',
    'fi',
  ].join('\n');
  return { entries, initLines };
}
