/* Layout shared by the capture dispatchers (capture.bpf.c) and the agent that reads their ringbuf. */
#ifndef XM_CAPTURE_H
#define XM_CAPTURE_H

#define XM_META_MAX 64   /* the kernel allows 32 bytes of XDP metadata today; room for growth */
#define XM_SNAP_MAX 128  /* packet head bytes at most */
#define XM_HOOK_XDP 0
#define XM_HOOK_TC 1

struct xm_config {
	__u32 enabled;
	__u32 sample_every;  /* capture 1 of N packets per CPU; 0/1 = all */
	__u32 rate_per_cpu;  /* rows per second per CPU; 0 = unlimited */
	__u32 snap;          /* packet head bytes, <= XM_SNAP_MAX */
};

struct xm_stats {
	__u64 seen;
	__u64 captured;
	__u64 sampled_out;
	__u64 rate_limited;
	__u64 ringbuf_full;
	__u64 win_start;
	__u64 win_count;
};

/*
 * One ring record: this header, then meta_bytes of metadata, then head_len packet bytes, nothing after (records
 * are exactly that long, so a 16 MiB ring holds about twice the rows of fixed 224-byte records).
 */
struct xm_rec {
	__u64 ts_ns;      /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u32 ifindex;
	__u32 queue;
	__s32 verdict;
	__u32 pkt_len;    /* data_end - data (linear part for XDP, skb->len for TC) */
	__u16 meta_len;   /* data - data_meta; may exceed XM_META_MAX (then truncated) */
	__u16 meta_bytes; /* metadata bytes in the record: meta_len, at most XM_META_MAX */
	__u16 head_len;   /* packet bytes in the record, after the metadata */
	__u16 hook;
};

/* The per-CPU scratch a record is built in before bpf_ringbuf_output copies its used length into the ring. */
struct xm_row {
	struct xm_rec h;
	__u8 bytes[XM_META_MAX + XM_SNAP_MAX];
};

#endif
