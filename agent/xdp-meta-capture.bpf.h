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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xm_row);
} xm_scratch SEC(".maps");

/* What a capture carries from the sampling decision to the ring: the scratch record, the CPU's counters, the snap length. */
struct xm_ctx {
	struct xm_row *row;
	struct xm_stats *st;
	__u32 snap;
};

/* Sampling and per-CPU rate limit; returns 0 with x filled when this packet is to be recorded (and counts why not). */
static __attribute__((always_inline)) int xm_begin(struct xm_ctx *x)
{
	__u32 zero = 0;
	struct xm_config *cfg = bpf_map_lookup_elem(&xm_config, &zero);
	struct xm_stats *st = bpf_map_lookup_elem(&xm_stats, &zero);
	struct xm_row *row = bpf_map_lookup_elem(&xm_scratch, &zero);

	if (!cfg || !st || !row)
		return -1;
	st->seen++;
	if (!cfg->enabled)
		return -1;
	if (cfg->sample_every > 1 && (st->seen % cfg->sample_every) != 0) {
		st->sampled_out++;
		return -1;
	}
	if (cfg->rate_per_cpu) {
		__u64 now = bpf_ktime_get_ns();
		if (now - st->win_start >= 1000000000ULL) {
			st->win_start = now;
			st->win_count = 0;
		}
		if (st->win_count >= cfg->rate_per_cpu) {
			st->rate_limited++;
			return -1;
		}
		st->win_count++;
	}
	x->row = row;
	x->st = st;
	x->snap = cfg->snap;
	return 0;
}

/* Where the packet head starts in bytes[]: after the metadata, re-bounded where the verifier sees it (read back from the map value). */
static __attribute__((always_inline)) __u64 xm_head_off(struct xm_row *row)
{
	__u64 m = row->h.meta_bytes;

	asm volatile("" : "+r"(m));
	return m < XM_META_MAX ? m : XM_META_MAX;
}

/* Copies [meta, data) to the start of bytes[]; a byte loop keeps every access provably in bounds (metadata is at most 32 bytes today). */
static __attribute__((always_inline)) void xm_fill_meta(struct xm_row *row, __u8 *meta, __u8 *data)
{
	__u32 len;
	int i;

	row->h.meta_len = 0;
	row->h.meta_bytes = 0;
	if (meta <= data) {
		len = data - meta;
		row->h.meta_len = len;
		row->h.meta_bytes = len < XM_META_MAX ? len : XM_META_MAX;
		for (i = 0; i < XM_META_MAX; i++) {
			if (meta + i + 1 > data)
				break;
			row->bytes[i] = meta[i];
		}
	}
}

/*
 * The XDP packet head in one helper call instead of a per-byte loop (the loop's bounds checks cost about
 * 5 instructions per byte, per packet, in the softirq that also receives the flood). Returns the bytes copied.
 */
static __attribute__((always_inline)) __u64 xm_head_xdp(struct xm_row *row, struct xdp_md *ctx, __u32 snap, __u64 off)
{
	__u32 len = ctx->data_end - ctx->data;
	__u64 n;

	row->h.head_len = 0;
	if (len > snap)
		len = snap;
	if (len > XM_SNAP_MAX)
		len = XM_SNAP_MAX;
	/*
	 * The helper refuses a length that may be 0, and verifiers before 6.7 learn no lower bound from
	 * `len != 0`: bound len - 1 with an unsigned compare (len == 0 wraps above it), then add the 1
	 * back behind a barrier so clang cannot hand the helper the unbounded len register instead. n is 64-bit:
	 * a 32-bit n let clang compare a zero-extended copy and add the 1 to the register it did not bound.
	 */
	n = len - 1;
	if (n >= XM_SNAP_MAX)
		return 0;
	asm volatile("" : "+r"(n));
	n += 1;
	if (bpf_xdp_load_bytes(ctx, 0, row->bytes + off, n) != 0)
		return 0;
	row->h.head_len = n;
	return n;
}

/* Copies the packet head after the metadata; a byte loop keeps every access provably in bounds. Returns the bytes copied. */
static __attribute__((always_inline)) __u64 xm_head_tc(struct xm_row *row, __u8 *data, __u8 *end, __u32 snap, __u64 off)
{
	__u8 *dst = row->bytes + off;
	__u64 n = 0;
	int i;

	for (i = 0; i < XM_SNAP_MAX; i++) {
		if (i >= snap || data + i + 1 > end)
			break;
		dst[i] = data[i];
		n = i + 1;
	}
	row->h.head_len = n;
	return n;
}

/*
 * Copies the record's used length (header, metadata, head) into the ring. bpf_ringbuf_reserve needs a constant
 * size, so the record is built in per-CPU scratch and bpf_ringbuf_output sizes it exactly; the barrier and
 * compare bound the size where the verifier checks it against the scratch value.
 */
static __attribute__((always_inline)) void xm_emit(struct xm_ctx *x, __u64 off, __u64 head)
{
	__u64 size = sizeof(struct xm_rec) + off + head;

	asm volatile("" : "+r"(size));
	if (size > sizeof(struct xm_row))
		return;
	if (bpf_ringbuf_output(&xm_rows, x->row, size, 0)) {
		x->st->ringbuf_full++;
		return;
	}
	x->st->captured++;
}

/* Records one XDP verdict; returns it unchanged. */
static __attribute__((always_inline)) int xm_capture_xdp(struct xdp_md *ctx, int verdict)
{
	struct xm_ctx x;
	struct xm_row *row;
	__u64 off;

	if (xm_begin(&x))
		return verdict;
	row = x.row;
	row->h.ts_ns = bpf_ktime_get_ns();
	row->h.ifindex = ctx->ingress_ifindex;
	row->h.queue = ctx->rx_queue_index;
	row->h.verdict = verdict;
	row->h.hook = XM_HOOK_XDP;
	row->h.pkt_len = ctx->data_end - ctx->data;
	xm_fill_meta(row, (__u8 *)(long)ctx->data_meta, (__u8 *)(long)ctx->data);
	off = xm_head_off(row);
	xm_emit(&x, off, xm_head_xdp(row, ctx, x.snap, off));
	return verdict;
}

/* Records one TC verdict; returns it unchanged. */
static __attribute__((always_inline)) int xm_capture_tc(struct __sk_buff *skb, int verdict)
{
	struct xm_ctx x;
	struct xm_row *row;
	__u64 off;

	if (xm_begin(&x))
		return verdict;
	row = x.row;
	row->h.ts_ns = bpf_ktime_get_ns();
	row->h.ifindex = skb->ifindex;
	row->h.queue = skb->queue_mapping;
	row->h.verdict = verdict;
	row->h.hook = XM_HOOK_TC;
	row->h.pkt_len = skb->len;
	xm_fill_meta(row, (__u8 *)(long)skb->data_meta, (__u8 *)(long)skb->data);
	off = xm_head_off(row);
	xm_emit(&x, off, xm_head_tc(row, (__u8 *)(long)skb->data, (__u8 *)(long)skb->data_end, x.snap, off));
	return verdict;
}

#endif
