// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Reads the (proposed, never merged) kernel-owned struct xdp_to_skb_metadata from skb->data_meta via CO-RE. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "xdp_hints.h"
#include "hints_event.h"

/*
 * In the proposal an XDP program asked the kernel to fill the struct with this kfunc. __weak: on
 * kernels without it (all of them) libbpf leaves the address 0 and the call is skipped.
 */
extern int bpf_xdp_metadata_export_to_skb(struct xdp_md *ctx) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("xdp")
int xdp_export_hints(struct xdp_md *ctx)
{
	if (bpf_xdp_metadata_export_to_skb)
		bpf_xdp_metadata_export_to_skb(ctx);
	return XDP_PASS;
}

SEC("tc")
int tc_read_hints(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_meta = (void *)(long)skb->data_meta;
	struct xdp_to_skb_metadata *meta = data_meta;
	/* The target kernel's size, not sizeof(): libbpf patches this constant at load time. */
	__u32 size = bpf_core_type_size(struct xdp_to_skb_metadata);
	struct hints_event *ev;

	/* The struct must fill the metadata area exactly, so its trailer ends at data. */
	if (data_meta + size > data || data - data_meta != size)
		return TC_ACT_OK;
	/* Trust the layout only if the trailer names the kernel's own type ID for the struct. */
	if (meta->btf_id != bpf_core_type_id_kernel(struct xdp_to_skb_metadata))
		return TC_ACT_OK;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return TC_ACT_OK;
	/* Plain loads, relocated by CO-RE; BPF_CORE_READ() would go through bpf_probe_read_kernel(),
	 * which is for kernel memory, not packet data. */
	ev->rx_hash = meta->rx_hash;
	ev->rx_timestamp = bpf_core_field_exists(meta->rx_timestamp) ? meta->rx_timestamp : 0;
	ev->kernel_btf_id = meta->btf_id;
	ev->local_btf_id = bpf_core_type_id_local(struct xdp_to_skb_metadata);
	ev->pkt_len = skb->len;
	bpf_ringbuf_submit(ev, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
