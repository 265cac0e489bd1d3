// `xdp-meta run`: runs an XDP/TC program on a host's interface and prints each packet's verdict and decoded data_meta.
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dryRun } from '../../core/remote/dryrun';
import { AgentError } from '../../core/remote/errors';
import { packetsFromSpec } from '../../core/remote/packets';
import { LiveCapture, type LiveRow } from '../../core/remote/session';
import type { SudoPolicy, Target } from '../../core/remote/transport';
import { UsageError } from '../../core/util/errors';
import type { CliCommand, CliIo } from '../command';

interface RunArgs {
  input: string;
  host?: string;
  local: boolean;
  dev: string;
  port?: number;
  identity?: string;
  sshConfig?: string;
  sshOptions: string[];
  sudo: SudoPolicy;
  count?: number;
  duration?: number;
  json: boolean;
  program?: string;
  struct?: string;
  mode: 'native' | 'generic';
  sample: number;
  rate: number;
  snap: number;
  confirmSsh: boolean;
  btf?: string;
  logLevel: 1 | 2;
  logFile?: string;
  testRun: string[];
  metaIn?: string;
  clang?: string;
}

const USAGE = `usage: xdp-meta run INPUT (--host DEST | --local) --dev IFNAME [options]

Runs the XDP (or TC) program of INPUT on interface IFNAME of a host, captures every packet's verdict,
data_meta bytes and packet head, and prints one row per packet with the metadata decoded by the
object's BTF. INPUT is a .bpf.c (compiled here with a capture wrapper: sees every verdict) or a BPF
object (capture needs freplace, which some kernels refuse). The program is attached through a
bpf_link held by the agent: when the agent exits, the kernel detaches it.

options:
  --host DEST        ssh destination (a ~/.ssh/config alias, host or user@host); BatchMode, known_hosts enforced
  --local            run on this machine instead
  --dev IFNAME       interface to attach to (refused if it carries the SSH session, unless --confirm-ssh-interface)
  --port N           ssh port
  --identity FILE    ssh private key
  --ssh-config FILE  ssh_config to use (ssh -F)
  --ssh-option K=V   extra ssh -o option (repeatable; host key checking cannot be turned off)
  --sudo auto|always|never   how to get root on the host (default auto: sudo -n unless root)
  --count N          stop after N rows
  --duration S       stop after S seconds
  --json             one JSON object per row: {ts, ifindex, queue, verdict, meta_len, meta_hex, fields}
  --prog NAME        program to run (default: the first XDP program)
  --struct NAME      decode data_meta as this struct; an error when the object has none (default: BTF-id trailer, the struct the source casts data_meta to)
  --mode native|generic  XDP attach mode (default native)
  --sample N         capture 1 of N packets (default 1)
  --rate N           at most N rows per second (default unlimited)
  --snap N           packet head bytes per row (default 64, max 128)
  --log-level 1|2    verifier log level for the load (default 1)
  --log FILE         where to write the verifier log of a failed load (default: a temp file)
  --btf PATH         kernel BTF path on the host (default /sys/kernel/btf/vmlinux)
  --confirm-ssh-interface  attach even to the interface carrying the SSH session
  --clang PATH       clang to compile a .bpf.c INPUT with (default: clang, clang-NN on PATH)

dry run (BPF_PROG_TEST_RUN, nothing attached; impossible for device-bound programs):
  --test-run PACKET  hex bytes, a .pcap file, or udp[:SRC>DST[:PORT]] (repeatable); prints the verdict
                     and the metadata out per packet instead of capturing live traffic (--dev not needed)
  --meta-in HEX      metadata already in front of each test packet`;

