/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The XDP-hints proposal's kernel-owned metadata struct. PROPOSED ON THE MAILING LIST, NEVER MERGED:
 * no released kernel has `struct xdp_to_skb_metadata` in its BTF, so CO-RE relocations against it only
 * resolve with a target BTF that declares it (see README.md). The field set differed between RFC
 * revisions; this is one representative layout.
 */
#ifndef XDP_HINTS_H
#define XDP_HINTS_H

#include <linux/types.h>

/*
 * preserve_access_index: the KERNEL owns this layout, so every field access is recorded as a CO-RE
 * relocation and libbpf rewrites the offset to the running kernel's layout at load time.
 * (Do not do this for a struct your own program writes: see the tc-meta-magic template.)
 */
struct xdp_to_skb_metadata {
	__u32 magic;          /* kernel's marker that the area holds this struct */
	__u32 rx_hash;
	__u64 rx_timestamp;
	__u32 rx_hash_type;
	/*
	 * BTF-ID trailer: the kernel BTF type ID of this struct. It is the LAST member so it always ends
	 * right at ctx->data whatever the kernel's version of the struct adds in front of it; a reader
	 * compares it with bpf_core_type_id_kernel() before trusting the rest.
	 */
	__u32 btf_id;
} __attribute__((preserve_access_index));

#endif /* XDP_HINTS_H */
