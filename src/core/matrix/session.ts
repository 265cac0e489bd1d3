// A loader per kernel: the agent in a booted microVM, or the local agent for `running`; loads programs one by one.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { KernelTarget } from '../kernels/types';
import { AgentClient } from '../remote/client';
import { AgentError } from '../remote/errors';
import { startAgent } from '../remote/transport';
import { explain } from '../verifier/explain';
import { parseLogText } from '../verifier/read';
import { GUEST_DEV } from '../vm/initramfs';
import { MicroVm, type BootOptions } from '../vm/qemu';
import { XdpMetaError } from '../util/errors';
import { lineOfInsn } from './lines';
import type { MatrixLoad, MatrixProgram } from './types';

export interface LoadSession {
  readonly kernel: KernelTarget;
  /** Boot (or start) time in ms. */
  readonly startMs: number;
  load(p: MatrixProgram, logFile: string, logLevel: 1 | 2): Promise<MatrixLoad>;
  close(): Promise<void>;
}

/** Turns a load's outcome into a cell: the log written to `logFile`, summarised and explained by our parser. */
export function summarise(ok: boolean, log: string, libbpfLog: string, logFile: string, level: 1 | 2, failure?: string, devBound?: boolean): MatrixLoad {
  const text = log || libbpfLog;
  writeFileSync(logFile, text);
  const parsed = parseLogText(text, { source: logFile, level });
  const s = parsed.summary();
  let error = s.error;
  const e = ok ? null : explain(parsed);
  if (!ok && !error) error = { message: e?.message ?? failure ?? 'load failed', insn: null, file: null, line: null };
  return {
    verdict: ok ? 'accepted' : 'rejected', error: ok ? null : error,
    processed_insns: s.processed_insns, total_states: s.total_states, peak_states: s.peak_states, log_file: logFile,
    ...(devBound !== undefined ? { dev_bound: devBound } : {}),
    ...(e ? { explanation: e.id } : {}),
  };
}

async function loadWith(client: AgentClient, ifindex: number | undefined, p: MatrixProgram, logFile: string, level: 1 | 2): Promise<MatrixLoad> {
  try {
    const reply = await client.request({
      op: 'load', object: p.bytes.toString('base64'), program: p.program, log_level: level, dev_bound: 'auto',
      name: p.program.slice(0, 15), ...(ifindex ? { ifindex } : {}),
    });
    await client.request({ op: 'unload', prog: reply.prog });
    return summarise(true, reply.log, reply.libbpf_log ?? '', logFile, level, undefined, reply.dev_bound);
  } catch (e) {
    if (e instanceof AgentError && e.op === 'load') {
      if (e.code === 'load_failed') {
        const load = summarise(false, e.log ?? '', e.libbpfLog ?? '', logFile, level, e.message);
        // Kernels before 6.2 print `; source` without `@ file:line`: take the line from the object.
        const err = load.error;
        if (err && err.line === null && err.insn !== null) {
          const at = lineOfInsn(p.bytes, p.objectPath, p.program, err.insn);
          if (at) load.error = { ...err, file: at.file, line: at.line };
        }
        return load;
      }
      return {
        verdict: 'not-run', error: { message: e.message, insn: null, file: null, line: null }, processed_insns: null,
        total_states: null, peak_states: null, log_file: null, reason: e.message,
      };
    }
    throw e;
  }
}

/** Boots the kernel and keeps the VM for every program. */
export async function vmSession(kernel: KernelTarget, opts: BootOptions): Promise<LoadSession> {
  const vm = await MicroVm.boot(kernel, opts);
  try {
    const probe = await vm.client.request({ op: 'probe' });
    const ifindex = probe.interfaces.find((i) => i.name === GUEST_DEV)?.ifindex;
    return {
      kernel, startMs: vm.bootMs,
      load: (p, logFile, level) => loadWith(vm.client, ifindex, p, logFile, level),
      close: () => vm.shutdown(),
    };
  } catch (e) {
    await vm.kill();
    throw e;
  }
}

/** The running kernel: the local agent, and a veth pair of our own (pid-named, deleted on close) for device-bound loads. */
export async function localSession(kernel: KernelTarget): Promise<LoadSession> {
  if (process.getuid?.() !== 0) throw new XdpMetaError('kernel running: loading into this machine\'s kernel needs root (the static findings above still apply)');
  const started = Date.now();
  const dev = `xmm${process.pid % 100000}`;
  const made = spawnSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`], { encoding: 'utf8' }).status === 0;
  const cleanup = (): void => { if (made) spawnSync('ip', ['link', 'del', dev]); };
  try {
    if (made) spawnSync('ip', ['link', 'set', dev, 'up']);
    const client = await AgentClient.connect(await startAgent({ kind: 'local', sudo: 'never' }));
    const probe = await client.request({ op: 'probe' });
    const ifindex = probe.interfaces.find((i) => i.name === dev)?.ifindex;
    return {
      kernel, startMs: Date.now() - started,
      load: (p, logFile, level) => loadWith(client, ifindex, p, logFile, level),
      close: async () => {
        try { await client.close(); } finally { cleanup(); }
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
