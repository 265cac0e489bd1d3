// Entry of dist/server.js: the language server over node IPC (VS Code) or `--stdio` (other editors).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

// createConnection() picks the transport from argv: --node-ipc, --stdio or --socket=N.
startServer(createConnection(ProposedFeatures.all));
