// One-shot load for `xdp-meta load`: start the agent, load an object (device-bound when needed), return the verifier log, unload.
import * as path from 'node:path';
import { readInputFile } from '../bpf/object-file';
import { XdpMetaError } from '../util/errors';
import { AgentClient } from './client';
import { AgentError } from './errors';
import type { LoadReply } from './protocol';
import { startAgent, type Target } from './transport';

export interface LoadOnceOptions {
  /** The BPF object file. */
  object: string;
  /** Program to load (default: the first XDP/TC program, else the first program). */
  program?: string;
  logLevel?: 1 | 2;
  /** Verifier log buffer in bytes (default 16 MiB; the kernel keeps the tail when it is too small). */
  logSize?: number;
  /** Interface to bind to when the program calls metadata kfuncs. */
  dev?: string;
  /** 'auto' binds iff the object calls bpf_xdp_metadata_* kfuncs. */
  devBound?: 'auto' | 'yes' | 'no';
  /** Default: this machine. */
  target?: Target;
  agentArgs?: string[];
}

export interface LoadOnceResult {
  ok: boolean;
  /** The program the agent picked. */
  program?: string;
  /** The full verifier log (level 1 logs are short on success). */
  log: string;
  /** libbpf's own messages (CO-RE decisions, errors before the kernel saw the program). */
  libbpfLog?: string;
  /** Set when the kernel or libbpf refused: code 'load_failed', 'needs_device', 'no_btf', ... */
  error?: AgentError;
  reply?: LoadReply;
}

export async function loadOnce(opts: LoadOnceOptions): Promise<LoadOnceResult> {
  const file = path.resolve(opts.object);
  const bytes = readInputFile(opts.object, 'a BPF object');
  const client = await AgentClient.connect(await startAgent(opts.target ?? { kind: 'local' }, { agentArgs: opts.agentArgs }));
  try {
    let ifindex: number | undefined;
    if (opts.dev) {
      const probe = await client.request({ op: 'probe' });
      ifindex = probe.interfaces.find((i) => i.name === opts.dev)?.ifindex;
      if (!ifindex) throw new XdpMetaError(`${client.host}: no interface ${opts.dev} (interfaces: ${probe.interfaces.map((i) => i.name).join(', ')})`);
    }
    try {
      const reply = await client.request({
        op: 'load', object: bytes.toString('base64'), name: path.basename(file).replace(/\W/g, '_').slice(0, 15),
        program: opts.program, log_level: opts.logLevel ?? 1, log_size: opts.logSize, ifindex, dev_bound: opts.devBound ?? 'auto',
      });
      await client.request({ op: 'unload', prog: reply.prog });
      return { ok: true, program: reply.name, log: reply.log, libbpfLog: reply.libbpf_log, reply };
    } catch (e) {
      if (e instanceof AgentError && e.op === 'load') return { ok: false, log: e.log ?? '', libbpfLog: e.libbpfLog, error: e };
      throw e;
    }
  } finally {
    await client.close();
  }
}
