/* xdp-meta-agent: program/link state, the load/attach/test_run/detach/unload ops, request dispatch and main. */

/* The agent loads, attaches and captures XDP/TC programs for xdp-meta over a JSON-lines protocol on stdin/stdout.
 *
 * Protocol: docs/agent-protocol.md (mirrored in src/core/remote/protocol.ts). One request per line in,
 * one response per request out (same "id"), plus "ev" event lines (capture rows, stats). Everything
 * else (libbpf chatter, diagnostics) goes to stderr: fd 1 is pointed at stderr at startup and the
 * protocol is written to a private dup of the original stdout, so nothing stray can corrupt it.
 * Programs are attached only through bpf_links held by this process: when it dies, the kernel detaches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "codec.h"
#include "json.h"
#include "reply.h"


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

const char *btf_path = "/sys/kernel/btf/vmlinux";
const char *ssh_connection;

struct prog progs[MAX_PROGS];
struct link links[MAX_LINKS];
int next_handle = 1;
struct ring_buffer *rings;
bool rings_dirty;

struct prog *find_prog(int id)
{
	for (int i = 0; i < MAX_PROGS; i++)
		if (id && progs[i].id == id)
			return &progs[i];
	return NULL;
}

static struct link *find_link(int id)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (id && links[i].id == id)
			return &links[i];
	return NULL;
}

static void link_close(struct link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

static void prog_free(struct prog *p)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (links[i].id && links[i].prog_id == p->id)
			link_close(&links[i]);
	if (p->capture_id)
		rings_dirty = true;
	bpf_link__destroy(p->ext_link);
	bpf_object__close(p->obj);
	bpf_object__close(p->disp);
	memset(p, 0, sizeof(*p));
}

static void cleanup_all(void)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (links[i].id)
			link_close(&links[i]);
	ring_buffer__free(rings);
	rings = NULL;
	for (int i = 0; i < MAX_PROGS; i++)
		if (progs[i].id)
			prog_free(&progs[i]);
}

static bool object_calls_metadata_kfuncs(struct bpf_object *obj)
{
	struct btf *btf = bpf_object__btf(obj);
	if (!btf)
		return false;
	for (__u32 i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		if (btf_is_func(t) && !strncmp(btf__name_by_offset(btf, t->name_off), "bpf_xdp_metadata_", 17))
			return true;
	}
	return false;
}

static const char *prog_type_name(enum bpf_prog_type t)
{
	const char *n = libbpf_bpf_prog_type_str(t);
	return n ? n : "unknown";
}

/* ---- ops ---- */


/* Reads a whole file (object given by path on the agent's host). */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sb s = { 0 };
	char buf[65536];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_raw(&s, buf, n);
	fclose(f);
	*len = s.len;
	if (!s.p)
		s.p = calloc(1, 1);
	return s.p;
}

static struct bpf_object *open_capture_dispatcher(enum hook hook, int ifindex, bool dev_bound, char *errbuf, size_t errlen)
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

