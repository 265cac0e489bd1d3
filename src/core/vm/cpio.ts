// A cpio "newc" (SVR4, no CRC) archive writer: the format the kernel unpacks as an initramfs.
export interface CpioEntry {
  /** Path inside the archive, without a leading slash ("bin/busybox"). */
  name: string;
  /** 'file' (data), 'dir', 'symlink' (data = target), 'char' (a device node: rdev major/minor). */
  type: 'file' | 'dir' | 'symlink' | 'char';
  /** Permission bits (default 0755 for files and dirs, 0777 for symlinks, 0600 for devices). */
  perm?: number;
  data?: Uint8Array;
  rdev?: [major: number, minor: number];
}

const TYPE_BITS = { file: 0o100000, dir: 0o040000, symlink: 0o120000, char: 0o020000 } as const;
const DEFAULT_PERM = { file: 0o755, dir: 0o755, symlink: 0o777, char: 0o600 } as const;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, nlink: number, size: number, rdev: [number, number], nameSize: number): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return '070701' + [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0].map(hex8).join('');
}

/** The archive bytes: entries in order (parents before children), then the TRAILER!!! record. mtime is 0: reproducible. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (hdr: string, name: string, data: Uint8Array): void => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const head = Buffer.concat([Buffer.from(hdr, 'latin1'), nameBytes]);
    parts.push(head, Buffer.alloc(pad4(head.length)));
    if (data.length) parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((e, i) => {
    const name = e.name.replace(/^\/+/, '');
    const data = e.type === 'file' || e.type === 'symlink' ? e.data ?? new Uint8Array(0) : new Uint8Array(0);
    const mode = TYPE_BITS[e.type] | (e.perm ?? DEFAULT_PERM[e.type]);
    push(header(i + 1, mode, e.type === 'dir' ? 2 : 1, data.length, e.rdev ?? [0, 0], Buffer.byteLength(name) + 1), name, data);
  });
  push(header(0, 0, 1, 0, [0, 0], 11), 'TRAILER!!!', new Uint8Array(0));
  return Buffer.concat(parts);
}
