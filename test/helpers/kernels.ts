// Test kernels: the newest Debian 6.1 and 6.12 cloud kernel packages apt knows (names move with Debian's updates).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findAgentBinary } from '../../src/core/remote/agent-binary';
import { findStaticBusybox } from '../../src/core/vm/initramfs';

function newest(names: string[], re: RegExp): string | undefined {
  const num = (n: string): number[] => (re.exec(n)?.slice(1) ?? []).map(Number);
  return names.filter((n) => re.test(n)).sort((a, b) => {
    const x = num(a); const y = num(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  }).pop();
}

let found: { k61?: string; k612?: string; k61arm64?: string; k612arm64?: string } | undefined;

/**
 * `apt-cache search --names-only '^linux-image-'`: the signed cloud images, newest revision of each series (the arm64
 * ones are listed once `dpkg --add-architecture arm64` and apt-get update have run).
 */
export function debianKernels(): { k61?: string; k612?: string; k61arm64?: string; k612arm64?: string } {
  if (found) return found;
  let names: string[] = [];
  try {
    names = execFileSync('apt-cache', ['search', '--names-only', '^linux-image-'], { encoding: 'utf8' })
      .split('\n').map((l) => l.split(' - ')[0]!.trim()).filter(Boolean);
  } catch { /* no apt: none */ }
  return (found = {
    k61: newest(names, /^linux-image-6\.1\.0-(\d+)-cloud-amd64$/),
    k612: newest(names, /^linux-image-6\.12\.(\d+)\+deb12-cloud-amd64$/),
    k61arm64: newest(names, /^linux-image-6\.1\.0-(\d+)-cloud-arm64$/),
    k612arm64: newest(names, /^linux-image-6\.12\.(\d+)\+deb12-cloud-arm64$/),
  });
}

/** What booting a kernel needs: QEMU, a static busybox and the built agent. The reason when something is missing. */
export function vmPrereqMissing(): string | undefined {
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 (apt-get install qemu-system-x86)';
  try { findStaticBusybox(); } catch { return 'busybox-static'; }
  try { findAgentBinary('x86_64'); } catch { return 'the agent (make -C agent)'; }
  if (!existsSync('/usr/bin/apt-get')) return 'apt-get (kernel packages)';
  return undefined;
}

/** What booting an arm64 kernel needs besides apt: qemu-system-aarch64, the aarch64 agent, arm64 packages in apt. */
export function arm64VmPrereqMissing(): string | undefined {
  if (spawnSync('qemu-system-aarch64', ['--version']).status !== 0) return 'qemu-system-aarch64 (apt-get install qemu-system-arm)';
  try { findAgentBinary('aarch64'); } catch { return 'the aarch64 agent (make -C agent aarch64; see scripts/setup.sh)'; }
  if (!existsSync('/usr/bin/apt-get')) return 'apt-get (kernel packages)';
  if (!execFileSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).split('\n').includes('arm64')) {
    return 'arm64 packages in apt (dpkg --add-architecture arm64 && apt-get update)';
  }
  return undefined;
}
