// Feeds mutated protocol lines to the ASAN/UBSan agent (in a network namespace of its own) and counts what came back.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const ASAN_AGENT = path.join(ROOT, 'agent/build/xdp-meta-agent-asan');

/** Builds the sanitizer agent (`make -C agent asan`); false when it cannot be built here. */
export function buildAsanAgent(): boolean {
  try {
    execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent'), 'asan'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return existsSync(ASAN_AGENT);
  } catch {
    return false;
  }
}

export interface AgentFuzzResult {
  inputs: number;
  /** Lines answered with `ok: false` (a typed protocol error). */
  typedErrors: number;
  /** Sanitizer reports, signals or unexpected exit codes; each with the line that caused it. */
  crashes: { line: string; report: string }[];
  /** Lines after which the agent did not answer a ping within the per-line bound. */
  hangs: { line: string }[];
  /** Largest VmHWM of any agent process, in KiB. */
  peakRssKiB: number;
  processes: number;
}

export interface AgentFuzzOptions {
  iterations: number;
  seed: number;
  /** A BPF object whose base64 seeds the load requests. */
  object: Buffer;
  /** Lines per agent process before it is replaced (keeps state such as loaded programs bounded). */
  perProcess?: number;
  /** How long one line may take before it counts as a hang. */
  lineTimeoutMs?: number;
  /** --max-line for the agent (small: over-long lines are exercised cheaply). */
  maxLine?: number;
}

/** xorshift32: reproducible from the seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

/** The requests a real client sends (ids start high so that mutants hit live and dead handles alike). */
export function seedLines(objectB64: string): string[] {
  return [
    '{"id":1,"op":"hello","version":2}',
    '{"id":2,"op":"probe"}',
    `{"id":3,"op":"load","object":"${objectB64}","name":"fuzz","log_level":1}`,
    '{"id":4,"op":"test_run","prog":1,"data":"ffffffffffff000000000000080045000014","meta":"00000000"}',
    '{"id":5,"op":"capture","prog":1,"sample":1,"rate":0,"snap":64}',
    '{"id":6,"op":"capture_stop","capture":3}',
    '{"id":7,"op":"attach","prog":1,"ifindex":1,"mode":"generic","confirm_ssh_interface":false}',
    '{"id":8,"op":"detach","link":2}',
    '{"id":9,"op":"unload","prog":1}',
    '{"id":10,"op":"ping"}',
    '{"id":11,"op":"load","path":"/nonexistent/x.o"}',
    '{"id":12,"op":"hello","version":2,"heartbeat":0}',
  ];
}

const TOKENS = ['\\u', '\\u00', '\\', '"', '{', '}', ':', ',', 'null', 'true', '-', '9223372036854775808', '1e5', '\\ud800',
  '\u00ff', '\u0000', ' ', '"op":"bye"', '"op":"load"', '"id":-1', '[', ']', '{"a":{}}'];

/** One mutant of a seed line: flips, truncations, inserted tokens, repeats, and lines cut at a 4 KiB boundary. */
export function mutate(line: string, r: () => number, maxLine: number): string {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  let s = line;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 8)) {
      case 0: s = s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << Math.floor(r() * 7))) + s.slice(at + 1); break;
      case 1: s = s.slice(0, at); break;
      case 2: s = s.slice(0, at) + pick(TOKENS) + s.slice(at); break;
      case 3: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8)); break;
      case 4: s = s.slice(0, at) + s.slice(at, at + 16).repeat(2 + Math.floor(r() * 40)) + s.slice(at); break;
      case 5: {
        // A string ending in a lone escape right where the agent's 4 KiB buffer ends (rare: each needs a fresh agent).
        if (r() >= 1 / 16) {
          s = s.slice(0, at) + pick(TOKENS) + s.slice(at);
          break;
        }
        const tail = pick(['\\u', '\\u0', '\\u00', '\\u00a', '\\']);
        s = `{"id":1,"op":"probe","x":"${'a'.repeat(4096)}`.slice(0, 4094 - tail.length - Math.floor(r() * 3)) + tail;
        break;
      }
      case 6: s = s + ','.repeat(Math.floor(r() * 64)) + '"k":1'.repeat(Math.floor(r() * 40)); break;
      default: if (r() < 0.05) s = s.slice(0, at) + 'x'.repeat(maxLine + Math.floor(r() * 100)) + s.slice(at); break;
    }
  }
  // One line per request: an embedded newline would split it into lines the bookkeeping does not expect.
  return s.replace(/\n/g, ' ');
}

interface Live {
  child: ChildProcessWithoutNullStreams;
  out: string;
  err: string;
  exited: boolean;
  waiters: (() => void)[];
}

