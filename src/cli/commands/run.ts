// `xdp-meta run`: runs an XDP/TC program on a host's interface and prints each packet's verdict and decoded data_meta.
import type { FieldValue } from '../../core/remote/decode';
import { dryRun } from '../../core/remote/dryrun';
import { AgentError } from '../../core/remote/errors';
import { packetsFromSpec } from '../../core/remote/packets';
import { LiveCapture, type LiveRow } from '../../core/remote/session';
import type { SudoPolicy, Target } from '../../core/remote/transport';
import { formatExplanation } from '../../core/verifier/explain';
import { parseLogText } from '../../core/verifier/read';
import { UsageError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs, type OptionSpec } from '../args';
import { runSummaryLine } from '../run-summary';
import type { CliCommand, CliIo } from '../command';
import { writeLogFile } from '../log-file';
import { logReport } from './log';

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
  force: boolean;
  bpftool?: string;
}

const OPTIONS = {
  host: { type: 'string', valueName: 'DEST', description: 'ssh destination (a ~/.ssh/config alias, host or user@host); BatchMode, known_hosts enforced' },
  local: { type: 'boolean', description: 'run on this machine instead' },
  dev: { type: 'string', valueName: 'IFNAME', description: 'interface to attach to (refused if it carries the SSH session, unless --confirm-ssh-interface)' },
  port: { type: 'number', integer: true, min: 1, description: 'ssh port' },
  identity: { type: 'string', valueName: 'FILE', description: 'ssh private key' },
  'ssh-config': { type: 'string', valueName: 'FILE', description: 'ssh_config to use (ssh -F)' },
  'ssh-option': { type: 'list', valueName: 'K=V', description: 'extra ssh -o option (host key checking cannot be turned off)' },
  sudo: { type: 'string', choices: ['auto', 'always', 'never'], default: 'auto', description: 'how to get root on the host (default auto: sudo -n unless root)' },
  count: { type: 'number', integer: true, min: 1, description: 'stop after N rows' },
  duration: { type: 'number', valueName: 'S', description: 'stop after S seconds' },
  json: { type: 'boolean', description: 'one JSON object per row: {ts, ifindex, queue, verdict, meta_len, meta_hex, fields}' },
  prog: { type: 'string', valueName: 'NAME', description: 'program to run (default: the first XDP program)' },
  struct: { type: 'string', valueName: 'NAME', description: 'decode data_meta as this struct; an error when the object has none (default: BTF-id trailer, the struct the source casts data_meta to)' },
  mode: { type: 'string', choices: ['native', 'generic'], default: 'native', description: 'XDP attach mode (default native)' },
  sample: { type: 'number', integer: true, min: 1, default: 1, description: 'capture 1 of N packets (default 1)' },
  rate: { type: 'number', integer: true, min: 0, default: 0, description: 'at most N rows per second (default 0: unlimited)' },
  snap: { type: 'number', integer: true, min: 0, max: 128, default: 64, description: 'packet head bytes per row (default 64, max 128)' },
  'log-level': { type: 'number', choices: ['1', '2'], default: 1, description: 'verifier log level for the load (default 1)' },
  log: { type: 'string', valueName: 'FILE', description: 'where to write the verifier log of a failed load (default: not written; its explanation is printed)' },
  btf: { type: 'string', valueName: 'PATH', description: 'kernel BTF path on the host (default /sys/kernel/btf/vmlinux)' },
  'confirm-ssh-interface': { type: 'boolean', description: 'attach even to the interface carrying the SSH session' },
  clang: { type: 'string', valueName: 'PATH', description: 'clang to compile a .bpf.c INPUT (or an object\'s capture wrapper) with (default: clang, clang-NN on PATH)' },
  bpftool: { type: 'string', valueName: 'PATH', description: 'bpftool to link an object INPUT\'s capture wrapper with (default: $XDP_META_BPFTOOL, else bpftool on PATH)' },
  force: { type: 'boolean', description: 'load even when a kfunc the program calls is missing from the host\'s BTF (shows the host\'s own error)' },
} as const satisfies Record<string, OptionSpec>;

