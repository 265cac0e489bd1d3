/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Layout shared by the XDP producer, the TC consumer and user space: plain C types only. */
#ifndef META_MAGIC_H
#define META_MAGIC_H

#include <linux/types.h>

/* Marks metadata written by this program; anything else in data_meta is someone else's. */
#define META_MAGIC 0xC0FFEE42u

/*
 * Program-owned layout, written by XDP in front of the packet. Deliberately NOT
 * preserve_access_index: it is our own struct, not a kernel type, so there is nothing for CO-RE
 * to relocate against (libbpf would fail "failed to resolve CO-RE relocation").
 * The kernel requires the metadata length to be a multiple of 4 and at most 32 bytes.
 */
struct meta_magic {
	__u32 magic;       /* META_MAGIC */
	__u32 seq;         /* per-CPU packet counter of the XDP program */
	__u32 rx_queue;    /* xdp_md->rx_queue_index */
	__u32 ifindex;     /* xdp_md->ingress_ifindex */
};

/* One ringbuf record per packet whose metadata carried the magic. */
struct meta_event {
	__u32 seq;
	__u32 rx_queue;
	__u32 ifindex;
	__u32 pkt_len;     /* skb->len as TC saw it */
};

#endif /* META_MAGIC_H */
