// BPF helper signatures and docs, read once from libbpf's generated bpf_helper_defs.h.
import { readFileSync } from 'node:fs';

export interface HelperInfo {
  name: string;
  id: number;
  /** C prototype, e.g. `void *bpf_map_lookup_elem(void *map, const void *key)`. */
  signature: string;
  description: string;
  returns: string;
}

export const HELPER_DEFS_PATHS = ['/usr/include/bpf/bpf_helper_defs.h', '/usr/local/include/bpf/bpf_helper_defs.h'];

let table: Map<string, HelperInfo> | undefined;

/** The helper table; empty when no bpf_helper_defs.h is installed (libbpf-dev). */
export function helpers(paths = HELPER_DEFS_PATHS): Map<string, HelperInfo> {
  if (table) return table;
  table = new Map();
  for (const p of paths) {
    let text: string;
    try { text = readFileSync(p, 'utf8'); } catch { continue; }
    for (const h of parseHelperDefs(text)) table.set(h.name, h);
    break;
  }
  return table;
}

// A doc comment, then `static RET (*NAME)(ARGS) = (void *) ID;`.
const ENTRY_RE = /\/\*\n \* (\w+)\n \*\n([\s\S]*?)\*\/\nstatic ([^;]*?)\(\*(\w+)\)\(([^)]*)\) = \(void \*\) (\d+);/g;

export function parseHelperDefs(text: string): HelperInfo[] {
  const out: HelperInfo[] = [];
  for (const m of text.matchAll(ENTRY_RE)) {
    const body = m[2].split('\n').map((l) => l.replace(/^ \*( |\t)?/, '').replace(/^\t/, '')).join('\n');
    const [desc, ret = ''] = body.split(/\nReturns\n/);
    const retType = m[3].trim();
    out.push({
      name: m[4], id: Number(m[6]),
      signature: `${retType}${retType.endsWith('*') ? '' : ' '}${m[4]}(${m[5]})`,
      description: tidy(desc), returns: tidy(ret),
    });
  }
  return out;
}

/** The header's RST-ish emphasis (`**x**`, `*x*`) is close enough to Markdown; drop the indentation. */
function tidy(s: string): string {
  return s.split('\n').map((l) => l.trimEnd()).join('\n').replace(/\\ /g, '').trim();
}