/** The dry-run options, listed in their own section of the usage. */
const TEST_RUN_OPTIONS = {
  'test-run': { type: 'list', valueName: 'PACKET', description: 'hex bytes, a .pcap file, or udp[:SRC>DST[:PORT]]; prints the verdict and the metadata out per packet instead of capturing live traffic (--dev not needed)' },
  'meta-in': { type: 'string', valueName: 'HEX', description: 'metadata already in front of each test packet' },
} as const satisfies Record<string, OptionSpec>;

const ARGS = defineArgs({ options: { ...OPTIONS, ...TEST_RUN_OPTIONS }, positionals: { name: 'INPUT', max: 1 } });

const USAGE = `usage: xdp-meta run INPUT (--host DEST | --local) --dev IFNAME [options]

Runs the XDP (or TC) program of INPUT on interface IFNAME of a host, captures every packet's verdict,
data_meta bytes and packet head, and prints one row per packet with the metadata decoded by the
object's BTF. INPUT is a .bpf.c (compiled here with a capture wrapper: sees every verdict) or a BPF
object (its entry wrapped at link time with bpftool gen object: sees every verdict too; freplace if
that fails, where the kernel allows it). The program is attached through a
bpf_link held by the agent: when the agent exits, the kernel detaches it. Options marked ... repeat.

options:
${formatOptions({ options: OPTIONS })}

dry run (BPF_PROG_TEST_RUN, nothing attached; impossible for device-bound programs):
${formatOptions({ options: TEST_RUN_OPTIONS })}`;

function parseRunArgs(argv: string[]): RunArgs {
  const { options: o, positionals: [input] } = parseArgs(ARGS, argv);
  if (!input) throw new UsageError('missing INPUT (.bpf.c or .o)'); // an empty operand ('') names no file
  // Ranges the declarative spec cannot say: a positive duration, and the options that go together.
  if (o.duration !== undefined && !(o.duration > 0)) throw new UsageError(`--duration must be a positive number of seconds (got '${o.duration}')`);
  if (!o.dev && !o['test-run'].length) throw new UsageError('missing --dev IFNAME');
  if (o['meta-in'] !== undefined && !/^([0-9a-fA-F]{8}){0,8}$/.test(o['meta-in'])) {
    throw new UsageError(`--meta-in is hex, a multiple of 4 bytes, at most 32 (got '${o['meta-in']}')`);
  }
  if (!o.host && !o.local) throw new UsageError('missing --host DEST (or --local)');
  if (o.host && o.local) throw new UsageError('--host and --local exclude each other');
  return {
    input, host: o.host, local: o.local, dev: o.dev ?? '', port: o.port, identity: o.identity, sshConfig: o['ssh-config'],
    sshOptions: o['ssh-option'], sudo: o.sudo, count: o.count, duration: o.duration, json: o.json, program: o.prog, struct: o.struct,
    mode: o.mode, sample: o.sample, rate: o.rate, snap: o.snap, confirmSsh: o['confirm-ssh-interface'], btf: o.btf,
    logLevel: o['log-level'] === 2 ? 2 : 1, logFile: o.log, testRun: o['test-run'], metaIn: o['meta-in'], clang: o.clang, bpftool: o.bpftool,
    force: o.force,
  };
}

function hostTarget(a: RunArgs): Target {
  if (a.local) return { kind: 'local', sudo: a.sudo };
  return { kind: 'ssh', host: a.host!, port: a.port, identity: a.identity, configFile: a.sshConfig, options: a.sshOptions, sudo: a.sudo };
}

/**
 * The `--json` row: the issue's shape plus the packet head. Built as a template (the same text
 * JSON.stringify gives: numbers, hex and verdict names need no escaping) — this runs per packet.
 */
export function jsonRow(r: LiveRow): string {
  return `{"ts":${r.ts},"ifindex":${r.ifindex},"queue":${r.queue},"verdict":${quoted(r.verdict)},"meta_len":${r.meta_len},` +
    `"meta_hex":"${r.meta_hex}","fields":${r.fields ? fieldsJson(r.fields) : 'null'},"struct":${r.struct === undefined ? 'null' : quoted(r.struct)},` +
    `"pkt_len":${r.pkt_len},"head_hex":"${r.head_hex}"}`;
}

