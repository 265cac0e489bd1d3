// The agent's copies on a host: the probe that hash-checks them, the verified upload, and the hash-checked start line.
import type { AgentBinary } from './agent-binary';

/** The user's cache on the host (relative to ~). */
export const CACHE_DIR = '.cache/xdp-meta';
/** Where an administrator installs the agent once, root-owned, for sudo rules that name only root-owned files. */
export const SYSTEM_AGENT_DIR = '/usr/local/lib/xdp-meta';

/** Exit statuses of our remote shell snippets (above what ssh and the agent use). */
export const EXIT_UPLOAD_CUT = 97;
export const EXIT_AGENT_MISMATCH = 98;
export const EXIT_NO_SHA256 = 99;

/** What the probe found for one agent hash. */
export interface HostCopies {
  arch: string;
  hasSha256sum: boolean;
  /** hash prefix → sha256 of the executable file in the user's cache. */
  cached: Map<string, string>;
  /** hash prefix → the root-owned copy: its sha256 and whether file and folder are root-owned and writable only by root. */
  system: Map<string, { sha256: string; rootOnly: boolean }>;
}

/** One round trip: the architecture, sha256sum's presence, and the sha256 of each copy of our agents on the host. */
export function probeCommand(hashes: string[], systemDir = SYSTEM_AGENT_DIR): string {
  return `printf 'arch=%s\\n' "$(uname -m)"; command -v sha256sum >/dev/null 2>&1 && echo sha256sum=yes; ` +
    `for h in ${hashes.join(' ')}; do f=~/${CACHE_DIR}/agent-$h; ` +
    `test -f "$f" && test -x "$f" && echo "have=agent-$h $(sha256sum < "$f" 2>/dev/null | cut -d' ' -f1)"; ` +
    `r=${systemDir}/agent-$h; test -f "$r" && test -x "$r" && ` +
    `echo "system=agent-$h $(stat -L -c %u:%a "$r" ${systemDir} 2>/dev/null | tr '\\n' ' ')$(sha256sum < "$r" 2>/dev/null | cut -d' ' -f1)"; ` +
    `done; true`;
}

/** No write for group or others (octal mode as `stat -c %a` prints it). */
function rootOnly(owner: string | undefined): boolean {
  const m = /^0:([0-7]+)$/.exec(owner ?? '');
  return !!m && (parseInt(m[1]!, 8) & 0o022) === 0;
}

export function parseProbe(out: string): HostCopies | undefined {
  const arch = /^arch=(\S+)/m.exec(out)?.[1];
  if (!arch) return undefined;
  const cached = new Map<string, string>();
  const system = new Map<string, { sha256: string; rootOnly: boolean }>();
  for (const m of out.matchAll(/^have=agent-([0-9a-f]+) ([0-9a-f]*)$/gm)) cached.set(m[1]!, m[2]!);
  for (const m of out.matchAll(/^system=agent-([0-9a-f]+) (\S+) (\S+) ([0-9a-f]*)$/gm)) {
    system.set(m[1]!, { sha256: m[4]!, rootOnly: rootOnly(m[2]) && rootOnly(m[3]) });
  }
  return { arch, hasSha256sum: /^sha256sum=yes$/m.test(out), cached, system };
}

/**
 * Uploads stdin into a private temp file, and moves it into place only when its sha256 is the agent's:
 * `cat` succeeds on EOF, so a stream cut by a dropped connection would otherwise become the cached agent.
 */
export function uploadCommand(bin: AgentBinary): string {
  const remote = `~/${CACHE_DIR}/agent-${bin.hash}`;
  return `umask 077 && mkdir -p ~/${CACHE_DIR} && t=$(mktemp ~/${CACHE_DIR}/.upload.XXXXXX) && cat > "$t" && ` +
    `if [ "$(sha256sum < "$t" | cut -d' ' -f1)" != ${bin.sha256} ]; then ` +
    `echo "xdp-meta-upload: $(wc -c < "$t") of ${bin.bytes.length} bytes arrived, sha256 differs" >&2; rm -f "$t"; exit ${EXIT_UPLOAD_CUT}; fi && ` +
    `chmod 700 "$t" && mv -f "$t" ${remote}`;
}

/**
 * The start line: checks the copy's sha256 right before running it (a copy damaged since the probe is
 * removed from the cache, never run), then execs the agent, through sudo -n unless root.
 */
export function startCommand(agentPath: string, sha256: string, run: string, sudo: 'auto' | 'always' | 'never', removable: boolean): string {
  const check = `if [ "$(sha256sum < "$A" 2>/dev/null | cut -d' ' -f1)" != ${sha256} ]; then ` +
    `echo "xdp-meta-agent-mismatch: $A does not match the agent's sha256${removable ? ': removed' : ''}" >&2; ` +
    `${removable ? 'rm -f "$A"; ' : ''}exit ${EXIT_AGENT_MISMATCH}; fi; `;
  // Not exec: the shell stays to pass on the agent's own exit status (137 when killed), so the client can tell an
  // agent that ended (its links went with it) from a lost connection (ssh's 255), where the agent may still run.
  const exec = sudo === 'never' ? run : sudo === 'always' ? `sudo -n ${run}`
    : `if [ "$(id -u)" = 0 ]; then ${run}; else sudo -n ${run}; fi`;
  return `A=${agentPath}; ${check}${exec}; s=$?; [ $s = 255 ] && s=254; exit $s`;
}
