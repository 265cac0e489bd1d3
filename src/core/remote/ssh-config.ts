// Hosts named in an OpenSSH client config (~/.ssh/config and its Includes), for a host picker like Remote-SSH's.
//
// Only what a picker needs: the concrete `Host` aliases (no wildcard or negated patterns) with the
// HostName/User/Port set in their own block. Connecting still goes through the ssh client with the
// alias, so everything else in the config (ProxyJump, IdentityFile, Match) applies as in a terminal.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshConfigHost {
  /** The alias to pass to ssh. */
  alias: string;
  hostName?: string;
  user?: string;
  port?: number;
  /** The file and 1-based line of its `Host` line. */
  file: string;
  line: number;
}

/** Include depth at which OpenSSH gives up too (READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;

/** `~` and, for a relative path, the user config directory (ssh_config(5): relative Includes are under ~/.ssh). */
function resolveInclude(pattern: string, home: string): string {
  const p = pattern.startsWith('~/') ? path.join(home, pattern.slice(2)) : pattern;
  return path.isAbsolute(p) ? p : path.join(home, '.ssh', p);
}

/** Files matching a glob with `*` and `?` in its last components, sorted as glob(3) does. */
function globFiles(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return existsSync(pattern) ? [pattern] : [];
  const parts = pattern.split('/');
  let dirs = [parts[0] === '' ? '/' : parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part) continue;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const d of dirs) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(d, part));
        continue;
      }
      const re = new RegExp(`^${part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      let names: string[] = [];
      try {
        names = readdirSync(d).filter((n) => re.test(n) && !n.startsWith('.')).sort();
      } catch { /* no such directory: no match, as glob(3) */ }
      next.push(...names.map((n) => path.join(d, n)));
    }
    dirs = last ? next : next.filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } });
  }
  return dirs.filter((f) => { try { return statSync(f).isFile(); } catch { return false; } });
}

/** Splits a config line into keyword and arguments (`Key value`, `Key=value`, double-quoted arguments). */
function tokens(line: string): string[] {
  const m = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
  if (!m) return [];
  const args = [...m[2]!.matchAll(/"([^"]*)"|(\S+)/g)].map((a) => a[1] ?? a[2]!);
  return [m[1]!, ...args];
}

/**
 * The concrete hosts of `file` (default ~/.ssh/config) and the files it includes, in order of
 * appearance, each alias once (the first block naming it, as ssh's first-match rule). A missing file
 * gives no hosts; an unreadable or looping Include is skipped (ssh would say so when connecting).
 */
export function sshConfigHosts(file?: string, home = os.homedir()): SshConfigHost[] {
  const hosts = new Map<string, SshConfigHost>();
  const seen = new Set<string>();
  const read = (f: string, depth: number): void => {
    if (depth > MAX_DEPTH || seen.has(f)) return;
    seen.add(f);
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      return;
    }
    let block: SshConfigHost[] = [];
    for (const [i, raw] of text.split('\n').entries()) {
      const t = tokens(raw.replace(/^\s*#.*$/, ''));
      if (!t.length) continue;
      const key = t[0]!.toLowerCase();
      const args = t.slice(1);
      if (key === 'include') {
        for (const pat of args) for (const inc of globFiles(resolveInclude(pat, home))) read(inc, depth + 1);
      } else if (key === 'host') {
        block = [];
        if (args.some((a) => a.startsWith('!'))) continue;
        for (const a of args) {
          if (/[*?]/.test(a) || hosts.has(a)) continue;
          const h: SshConfigHost = { alias: a, file: f, line: i + 1 };
          hosts.set(a, h);
          block.push(h);
        }
      } else if (key === 'match') {
        block = [];
      } else if (key === 'hostname' && args[0]) {
        for (const h of block) h.hostName ??= args[0];
      } else if (key === 'user' && args[0]) {
        for (const h of block) h.user ??= args[0];
      } else if (key === 'port' && /^\d+$/.test(args[0] ?? '')) {
        for (const h of block) h.port ??= Number(args[0]);
      }
    }
  };
  read(file ?? path.join(home, '.ssh', 'config'), 0);
  return [...hosts.values()];
}
