// Kernels as targets: Debian packages, vmlinuz/vmlinux/BTF files and the running kernel, with their BTF and modules.
export * from './types';
export { resolveKernel, runningKernel, kernelFromFile } from './resolve';
export { kernelFromPackage, looksLikePackageName } from './package';
export { extractVmlinux, findPayload, decompressPayload, isBzImage, type PayloadCompression } from './bzimage';
export { lz4LegacyDecode } from './lz4';
export { btfOfVmlinux } from './vmlinux-btf';
export { cacheRoot, kernelsCacheDir } from './cache';
