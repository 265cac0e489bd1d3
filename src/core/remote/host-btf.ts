// Reads the kernel BTF of a run's host (over ssh for a remote one), so a static check can judge the program against that kernel.
import { spawn } from 'node:child_process';
import { parseBtf, readBtfBytes } from '../btf/load';
import type { Btf } from '../btf/types';
import { RemoteError } from './errors';
import { diagnoseSshStderr } from './ssh-errors';
import { shQuote, sshArgs, targetName, type Target } from './transport';

/** The largest BTF accepted (vmlinux BTF is 4-6 MB; a runaway `cat` must not fill memory). */
const BTF_MAX = 64 << 20;

/** The raw BTF at `btfPath` on `target` (a world-readable sysfs file: no sudo), parsed and labelled `host:path`. */
export async function fetchHostBtf(target: Target, btfPath: string, timeoutMs = 60_000): Promise<Btf> {
  const label = `${targetName(target)}:${btfPath}`;
  const bytes = target.kind === 'local' ? readBtfBytes(btfPath) : await sshCat(target, btfPath, timeoutMs);
  return parseBtf(bytes, label);
}

function sshCat(t: Extract<Target, { kind: 'ssh' }>, file: string, timeoutMs: number): Promise<Buffer> {
  const name = targetName(t);
  return new Promise((resolve, reject) => {
    const child = spawn(t.ssh ?? 'ssh', [...sshArgs(t), `cat ${shQuote(file)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let err = '';
    let why: string | undefined;
    const stop = (reason: string) => {
      why ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`reading ${file} did not finish within ${timeoutMs / 1000} s`), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > BTF_MAX) stop(`${file} is larger than ${BTF_MAX >> 20} MB: not a kernel BTF`);
      else chunks.push(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err = (err + d).slice(-4096); });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new RemoteError('ssh-failed', name, `cannot run ssh: ${e.message}`, { cause: e }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (why) return reject(new RemoteError('timeout', name, why));
      if (code === 0) return resolve(Buffer.concat(chunks));
      const known = diagnoseSshStderr(name, err);
      if (known) return reject(known);
      const last = err.trim().split('\n').pop() ?? '';
      reject(new RemoteError('ssh-failed', name, `cannot read the kernel BTF ${file} (exit ${code})${last ? `: ${last}` : ''}`));
    });
  });
}