function parseArgs(argv: string[]): RunArgs {
  const a: RunArgs = { input: '', local: false, dev: '', sshOptions: [], sudo: 'auto', json: false, mode: 'native', sample: 1, rate: 0, snap: 64, confirmSsh: false, logLevel: 1, testRun: [] };
  const pos: string[] = [];
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, not '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--host': a.host = value(); break;
      case '--local': a.local = true; break;
      case '--dev': a.dev = value(); break;
      case '--port': a.port = int('--port', value(), 1); break;
      case '--identity': a.identity = value(); break;
      case '--ssh-config': a.sshConfig = value(); break;
      case '--ssh-option': a.sshOptions.push(value()); break;
      case '--sudo': {
        const v = value();
        if (v !== 'auto' && v !== 'always' && v !== 'never') throw new UsageError(`--sudo must be auto, always or never`);
        a.sudo = v;
        break;
      }
      case '--count': a.count = int('--count', value(), 1); break;
      case '--duration': {
        const v = Number(value());
        if (!(v > 0)) throw new UsageError('--duration must be a positive number of seconds');
        a.duration = v;
        break;
      }
      case '--json': a.json = true; break;
      case '--prog': a.program = value(); break;
      case '--struct': a.struct = value(); break;
      case '--mode': {
        const v = value();
        if (v !== 'native' && v !== 'generic') throw new UsageError(`--mode must be native or generic`);
        a.mode = v;
        break;
      }
      case '--sample': a.sample = int('--sample', value(), 1); break;
      case '--rate': a.rate = int('--rate', value(), 0); break;
      case '--snap': a.snap = int('--snap', value(), 0); break;
      case '--log-level': {
        const v = value();
        if (v !== '1' && v !== '2') throw new UsageError('--log-level must be 1 or 2');
        a.logLevel = v === '1' ? 1 : 2;
        break;
      }
      case '--log': a.logFile = value(); break;
      case '--btf': a.btf = value(); break;
      case '--confirm-ssh-interface': a.confirmSsh = true; break;
      case '--test-run': a.testRun.push(value()); break;
      case '--meta-in': a.metaIn = value(); break;
      case '--clang': a.clang = value(); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        pos.push(arg);
    }
  }
  if (pos.length !== 1) throw new UsageError(pos.length ? `one INPUT at a time, got ${pos.length}` : 'missing INPUT (.bpf.c or .o)');
  a.input = pos[0];
  if (!a.dev && !a.testRun.length) throw new UsageError('missing --dev IFNAME');
  if (a.metaIn !== undefined && !/^([0-9a-fA-F]{8}){0,8}$/.test(a.metaIn)) throw new UsageError('--meta-in is hex, a multiple of 4 bytes, at most 32');
  if (!a.host && !a.local) throw new UsageError('missing --host DEST (or --local)');
  if (a.host && a.local) throw new UsageError('--host and --local exclude each other');
  if (a.snap > 128) throw new UsageError('--snap is at most 128');
  return a;
}

function hostTarget(a: RunArgs): Target {
  if (a.local) return { kind: 'local', sudo: a.sudo };
  return { kind: 'ssh', host: a.host!, port: a.port, identity: a.identity, configFile: a.sshConfig, options: a.sshOptions, sudo: a.sudo };
}

/** The `--json` row: the issue's shape plus the packet head. */
export function jsonRow(r: LiveRow): string {
  return JSON.stringify({ ts: r.ts, ifindex: r.ifindex, queue: r.queue, verdict: r.verdict, meta_len: r.meta_len, meta_hex: r.meta_hex, fields: r.fields ?? null, struct: r.struct ?? null, pkt_len: r.pkt_len, head_hex: r.head_hex });
}

function textRow(r: LiveRow): string {
  const t = new Date(r.ts * 1000).toISOString().slice(11, 23);
  const fields = r.fields ? `${r.struct} {${Object.entries(r.fields).map(([k, v]) => `${k}=${typeof v === 'number' && v > 9 ? `${v} (0x${v.toString(16)})` : v}`).join(', ')}}` : (r.meta_hex || '-');
  return `${t} if=${r.ifindex} q=${r.queue} ${r.verdict} len=${r.pkt_len} meta=${r.meta_len} ${fields}`;
}

