// Runs the `xdp-meta` main() in-process and captures its stdout, stderr and exit status.
import { main } from '../../src/cli/main';

/** Runs main() in-process and captures what it writes to stdout and stderr. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const so = process.stdout.write;
  const se = process.stderr.write;
  let out = '';
  let err = '';
  process.stdout.write = ((s: string | Uint8Array) => { out += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { err += String(s); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
  }
}
