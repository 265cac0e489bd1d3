// Builds committed BPF C fixtures into objects with real clang-19, cached by content hash under .cache/fixtures.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';

export const CLANG = process.env.XDP_META_TEST_CLANG ?? 'clang-19';
const CACHE = path.resolve(__dirname, '../../.cache/fixtures');

export interface FixtureOptions {
  /** Extra clang arguments (e.g. `-I dir`, `-DFOO`, `-mbig-endian` via `--target=bpfeb`). */
  args?: string[];
}

/** Compiles `src` (absolute or relative to test/fixtures) with `-target bpf -O2 -g` and returns the object path. */
export function buildBpfObject(src: string, opts: FixtureOptions = {}): string {
  const file = path.isAbsolute(src) ? src : path.resolve(__dirname, '../fixtures', src);
  const args = ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', ...(opts.args ?? [])];
  const h = createHash('sha256').update(readFileSync(file)).update(args.join('\0')).update(CLANG);
  // Headers beside the fixture (and in -I dirs) are part of the key, so editing one rebuilds its users.
  const dirs = [path.dirname(file), ...(opts.args ?? []).flatMap((a, i, all) => (a === '-I' ? [all[i + 1]] : a.startsWith('-I') ? [a.slice(2)] : []))];
  for (const header of dirs.flatMap(headersUnder).sort()) h.update(header).update(readFileSync(header));
  const hash = h.digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, `${path.basename(file, '.c')}-${hash}.o`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(CLANG, [...args, '-I', path.dirname(file), '-c', file, '-o', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, out);
  return out;
}

export function hasClang(): boolean {
  try {
    execFileSync(CLANG, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every `.h` file below `dir` (fixture folders are small). */
function headersUnder(dir: string): string[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.h'))
    .map((f) => path.join(dir, f));
}
