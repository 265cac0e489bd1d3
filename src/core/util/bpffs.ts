// Whether a path is on a mounted bpf filesystem, decided by statfs magic (an empty /sys/fs/bpf directory is not).
import { statfsSync } from 'node:fs';

/** BPF_FS_MAGIC from include/uapi/linux/magic.h. */
export const BPF_FS_MAGIC = 0xcafe4a11;

export const BPFFS_DEFAULT = '/sys/fs/bpf';

/** What to run when it is missing; every message about a missing bpffs names it. */
export const BPFFS_MOUNT_FIX = `mount -t bpf bpf ${BPFFS_DEFAULT}`;

/** True when `where` exists and is a bpf filesystem; false when it is missing or any other filesystem. */
export function isBpffs(where: string = BPFFS_DEFAULT): boolean {
  try {
    return Number(statfsSync(where).type) === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}
