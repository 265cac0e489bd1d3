// Entry point of the `xdp-meta` command line: dispatches to the command table.
import { commands } from './commands/index';
import type { CliIo, LaunchState } from './command';
import { isXdpMetaError, UsageError } from '../core/util/errors';

const io: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  outBytes: (b) => {
    process.stdout.write(b);
    if (b.length === 0 || b[b.length - 1] !== 10) process.stdout.write('\n');
  },
};

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return ['usage: xdp-meta <command> [options]', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)].join('\n');
}

export async function main(argv: string[], launch?: LaunchState): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(process.env.XDP_META_VERSION ?? '0.1.0');
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`xdp-meta: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest, io, launch);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`xdp-meta ${name}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    if (isXdpMetaError(e)) {
      io.err(`xdp-meta ${name}: error: ${e.message}`);
      return 1;
    }
    // A system error on a named file (ENOENT, EISDIR, EACCES...) that a command did not wrap is still the
    // user's input, not a bug: name the file instead of printing a stack.
    const sys = systemErrorMessage(e);
    if (sys) {
      io.err(`xdp-meta ${name}: error: ${sys}`);
      return 1;
    }
    throw e;
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory', EISDIR: 'is a directory, not a file', ENOTDIR: 'a path component is not a directory',
  EACCES: 'permission denied', EPERM: 'operation not permitted', ELOOP: 'too many symbolic links', EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long', EROFS: 'read-only file system', ENOSPC: 'no space left on device', EEXIST: 'already exists',
};

/** `path: reason` for a Node system error that names a path, else undefined. */
export function systemErrorMessage(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, path } = e as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof path !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return `${path}: ${ERRNO_TEXT[code] ?? code.toLowerCase()} (${code})`;
}

/** The last-resort report of a bug: one line; the stack only on request, so users never see one by accident. */
export function internalErrorMessage(e: unknown): string {
  const debug = !!process.env.XDP_META_DEBUG;
  const text = e instanceof Error ? (debug ? e.stack ?? e.message : `${e.name}: ${e.message.split('\n')[0]}`) : String(e);
  return `xdp-meta: internal error: ${text}${debug ? '' : ' (a bug: please report it; XDP_META_DEBUG=1 shows the stack)'}\n`;
}

/** Runs the CLI as the whole process: argv without node and script; exits once the output is flushed. */
export function runCli(argv: string[], launch?: LaunchState): void {
  // A closed pipe (`xdp-meta disasm x.o | head`) ends the output quietly, as other Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // Once the command has answered, exit as soon as the output is flushed: a helper process that ignored
  // SIGTERM (or a grandchild still holding its pipes) must not keep the user waiting for nothing.
  const exitFlushed = (code: number): void => {
    process.exitCode = code;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  };
  main(argv, launch).then(exitFlushed, (e: unknown) => {
    process.stderr.write(internalErrorMessage(e));
    exitFlushed(3);
  });
}

// dist/cli.js (launch.ts) calls runCli; run directly (tests, a bundle of this file alone) it starts itself.
if (require.main === module) runCli(process.argv.slice(2));