async function testRun(a: RunArgs, io: CliIo): Promise<number> {
  const packets = a.testRun.flatMap((s) => packetsFromSpec(s));
  const rows = await dryRun({ target: hostTarget(a), input: a.input, program: a.program, packets, metaIn: a.metaIn, structName: a.struct,
    agentArgs: a.btf ? ['--btf', a.btf] : [], clang: a.clang });
  for (const r of rows) {
    if (a.json) {
      io.out(JSON.stringify({ index: r.index, verdict: r.verdict, meta_len: r.meta_len, meta_hex: r.meta_hex, fields: r.fields ?? null, struct: r.struct ?? null, data_hex: r.data_hex }));
    } else {
      const fields = r.fields ? `${r.struct} {${Object.entries(r.fields).map(([k, v]) => `${k}=${v}`).join(', ')}}` : (r.meta_hex || '-');
      io.out(`#${r.index} ${r.verdict} meta=${r.meta_len} ${fields}`);
    }
  }
  return 0;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv);
  if (a.testRun.length) return testRun(a, io);
  let session: LiveCapture;
  try {
    session = await LiveCapture.start({
      target: hostTarget(a), dev: a.dev, input: a.input, program: a.program, mode: a.mode, structName: a.struct,
      sample: a.sample, rate: a.rate, snap: a.snap, confirmSshInterface: a.confirmSsh, logLevel: a.logLevel,
      agentArgs: a.btf ? ['--btf', a.btf] : [], clang: a.clang, onProgress: (m) => io.err(`xdp-meta run: ${m}`),
    });
  } catch (e) {
    if (e instanceof AgentError && e.code === 'load_failed' && e.log) {
      const file = a.logFile ?? path.join(os.tmpdir(), `xdp-meta-${process.pid}.verifier.log`);
      writeFileSync(file, e.log);
      const lines = e.log.split('\n').filter((l) => l.trim() && !/^processed \d+ insns/.test(l));
      if (lines.length) io.err(`xdp-meta run: verifier: ${lines[lines.length - 1]}`);
      io.err(`xdp-meta run: the verifier log (${e.log.split('\n').length} lines) is in ${file}; read it with \`xdp-meta log ${file}\``);
    }
    if (e instanceof AgentError && e.code === 'ssh_interface') {
      io.err('xdp-meta run: pass --confirm-ssh-interface to attach anyway');
    }
    throw e;
  }
  const info = session.info;
  io.err(`xdp-meta run: ${info.program} attached to ${info.dev} (ifindex ${info.ifindex}) on ${info.host} [${info.kernel}], ` +
    `${info.mode}${info.devBound ? ', device-bound' : ''}; capture: ${info.mechanism}`);
  io.err(`xdp-meta run: cannot see: ${info.blindSpots.join('; ')}`);
  let printed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  session.on('rows', (rows) => {
    for (const r of rows) {
      if (a.count !== undefined && printed >= a.count) break;
      io.out(a.json ? jsonRow(r) : textRow(r));
      printed++;
    }
    if (a.count !== undefined && printed >= a.count) done();
  });
  session.on('end', () => done());
  const timer = a.duration !== undefined ? setTimeout(done, a.duration * 1000) : undefined;
  const onSig = () => done();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  await finished;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSig);
  process.off('SIGTERM', onSig);
  const s = await session.stop();
  const st = s.stats;
  const drops = st ? `; not shown: ${st.sampled_out} sampled out, ${st.rate_limited} rate-limited, ${st.ringbuf_full} lost (ring buffer full)` : '';
  io.err(`xdp-meta run: ${printed} rows printed${st ? ` of ${st.seen} packets seen` : ''}${drops}; ` +
    (s.detached === 'stopped' ? 'detached' : 'the agent exited, so the kernel detached the program'));
  if (s.error) throw s.error;
  return 0;
}

export const runCommand: CliCommand = { name: 'run', summary: 'run an XDP program on a host and print decoded data_meta per packet', usage: USAGE, run };
