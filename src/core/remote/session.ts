// A live capture session: build, start the agent, load, attach, capture, and stream decoded rows in batches.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { btfFromElf } from '../btf';
import type { Btf } from '../btf/types';
import { readDwarf, type DwarfStruct } from '../dwarf/reader';
import { parseElf } from '../elf';
import type { ElfFile } from '../elf/types';
import { XdpMetaError } from '../util/errors';
import { buildCaptureObject, entryPrograms, type Hook, type ProgramEntry } from './capture-wrap';
import { AgentClient } from './client';
import type { FieldValue, LayoutChoice } from './decode';
import { MetaDecoder } from './decode';
import { decodeFrame } from './frame';
import { metaStructEvidence, type MetaStructEvidence } from './meta-struct';
import { freplaceFallbackError, objectCaptureFor, type ObjectCapture } from './object-wrap';
import { AgentError, RemoteError } from './errors';
import { fetchHostBtf } from './host-btf';
import { absentKfuncs, callsStrongKfunc, KfuncMissingError, missingKfuncs } from './kfunc-preflight';
import { preflightObject } from './preflight';
import { verdictName, type CaptureMode, type CaptureReply, type DetachedEvent, type RowsEvent, type RowsFrame, type StatsEvent, type WireRow, type XdpAttachMode } from './protocol';
import { wireRowProblem } from './protocol-check';
import { startAgent, targetName, type Target } from './transport';

export interface LiveCaptureOptions {
  target: Target;
  /** Interface name on the target. */
  dev: string;
  /** A `.bpf.c` (compiled with the capture wrapper) or an object (wrapped at link time; else freplace, where the host allows it). */
  input: string;
  program?: string;
  mode?: XdpAttachMode;
  /** Decode data_meta with this struct (else: the struct the program writes there; see MetaDecoder). */
  structName?: string;
  /** Capture 1 of N packets. */
  sample?: number;
  /** At most N rows per second (0: unlimited). */
  rate?: number;
  /** Packet head bytes per row (default 64, at most 128). */
  snap?: number;
  confirmSshInterface?: boolean;
  agentArgs?: string[];
  logLevel?: 1 | 2;
  clang?: string;
  /** bpftool to link an object's capture wrapper with (default $XDP_META_BPFTOOL, else bpftool on PATH). */
  bpftool?: string;
  onProgress?: (msg: string) => void;
  /** Seconds of silence after which the agent detaches by itself (default 15; the client pings meanwhile). */
  heartbeatS?: number;
  /** Load even when the static check finds kfuncs missing from the host's BTF (to see the host's own refusal). */
  force?: boolean;
}

/** One decoded row, as `xdp-meta run --json` prints it (plus the packet head). */
export interface LiveRow {
  /** Seconds since the epoch, microsecond resolution. */
  ts: number;
  ifindex: number;
  queue: number;
  verdict: string;
  verdict_code: number;
  pkt_len: number;
  meta_len: number;
  meta_hex: string;
  head_hex: string;
  struct?: string;
  struct_choice?: LayoutChoice;
  fields?: Record<string, FieldValue>;
}

export interface LiveCaptureInfo {
  host: string;
  kernel: string;
  dev: string;
  ifindex: number;
  program: string;
  hook: Hook;
  devBound: boolean;
  mode: string;
  mechanism: CaptureReply['mechanism'];
  /** What this mechanism cannot see: show it in the UI. */
  blindSpots: string[];
  /** For an object: how its entry was captured ("wrapped at link time", or freplace and why). */
  objectCapture?: string;
}

export interface StopSummary {
  stats?: StatsEvent;
  rows: number;
  /**
   * What is known about the program: detached by us (`stopped`); detached by the kernel because the agent
   * that held its bpf_link ended (`agent-exited`) or because its interface was deleted (`interface-gone`);
   * or unknown, because the connection was lost and the agent's fate cannot be seen from here
   * (`connection-lost`: the agent detaches by itself `heartbeatS` seconds after it last heard from us).
   */
  detached: 'stopped' | 'agent-exited' | 'interface-gone' | 'connection-lost';
  /** The agent's heartbeat (seconds), for the `connection-lost` message. */
  heartbeatS?: number;
  error?: XdpMetaError;
}

export interface LiveCaptureEvents {
  /** Decoded rows, batched as the agent sent them (up to 512 per batch). */
  rows: [LiveRow[]];
  /** Counters, about once a second while they change: seen, captured, sampled_out, rate_limited, ringbuf_full. */
  stats: [StatsEvent];
  /** The session ended (stop() or a failure); after a failure `error` is set. */
  end: [StopSummary];
}

