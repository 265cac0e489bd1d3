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

/* Row batching: rows of all captures go out in "rows" events of at most `batch_max` rows. */
static struct sb rows_sb;
static int rows_in_batch, rows_cap_id, batch_max = 512;

void flush_rows(void)
{
	if (!rows_in_batch)
		return;
	sb_lit(&rows_sb, "]}");
	out_line(&rows_sb);
	rows_in_batch = 0;
}

static int on_row(void *ctx, void *data, size_t size)
{
	struct prog *p = ctx;
	const struct xm_row *row = data;
	if (size < sizeof(*row))
		return 0;
	if (rows_in_batch && rows_cap_id != p->capture_id)
		flush_rows();
	if (!rows_in_batch) {
		rows_sb.len = 0;
		sb_lit(&rows_sb, "{\"ev\":\"rows\",\"capture\":");
		sb_i64(&rows_sb, p->capture_id);
		sb_lit(&rows_sb, ",\"rows\":[");
		rows_cap_id = p->capture_id;
	} else {
		sb_raw(&rows_sb, ",", 1);
	}
	sb_raw(&rows_sb, "[", 1);
	sb_u64(&rows_sb, (row->ts_ns + p->mono_to_real_ns) / 1000);
	sb_raw(&rows_sb, ",", 1);
	sb_u64(&rows_sb, row->ifindex);
	sb_raw(&rows_sb, ",", 1);
	sb_u64(&rows_sb, row->queue);
	sb_raw(&rows_sb, ",", 1);
	sb_i64(&rows_sb, row->verdict);
	sb_raw(&rows_sb, ",", 1);
	sb_u64(&rows_sb, row->pkt_len);
	sb_raw(&rows_sb, ",", 1);
	sb_u64(&rows_sb, row->meta_len);
	sb_raw(&rows_sb, ",", 1);
	sb_hex(&rows_sb, row->meta, row->meta_len < XM_META_MAX ? row->meta_len : XM_META_MAX);
	sb_raw(&rows_sb, ",", 1);
	sb_hex(&rows_sb, row->pkt, row->head_len < XM_SNAP_MAX ? row->head_len : XM_SNAP_MAX);
	sb_raw(&rows_sb, "]", 1);
	if (++rows_in_batch >= batch_max)
		flush_rows();
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

void emit_stats(struct prog *p, bool final)
{
	struct xm_stats t;
	struct sb s = { 0 };
	if (!p->capture_id || !read_stats(p, &t))
		return;
	if (!final && !memcmp(&t, &p->last, sizeof(t)))
		return;
	p->last = t;
	flush_rows();
	sb_fmt(&s, "{\"ev\":\"stats\",\"capture\":%d,\"seen\":%llu,\"captured\":%llu,\"sampled_out\":%llu,"
		   "\"rate_limited\":%llu,\"ringbuf_full\":%llu,\"final\":%s}",
	       p->capture_id, (unsigned long long)t.seen, (unsigned long long)t.captured,
	       (unsigned long long)t.sampled_out, (unsigned long long)t.rate_limited,
	       (unsigned long long)t.ringbuf_full, final ? "true" : "false");
	out_line(&s);
	free(s.p);
}

void rebuild_rings(void)
{
	ring_buffer__free(rings);
	rings = NULL;
	for (int i = 0; i < MAX_PROGS; i++) {
		struct prog *p = &progs[i];
		int fd;
		if (!p->id || !p->capture_id)
			continue;
		fd = bpf_map__fd(bpf_object__find_map_by_name(p->cap_obj, "xm_rows"));
		if (!rings)
			rings = ring_buffer__new(fd, on_row, p, NULL);
		else
			ring_buffer__add(rings, fd, on_row, p);
	}
	rings_dirty = false;
}

static int set_config(struct prog *p, bool enabled, uint32_t sample, uint32_t rate, uint32_t snap)
{
	struct xm_config c = { .enabled = enabled, .sample_every = sample, .rate_per_cpu = rate, .snap = snap };
	__u32 zero = 0;
	return bpf_map__update_elem(bpf_object__find_map_by_name(p->cap_obj, "xm_config"), &zero, sizeof(zero), &c,
				    sizeof(c), 0);
}

void op_capture(int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog((int)jreq_num(r, "prog", 0));
	int64_t sample = jreq_num(r, "sample", 1), rate = jreq_num(r, "rate", 0), snap = jreq_num(r, "snap", 64);
	int ncpu = libbpf_num_possible_cpus();
	struct timespec rt, mt;
	struct sb s = { 0 };
	int err;
	if (!p || !p->capture) {
		reply_error(id, "not_found", 0, NULL, "no program loaded with capture under handle %lld",
			    (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (sample < 1 || rate < 0 || snap < 0 || snap > XM_SNAP_MAX) {
		reply_error(id, "bad_request", 0, NULL, "sample >= 1, rate >= 0 and snap 0..%d", XM_SNAP_MAX);
		return;
	}
	batch_max = (int)jreq_num(r, "batch", 512);
	if (batch_max < 1)
		batch_max = 1;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	p->mono_to_real_ns = ((uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec) -
			     ((uint64_t)mt.tv_sec * 1000000000ULL + (uint64_t)mt.tv_nsec);
	/* The rate is per second overall; the BPF side counts per CPU. */
	err = set_config(p, true, (uint32_t)sample, rate ? (uint32_t)((rate + ncpu - 1) / ncpu) : 0, (uint32_t)snap);
	if (err) {
		reply_error(id, "capture_failed", -err, NULL, "cannot configure the capture");
		return;
	}
	p->capture_id = next_handle++;
	p->snap = (int)snap;
	memset(&p->last, 0, sizeof(p->last));
	rebuild_rings();
	reply_begin(&s, id);
	sb_fmt(&s, ",\"capture\":%d,\"mechanism\":\"%s\",\"hook\":\"%s\",\"meta_max\":%d,\"snap\":%lld,"
		   "\"blind_spots\":[\"%s\","
		   "\"what happens after the verdict (a redirect that fails, a TC action's effect)\","
		   "\"metadata beyond %d bytes and packet bytes beyond the snap length or in XDP fragments\","
		   "\"rows sampled out, rate-limited or lost to a full ring buffer (counted in stats events)\"]",
	       p->capture_id, p->freplace ? "freplace-dispatcher" : "compile-time-wrapper",
	       p->hook == HOOK_XDP ? "xdp" : "tc", XM_META_MAX, (long long)snap,
	       p->hook == HOOK_XDP ? "packets the driver drops before the XDP hook"
				   : "packets that never reach TC ingress (dropped by XDP, the driver or the stack)",
	       XM_META_MAX);
	reply_end(&s);
	free(s.p);
}

void capture_stop(struct prog *p)
{
	if (!p->capture_id)
		return;
	set_config(p, false, 0, 0, 0);
	if (rings)
		ring_buffer__consume(rings);
	flush_rows();
	emit_stats(p, true);
	p->capture_id = 0;
	rebuild_rings();
}

void op_capture_stop(int64_t id, const struct jreq *r)
{
	int cap = (int)jreq_num(r, "capture", 0);
	struct sb s = { 0 };
	for (int i = 0; i < MAX_PROGS; i++)
		if (progs[i].id && progs[i].capture_id == cap) {
			capture_stop(&progs[i]);
			reply_begin(&s, id);
			reply_end(&s);
			free(s.p);
			return;
		}
	reply_error(id, "not_found", 0, NULL, "no capture %d", cap);
}
