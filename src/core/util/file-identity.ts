// What makes a cached fact about a file (an executable, a BTF file) still true: the file it resolves to, unchanged.
import { realpathSync, statSync } from 'node:fs';

/** The resolved path and that file's device, inode, size, mtime and ctime: a reinstall, upgrade or re-link changes one. */
export interface FileIdentity {
  real: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The identity of the file `file` resolves to; undefined when it does not exist. */
export function fileIdentity(file: string): FileIdentity | undefined {
  try {
    const real = realpathSync(file);
    const s = statSync(real);
    return { real, dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
  } catch {
    return undefined;
  }
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.real === b.real && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}