/** The object's BTF and DWARF structs; either may be missing (decode then falls back to hex). */
export function typeInfo(objectPath: string, parsed?: ElfFile): { btf?: Btf; dwarfStructs?: ReadonlyMap<string, DwarfStruct> } {
  let elf = parsed;
  try {
    elf ??= parseElf(readFileSync(objectPath), objectPath);
  } catch {
    return {};
  }
  let btf: Btf | undefined;
  let dwarfStructs: ReadonlyMap<string, DwarfStruct> | undefined;
  try {
    btf = btfFromElf(elf);
  } catch { /* no .BTF */ }
  try {
    dwarfStructs = readDwarf(elf)?.structs;
  } catch { /* no or unreadable debug info */ }
  return { btf, dwarfStructs };
}

/**
 * The decoder for rows of `elf`'s program. A `structName` the object does not define is an error naming the
 * structs it does define (a typo would otherwise fall back to hex silently).
 */
export function metaDecoderFor(label: string, elf: ElfFile, opts: { structName?: string; sourceText?: string; evidence?: MetaStructEvidence }): MetaDecoder {
  const { btf, dwarfStructs } = typeInfo(label, elf);
  const decoder = new MetaDecoder(btf, { structName: opts.structName, sourceText: opts.sourceText, dwarfStructs, evidence: opts.evidence });
  if (opts.structName && !decoder.namedLayout()) {
    const names = decoder.structNames();
    const shown = names.length > 30 ? `${names.slice(0, 30).join(', ')}, ... (${names.length} in all)` : names.join(', ');
    throw new XdpMetaError(`${label}: --struct ${opts.structName}: no such struct in the object's BTF or debug info ` +
      `(${names.length ? `structs: ${shown}` : 'it defines no structs'})`);
  }
  return decoder;
}

export class LiveCapture extends EventEmitter<LiveCaptureEvents> {
  private rowCount = 0;
  private lastStats?: StatsEvent;
  private ended = false;
  private stopping?: Promise<StopSummary>;
  private summary?: StopSummary;
  /** Rows that came before anyone could listen (with the capture reply): delivered to the first `rows` listener. */
  private backlog?: LiveRow[][] = [];

  private constructor(
    readonly client: AgentClient,
    readonly info: LiveCaptureInfo,
    private readonly ids: { prog: number; link: number; capture: number },
    private readonly decoder: MetaDecoder,
    early: (RowsEvent | RowsFrame)[] = [],
  ) {
    super();
    (this as EventEmitter).on('newListener', (ev: string | symbol) => {
      if (ev === 'rows') process.nextTick(() => this.drainBacklog());
    });
    // Whoever awaited start() attaches listeners right after it resolves; after that, nobody waits for a backlog.
    setImmediate(() => this.drainBacklog());
    for (const ev of early) {
      if ('rows' in ev) this.onRows(ev);
      else this.onFrame(ev);
    }
    client.on('rows', (ev) => this.onRows(ev));
    client.on('frame', (f) => this.onFrame(f));
    client.on('stats', (ev) => {
      if (ev.capture !== ids.capture) return;
      this.lastStats = ev;
      this.emit('stats', ev);
    });
    client.on('detached', (ev) => this.onDetached(ev));
    client.on('fatal', (e) => {
      void this.client.kill();
      this.finish({ detached: this.client.agentExitKnown ? 'agent-exited' : 'connection-lost', error: e });
    });
  }

  private onRows(ev: RowsEvent): void {
    if (ev.capture !== this.ids.capture || this.ended) return;
    const rows: LiveRow[] = [];
    for (const r of ev.rows) {
      const problem = wireRowProblem(r);
      if (problem) {
        // A typed protocol error (the agent is stopped), never a TypeError from decoding garbage.
        const e = new RemoteError('protocol', this.client.host, `the agent sent ${problem}`);
        void this.client.kill();
        this.finish({ detached: 'agent-exited', error: e });
        return;
      }
      rows.push(this.decodeRow(r));
    }
    this.deliver(rows);
  }

  /** Rows in binary framing: decoded in one pass; a malformed frame ends the session with a typed error. */
  private onFrame(f: RowsFrame): void {
    if (f.capture !== this.ids.capture || this.ended) return;
    let rows: LiveRow[];
    try {
      rows = decodeFrame(f, this.info.hook, this.decoder, this.client.host);
    } catch (e) {
      // The agent is stopped, so the kernel detaches the program.
      void this.client.kill();
      this.finish({ detached: 'agent-exited', error: e as XdpMetaError });
      return;
    }
    this.deliver(rows);
  }

