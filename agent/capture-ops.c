/* Capture ops: capture/capture_stop, ring buffer reading into batched "rows" events, and "stats" events. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "reply.h"

int rows_pending(struct agent *ag)
{
	return ag->rows.n;
}

/* A batch goes out when full (on_row) or, from the poll loop, once its first row is 4 coalescing rounds old. */
bool rows_due(struct agent *ag)
{
	struct timespec now;
	long ms;

	if (!ag->rows.n)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - ag->rows.started.tv_sec) * 1000 + (now.tv_nsec - ag->rows.started.tv_nsec) / 1000000;
	return ms >= 4 * ROWS_COALESCE_MS;
}

static void put_u16(struct sb *s, uint16_t v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	sb_raw(s, (const char *)b, 2);
}

static void put_u32(struct sb *s, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	sb_raw(s, (const char *)b, 4);
}

static void set_u32(struct sb *s, size_t at, uint32_t v)
{
	unsigned char *b = (unsigned char *)s->p + at;
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

void flush_rows(struct agent *ag)
{
	if (!ag->rows.n)
		return;
	if (ag->rows.binary) {
		/* Frame: RS, u32 payload length, then u32 capture, u32 row count, records. */
		set_u32(&ag->rows.sb, 1, (uint32_t)(ag->rows.sb.len - 5));
		set_u32(&ag->rows.sb, 9, (uint32_t)ag->rows.n);
		out_bytes(ag, &ag->rows.sb);
	} else {
		sb_lit(&ag->rows.sb, "]}");
		out_line(ag, &ag->rows.sb);
	}
	ag->rows.n = 0;
}

/*
 * The fixed 224-byte ring record of objects wrapped before records were sized exactly (they lack xm_scratch);
 * such an object can still be run as it is, so its rows are still read.
 */
struct xm_row_fixed {
	__u64 ts_ns;
	__u32 ifindex;
	__u32 queue;
	__s32 verdict;
	__u32 pkt_len;
	__u16 meta_len;
	__u16 head_len;
	__u16 snap;
	__u16 hook;
	__u8 meta[XM_META_MAX];
	__u8 pkt[XM_SNAP_MAX];
};

/* One ring record as the agent frames it, whichever layout it came in. */
struct row_view {
	const struct xm_rec *h;   /* ts_ns .. pkt_len and meta_len; meta_bytes and head_len below are checked */
	unsigned meta_bytes, head_len;
	const unsigned char *meta, *head;
};

/* Reads a ring record of `size` bytes; false when it is too short for what it claims (then it is skipped). */
static bool view_row(const struct prog *p, const void *data, size_t size, struct row_view *v, struct xm_rec *tmp)
{
	if (p->fixed_rows) {
		const struct xm_row_fixed *f = data;
		if (size < sizeof(*f))
			return false;
		*tmp = (struct xm_rec){ .ts_ns = f->ts_ns, .ifindex = f->ifindex, .queue = f->queue, .verdict = f->verdict,
					.pkt_len = f->pkt_len, .meta_len = f->meta_len, .hook = f->hook };
		v->h = tmp;
		v->meta_bytes = f->meta_len < XM_META_MAX ? f->meta_len : XM_META_MAX;
		v->head_len = f->head_len < XM_SNAP_MAX ? f->head_len : XM_SNAP_MAX;
		v->meta = f->meta;
		v->head = f->pkt;
		return true;
	}
	v->h = data;
	if (size < sizeof(*v->h) || v->h->meta_bytes > XM_META_MAX || v->h->head_len > XM_SNAP_MAX ||
	    size < sizeof(*v->h) + v->h->meta_bytes + v->h->head_len)
		return false;
	v->meta_bytes = v->h->meta_bytes;
	v->head_len = v->h->head_len;
	v->meta = (const unsigned char *)data + sizeof(*v->h);
	v->head = v->meta + v->meta_bytes;
	return true;
}

/* One packed record: u16 record length, u16 meta_len, u16 meta bytes, u16 head bytes, u64 ts_us, u32 ifindex,
 * u32 queue, s32 verdict, u32 pkt_len (32 bytes), then the meta and head bytes. Little endian. */
static void binary_row(struct sb *out, const struct prog *p, const struct row_view *v)
{
	uint64_t ts = (v->h->ts_ns + p->mono_to_real_ns) / 1000;

	put_u16(out, (uint16_t)(32 + v->meta_bytes + v->head_len));
	put_u16(out, v->h->meta_len);
	put_u16(out, (uint16_t)v->meta_bytes);
	put_u16(out, (uint16_t)v->head_len);
	put_u32(out, (uint32_t)ts);
	put_u32(out, (uint32_t)(ts >> 32));
	put_u32(out, v->h->ifindex);
	put_u32(out, v->h->queue);
	put_u32(out, (uint32_t)v->h->verdict);
	put_u32(out, v->h->pkt_len);
	sb_raw(out, (const char *)v->meta, v->meta_bytes);
	sb_raw(out, (const char *)v->head, v->head_len);
}

static int on_row(void *ctx, void *data, size_t size)
{
	struct row_src *src = ctx;
	struct agent *ag = src->ag;
	struct rows_batch *b = &ag->rows;
	struct prog *p = src->p;
	struct row_view v;
	struct xm_rec tmp;
	if (!view_row(p, data, size, &v, &tmp))
		return 0;
	if (b->n && (b->capture_id != p->capture_id || b->binary != p->binary))
		flush_rows(ag);
	if (p->binary) {
		if (!b->n) {
			b->sb.len = 0;
			sb_raw(&b->sb, "\x1e\0\0\0\0", 5);
			put_u32(&b->sb, (uint32_t)p->capture_id);
			put_u32(&b->sb, 0);
			b->capture_id = p->capture_id;
			b->binary = 1;
			clock_gettime(CLOCK_MONOTONIC, &b->started);
		}
		binary_row(&b->sb, p, &v);
		if (++b->n >= b->max)
			flush_rows(ag);
		return 0;
	}
	if (!b->n) {
		b->sb.len = 0;
		sb_lit(&b->sb, "{\"ev\":\"rows\",\"capture\":");
		sb_i64(&b->sb, p->capture_id);
		sb_lit(&b->sb, ",\"rows\":[");
		b->capture_id = p->capture_id;
		b->binary = 0;
		clock_gettime(CLOCK_MONOTONIC, &b->started);
	} else {
		sb_raw(&b->sb, ",", 1);
	}
	sb_raw(&b->sb, "[", 1);
	sb_u64(&b->sb, (v.h->ts_ns + p->mono_to_real_ns) / 1000);
	sb_raw(&b->sb, ",", 1);
	sb_u64(&b->sb, v.h->ifindex);
	sb_raw(&b->sb, ",", 1);
	sb_u64(&b->sb, v.h->queue);
	sb_raw(&b->sb, ",", 1);
	sb_i64(&b->sb, v.h->verdict);
	sb_raw(&b->sb, ",", 1);
	sb_u64(&b->sb, v.h->pkt_len);
	sb_raw(&b->sb, ",", 1);
	sb_u64(&b->sb, v.h->meta_len);
	sb_raw(&b->sb, ",", 1);
	sb_hex(&b->sb, v.meta, v.meta_bytes);
	sb_raw(&b->sb, ",", 1);
	sb_hex(&b->sb, v.head, v.head_len);
	sb_raw(&b->sb, "]", 1);
	if (++b->n >= b->max)
		flush_rows(ag);
	return 0;
}

static bool read_stats(struct prog *p, struct xm_stats *tot)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xm_stats *per;
	__u32 zero = 0;
	memset(tot, 0, sizeof(*tot));
	if (ncpu <= 0 || !p->cap_obj)
		return false;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return false;
	if (bpf_map__lookup_elem(bpf_object__find_map_by_name(p->cap_obj, "xm_stats"), &zero, sizeof(zero), per,
				 sizeof(*per) * (size_t)ncpu, 0) == 0) {
		for (int i = 0; i < ncpu; i++) {
			tot->seen += per[i].seen;
			tot->captured += per[i].captured;
			tot->sampled_out += per[i].sampled_out;
			tot->rate_limited += per[i].rate_limited;
			tot->ringbuf_full += per[i].ringbuf_full;
		}
	}
	free(per);
	return true;
}

