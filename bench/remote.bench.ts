// Benchmark: a UDP flood from a namespace into a veth, captured over ssh to 127.0.0.1 — rows/s end to end, pps kept, rows lost.
//
// This is how `run` is used: packets arrive on an interface while the capture runs, and the sender, the
// softirq, the agent, sshd, the ssh client and the Node client share the machine's CPUs. Phases, each
// with the same flood (bench/flood/udp-flood.c, sendmmsg from the namespace):
//   - interface rate with nothing attached, and with the program attached without capture (the anchor);
//   - the program captured over ssh at full flood: pps kept (goal >= 0.7 of the anchor), rows/s decoded
//     and formatted as `--json` rows (goal >= 150k), rows lost;
//   - the ring buffer's capacity in rows: captured at full flood with the agent stopped (SIGSTOP) meanwhile;
//   - captured at fixed offered rates (BENCH_RATES, default 60k and 100k pps): rows lost (goal 0 below 100k).
// Each phase also prints the XDP program's BPF run time per packet (bpf_stats, held on by bench/flood/bpf-stats.c).
// BENCH_OBJECT=1 captures the prebuilt object, wrapped at link time, instead of the source (wrapper inlined).
// Needs root, sshd and gcc; otherwise it says so and exits 0. BENCH_SECS sets each phase's length (default 4).
// BENCH_SSH_OPTIONS compares ssh settings: variants split by ';', options in one by ',' (e.g. ';Compression=yes'
// is the default against compression; the word `plain-malloc` runs ssh without the GLIBC_TUNABLES that
// transport.ts gives it); the full-flood phase then runs BENCH_ROUNDS (default 2) interleaved rounds of
// anchor + every variant, since the machine's load moves between runs.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jsonRows } from '../src/cli/commands/run';
import { buildCaptureObject } from '../src/core/remote/capture-wrap';
import { AgentClient } from '../src/core/remote/client';
import { LiveCapture } from '../src/core/remote/session';
import type { StatsEvent } from '../src/core/remote/protocol';
import type { Target } from '../src/core/remote/transport';
import { startAgent } from '../src/core/remote/transport';
import { createVethNs, type VethNs } from '../test/helpers/netns';
import { hasSshd, startSshd } from '../test/helpers/sshd';

const ROOT = path.resolve(__dirname, '..');
const SECS = Number(process.env.BENCH_SECS ?? 4);
const RATES = (process.env.BENCH_RATES ?? '60000,100000').split(',').map(Number).filter((n) => n > 0);
const VARIANTS = process.env.BENCH_SSH_OPTIONS === undefined ? undefined
  : process.env.BENCH_SSH_OPTIONS.split(';').map((v) => v.split(',').map((o) => o.trim()).filter(Boolean));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
/** BENCH_OBJECT=1: capture the prebuilt object (wrapped at link time: a real BPF call per packet) instead of the source. */
const OBJECT = process.env.BENCH_OBJECT === '1';
const ROWS_GOAL = 150_000;
const PPS_GOAL = 0.7;

interface Flood { sent: number; rxPackets: number; secs: number; senderCpuS: number; bpfNsPerPacket?: number }

/** run_time_ns and run_cnt of the XDP program attached to `dev` (bpf_stats; bpftool leaves them out while 0). */
function xdpRunTime(dev: string): { ns: number; cnt: number } | undefined {
  try {
    const link = JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' }))[0];
    const id = link?.xdp?.prog?.id;
    if (!id) return undefined;
    const p = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'id', String(id), '-j'], { encoding: 'utf8' }));
    return { ns: Number(p.run_time_ns ?? 0), cnt: Number(p.run_cnt ?? 0) };
  } catch {
    return undefined;
  }
}

function rxPackets(dev: string): number {
  return Number(readFileSync(`/sys/class/net/${dev}/statistics/rx_packets`, 'utf8'));
}

/** Runs the flood from the namespace at `pps` (0: unlimited) and counts what the host end received. */
function flood(net: VethNs, sender: string, pps: number): Promise<Flood> {
  return new Promise((resolve, reject) => {
    const before = rxPackets(net.hostIf);
    const run0 = xdpRunTime(net.hostIf);
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', net.ns, sender, net.hostAddr, '9', String(pps), String(SECS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const secs = (performance.now() - started) / 1000;
      const m = /sent (\d+) in [\d.]+ s, cpu ([\d.]+) s/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`udp-flood exited with ${code}: ${err.trim()}`));
      const run1 = xdpRunTime(net.hostIf);
      const bpfNsPerPacket = run0 && run1 && run1.cnt > run0.cnt ? (run1.ns - run0.ns) / (run1.cnt - run0.cnt) : undefined;
      resolve({ sent: Number(m[1]), rxPackets: rxPackets(net.hostIf) - before, secs, senderCpuS: Number(m[2]), bpfNsPerPacket });
    });
  });
}

let captureInput = path.join(ROOT, 'test/fixtures/remote/bench_meta.bpf.c');

const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
const bpfNs = (f: Flood) => `BPF ${f.bpfNsPerPacket === undefined ? '?' : f.bpfNsPerPacket.toFixed(0)} ns/packet`;

