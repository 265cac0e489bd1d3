// The language client: starts dist/server.js over IPC for *.bpf.c (plus configured globs) and restarts on demand.
import * as vscode from 'vscode';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { BPF_C_GLOB, CheckResultNotification, type CheckResult, type InitOptions } from '../shared/protocol';
import type { Ctx } from './ctx';
import { rewriteRuleLinks } from './rule-help';

/** Headers the server hears about (open buffers and changes on disk) to re-check the sources that include them. */
const HEADER_GLOB = '**/*.h';

type LanguageClientModule = typeof import('vscode-languageclient/node');
// Loaded on first start, not at activation: it is most of the bundle's evaluation time.
const languageClient = (): LanguageClientModule => require('vscode-languageclient/node') as LanguageClientModule;

export function activate(ctx: Ctx): void {
  ctx.pushCleanup(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('xdpMeta')) return;
      // The document selector lives in the client: a change there needs a new client.
      if (e.affectsConfiguration('xdpMeta.documentSelector') || e.affectsConfiguration('xdpMeta.trace.server')) void restartServer(ctx);
      else void pushSettings(ctx);
    }),
    { dispose: () => void stopServer(ctx) },
  );
  // Start after activate() returns, so the extension host is not held up by loading the client library.
  setImmediate(() => void startServer(ctx));
}

export async function startServer(ctx: Ctx): Promise<void> {
  if (ctx.client) return;
  const { LanguageClient, TransportKind } = languageClient();
  const module = ctx.asset('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const globs = [BPF_C_GLOB, ...ctx.config.documentGlobs];
  const init: InitOptions = { trusted: ctx.trusted, settings: ctx.config.serverSettings(remoteBtf(ctx)) };
  const clientOptions: LanguageClientOptions = {
    // Headers too: the server compiles their unsaved text into the sources that include them (it checks only `globs`).
    documentSelector: [...globs, HEADER_GLOB].map((pattern) => ({ scheme: 'file', pattern })),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher(HEADER_GLOB) },
    initializationOptions: init,
    outputChannel: ctx.output,
    traceOutputChannel: ctx.output,
    diagnosticCollectionName: 'xdp-meta',
    middleware: { handleDiagnostics: (uri, diagnostics, next) => next(uri, rewriteRuleLinks(diagnostics)) },
  };
  const client = new LanguageClient('xdpMeta', 'XDP Metadata Language Server', serverOptions, clientOptions);
  ctx.client = client;
  client.onNotification(CheckResultNotification, (r: CheckResult) => ctx.setResult(r));
  try {
    await client.start();
    ctx.output.info(`language server started (${ctx.trusted ? 'trusted' : 'restricted: no compiler'}), documents: ${globs.join(', ')}`);
  } catch (e) {
    ctx.client = undefined;
    ctx.showError('the language server did not start', e);
  }
  ctx.fireChanged();
}

export async function stopServer(ctx: Ctx): Promise<void> {
  const client = ctx.client;
  ctx.client = undefined;
  if (client) await client.stop().catch((e: unknown) => ctx.output.warn(`stopping the language server: ${String(e)}`));
}

export async function restartServer(ctx: Ctx): Promise<void> {
  await stopServer(ctx);
  await startServer(ctx);
}

/** Sends the current settings (the server re-checks open documents). */
export async function pushSettings(ctx: Ctx): Promise<void> {
  await ctx.client?.sendNotification('workspace/didChangeConfiguration', { settings: { xdpMeta: ctx.config.serverSettings(remoteBtf(ctx)) } });
}

function remoteBtf(ctx: Ctx): string | undefined {
  const t = ctx.target;
  return t.kind === 'ssh' ? ctx.remoteBtf.get(t.name) : undefined;
}
