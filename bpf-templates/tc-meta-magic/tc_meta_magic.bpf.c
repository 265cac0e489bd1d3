// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* XDP writes a program-owned struct meta_magic into data_meta; TC ingress reads it back from skb->data_meta. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "meta_magic.h"

/* Per-CPU so the counter needs no atomics on the fast path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("xdp")
int xdp_write_meta(struct xdp_md *ctx)
{
	struct meta_magic *meta;
	void *data, *data_meta;
	__u32 key = 0, *seq;

	/* Grow the metadata area in front of the packet; fails if the driver gave no headroom. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_PASS;

	/* Reload both pointers after adjust_meta: the helper invalidates earlier packet pointers. */
	data = (void *)(long)ctx->data;
	data_meta = (void *)(long)ctx->data_meta;
	meta = data_meta;
	/* The verifier only allows writes it can prove end at or before ctx->data. */
	if ((void *)(meta + 1) > data)
		return XDP_PASS;

	seq = bpf_map_lookup_elem(&xdp_seq, &key);
	meta->magic = META_MAGIC;
	meta->seq = seq ? ++*seq : 0;
	meta->rx_queue = ctx->rx_queue_index;
	meta->ifindex = ctx->ingress_ifindex;
	return XDP_PASS;
}

/* Attach with `tc filter add dev DEV ingress bpf da obj ... sec tc` (libbpf >= 1.3: SEC("tcx/ingress")). */
SEC("tc")
int tc_read_meta(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_meta = (void *)(long)skb->data_meta;
	struct meta_magic *meta = data_meta;
	struct meta_event *ev;

	/* No (or too little) metadata: the packet did not come through our XDP program. */
	if ((void *)(meta + 1) > data)
		return TC_ACT_OK;
	if (meta->magic != META_MAGIC)
		return TC_ACT_OK;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return TC_ACT_OK;
	ev->seq = meta->seq;
	ev->rx_queue = meta->rx_queue;
	ev->ifindex = meta->ifindex;
	ev->pkt_len = skb->len;
	bpf_ringbuf_submit(ev, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
