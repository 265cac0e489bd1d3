// The running kernel's BTF ready to use (its bytes, record index and name index) in the user's cache folder, keyed by the BTF file's identity and the boot.
import { readFileSync } from 'node:fs';
import { readCacheFile, writeCacheFile } from '../util/cache-dir';
import { fileIdentity, sameIdentity, type FileIdentity } from '../util/file-identity';
import { BtfModel } from './model';
import { btfWireWithIndex } from './wire';

const FILE = 'kernel-btf.bin';
const MAGIC = 'XMBTF2\n\0';

/** What makes the entry still right, and where its three parts lie after the header. */
interface Key extends FileIdentity { bootId: string }
interface Head extends Key { btfLen: number; count: number; indexLen: number }

/**
 * The same file (resolved path, inode, size, mtime, ctime) in the same boot: /sys/kernel/btf/vmlinux cannot
 * change without a reboot, and a new kernel is a new boot.
 */
function keyOf(path: string): Key | undefined {
  const id = fileIdentity(path);
  if (!id) return undefined;
  let bootId = '';
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux, or no procfs: the file identity alone.
  }
  return { ...id, bootId };
}

const sameKey = (a: Key, b: Key): boolean => sameIdentity(a, b) && a.bootId === b.bootId;
const pad4 = (n: number): number => (n + 3) & ~3;

/**
 * The BTF at `path` (the running kernel's, named by `path` in messages) from the cache: one read of a regular
 * file instead of the sysfs file's page-sized reads, and neither the record walk nor the name index to
 * build. undefined on a miss (absent, stale, torn): the caller reads the file itself.
 */
export function restoreKernelBtf(path: string): BtfModel | undefined {
  const key = keyOf(path);
  const raw = key && readCacheFile(FILE);
  if (!key || !raw || raw.length < MAGIC.length + 4 || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  try {
    const dataAt = MAGIC.length + 4 + raw.readUInt32LE(MAGIC.length);
    const head = JSON.parse(raw.toString('utf8', MAGIC.length + 4, dataAt)) as Head;
    if (!sameKey(head, key) || dataAt % 4 !== 0) return undefined;
    const idxAt = dataAt + pad4(head.btfLen);
    const namesAt = idxAt + 4 * head.count;
    if (namesAt + 4 * head.indexLen !== raw.length) return undefined;
    // Typed-array views need 4-byte aligned offsets: a large file is read into its own buffer, but copy if not.
    const buf = raw.byteOffset % 4 === 0 ? raw : Buffer.from(raw);
    const at = buf.byteOffset;
    const wire = btfWireWithIndex(buf.subarray(dataAt, dataAt + head.btfLen), path, new Uint32Array(buf.buffer, at + idxAt, head.count));
    if (!wire) return undefined;
    const btf = new BtfModel(wire);
    return btf.restoreNameIndex(new Int32Array(buf.buffer, at + namesAt, head.indexLen)) ? btf : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `btf` (read from `path`) with its record index and name index (building what is not built yet) for the next process. */
export function saveKernelBtf(btf: BtfModel, path: string): void {
  const key = keyOf(path);
  if (!key || btf.base) return;
  const w = btf.wire;
  const names = btf.serializeNameIndex();
  const headOf = (): Head => ({ ...key, btfLen: w.bytes.length, count: w.length, indexLen: names.length });
  let json = Buffer.from(JSON.stringify(headOf()), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((4 - ((MAGIC.length + 4 + json.length) % 4)) % 4, 0x20)]); // JSON allows trailing spaces
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const bytes = Buffer.from(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength);
  writeCacheFile(FILE, Buffer.concat([
    Buffer.from(MAGIC, 'latin1'), len, json, bytes, Buffer.alloc(pad4(bytes.length) - bytes.length),
    Buffer.from(w.wordIdx.buffer, w.wordIdx.byteOffset, w.wordIdx.byteLength),
    Buffer.from(names.buffer, names.byteOffset, names.byteLength),
  ]));
}
