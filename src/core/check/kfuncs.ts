// The XDP metadata kfuncs: which kernel added each, and the declaration a program needs to call it.

export interface KfuncInfo {
  name: string;
  /** Linux version that added it. */
  since: string;
  /** The `extern ... __ksym;` declaration (as in the kernel's selftests). */
  declaration: string;
  /** Calling it requires a device-bound program (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY). */
  devBound: boolean;
}

export const XDP_METADATA_KFUNCS: readonly KfuncInfo[] = [
  {
    name: 'bpf_xdp_metadata_rx_timestamp', since: '6.3', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;',
  },
  {
    name: 'bpf_xdp_metadata_rx_hash', since: '6.3', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash, enum xdp_rss_hash_type *rss_type) __ksym;',
  },
  {
    name: 'bpf_xdp_metadata_rx_vlan_tag', since: '6.8', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, __u16 *vlan_tci) __ksym;',
  },
];

export const kfuncInfo = (name: string): KfuncInfo | undefined => XDP_METADATA_KFUNCS.find((k) => k.name === name);

/** The `__weak` form of a kfunc declaration, so libbpf tolerates its absence (guard calls with bpf_ksym_exists()). */
export function weakDeclaration(name: string, declaration?: string): string {
  const decl = declaration ?? `extern int ${name}(void) __ksym;`;
  return decl.replace(/__ksym;$/, '__ksym __weak;');
}
