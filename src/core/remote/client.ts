// Agent client: correlates requests and replies by id, streams capture rows as events, and tears down on garbage.
import { EventEmitter } from 'node:events';
import { constants as osConstants } from 'node:os';
import { AgentError, RemoteError } from './errors';
import {
  AGENT_PROTOCOL_VERSION, FRAME_HEADER, FRAME_MARK, FRAME_MAX, type AgentOp, type AgentRequest, type ErrorReply, type HelloReply, type ReplyFor,
  type DetachedEvent, type RowsEvent, type RowsFrame, type StatsEvent,
} from './protocol';
import { errorReplyProblem, eventProblem, replyProblem } from './protocol-check';
import { diagnoseSshStderr } from './ssh-errors';
import type { AgentProcess } from './transport';

interface Pending {
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface AgentClientEvents {
  rows: [RowsEvent];
  /** Rows in binary framing (capture `framing: "binary"`), undecoded. */
  frame: [RowsFrame];
  stats: [StatsEvent];
  /** The kernel detached a link by itself (its interface was deleted). */
  detached: [DetachedEvent];
  /** The connection failed (garbage, agent died, ssh dropped): every pending request was rejected with it. */
  fatal: [RemoteError];
  exit: [{ code: number | null; signal: NodeJS.Signals | null }];
}

/** How long an agent may take to exit after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 2000;

const DEFAULT_TIMEOUT_MS: Partial<Record<AgentOp, number>> = { load: 180_000, test_run: 120_000, probe: 30_000 };

/**
 * Seconds of silence after which the agent detaches everything and exits (we ping three times as often).
 * A stopped or cut-off client can then not leave a program attached for longer than this.
 */
export const DEFAULT_HEARTBEAT_S = 15;

/** errno names for the numbers the agent reports (EPERM, EACCES, ...). */
function errnoName(n: number): string | undefined {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0];
}

