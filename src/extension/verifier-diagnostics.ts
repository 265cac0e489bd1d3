// A rejected load's verifier error as a diagnostic on the C line it maps to: the explainer's words, the fix, a link into the log viewer.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { explain, type Explanation } from '../core/verifier/explain';
import type { VerifierLog } from '../core/verifier/model';
import type { Ctx } from './ctx';
import { SHOW_LOG_COMMAND } from './panels/verifier-log-panel';

export const VERIFIER_DIAGNOSTIC_SOURCE = 'verifier';
export const VERIFIER_COLLECTION_NAME = 'xdp-meta verifier';

/** What the diagnostic's link and code action open: the log, at the rejected instruction. */
export interface LogLink {
  logUri: string;
  insn?: number;
}

/** The part of a TextDocument the mapping reads. */
export interface SourceLines {
  readonly lineCount: number;
  lineAt(line: number): { readonly text: string };
}

export interface DiagnosticInput {
  explanation: Explanation;
  /** Text of the file the diagnostic goes on. */
  lines: SourceLines;
  logUri: vscode.Uri;
  /** True when `lines` is the file the log names (else the location is a fallback inside the loaded source). */
  located: boolean;
  /** 0-based line when the log names no source line (the program's SEC line from the code lens). */
  fallbackLine?: number;
}

/** `command:` URI for the diagnostic's code link; VS Code 1.100 opens code targets with commands allowed (hover, Problems, F8). */
export function showLogCommandUri(link: LogLink): vscode.Uri {
  return vscode.Uri.parse(`command:${SHOW_LOG_COMMAND}?${encodeURIComponent(JSON.stringify([{ uri: link.logUri, insn: link.insn }]))}`);
}

/**
 * Which file a `; ... @ FILE:LINE` name means, given the source that was loaded: the loaded file itself when the
 * names agree (the kernel may print only the base name), else an existing absolute or source-relative path.
 */
export function resolveLogFile(logFile: string, loaded: string, exists: (p: string) => boolean = existsSync): string | undefined {
  if (logFile === loaded || path.basename(logFile) === path.basename(loaded)) {
    if (!path.isAbsolute(logFile) || !exists(logFile) || logFile === loaded) return loaded;
  }
  if (path.isAbsolute(logFile)) return exists(logFile) ? logFile : undefined;
  const beside = path.resolve(path.dirname(loaded), logFile);
  return exists(beside) ? beside : undefined;
}

const KFUNC_IDS = new Set(['kfunc-dev-bound', 'kfunc-not-allowed', 'kfunc-missing', 'kfunc-not-function']);

