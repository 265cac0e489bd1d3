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
  return parseBtf(await readHostBtfBytes(target, btfPath, timeoutMs), `${targetName(target)}:${btfPath}`);
}

/** The bytes of the BTF file at `btfPath` on `target` (the editor keeps a remote host's copy for its checks). */
export function readHostBtfBytes(target: Target, btfPath: string, timeoutMs = 60_000, signal?: AbortSignal): Promise<Buffer> {
  return target.kind === 'local' ? Promise.resolve(readBtfBytes(btfPath)) : sshCat(target, btfPath, timeoutMs, signal);
}

function sshCat(t: Extract<Target, { kind: 'ssh' }>, file: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
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
    if (signal?.aborted) stop(`reading ${file} was cancelled`);
    else signal?.addEventListener('abort', () => stop(`reading ${file} was cancelled`), { once: true });
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
      const hint = /No such file/.test(last) && file === '/sys/kernel/btf/vmlinux' ? '; the kernel needs CONFIG_DEBUG_INFO_BTF' : '';
      reject(new RemoteError('ssh-failed', name, `cannot read the kernel BTF ${file} (exit ${code})${last ? `: ${last}` : ''}${hint}`));
    });
  });
}
