// Locates libbpf's BPF-side headers (<bpf/bpf_helpers.h>) and the kernel uapi headers a .bpf.c includes.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { multiarchIncludeDir } from './arch';

export interface LibbpfHeaders {
  /** The include root that holds `bpf/bpf_helpers.h` (pass it as `-I`), if found. */
  includeDir?: string;
  /** libbpf version from `bpf/libbpf_version.h`, e.g. "1.1". */
  version?: string;
  /** Whether `<linux/bpf.h>` and the `asm/` headers it pulls in are present. */
  uapiHeaders: boolean;
  /** Every include root searched, in order. */
  searched: string[];
}

export const LIBBPF_INSTALL_HINT = 'install libbpf headers: `apt-get install libbpf-dev` (or `dnf install libbpf-devel`)';
export const UAPI_INSTALL_HINT = 'install kernel uapi headers: `apt-get install linux-libc-dev`';

/** Searches `extraDirs` (user `-I` paths) then /usr/local/include and /usr/include. */
export function findLibbpfHeaders(extraDirs: readonly string[] = []): LibbpfHeaders {
  const searched = [...extraDirs.map((d) => path.resolve(d)), '/usr/local/include', '/usr/include'];
  const includeDir = searched.find((d) => existsSync(path.join(d, 'bpf', 'bpf_helpers.h')));
  let version: string | undefined;
  if (includeDir) {
    try {
      const text = readFileSync(path.join(includeDir, 'bpf', 'libbpf_version.h'), 'utf8');
      const major = /#define\s+LIBBPF_MAJOR_VERSION\s+(\d+)/.exec(text)?.[1];
      const minor = /#define\s+LIBBPF_MINOR_VERSION\s+(\d+)/.exec(text)?.[1];
      if (major && minor) version = `${major}.${minor}`;
    } catch {
      // Older libbpf had no version header; the headers still work.
    }
  }
  const asmDir = multiarchIncludeDir();
  const uapiHeaders = searched.some((d) => existsSync(path.join(d, 'linux', 'bpf.h'))) &&
    (asmDir !== undefined || searched.some((d) => existsSync(path.join(d, 'asm', 'types.h'))));
  return { includeDir, version, uapiHeaders, searched };
}
