// The XDP Metadata language server: compile + check on open/save/typing, quick fixes, hovers and code lenses.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind, TextDocumentSyncKind, TextDocuments, type Connection, type Diagnostic, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { btfFromElf, type Btf } from '../core/btf';
import { readDwarf, type DwarfStruct } from '../core/dwarf/reader';
import { readObjectFile } from '../core/bpf/object-file';
import { isXdpMetaError } from '../core/util/errors';
import {
  CheckNowRequest, CheckResultNotification, defaultServerSettings, toServerSettings,
  type CheckNowParams, type CheckResult, type InitOptions, type RawSettings, type ServerSettings,
} from '../shared/protocol';
import { checkObject, loadTarget } from './check-bridge';
import { codeActions } from './code-actions';
import { codeLenses } from './code-lens';
import { commandActions } from './command-actions';
import { CancelledError, compileBuffer, disposeCompile, resolveClang } from './compile-bridge';
import type { ClangInfo } from '../core/compile';
import type { CompileOutcome } from './pipeline';
import { toLspDiagnostic } from './diagnostics';
import { hoverAt } from './hover/hover';
import { IncludeGraph } from './includes';
import { Scheduler } from './scheduler';
import { DocumentSelector } from './selector';

/** Delay after the last keystroke before compiling. */
export const TYPING_DEBOUNCE_MS = 300;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const selector = new DocumentSelector();
  // Types of each document's last successful compile, for hovers: BTF, and DWARF for structs BTF lacks.
  const objectTypes = new Map<string, { btf?: Btf; structs?: ReadonlyMap<string, DwarfStruct> }>();
  const waiters = new Map<string, Array<(r: CheckResult) => void>>();
  let trusted = true;
  let root = process.cwd();
  let settings: ServerSettings = defaultServerSettings;
  let reportedUnavailable = '';
  let lensRefresh = false;
  const lensesRefreshed = new Set<string>();
  // Headers each source included, so a header edit (buffer or disk) re-checks the sources that use it.
  const includes = new IncludeGraph();
  const lastStatus = new Map<string, CheckResult['status']>();

  const log = (msg: string) => connection.console.log(msg);
  const scheduler = new Scheduler((uri, e) => {
    log(`xdp-meta: analysis of ${uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    finish(uri, { uri, version: documents.get(uri)?.version ?? 0, status: 'internal-error', errors: 0, warnings: 0, infos: 0, compileMs: 0, checkMs: 0, detail: String(e) });
  });

  const applySettings = (raw: RawSettings | undefined) => {
    settings = toServerSettings(raw, (p) => path.resolve(root, p));
    selector.setGlobs(settings.documentGlobs);
  };

  const finish = (uri: string, result: CheckResult) => {
    lastStatus.set(uri, result.status);
    void connection.sendNotification(CheckResultNotification, result);
    for (const w of waiters.get(uri) ?? []) w(result);
    waiters.delete(uri);
  };

  // Hovers use the same cached target BTF as the check; an unreadable one just leaves the target column empty.
  const targetBtf = (): Btf | undefined => {
    try {
      return loadTarget(settings.targetBtf);
    } catch {
      return undefined;
    }
  };

  const analyze = async (uri: string, signal: AbortSignal, isCurrent: () => boolean): Promise<void> => {
    const doc = documents.get(uri);
    if (!doc) return;
    const base = { uri, version: doc.version, errors: 0, warnings: 0, infos: 0, compileMs: 0, checkMs: 0 };
    if (!trusted) {
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      return finish(uri, { ...base, status: 'untrusted', detail: 'untrusted workspace: no compiler runs' });
    }
    const sourcePath = fileURLToPath(uri);
    let clang: ClangInfo;
    try {
      clang = await resolveClang(settings.clangPath, signal);
    } catch (e) {
      if (e instanceof CancelledError) return;
      const detail = isXdpMetaError(e) ? e.message : String(e);
      void connection.sendDiagnostics({ uri, diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 1, source: 'xdp-meta', message: detail }] });
      return finish(uri, { ...base, errors: 1, status: 'no-clang', detail });
    }
    let compiled: CompileOutcome;
    try {
      compiled = await compileBuffer({
        sourcePath, text: doc.getText(), extraFlags: settings.extraFlags, includePaths: settings.includePaths, headerBuffers: headerBuffers(), signal,
      }, clang);
    } catch (e) {
      if (e instanceof CancelledError || signal.aborted) return;
      throw e;
    }
    try {
      if (!isCurrent()) return;
      includes.set(uri, compiled.includes);
      const map = { compiledPath: compiled.compiledPath, sourcePath };
      const diagnostics: Diagnostic[] = compiled.diagnostics.map((d) => toLspDiagnostic(d, doc, map, false));
      let checkMs = 0;
      let detail: string | undefined;
      if (compiled.objectPath) {
        objectTypes.set(uri, readObjectTypes(compiled.objectPath));
        const checked = await checkObject({
          objectPath: compiled.objectPath, compiledPath: compiled.compiledPath, sourcePath, text: doc.getText(), targetBtf: settings.targetBtf, signal,
        });
        if (!isCurrent()) return;
        checkMs = checked.ms;
        diagnostics.push(...checked.diagnostics.map((d) => toLspDiagnostic(d, doc, map, true)));
        if (checked.unavailable) {
          detail = checked.unavailable;
          if (reportedUnavailable !== checked.unavailable) log(`xdp-meta: ${(reportedUnavailable = checked.unavailable)}`);
        }
      }
      void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
      // A lens request that raced the server's (re)start got nothing: ask once per document for a fresh one.
      if (lensRefresh && !lensesRefreshed.has(uri)) {
        lensesRefreshed.add(uri);
        void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      }
      const count = (s: number) => diagnostics.filter((d) => d.severity === s).length;
      finish(uri, {
        ...base, status: compiled.objectPath ? 'ok' : 'compile-failed', errors: count(1), warnings: count(2),
        infos: count(3) + count(4), compileMs: compiled.ms, checkMs, detail,
      });
    } finally {
      disposeCompile(compiled);
    }
  };

  const schedule = (uri: string, delay: number) => {
    if (!selector.matches(uri)) return;
    scheduler.schedule(uri, delay, (signal, isCurrent) => analyze(uri, signal, isCurrent));
  };

  /** Open documents the server does not check (headers): their unsaved text replaces the file in compiles. */
  const headerBuffers = (): Map<string, string> => new Map(documents.all()
    .filter((d) => d.uri.startsWith('file:') && !selector.matches(d.uri)).map((d) => [fileURLToPath(d.uri), d.getText()]));

  /** Re-checks the open sources that included a changed header. */
  const recheckDependents = (headerUri: string, delay: number) => {
    if (!headerUri.startsWith('file:') || selector.matches(headerUri)) return;
    for (const dep of includes.dependents(fileURLToPath(headerUri))) if (documents.get(dep)) schedule(dep, delay);
  };

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitOptions;
    trusted = init.trusted !== false;
    lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder?.startsWith('file:')) root = fileURLToPath(folder);
    applySettings(init.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'xdp-meta', version: process.env.XDP_META_VERSION ?? '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration((params) => {
    const raw = (params.settings as { xdpMeta?: RawSettings } | undefined)?.xdpMeta;
    if (!raw) return;
    applySettings(raw);
    for (const d of documents.all()) schedule(d.uri, 0);
  });

  // TextDocuments fires a content change right after each open: that one is the open, not an edit.
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    if (settings.checkOnType) {
      schedule(e.document.uri, TYPING_DEBOUNCE_MS);
      recheckDependents(e.document.uri, TYPING_DEBOUNCE_MS);
    }
  });
  documents.onDidSave((e) => {
    schedule(e.document.uri, 0);
    recheckDependents(e.document.uri, 0);
  });
  documents.onDidClose((e) => {
    if (!selector.matches(e.document.uri)) {
      // A closed header buffer is its file again.
      justOpened.delete(e.document.uri);
      return recheckDependents(e.document.uri, 0);
    }
    includes.delete(e.document.uri);
    lastStatus.delete(e.document.uri);
    scheduler.cancel(e.document.uri);
    objectTypes.delete(e.document.uri);
    lensesRefreshed.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // Headers changed on disk (another tool, a checkout, a generated vmlinux.h): re-check who includes them;
  // a new file may be the missing include of a source that failed to compile.
  connection.onDidChangeWatchedFiles((params) => {
    const created = params.changes.some((c) => c.type === 1);
    for (const c of params.changes) recheckDependents(c.uri, 0);
    if (created) for (const d of documents.all()) if (lastStatus.get(d.uri) === 'compile-failed') schedule(d.uri, 0);
  });

  connection.onRequest(CheckNowRequest, (params: CheckNowParams) => new Promise<CheckResult | null>((resolve) => {
    if (!documents.get(params.uri) || !selector.matches(params.uri)) return resolve(null);
    const list = waiters.get(params.uri) ?? [];
    list.push(resolve);
    waiters.set(params.uri, list);
    schedule(params.uri, 0);
  }));

  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !selector.matches(doc.uri)) return null;
    const types = objectTypes.get(doc.uri);
    return hoverAt({
      text: doc.getText(), offset: doc.offsetAt(params.position), objectBtf: types?.btf, objectStructs: types?.structs,
      targetBtf: trusted ? targetBtf : undefined,
      targetName: settings.targetBtf ? path.basename(settings.targetBtf) : 'running kernel',
    }) ?? null;
  });

  connection.onCodeLens((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc && selector.matches(doc.uri) ? codeLenses(doc.uri, doc.getText()) : [];
  });

  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? [...codeActions(doc, params.context.diagnostics), ...commandActions(doc, params.context.diagnostics)] : [];
  });

  connection.onShutdown(() => scheduler.dispose());
  documents.listen(connection);
  connection.listen();
}

/** BTF and DWARF structs of a freshly compiled object, each left out when unreadable (hovers then say less). */
function readObjectTypes(objectPath: string): { btf?: Btf; structs?: ReadonlyMap<string, DwarfStruct> } {
  let elf;
  try {
    elf = readObjectFile(objectPath);
  } catch {
    return {};
  }
  let btf: Btf | undefined;
  let structs: ReadonlyMap<string, DwarfStruct> | undefined;
  try { btf = btfFromElf(elf); } catch { /* no usable .BTF */ }
  try { structs = readDwarf(elf)?.structs; } catch { /* no usable debug info */ }
  return { btf, structs };
}
