// Which headers each document includes (from clang's -MD dependency file) and the VFS overlay that compiles unsaved header buffers.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The prerequisites of a make-style dependency file (`out.o: a.c b.h \` ...), as absolute paths. */
export function parseDepFile(text: string, cwd: string): string[] {
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.search(/:(\s|$)/);
  if (colon < 0) return [];
  const out: string[] = [];
  // Escaped spaces (`\ `) belong to the name; `$$` is a dollar.
  for (const m of body.slice(colon + 1).matchAll(/(?:\\.|[^\s\\])+/g)) {
    const name = m[0].replace(/\\(.)/g, '$1').replace(/\$\$/g, '$');
    if (name === '-' || name === '<stdin>') continue;
    out.push(path.resolve(cwd, name));
  }
  return out;
}

/** Source documents by the headers they included in their newest successful compile. */
export class IncludeGraph {
  private readonly byDoc = new Map<string, Set<string>>();

  /** Records what `uri` includes; a failed compile (no dependency file) keeps the previous set. */
  set(uri: string, headers: readonly string[] | undefined): void {
    if (headers) this.byDoc.set(uri, new Set(headers));
  }

  delete(uri: string): void {
    this.byDoc.delete(uri);
  }

  /** The documents that include `file` (an absolute path), directly or through another header. */
  dependents(file: string): string[] {
    const abs = path.resolve(file);
    return [...this.byDoc].filter(([, hs]) => hs.has(abs)).map(([uri]) => uri);
  }
}

/**
 * Writes a clang VFS overlay (`-ivfsoverlay`) that maps each header to a copy of its unsaved buffer, into `dir`;
 * returns its path, or undefined when no buffer differs from its file. Diagnostics keep the real names.
 */
export function writeOverlay(dir: string, buffers: ReadonlyMap<string, string>): string | undefined {
  const roots: Array<{ type: 'file'; name: string; 'external-contents': string }> = [];
  let n = 0;
  for (const [file, text] of buffers) {
    let disk: string | undefined;
    try { disk = readFileSync(file, 'utf8'); } catch { /* a new, unsaved header */ }
    if (disk === text) continue;
    const copy = path.join(dir, `overlay-${n++}${path.extname(file)}`);
    writeFileSync(copy, text);
    roots.push({ type: 'file', name: file, 'external-contents': copy });
  }
  if (!roots.length) return undefined;
  const yaml = path.join(dir, 'overlay.yaml');
  // JSON is valid YAML for clang's VFS reader.
  writeFileSync(yaml, JSON.stringify({ version: 0, 'case-sensitive': 'true', 'use-external-names': false, roots }));
  return yaml;
}
