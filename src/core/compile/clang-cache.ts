// Remembers what `clang --version` and `clang -print-targets` said about an executable, keyed by its identity.
import { readCacheFile, writeCacheFile } from '../util/cache-dir';
import { fileIdentity as identityOf, type FileIdentity as Identity, sameIdentity } from '../util/file-identity';
import type { ClangInfo, ClangVersion } from './clang';

/** Cache file (in the user's cache folder) and its format version. */
const FILE = 'clang-probes.json';
const FORMAT = 1;
/** Entries kept: a few compilers per machine, plus room for the ones tests create and delete. */
const MAX_ENTRIES = 32;

interface Entry extends Identity {
  version: ClangVersion;
}

interface CacheFile {
  format: number;
  entries: Record<string, Entry>;
}

function load(): CacheFile {
  const raw = readCacheFile(FILE);
  if (raw) {
    try {
      const j = JSON.parse(raw.toString('utf8')) as CacheFile;
      if (j && j.format === FORMAT && typeof j.entries === 'object' && j.entries) return j;
    } catch {
      // A torn or foreign file is only a miss.
    }
  }
  return { format: FORMAT, entries: {} };
}

/** A usable clang's earlier probe, when the executable at `file` is still the very same file; else undefined. */
export function cachedClangProbe(file: string): ClangInfo | undefined {
  const id = identityOf(file);
  const e = id && load().entries[file];
  if (!id || !e || !sameIdentity(id, e) || typeof e.version?.major !== 'number') return undefined;
  return { path: file, version: e.version, bpfTarget: true };
}

/** Records a successful probe (refusals are not kept: they are rare and re-probing them is the safe answer). */
export function storeClangProbe(info: ClangInfo): void {
  const id = identityOf(info.path);
  if (!id || !info.bpfTarget) return;
  const c = load();
  // Drop what no longer matches its file (deleted test compilers, upgrades), then the oldest beyond the cap.
  for (const [k, e] of Object.entries(c.entries)) {
    const now = identityOf(k);
    if (!now || !sameIdentity(now, e)) delete c.entries[k];
  }
  delete c.entries[info.path];
  c.entries[info.path] = { ...id, version: info.version };
  const keys = Object.keys(c.entries);
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete c.entries[k];
  writeCacheFile(FILE, JSON.stringify(c));
}
