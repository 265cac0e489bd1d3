// Compiles a document's buffer (not the file on disk) with the compile driver and maps its diagnostics for the server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, compileBpf, findClang, type ClangDiagnostic, type ClangInfo } from '../core/compile';
import { parseDepFile, writeOverlay } from './includes';
import type { CompileOutcome, CompileRequest, SourceDiagnostic } from './pipeline';

/** The clang to run: the setting when given, else discovery on PATH (cached by the driver). */
export function resolveClang(setting: string, signal?: AbortSignal): Promise<ClangInfo> {
  return findClang({ configured: setting || undefined, signal });
}

export { CancelledError };

// At most one clang per core: opening many files at once queues them instead of thrashing the machine.
const MAX_PARALLEL = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
let running = 0;
const queue: Array<() => void> = [];

async function slot<T>(signal: AbortSignal, f: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    if (signal.aborted) throw new CancelledError('compile cancelled while queued');
    return await f();
  } finally {
    running--;
    queue.shift()?.();
  }
}

export function compileBuffer(req: CompileRequest, clang: ClangInfo): Promise<CompileOutcome> {
  return slot(req.signal, () => compileNow(req, clang));
}

async function compileNow(req: CompileRequest, clang: ClangInfo): Promise<CompileOutcome> {
  // One temp folder per compile, removed by disposeCompile (or at exit if the server stops mid-compile).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-lsp-'));
  liveDirs.add(dir);
  const out = path.join(dir, path.basename(req.sourcePath).replace(/\.c$/, '') + '.o');
  // -MD: the headers it includes, so a header edit re-checks this file; the overlay: unsaved header buffers.
  const depFile = path.join(dir, 'deps.d');
  const overlay = req.headerBuffers?.size ? writeOverlay(dir, req.headerBuffers) : undefined;
  const flags = ['-MD', '-MF', depFile, ...(overlay ? ['-ivfsoverlay', overlay] : []), ...req.extraFlags];
  try {
    const r = await compileBpf({
      file: req.sourcePath, source: req.text, out, includes: req.includePaths, extraFlags: flags,
      clang, cwd: path.dirname(req.sourcePath), signal: req.signal,
    });
    let includes: string[] | undefined;
    try { includes = parseDepFile(readFileSync(depFile, 'utf8'), path.dirname(req.sourcePath)).filter((f) => f !== req.sourcePath); } catch { /* not written: clang failed */ }
    return {
      objectPath: r.objectPath, compiledPath: req.sourcePath, ms: r.durationMs, includes,
      diagnostics: r.diagnostics.map((d) => fromClang(d, req.sourcePath)), tempDir: dir,
    };
  } catch (e) {
    removeDir(dir);
    throw e;
  }
}

/** Removes the temporary object of one compile. */
export function disposeCompile(outcome: CompileOutcome): void {
  if (outcome.tempDir) removeDir(outcome.tempDir);
}

const liveDirs = new Set<string>();
process.once('exit', () => { for (const d of liveDirs) removeDir(d); });

function removeDir(dir: string): void {
  liveDirs.delete(dir);
  try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
}

function fromClang(d: ClangDiagnostic, sourcePath: string): SourceDiagnostic {
  // Inside an included header: report at the #include line of this file, with the header as related info.
  const site = d.file !== sourcePath ? d.includeStack?.find((s) => s.file === sourcePath) : undefined;
  const noLocation = d.line === 0 || d.file === '';
  const out: SourceDiagnostic = {
    file: site || noLocation ? sourcePath : d.file,
    line: site ? site.line : noLocation ? 1 : d.line,
    column: site || noLocation ? undefined : d.column,
    severity: d.severity === 'remark' ? 'info' : d.severity,
    message: site ? `In included file ${path.basename(d.file)}:${d.line}: ${d.message}` : d.message,
    flag: d.option?.split(',').pop(),
  };
  const r = d.ranges?.[0];
  if (!site && !noLocation && r && r.start.line === d.line) out.range = { start: r.start, end: { line: r.end.line, column: r.end.column + 1 } };
  const related = [
    ...(site ? [{ file: d.file, line: d.line, column: d.column, message: d.message }] : []),
    ...(d.notes ?? []).filter((n) => n.file).map((n) => ({ file: n.file, line: n.line, column: n.column, message: n.message })),
  ];
  if (related.length) out.related = related;
  const fixits = [d, ...(d.notes ?? [])].flatMap((x) => x.fixits ?? []).filter((f) => f.file === sourcePath);
  if (fixits.length && !site) out.fixits = fixits.map((f) => ({ range: f.range, text: f.text }));
  return out;
}
