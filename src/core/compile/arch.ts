// Maps the host architecture to the kernel's __TARGET_ARCH_* name and Debian's multiarch include directory.
import { existsSync } from 'node:fs';

/** `process.arch` → the suffix libbpf's bpf_tracing.h expects in `-D__TARGET_ARCH_<x>`. */
const TARGET_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'x86',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390',
  ppc64: 'powerpc',
  ppc: 'powerpc',
  riscv64: 'riscv',
  loong64: 'loongarch',
  mips: 'mips',
  mipsel: 'mips',
};

/** `process.arch` → the GNU triplet whose /usr/include/<triplet>/asm holds what <linux/types.h> includes. */
const MULTIARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'x86_64-linux-gnu',
  ia32: 'i386-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  s390x: 's390x-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
  loong64: 'loongarch64-linux-gnu',
  mipsel: 'mipsel-linux-gnu',
};

export function targetArch(arch: NodeJS.Architecture = process.arch): string {
  return TARGET_ARCH[arch] ?? arch;
}

/**
 * The directory with the host's `asm/` headers, if present. `-target bpf` drops the host's
 * multiarch include path, so `<linux/bpf.h>` → `<asm/types.h>` fails without it.
 */
export function multiarchIncludeDir(arch: NodeJS.Architecture = process.arch): string | undefined {
  const triplet = MULTIARCH[arch];
  if (!triplet) return undefined;
  const dir = `/usr/include/${triplet}`;
  return existsSync(`${dir}/asm`) ? dir : undefined;
}
