// Debian kernel packages by name: apt-get download into the cache, unpack vmlinuz and the VM's modules, extract the BTF.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ToolError, XdpMetaError } from '../util/errors';
import { kernelsCacheDir } from './cache';
import { writeKernelBtf } from './vmlinux-btf';
import { decompressModule, loadOrder, moduleDepends, VM_MODULES, VM_MODULES_AARCH64 } from './modules';
import type { KernelTarget } from './types';

/** A Debian package name (policy §5.6.1): lower-case alphanumerics and + - . , at least two characters. */
export function looksLikePackageName(s: string): boolean {
  return /^[a-z0-9][a-z0-9+.-]+$/.test(s) && !s.includes('/') && !s.endsWith('.deb');
}

interface CachedMeta { format?: number; id: string; release: string; arch?: 'aarch64'; modules: Array<{ name: string; file: string }> }

/** Bumped when the cache holds more (or other) files: older entries are fetched again. */
const CACHE_FORMAT = 2;

/**
 * Module files the VM may need, with what they depend on (virtio_net → net_failover → failover; on 6.1 the virtio
 * core and PCI transport are modules too, built in on 6.12). arm64 guests also need virtio_mmio and virtio_console
 * (the agent's channel: QEMU's virt machine has one UART).
 */
const MODULE_GLOBS = ['veth', 'virtio_net', 'net_failover', 'failover', 'virtio', 'virtio_ring', 'virtio_pci', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev']
  .map((m) => `*/${m}.ko*`);
const MODULE_GLOBS_AARCH64 = ['veth', 'virtio', 'virtio_ring', 'virtio_mmio', 'virtio_console'].map((m) => `*/${m}.ko*`);

function cachedFormat(metaFile: string): number {
  try {
    return (JSON.parse(readFileSync(metaFile, 'utf8')) as CachedMeta).format ?? 1;
  } catch {
    return 0;
  }
}

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new ToolError(`${what}: \`${cmd}\` is not installed (kernel packages by name need Debian's apt and dpkg)`, { cause: r.error });
    throw new XdpMetaError(`${what}: ${cmd} failed (${r.error.message})`, { cause: r.error });
  }
  if (r.status !== 0) {
    const msg = (r.stderr || r.stdout).trim().split('\n').filter((l) => !/^W: /.test(l)).pop() ?? `exit ${r.status}`;
    throw new XdpMetaError(`${what}: ${cmd} ${args[0]} failed: ${msg}`);
  }
  return r.stdout;
}

