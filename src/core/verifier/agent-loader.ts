// Loads an object through the xdp-meta agent (libbpf, real prog_ifindex/dev-bound loads) and returns its verifier log.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findAgentBinary } from '../remote/agent-binary';
import { AgentClient } from '../remote/client';
import { AgentError } from '../remote/errors';
import { startAgent, type Target } from '../remote/transport';
import { UsageError, XdpMetaError } from '../util/errors';
import { attributeLoadFailure, errnoName, hasKernelLog } from './load-failure';
import type { LoadOptions, LoadResult, VerifierLoader } from './loader';

function ifindexOf(dev: string): number {
  try {
    return Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8').trim());
  } catch (e) {
    throw new UsageError(`--dev ${dev}: no such network interface on this host`, { cause: e });
  }
}

export class AgentLoader implements VerifierLoader {
  readonly name = 'agent';
  constructor(private readonly target: Target = { kind: 'local' }) {}

  async load(obj: string, opts: LoadOptions): Promise<LoadResult> {
    const req = {
      op: 'load' as const,
      path: obj,
      log_level: opts.logLevel,
      // Without --dev load unbound, so a metadata-kfunc program gets the kernel's own rejection log.
      dev_bound: (opts.dev ? 'auto' : 'no') as 'auto' | 'no',
      ...(opts.program ? { program: opts.program } : {}),
      ...(opts.dev ? { ifindex: ifindexOf(opts.dev) } : {}),
    };
    if (this.target.kind !== 'local') {
      // The agent reads `path` on its own host: send the bytes instead.
      delete (req as { path?: string }).path;
      (req as { object?: string }).object = readFileSync(obj).toString('base64');
    }
    const proc = await startAgent(this.target);
    const client = await AgentClient.connect(proc);
    try {
      const reply = await client.request(req);
      try {
        await client.request({ op: 'unload', prog: reply.prog });
      } catch (e) {
        throw new XdpMetaError(`${client.host}: loaded '${reply.name}' but could not unload it`, { cause: e });
      }
      return {
        ok: true,
        logs: reply.log ? [{ program: reply.name, log: reply.log }] : [],
        output: reply.libbpf_log ?? '',
        devBound: reply.dev_bound,
      };
    } catch (e) {
      if (e instanceof AgentError && (e.code === 'load_failed' || e.log)) {
        const errno = errnoName(e.errno);
        const refusal = attributeLoadFailure(e.libbpfLog ?? '', e.log, errno);
        // The agent's own words are right when the kernel refused the program; otherwise say who did. Never drop the errno.
        const own = refusal.by === 'kernel' && refusal.stage === 'program';
        const failure = own ? `${e.message}${errno && !e.message.includes(errno) ? ` (${errno})` : ''}` : `${e.host}: load: ${refusal.message}`;
        return {
          ok: false,
          logs: hasKernelLog(e.log) ? [{ program: opts.program ?? /program (\S+)/.exec(e.message)?.[1] ?? '', log: e.log! }] : [],
          output: e.libbpfLog ?? '',
          failure,
          refusal,
          devBound: false,
        };
      }
      throw e;
    } finally {
      await client.close();
    }
  }
}

/** True when a locally built agent exists and runs. */
export function agentAvailable(): boolean {
  try {
    const bin = findAgentBinary();
    execFileSync(bin.path, ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
