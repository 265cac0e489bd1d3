/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Ringbuf record of the xdp-hints-core reader, shared with user space: plain C types only. */
#ifndef HINTS_EVENT_H
#define HINTS_EVENT_H

#include <linux/types.h>

struct hints_event {
	__u64 rx_timestamp;   /* 0 when the kernel's struct has no rx_timestamp */
	__u32 rx_hash;
	__u32 kernel_btf_id;  /* the trailer value that matched bpf_core_type_id_kernel() */
	__u32 local_btf_id;   /* bpf_core_type_id_local(): lets user space find our layout in the object's BTF */
	__u32 pkt_len;
};

#endif /* HINTS_EVENT_H */
