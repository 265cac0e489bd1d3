// `xdp-meta lsp`: runs the language server for editors other than VS Code (Neovim, Emacs, Helix).
import {
  createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver/node';
import { startServer } from '../../server/server';
import { defineArgs, parseArgs } from '../args';
import type { CliCommand } from '../command';

const ARGS = defineArgs({
  options: {
    stdio: { type: 'boolean' },
    'node-ipc': { type: 'boolean' },
    // vscode-languageclient adds `--clientProcessId=PID` to the server's arguments; the server watches it itself.
    clientProcessId: { type: 'string' },
  },
});

export const lspCommand: CliCommand = {
  name: 'lsp',
  summary: 'run the language server (diagnostics, quick fixes, hovers) over stdio',
  usage: [
    'usage: xdp-meta lsp [--stdio | --node-ipc]',
    '',
    'Speaks the Language Server Protocol on stdin/stdout (default) or a Node IPC channel.',
    'Handles *.bpf.c files (and the globs in the `documentSelector` setting); see docs/editor.md.',
  ].join('\n'),
  run(argv) {
    const { options: o } = parseArgs(ARGS, argv);
    const reader = o['node-ipc'] ? new IPCMessageReader(process) : new StreamMessageReader(process.stdin);
    const writer = o['node-ipc'] ? new IPCMessageWriter(process) : new StreamMessageWriter(process.stdout);
    // A client that sends something that is not JSON-RPC and hangs up: the library then logs the parse
    // error to the closed connection and throws. Say what the client sent, in one line, and end.
    let readError: string | undefined;
    reader.onError((e) => { readError ??= e.message; });
    process.on('uncaughtException', (e) => {
      if (e?.name !== 'ConnectionError' && !/^_?ConnectionError$/.test(e?.constructor?.name ?? '')) throw e;
      process.stderr.write(`xdp-meta lsp: the client closed the connection${readError ? ` after a message that is not JSON-RPC (${readError})` : ''}\n`);
      process.exit(1);
    });
    startServer(createConnection(ProposedFeatures.all, reader, writer));
    // The server ends the process on the protocol's `exit`; until then this command never returns.
    return new Promise<number>(() => undefined);
  },
};