  private deliver(rows: LiveRow[]): void {
    this.rowCount += rows.length;
    if (this.backlog) this.backlog.push(rows);
    else this.emit('rows', rows);
  }

  private drainBacklog(): void {
    const b = this.backlog;
    this.backlog = undefined;
    for (const rows of b ?? []) this.emit('rows', rows);
  }

  private onDetached(ev: DetachedEvent): void {
    if (ev.link !== this.ids.link) return;
    const e = new XdpMetaError(`${this.client.host}: interface ${this.info.dev} (ifindex ${ev.ifindex}) went away during the capture: ` +
      `the kernel detached ${this.info.program}; nothing is attached any more`);
    this.finish({ detached: 'interface-gone', error: e });
    // Unload and end the agent; the summary above stands.
    void this.stop();
  }

  get rows(): number {
    return this.rowCount;
  }

  private decodeRow(r: WireRow): LiveRow {
    const [tsUs, ifindex, queue, verdict, pktLen, metaLen, metaHex, headHex] = r;
    const row: LiveRow = {
      ts: tsUs / 1e6, ifindex, queue, verdict: verdictName(this.info.hook, verdict), verdict_code: verdict,
      pkt_len: pktLen, meta_len: metaLen, meta_hex: metaHex, head_hex: headHex,
    };
    if (metaHex.length) {
      const d = this.decoder.decode(Buffer.from(metaHex, 'hex'));
      if (d.fields) {
        row.struct = d.struct;
        row.struct_choice = d.choice;
        row.fields = d.fields;
      }
    }
    return row;
  }

  /** Ends the session once; later calls return the first summary (so a failure is not lost). */
  private finish(s: Omit<StopSummary, 'rows' | 'stats'>): StopSummary {
    if (this.summary) return this.summary;
    this.drainBacklog();
    this.summary = { ...s, rows: this.rowCount, stats: this.lastStats, heartbeatS: this.client.heartbeatS };
    this.ended = true;
    this.emit('end', this.summary);
    return this.summary;
  }

  /** Stops capturing, detaches, unloads and ends the agent. Safe to call twice. */
  stop(): Promise<StopSummary> {
    this.stopping ??= (async () => {
      if (this.ended || this.client.exited) {
        if (!this.client.exited && this.summary?.detached === 'interface-gone') {
          // The link is gone with its interface; unload the program and end the agent.
          await this.client.request({ op: 'unload', prog: this.ids.prog }).catch(() => undefined);
        }
        await this.client.close().catch(() => undefined);
        return this.finish({ detached: this.client.agentExitKnown ? 'agent-exited' : 'connection-lost' });
      }
      try {
        await this.client.request({ op: 'capture_stop', capture: this.ids.capture });
        await this.client.request({ op: 'detach', link: this.ids.link });
        await this.client.request({ op: 'unload', prog: this.ids.prog });
      } catch (e) {
        await this.client.close().catch(() => undefined);
        return this.finish({ detached: this.client.agentExitKnown ? 'agent-exited' : 'connection-lost', error: e as XdpMetaError });
      }
      await this.client.close();
      return this.finish({ detached: 'stopped' });
    })();
    return this.stopping;
  }

