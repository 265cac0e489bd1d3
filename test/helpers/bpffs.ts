// Prerequisite gate for tests that pin into bpffs: a mounted bpf filesystem (statfs magic), never just a directory.
import type { Context } from 'mocha';
import { BPFFS_MOUNT_FIX, isBpffs } from '../../src/core/util/bpffs';
import { requirePrereq } from './prereq';

/** In CI fails at once when /sys/fs/bpf is not a mounted bpf filesystem; locally skips with the fix. */
export function requireBpffs(ctx: Context): void {
  requirePrereq(ctx, isBpffs(), `a bpf filesystem mounted at /sys/fs/bpf (run: ${BPFFS_MOUNT_FIX})`);
}