/** The cached kernel for a Debian package, downloading and unpacking it once. `onProgress` hears each slow step. */
export function kernelFromPackage(name: string, onProgress?: (msg: string) => void): KernelTarget {
  if (!looksLikePackageName(name)) throw new XdpMetaError(`kernel ${name}: not a Debian package name, the word running, or an existing file`);
  const root = kernelsCacheDir();
  const dir = path.join(root, name);
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile) || cachedFormat(metaFile) < CACHE_FORMAT) {
    mkdirSync(root, { recursive: true });
    // Built in a private folder and renamed into place: a killed run leaves no half cache behind to trust.
    const tmp = mkdtempSync(path.join(root, `.${name}.`));
    try {
      onProgress?.(`kernel ${name}: apt-get download`);
      const what = `kernel ${name}`;
      try {
        run('apt-get', ['download', '-q', name], tmp, what);
      } catch (e) {
        if (/Unable to locate package|has no installation candidate|Can't select|Couldn't find any package/.test((e as Error).message)) {
          throw new XdpMetaError(`kernel ${name}: no such Debian package (list them with: apt-cache search --names-only '^linux-image-')`, { cause: e });
        }
        throw e;
      }
      const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
      if (!deb) throw new XdpMetaError(`kernel ${name}: apt-get download produced no .deb`);
      onProgress?.(`kernel ${name}: unpacking ${deb}`);
      const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', path.join(tmp, deb)], { maxBuffer: 1 << 30 });
      rmSync(path.join(tmp, deb));
      const listed = execFileSync('tar', ['-t'], { input: tar, maxBuffer: 1 << 28 }).toString().split('\n');
      const vmlinuzEntry = listed.find((f) => /^\.\/boot\/vmlinuz-/.test(f));
      if (!vmlinuzEntry) throw new XdpMetaError(`kernel ${name}: the package has no boot/vmlinuz-* (is it a linux-image package?)`);
      spawnSync('tar', ['-x', '-C', tmp, vmlinuzEntry], { input: tar, maxBuffer: 1 << 26 });
      const vmlinuz = path.join(tmp, 'vmlinuz');
      renameSync(path.join(tmp, vmlinuzEntry), vmlinuz);
      onProgress?.(`kernel ${name}: extracting BTF from ${path.basename(vmlinuzEntry)}`);
      const { release, arch } = writeKernelBtf(vmlinuz, path.join(tmp, 'vmlinux.btf'), `kernel ${name}`);
      // tar exits 2 when a pattern matches nothing (a kernel with veth built in): that is fine.
      spawnSync('tar', ['-x', '-C', tmp, '--wildcards', ...(arch === 'aarch64' ? MODULE_GLOBS_AARCH64 : MODULE_GLOBS)], { input: tar, maxBuffer: 1 << 26 });
      const modules = collectModules(tmp, listed, name, arch);
      rmSync(path.join(tmp, 'boot'), { recursive: true, force: true });
      rmSync(path.join(tmp, 'lib'), { recursive: true, force: true });
      rmSync(path.join(tmp, 'usr'), { recursive: true, force: true });
      const meta: CachedMeta = { format: CACHE_FORMAT, id: name, release: release ?? name.replace(/^linux-image-/, ''), ...(arch ? { arch } : {}), modules };
      writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
      try {
        if (existsSync(dir) && cachedFormat(metaFile) < CACHE_FORMAT) rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
      } catch (e) {
        // Another run cached it meanwhile: use theirs.
        if (!existsSync(metaFile)) throw new XdpMetaError(`kernel ${name}: cannot write the cache ${dir}`, { cause: e });
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  let meta: CachedMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CachedMeta;
  } catch (e) {
    throw new XdpMetaError(`kernel ${name}: the cache entry ${metaFile} is unreadable (delete ${dir} to fetch again)`, { cause: e });
  }
  return {
    id: name, release: meta.release, source: 'package', btfPath: path.join(dir, 'vmlinux.btf'), vmlinuz: path.join(dir, 'vmlinuz'),
    modules: meta.modules.map((m) => ({ name: m.name, path: path.join(dir, m.file) })),
    ...(meta.arch ? { arch: meta.arch } : {}),
  };
}

/** Decompresses the unpacked modules into modules/, returning them in load order (relative paths). */
function collectModules(tmp: string, listed: string[], pkg: string, arch?: 'aarch64'): Array<{ name: string; file: string }> {
  const deps = new Map<string, string[]>();
  const files = new Map<string, string>();
  mkdirSync(path.join(tmp, 'modules'));
  for (const entry of listed) {
    const m = /\/([\w-]+)\.ko(\.xz|\.zst|\.gz)?$/.exec(entry);
    if (!m || !existsSync(path.join(tmp, entry))) continue;
    const modName = m[1]!.replace(/-/g, '_');
    const ko = decompressModule(readFileSync(path.join(tmp, entry)), `${pkg}:${entry}`);
    deps.set(modName, moduleDepends(ko, `${pkg}:${entry}`));
    const file = `modules/${modName}.ko`;
    writeFileSync(path.join(tmp, file), ko);
    files.set(modName, file);
  }
  const present = (arch === 'aarch64' ? VM_MODULES_AARCH64 : VM_MODULES).filter((m) => files.has(m));
  const { order } = loadOrder(deps, present);
  return order.map((n) => ({ name: n, file: files.get(n)! }));
}