void emit_stats(struct agent *ag, struct prog *p, bool final)
{
	struct xm_stats t;
	struct sb s = { 0 };
	if (!p->capture_id || !read_stats(p, &t))
		return;
	if (!final && !memcmp(&t, &p->last, sizeof(t)))
		return;
	p->last = t;
	flush_rows(ag);
	sb_fmt(&s, "{\"ev\":\"stats\",\"capture\":%d,\"seen\":%llu,\"captured\":%llu,\"sampled_out\":%llu,"
		   "\"rate_limited\":%llu,\"ringbuf_full\":%llu,\"final\":%s}",
	       p->capture_id, (unsigned long long)t.seen, (unsigned long long)t.captured,
	       (unsigned long long)t.sampled_out, (unsigned long long)t.rate_limited,
	       (unsigned long long)t.ringbuf_full, final ? "true" : "false");
	out_line(ag, &s);
	free(s.p);
}

void rebuild_rings(struct agent *ag)
{
	ring_buffer__free(ag->rings);
	ag->rings = NULL;
	for (int i = 0; i < MAX_PROGS; i++) {
		struct prog *p = &ag->progs[i];
		int fd;
		if (!p->id || !p->capture_id)
			continue;
		fd = bpf_map__fd(bpf_object__find_map_by_name(p->cap_obj, "xm_rows"));
		ag->row_srcs[i] = (struct row_src){ .ag = ag, .p = p };
		if (!ag->rings)
			ag->rings = ring_buffer__new(fd, on_row, &ag->row_srcs[i], NULL);
		else
			ring_buffer__add(ag->rings, fd, on_row, &ag->row_srcs[i]);
	}
	ag->rings_dirty = false;
}

