// vmlinuz (x86 bzImage or arm64 Image) or vmlinux → the kernel's raw BTF (its .BTF section) and release.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseElf } from '../elf/reader';
import { XdpMetaError } from '../util/errors';
import { arm64Image, arm64ImageRelease, btfOfArm64Image } from './arm64-image';
import { extractVmlinux, isBzImage } from './bzimage';

/** The `.BTF` section of an ELF vmlinux; a clear error naming the kernel when it was built without BTF. */
export function btfOfVmlinux(vmlinux: Uint8Array, what: string): Uint8Array {
  const sec = parseElf(vmlinux, what).sectionByName('.BTF');
  if (!sec || sec.size === 0) throw new XdpMetaError(`${what}: the kernel has no BTF (no .BTF section in its vmlinux; it was built without CONFIG_DEBUG_INFO_BTF)`);
  return sec.data;
}

/**
 * Writes the BTF of a vmlinuz (bzImage or arm64 Image) or vmlinux file to `out`; returns the release from the image
 * (bzImage header, arm64 banner) and `arch` 'aarch64' for an arm64 Image (absent: x86_64 or not bootable).
 */
export function writeKernelBtf(file: string, out: string, what: string, bytes?: Uint8Array): { release: string | undefined; arch?: 'aarch64' } {
  const data = bytes ?? readFileSync(file);
  const image = isBzImage(data) ? undefined : arm64Image(data, `${what} (${file})`);
  if (image) {
    writeFileSync(out, btfOfArm64Image(image, `${what} (${file})`));
    return { release: arm64ImageRelease(image), arch: 'aarch64' };
  }
  let vmlinux: Uint8Array = data;
  let release: string | undefined;
  if (isBzImage(data)) {
    const x = extractVmlinux(data, `${what} (${file})`);
    vmlinux = x.vmlinux;
    release = x.payload.kernelVersion?.split(' ')[0];
  }
  writeFileSync(out, btfOfVmlinux(vmlinux, what));
  return { release };
}
