// The user's cache folder for facts worth keeping between runs (clang probes, BTF name indexes): XDG rules.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `$XDP_META_CACHE_DIR`, else `$XDG_CACHE_HOME/xdp-meta`, else `~/.cache/xdp-meta`; undefined when
 * caching is off (`XDP_META_CACHE_DIR=off`) or there is no home to put it in.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env.XDP_META_CACHE_DIR;
  if (own === 'off') return undefined;
  if (own) return path.resolve(own);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'xdp-meta');
  let home: string;
  try {
    home = os.homedir();
  } catch {
    return undefined;
  }
  return home ? path.join(home, '.cache', 'xdp-meta') : undefined;
}

/** A cache file's bytes, or undefined when absent or unreadable (a cache never fails a command). */
export function readCacheFile(name: string): Buffer | undefined {
  const dir = cacheDir();
  if (!dir) return undefined;
  try {
    return readFileSync(path.join(dir, name));
  } catch {
    return undefined;
  }
}

/**
 * Replaces a cache file atomically (write a private temp file, rename over), so a concurrent reader sees
 * the old or the new content, never a torn one. Failures (read-only home, full disk) are ignored.
 */
export function writeCacheFile(name: string, data: string | Uint8Array): void {
  const dir = cacheDir();
  if (!dir) return;
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path.join(dir, name));
  } catch {
    // Only speed is lost.
  }
}
