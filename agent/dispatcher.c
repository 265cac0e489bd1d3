/* The capture dispatcher: its BPF object, embedded at build time, opened and loaded for one hook. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "agent.h"

/* The capture dispatcher object, built by the Makefile and embedded here. */
__asm__(".section .rodata\n"
	".balign 8\n"
	".global xm_capture_obj\n"
	"xm_capture_obj:\n"
	".incbin \"" CAPTURE_OBJ "\"\n"
	".global xm_capture_obj_end\n"
	"xm_capture_obj_end:\n"
	".previous\n");
extern const char xm_capture_obj[], xm_capture_obj_end[];

struct bpf_object *open_capture_dispatcher(enum hook hook, int ifindex, bool dev_bound, char *errbuf, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "xdp_meta_capture");
	struct bpf_object *d = bpf_object__open_mem(xm_capture_obj, (size_t)(xm_capture_obj_end - xm_capture_obj), &oo);
	struct bpf_program *p;
	int err;
	if (!d) {
		snprintf(errbuf, errlen, "cannot open the embedded capture dispatcher: %s", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(p, d) {
		bool want = !strcmp(bpf_program__name(p), hook == HOOK_XDP ? "xm_dispatch_xdp" : "xm_dispatch_tc");
		bpf_program__set_autoload(p, want);
		if (want && dev_bound) {
			bpf_program__set_ifindex(p, (__u32)ifindex);
			bpf_program__set_flags(p, bpf_program__flags(p) | XM_BPF_F_XDP_DEV_BOUND_ONLY);
		}
	}
	err = bpf_object__load(d);
	if (err) {
		snprintf(errbuf, errlen, "cannot load the capture dispatcher: %s", strerror(-err));
		bpf_object__close(d);
		return NULL;
	}
	return d;
}
