// freplace capture dispatchers: the user's program replaces a stub and the dispatcher records what it returned.
//
// Used only where the kernel accepts BPF_PROG_TYPE_EXT (the team's test machines refuse it with EPERM,
// like fentry/fexit); there the compile-time wrapper (xdp-meta-capture.bpf.h) is used instead. Same
// idea as libxdp's dispatcher: a global noinline stub is a separately verified function an
// extension program can replace, so code after the call sees every verdict.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "xdp-meta-capture.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* `volatile` and the ctx test keep clang from folding the stubs away. */
__attribute__((noinline)) int xm_user_xdp(struct xdp_md *ctx)
{
	volatile int ret = XDP_PASS;
	if (!ctx)
		return XDP_ABORTED;
	return ret;
}

__attribute__((noinline)) int xm_user_tc(struct __sk_buff *skb)
{
	volatile int ret = TC_ACT_OK;
	if (!skb)
		return TC_ACT_SHOT;
	return ret;
}

SEC("xdp")
int xm_dispatch_xdp(struct xdp_md *ctx)
{
	return xm_capture_xdp(ctx, xm_user_xdp(ctx));
}

SEC("tc")
int xm_dispatch_tc(struct __sk_buff *skb)
{
	return xm_capture_tc(skb, xm_user_tc(skb));
}
