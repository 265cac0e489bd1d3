/* The load op: open a BPF object (base64 or a path on this host), pick a program, set up capture, load, reply. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "codec.h"
#include "json.h"
#include "reply.h"

/* One load request: its options, then what was resolved from them step by step. */
struct load {
	int64_t id;
	const char *path;
	const struct jv *b64;
	const char *want;             /* "program" */
	const char *dev_bound_s;
	int log_level;
	int64_t log_size;
	int ifindex;
	const char *capture_s;
	bool capture, freplace;
	const char *hook_s;
	struct prog *slot;
	struct bpf_object *obj;
	struct bpf_program *prog;
	enum hook hook;
	bool dev_bound;
	char *log;                    /* the verifier log buffer (log_level > 0) */
};

static void load_read(struct load *ld, int64_t id, const struct jreq *r)
{
	ld->id = id;
	ld->path = jreq_str(r, "path", NULL);
	ld->b64 = jreq_get(r, "object");
	ld->want = jreq_str(r, "program", NULL);
	ld->dev_bound_s = jreq_str(r, "dev_bound", "auto");
	ld->log_level = (int)jreq_num(r, "log_level", 1);
	ld->log_size = jreq_num(r, "log_size", 16 << 20);
	ld->ifindex = (int)jreq_num(r, "ifindex", 0);
	ld->capture_s = jreq_str(r, "capture", "none");
	ld->capture = strcmp(ld->capture_s, "none") != 0;
	ld->freplace = !strcmp(ld->capture_s, "freplace");
	ld->hook_s = jreq_str(r, "hook", NULL);
}

/* Undoes a failed load after its error reply: the log, the object, and the slot (with any dispatcher in it). */
static void load_abort(struct agent *ag, struct load *ld)
{
	free(ld->log);
	if (!ld->slot->obj)
		bpf_object__close(ld->obj);
	prog_free(ag, ld->slot);
}

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

/* Opens the object from "object" (base64, decoded in place) or "path"; replies and returns false on failure. */
static bool load_open(struct agent *ag, struct load *ld, const struct jreq *r)
{
	char *data = NULL;
	size_t len = 0;
	bool owned = false; /* base64 decodes in place inside the request line; only read_file's buffer is ours to free */
	int err;
	LIBBPF_OPTS(bpf_object_open_opts, oo);

	if (ld->b64 && ld->b64->type == JV_STR) {
		ssize_t n = b64_decode(ld->b64->str, ld->b64->len);
		if (n < 0) {
			reply_error(ag, ld->id, "bad_request", 0, NULL, "\"object\" is not valid base64");
			return false;
		}
		data = ld->b64->str;
		len = (size_t)n;
	} else if (ld->path) {
		data = read_file(ld->path, &len);
		owned = true;
		if (!data) {
			reply_error(ag, ld->id, "not_found", errno, NULL, "cannot read %s", ld->path);
			return false;
		}
	} else {
		reply_error(ag, ld->id, "bad_request", 0, NULL, "load needs \"object\" (base64) or \"path\"");
		return false;
	}
	oo.object_name = jreq_str(r, "name", "xdp_meta_obj");
	if (strcmp(ag->btf_path, "/sys/kernel/btf/vmlinux") != 0)
		oo.btf_custom_path = ag->btf_path;
	ld->obj = bpf_object__open_mem(data, len, &oo);
	err = ld->obj ? 0 : -errno;
	if (owned)
		free(data);
	if (!ld->obj) {
		reply_error(ag, ld->id, "open_failed", -err, NULL, "libbpf cannot open the object (not a BPF ELF object?)");
		return false;
	}
	return true;
}

