// Resolves what the user named as a kernel (`running`, a Debian package, a vmlinuz/vmlinux/raw BTF file) to a KernelTarget.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import * as path from 'node:path';
import { readInputFile } from '../bpf/object-file';
import { KERNEL_BTF_PATH } from '../btf/load';
import { isElf } from '../elf/reader';
import { XdpMetaError } from '../util/errors';
import { arm64Image } from './arm64-image';
import { isBzImage } from './bzimage';
import { kernelsCacheDir } from './cache';
import { kernelFromPackage } from './package';
import type { KernelTarget } from './types';
import { writeKernelBtf } from './vmlinux-btf';

const BTF_MAGIC_LE = [0x9f, 0xeb];
const BTF_MAGIC_BE = [0xeb, 0x9f];

export function runningKernel(): KernelTarget {
  if (!existsSync(KERNEL_BTF_PATH)) throw new XdpMetaError(`kernel running: ${KERNEL_BTF_PATH} is missing (the running kernel has no BTF)`);
  return { id: 'running', release: osRelease(), source: 'running', btfPath: KERNEL_BTF_PATH };
}

/** A kernel file: raw BTF is used in place; a vmlinuz/vmlinux gets its BTF extracted once into the cache (by content hash). */
export function kernelFromFile(file: string): KernelTarget {
  const bytes = readInputFile(file, 'a kernel (vmlinuz, vmlinux or raw BTF)');
  const id = file;
  if ((bytes[0] === BTF_MAGIC_LE[0] && bytes[1] === BTF_MAGIC_LE[1]) || (bytes[0] === BTF_MAGIC_BE[0] && bytes[1] === BTF_MAGIC_BE[1])) {
    return { id, release: path.basename(file), source: 'btf', btfPath: path.resolve(file) };
  }
  const bz = isBzImage(bytes);
  const arm64 = !bz && !isElf(bytes) && !!arm64Image(bytes, `kernel ${file}`);
  if (!bz && !arm64 && !isElf(bytes)) throw new XdpMetaError(`kernel ${file}: not a bzImage (vmlinuz), an ELF vmlinux or raw BTF`);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const dir = path.join(kernelsCacheDir(), `file-${hash}`);
  const btfPath = path.join(dir, 'vmlinux.btf');
  const releaseFile = path.join(dir, 'release');
  if (!existsSync(releaseFile)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${btfPath}.${process.pid}.tmp`;
    const { release } = writeKernelBtf(file, tmp, `kernel ${file}`, bytes);
    renameSync(tmp, btfPath);
    writeFileSync(releaseFile, release ?? path.basename(file));
  }
  const release = readFileSync(releaseFile, 'utf8');
  if (arm64) return { id, release, source: 'vmlinuz', btfPath, vmlinuz: path.resolve(file), modules: [], arch: 'aarch64' };
  return bz
    ? { id, release, source: 'vmlinuz', btfPath, vmlinuz: path.resolve(file), modules: [] }
    : { id, release, source: 'vmlinux', btfPath };
}

/** `running`, an existing file, or a Debian package name (downloaded with apt into the cache once). */
export function resolveKernel(spec: string, onProgress?: (msg: string) => void): KernelTarget {
  if (spec === 'running') return runningKernel();
  if (spec.includes('/') || existsSync(spec)) return kernelFromFile(spec);
  return kernelFromPackage(spec, onProgress);
}
