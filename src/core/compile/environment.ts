// Checks the host toolchain and kernel for BPF work (clang, bpftool, BTF, bpffs, privileges, headers): `xdp-meta doctor`.
import { readFileSync, statSync } from 'node:fs';
import { XDP_METADATA_KFUNCS } from '../bpf/xdp-kfuncs';
import { KERNEL_BTF_PATH } from '../btf/load';
import { ClangNotFoundError, findClang } from './clang';
import { findLibbpfHeaders, LIBBPF_INSTALL_HINT, UAPI_INSTALL_HINT } from './libbpf-headers';
import { CancelledError, runTool } from './run';

export type CheckStatus = 'ok' | 'warning' | 'missing';

export interface EnvCheck {
  /** Stable key: clang, bpftool, kernel-btf, bpffs, privileges, libbpf-headers, uapi-headers. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found (path, version, size) or what is wrong. */
  detail: string;
  /** What to do about a warning or missing item. */
  fix?: string;
}

export interface EnvironmentOptions {
  clang?: string;
  pathEnv?: string;
  includes?: readonly string[];
  /** Overridable sources, for tests. */
  btfPath?: string;
  procStatus?: string;
  procMounts?: string;
  uid?: number;
  signal?: AbortSignal;
}

/** Linux capability numbers (include/uapi/linux/capability.h). */
export const CAP_NET_ADMIN = 12;
export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

const XDP_METADATA_KFUNC_NAMES = XDP_METADATA_KFUNCS.map((k) => k.name);

/** Parses the `CapEff:` hex mask out of /proc/<pid>/status. */
export function parseCapEff(status: string): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

export function hasCap(mask: bigint, cap: number): boolean {
  return (mask >> BigInt(cap)) & 1n ? true : false;
}

/** Whether a bpf filesystem is mounted at `where` according to /proc/mounts text. */
export function bpffsMounted(mounts: string, where = '/sys/fs/bpf'): boolean {
  return mounts.split('\n').some((l) => {
    const [, dir, type] = l.split(/\s+/);
    return dir === where && type === 'bpf';
  });
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

async function checkClang(opts: EnvironmentOptions): Promise<EnvCheck> {
  try {
    const c = await findClang({ configured: opts.clang, pathEnv: opts.pathEnv, signal: opts.signal });
    const v = c.version;
    return { id: 'clang', title: 'clang', status: 'ok', detail: `${c.path} (${v.major}.${v.minor}.${v.patch}, bpf target)` };
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    // One line that still says what was tried and why each candidate was refused.
    const detail = e instanceof ClangNotFoundError ? `no usable clang: ${e.tried.join('; ')}` : msg.split('\n')[0];
    return { id: 'clang', title: 'clang', status: 'missing', detail,
      fix: 'apt-get install clang-19 (or set the clang path)' };
  }
}

async function checkBpftool(opts: EnvironmentOptions): Promise<EnvCheck> {
  const fix = 'apt-get install bpftool (Debian) or linux-tools-$(uname -r) (Ubuntu)';
  try {
    const env = opts.pathEnv !== undefined ? { ...process.env, PATH: opts.pathEnv } : undefined;
    const r = await runTool('bpftool', ['version'], { signal: opts.signal, env, timeoutMs: 20_000 });
    const lines = r.stdout.trim().split('\n');
    if (r.code !== 0 || !/bpftool v?\d/.test(lines[0] ?? '')) {
      return { id: 'bpftool', title: 'bpftool', status: 'warning', detail: `\`bpftool version\` failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`, fix };
    }
    const libbpf = lines.find((l) => l.startsWith('using libbpf'));
    return { id: 'bpftool', title: 'bpftool', status: 'ok', detail: [lines[0].trim(), libbpf?.trim()].filter(Boolean).join(', ') };
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    return { id: 'bpftool', title: 'bpftool', status: 'missing', detail: 'bpftool not found on PATH', fix };
  }
}

function checkBtf(opts: EnvironmentOptions): EnvCheck {
  const file = opts.btfPath ?? KERNEL_BTF_PATH;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { id: 'kernel-btf', title: 'kernel BTF', status: 'missing', detail: `${file} not found`,
      fix: 'CO-RE needs kernel BTF: use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or pass a BTF file (e.g. from BTFHub)' };
  }
  // The kfunc names sit NUL-terminated in the BTF string section; a byte search avoids parsing 5 MB of types.
  let kfuncs = '';
  try {
    const bytes = readFileSync(file);
    const found = XDP_METADATA_KFUNC_NAMES.filter((n) => bytes.includes(Buffer.from(`\0${n}\0`)));
    kfuncs = found.length === XDP_METADATA_KFUNC_NAMES.length
      ? '; XDP metadata kfuncs: rx_hash, rx_timestamp, rx_vlan_tag'
      : found.length ? `; XDP metadata kfuncs: only ${found.map((n) => n.replace('bpf_xdp_metadata_', '')).join(', ')}`
        : '; no XDP metadata kfuncs (kernel older than 6.3)';
  } catch {
    // Size alone still answers "is there BTF".
  }
  return { id: 'kernel-btf', title: 'kernel BTF', status: 'ok', detail: `${file} (${mb(size)})${kfuncs}` };
}

