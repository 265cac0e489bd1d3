/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Metadata the XDP program leaves in front of each packet it redirects to an AF_XDP socket.
 * Shared with user space: plain C types only (no BPF helpers, no kernel-only types), so an
 * AF_XDP reader can include it and find the struct at `xsk_umem__get_data(umem, addr) - sizeof(struct xdp_hints_meta)`.
 */
#ifndef AF_XDP_HINTS_META_H
#define AF_XDP_HINTS_META_H

#include <linux/types.h>

/* Which fields the driver actually provided (a kfunc returns -EOPNOTSUPP or -ENODATA otherwise). */
#define XDP_HINTS_F_RX_HASH      (1u << 0)
#define XDP_HINTS_F_RX_TIMESTAMP (1u << 1)
#define XDP_HINTS_F_RX_VLAN_TAG  (1u << 2)

/*
 * 24 bytes: the kernel allows at most 32 bytes of metadata, in multiples of 4. The u64 comes first
 * so the layout has no holes and is identical for BPF and for 32/64-bit user space.
 */
struct xdp_hints_meta {
	__u64 rx_timestamp;   /* bpf_xdp_metadata_rx_timestamp(), nanoseconds */
	__u32 rx_hash;        /* bpf_xdp_metadata_rx_hash() */
	__u32 rx_hash_type;   /* enum xdp_rss_hash_type bits (XDP_RSS_L3_IPV4 = 1 ... XDP_RSS_L4_ICMP = 256) */
	__u16 rx_vlan_proto;  /* bpf_xdp_metadata_rx_vlan_tag(), network byte order (ETH_P_8021Q/AD) */
	__u16 rx_vlan_tci;    /* host byte order */
	__u32 flags;          /* XDP_HINTS_F_* */
};

#endif /* AF_XDP_HINTS_META_H */
