// The matrix VM's static busybox: the host's for x86_64 guests; Debian's busybox-static:arm64, fetched once, for arm64.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseElf } from '../elf/reader';
import { cacheRoot } from '../kernels/cache';
import { ToolError } from '../util/errors';

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
const EM_AARCH64 = 183;

/** An ELF without PT_INTERP/.interp (statically linked) for the machine wanted (any when undefined). */
function isStaticElf(file: string, machine?: number): boolean {
  try {
    const elf = parseElf(readFileSync(file), file);
    return !elf.sectionByName('.interp') && (machine === undefined || elf.machine === machine);
  } catch {
    return false; // not an ELF
  }
}

/** Debian's busybox-static:arm64 unpacked into the cache (needs `dpkg --add-architecture arm64`; apt-get download). */
function fetchArm64Busybox(file: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(path.join(dir, '.busybox-arm64.'));
  try {
    const r = spawnSync('apt-get', ['download', '-q', 'busybox-static:arm64'], { cwd: tmp, encoding: 'utf8' });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (r.error || r.status !== 0 || !deb) {
      const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n').filter((l) => !/^W: /.test(l)).pop() ?? `exit ${r.status}`;
      throw new ToolError(`an arm64 matrix VM needs a static arm64 busybox: apt-get download busybox-static:arm64 failed (${why}); `
        + 'run `dpkg --add-architecture arm64 && apt-get update`, or set XDP_META_BUSYBOX_AARCH64', { cause: r.error });
    }
    const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', path.join(tmp, deb)], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', tmp, './bin/busybox'], { input: tar });
    renameSync(path.join(tmp, 'bin', 'busybox'), file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A statically linked busybox for the guest's `uname -m` (Debian's busybox-static). */
export function findStaticBusybox(arch: 'x86_64' | 'aarch64' = 'x86_64'): string {
  if (arch === 'aarch64') {
    const override = process.env.XDP_META_BUSYBOX_AARCH64;
    if (override) {
      if (isStaticElf(override, EM_AARCH64)) return override;
      throw new ToolError(`XDP_META_BUSYBOX_AARCH64=${override}: not a statically linked aarch64 ELF`);
    }
    const cached = path.join(cacheRoot(), 'vm', 'busybox-aarch64');
    if (!existsSync(cached)) fetchArm64Busybox(cached);
    if (!isStaticElf(cached, EM_AARCH64)) throw new ToolError(`${cached}: not a statically linked aarch64 busybox (delete it to fetch again)`);
    return cached;
  }
  for (const p of [process.env.XDP_META_BUSYBOX, ...BUSYBOX_CANDIDATES]) {
    if (p && existsSync(p) && isStaticElf(p)) return p;
  }
  throw new ToolError('the matrix VM needs a static busybox: apt-get install busybox-static (or set XDP_META_BUSYBOX)');
}
