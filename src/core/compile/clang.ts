// Finds a clang that can target BPF: the configured path, else `clang`, else the newest `clang-NN` on PATH.
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ToolError } from '../util/errors';
import { cachedClangProbe, storeClangProbe } from './clang-cache';
import { CancelledError, runTool } from './run';

/** Older clang lacks BTF/CO-RE features libbpf relies on (e.g. btf_decl_tag, reliable CO-RE relocs). */
export const MIN_CLANG_MAJOR = 14;

export const INSTALL_HINT =
  'install one, e.g. `apt-get install clang-19` (Debian/Ubuntu) or `dnf install clang`, ' +
  'or set the clang path (setting `xdpMeta.clang.path`, CLI `--clang PATH`)';

export interface ClangVersion {
  major: number;
  minor: number;
  patch: number;
  /** First line of `clang --version`, e.g. "Debian clang version 19.1.7 (3~deb12u1)". */
  text: string;
}

export interface ClangInfo {
  /** Absolute path of the executable. */
  path: string;
  version: ClangVersion;
  /** `-print-targets` lists `bpf`. */
  bpfTarget: boolean;
}

export interface FindClangOptions {
  /** A user-configured clang (setting or `--clang`): when given it is the only candidate. */
  configured?: string;
  /** The PATH to search (default process.env.PATH). */
  pathEnv?: string;
  signal?: AbortSignal;
}

/** No usable clang: `tried` says, per candidate, why it was refused (for a one-line verdict such as doctor's). */
export class ClangNotFoundError extends ToolError {
  constructor(readonly tried: readonly string[]) {
    super(
      `no usable clang (need clang >= ${MIN_CLANG_MAJOR} with the bpf target). Tried:\n` +
        tried.map((t) => `  - ${t}`).join('\n') + `\n${INSTALL_HINT}`,
    );
  }
}

/** Why a configured clang path that `whichSync` refused is unusable: absent, a directory, or not executable. */
function whyNotExecutable(p: string): string {
  if (!p.includes('/') || !existsSync(p)) return 'not found';
  try {
    return statSync(p).isFile() ? 'not executable (no x permission)' : 'not a file';
  } catch {
    return 'not found';
  }
}

/** Parses the first `clang version X.Y.Z` out of `clang --version`; undefined when absent. */
export function parseClangVersion(text: string): ClangVersion | undefined {
  const m = /\bclang version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  const line = text.split('\n').find((l) => l.includes(m[0])) ?? m[0];
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: line.trim() };
}

/** True when `clang -print-targets` output has a `bpf` entry. */
export function listsBpfTarget(printTargets: string): boolean {
  return /^\s*bpf\s+-/m.test(printTargets);
}

/** Resolves a bare command name through `pathEnv`; a name with a slash is taken as a path. */
export function whichSync(name: string, pathEnv: string = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? path.resolve(name) : undefined;
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Every `clang-NN` on PATH (first hit per name wins, as a shell would), newest first. */
export function versionedClangsOnPath(pathEnv: string = process.env.PATH ?? ''): string[] {
  const seen = new Map<string, { file: string; major: number }>();
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^clang-(\d+)$/.exec(n);
      if (!m || seen.has(n)) continue;
      const file = path.join(dir, n);
      if (isExecutable(file)) seen.set(n, { file, major: Number(m[1]) });
    }
  }
  return [...seen.values()].sort((a, b) => b.major - a.major).map((c) => c.file);
}

/** Asks one executable for its version and targets; throws ToolError saying why it is unusable. */
export async function probeClang(file: string, signal?: AbortSignal): Promise<ClangInfo> {
  const ver = await runTool(file, ['--version'], { signal, timeoutMs: 20_000 });
  const version = parseClangVersion(ver.stdout + ver.stderr);
  if (ver.code !== 0 || !version) {
    throw new ToolError(`${file}: \`--version\` did not report a clang version`);
  }
  if (version.major < MIN_CLANG_MAJOR) {
    throw new ToolError(`${file}: clang ${version.major}.${version.minor} is older than the minimum ${MIN_CLANG_MAJOR}`);
  }
  const targets = await runTool(file, ['-print-targets'], { signal, timeoutMs: 20_000 });
  const bpfTarget = targets.code === 0 && listsBpfTarget(targets.stdout);
  if (!bpfTarget) throw new ToolError(`${file}: clang ${version.major} has no bpf target in \`-print-targets\``);
  return { path: file, version, bpfTarget };
}

/**
 * probeClang through the cache in the user's cache folder: two clang runs cost as much as a compile, and
 * their answer holds as long as the executable is the same file (path, target, inode, size, mtime, ctime).
 */
export async function probeClangCached(file: string, signal?: AbortSignal): Promise<ClangInfo> {
  const known = cachedClangProbe(file);
  if (known) return known;
  const info = await probeClang(file, signal);
  storeClangProbe(info);
  return info;
}

const cache = new Map<string, Promise<ClangInfo>>();

/** Forgets cached discoveries (after the user changes the setting or installs a compiler). */
export function clearClangCache(): void {
  cache.clear();
}

/**
 * Discovers a usable clang. Results are cached per (configured, PATH) so the language server can call
 * this on every compile; failures are not cached. Throws ToolError listing each candidate and why it failed.
 */
export function findClang(opts: FindClangOptions = {}): Promise<ClangInfo> {
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  const key = `${opts.configured ?? ''}\0${pathEnv}`;
  let p = cache.get(key);
  if (!p) {
    p = discover(opts.configured, pathEnv, opts.signal);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function discover(configured: string | undefined, pathEnv: string, signal?: AbortSignal): Promise<ClangInfo> {
  const tried: string[] = [];
  const attempt = async (label: string, file: string | undefined, missing = 'not found'): Promise<ClangInfo | undefined> => {
    if (!file) {
      tried.push(`${label}: ${missing}`);
      return undefined;
    }
    try {
      return await probeClangCached(file, signal);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      tried.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };
  const fail = (): never => {
    throw new ClangNotFoundError(tried);
  };

  if (configured) {
    const file = whichSync(configured, pathEnv);
    return (await attempt(`configured clang '${configured}'`, file, whyNotExecutable(configured))) ?? fail();
  }
  const onPath = pathEnv.split(path.delimiter).filter(Boolean);
  const where = onPath.length ? `on PATH (${onPath.join(path.delimiter)})` : 'on PATH (PATH is empty)';
  const plain = await attempt(`'clang' ${where}`, whichSync('clang', pathEnv));
  if (plain) return plain;
  const versioned = versionedClangsOnPath(pathEnv);
  if (versioned.length === 0) tried.push(`'clang-NN' ${where}: none found`);
  for (const file of versioned) {
    const info = await attempt(file, file);
    if (info) return info;
  }
  return fail();
}
