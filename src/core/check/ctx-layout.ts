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