function startAgent(agent: string, maxLine: number): Live {
  // A namespace of its own: a mutant that attaches to ifindex 1 reaches that namespace's lo, nothing else.
  const child = spawn('unshare', ['--net', agent, '--max-line', String(maxLine)], {
    stdio: 'pipe',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=86', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:exitcode=87' },
  });
  const live: Live = { child, out: '', err: '', exited: false, waiters: [] };
  const wake = () => { for (const w of live.waiters.splice(0)) w(); };
  child.stdout.setEncoding('utf8').on('data', (d: string) => { live.out += d; wake(); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { live.err = (live.err + d).slice(-20000); });
  child.stdin.on('error', () => undefined);
  child.on('close', () => { live.exited = true; wake(); });
  return live;
}

function peakRss(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Waits for the agent's next output or exit (the waiters woken by its stdout and close events), at most `ms`. */
function nextOutput(a: Live, ms: number): Promise<void> {
  if (a.exited) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    a.waiters.push(() => { clearTimeout(t); resolve(); });
  });
}

/** Waits until the agent printed the reply to `id`, exited, or `ms` passed; returns which. */
async function waitReply(a: Live, id: number, ms: number): Promise<'reply' | 'exit' | 'timeout'> {
  const deadline = Date.now() + ms;
  const marker = `{"id":${id},`;
  for (;;) {
    if (a.out.includes(marker)) return 'reply';
    if (a.exited) return 'exit';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    await nextOutput(a, left);
  }
}

async function stop(a: Live): Promise<number | null> {
  if (!a.exited) {
    a.child.stdin.end();
    const t = setTimeout(() => a.child.kill('SIGKILL'), 5000);
    await new Promise<void>((r) => (a.exited ? r() : a.child.once('close', () => r())));
    clearTimeout(t);
  }
  return a.child.exitCode;
}

const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/;

/** Runs `iterations` mutants; after each, a ping must come back within the per-line bound. */
export async function runAgentFuzz(o: AgentFuzzOptions, agent = ASAN_AGENT): Promise<AgentFuzzResult> {
  const r = rng(o.seed);
  const perProcess = o.perProcess ?? 200;
  const lineTimeoutMs = o.lineTimeoutMs ?? 10_000;
  const maxLine = o.maxLine ?? 16384;
  const seeds = seedLines(o.object.toString('base64'));
  const res: AgentFuzzResult = { inputs: 0, typedErrors: 0, crashes: [], hangs: [], peakRssKiB: 0, processes: 0 };
  let a: Live | undefined;
  let sinceStart = 0;
  let pingId = 1_000_000_000;
  const finish = async (last: string) => {
    if (!a) return;
    res.peakRssKiB = Math.max(res.peakRssKiB, peakRss(a.child.pid));
    const code = await stop(a);
    res.typedErrors += (a.out.match(/"ok":false/g) ?? []).length;
    if (SANITIZER.test(a.err) || (code !== 0 && code !== null) || a.child.signalCode && a.child.signalCode !== 'SIGKILL') {
      res.crashes.push({ line: last.slice(0, 300), report: a.err.slice(-3000) });
    }
    a = undefined;
  };
  for (let i = 0; i < o.iterations; i++) {
    const line = mutate(seeds[Math.floor(r() * seeds.length)]!, r, maxLine);
    // The agent's input buffer starts at 4 KiB and never shrinks: boundary lines go to a fresh process, alone.
    const boundary = line.length >= 4080 && line.length < 4096;
    if (!a || sinceStart >= perProcess || boundary) {
      await finish('');
      a = startAgent(agent, maxLine);
      res.processes++;
      sinceStart = 0;
      if (!boundary) a.child.stdin.write(`${seeds[0]}\n`);
    }
    res.inputs++;
    sinceStart++;
    const id = ++pingId;
    if (boundary) {
      // Alone in the pipe, so the agent reads it into a buffer it fills exactly.
      a.child.stdin.write(`${line}\n`);
      await nextOutput(a, 500); // its reply (or exit) before the ping; a silent agent gets the ping after 500 ms
      if (!a.exited) a.child.stdin.write(`{"id":${id},"op":"ping"}\n`);
    } else {
      a.child.stdin.write(`${line}\n{"id":${id},"op":"ping"}\n`);
    }
    const how = await waitReply(a, id, lineTimeoutMs);
    if (how === 'timeout') {
      res.hangs.push({ line: line.slice(0, 300) });
      a.child.kill('SIGKILL');
      await finish(line);
    } else if (how === 'exit') {
      await finish(line); // a mutant that said bye ends the process cleanly; anything else is a crash
    } else if (a.out.length > 1 << 20) {
      res.typedErrors += (a.out.match(/"ok":false/g) ?? []).length;
      a.out = a.out.slice(a.out.lastIndexOf('\n') + 1);
    }
  }
  await finish('');
  return res;
}

export function formatFuzzResult(r: AgentFuzzResult, seconds: number): string {
  return `agent protocol: ${r.inputs} inputs, ${r.typedErrors} typed errors, ${r.crashes.length} crashes, ` +
    `${r.hangs.length} hangs, peak RSS ${(r.peakRssKiB / 1024).toFixed(1)} MiB, ${r.processes} agent processes, ${seconds.toFixed(1)} s`;
}
