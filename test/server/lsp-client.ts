// A minimal LSP client for tests: spawns `node dist/cli.js lsp --stdio` and speaks JSON-RPC to it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import type { CheckResult, InitOptions } from '../../src/shared/protocol';

export const ROOT = path.resolve(__dirname, '../..');

export class LspClient {
  readonly conn: MessageConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly results: CheckResult[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();

  private constructor(readonly child: ChildProcess) {
    this.conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.wake();
    });
    this.conn.onNotification('xdpMeta/checkResult', (r: CheckResult) => { this.results.push(r); this.wake(); });
    this.conn.onNotification('window/logMessage', () => undefined);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.conn.listen();
  }

  static async start(init: InitOptions = {}, rootDir = ROOT): Promise<LspClient> {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const c = new LspClient(child);
    await c.conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(rootDir).href, capabilities: {},
      workspaceFolders: [{ uri: pathToFileURL(rootDir).href, name: 'ws' }], initializationOptions: init,
    });
    await c.conn.sendNotification('initialized', {});
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `pred` holds, checking after each notification; rejects after `ms`. */
  async until<T>(what: string, pred: () => T | undefined | false, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; server stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Opens a document (version 1 as VS Code numbers it; Neovim starts at 0). */
  open(file: string, text = readFileSync(file, 'utf8'), version = 1): string {
    const uri = pathToFileURL(file).href;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
    return uri;
  }

  /** Replaces the whole text (one full-content change) and returns the new version. */
  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  save(uri: string): void {
    void this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  /** Diagnostics published for `uri` at `version` (or any version when omitted). */
  diagnosticsFor(uri: string, version?: number): Promise<Diagnostic[]> {
    return this.until(`diagnostics for ${path.basename(uri)}${version ? ` v${version}` : ''}`, () => {
      const p = this.diagnostics.get(uri);
      return p && (version === undefined || p.version === version) ? p.diagnostics : undefined;
    });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const t = setTimeout(() => { this.child.kill('SIGKILL'); resolve(); }, 3000);
      this.child.once('exit', () => { clearTimeout(t); resolve(); });
    });
    this.conn.dispose();
  }
}

/** Applies a WorkspaceEdit's edits for one document to its text (edits must not overlap). */
export function applyEdits(text: string, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
