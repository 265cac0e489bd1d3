// Turns compile/check findings into LSP diagnostics on the document: ranges, severities, codes, rule links.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE_CHECK, DIAGNOSTIC_SOURCE_CLANG } from '../shared/protocol';
import { splitMessage } from './messages';
import type { SourceDiagnostic, SourceLocation, SourceSeverity } from './pipeline';

const SEVERITY: Record<SourceSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  note: DiagnosticSeverity.Hint,
};

/** docs/rules.md of this installation (the bundle lives in dist/, the docs beside it), as a file: URL. */
export function ruleDocUrl(code: string): string {
  return `${pathToFileURL(path.join(packageRoot(), 'docs', 'rules.md')).href}#${code}`;
}

let root: string | undefined;
function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return (root = dir);
}

export interface PathMap {
  /** The temporary copy clang compiled. */
  compiledPath: string;
  /** The document's own path. */
  sourcePath: string;
}

function mapFile(file: string, map: PathMap): string {
  return path.resolve(file) === map.compiledPath || path.basename(file) === path.basename(map.compiledPath) && !path.isAbsolute(file)
    ? map.sourcePath : file;
}

export function toLspDiagnostic(d: SourceDiagnostic, doc: TextDocument, map: PathMap, fromCheck: boolean): Diagnostic {
  const file = mapFile(d.file, map);
  const here = file === map.sourcePath;
  const related: DiagnosticRelatedInformation[] = (d.related ?? []).map((r) => ({
    location: { uri: pathToFileURL(mapFile(r.file, map)).href, range: lineRange(r, mapFile(r.file, map) === map.sourcePath ? doc : undefined) },
    message: r.message,
  }));
  // The check's long messages: the first clause as the message, the rest as related lines at the same place.
  const split = fromCheck ? splitMessage(d.message) : { first: d.message, details: [] };
  let message = split.first;
  if (!here) {
    // A finding inside an included header: show it on the first line, with a link to the header itself.
    related.unshift({ location: { uri: pathToFileURL(file).href, range: lineRange(d, undefined) }, message: split.first });
    message = `${path.basename(file)}:${d.line}: ${split.first}`;
  }
  const range = here && d.range ? toRange(d.range, doc) : here ? lineRange(d, doc) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (split.details.length) {
    related.splice(here ? 0 : 1, 0, ...split.details.map((detail) => ({ location: { uri: pathToFileURL(file).href, range: here ? range : lineRange(d, undefined) }, message: detail })));
  }
  const diag: Diagnostic = {
    range,
    severity: SEVERITY[d.severity],
    source: fromCheck ? DIAGNOSTIC_SOURCE_CHECK : DIAGNOSTIC_SOURCE_CLANG,
    message,
  };
  if (d.code) {
    diag.code = d.code;
    diag.codeDescription = { href: ruleDocUrl(d.code) };
  } else if (d.flag) {
    diag.code = d.flag;
  }
  if (related.length) diag.relatedInformation = related;
  if (d.data || d.fixits) {
    diag.data = { ...d.data, code: d.code, ...(d.fixits && { fixits: d.fixits.map((f) => ({ range: toRange(f.range, doc), newText: f.text })) }) };
  }
  return diag;
}

type Pos1 = { line: number; column: number };
/** A 1-based, end-exclusive range from a tool, clamped to the document. */
function toRange(r: { start: Pos1; end: Pos1 }, doc: TextDocument) {
  const conv = (p: Pos1) => doc.positionAt(doc.offsetAt({ line: Math.max(0, p.line - 1), character: Math.max(0, p.column - 1) }));
  return { start: conv(r.start), end: conv(r.end) };
}

/** The identifier (or the rest of the line) at a 1-based line:column; the whole line when no column. */
function lineRange(loc: SourceLocation, doc: TextDocument | undefined) {
  const line = Math.max(0, loc.line - 1);
  if (!doc) return { start: { line, character: Math.max(0, (loc.column ?? 1) - 1) }, end: { line, character: Math.max(0, (loc.column ?? 1) - 1) } };
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
  if (!loc.column) {
    const first = text.search(/\S/);
    return { start: { line, character: Math.max(0, first) }, end: { line, character: text.length } };
  }
  const col = Math.min(loc.column - 1, text.length);
  const word = /^[A-Za-z_]\w*/.exec(text.slice(col));
  const end = word ? col + word[0].length : Math.min(text.length, col + 1);
  return { start: { line, character: col }, end: { line, character: Math.max(end, col) } };
}