/** The 0-based line a log without source info points at: the kfunc call it names, else the fallback, else the first SEC("xdp"). */
function guessLine(e: Explanation, lines: SourceLines, fallback: number | undefined): number {
  const find = (re: { test(t: string): boolean }): number => {
    for (let i = 0; i < lines.lineCount; i++) if (re.test(lines.lineAt(i).text)) return i;
    return -1;
  };
  if (KFUNC_IDS.has(e.id)) {
    const name = e.id === 'kfunc-dev-bound' ? 'bpf_xdp_metadata_rx_\\w+' : /'(\w+)'|function (\w+)/.exec(e.message)?.slice(1).find(Boolean);
    // The call, not its `extern ... __ksym` declaration (a type before the name at the start of the line).
    const call = new RegExp(`\\b${name}\\s*\\(`);
    const decl = new RegExp(`^\\s*(?!return\\b)[A-Za-z_][\\w\\s*]*[\\s*]${name}\\s*\\(`);
    const hit = name ? find({ test: (t: string) => call.test(t) && !decl.test(t) }) : -1;
    if (hit >= 0) return hit;
  }
  if (fallback !== undefined && fallback >= 0) return fallback;
  return Math.max(0, find(/\bSEC\s*\(\s*"xdp/));
}

/** The range of a line's code: from its first non-blank to its last, narrowed to the log's source text when it is there. */
function lineRange(lines: SourceLines, line: number, sourceText?: string): vscode.Range {
  const text = lines.lineAt(line).text;
  const src = sourceText?.trim();
  const at = src ? text.indexOf(src) : -1;
  if (src && at >= 0) return new vscode.Range(line, at, line, at + src.length);
  const start = text.length - text.trimStart().length;
  return new vscode.Range(line, start, line, Math.max(start, text.trimEnd().length));
}

/** The diagnostic for one explained rejection (pure: no editor state). */
export function verifierDiagnostic(input: DiagnosticInput): { diagnostic: vscode.Diagnostic; link: LogLink } {
  const { explanation: e, lines } = input;
  const named = input.located && e.line !== undefined && e.line > 0;
  const line = Math.min(Math.max(0, named ? e.line! - 1 : guessLine(e, lines, input.fallbackLine)), Math.max(0, lines.lineCount - 1));
  const parts = [`${e.title}${e.insn >= 0 ? ` (insn ${e.insn})` : ''}: ${e.message}`];
  if (e.explanation) parts.push(e.explanation);
  if (e.fix) parts.push(`Fix: ${e.fix}`);
  if (e.fixCode) parts.push(e.fixCode.replace(/\t/g, '    '));
  if (!input.located && e.file && e.line !== undefined) parts.push(`(The verifier points at ${e.file}:${e.line}, which is not in this workspace.)`);
  const d = new vscode.Diagnostic(lineRange(lines, line, named ? e.sourceText : undefined), parts.join('\n'), vscode.DiagnosticSeverity.Error);
  d.source = VERIFIER_DIAGNOSTIC_SOURCE;
  const link: LogLink = { logUri: input.logUri.toString(), ...(e.insn >= 0 ? { insn: e.insn } : {}) };
  d.code = { value: e.insn >= 0 ? `insn ${e.insn}` : 'log', target: showLogCommandUri(link) };
  return { diagnostic: d, link };
}

/** A stand-in explanation when the explainer recognises no error (e.g. libbpf failed with a message it does not know). */
function unexplained(failure: string): Explanation {
  return { id: 'unknown', title: 'The load failed', message: failure, explanation: '', fix: 'Open the verifier log for the details.', history: [], insn: -1, logLine: -1, insnLogLine: -1, facts: {}, details: [] };
}

interface Entry { uri: vscode.Uri; diagnostic: vscode.Diagnostic; link: LogLink }

let collection: vscode.DiagnosticCollection | undefined;
/** Per loaded source (URI string): the diagnostics its last failed load put up (the error may be in a header). */
const bySource = new Map<string, Entry[]>();

export function activate(ctx: Ctx): void {
  collection = vscode.languages.createDiagnosticCollection(VERIFIER_COLLECTION_NAME);
  ctx.pushCleanup(
    collection,
    { dispose: () => { bySource.clear(); collection = undefined; } },
    // The log describes the text that was compiled: any edit makes its line numbers stale.
    vscode.workspace.onDidChangeTextDocument((ev) => {
      if (ev.contentChanges.length === 0) return;
      const changed = ev.document.uri.toString();
      for (const [source, entries] of bySource) {
        if (source === changed || entries.some((x) => x.uri.toString() === changed)) clearVerifierDiagnostics(vscode.Uri.parse(source));
      }
    }),
    vscode.languages.registerCodeActionsProvider([{ language: 'c' }, { pattern: '**/*.bpf.c' }], { provideCodeActions: openLogActions }, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  );
}

/** "Open the verifier log at instruction N" on our diagnostics under the cursor. */
function openLogActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
  const out: vscode.CodeAction[] = [];
  const key = doc.uri.toString();
  for (const entries of bySource.values()) {
    for (const x of entries) {
      if (x.uri.toString() !== key || !x.diagnostic.range.intersection(range)) continue;
      out.push(openLogAction(x.diagnostic, x.link));
    }
  }
  return out;
}

export function openLogAction(d: vscode.Diagnostic, link: LogLink): vscode.CodeAction {
  const title = link.insn !== undefined ? `Open the verifier log at instruction ${link.insn}` : 'Open the verifier log';
  const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  a.diagnostics = [d];
  a.command = { command: SHOW_LOG_COMMAND, title, arguments: [{ uri: link.logUri, insn: link.insn }] };
  return a;
}

/** Removes what the last failed load of `source` put up (a load passed, or the file changed). */
export function clearVerifierDiagnostics(source: vscode.Uri): void {
  const key = source.toString();
  for (const x of bySource.get(key) ?? []) collection?.delete(x.uri);
  bySource.delete(key);
}

export interface FailedLoad {
  /** The .bpf.c that was compiled and loaded. */
  source: vscode.Uri;
  log: VerifierLog;
  /** Where the viewer reads the log (a file the panel can reopen). */
  logUri: vscode.Uri;
  /** The loader's one-line reason, for a log the explainer cannot read. */
  failure?: string;
  /** 0-based SEC line of the program, when known (code lens). */
  fallbackLine?: number;
}

/** Explains a failed load and shows it on the source line; returns the diagnostic (undefined before activate). */
export async function reportVerifierFailure(ctx: Ctx, f: FailedLoad): Promise<vscode.Diagnostic | undefined> {
  clearVerifierDiagnostics(f.source);
  if (!collection) return undefined;
  const explanation = explain(f.log) ?? unexplained(f.failure ?? 'the program did not load');
  const resolved = explanation.file ? resolveLogFile(explanation.file, f.source.fsPath) : undefined;
  const target = resolved ? vscode.Uri.file(resolved) : f.source;
  const doc = await vscode.workspace.openTextDocument(target);
  const { diagnostic, link } = verifierDiagnostic({
    explanation, lines: doc, logUri: f.logUri, located: resolved !== undefined, fallbackLine: f.fallbackLine,
  });
  collection.set(target, [diagnostic]);
  bySource.set(f.source.toString(), [{ uri: target, diagnostic, link }]);
  const where = `${path.basename(target.fsPath)}:${diagnostic.range.start.line + 1}`;
  ctx.output.info(`verifier: ${explanation.title} at ${where}${link.insn !== undefined ? ` (insn ${link.insn})` : ''}`);
  return diagnostic;
}
