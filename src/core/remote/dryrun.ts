// Dry run: BPF_PROG_TEST_RUN of a program on given packets, with the metadata it leaves decoded.
import { XdpMetaError } from '../util/errors';
import { buildCaptureObject, entryPrograms } from './capture-wrap';
import { AgentClient } from './client';
import type { DecodedMeta } from './decode';
import { AgentError } from './errors';
import { verdictName } from './protocol';
import { preflightObject } from './preflight';
import { metaStructEvidence } from './meta-struct';
import { metaDecoderFor } from './session';
import { startAgent, type Target } from './transport';

export interface DryRunOptions {
  target: Target;
  /** `.bpf.c` or object. */
  input: string;
  program?: string;
  packets: Uint8Array[];
  /** Metadata already in front of each packet (hex, multiple of 4 bytes). */
  metaIn?: string;
  structName?: string;
  agentArgs?: string[];
  clang?: string;
}

export interface DryRunRow extends DecodedMeta {
  index: number;
  verdict: string;
  retval: number;
  meta_len: number;
  meta_hex: string;
  data_hex: string;
  duration_ns: number;
}

export async function dryRun(opts: DryRunOptions): Promise<DryRunRow[]> {
  let objectPath = opts.input;
  let sourceText: string | undefined;
  let cleanup = () => undefined as void;
  if (/\.c$/.test(opts.input)) {
    const b = await buildCaptureObject(opts.input, { program: opts.program, clang: opts.clang });
    objectPath = b.plainObjectPath;
    opts = { ...opts, program: b.entry.name };
    sourceText = b.sourceText;
    cleanup = b.cleanup;
  }
  // Our readers first: libbpf would name no offset, and would drop a damaged .BTF and skip CO-RE.
  let bytes, elf;
  try {
    ({ bytes, elf } = preflightObject(objectPath, {}));
  } finally {
    cleanup(); // read into memory: the temp folder of the build is not needed any more
  }
  const program = opts.program ?? (entryPrograms(bytes, objectPath).find((e) => e.hook === 'xdp')?.name);
  const decoder = metaDecoderFor(opts.input, elf, {
    structName: opts.structName, sourceText, evidence: program ? metaStructEvidence(bytes, objectPath, program) : undefined,
  });
  const client = await AgentClient.connect(await startAgent(opts.target, { agentArgs: opts.agentArgs }));
  try {
    let load;
    try {
      load = await client.request({ op: 'load', object: bytes.toString('base64'), program: opts.program, hook: 'xdp' });
    } catch (e) {
      if (e instanceof AgentError && e.code === 'needs_device') {
        throw new XdpMetaError(`${client.host}: ${opts.program ?? 'the program'} calls XDP metadata kfuncs, so it only loads device-bound, ` +
          `and BPF_PROG_TEST_RUN cannot run device-bound programs (the kernel returns EINVAL): capture live traffic instead`);
      }
      throw e;
    }
    const rows: DryRunRow[] = [];
    for (const [index, p] of opts.packets.entries()) {
      const r = await client.request({ op: 'test_run', prog: load.prog, data: Buffer.from(p).toString('hex'), meta: opts.metaIn });
      rows.push({
        index, verdict: verdictName('xdp', r.retval), retval: r.retval, meta_len: r.meta_len, meta_hex: r.meta,
        data_hex: r.data, duration_ns: r.duration_ns, ...decoder.decode(Buffer.from(r.meta, 'hex')),
      });
    }
    await client.request({ op: 'unload', prog: load.prog });
    return rows;
  } finally {
    await client.close();
  }
}
