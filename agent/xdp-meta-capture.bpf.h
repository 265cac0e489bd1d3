/* Capture epilogue: maps and inline functions that record a program's verdict, data_meta and packet head.
 *
 * Included after the user's source by the wrapper xdp-meta generates (see docs/remote.md), and by
 * capture.bpf.c (the freplace dispatcher). It relies on the includer's headers for struct xdp_md,
 * struct __sk_buff and the bpf_helpers.h macros, so it works with <linux/bpf.h> and vmlinux.h alike.
 */
#ifndef XDP_META_CAPTURE_BPF_H
#define XDP_META_CAPTURE_BPF_H
#include "capture.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} xm_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xm_config);
} xm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xm_stats);
} xm_stats SEC(".maps");

/* Sampling and per-CPU rate limit; returns the row to fill or NULL (and counts why). */
static __attribute__((always_inline)) struct xm_row *xm_reserve(void)
{
	__u32 zero = 0;
	struct xm_config *cfg = bpf_map_lookup_elem(&xm_config, &zero);
	struct xm_stats *st = bpf_map_lookup_elem(&xm_stats, &zero);
	struct xm_row *row;

	if (!cfg || !st)
		return 0;
	st->seen++;
	if (!cfg->enabled)
		return 0;
	if (cfg->sample_every > 1 && (st->seen % cfg->sample_every) != 0) {
		st->sampled_out++;
		return 0;
	}
	if (cfg->rate_per_cpu) {
		__u64 now = bpf_ktime_get_ns();
		if (now - st->win_start >= 1000000000ULL) {
			st->win_start = now;
			st->win_count = 0;
		}
		if (st->win_count >= cfg->rate_per_cpu) {
			st->rate_limited++;
			return 0;
		}
		st->win_count++;
	}
	row = bpf_ringbuf_reserve(&xm_rows, sizeof(*row), 0);
	if (!row) {
		st->ringbuf_full++;
		return 0;
	}
	st->captured++;
	row->snap = cfg->snap;
	return row;
}

/* Copies [meta, data); a byte loop keeps every access provably in bounds (metadata is at most 32 bytes today). */
static __attribute__((always_inline)) void xm_fill_meta(struct xm_row *row, __u8 *meta, __u8 *data)
{
	int i;

	row->meta_len = 0;
	if (meta <= data) {
		row->meta_len = data - meta;
		for (i = 0; i < XM_META_MAX; i++) {
			if (meta + i + 1 > data)
				break;
			row->meta[i] = meta[i];
		}
	}
}

/*
 * The XDP packet head in one helper call instead of a per-byte loop (the loop's bounds checks cost about
 * 5 instructions per byte, per packet, in the softirq that also receives the flood).
 */
static __attribute__((always_inline)) void xm_head_xdp(struct xm_row *row, struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 snap = row->snap;
	__u32 n;

	row->head_len = 0;
	if (len > snap)
		len = snap;
	if (len > XM_SNAP_MAX)
		len = XM_SNAP_MAX;
	/*
	 * The helper refuses a length that may be 0, and verifiers before 6.7 learn no lower bound from
	 * `len != 0`: bound len - 1 with an unsigned compare (len == 0 wraps above it), then add the 1
	 * back behind a barrier so clang cannot hand the helper the unbounded len register instead.
	 */
	n = len - 1;
	if (n >= XM_SNAP_MAX)
		return;
	asm volatile("" : "+r"(n));
	n += 1;
	if (bpf_xdp_load_bytes(ctx, 0, row->pkt, n) == 0)
		row->head_len = n;
}

/* Copies [meta, data) and the packet head; byte loops keep every access provably in bounds. */
static __attribute__((always_inline)) void xm_fill(struct xm_row *row, __u8 *meta, __u8 *data, __u8 *end)
{
	__u32 snap = row->snap;
	int i;

	xm_fill_meta(row, meta, data);
	row->head_len = 0;
	for (i = 0; i < XM_SNAP_MAX; i++) {
		if (i >= snap || data + i + 1 > end)
			break;
		row->pkt[i] = data[i];
		row->head_len = i + 1;
	}
}

/* Records one XDP verdict; returns it unchanged. */
static __attribute__((always_inline)) int xm_capture_xdp(struct xdp_md *ctx, int verdict)
{
	struct xm_row *row = xm_reserve();

	if (!row)
		return verdict;
	row->ts_ns = bpf_ktime_get_ns();
	row->ifindex = ctx->ingress_ifindex;
	row->queue = ctx->rx_queue_index;
	row->verdict = verdict;
	row->hook = XM_HOOK_XDP;
	row->pkt_len = ctx->data_end - ctx->data;
	xm_fill_meta(row, (__u8 *)(long)ctx->data_meta, (__u8 *)(long)ctx->data);
	xm_head_xdp(row, ctx);
	bpf_ringbuf_submit(row, 0);
	return verdict;
}

/* Records one TC verdict; returns it unchanged. */
static __attribute__((always_inline)) int xm_capture_tc(struct __sk_buff *skb, int verdict)
{
	struct xm_row *row = xm_reserve();

	if (!row)
		return verdict;
	row->ts_ns = bpf_ktime_get_ns();
	row->ifindex = skb->ifindex;
	row->queue = skb->queue_mapping;
	row->verdict = verdict;
	row->hook = XM_HOOK_TC;
	row->pkt_len = skb->len;
	xm_fill(row, (__u8 *)(long)skb->data_meta, (__u8 *)(long)skb->data, (__u8 *)(long)skb->data_end);
	bpf_ringbuf_submit(row, 0);
	return verdict;
}

#endif
