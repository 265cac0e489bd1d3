// The shape of one `xdp-meta` subcommand; each lives in its own file under commands/.
import type { EarlyInputs } from './commands/check-inputs';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Writes bytes as they are (a newline added when they end without one), for output too big to make a string of. */
  outBytes?(bytes: Uint8Array): void;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit status: 0 ok, 1 findings/failure, 2 usage. */
  run(argv: string[], io: CliIo, launch?: LaunchState): Promise<number>;
}

/** What the launcher (launch.ts) started before loading the CLI, handed to the command it was started for. */
export interface LaunchState {
  /** `check`'s input stage (the clang compiles), started for the very argv `check` receives. */
  checkInputs?: EarlyInputs;
}
