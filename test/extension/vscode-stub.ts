// A stand-in `vscode` module for loading dist/extension.js outside VS Code (activation tests and benchmark).
// Records what the extension registers; anything it does not model is a callable, constructible no-op proxy.
import Module = require('node:module');

export interface StubRecord {
  commands: Map<string, (...args: unknown[]) => unknown>;
  statusItems: Array<{ id?: string; text: string; tooltip?: unknown; command?: unknown; visible: boolean }>;
  outputLines: string[];
  trusted: boolean;
  config: Record<string, unknown>;
}

export const record: StubRecord = { commands: new Map(), statusItems: [], outputLines: [], trusted: true, config: {} };

/** A function-backed proxy: any property is another such proxy, calls and `new` return one; `then` is absent (not a thenable). */
function deep(name: string): any {
  const fn = function () { /* no-op */ };
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === 'dispose') return () => undefined;
      return deep(`${name}.${String(prop)}`);
    },
    apply: () => deep(`${name}()`),
    construct: () => deep(`new ${name}`),
  });
}

const disposable = () => ({ dispose: () => undefined });
const event = () => () => disposable();

class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  event = (l: (e: T) => void) => { this.listeners.push(l); return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } }; };
  fire(e: T): void { for (const l of this.listeners) l(e); }
  dispose(): void { this.listeners = []; }
}

function outputChannel(name: string) {
  const line = (level: string) => (msg: string) => { record.outputLines.push(`[${level}] ${msg}`); };
  return new Proxy({
    name, info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug'), trace: line('trace'),
    append: line('append'), appendLine: line('line'), show: () => undefined, hide: () => undefined, dispose: () => undefined,
    clear: () => undefined, replace: () => undefined, logLevel: 2, onDidChangeLogLevel: event(),
  }, { get: (t, p) => (p in t ? (t as any)[p] : p === 'then' ? undefined : deep(`output.${String(p)}`)) });
}

// Value classes the features build (diagnostics, code actions), modelled just enough to inspect in unit tests.
class Position { constructor(readonly line: number, readonly character: number) {} }
class Range {
  readonly start: Position; readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : b as Position;
  }
  intersection(o: Range): Range | undefined {
    const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
    const start = before(this.start, o.start) ? o.start : this.start;
    const end = before(this.end, o.end) ? this.end : o.end;
    return before(end, start) ? undefined : new Range(start, end);
  }
}
class Diagnostic {
  source?: string; code?: unknown; relatedInformation?: unknown[]; tags?: unknown[];
  constructor(readonly range: Range, readonly message: string, readonly severity = 0) {}
}
class Location { constructor(readonly uri: unknown, readonly range: Range | Position) {} }
class DiagnosticRelatedInformation { constructor(readonly location: Location, readonly message: string) {} }
class CodeAction { command?: unknown; diagnostics?: unknown[]; isPreferred?: boolean; constructor(readonly title: string, readonly kind?: unknown) {} }
const uriOf = (s: string, scheme = /^([a-z][\w+.-]*):/i.exec(s)?.[1] ?? 'file') => ({
  scheme, fsPath: s.replace(/^file:\/\//, ''), path: s.replace(/^[a-z][\w+.-]*:(\/\/)?/i, ''), toString: () => s,
});

const vscode: Record<string, unknown> = {
  EventEmitter, Position, Range, Diagnostic, Location, DiagnosticRelatedInformation, CodeAction,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },

  Disposable: class { static from(...d: Array<{ dispose(): unknown }>) { return { dispose: () => d.forEach((x) => x.dispose()) }; } constructor(private f: () => void) {} dispose() { this.f(); } },
  ThemeColor: class { constructor(readonly id: string) {} },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  Uri: { file: (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` }), parse: (s: string) => uriOf(s) },
  version: '1.100.0',
  env: deep('env'),
  commands: {
    registerCommand: (id: string, f: (...args: unknown[]) => unknown) => { record.commands.set(id, f); return disposable(); },
    executeCommand: async () => undefined,
  },
  window: new Proxy({
    createOutputChannel: (name: string) => outputChannel(name),
    createStatusBarItem: (id?: string) => {
      const item = { id, text: '', tooltip: undefined as unknown, command: undefined as unknown, visible: false, name: '',
        backgroundColor: undefined, accessibilityInformation: undefined, show() { item.visible = true; }, hide() { item.visible = false; }, dispose() { /* */ } };
      record.statusItems.push(item);
      return item;
    },
    showErrorMessage: async () => undefined, showWarningMessage: async () => undefined, showInformationMessage: async () => undefined,
    activeTextEditor: undefined, visibleTextEditors: [],
  }, { get: (t, p) => (p in t ? (t as any)[p] : p === 'then' ? undefined : deep(`window.${String(p)}`)) }),
  workspace: new Proxy({
    get isTrusted() { return record.trusted; },
    getConfiguration: () => ({
      get: <T>(key: string, def?: T) => (key in record.config ? record.config[key] : def) as T,
      update: async (key: string, value: unknown) => { record.config[key] = value; },
      has: (key: string) => key in record.config, inspect: () => undefined,
    }),
    onDidChangeConfiguration: event(), onDidGrantWorkspaceTrust: event(), workspaceFolders: undefined, textDocuments: [],
  }, { get: (t, p) => (p in t ? (t as any)[p] : p === 'then' ? undefined : deep(`workspace.${String(p)}`)) }),
};

// esbuild's interop copies the module's own properties, so every name the API exports must exist up front:
// take them from @types/vscode (classes become empty classes, the rest no-op proxies).
function addApiNames(target: Record<string, unknown>): void {
  let dts = '';
  try { dts = require('node:fs').readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [__dirname, process.cwd()] }), 'utf8'); } catch { return; }
  for (const m of dts.matchAll(/^\t(?:export )?(class|enum|namespace|const|function|let) (\w+)/gm)) {
    if (m[2] in target) continue;
    target[m[2]] = m[1] === 'class' ? { [m[2]]: class { constructor(..._a: unknown[]) { /* stub */ } } }[m[2]] : deep(m[2]);
  }
}
addApiNames(vscode);

const proxy = new Proxy(vscode, { get: (t, p) => (p in t ? t[p as string] : p === 'then' || p === '__esModule' ? undefined : deep(String(p))) });

/** Makes `require('vscode')` return the stub (idempotent). */
export function installVscodeStub(): void {
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown; __xdpStub?: boolean };
  if (M.__xdpStub) return;
  const load = M._load;
  M._load = function (req: string, ...rest: unknown[]) {
    return req === 'vscode' ? proxy : load.call(this, req, ...rest);
  };
  M.__xdpStub = true;
}

/** A minimal ExtensionContext rooted at the repository (so dist/ and bpf-templates/ resolve). */
export function fakeExtensionContext(root: string): { subscriptions: Array<{ dispose(): unknown }>; asAbsolutePath(p: string): string; extensionPath: string; globalStorageUri: { fsPath: string } } {
  return {
    subscriptions: [], extensionPath: root, asAbsolutePath: (p: string) => require('node:path').join(root, p),
    globalStorageUri: { fsPath: require('node:path').join(require('node:os').tmpdir(), 'xdp-meta-stub-storage') },
  };
}
