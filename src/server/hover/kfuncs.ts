// The XDP RX metadata kfuncs: signatures and the kernel versions that added them (include/net/xdp.h, net/core/xdp.c).

export interface KfuncInfo {
  name: string;
  /** The `__ksym` declaration a BPF program writes (also used by the quick fix). */
  declaration: string;
  /** Mainline release that added it. */
  since: string;
  summary: string;
  /** A signature change worth knowing when targeting older kernels. */
  history?: string;
}

export const METADATA_KFUNCS: readonly KfuncInfo[] = [
  {
    name: 'bpf_xdp_metadata_rx_timestamp',
    declaration: 'extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;',
    since: '6.3',
    summary: 'Reads the hardware RX timestamp of the packet (nanoseconds) into `*timestamp`. Returns 0, or -ENODATA / -EOPNOTSUPP when the driver has none.',
  },
  {
    name: 'bpf_xdp_metadata_rx_hash',
    declaration: 'extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash, enum xdp_rss_hash_type *rss_type) __ksym;',
    since: '6.3',
    summary: 'Reads the RSS hash the NIC computed into `*hash`, and its type (L3/L4, IPv4/IPv6) into `*rss_type`. Returns 0, or -ENODATA / -EOPNOTSUPP.',
    history: 'In 6.3 and 6.4 it had two parameters `(ctx, __u32 *hash)`; the `rss_type` parameter came in 6.5.',
  },
  {
    name: 'bpf_xdp_metadata_rx_vlan_tag',
    declaration: 'extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, __u16 *vlan_tci) __ksym;',
    since: '6.8',
    summary: 'Reads the VLAN tag the NIC stripped: protocol (network byte order) into `*vlan_proto` and TCI into `*vlan_tci`. Returns 0, or -ENODATA / -EOPNOTSUPP.',
  },
];

export const DEVICE_BOUND_RULE = 'Calling a metadata kfunc makes the program **device-bound**: it must be loaded with ' +
  '`prog_ifindex` set to the interface and `BPF_F_XDP_DEV_BOUND_ONLY`, and can then be attached only to that device ' +
  '(else: "metadata kfuncs require device-bound program"). `BPF_PROG_TEST_RUN` refuses device-bound programs.';

export function kfuncByName(name: string): KfuncInfo | undefined {
  return METADATA_KFUNCS.find((k) => k.name === name);
}
