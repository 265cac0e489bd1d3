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
    const connection = o['node-ipc']
      ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process))
      : createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    startServer(connection);
    // The server ends the process on the protocol's `exit`; until then this command never returns.
    return new Promise<number>(() => undefined);
  },
};
