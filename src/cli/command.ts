// The shape of one `xdp-meta` subcommand; each lives in its own file under commands/.

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit status: 0 ok, 1 findings/failure, 2 usage. */
  run(argv: string[], io: CliIo): Promise<number>;
}