/* The named program, else the first XDP or TC one (the first of any type when no hook is asked for). */
static bool load_pick(struct agent *ag, struct load *ld)
{
	struct bpf_program *p;
	struct sb names = { 0 };

	bpf_object__for_each_program(p, ld->obj) {
		if (ld->want ? !strcmp(bpf_program__name(p), ld->want) : !ld->prog) {
			enum bpf_prog_type t = bpf_program__type(p);
			if (ld->want || t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || !ld->hook_s)
				ld->prog = p;
		}
	}
	if (ld->prog)
		return true;
	bpf_object__for_each_program(p, ld->obj) {
		sb_lit(&names, names.len ? ", " : "");
		sb_lit(&names, bpf_program__name(p));
	}
	reply_error(ag, ld->id, "not_found", 0, NULL, "no program %s%s in the object (programs: %s)",
		    ld->want ? "named " : "", ld->want ? ld->want : "of type xdp or tc", names.len ? names.p : "none");
	free(names.p);
	return false;
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

/* Settles the hook and device binding, then checks the capture mode fits the program and object. */
static bool load_check(struct agent *ag, struct load *ld)
{
	enum bpf_prog_type type = bpf_program__type(ld->prog);

	ld->hook = type == BPF_PROG_TYPE_SCHED_CLS ? HOOK_TC : HOOK_XDP;
	if (ld->hook_s)
		ld->hook = !strcmp(ld->hook_s, "tc") ? HOOK_TC : HOOK_XDP;
	if (!strcmp(ld->dev_bound_s, "auto"))
		ld->dev_bound = ld->hook == HOOK_XDP && object_calls_metadata_kfuncs(ld->obj);
	else
		ld->dev_bound = !strcmp(ld->dev_bound_s, "yes") || !strcmp(ld->dev_bound_s, "true");
	if (ld->dev_bound && ld->ifindex <= 0) {
		reply_error(ag, ld->id, "needs_device", 0, NULL,
			    "program %s calls XDP metadata kfuncs (bpf_xdp_metadata_*), which only load device-bound: "
			    "name the interface to bind it to", bpf_program__name(ld->prog));
		return false;
	}
	if (ld->capture && type != (ld->hook == HOOK_XDP ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS)) {
		reply_error(ag, ld->id, "unsupported", 0, NULL, "capture works for XDP and TC (sched_cls) programs, not %s",
			    prog_type_name(type));
		return false;
	}
	if (ld->capture && strcmp(ld->capture_s, "wrapped") && !ld->freplace) {
		reply_error(ag, ld->id, "bad_request", 0, NULL, "capture must be \"none\", \"wrapped\" or \"freplace\"");
		return false;
	}
	if (ld->capture && !ld->freplace && !bpf_object__find_map_by_name(ld->obj, "xm_rows")) {
		reply_error(ag, ld->id, "bad_request", 0, NULL,
			    "capture \"wrapped\" needs an object compiled with the xdp-meta capture wrapper (no xm_rows map)");
		return false;
	}
	return true;
}

/* Capture "freplace": load the dispatcher, and make the user's program an extension of its stub. */
static bool load_freplace_target(struct agent *ag, struct load *ld)
{
	struct prog *slot = ld->slot;
	char errbuf[512];
	int err;

	slot->disp = open_capture_dispatcher(ld->hook, ld->ifindex, ld->dev_bound, errbuf, sizeof(errbuf));
	if (!slot->disp) {
		reply_error(ag, ld->id, "load_failed", 0, NULL, "%s", errbuf);
		return false;
	}
	slot->disp_prog = bpf_object__find_program_by_name(slot->disp, ld->hook == HOOK_XDP ? "xm_dispatch_xdp" : "xm_dispatch_tc");
	/* Load the user's program as an extension of the dispatcher's stub: it inherits device binding. */
	bpf_program__set_type(ld->prog, BPF_PROG_TYPE_EXT);
	bpf_program__set_expected_attach_type(ld->prog, 0);
	err = bpf_program__set_attach_target(ld->prog, bpf_program__fd(slot->disp_prog),
					     ld->hook == HOOK_XDP ? "xm_user_xdp" : "xm_user_tc");
	if (err) {
		reply_error(ag, ld->id, "load_failed", -err, NULL, "cannot target the capture stub");
		return false;
	}
	return true;
}

/* Device binding (plain or wrapped) and the verifier log buffer, then BPF_PROG_LOAD through libbpf. */
static bool load_object(struct agent *ag, struct load *ld)
{
	int err;

	if (ld->dev_bound && !ld->freplace) {
		/* Plain or wrapped: the program itself is bound (the capture epilogue is inlined into it). */
		bpf_program__set_ifindex(ld->prog, (__u32)ld->ifindex);
		bpf_program__set_flags(ld->prog, bpf_program__flags(ld->prog) | XM_BPF_F_XDP_DEV_BOUND_ONLY);
	}
	if (ld->log_level > 0) {
		ld->log = calloc(1, (size_t)ld->log_size);
		if (!ld->log) {
			reply_error(ag, ld->id, "limit", ENOMEM, NULL, "cannot allocate a %lld-byte log buffer", (long long)ld->log_size);
			return false;
		}
		bpf_program__set_log_buf(ld->prog, ld->log, (size_t)ld->log_size);
		bpf_program__set_log_level(ld->prog, (__u32)ld->log_level);
	}
	err = bpf_object__load(ld->obj);
	if (err) {
		/* libbpf says "BPF program load failed" only when the kernel's BPF_PROG_LOAD did; before that
		 * (section, map, attach target, kfunc) it refused by itself and there is no verifier log. */
		int by_kernel = ag->libbpf_msgs.p && strstr(ag->libbpf_msgs.p, "BPF program load failed");
		reply_error(ag, ld->id, "load_failed", -err, ld->log && by_kernel ? ld->log : "",
			    "%s program %s (%s%s): %s%s", by_kernel ? "the kernel rejected" : "libbpf could not load",
			    bpf_program__name(ld->prog),
			    ld->freplace ? "as a freplace extension" : ld->capture ? "with the capture wrapper" : "plain",
			    ld->dev_bound ? ", device-bound" : "", strerror(-err),
			    err == -ENOSPC ? "; the verifier log did not fit: raise log_size"
			    : (ld->freplace && err == -EPERM && !(ld->log && *ld->log))
				? "; this kernel refuses BPF_PROG_TYPE_EXT (freplace): capture through a wrapper "
				  "(xdp-meta wraps a .bpf.c at compile time and an object at link time)" : "");
		return false;
	}
	return true;
}

/* Takes the slot: a handle, and for freplace the extension linked into the dispatcher. */
static bool load_commit(struct agent *ag, struct load *ld)
{
	struct prog *slot = ld->slot;

	slot->id = ag->next_handle++;
	slot->obj = ld->obj;
	slot->prog = ld->prog;
	slot->hook = ld->hook;
	slot->ifindex = ld->dev_bound ? ld->ifindex : 0;
	slot->capture = ld->capture;
	slot->freplace = ld->freplace;
	slot->cap_obj = ld->freplace ? slot->disp : (ld->capture ? ld->obj : NULL);
	slot->run_prog = ld->freplace ? slot->disp_prog : ld->prog;
	if (ld->freplace) {
		slot->ext_link = bpf_program__attach_freplace(ld->prog, bpf_program__fd(slot->disp_prog),
							       ld->hook == HOOK_XDP ? "xm_user_xdp" : "xm_user_tc");
		if (!slot->ext_link) {
			int err = -errno;
			reply_error(ag, ld->id, "load_failed", -err, ld->log, "cannot link program %s into the capture dispatcher",
				    bpf_program__name(ld->prog));
			return false;
		}
	}
	return true;
}

static void load_reply(struct agent *ag, const struct load *ld)
{
	const struct prog *slot = ld->slot;
	struct bpf_program *p;
	struct sb s = { 0 };
	struct bpf_prog_info info = { 0 };
	__u32 ilen = sizeof(info);

	bpf_obj_get_info_by_fd(bpf_program__fd(ld->prog), &info, &ilen);
	reply_begin(&s, ld->id);
	sb_fmt(&s, ",\"prog\":%d,\"name\":", slot->id);
	sb_str(&s, bpf_program__name(ld->prog));
	sb_lit(&s, ",\"section\":");
	sb_str(&s, bpf_program__section_name(ld->prog));
	sb_lit(&s, ",\"type\":");
	sb_str(&s, ld->hook == HOOK_XDP ? "xdp" : "tc");
	sb_fmt(&s, ",\"kernel_prog_id\":%u,\"insns\":%u,\"dev_bound\":%s,\"ifindex\":%d,\"capture\":\"%s\"", info.id,
	       info.xlated_prog_len / 8, ld->dev_bound ? "true" : "false", slot->ifindex, ld->capture_s);
	if (ld->freplace) {
		struct bpf_prog_info dinfo = { 0 };
		__u32 dlen = sizeof(dinfo);
		bpf_obj_get_info_by_fd(bpf_program__fd(slot->disp_prog), &dinfo, &dlen);
		sb_fmt(&s, ",\"dispatcher_prog_id\":%u", dinfo.id);
	}
	sb_lit(&s, ",\"programs\":[");
	bpf_object__for_each_program(p, ld->obj) {
		if (p != bpf_object__next_program(ld->obj, NULL))
			sb_lit(&s, ",");
		sb_str(&s, bpf_program__name(p));
	}
	sb_lit(&s, "],\"log\":");
	sb_str(&s, ld->log ? ld->log : "");
	if (ag->libbpf_msgs.len) {
		sb_lit(&s, ",\"libbpf_log\":");
		sb_strn(&s, ag->libbpf_msgs.p, ag->libbpf_msgs.len);
	}
	reply_end(ag, &s);
	free(s.p);
}

void op_load(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct load ld = { 0 };
	struct bpf_program *p;

	load_read(&ld, id, r);
	ag->libbpf_debug = jreq_bool(r, "libbpf_debug", false);
	ld.slot = prog_slot(ag);
	if (!ld.slot) {
		reply_error(ag, id, "limit", 0, NULL, "too many loaded programs (%d): unload some first", MAX_PROGS);
		return;
	}
	if (access(ag->btf_path, R_OK) != 0) {
		reply_error(ag, id, "no_btf", errno, NULL,
			    "kernel BTF not found at %s: this kernel lacks CONFIG_DEBUG_INFO_BTF, so CO-RE relocations and "
			    "freplace capture cannot work; use a kernel with BTF", ag->btf_path);
		return;
	}
	if (ld.log_level < 0 || ld.log_level > 2 || ld.log_size < 4096 || ld.log_size > (int64_t)(UINT_MAX >> 2)) {
		reply_error(ag, id, "bad_request", 0, NULL, "log_level must be 0..2 and log_size 4096..%u", UINT_MAX >> 2);
		return;
	}
	if (!load_open(ag, &ld, r))
		return;
	if (!load_pick(ag, &ld)) {
		bpf_object__close(ld.obj);
		return;
	}
	bpf_object__for_each_program(p, ld.obj)
		bpf_program__set_autoload(p, p == ld.prog);
	if (!load_check(ag, &ld) || (ld.freplace && !load_freplace_target(ag, &ld)) || !load_object(ag, &ld) ||
	    !load_commit(ag, &ld)) {
		load_abort(ag, &ld);
		return;
	}
	load_reply(ag, &ld);
	free(ld.log);
}