function checkBpffs(opts: EnvironmentOptions): EnvCheck {
  const mounts = opts.procMounts ?? readOr('/proc/mounts', '');
  return bpffsMounted(mounts)
    ? { id: 'bpffs', title: 'bpffs', status: 'ok', detail: 'mounted at /sys/fs/bpf' }
    : { id: 'bpffs', title: 'bpffs', status: 'warning', detail: '/sys/fs/bpf is not a mounted bpf filesystem; pinning will fail',
      fix: 'mount -t bpf bpf /sys/fs/bpf' };
}

function checkPrivileges(opts: EnvironmentOptions): EnvCheck {
  const uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : -1);
  const caps = parseCapEff(opts.procStatus ?? readOr('/proc/self/status', ''));
  const fix = 'run as root, or grant CAP_BPF and CAP_NET_ADMIN (e.g. `setcap cap_bpf,cap_net_admin+ep <loader>`)';
  if (caps === undefined) {
    return { id: 'privileges', title: 'privileges', status: 'warning', detail: 'could not read CapEff from /proc/self/status', fix };
  }
  const bpf = hasCap(caps, CAP_BPF) || hasCap(caps, CAP_SYS_ADMIN);
  const net = hasCap(caps, CAP_NET_ADMIN);
  const who = uid === 0 ? 'root' : `uid ${uid}`;
  if (bpf && net) {
    const via = hasCap(caps, CAP_BPF) ? 'CAP_BPF' : 'CAP_SYS_ADMIN';
    return { id: 'privileges', title: 'privileges', status: 'ok', detail: `${who} with ${via}+CAP_NET_ADMIN: can load XDP/TC programs` };
  }
  const lacking = [bpf ? '' : 'CAP_BPF', net ? '' : 'CAP_NET_ADMIN'].filter(Boolean).join(' and ');
  return { id: 'privileges', title: 'privileges', status: 'warning', detail: `${who} lacks ${lacking}: cannot load XDP/TC programs (compiling still works)`, fix };
}

function checkHeaders(opts: EnvironmentOptions): EnvCheck[] {
  const h = findLibbpfHeaders(opts.includes);
  const libbpf: EnvCheck = h.includeDir
    ? { id: 'libbpf-headers', title: 'libbpf headers', status: 'ok',
      detail: `${h.includeDir}/bpf/bpf_helpers.h${h.version ? ` (libbpf ${h.version})` : ''}` }
    : { id: 'libbpf-headers', title: 'libbpf headers', status: 'missing', detail: `bpf/bpf_helpers.h not in ${h.searched.join(', ')}`, fix: LIBBPF_INSTALL_HINT };
  const uapi: EnvCheck = h.uapiHeaders
    ? { id: 'uapi-headers', title: 'kernel headers', status: 'ok', detail: '<linux/bpf.h> and <asm/types.h> present' }
    : { id: 'uapi-headers', title: 'kernel headers', status: 'missing', detail: '<linux/bpf.h> or <asm/types.h> not found', fix: UAPI_INSTALL_HINT };
  return [libbpf, uapi];
}

/** Runs every check; never throws for a missing item (only CancelledError on abort). */
export async function checkEnvironment(opts: EnvironmentOptions = {}): Promise<EnvCheck[]> {
  const [clang, bpftool] = await Promise.all([checkClang(opts), checkBpftool(opts)]);
  return [clang, bpftool, checkBtf(opts), checkBpffs(opts), checkPrivileges(opts), ...checkHeaders(opts)];
}
