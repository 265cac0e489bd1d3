// The running kernel's BTF name index, kept in the user's cache folder and keyed by the BTF file's identity and the boot.
import { readFileSync } from 'node:fs';
import { readCacheFile, writeCacheFile } from '../util/cache-dir';
import { fileIdentity, sameIdentity, type FileIdentity } from '../util/file-identity';
import type { BtfModel } from './model';

const FILE = 'kernel-btf-index.bin';
const MAGIC = 'XMBTFIDX1\n';

interface Key extends FileIdentity { path: string; bootId: string; count: number }

/**
 * What makes the index still right: the same file (path, inode, size, mtime, ctime) in the same boot
 * (/sys/kernel/btf/vmlinux cannot change without a reboot; a new kernel is a new boot) with as many types.
 */
function keyOf(btf: BtfModel, path: string): Key | undefined {
  const id = fileIdentity(path);
  if (!id) return undefined;
  let bootId = '';
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux, or no procfs: the file identity alone.
  }
  return { ...id, path, bootId, count: btf.count };
}

const sameKey = (a: Key, b: Key): boolean => sameIdentity(a, b) && a.path === b.path && a.bootId === b.bootId && a.count === b.count;

/** Gives `btf` (read from `path`) its cached name index; false on a miss (absent, stale, torn), changing nothing. */
export function restoreKernelBtfIndex(btf: BtfModel, path: string): boolean {
  const key = keyOf(btf, path);
  const raw = key && readCacheFile(FILE);
  if (!key || !raw || raw.length < MAGIC.length + 4 || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) return false;
  try {
    const headLen = raw.readUInt32LE(MAGIC.length);
    const dataAt = MAGIC.length + 4 + headLen;
    if (dataAt % 4 !== 0 || dataAt > raw.length || (raw.length - dataAt) % 4 !== 0) return false;
    const stored = JSON.parse(raw.toString('utf8', MAGIC.length + 4, dataAt)) as Key;
    if (!sameKey(stored, key)) return false;
    // Copied into its own aligned buffer: Int32Array needs a 4-byte aligned offset.
    const words = new Int32Array((raw.length - dataAt) / 4);
    new Uint8Array(words.buffer).set(raw.subarray(dataAt));
    return btf.restoreNameIndex(words);
  } catch {
    return false;
  }
}

/** Writes `btf`'s name index (building what is not built yet) for the next process. */
export function saveKernelBtfIndex(btf: BtfModel, path: string): void {
  const key = keyOf(btf, path);
  if (!key) return;
  let head = Buffer.from(JSON.stringify(key), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + head.length) % 4)) % 4;
  head = Buffer.concat([head, Buffer.alloc(pad, 0x20)]); // JSON allows trailing spaces
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const words = btf.serializeNameIndex();
  writeCacheFile(FILE, Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, head, Buffer.from(words.buffer, words.byteOffset, words.byteLength)]));
}
