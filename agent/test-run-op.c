/* The test_run op: one packet (and its metadata) through BPF_PROG_TEST_RUN, with the rows a capture recorded. */
#include <errno.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "codec.h"
#include "json.h"
#include "reply.h"

void op_test_run(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog(ag, (int)jreq_num(r, "prog", 0));
	const char *data_hex = jreq_str(r, "data", "");
	const char *meta_hex = jreq_str(r, "meta", "");
	int64_t repeat = jreq_num(r, "repeat", 1);
	uint8_t *in = ag->test_in, *out = ag->test_out;
	struct xdp_md ctx_in = { 0 }, ctx_out = { 0 };
	ssize_t mlen, dlen;
	int fd, err;
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct sb s = { 0 };

	if (!p) {
		reply_error(ag, id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (p->ifindex) {
		reply_error(ag, id, "dev_bound_test_run", EINVAL, NULL,
			    "BPF_PROG_TEST_RUN is impossible for a device-bound program (the kernel returns EINVAL): "
			    "program %s calls metadata kfuncs, which only run on the device; capture live traffic instead",
			    bpf_program__name(p->prog));
		return;
	}
	if (p->hook != HOOK_XDP) {
		reply_error(ag, id, "unsupported", 0, NULL, "test_run is implemented for XDP programs");
		return;
	}
	mlen = hex_decode(meta_hex, in, 256);
	dlen = mlen < 0 ? -1 : hex_decode(data_hex, in + mlen, sizeof(ag->test_in) - (size_t)mlen);
	if (mlen < 0 || dlen < 0 || (mlen & 3) || mlen > 32) {
		reply_error(ag, id, "bad_request", 0, NULL, "\"data\" and \"meta\" must be hex; meta a multiple of 4 bytes, at most 32");
		return;
	}
	if (dlen < 14) {
		reply_error(ag, id, "bad_request", 0, NULL, "a test packet needs at least an Ethernet header (14 bytes), got %zd", dlen);
		return;
	}
	if (repeat < 1 || repeat > 100000000) {
		reply_error(ag, id, "bad_request", 0, NULL, "repeat must be 1..100000000");
		return;
	}
	ctx_in.data = (__u32)mlen;
	ctx_in.data_end = (__u32)(mlen + dlen);
	o.data_in = in;
	o.data_size_in = (__u32)(mlen + dlen);
	o.data_out = out;
	o.data_size_out = sizeof(ag->test_out);
	o.ctx_in = &ctx_in;
	o.ctx_size_in = sizeof(ctx_in);
	o.ctx_out = &ctx_out;
	o.ctx_size_out = sizeof(ctx_out);
	o.repeat = (int)repeat;
	/* A capturing program records test runs too: the dry run shows up as rows, and the bench uses that. */
	fd = bpf_program__fd(p->run_prog);
	err = bpf_prog_test_run_opts(fd, &o);
	if (err) {
		reply_error(ag, id, "test_run_failed", -err, NULL, "BPF_PROG_TEST_RUN failed for %s", bpf_program__name(p->prog));
		return;
	}
	if (ag->rings)
		ring_buffer__consume(ag->rings);
	flush_rows(ag);
	reply_begin(&s, id);
	sb_fmt(&s, ",\"retval\":%u,\"duration_ns\":%u,\"meta_len\":%u,\"meta\":", o.retval, o.duration, ctx_out.data);
	sb_hex(&s, out, ctx_out.data <= o.data_size_out ? ctx_out.data : 0);
	sb_lit(&s, ",\"data\":");
	sb_hex(&s, out + (ctx_out.data <= o.data_size_out ? ctx_out.data : 0),
	       ctx_out.data <= o.data_size_out ? o.data_size_out - ctx_out.data : 0);
	reply_end(ag, &s);
	free(s.p);
}