static void op_load(int64_t id, const struct jreq *r)
{
	const char *path = jreq_str(r, "path", NULL);
	const struct jv *b64 = jreq_get(r, "object");
	const char *want = jreq_str(r, "program", NULL);
	const char *dev_bound_s = jreq_str(r, "dev_bound", "auto");
	int log_level = (int)jreq_num(r, "log_level", 1);
	int64_t log_size = jreq_num(r, "log_size", 16 << 20);
	int ifindex = (int)jreq_num(r, "ifindex", 0);
	const char *capture_s = jreq_str(r, "capture", "none");
	bool capture = strcmp(capture_s, "none") != 0, freplace = !strcmp(capture_s, "freplace");
	const char *hook_s = jreq_str(r, "hook", NULL);
	char *data = NULL, *log = NULL, errbuf[512];
	size_t len = 0;
	struct prog *slot = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog = NULL, *p;
	bool dev_bound;
	enum hook hook;
	int err;
	LIBBPF_OPTS(bpf_object_open_opts, oo);

	libbpf_debug = jreq_bool(r, "libbpf_debug", false);
	for (int i = 0; i < MAX_PROGS; i++)
		if (!progs[i].id) {
			slot = &progs[i];
			break;
		}
	if (!slot) {
		reply_error(id, "limit", 0, NULL, "too many loaded programs (%d): unload some first", MAX_PROGS);
		return;
	}
	if (access(btf_path, R_OK) != 0) {
		reply_error(id, "no_btf", errno, NULL,
			    "kernel BTF not found at %s: this kernel lacks CONFIG_DEBUG_INFO_BTF, so CO-RE relocations and "
			    "freplace capture cannot work; use a kernel with BTF", btf_path);
		return;
	}
	if (log_level < 0 || log_level > 2 || log_size < 4096 || log_size > (int64_t)(UINT_MAX >> 2)) {
		reply_error(id, "bad_request", 0, NULL, "log_level must be 0..2 and log_size 4096..%u", UINT_MAX >> 2);
		return;
	}
	if (b64 && b64->type == JV_STR) {
		ssize_t n = b64_decode(b64->str, b64->len);
		if (n < 0) {
			reply_error(id, "bad_request", 0, NULL, "\"object\" is not valid base64");
			return;
		}
		data = b64->str;
		len = (size_t)n;
	} else if (path) {
		data = read_file(path, &len);
		if (!data) {
			reply_error(id, "not_found", errno, NULL, "cannot read %s", path);
			return;
		}
	} else {
		reply_error(id, "bad_request", 0, NULL, "load needs \"object\" (base64) or \"path\"");
		return;
	}
	oo.object_name = jreq_str(r, "name", "xdp_meta_obj");
	if (strcmp(btf_path, "/sys/kernel/btf/vmlinux") != 0)
		oo.btf_custom_path = btf_path;
	obj = bpf_object__open_mem(data, len, &oo);
	err = obj ? 0 : -errno;
	if (path)
		free(data);
	if (!obj) {
		reply_error(id, "open_failed", -err, NULL, "libbpf cannot open the object (not a BPF ELF object?)");
		return;
	}
	bpf_object__for_each_program(p, obj) {
		if (want ? !strcmp(bpf_program__name(p), want) : !prog) {
			enum bpf_prog_type t = bpf_program__type(p);
			if (want || t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || !hook_s)
				prog = p;
		}
	}
	if (!prog) {
		struct sb names = { 0 };
		bpf_object__for_each_program(p, obj) {
			sb_lit(&names, names.len ? ", " : "");
			sb_lit(&names, bpf_program__name(p));
		}
		reply_error(id, "not_found", 0, NULL, "no program %s%s in the object (programs: %s)", want ? "named " : "",
			    want ? want : "of type xdp or tc", names.len ? names.p : "none");
		free(names.p);
		bpf_object__close(obj);
		return;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	hook = bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS ? HOOK_TC : HOOK_XDP;
	if (hook_s)
		hook = !strcmp(hook_s, "tc") ? HOOK_TC : HOOK_XDP;
	if (!strcmp(dev_bound_s, "auto"))
		dev_bound = hook == HOOK_XDP && object_calls_metadata_kfuncs(obj);
	else
		dev_bound = !strcmp(dev_bound_s, "yes") || !strcmp(dev_bound_s, "true");
	if (dev_bound && ifindex <= 0) {
		reply_error(id, "needs_device", 0, NULL,
			    "program %s calls XDP metadata kfuncs (bpf_xdp_metadata_*), which only load device-bound: "
			    "name the interface to bind it to", bpf_program__name(prog));
		bpf_object__close(obj);
		return;
	}
	if (capture && bpf_program__type(prog) != (hook == HOOK_XDP ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS)) {
		reply_error(id, "unsupported", 0, NULL, "capture works for XDP and TC (sched_cls) programs, not %s",
			    prog_type_name(bpf_program__type(prog)));
		bpf_object__close(obj);
		return;
	}
	if (capture && strcmp(capture_s, "wrapped") && !freplace) {
		reply_error(id, "bad_request", 0, NULL, "capture must be \"none\", \"wrapped\" or \"freplace\"");
		bpf_object__close(obj);
		return;
	}
	if (capture && !freplace && !bpf_object__find_map_by_name(obj, "xm_rows")) {
		reply_error(id, "bad_request", 0, NULL,
			    "capture \"wrapped\" needs an object compiled with the xdp-meta capture wrapper (no xm_rows map)");
		bpf_object__close(obj);
		return;
	}
	if (freplace) {
		slot->disp = open_capture_dispatcher(hook, ifindex, dev_bound, errbuf, sizeof(errbuf));
		if (!slot->disp) {
			reply_error(id, "load_failed", 0, NULL, "%s", errbuf);
			bpf_object__close(obj);
			memset(slot, 0, sizeof(*slot));
			return;
		}
		slot->disp_prog = bpf_object__find_program_by_name(slot->disp, hook == HOOK_XDP ? "xm_dispatch_xdp" : "xm_dispatch_tc");
		/* Load the user's program as an extension of the dispatcher's stub: it inherits device binding. */
		bpf_program__set_type(prog, BPF_PROG_TYPE_EXT);
		bpf_program__set_expected_attach_type(prog, 0);
		err = bpf_program__set_attach_target(prog, bpf_program__fd(slot->disp_prog),
						     hook == HOOK_XDP ? "xm_user_xdp" : "xm_user_tc");
		if (err) {
			reply_error(id, "load_failed", -err, NULL, "cannot target the capture stub");
			bpf_object__close(obj);
			prog_free(slot);
			return;
		}
	}
	if (dev_bound && !freplace) {
		/* Plain or wrapped: the program itself is bound (the capture epilogue is inlined into it). */
		bpf_program__set_ifindex(prog, (__u32)ifindex);
		bpf_program__set_flags(prog, bpf_program__flags(prog) | XM_BPF_F_XDP_DEV_BOUND_ONLY);
	}
	if (log_level > 0) {
		log = calloc(1, (size_t)log_size);
		if (!log) {
			reply_error(id, "limit", ENOMEM, NULL, "cannot allocate a %lld-byte log buffer", (long long)log_size);
			bpf_object__close(obj);
			prog_free(slot);
			return;
		}
		bpf_program__set_log_buf(prog, log, (size_t)log_size);
		bpf_program__set_log_level(prog, (__u32)log_level);
	}
	err = bpf_object__load(obj);
	if (err) {
		/* libbpf says "BPF program load failed" only when the kernel's BPF_PROG_LOAD did; before that
		 * (section, map, attach target, kfunc) it refused by itself and there is no verifier log. */
		int by_kernel = libbpf_msgs.p && strstr(libbpf_msgs.p, "BPF program load failed");
		reply_error(id, "load_failed", -err, log && by_kernel ? log : "",
			    "%s program %s (%s%s): %s%s", by_kernel ? "the kernel rejected" : "libbpf could not load",
			    bpf_program__name(prog),
			    freplace ? "as a freplace extension" : capture ? "with the capture wrapper" : "plain",
			    dev_bound ? ", device-bound" : "", strerror(-err),
			    err == -ENOSPC ? "; the verifier log did not fit: raise log_size"
			    : (freplace && err == -EPERM && !(log && *log))
				? "; this kernel refuses BPF_PROG_TYPE_EXT (freplace): capture with the compile-time wrapper "
				  "(give xdp-meta the .bpf.c source)" : "");
		free(log);
		bpf_object__close(obj);
		prog_free(slot);
		return;
	}
	slot->id = next_handle++;
	slot->obj = obj;
	slot->prog = prog;
	slot->hook = hook;
	slot->ifindex = dev_bound ? ifindex : 0;
	slot->capture = capture;
	slot->freplace = freplace;
	slot->cap_obj = freplace ? slot->disp : (capture ? obj : NULL);
	slot->run_prog = freplace ? slot->disp_prog : prog;
	if (freplace) {
		slot->ext_link = bpf_program__attach_freplace(prog, bpf_program__fd(slot->disp_prog),
							       hook == HOOK_XDP ? "xm_user_xdp" : "xm_user_tc");
		if (!slot->ext_link) {
			err = -errno;
			reply_error(id, "load_failed", -err, log, "cannot link program %s into the capture dispatcher",
				    bpf_program__name(prog));
			free(log);
			prog_free(slot);
			return;
		}
	}
	{
		struct sb s = { 0 };
		struct bpf_prog_info info = { 0 };
		__u32 ilen = sizeof(info);
		bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &ilen);
		reply_begin(&s, id);
		sb_fmt(&s, ",\"prog\":%d,\"name\":", slot->id);
		sb_str(&s, bpf_program__name(prog));
		sb_lit(&s, ",\"section\":");
		sb_str(&s, bpf_program__section_name(prog));
		sb_lit(&s, ",\"type\":");
		sb_str(&s, hook == HOOK_XDP ? "xdp" : "tc");
		sb_fmt(&s, ",\"kernel_prog_id\":%u,\"insns\":%u,\"dev_bound\":%s,\"ifindex\":%d,\"capture\":\"%s\"", info.id,
		       info.xlated_prog_len / 8, dev_bound ? "true" : "false", slot->ifindex, capture_s);
		if (freplace) {
			struct bpf_prog_info dinfo = { 0 };
			__u32 dlen = sizeof(dinfo);
			bpf_obj_get_info_by_fd(bpf_program__fd(slot->disp_prog), &dinfo, &dlen);
			sb_fmt(&s, ",\"dispatcher_prog_id\":%u", dinfo.id);
		}
		sb_lit(&s, ",\"programs\":[");
		bpf_object__for_each_program(p, obj) {
			if (p != bpf_object__next_program(obj, NULL))
				sb_lit(&s, ",");
			sb_str(&s, bpf_program__name(p));
		}
		sb_lit(&s, "],\"log\":");
		sb_str(&s, log ? log : "");
		if (libbpf_msgs.len) {
			sb_lit(&s, ",\"libbpf_log\":");
			sb_strn(&s, libbpf_msgs.p, libbpf_msgs.len);
		}
		reply_end(&s);
		free(s.p);
	}
	free(log);
}

