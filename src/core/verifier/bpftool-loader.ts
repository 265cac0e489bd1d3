// Loads an object with `bpftool prog loadall` into a unique bpffs directory and captures libbpf's verifier log.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statfsSync } from 'node:fs';
import { ToolError, UsageError } from '../util/errors';
import { attributeLoadFailure, hasKernelLog } from './load-failure';
import { callsMetadataKfuncs, extractProgramLogs, type LoadOptions, type LoadResult, type VerifierLoader } from './loader';

const BPF_FS_MAGIC = 0xcafe4a11;

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 2 ** 31, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new ToolError(`${cmd} not found: install bpftool (Debian: apt-get install bpftool)`, { cause: err }));
        return;
      }
      if (err && (err as { killed?: boolean }).killed) {
        reject(new ToolError(`${cmd} ${args.join(' ')}: timed out after ${timeoutMs / 1000}s`, { cause: err }));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export class BpftoolLoader implements VerifierLoader {
  readonly name = 'bpftool';
  constructor(
    private readonly bpftool = process.env.XDP_META_BPFTOOL ?? 'bpftool',
    private readonly bpffs = '/sys/fs/bpf',
    private readonly timeoutMs = 300_000,
  ) {}

  async load(obj: string, opts: LoadOptions): Promise<LoadResult> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(obj);
    } catch (e) {
      throw new UsageError(`${obj}: cannot read the object (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
    }
    if (bytes.length < 4 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new UsageError(`${obj}: not an ELF object`);
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new ToolError('loading BPF programs needs root (CAP_BPF + CAP_NET_ADMIN); run as root or use a remote host');
    }
    try {
      if (Number(statfsSync(this.bpffs).type) !== BPF_FS_MAGIC) {
        throw new ToolError(`${this.bpffs} is not a bpf filesystem: mount it with 'mount -t bpf bpf ${this.bpffs}'`);
      }
    } catch (e) {
      if (e instanceof ToolError) throw e;
      throw new ToolError(`${this.bpffs}: cannot check the bpf filesystem`, { cause: e });
    }
    const devBound = !!opts.dev && callsMetadataKfuncs(bytes);
    const args: string[] = [];
    if (opts.logLevel === 2) args.push('-d'); // libbpf then asks the kernel for log level 1|2|4 and prints it always
    const pin = `${this.bpffs}/xdp_meta_verifier_${process.pid}_${randomBytes(4).toString('hex')}`;
    // No `type`: libbpf takes each program's type from its section (a `type xdp` would load TC programs as XDP).
    args.push('prog', 'loadall', obj, pin);
    if (devBound) {
      const help = await run(this.bpftool, ['prog', 'help'], 10_000);
      if (!/xdpmeta_dev/.test(help.stdout + help.stderr)) {
        throw new ToolError(`${this.bpftool} cannot load device-bound XDP programs (needs 'xdpmeta_dev', bpftool 7.3+); ` +
          'load with the agent or without --dev');
      }
      args.push('xdpmeta_dev', opts.dev!);
    } else if (opts.dev) {
      // Not calling metadata kfuncs: --dev only names the interface; the program is loaded unbound.
    }
    try {
      const r = await run(this.bpftool, args, this.timeoutMs);
      const output = r.stderr + (r.stdout ? `\n${r.stdout}` : '');
      const failure = /failed to load: (.*)$/m.exec(output)?.[1] ?? /BPF program load failed: (.*)$/m.exec(output)?.[1] ??
        (r.code !== 0 ? (/^Error: (.*)$/m.exec(output)?.[1] ?? `bpftool exited with status ${r.code}`) : undefined);
      // Only a log the kernel printed is a log: libbpf prints the markers around nothing when it refused first.
      const logs = extractProgramLogs(output).filter((l) => hasKernelLog(l.log));
      const res: LoadResult = { ok: r.code === 0, logs, output, devBound };
      if (r.code !== 0) {
        res.refusal = attributeLoadFailure(output, logs[0]?.log, failure);
        res.failure = res.refusal.message;
      }
      return res;
    } finally {
      // Unpinning drops the last reference: the programs and their maps are unloaded.
      rmSync(pin, { recursive: true, force: true });
    }
  }
}
