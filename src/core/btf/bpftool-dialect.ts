// How the user's bpftool prints odd-sized enums in `format c`: asked once by dumping a one-enum BTF, cached per executable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTool } from '../compile/run';
import { whichSync } from '../compile/clang';
import { readCacheFile, writeCacheFile } from '../util/cache-dir';
import { ToolError } from '../util/errors';
import { fileIdentity, sameIdentity, type FileIdentity } from '../util/file-identity';
import { BtfBuilder } from './builder';

const FILE = 'bpftool-dialect.json';
const PROBE_ENUM = 'xdp_meta_probe_u8';

interface Entry extends FileIdentity { enumModes: boolean }

/**
 * Whether `bpftool btf dump ... format c` of this bpftool writes `__attribute__((mode(byte)))` on a 1-byte
 * enum (libbpf's btf_dump does since commit e6e0e3fd, Dec 2022). Its version cannot tell: Debian's bpftool
 * 7.1 (built from Linux 6.1) lacks it and GitHub's bpftool v7.1.0 has it, both "using libbpf v1.1". So the
 * bpftool itself is asked, once per executable (path, inode, size, mtime). ToolError when none runs.
 */
export async function bpftoolEnumModes(bpftool = 'bpftool', pathEnv: string = process.env.PATH ?? ''): Promise<boolean> {
  const file = whichSync(bpftool, pathEnv);
  if (!file) throw new ToolError(`${bpftool}: not found${bpftool.includes('/') ? '' : ' on PATH'} (needed to match its C dump)`);
  const id = fileIdentity(file);
  const cache = loadCache();
  const hit = id && cache[file];
  if (id && hit && sameIdentity(id, hit) && typeof hit.enumModes === 'boolean') return hit.enumModes;
  const enumModes = await probe(file);
  if (id) {
    for (const [k, e] of Object.entries(cache)) {
      const now = fileIdentity(k);
      if (!now || !sameIdentity(now, e)) delete cache[k];
    }
    cache[file] = { ...id, enumModes };
    writeCacheFile(FILE, JSON.stringify({ format: 1, entries: cache }));
  }
  return enumModes;
}

function loadCache(): Record<string, Entry> {
  try {
    const j = JSON.parse(readCacheFile(FILE)?.toString('utf8') ?? 'null') as { format?: number; entries?: Record<string, Entry> } | null;
    if (j?.format === 1 && j.entries && typeof j.entries === 'object') return j.entries;
  } catch {
    // A torn or foreign file is only a miss.
  }
  return {};
}

async function probe(file: string): Promise<boolean> {
  const b = new BtfBuilder();
  b.enum(PROBE_ENUM, 1, [{ name: 'XDP_META_PROBE_A', value: 1 }]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-bpftool-'));
  try {
    const btf = path.join(dir, 'probe.btf');
    writeFileSync(btf, b.encode());
    const r = await runTool(file, ['btf', 'dump', 'file', btf, 'format', 'c'], { timeoutMs: 20_000 });
    if (r.code !== 0 || !r.stdout.includes(`enum ${PROBE_ENUM} {`)) {
      throw new ToolError(`${file}: \`btf dump file ... format c\` of a one-enum BTF failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.code}`}`);
    }
    return r.stdout.includes('__attribute__((mode(byte)))');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
