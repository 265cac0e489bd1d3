// Lists the project templates under bpf-templates/: folder, title and summary from each README, and its *.bpf.c files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface BpfTemplate {
  /** Folder name, e.g. "tc-meta-magic". */
  name: string;
  dir: string;
  /** First README heading. */
  title: string;
  /** First README paragraph after the heading. */
  summary: string;
  /** Absolute paths of the template's `*.bpf.c` files. */
  sources: string[];
}

/** Every subfolder of `root` that has a README.md and at least one `*.bpf.c`, sorted by name. */
export function listTemplates(root: string): BpfTemplate[] {
  if (!existsSync(root)) return [];
  const out: BpfTemplate[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const readme = path.join(dir, 'README.md');
    const sources = readdirSync(dir).filter((f) => f.endsWith('.bpf.c')).sort().map((f) => path.join(dir, f));
    if (!existsSync(readme) || sources.length === 0) continue;
    const lines = readFileSync(readme, 'utf8').split('\n');
    const h = lines.findIndex((l) => l.startsWith('# '));
    const title = h >= 0 ? lines[h].slice(2).trim() : name;
    const para: string[] = [];
    for (const l of lines.slice(h + 1)) {
      if (l.trim() === '') {
        if (para.length) break;
        continue;
      }
      para.push(l.trim());
    }
    out.push({ name, dir, title, summary: para.join(' '), sources });
  }
  return out;
}