/** JSON of the few strings that repeat on every row (verdict, struct and field names), made once each. */
const quotedCache = new Map<string, string>();
function quoted(s: string): string {
  let q = quotedCache.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quotedCache.size < 4096) quotedCache.set(s, q);
  }
  return q;
}

/** JSON.stringify(fields), byte for byte, at half its cost: the keys' JSON comes from the cache, values are flat. */
function fieldsJson(fields: Record<string, FieldValue>): string {
  let s = '';
  for (const k in fields) {
    const v = fields[k];
    s += `${s ? ',' : '{'}${quoted(k)}:${typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' && !Number.isFinite(v) ? 'null' : v}`;
  }
  return s ? `${s}}` : '{}';
}

/** Rows `from`..`to` of a batch as `--json` lines in one string, so a batch is one write. */
export function jsonRows(rows: readonly LiveRow[], from = 0, to = rows.length): string {
  let out = '';
  for (let i = from; i < to; i++) out += jsonRow(rows[i]!) + '\n';
  return out;
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
  const a = parseRunArgs(argv);
  if (a.testRun.length) return testRun(a, io);
  let session: LiveCapture;
  try {
    session = await LiveCapture.start({
      target: hostTarget(a), dev: a.dev, input: a.input, program: a.program, mode: a.mode, structName: a.struct,
      sample: a.sample, rate: a.rate, snap: a.snap, confirmSshInterface: a.confirmSsh, logLevel: a.logLevel,
      agentArgs: a.btf ? ['--btf', a.btf] : [], clang: a.clang, bpftool: a.bpftool, force: a.force, onProgress: (m) => io.err(`xdp-meta run: ${m}`),
    });
  } catch (e) {
    if (e instanceof AgentError && e.code === 'load_failed' && e.log) {
      const lines = e.log.split('\n').filter((l) => l.trim() && !/^processed \d+ insns/.test(l));
      if (lines.length) io.err(`xdp-meta run: verifier: ${lines[lines.length - 1]}`);
      // No file unless asked for: a log left in /tmp under a guessable name is both litter and a symlink target.
      const { explanation } = logReport(parseLogText(e.log, { source: a.input, level: a.logLevel }));
      if (explanation) io.err(formatExplanation(explanation));
      const count = e.log.split('\n').length;
      if (a.logFile) {
        writeLogFile(a.logFile, e.log);
        io.err(`xdp-meta run: the verifier log (${count} lines) is in ${a.logFile}; read it with \`xdp-meta log ${a.logFile}\``);
      } else io.err(`xdp-meta run: the verifier log has ${count} lines; pass --log FILE to keep it`);
    }
    if (e instanceof AgentError && e.code === 'load_failed' && !e.log && e.libbpfLog) {
      // Refused before the verifier ran (a kfunc the host's BTF lacks): libbpf's warnings are the host's only reason.
      const why = e.libbpfLog.split('\n').filter((l) => /^libbpf: /.test(l) && !/failed to load object/.test(l)).slice(-10);
      for (const l of why) io.err(`xdp-meta run: libbpf on ${e.host}: ${l.slice('libbpf: '.length)}`);
    }
    if (e instanceof AgentError && e.code === 'ssh_interface') {
      io.err('xdp-meta run: pass --confirm-ssh-interface to attach anyway');
    }
    throw e;
  }
  const info = session.info;
  io.err(`xdp-meta run: ${info.program} attached to ${info.dev} (ifindex ${info.ifindex}) on ${info.host} [${info.kernel}], ` +
    `${info.mode}${info.devBound ? ', device-bound' : ''}; capture: ${info.objectCapture ?? info.mechanism}`);
  io.err(`xdp-meta run: cannot see: ${info.blindSpots.join('; ')}`);
  let printed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  session.on('rows', (rows) => {
    const n = a.count === undefined ? rows.length : Math.min(rows.length, a.count - printed);
    if (n > 0) {
      if (a.json) io.out(jsonRows(rows, 0, n));
      else for (let i = 0; i < n; i++) io.out(textRow(rows[i]!));
      printed += n;
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
  io.err(`xdp-meta run: ${runSummaryLine(printed, s, info.host)}`);
  if (s.error) throw s.error;
  return 0;
}

export const runCommand: CliCommand = { name: 'run', summary: 'run an XDP program on a host and print decoded data_meta per packet', usage: USAGE, run };