static int set_config(struct prog *p, bool enabled, uint32_t sample, uint32_t rate, uint32_t snap)
{
	struct xm_config c = { .enabled = enabled, .sample_every = sample, .rate_per_cpu = rate, .snap = snap };
	__u32 zero = 0;
	return bpf_map__update_elem(bpf_object__find_map_by_name(p->cap_obj, "xm_config"), &zero, sizeof(zero), &c,
				    sizeof(c), 0);
}

void op_capture(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog(ag, (int)jreq_num(r, "prog", 0));
	int64_t sample = jreq_num(r, "sample", 1), rate = jreq_num(r, "rate", 0), snap = jreq_num(r, "snap", 64);
	int ncpu = libbpf_num_possible_cpus();
	struct timespec rt, mt;
	struct sb s = { 0 };
	const char *framing;
	int err;
	if (!p || !p->capture) {
		reply_error(ag, id, "not_found", 0, NULL, "no program loaded with capture under handle %lld",
			    (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (sample < 1 || rate < 0 || snap < 0 || snap > XM_SNAP_MAX) {
		reply_error(ag, id, "bad_request", 0, NULL, "sample >= 1, rate >= 0 and snap 0..%d", XM_SNAP_MAX);
		return;
	}
	framing = jreq_str(r, "framing", "json");
	if (strcmp(framing, "json") && strcmp(framing, "binary")) {
		reply_error(ag, id, "bad_request", 0, NULL, "framing is \"json\" or \"binary\", not \"%s\"", framing);
		return;
	}
	ag->rows.max = (int)jreq_num(r, "batch", 512);
	if (ag->rows.max < 1)
		ag->rows.max = 1;
	if (ag->rows.max > 4096)
		ag->rows.max = 4096;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	p->mono_to_real_ns = ((uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec) -
			     ((uint64_t)mt.tv_sec * 1000000000ULL + (uint64_t)mt.tv_nsec);
	/* The rate is per second overall; the BPF side counts per CPU. */
	err = set_config(p, true, (uint32_t)sample, rate ? (uint32_t)((rate + ncpu - 1) / ncpu) : 0, (uint32_t)snap);
	if (err) {
		reply_error(ag, id, "capture_failed", -err, NULL, "cannot configure the capture");
		return;
	}
	flush_rows(ag);
	p->capture_id = ag->next_handle++;
	p->binary = !strcmp(framing, "binary");
	p->snap = (int)snap;
	p->fixed_rows = !bpf_object__find_map_by_name(p->cap_obj, "xm_scratch");
	memset(&p->last, 0, sizeof(p->last));
	rebuild_rings(ag);
	reply_begin(&s, id);
	sb_fmt(&s, ",\"capture\":%d,\"framing\":\"%s\",\"mechanism\":\"%s\",\"hook\":\"%s\",\"meta_max\":%d,\"snap\":%lld,"
		   "\"blind_spots\":[\"%s\","
		   "\"what happens after the verdict (a redirect that fails, a TC action's effect)\","
		   "\"metadata beyond %d bytes and packet bytes beyond the snap length or in XDP fragments\","
		   "\"rows sampled out, rate-limited or lost to a full ring buffer (counted in stats events)\"]",
	       p->capture_id, p->binary ? "binary" : "json", p->freplace ? "freplace-dispatcher" : "compile-time-wrapper",
	       p->hook == HOOK_XDP ? "xdp" : "tc", XM_META_MAX, (long long)snap,
	       p->hook == HOOK_XDP ? "packets the driver drops before the XDP hook"
				   : "packets that never reach TC ingress (dropped by XDP, the driver or the stack)",
	       XM_META_MAX);
	reply_end(ag, &s);
	free(s.p);
}

void capture_stop(struct agent *ag, struct prog *p)
{
	if (!p->capture_id)
		return;
	set_config(p, false, 0, 0, 0);
	if (ag->rings)
		ring_buffer__consume(ag->rings);
	flush_rows(ag);
	emit_stats(ag, p, true);
	p->capture_id = 0;
	rebuild_rings(ag);
}

void op_capture_stop(struct agent *ag, int64_t id, const struct jreq *r)
{
	int cap = (int)jreq_num(r, "capture", 0);
	struct sb s = { 0 };
	for (int i = 0; i < MAX_PROGS; i++)
		if (ag->progs[i].id && ag->progs[i].capture_id == cap) {
			capture_stop(ag, &ag->progs[i]);
			reply_begin(&s, id);
			reply_end(ag, &s);
			free(s.p);
			return;
		}
	reply_error(ag, id, "not_found", 0, NULL, "no capture %d", cap);
}
