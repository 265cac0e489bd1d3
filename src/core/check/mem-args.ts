// Which arguments of a helper or kfunc the verifier checks as memory, and how many bytes (helper prototypes; kfunc BTF).
import type { Btf, BtfType } from '../btf/types';

/**
 * How many bytes an argument covers: a constant, the value of another argument (1-based, the
 * prototype's ARG_CONST_SIZE), or the key/value size of the map in argument 1.
 */
export type MemArgSize = { bytes: number } | { sizeArg: number } | { map: 'key' | 'value' };

/** One memory argument (`ARG_PTR_TO_MEM`, `ARG_PTR_TO_MAP_KEY/VALUE`, a kfunc's `T *`). */
export interface MemArg {
  /** 1..5: the register holding the pointer. */
  arg: number;
  size: MemArgSize;
  /** The helper may write there (ARG_PTR_TO_UNINIT_MEM, MEM_UNINIT): stack bytes lose their value. */
  write: boolean;
}

const key = (arg: number): MemArg => ({ arg, size: { map: 'key' }, write: false });
const value = (arg: number, write = false): MemArg => ({ arg, size: { map: 'value' }, write });
const mem = (arg: number, sizeArg: number, write = false): MemArg => ({ arg, size: { sizeArg }, write });

/**
 * The memory arguments of the helpers XDP and TC programs use, from the kernel's bpf_func_proto
 * definitions (net/core/filter.c, kernel/bpf/helpers.c, kernel/trace/bpf_trace.c). A helper not
 * listed here has no memory argument the check knows of.
 */
export const HELPER_MEM_ARGS: ReadonlyMap<string, readonly MemArg[]> = new Map([
  ['bpf_map_lookup_elem', [key(2)]],
  ['bpf_map_update_elem', [key(2), value(3)]],
  ['bpf_map_delete_elem', [key(2)]],
  ['bpf_map_push_elem', [value(2)]],
  ['bpf_map_pop_elem', [value(2, true)]],
  ['bpf_map_peek_elem', [value(2, true)]],
  ['bpf_map_lookup_percpu_elem', [key(2)]],
  ['bpf_perf_event_output', [mem(4, 5)]],
  ['bpf_ringbuf_output', [mem(2, 3)]],
  ['bpf_trace_printk', [mem(1, 2)]],
  ['bpf_snprintf', [mem(1, 2, true), mem(4, 5)]],
  ['bpf_probe_read', [mem(1, 2, true)]],
  ['bpf_probe_read_kernel', [mem(1, 2, true)]],
  ['bpf_probe_read_user', [mem(1, 2, true)]],
  ['bpf_probe_read_str', [mem(1, 2, true)]],
  ['bpf_probe_read_kernel_str', [mem(1, 2, true)]],
  ['bpf_probe_read_user_str', [mem(1, 2, true)]],
  ['bpf_get_current_comm', [mem(1, 2, true)]],
  ['bpf_csum_diff', [mem(1, 2), mem(3, 4)]],
  ['bpf_skb_load_bytes', [mem(3, 4, true)]],
  ['bpf_skb_load_bytes_relative', [mem(3, 4, true)]],
  ['bpf_skb_store_bytes', [mem(3, 4)]],
  ['bpf_xdp_load_bytes', [mem(3, 4, true)]],
  ['bpf_xdp_store_bytes', [mem(3, 4)]],
  ['bpf_fib_lookup', [mem(2, 3, true)]],
  ['bpf_sk_lookup_tcp', [mem(2, 3)]],
  ['bpf_sk_lookup_udp', [mem(2, 3)]],
  ['bpf_skc_lookup_tcp', [mem(2, 3)]],
  ['bpf_tcp_check_syncookie', [mem(2, 3), mem(4, 5)]],
  ['bpf_tcp_gen_syncookie', [mem(2, 3), mem(4, 5)]],
  // ARG_PTR_TO_FIXED_SIZE_MEM: sizeof(struct iphdr) 20, sizeof(struct ipv6hdr) 40, sizeof(struct tcphdr) 20.
  ['bpf_tcp_raw_gen_syncookie_ipv4', [{ arg: 1, size: { bytes: 20 }, write: false }, mem(2, 3)]],
  ['bpf_tcp_raw_gen_syncookie_ipv6', [{ arg: 1, size: { bytes: 40 }, write: false }, mem(2, 3)]],
  ['bpf_tcp_raw_check_syncookie_ipv4', [{ arg: 1, size: { bytes: 20 }, write: false }, { arg: 2, size: { bytes: 20 }, write: false }]],
  ['bpf_tcp_raw_check_syncookie_ipv6', [{ arg: 1, size: { bytes: 40 }, write: false }, { arg: 2, size: { bytes: 20 }, write: false }]],
  ['bpf_skb_get_tunnel_key', [mem(2, 3, true)]],
  ['bpf_skb_set_tunnel_key', [mem(2, 3)]],
  ['bpf_skb_get_tunnel_opt', [mem(2, 3, true)]],
  ['bpf_skb_set_tunnel_opt', [mem(2, 3)]],
  ['bpf_strncmp', [mem(1, 2)]],
]);

