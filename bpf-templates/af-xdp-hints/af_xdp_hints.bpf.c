// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* XDP reads RX hash/timestamp/VLAN hints through the metadata kfuncs, stores them in data_meta and redirects to AF_XDP. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "meta.h"

/*
 * Not in the uapi headers: a kernel enum (include/net/xdp.h). Declared here with the kernel's name so
 * the kfunc prototype below matches the kernel's BTF (libbpf checks extern kfunc signatures).
 */
enum xdp_rss_hash_type {
	XDP_RSS_TYPE_NONE = 0,
	XDP_RSS_L3_IPV4 = 1 << 0,
	XDP_RSS_L3_IPV6 = 1 << 1,
	XDP_RSS_L3_DYNHDR = 1 << 2,
	XDP_RSS_L4 = 1 << 3,
	XDP_RSS_L4_TCP = 1 << 4,
	XDP_RSS_L4_UDP = 1 << 5,
	XDP_RSS_L4_SCTP = 1 << 6,
	XDP_RSS_L4_IPSEC = 1 << 7,
	XDP_RSS_L4_ICMP = 1 << 8,
};

/*
 * The XDP RX metadata kfuncs (Linux >= 6.3; rx_vlan_tag >= 6.8), signatures as in the kernel's BTF.
 * A program calling them must be loaded device-bound (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY);
 * otherwise the verifier says "metadata kfuncs require device-bound program".
 */
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
					__u16 *vlan_tci) __ksym;

/* One AF_XDP socket per RX queue; user space inserts its XSK fd at the queue's index. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int xdp_hints_to_xsk(struct xdp_md *ctx)
{
	struct xdp_hints_meta *meta;
	enum xdp_rss_hash_type hash_type;
	void *data, *data_meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_meta = (void *)(long)ctx->data_meta;
	meta = data_meta;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;

	meta->flags = 0;
	/* The kfuncs write through their pointer arguments; the metadata area is a valid target. */
	if (!bpf_xdp_metadata_rx_timestamp(ctx, &meta->rx_timestamp))
		meta->flags |= XDP_HINTS_F_RX_TIMESTAMP;
	else
		meta->rx_timestamp = 0;

	if (!bpf_xdp_metadata_rx_hash(ctx, &meta->rx_hash, &hash_type)) {
		meta->rx_hash_type = hash_type;
		meta->flags |= XDP_HINTS_F_RX_HASH;
	} else {
		meta->rx_hash = 0;
		meta->rx_hash_type = 0;
	}

	if (!bpf_xdp_metadata_rx_vlan_tag(ctx, &meta->rx_vlan_proto, &meta->rx_vlan_tci))
		meta->flags |= XDP_HINTS_F_RX_VLAN_TAG;
	else
		meta->rx_vlan_proto = meta->rx_vlan_tci = 0;

	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
