// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A stand-in for a kernel that carries the XDP-hints proposal, for trying the template: compile it
 * with `make target-kernel.o` and check against its BTF with
 * `xdp-meta check xdp_hints_core.bpf.c --target-btf target-kernel.o`. No released kernel has
 * struct xdp_to_skb_metadata. The proposal randomised the layout per kernel build, so this one
 * deliberately orders the members differently from xdp_hints.h: CO-RE must find each by name.
 */
typedef unsigned int __u32;
typedef unsigned long long __u64;
struct xdp_md;

struct xdp_to_skb_metadata {
	__u64 rx_timestamp;
	__u32 rx_hash_type;
	__u32 rx_hash;
	__u32 magic;
	__u32 btf_id;
};

/* A use of the struct, so that clang emits it into .BTF. */
struct xdp_to_skb_metadata target_kernel_layout;

/* The proposal's kfunc that asks the kernel to fill the struct; a FUNC in BTF as in a real kernel. */
__attribute__((noinline)) int bpf_xdp_metadata_export_to_skb(struct xdp_md *ctx)
{
	return ctx != 0;
}