static void op_attach(int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog((int)jreq_num(r, "prog", 0));
	int ifindex = (int)jreq_num(r, "ifindex", 0);
	const char *mode = jreq_str(r, "mode", "native");
	struct link *slot = NULL;
	int fd, attach_type, ssh_if;
	LIBBPF_OPTS(bpf_link_create_opts, lo);

	if (!p) {
		reply_error(id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (ifindex <= 0) {
		reply_error(id, "bad_request", 0, NULL, "attach needs an ifindex");
		return;
	}
	ssh_if = ssh_session_ifindex();
	if (ssh_if && ssh_if == ifindex && !jreq_bool(r, "confirm_ssh_interface", false)) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)ifindex, name);
		reply_error(id, "ssh_interface", 0, NULL,
			    "interface %s carries this SSH session (the route to %s leaves through it): a program that drops "
			    "or redirects could cut you off; confirm to attach anyway", name, ssh_connection);
		return;
	}
	if (p->ifindex && p->ifindex != ifindex) {
		reply_error(id, "bad_request", 0, NULL, "the program is bound to ifindex %d, not %d", p->ifindex, ifindex);
		return;
	}
	for (int i = 0; i < MAX_LINKS; i++)
		if (!links[i].id) {
			slot = &links[i];
			break;
		}
	if (!slot) {
		reply_error(id, "limit", 0, NULL, "too many links");
		return;
	}
	if (p->hook == HOOK_TC) {
		if (strcmp(mode, "tc")) {
			reply_error(id, "bad_request", 0, NULL, "a TC program attaches with mode \"tc\" (tcx ingress)");
			return;
		}
		attach_type = XM_BPF_TCX_INGRESS;
	} else {
		if (!strcmp(mode, "native"))
			lo.flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(mode, "generic"))
			lo.flags = XDP_FLAGS_SKB_MODE;
		else {
			reply_error(id, "bad_request", 0, NULL, "XDP mode must be \"native\" or \"generic\", not \"%s\"", mode);
			return;
		}
		attach_type = BPF_XDP;
	}
	fd = bpf_link_create(bpf_program__fd(p->run_prog), ifindex, attach_type, &lo);
	if (fd < 0) {
		int e = -fd;
		const char *hint = "";
		if (e == EBUSY || e == EEXIST)
			hint = ": another XDP program is already attached in that mode";
		else if (e == EOPNOTSUPP && !strcmp(mode, "native"))
			hint = ": the driver has no native XDP; try generic";
		else if (e == EINVAL && p->ifindex && !strcmp(mode, "generic"))
			hint = ": a device-bound program cannot attach in generic mode";
		else if (e == EINVAL && attach_type == XM_BPF_TCX_INGRESS)
			hint = ": tcx needs kernel 6.6 or newer";
		reply_error(id, "attach_failed", e, NULL, "cannot attach %s in %s mode to ifindex %d%s",
			    bpf_program__name(p->prog), mode, ifindex, hint);
		return;
	}
	slot->id = next_handle++;
	slot->prog_id = p->id;
	slot->fd = fd;
	slot->ifindex = ifindex;
	snprintf(slot->mode, sizeof(slot->mode), "%s", mode);
	{
		struct sb s = { 0 };
		struct bpf_link_info li = { 0 };
		__u32 len = sizeof(li);
		bpf_obj_get_info_by_fd(fd, &li, &len);
		reply_begin(&s, id);
		sb_fmt(&s, ",\"link\":%d,\"kernel_link_id\":%u,\"ifindex\":%d,\"mode\":", slot->id, li.id, ifindex);
		sb_str(&s, mode);
		reply_end(&s);
		free(s.p);
	}
}


