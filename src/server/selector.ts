// Which documents the server handles: `**/*.bpf.c` plus configured globs, so plain C stays with clangd/cpptools.
import { BPF_C_GLOB } from '../shared/protocol';

/** A glob (`**`, `*`, `?`, `{a,b}`) as a RegExp over a `/`-separated path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` anything.
      if (glob[i + 2] === '/') { re += '(?:.*/)?'; i += 2; } else { re += '.*'; i += 1; }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) { re += '\\{'; continue; }
      re += '(?:' + glob.slice(i + 1, close).split(',').map(escape).join('|') + ')';
      i = close;
    } else re += escape(c);
  }
  // Relative globs match anywhere below a folder, as VS Code's do.
  return new RegExp((glob.startsWith('/') ? '^' : '(?:^|/)') + re + '$');
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export class DocumentSelector {
  private patterns: RegExp[] = [globToRegExp(BPF_C_GLOB)];

  setGlobs(globs: string[]): void {
    this.patterns = [BPF_C_GLOB, ...globs].map(globToRegExp);
  }

  matches(uri: string): boolean {
    let p: string;
    try { p = decodeURIComponent(new URL(uri).pathname); } catch { return false; }
    return this.patterns.some((r) => r.test(p));
  }
}
