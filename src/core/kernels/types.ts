// A kernel the matrix judges against: where its BTF is, and what boots it (image and modules) when it can boot.
export type KernelSource = 'running' | 'package' | 'vmlinuz' | 'vmlinux' | 'btf';

export interface KernelTarget {
  /** As the user named it: `running`, a package name or a file path. */
  id: string;
  /** `uname -r` of the kernel ("6.12.117+deb12-cloud-amd64"); for a bare BTF file, its file name. */
  release: string;
  source: KernelSource;
  /** Raw BTF of the kernel (vmlinux's .BTF). */
  btfPath: string;
  /** A bootable bzImage or arm64 Image (packages and vmlinuz files); absent: static checks only (or the running kernel). */
  vmlinuz?: string;
  /** `uname -m` of a bootable image when it is not x86_64 ('aarch64': qemu-system-aarch64 and the aarch64 agent). */
  arch?: 'aarch64';
  /** Plain `.ko` files the VM loads, in load order (dependencies first). */
  modules?: Array<{ name: string; path: string }>;
}