  /** Builds (if C), starts the agent, loads, attaches and starts capturing. Cleans up on any failure. */
  static async start(opts: LiveCaptureOptions): Promise<LiveCapture> {
    const progress = opts.onProgress ?? (() => undefined);
    const isSource = /\.c$/.test(opts.input);
    let objectPath = path.resolve(opts.input);
    let capture: CaptureMode = 'wrapped';
    let program = opts.program;
    let sourceText: string | undefined;
    let label = opts.input;
    let cleanup = () => undefined as void;
    let objectEntry: ProgramEntry | undefined;
    if (isSource) {
      progress(`compiling ${opts.input} with the capture wrapper`);
      const b = await buildCaptureObject(opts.input, { program: opts.program, clang: opts.clang });
      objectPath = b.objectPath;
      program = b.entry.name;
      sourceText = b.sourceText;
      label = objectPath;
      cleanup = b.cleanup;
    }
    // Our readers first: libbpf would name no offset, and would drop a damaged .BTF and skip CO-RE.
    let bytes, elf;
    try {
      ({ bytes, elf } = preflightObject(label, {}));
    } finally {
      cleanup(); // in memory now: the private build folder goes (it used to stay in /tmp after every run)
    }
    if (!isSource) {
      const entries = entryPrograms(bytes, label);
      const entry = opts.program ? entries.find((e) => e.name === opts.program) : entries.find((e) => e.hook === 'xdp') ?? entries[0];
      if (!entry) {
        throw new XdpMetaError(`${label}: no XDP or TC program${opts.program ? ` named ${opts.program} (found: ${entries.map((e) => e.name).join(', ') || 'none'})` : ''}`);
      }
      program = entry.name;
      objectEntry = entry;
    }
    // Types and evidence from the object as given: the linked one has no DWARF, and its entry is the wrapper.
    const decoder = metaDecoderFor(opts.input, elf, {
      structName: opts.structName, sourceText, evidence: program ? metaStructEvidence(bytes, label, program) : undefined,
    });
    let objectCapture: ObjectCapture | undefined;
    if (objectEntry) {
      objectCapture = await objectCaptureFor(elf, objectEntry, { clang: opts.clang, bpftool: opts.bpftool, onProgress: progress });
      capture = objectCapture.capture;
    }
    // The linked object is only loaded; checks and decoding read the object as given.
    const loadBytes = objectCapture?.capture === 'wrapped' && objectCapture.bytes ? objectCapture.bytes : bytes;
    progress(`starting the agent on ${targetName(opts.target)}`);
    const proc = await startAgent(opts.target, { agentArgs: opts.agentArgs, onProgress: progress });
    const client = await AgentClient.connect(proc, undefined, { heartbeatS: opts.heartbeatS });
    // Rows can follow the capture reply in the same chunk, before the session exists: keep them from the start.
    const early: (RowsEvent | RowsFrame)[] = [];
    const keep = (ev: RowsEvent | RowsFrame) => early.push(ev);
    client.on('rows', keep);
    client.on('frame', keep);
    try {
      const probe = await client.request({ op: 'probe' });
      const dev = probe.interfaces.find((i) => i.name === opts.dev);
      if (!dev) {
        throw new XdpMetaError(`${client.host}: no interface ${opts.dev} (interfaces: ${probe.interfaces.map((i) => i.name).join(', ')})`);
      }
      // `btf` may be absent from a minimal probe reply (fake agents in tests): then the load reports the host's answer.
      if (probe.btf?.present && callsStrongKfunc(elf)) {
        // libbpf would refuse a kfunc the host lacks with a bare "not found in kernel BTF": name it, its line and kernel first.
        progress(`checking the kfuncs against ${client.host}'s kernel BTF (${probe.kernel})`);
        let refusal: KfuncMissingError | undefined;
        try {
          const hostBtf = await fetchHostBtf(opts.target, probe.btf.path);
          const missing = missingKfuncs(bytes, label, hostBtf, isSource ? path.resolve(opts.input) : undefined);
          if (missing.length) refusal = new KfuncMissingError(client.host, probe.kernel, missing, absentKfuncs(elf, hostBtf));
        } catch (e) {
          // The check only says early what the load would say late: when it cannot run, the host's own verdict stands.
          progress(`kfunc check skipped: ${(e as Error).message}`);
        }
        if (refusal && !opts.force) throw refusal;
        if (refusal) progress(`--force: loading despite kfunc-missing (${refusal.kfuncs.join(', ')} not in kernel ${probe.kernel})`);
      }
      const load = await client.request({
        op: 'load', object: loadBytes.toString('base64'), name: path.basename(objectPath).replace(/\W/g, '_').slice(0, 15),
        program, capture, ifindex: dev.ifindex, log_level: opts.logLevel ?? 1,
      }).catch((e: unknown) => { throw objectCapture ? freplaceFallbackError(e, objectCapture) : e; });
      const mode = load.type === 'tc' ? 'tc' : (opts.mode ?? 'native');
      const attach = await client.request({
        op: 'attach', prog: load.prog, ifindex: dev.ifindex, mode, confirm_ssh_interface: opts.confirmSshInterface ?? false,
      });
      const cap = await client.request({
        op: 'capture', prog: load.prog, sample: opts.sample ?? 1, rate: opts.rate ?? 0, snap: opts.snap ?? 64, framing: 'binary', batch: 1024,
      });
      client.off('rows', keep);
      client.off('frame', keep);
      const info: LiveCaptureInfo = {
        host: client.host, kernel: probe.kernel, dev: dev.name, ifindex: dev.ifindex, program: load.name, hook: load.type,
        devBound: load.dev_bound, mode, mechanism: cap.mechanism, blindSpots: cap.blind_spots,
        ...(objectCapture?.summary ? { objectCapture: objectCapture.summary } : {}),
      };
      return new LiveCapture(client, info, { prog: load.prog, link: attach.link, capture: cap.capture }, decoder, early);
    } catch (e) {
      client.off('rows', keep);
      await client.close().catch(() => undefined);
      throw e;
    }
  }
}

export { AgentError, KfuncMissingError, RemoteError };
