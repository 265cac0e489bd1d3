// The XDP RX metadata kfuncs: one table of their declarations and the kernel versions that added them.

export interface XdpKfunc {
  name: string;
  /** Mainline release that added it. */
  since: string;
  /** The `extern ... __ksym;` declaration a BPF program writes (as in the kernel's selftests). */
  declaration: string;
  /** Calling it requires a device-bound program (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY). */
  devBound: boolean;
  summary: string;
  /** A signature change worth knowing when targeting older kernels. */
  history?: string;
}

/** From include/net/xdp.h and net/core/xdp.c. */
export const XDP_METADATA_KFUNCS: readonly XdpKfunc[] = [
  {
    name: 'bpf_xdp_metadata_rx_timestamp', since: '6.3', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;',
    summary: 'Reads the hardware RX timestamp of the packet (nanoseconds) into `*timestamp`. Returns 0, or -ENODATA / -EOPNOTSUPP when the driver has none.',
  },
  {
    name: 'bpf_xdp_metadata_rx_hash', since: '6.3', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash, enum xdp_rss_hash_type *rss_type) __ksym;',
    summary: 'Reads the RSS hash the NIC computed into `*hash`, and its type (L3/L4, IPv4/IPv6) into `*rss_type`. Returns 0, or -ENODATA / -EOPNOTSUPP.',
    history: 'In 6.3 and 6.4 it had two parameters `(ctx, __u32 *hash)`; the `rss_type` parameter came in 6.5.',
  },
  {
    name: 'bpf_xdp_metadata_rx_vlan_tag', since: '6.8', devBound: true,
    declaration: 'extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, __u16 *vlan_tci) __ksym;',
    summary: 'Reads the VLAN tag the NIC stripped: protocol (network byte order) into `*vlan_proto` and TCI into `*vlan_tci`. Returns 0, or -ENODATA / -EOPNOTSUPP.',
  },
];

export const xdpKfunc = (name: string): XdpKfunc | undefined => XDP_METADATA_KFUNCS.find((k) => k.name === name);

/** True when an object's bytes name a metadata kfunc (its extern symbol sits in the ELF string table). */
export function namesMetadataKfunc(objectBytes: Uint8Array): boolean {
  const bytes = Buffer.from(objectBytes.buffer, objectBytes.byteOffset, objectBytes.byteLength);
  return XDP_METADATA_KFUNCS.some((k) => bytes.includes(`\0${k.name}\0`));
}
