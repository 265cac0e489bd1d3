// compile_commands.json entries and the .clangd fragment for BPF sources (pure; no vscode).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface CompileCommand { directory: string; file: string; arguments: string[]; output?: string }

const CLANGD_BEGIN = '# >>> xdp-meta: BPF flags for *.bpf.c (generated; edits between the markers are replaced)';
const CLANGD_END = '# <<< xdp-meta';

/** Our entries for `files`, plus any existing entries for other files (a CMake or bear database stays intact). */
export function mergeCompileCommands(folder: string, files: string[], compiler: string, flags: string[]): CompileCommand[] {
  const ours = new Set(files);
  let existing: CompileCommand[] = [];
  const db = path.join(folder, 'compile_commands.json');
  if (existsSync(db)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(db, 'utf8'));
      if (Array.isArray(parsed)) existing = parsed as CompileCommand[];
    } catch { /* unreadable: replaced */ }
  }
  const kept = existing.filter((e) => !ours.has(path.resolve(e.directory ?? folder, e.file)));
  return [...kept, ...files.map((file) => {
    const output = file.replace(/\.c$/, '.o');
    return { directory: path.dirname(file), file, output, arguments: [compiler, ...flags, '-c', file, '-o', output] };
  })];
}

/** The .clangd text with our fragment replaced or appended (fragments are YAML documents separated by ---). */
export function clangdWithFragment(existing: string, flags: string[]): string {
  // clangd infers the target from argv[0]; `--target=bpf` replaces the `-target bpf` pair.
  const add = flags.flatMap((f, i, a) => (f === '-target' ? [] : a[i - 1] === '-target' ? [`--target=${f}`] : [f]));
  const fragment = [CLANGD_BEGIN, 'If:', '  PathMatch: .*\\.bpf\\.c', 'CompileFlags:', `  Add: [${add.map((f) => JSON.stringify(f)).join(', ')}]`, CLANGD_END].join('\n');
  const start = existing.indexOf(CLANGD_BEGIN);
  const end = existing.indexOf(CLANGD_END);
  if (start >= 0 && end > start) return existing.slice(0, start) + fragment + existing.slice(end + CLANGD_END.length);
  if (!existing.trim()) return fragment + '\n';
  return existing.replace(/\s*$/, '\n') + '---\n' + fragment + '\n';
}
