// Where kernels, their BTF and the matrix's results are cached: $XDG_CACHE_HOME/xdp-meta (default ~/.cache/xdp-meta).
import { homedir } from 'node:os';
import * as path from 'node:path';

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'xdp-meta');
}

export function kernelsCacheDir(): string {
  return path.join(cacheRoot(), 'kernels');
}
