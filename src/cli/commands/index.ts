// The command table: add a subcommand by importing it here.
import type { CliCommand } from '../command';

export const commands: CliCommand[] = [];
