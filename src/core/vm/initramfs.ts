// Builds the matrix VM's initramfs: static busybox as the shell, our static agent as the loader, the kernel's modules, /init.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { findAgentBinary } from '../remote/agent-binary';
import { cacheRoot } from '../kernels/cache';
import type { KernelTarget } from '../kernels/types';
import { findStaticBusybox } from './busybox';
import { writeCpio, type CpioEntry } from './cpio';

export { findStaticBusybox };

/** Printed on the agent's serial port once it is in raw mode and about to exec the agent: the host may talk from then on. */
export const AGENT_READY = 'XDPMETA-AGENT-READY';
/** Printed on the console when /init gave up (a module that did not load, no veth). */
export const INIT_FAILED = 'XDPMETA-INIT-FAILED';
/** The veth the guest creates for device-bound loads (its peer is veth0). */
export const GUEST_DEV = 'xm0';

function initScript(modules: readonly string[], extraInit = '', agentTty = 'ttyS1'): string {
  // Runs as PID 1. The console (ttyS0, ttyAMA0 on arm64) carries the kernel's messages and ours; ttyS1 (hvc0 on
  // arm64) is the agent's JSON-lines channel.
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf
fail() { echo "${INIT_FAILED}: $*"; poweroff -f; }
${modules.map((m) => m === 'veth'
    ? `insmod /lib/modules/${m}.ko || fail "insmod ${m}"`
    // Only veth is needed for loads; virtio_net (a second host) may lack virtio core modules on older kernels.
    : `insmod /lib/modules/${m}.ko 2>/dev/null || echo "init: ${m} not loaded"`).join('\n')}
ip link set lo up
if [ -e /sys/module/veth ] || [ -d /sys/class/net ]; then
  ip link add ${GUEST_DEV} type veth 2>/dev/null && ip link set ${GUEST_DEV} up && ip link set veth0 up
fi
${extraInit}
echo "init: $(uname -r) up"
${agentTty === 'ttyS1' ? '' : `for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/${agentTty} ] && break; sleep 1; done
`}( stty raw -echo && echo ${AGENT_READY} && exec /bin/xdp-meta-agent ) </dev/${agentTty} >/dev/${agentTty} 2>/dev/console
echo "init: the agent exited"
poweroff -f
`;
}

/** The initramfs for a kernel (its modules), cached by content under the cache folder; returns its path. */
export function buildInitramfs(kernel: KernelTarget, extras?: { entries: CpioEntry[]; initLines: string }): string {
  const arch = kernel.arch ?? 'x86_64';
  const busybox = readFileSync(findStaticBusybox(arch));
  const agent = findAgentBinary(arch);
  const modules = (kernel.modules ?? []).map((m) => ({ name: m.name, bytes: readFileSync(m.path) }));
  // QEMU's arm64 virt machine has one UART: the agent talks over a virtio console instead.
  const init = initScript(modules.map((m) => m.name), extras?.initLines, arch === 'aarch64' ? 'hvc0' : 'ttyS1');
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules'].map((name) => ({ name, type: 'dir' as const })),
    { name: 'dev/console', type: 'char', rdev: [5, 1] },
    { name: 'bin/busybox', type: 'file', data: busybox },
    { name: 'bin/sh', type: 'symlink', data: Buffer.from('busybox') },
    { name: 'bin/xdp-meta-agent', type: 'file', data: agent.bytes },
    ...modules.map((m) => ({ name: `lib/modules/${m.name}.ko`, type: 'file' as const, perm: 0o644, data: m.bytes })),
    ...(extras?.entries ?? []),
    { name: 'init', type: 'file', data: Buffer.from(init) },
  ];
  const cpio = writeCpio(entries);
  const hash = createHash('sha256').update(cpio).digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot(), 'vm');
  const file = path.join(dir, `initramfs-${hash}.cpio.gz`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, gzipSync(cpio, { level: 6 }));
    renameSync(tmp, file);
  }
  return file;
}