static void op_test_run(int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog((int)jreq_num(r, "prog", 0));
	const char *data_hex = jreq_str(r, "data", "");
	const char *meta_hex = jreq_str(r, "meta", "");
	int64_t repeat = jreq_num(r, "repeat", 1);
	static uint8_t in[65536], out[65536 + 256];
	struct xdp_md ctx_in = { 0 }, ctx_out = { 0 };
	ssize_t mlen, dlen;
	int fd, err;
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct sb s = { 0 };

	if (!p) {
		reply_error(id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (p->ifindex) {
		reply_error(id, "dev_bound_test_run", EINVAL, NULL,
			    "BPF_PROG_TEST_RUN is impossible for a device-bound program (the kernel returns EINVAL): "
			    "program %s calls metadata kfuncs, which only run on the device; capture live traffic instead",
			    bpf_program__name(p->prog));
		return;
	}
	if (p->hook != HOOK_XDP) {
		reply_error(id, "unsupported", 0, NULL, "test_run is implemented for XDP programs");
		return;
	}
	mlen = hex_decode(meta_hex, in, 256);
	dlen = mlen < 0 ? -1 : hex_decode(data_hex, in + mlen, sizeof(in) - (size_t)mlen);
	if (mlen < 0 || dlen < 0 || (mlen & 3) || mlen > 32) {
		reply_error(id, "bad_request", 0, NULL, "\"data\" and \"meta\" must be hex; meta a multiple of 4 bytes, at most 32");
		return;
	}
	if (dlen < 14) {
		reply_error(id, "bad_request", 0, NULL, "a test packet needs at least an Ethernet header (14 bytes), got %zd", dlen);
		return;
	}
	if (repeat < 1 || repeat > 100000000) {
		reply_error(id, "bad_request", 0, NULL, "repeat must be 1..100000000");
		return;
	}
	ctx_in.data = (__u32)mlen;
	ctx_in.data_end = (__u32)(mlen + dlen);
	o.data_in = in;
	o.data_size_in = (__u32)(mlen + dlen);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.ctx_in = &ctx_in;
	o.ctx_size_in = sizeof(ctx_in);
	o.ctx_out = &ctx_out;
	o.ctx_size_out = sizeof(ctx_out);
	o.repeat = (int)repeat;
	/* A capturing program records test runs too: the dry run shows up as rows, and the bench uses that. */
	fd = bpf_program__fd(p->run_prog);
	err = bpf_prog_test_run_opts(fd, &o);
	if (err) {
		reply_error(id, "test_run_failed", -err, NULL, "BPF_PROG_TEST_RUN failed for %s", bpf_program__name(p->prog));
		return;
	}
	if (rings)
		ring_buffer__consume(rings);
	flush_rows();
	reply_begin(&s, id);
	sb_fmt(&s, ",\"retval\":%u,\"duration_ns\":%u,\"meta_len\":%u,\"meta\":", o.retval, o.duration, ctx_out.data);
	sb_hex(&s, out, ctx_out.data <= o.data_size_out ? ctx_out.data : 0);
	sb_lit(&s, ",\"data\":");
	sb_hex(&s, out + (ctx_out.data <= o.data_size_out ? ctx_out.data : 0),
	       ctx_out.data <= o.data_size_out ? o.data_size_out - ctx_out.data : 0);
	reply_end(&s);
	free(s.p);
}

static void op_detach(int64_t id, const struct jreq *r)
{
	struct link *l = find_link((int)jreq_num(r, "link", 0));
	struct sb s = { 0 };
	if (!l) {
		reply_error(id, "not_found", 0, NULL, "no link with handle %lld", (long long)jreq_num(r, "link", 0));
		return;
	}
	link_close(l);
	reply_begin(&s, id);
	reply_end(&s);
	free(s.p);
}

static void op_unload(int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog((int)jreq_num(r, "prog", 0));
	struct sb s = { 0 };
	if (!p) {
		reply_error(id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	capture_stop(p);
	prog_free(p);
	if (rings_dirty)
		rebuild_rings();
	reply_begin(&s, id);
	reply_end(&s);
	free(s.p);
}

/* ---- main loop ---- */

static void dispatch(char *line)
{
	struct jreq r;
	const char *perr = json_parse_flat(line, &r);
	int64_t id;
	const char *op;
	if (perr) {
		reply_error(-1, "bad_request", 0, NULL, "request is not a flat JSON object: %s", perr);
		return;
	}
	id = jreq_num(&r, "id", -1);
	op = jreq_str(&r, "op", "");
	libbpf_msgs.len = 0;
	if (libbpf_msgs.p)
		libbpf_msgs.p[0] = '\0';
	if (!strcmp(op, "hello")) op_hello(id, &r);
	else if (!strcmp(op, "probe")) op_probe(id, &r);
	else if (!strcmp(op, "load")) op_load(id, &r);
	else if (!strcmp(op, "attach")) op_attach(id, &r);
	else if (!strcmp(op, "capture")) op_capture(id, &r);
	else if (!strcmp(op, "capture_stop")) op_capture_stop(id, &r);
	else if (!strcmp(op, "test_run")) op_test_run(id, &r);
	else if (!strcmp(op, "detach")) op_detach(id, &r);
	else if (!strcmp(op, "unload")) op_unload(id, &r);
	else if (!strcmp(op, "ping")) {
		struct sb s = { 0 };
		reply_begin(&s, id);
		reply_end(&s);
		free(s.p);
	}
	else if (!strcmp(op, "bye")) {
		struct sb s = { 0 };
		cleanup_all();
		reply_begin(&s, id);
		reply_end(&s);
		free(s.p);
		stop_requested = 1;
	} else
		reply_error(id, "bad_request", 0, NULL, "unknown op \"%s\"", op);
	libbpf_debug = 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * Links whose interface went away: the kernel detached them when the device was unregistered. Tell the
 * client once (a "detached" event) and drop the link, so a run does not go on silently capturing nothing.
 */
static void check_links(void)
{
	char name[IF_NAMESIZE];
	for (int i = 0; i < MAX_LINKS; i++) {
		struct link *l = &links[i];
		struct sb s = { 0 };
		if (!l->id || if_indextoname((unsigned)l->ifindex, name))
			continue;
		sb_fmt(&s, "{\"ev\":\"detached\",\"link\":%d,\"ifindex\":%d,\"reason\":\"interface_gone\"}", l->id, l->ifindex);
		out_line(&s);
		free(s.p);
		link_close(l);
	}
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: xdp-meta-agent [--btf PATH] [--ssh-connection \"CLIENT CPORT SERVER SPORT\"] [--max-line BYTES] [--version]\n"
			"Speaks the xdp-meta agent protocol (JSON lines) on stdin/stdout; exits when stdin closes.\n");
}

int main(int argc, char **argv)
{
	struct sb in = { 0 };
	struct timespec last_stats = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	/* Requests carry base64 objects: 64 MiB is far above any real one, and bounds what a bad client can make us hold. */
	size_t max_line = 64u << 20;
	bool discarding = false;
	double last_input = mono_s();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--btf") && i + 1 < argc) {
			btf_path = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-connection") && i + 1 < argc) {
			ssh_connection = argv[++i];
			if (!*ssh_connection)
				ssh_connection = NULL;
		} else if (!strcmp(argv[i], "--max-line") && i + 1 < argc) {
			max_line = strtoul(argv[++i], NULL, 10);
			if (max_line < 64)
				max_line = 64;
		} else if (!strcmp(argv[i], "--version")) {
			printf("xdp-meta-agent %s protocol %d %s\n", AGENT_VERSION, PROTOCOL_VERSION, AGENT_ARCH);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	proto_fd = dup(1);
	if (proto_fd < 0 || dup2(2, 1) < 0)
		return 70;
	fcntl(proto_fd, F_SETFD, FD_CLOEXEC);
	/* Writes wait for a slow client, but never forever once it promised a heartbeat (out_line). */
	fcntl(proto_fd, F_SETFL, fcntl(proto_fd, F_GETFL) | O_NONBLOCK);
	/* A bigger pipe lets row bursts leave while the client is still decoding (fails harmlessly on non-pipes). */
	fcntl(proto_fd, F_SETPIPE_SZ, 1 << 20);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	libbpf_set_print(libbpf_print_fn);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);

	while (!stop_requested) {
		struct pollfd pf[2] = { { .fd = 0, .events = POLLIN } };
		int nfd = 1, n;
		struct timespec now;
		/*
		 * With a partial batch pending, wait ROWS_COALESCE_MS without the ring's fd: the kernel wakes a
		 * reader for the first record after it caught up, so polling the ring would wake (and write
		 * through ssh) once per packet under a steady flood. The ring holds far more than that.
		 */
		if (rings && !rows_pending()) {
			pf[1].fd = ring_buffer__epoll_fd(rings);
			pf[1].events = POLLIN;
			nfd = 2;
		}
		n = poll(pf, (nfds_t)nfd, rows_pending() ? ROWS_COALESCE_MS : 100);
		if (n < 0 && errno != EINTR)
			break;
		if (rings) {
			ring_buffer__consume(rings);
			if (rows_due())
				flush_rows();
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last_stats.tv_sec) {
			last_stats = now;
			for (int i = 0; i < MAX_PROGS; i++)
				if (progs[i].id && progs[i].capture_id)
					emit_stats(&progs[i], false);
			check_links();
		}
		if (heartbeat_s > 0 && !(n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
		    mono_s() - last_input > heartbeat_s) {
			/* The client (or the connection to it) went silent: we cannot know it still watches, so detach. */
			fprintf(stderr, "xdp-meta-agent: no word from the client for %d s: detaching everything and exiting\n",
				heartbeat_s);
			break;
		}
		if (n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[65536];
			char *from = buf;
			ssize_t got = read(0, buf, sizeof(buf));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break; /* stdin closed: the client is gone */
			last_input = mono_s();
			if (discarding) {
				/* The rest of an over-long line: drop it up to its newline. */
				char *nl = memchr(buf, '\n', (size_t)got);
				if (!nl)
					continue;
				discarding = false;
				got -= nl + 1 - buf;
				from = nl + 1;
			}
			sb_raw(&in, from, (size_t)got);
			for (;;) {
				char *nl = memchr(in.p, '\n', in.len);
				size_t used;
				if (!nl)
					break;
				*nl = '\0';
				used = (size_t)(nl - in.p) + 1;
				if (used - 1 > max_line)
					reply_error(-1, "limit", 0, NULL, "request line of %zu bytes is longer than the limit (%zu): discarded",
						    used - 1, max_line);
				else if (nl > in.p)
					dispatch(in.p);
				memmove(in.p, in.p + used, in.len - used);
				in.len -= used;
				if (stop_requested)
					break;
			}
			/* A long request (a load) is not the client's silence. */
			last_input = mono_s();
			if (in.len > max_line) {
				reply_error(-1, "limit", 0, NULL, "request line longer than the limit (%zu bytes): discarded", max_line);
				in.len = 0;
				discarding = true;
			}
		}
		if (rings_dirty)
			rebuild_rings();
	}
	cleanup_all();
	free(in.p);
	free(libbpf_msgs.p);
	return 0;
}