/**
 * Helpers whose bpf_func_proto sets `.pkt_access = true`: only these may take a packet (or data_meta)
 * pointer; any other gets "helper access to the packet is not allowed" whatever the range.
 */
export const PKT_ACCESS_HELPERS: ReadonlySet<string> = new Set([
  'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem', 'bpf_map_push_elem', 'bpf_map_pop_elem',
  'bpf_map_peek_elem', 'bpf_map_lookup_percpu_elem', 'bpf_csum_diff', 'bpf_sk_lookup_tcp', 'bpf_sk_lookup_udp',
  'bpf_skc_lookup_tcp', 'bpf_tcp_check_syncookie', 'bpf_tcp_gen_syncookie', 'bpf_tcp_raw_gen_syncookie_ipv4',
  'bpf_tcp_raw_gen_syncookie_ipv6', 'bpf_tcp_raw_check_syncookie_ipv4', 'bpf_tcp_raw_check_syncookie_ipv6',
]);

/**
 * A kfunc's memory arguments from its BTF prototype, as check_kfunc_args() sees them: a pointer to a
 * sized type covers sizeof(type); `void *p` followed by a scalar named `p__sz` (or any `__sz`
 * suffix) covers that many bytes. The kernel checks kfunc memory for reading and writing.
 */
export function kfuncMemArgs(btf: Btf, name: string): MemArg[] {
  const fn = btf.findByName(name, 'FUNC');
  if (!fn) return [];
  const proto = btf.resolveTypedefs(btf.typeById(fn.typeId));
  if (proto.kind !== 'FUNC_PROTO') return [];
  const out: MemArg[] = [];
  proto.params.forEach((p, i) => {
    if (i >= 5 || p.typeId === 0) return;
    const t = btf.resolveTypedefs(p.type);
    if (t.kind !== 'PTR') return;
    const pointee = btf.resolveTypedefs(btf.typeById(t.typeId));
    const next = proto.params[i + 1];
    if (next && /__sz$/.test(next.name)) { out.push({ arg: i + 1, size: { sizeArg: i + 2 }, write: true }); return; }
    const size = sizedPointee(btf, pointee);
    if (size !== undefined) out.push({ arg: i + 1, size: { bytes: size }, write: true });
  });
  return out;
}

/** Scalars and scalar arrays have a size the verifier checks as memory; structs are kernel objects (BTF ids), not memory. */
function sizedPointee(btf: Btf, t: BtfType): number | undefined {
  if (t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64' || t.kind === 'FLOAT') return t.size;
  if (t.kind === 'ARRAY') {
    const elem = btf.resolveTypedefs(btf.typeById(t.elemTypeId));
    const s = sizedPointee(btf, elem);
    return s === undefined ? undefined : s * t.nelems;
  }
  return undefined;
}
