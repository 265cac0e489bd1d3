/* The loaded-program table: lookup, free slots, freeing a program with its links, unload, and teardown of all. */
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "reply.h"

struct prog *find_prog(struct agent *ag, int id)
{
	for (int i = 0; i < MAX_PROGS; i++)
		if (id && ag->progs[i].id == id)
			return &ag->progs[i];
	return NULL;
}

/* A free (all-zero) slot, or NULL when MAX_PROGS programs are loaded. */
struct prog *prog_slot(struct agent *ag)
{
	for (int i = 0; i < MAX_PROGS; i++)
		if (!ag->progs[i].id)
			return &ag->progs[i];
	return NULL;
}

void prog_free(struct agent *ag, struct prog *p)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (ag->links[i].id && ag->links[i].prog_id == p->id)
			link_close(&ag->links[i]);
	if (p->capture_id)
		ag->rings_dirty = true;
	bpf_link__destroy(p->ext_link);
	bpf_object__close(p->obj);
	bpf_object__close(p->disp);
	memset(p, 0, sizeof(*p));
}

void cleanup_all(struct agent *ag)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (ag->links[i].id)
			link_close(&ag->links[i]);
	ring_buffer__free(ag->rings);
	ag->rings = NULL;
	for (int i = 0; i < MAX_PROGS; i++)
		if (ag->progs[i].id)
			prog_free(ag, &ag->progs[i]);
}

void op_unload(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog(ag, (int)jreq_num(r, "prog", 0));
	struct sb s = { 0 };
	if (!p) {
		reply_error(ag, id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	capture_stop(ag, p);
	prog_free(ag, p);
	if (ag->rings_dirty)
		rebuild_rings(ag);
	reply_begin(&s, id);
	reply_end(ag, &s);
	free(s.p);
}