/** The program attached without capture (plain object through the local agent): the anchor's packet rate. */
async function withoutCapture(net: VethNs, sender: string, plainObject: string): Promise<Flood> {
  const client = await AgentClient.connect(await startAgent({ kind: 'local' }));
  try {
    const load = await client.request({ op: 'load', object: readFileSync(plainObject).toString('base64'), program: 'xdp_bench_meta', capture: 'none' });
    const link = await client.request({ op: 'attach', prog: load.prog, ifindex: net.hostIfindex(), mode: 'native' });
    const f = await flood(net, sender, 0);
    await client.request({ op: 'detach', link: link.link });
    await client.request({ op: 'unload', prog: load.prog });
    return f;
  } finally {
    await client.close();
  }
}

interface Captured {
  flood: Flood; rows: number; rowsPerSec: number; stats?: StatsEvent; lost: number; bytes: number;
  /** CPU time per row (µs) of the Node client, the agent, sshd's session process and the ssh client: what a row costs whatever else runs. */
  cpuUsPerRow: { node: number; agent: number; sshd: number; ssh: number };
}

/** utime + stime of a process in µs (0 when it is gone). */
function cpuUs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // fields 14, 15 in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** The sshd process serving `pid`'s session: its nearest ancestor named sshd (the one that moves the channel's bytes). */
function sshdOf(pid: number | undefined): number | undefined {
  for (let p = pid, hops = 0; p && p > 1 && hops < 8; hops++) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (p !== pid && stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'sshd') return p;
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The program captured over ssh, rows decoded and formatted as `--json` lines (to a sink), at `pps` offered. */
async function captured(target: Target, net: VethNs, sender: string, pps: number, opts: { stopAgent?: boolean } = {}): Promise<Captured> {
  const s = await LiveCapture.start({ target, dev: net.hostIf, input: captureInput });
  let rows = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  s.on('rows', (batch) => {
    const now = performance.now();
    if (!first) first = now;
    last = now;
    rows += batch.length;
    bytes += jsonRows(batch).length;
  });
  const agentPid = s.client.hello?.pid;
  const sshPid = s.client.proc.child.pid;
  const sshdPid = sshdOf(agentPid);
  const cpu0 = { node: process.cpuUsage(), agent: cpuUs(agentPid), sshd: cpuUs(sshdPid), ssh: cpuUs(sshPid) };
  let cpu1 = cpu0;
  try {
    // The agent stopped (SIGSTOP) during the flood: what the ring buffer holds alone is what gets through.
    if (opts.stopAgent && agentPid) process.kill(agentPid, 'SIGSTOP');
    let f: Flood;
    try {
      f = await flood(net, sender, pps);
    } finally {
      if (opts.stopAgent && agentPid) process.kill(agentPid, 'SIGCONT');
    }
    // Drain: until every packet seen is accounted for (decoded or counted as lost), or 5 s of nothing new.
    const deadline = performance.now() + 5000;
    let stats: StatsEvent | undefined;
    s.on('stats', (ev) => { stats = ev; });
    while (performance.now() < deadline) {
      if (stats && rows + stats.ringbuf_full + stats.rate_limited + stats.sampled_out >= stats.seen && performance.now() - last > 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const nodeUsed = process.cpuUsage(cpu0.node);
    cpu1 = { node: nodeUsed, agent: cpuUs(agentPid), sshd: cpuUs(sshdPid), ssh: cpuUs(sshPid) };
    const sum = await s.stop();
    const st = sum.stats ?? stats;
    const lost = st ? Math.max(st.ringbuf_full, st.seen - rows - st.rate_limited - st.sampled_out) : 0;
    const span = Math.max(0.001, (last - first) / 1000);
    const node = cpu1.node;
    const per = (us: number) => (rows ? us / rows : 0);
    const cpuUsPerRow = { node: per(node.user + node.system), agent: per(cpu1.agent - cpu0.agent), sshd: per(cpu1.sshd - cpu0.sshd),
      ssh: per(cpu1.ssh - cpu0.ssh) };
    return { flood: f, rows, rowsPerSec: rows / span, stats: st, lost, bytes, cpuUsPerRow };
  } catch (e) {
    await s.stop().catch(() => undefined);
    throw e;
  }
}

/** An ssh that runs with glibc's default malloc thresholds (the comparison for transport.ts's sshEnv). */
function plainMallocSsh(dir: string): string {
  const file = path.join(dir, 'ssh-plain-malloc');
  writeFileSync(file, '#!/bin/sh\nunset GLIBC_TUNABLES\nexec ssh "$@"\n', { mode: 0o755 });
  return file;
}

/** The full-flood lines: packet rate kept, rows end to end, loss, and what each process spent per row. */
function printFull(label: string, full: Captured, anchor: number): void {
  const kept = full.flood.rxPackets / full.flood.secs;
  const c = full.cpuUsPerRow;
  const cores = ((c.node + c.agent + c.sshd + c.ssh) * full.rows) / 1e6 / full.flood.secs;
  console.log(`${label}: offered ${k(full.flood.sent / full.flood.secs)} pps, received ${k(kept)} pps = ` +
    `${(kept / anchor).toFixed(2)}× the anchor (goal ${PPS_GOAL}); ${full.rows.toLocaleString('en')} rows at ` +
    `${k(full.rowsPerSec)} rows/s end to end = ${(full.rowsPerSec / ROWS_GOAL).toFixed(2)}× the ${ROWS_GOAL / 1000}k goal; ` +
    `lost ${full.lost.toLocaleString('en')} (${((100 * full.lost) / Math.max(1, full.stats?.seen ?? 0)).toFixed(1)} %, ring buffer full ${full.stats?.ringbuf_full ?? '?'}); ` +
    bpfNs(full.flood));
  console.log(`  CPU per row: Node client ${c.node.toFixed(2)} µs (decode + --json), agent ${c.agent.toFixed(2)} µs, ` +
    `sshd ${c.sshd.toFixed(2)} µs, ssh client ${c.ssh.toFixed(2)} µs; capture ${cores.toFixed(2)} cores, sender ${(full.flood.senderCpuS / full.flood.secs).toFixed(2)} cores; ` +
    `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || !hasSshd()) {
    console.log('remote bench: needs root and sshd; skipped');
    return;
  }
  execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-bench-remote-'));
  const sender = path.join(dir, 'udp-flood');
  execFileSync('gcc', ['-O2', '-Wall', '-o', sender, path.join(ROOT, 'bench/flood/udp-flood.c')], { stdio: 'inherit' });
  const statsOn = path.join(dir, 'bpf-stats');
  execFileSync('gcc', ['-O2', '-Wall', '-o', statsOn, path.join(ROOT, 'bench/flood/bpf-stats.c'), '-lbpf'], { stdio: 'inherit' });
  const stats = spawn(statsOn, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    stats.on('error', reject);
    stats.on('exit', () => resolve());
    stats.stdout.once('data', () => resolve());
  });
  const build = await buildCaptureObject(path.join(ROOT, 'test/fixtures/remote/bench_meta.bpf.c'), { outDir: dir });
  if (OBJECT) captureInput = build.plainObjectPath;
  const net = createVethNs();
  const sshd = await startSshd();
  const target: Target = { kind: 'ssh', host: sshd.alias, configFile: sshd.configFile };
  try {
    console.log(`UDP flood from a namespace into ${net.hostIf} (veth), ${SECS} s per phase; bench_meta (16 B metadata), 64 B heads, capture over ssh to 127.0.0.1` +
      (OBJECT ? '; the object wrapped at link time (BENCH_OBJECT=1)' : ''));
    const bare = await flood(net, sender, 0);
    console.log(`nothing attached:        offered ${k(bare.sent / bare.secs)} pps, received ${k(bare.rxPackets / bare.secs)} pps`);
    const plain = await withoutCapture(net, sender, build.plainObjectPath);
    const anchor = plain.rxPackets / plain.secs;
    console.log(`program, no capture:     offered ${k(plain.sent / plain.secs)} pps, received ${k(anchor)} pps  (the anchor; sender ${(plain.senderCpuS / plain.secs).toFixed(2)} cores; ${bpfNs(plain)})`);
    if (!VARIANTS) {
      printFull('program, captured (ssh)', await captured(target, net, sender, 0), anchor);
    } else {
      for (let round = 1; round <= ROUNDS; round++) {
        const a = round === 1 ? plain : await withoutCapture(net, sender, build.plainObjectPath);
        const anch = a.rxPackets / a.secs;
        console.log(`round ${round}: anchor ${k(anch)} pps, ${bpfNs(a)}`);
        for (const v of VARIANTS) {
          const t: Target = { ...target, options: v.filter((o) => o !== 'plain-malloc') };
          if (v.includes('plain-malloc')) t.ssh = plainMallocSsh(dir);
          printFull(`  ssh ${v.length ? v.join(' ') : 'defaults'}`, await captured(t, net, sender, 0), anch);
        }
      }
    }
    const held = await captured(target, net, sender, 0, { stopAgent: true });
    console.log(`ring buffer capacity (agent stopped during the full flood): ${held.rows.toLocaleString('en')} rows held of ` +
      `${held.stats?.seen.toLocaleString('en') ?? '?'} seen, ring buffer full ${held.stats?.ringbuf_full ?? '?'}`);
    for (const pps of RATES) {
      const r = await captured(target, net, sender, pps);
      console.log(`captured at ${k(pps).padStart(6)} pps offered: received ${k(r.flood.rxPackets / r.flood.secs)} pps, ` +
        `${r.rows.toLocaleString('en')} rows (${k(r.rowsPerSec)} rows/s), seen ${r.stats?.seen ?? '?'}, lost ${r.lost} ` +
        `(ring buffer full ${r.stats?.ringbuf_full ?? '?'}), ${bpfNs(r.flood)}${pps < 100_000 ? (r.lost === 0 ? '  goal met: 0 lost' : '  GOAL MISSED: rows lost') : ''}`);
    }
  } finally {
    stats.stdin.end();
    net.destroy();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
