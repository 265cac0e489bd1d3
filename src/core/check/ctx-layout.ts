// Where a program type's ctx keeps data/data_end/data_meta (uapi offsets, checked against vmlinux BTF in the tests).
import type { Btf } from '../btf/types';

export interface CtxLayout {
  /** The uapi ctx struct the program receives in r1. */
  ctxStruct: 'xdp_md' | '__sk_buff';
  data: number;
  dataEnd: number;
  dataMeta: number;
}

/** struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; ... } */
export const XDP_LAYOUT: CtxLayout = { ctxStruct: 'xdp_md', data: 0, dataEnd: 4, dataMeta: 8 };
/** struct __sk_buff: data at 76, data_end at 80, data_meta at 140 (uapi, stable since 4.15). */
export const SKB_LAYOUT: CtxLayout = { ctxStruct: '__sk_buff', data: 76, dataEnd: 80, dataMeta: 140 };

/** Program kinds that see a data_meta area, from libbpf's section names. */
export function layoutForSection(section: string): CtxLayout | undefined {
  const s = section.split('/')[0]!;
  if (s === 'xdp' || s === 'xdp.frags' || s.startsWith('xdp')) return XDP_LAYOUT;
  if (s === 'tc' || s === 'tcx' || s === 'classifier' || s === 'tc_packet_hook' || s === 'netkit' || s.startsWith('tcx')) return SKB_LAYOUT;
  return undefined;
}

/** The layout read from a BTF's own uapi struct (for tests and as a cross-check of the constants above). */
export function layoutFromBtf(btf: Btf, ctxStruct: CtxLayout['ctxStruct']): CtxLayout | undefined {
  const t = btf.findByName(ctxStruct, 'STRUCT');
  if (!t) return undefined;
  const at = (name: string) => t.members.find((m) => m.name === name)?.bitOffset;
  const data = at('data'), dataEnd = at('data_end'), dataMeta = at('data_meta');
  if (data === undefined || dataEnd === undefined || dataMeta === undefined) return undefined;
  return { ctxStruct, data: data / 8, dataEnd: dataEnd / 8, dataMeta: dataMeta / 8 };
}

/**
 * The layout of a program in a section libbpf does not know (iproute2's `SEC("xdp_mark")`,
 * `SEC("tc_mark")`, `SEC("prog")`), by what the code reads from its ctx: `__sk_buff`'s
 * data/data_end/data_meta offsets say TC, `xdp_md`'s data_meta offset says XDP. The loader decides
 * the real type; when neither is read there is no data_meta to check.
 */
export function layoutFromCtxLoads(offsets: ReadonlySet<number>): CtxLayout | undefined {
  if ([SKB_LAYOUT.data, SKB_LAYOUT.dataEnd, SKB_LAYOUT.dataMeta].some((o) => offsets.has(o))) return SKB_LAYOUT;
  if (offsets.has(XDP_LAYOUT.dataMeta)) return XDP_LAYOUT;
  return undefined;
}

/** True when libbpf knows the section name as a program type with a data_meta area or otherwise (so no guessing). */
export function isKnownSection(section: string): boolean {
  return layoutForSection(section) !== undefined || KNOWN_OTHER.test(section);
}

/** libbpf section names of program types without packet metadata (a subset: the common ones). */
const KNOWN_OTHER = /^(\.text|socket|sk_reuseport|kprobe|uprobe|kretprobe|uretprobe|ksyscall|kretsyscall|usdt|tracepoint|tp|raw_tracepoint|raw_tp|tp_btf|fentry|fmod_ret|fexit|freplace|lsm|iter|syscall|action|cgroup|cgroup_skb|sockops|sk_skb|sk_msg|lirc_mode2|flow_dissector|perf_event|struct_ops|sk_lookup|lwt_|seccomp|sockopt|netfilter|uprobe\.multi|kprobe\.multi)([/.]|$)/;
