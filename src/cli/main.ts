// Entry point of the `xdp-meta` command line: dispatches to the command table.
import { commands } from './commands/index';
import type { CliIo } from './command';
import { isXdpMetaError, UsageError } from '../core/util/errors';

const io: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return ['usage: xdp-meta <command> [options]', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(process.env.XDP_META_VERSION ?? '0.1.0');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`xdp-meta: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`xdp-meta ${name}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    if (isXdpMetaError(e)) {
      io.err(`xdp-meta ${name}: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  // A closed pipe (`xdp-meta disasm x.o | head`) ends the output quietly, as other Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`xdp-meta: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
