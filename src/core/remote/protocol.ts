// TypeScript mirror of the xdp-meta agent's JSON-lines protocol (docs/agent-protocol.md, agent/xdp-meta-agent.c).

export const AGENT_PROTOCOL_VERSION = 2;

/** Error codes the agent puts in `error.code`. */
export type AgentErrorCode =
  | 'bad_request' | 'version' | 'limit' | 'no_btf' | 'not_found' | 'open_failed' | 'needs_device'
  | 'unsupported' | 'load_failed' | 'attach_failed' | 'ssh_interface' | 'capture_failed'
  | 'dev_bound_test_run' | 'test_run_failed';

export interface AgentErrorBody {
  code: AgentErrorCode;
  message: string;
  errno?: number;
  strerror?: string;
}

export type CaptureMode = 'none' | 'wrapped' | 'freplace';
export type XdpAttachMode = 'native' | 'generic';

/** Requests: one JSON object per line; `id` is added by the client. Only flat values (the agent's parser is flat). */
export type AgentRequest =
  | { op: 'hello'; version: number; heartbeat?: number }
  | { op: 'probe' }
  | {
    op: 'load';
    /** Base64 of the object file, or `path` on the agent's host. */
    object?: string;
    path?: string;
    name?: string;
    program?: string;
    /** 'tc' or 'xdp'; default from the program's type. */
    hook?: 'xdp' | 'tc';
    capture?: CaptureMode;
    /** Device to bind to (needed when the program calls bpf_xdp_metadata_* kfuncs) and to attach to. */
    ifindex?: number;
    /** 'auto' (default: bound iff the object calls metadata kfuncs), 'yes' or 'no'. */
    dev_bound?: 'auto' | 'yes' | 'no';
    log_level?: 0 | 1 | 2;
    log_size?: number;
    libbpf_debug?: boolean;
  }
  | { op: 'attach'; prog: number; ifindex: number; mode: XdpAttachMode | 'tc'; confirm_ssh_interface?: boolean }
  | { op: 'capture'; prog: number; sample?: number; rate?: number; snap?: number; batch?: number; framing?: RowFraming }
  | { op: 'capture_stop'; capture: number }
  | { op: 'test_run'; prog: number; data: string; meta?: string; repeat?: number }
  | { op: 'detach'; link: number }
  | { op: 'unload'; prog: number }
  | { op: 'ping' }
  | { op: 'bye' };

export type AgentOp = AgentRequest['op'];

export interface HelloReply {
  version: number; agent: string; arch: string; kernel: string; libbpf: string; pid: number;
  /** Seconds without a line from the client after which the agent detaches everything and exits (0: never). */
  heartbeat?: number;
}

export interface ProbeInterface {
  name: string;
  ifindex: number;
  driver?: string;
  xdp?: { mode: 'none' | 'native' | 'generic' | 'offload' | 'multi' | 'unknown'; prog_id: number; drv_prog_id: number; skb_prog_id: number; hw_prog_id: number };
  /** Present when the kernel has the netdev generic netlink family (6.3+). */
  xdp_features?: string[];
  xdp_rx_metadata_features?: string[];
  xsk_features?: string[];
  xdp_zc_max_segs?: number;
}

export interface ProbeReply {
  kernel: string;
  machine: string;
  btf: { path: string; present: boolean };
  bpffs: boolean;
  privileges: { euid: number; cap_net_admin: boolean; cap_sys_admin: boolean; cap_bpf: boolean; cap_perfmon: boolean };
  netdev_family: boolean;
  /** The interface the route to the SSH client leaves through (0: not over SSH or unknown). */
  ssh_ifindex: number;
  interfaces: ProbeInterface[];
}

export interface LoadReply {
  prog: number;
  name: string;
  section: string;
  type: 'xdp' | 'tc';
  kernel_prog_id: number;
  insns: number;
  dev_bound: boolean;
  ifindex: number;
  capture: CaptureMode;
  dispatcher_prog_id?: number;
  programs: string[];
  /** The verifier log (empty at level 0, short on success at level 1). */
  log: string;
  libbpf_log?: string;
}

export interface AttachReply { link: number; kernel_link_id: number; ifindex: number; mode: string }

/** How rows travel: JSON `rows` event lines, or binary frames of packed records (docs/agent-protocol.md). */
export type RowFraming = 'json' | 'binary';

export interface CaptureReply {
  capture: number;
  framing: RowFraming;
  mechanism: 'compile-time-wrapper' | 'freplace-dispatcher';
  hook: 'xdp' | 'tc';
  meta_max: number;
  snap: number;
  blind_spots: string[];
}

export interface TestRunReply { retval: number; duration_ns: number; meta_len: number; meta: string; data: string }

export type Empty = Record<string, never>;

export interface ReplyFor {
  hello: HelloReply;
  probe: ProbeReply;
  load: LoadReply;
  attach: AttachReply;
  capture: CaptureReply;
  capture_stop: Empty;
  test_run: TestRunReply;
  detach: Empty;
  unload: Empty;
  ping: Empty;
  bye: Empty;
}

/** A failed reply: `log` carries the verifier log of a failed load. */
export interface ErrorReply { id: number; ok: false; error: AgentErrorBody; log?: string; libbpf_log?: string }

/** One captured packet as the agent sends it: [ts_us, ifindex, queue, verdict, pkt_len, meta_len, meta_hex, head_hex]. */
export type WireRow = [number, number, number, number, number, number, string, string];

export interface RowsEvent { ev: 'rows'; capture: number; rows: WireRow[] }

/** A binary rows frame: `count` packed records in `records` (see RECORD_HEADER and docs/agent-protocol.md). */
export interface RowsFrame { capture: number; count: number; records: Buffer }

/** First byte of a binary frame (ASCII record separator; a JSON line starts with `{`). */
export const FRAME_MARK = 0x1e;
/** Bytes before a frame's payload: the mark and the u32 payload length. */
export const FRAME_HEADER = 5;
/** Bytes of a packed record before its metadata and head bytes. */
export const RECORD_HEADER = 32;
/** The largest frame payload a client accepts (4096 records of at most 32 + 64 + 128 bytes, plus the header). */
export const FRAME_MAX = 8 + 4096 * (RECORD_HEADER + 64 + 128);

export interface StatsEvent {
  ev: 'stats';
  capture: number;
  /** Packets that reached the capture epilogue. */
  seen: number;
  captured: number;
  sampled_out: number;
  rate_limited: number;
  ringbuf_full: number;
  final: boolean;
}

/** The kernel detached link `link` by itself: its interface went away (`reason: "interface_gone"`). */
export interface DetachedEvent { ev: 'detached'; link: number; ifindex: number; reason: string }

export type AgentEvent = RowsEvent | StatsEvent | DetachedEvent;

export const XDP_VERDICTS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'] as const;
const TC_VERDICTS: Record<number, string> = {
  [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN', 5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP',
};

/** The verdict's kernel name (XDP_PASS, TC_ACT_OK, ...), or the number when unknown. */
export function verdictName(hook: 'xdp' | 'tc', v: number): string {
  if (hook === 'xdp') return XDP_VERDICTS[v] ?? String(v);
  return TC_VERDICTS[v] ?? String(v);
}