export class AgentClient extends EventEmitter<AgentClientEvents> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Bytes received and not yet consumed (a partial line or frame). */
  private buf: Buffer = Buffer.alloc(0);
  private failure?: RemoteError;
  private exitedFlag = false;
  private closing = false;
  private killing?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private exitHow?: { code: number | null; signal: NodeJS.Signals | null };
  hello?: HelloReply;

  constructor(readonly proc: AgentProcess, readonly defaultTimeoutMs = 30_000) {
    super();
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    void proc.exited.then((how) => {
      this.exitedFlag = true;
      this.exitHow = how;
      this.stopHeartbeat();
      const rest = this.buf.toString('utf8');
      if (rest.trim() && this.buf[0] !== FRAME_MARK) this.onLine(rest);
      this.buf = Buffer.alloc(0);
      if (this.pending.size || (!this.failure && !this.closing)) this.fail(this.deathError(how));
      else this.failure ??= new RemoteError('closed', this.host, 'the agent connection is closed');
      this.emit('exit', how);
    });
  }

  get host(): string {
    return this.proc.host;
  }

  get exited(): boolean {
    return this.exitedFlag;
  }

  /**
   * The agent itself is known to have ended (so the kernel released its bpf_links): a local agent exited, or
   * ssh passed on the remote command's exit status. ssh's own failure (255, or ssh killed here) says only
   * that the connection ended: the agent may still run until its heartbeat runs out.
   */
  get agentExitKnown(): boolean {
    const how = this.exitHow;
    if (!how) return false;
    if (!this.proc.viaSsh) return true;
    // The remote shell passes on the agent's status (137 when killed); 255 is ssh's own failure, null ssh killed here.
    return how.code !== null && how.code !== 255;
  }

  /** Starts the conversation: protocol version check. Rejects with a diagnosed error when the agent never answers. */
  static async connect(proc: AgentProcess, timeoutMs = 30_000, opts: { heartbeatS?: number } = {}): Promise<AgentClient> {
    const c = new AgentClient(proc);
    const heartbeatS = opts.heartbeatS ?? DEFAULT_HEARTBEAT_S;
    try {
      c.hello = await c.request({ op: 'hello', version: AGENT_PROTOCOL_VERSION, heartbeat: heartbeatS }, timeoutMs);
      if (heartbeatS > 0) c.startHeartbeat(heartbeatS);
    } catch (e) {
      // Wait for it: a CLI exits right after the error, and must not leave an agent (or ssh) behind.
      await c.kill();
      throw e;
    }
    return c;
  }

  request<O extends AgentOp>(req: Extract<AgentRequest, { op: O }>, timeoutMs?: number): Promise<ReplyFor[O]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const ms = timeoutMs ?? DEFAULT_TIMEOUT_MS[req.op] ?? this.defaultTimeoutMs;
    return new Promise<ReplyFor[O]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RemoteError('timeout', this.host, `the agent did not answer "${req.op}" within ${ms / 1000} s`));
      }, ms);
      this.pending.set(id, { op: req.op, resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.stdin.write(JSON.stringify({ id, ...req }) + '\n');
    });
  }

  /** Seconds of our silence after which the agent detaches everything by itself (0: never). */
  get heartbeatS(): number {
    return this.hello?.heartbeat ?? 0;
  }

  /** Pings the agent so that it knows we are here; the replies need no handling. */
  private startHeartbeat(s: number): void {
    this.heartbeat = setInterval(() => {
      if (this.failure || this.closing) return this.stopHeartbeat();
      this.request({ op: 'ping' }, s * 4000).catch(() => undefined);
    }, Math.max(200, (s * 1000) / 3));
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Says bye, closes stdin, and waits for the agent to exit (killing it after `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    this.stopHeartbeat();
    if (!this.failure && !this.exitedFlag) {
      try {
        await this.request({ op: 'bye' }, graceMs);
      } catch { /* it may already be gone; closing stdin ends it anyway */ }
    }
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.proc.exited;
    clearTimeout(timer);
  }

  /**
   * Stops the agent now: closes stdin, sends SIGTERM (to its process group when it was spawned detached) and
   * SIGKILL after `graceMs` if it is still there, e.g. a login script that ignores TERM. Resolves once it is gone.
   * The editor's extension host has no process.exit to reap what is left, so the escalation always runs.
   */
  kill(graceMs = KILL_GRACE_MS): Promise<void> {
    this.closing = true;
    this.stopHeartbeat();
    if (this.killing) return this.killing;
    this.proc.stdin.end();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    this.killing = this.proc.exited.then(() => clearTimeout(timer));
    return this.killing;
  }

  /** Splits the stream into JSON lines and binary rows frames (a frame starts with FRAME_MARK where a line would start). */
  private onData(chunk: Buffer): void {
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let start = 0;
    while (start < buf.length && !this.failure) {
      if (buf[start] === FRAME_MARK) {
        if (buf.length - start < FRAME_HEADER) break;
        const len = buf.readUInt32LE(start + 1);
        if (len < 8 || len > FRAME_MAX) {
          this.protocolFailure(`a rows frame of ${len} bytes (expected 8..${FRAME_MAX}) at stream byte ${start}`);
          break;
        }
        if (buf.length - start < FRAME_HEADER + len) break;
        const p = start + FRAME_HEADER;
        this.emit('frame', { capture: buf.readUInt32LE(p), count: buf.readUInt32LE(p + 4), records: buf.subarray(p + 8, p + len) });
        start = p + len;
        continue;
      }
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      if (nl > start) this.onLine(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    this.buf = this.failure ? Buffer.alloc(0) : buf.subarray(start);
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = undefined;
    }
    const m = msg as { id?: unknown; ok?: unknown; ev?: unknown } | undefined;
    const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    if (m && typeof m === 'object' && typeof m.id === 'number' && typeof m.ok === 'boolean') {
      const p = this.pending.get(m.id);
      if (!p) {
        // A reply after its timeout; or, with id -1, the agent could not read a request of ours (e.g. over its line limit).
        if (m.id === -1 && !m.ok) this.protocolFailure(`the agent refused a request line: ${JSON.stringify(shown)}`);
        return;
      }
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      const { id: _id, ok: _ok, ...rest } = m as Record<string, unknown>;
      const problem = m.ok ? replyProblem(p.op, rest) : errorReplyProblem(rest);
      if (problem) {
        p.reject(this.protocolFailure(`${problem}: ${JSON.stringify(shown)}`));
      } else if (m.ok) {
        p.resolve(rest);
      } else {
        const e = m as unknown as ErrorReply;
        const name = e.error.errno ? errnoName(e.error.errno) : undefined;
        // The kernel's errno is part of the answer (EPERM is not EINVAL): keep it in the message.
        const why = e.error.errno && !e.error.message.includes(name ?? '\0')
          ? ` (${[name ?? `errno ${e.error.errno}`, e.error.strerror].filter(Boolean).join(': ')})` : '';
        p.reject(new AgentError(this.host, p.op, e.error.code, `${e.error.message}${why}`, e.log, e.libbpf_log, e.error.errno));
      }
      return;
    }
    if (m && typeof m === 'object' && typeof m.ev === 'string') {
      const problem = eventProblem(m as Record<string, unknown>);
      if (problem) return void this.protocolFailure(`${problem}: ${JSON.stringify(shown)}`);
      if (m.ev === 'rows') return void this.emit('rows', m as RowsEvent);
      if (m.ev === 'stats') return void this.emit('stats', m as StatsEvent);
      if (m.ev === 'detached') return void this.emit('detached', m as DetachedEvent);
    }
    this.protocolFailure(`the agent printed a line that is not part of the protocol: ${JSON.stringify(shown)}; ` +
      `stopping it (is something else printing on the remote shell's stdout, e.g. a login script?)`);
  }

  /** A malformed line: a typed protocol error for everything pending, and the agent is stopped. */
  private protocolFailure(message: string): RemoteError {
    const e = new RemoteError('protocol', this.host, message);
    this.fail(e);
    void this.kill();
    return e;
  }

  private deathError(how: { code: number | null; signal: NodeJS.Signals | null }): RemoteError {
    const stderr = this.proc.stderrText();
    const known = diagnoseSshStderr(this.host, stderr);
    if (known) return known;
    const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    const mismatch = /^xdp-meta-agent-mismatch: (.*)$/m.exec(stderr)?.[1];
    if (mismatch && !this.hello) {
      return new RemoteError('agent-mismatch', this.host, `not started: ${mismatch} (damaged since the check); the next run uploads a fresh copy`);
    }
    if (/No such file or directory|not found|Exec format error/.test(stderr) && !this.hello) {
      return new RemoteError('agent-start', this.host, `the agent could not start: ${last}`);
    }
    return new RemoteError('closed', this.host,
      `the agent connection ended (${how.signal ? `signal ${how.signal}` : `exit status ${how.code}`})${last ? `: ${last}` : ''}`);
  }

  private fail(e: RemoteError): void {
    if (!this.failure) this.failure = e;
    this.stopHeartbeat();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(this.failure);
      this.pending.delete(id);
    }
    if (this.listenerCount('fatal')) this.emit('fatal', this.failure);
  }
}
