// Kernel modules from a kernel package: `.modinfo` dependencies, load order, and xz/zstd-compressed `.ko` files.
import { execFileSync } from 'node:child_process';
import { parseElf } from '../elf/reader';
import { FormatError } from '../util/errors';

/**
 * The modules a matrix VM loads (veth for device-bound loads; virtio_pci and virtio_net for a second host) and what
 * they pull in. virtio_pci binds the device; nothing depends on it, so it is named here.
 */
export const VM_MODULES = ['veth', 'virtio_pci', 'virtio_net'] as const;
/** An arm64 guest (QEMU virt): virtio over MMIO, and virtio_console for the agent's channel (hvc0). */
export const VM_MODULES_AARCH64 = ['veth', 'virtio_mmio', 'virtio_console'] as const;

/** `depends=` of a module's `.modinfo` (comma-separated module names; empty when none). */
export function moduleDepends(ko: Uint8Array, source: string): string[] {
  const sec = parseElf(ko, source).sectionByName('.modinfo');
  if (!sec) throw new FormatError(source, 0, 'a kernel module with a .modinfo section');
  for (const entry of Buffer.from(sec.data).toString('latin1').split('\0')) {
    if (entry.startsWith('depends=')) return entry.slice(8).split(',').filter(Boolean).map((n) => n.replace(/-/g, '_'));
  }
  return [];
}

/** `.ko`, `.ko.xz` or `.ko.zst` bytes → the plain ELF module (busybox insmod takes plain modules only). */
export function decompressModule(bytes: Uint8Array, source: string): Uint8Array {
  if (source.endsWith('.ko')) return bytes;
  const tool = source.endsWith('.xz') ? 'xz' : source.endsWith('.zst') ? 'zstd' : source.endsWith('.gz') ? 'gzip' : undefined;
  if (!tool) throw new FormatError(source, 0, 'a module named .ko, .ko.xz, .ko.zst or .ko.gz');
  try {
    return execFileSync(tool, ['-dcq'], { input: bytes, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    throw new FormatError(source, 0, `a valid ${tool} stream (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}

/** Orders modules so each comes after what it depends on (names use '_'). Unknown dependencies are reported. */
export function loadOrder(deps: ReadonlyMap<string, string[]>, wanted: readonly string[]): { order: string[]; missing: string[] } {
  const order: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const d = deps.get(name);
    if (!d) { missing.push(name); return; }
    d.forEach(visit);
    order.push(name);
  };
  wanted.forEach(visit);
  return { order, missing };
}
