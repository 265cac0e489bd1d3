// The command table: add a subcommand by importing it here.
import type { CliCommand } from '../command';
import { btfCommand } from './btf';
import { buildCommand } from './build';
import { checkCommand } from './check';
import { disasmCommand } from './disasm';
import { doctorCommand } from './doctor';
import { lspCommand } from './lsp';
import { loadCommand } from './load';
import { matrixCommand } from './matrix';
import { logCommand } from './log';
import { runCommand } from './run';
import { relocsCommand } from './relocs';

export const commands: CliCommand[] = [btfCommand, buildCommand, checkCommand, disasmCommand, doctorCommand, lspCommand, relocsCommand, runCommand, logCommand, loadCommand, matrixCommand];
