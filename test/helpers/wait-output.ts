// Resolves when a child process prints a line matching a pattern (a server saying it listens), failing on exit or timeout.
import type { ChildProcess } from 'node:child_process';

/**
 * Collects the child's stdout and stderr (the last 64 KiB) and resolves once `pattern` matches.
 * Returns a getter for the collected text, which keeps growing after the match.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<() => string> {
  let log = '';
  const text = (): string => log;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(text);
    };
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (d: string): void => {
      log = (log + d).slice(-65536);
      if (pattern.test(log)) finish();
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => finish(new Error(`${what} exited with ${code}:\n${log}`)));
  });
}
