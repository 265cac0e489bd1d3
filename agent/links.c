/* The link table: attach (bpf_link_create, XDP or tcx), detach, and dropping links whose interface went away. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "reply.h"

static struct link *find_link(struct agent *ag, int id)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (id && ag->links[i].id == id)
			return &ag->links[i];
	return NULL;
}

void link_close(struct link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

void op_attach(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct prog *p = find_prog(ag, (int)jreq_num(r, "prog", 0));
	int ifindex = (int)jreq_num(r, "ifindex", 0);
	const char *mode = jreq_str(r, "mode", "native");
	struct link *slot = NULL;
	int fd, attach_type, ssh_if;
	LIBBPF_OPTS(bpf_link_create_opts, lo);

	if (!p) {
		reply_error(ag, id, "not_found", 0, NULL, "no loaded program with handle %lld", (long long)jreq_num(r, "prog", 0));
		return;
	}
	if (ifindex <= 0) {
		reply_error(ag, id, "bad_request", 0, NULL, "attach needs an ifindex");
		return;
	}
	ssh_if = ssh_session_ifindex(ag);
	if (ssh_if && ssh_if == ifindex && !jreq_bool(r, "confirm_ssh_interface", false)) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)ifindex, name);
		reply_error(ag, id, "ssh_interface", 0, NULL,
			    "interface %s carries this SSH session (the route to %s leaves through it): a program that drops "
			    "or redirects could cut you off; confirm to attach anyway", name, ag->ssh_connection);
		return;
	}
	if (p->ifindex && p->ifindex != ifindex) {
		reply_error(ag, id, "bad_request", 0, NULL, "the program is bound to ifindex %d, not %d", p->ifindex, ifindex);
		return;
	}
	for (int i = 0; i < MAX_LINKS; i++)
		if (!ag->links[i].id) {
			slot = &ag->links[i];
			break;
		}
	if (!slot) {
		reply_error(ag, id, "limit", 0, NULL, "too many links");
		return;
	}
	if (p->hook == HOOK_TC) {
		if (strcmp(mode, "tc")) {
			reply_error(ag, id, "bad_request", 0, NULL, "a TC program attaches with mode \"tc\" (tcx ingress)");
			return;
		}
		attach_type = XM_BPF_TCX_INGRESS;
	} else {
		if (!strcmp(mode, "native"))
			lo.flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(mode, "generic"))
			lo.flags = XDP_FLAGS_SKB_MODE;
		else {
			reply_error(ag, id, "bad_request", 0, NULL, "XDP mode must be \"native\" or \"generic\", not \"%s\"", mode);
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
		reply_error(ag, id, "attach_failed", e, NULL, "cannot attach %s in %s mode to ifindex %d%s",
			    bpf_program__name(p->prog), mode, ifindex, hint);
		return;
	}
	slot->id = ag->next_handle++;
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
		reply_end(ag, &s);
		free(s.p);
	}
}

void op_detach(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct link *l = find_link(ag, (int)jreq_num(r, "link", 0));
	struct sb s = { 0 };
	if (!l) {
		reply_error(ag, id, "not_found", 0, NULL, "no link with handle %lld", (long long)jreq_num(r, "link", 0));
		return;
	}
	link_close(l);
	reply_begin(&s, id);
	reply_end(ag, &s);
	free(s.p);
}

/*
 * Links whose interface went away: the kernel detached them when the device was unregistered. Tell the
 * client once (a "detached" event) and drop the link, so a run does not go on silently capturing nothing.
 */
void check_links(struct agent *ag)
{
	char name[IF_NAMESIZE];
	for (int i = 0; i < MAX_LINKS; i++) {
		struct link *l = &ag->links[i];
		struct sb s = { 0 };
		if (!l->id || if_indextoname((unsigned)l->ifindex, name))
			continue;
		sb_fmt(&s, "{\"ev\":\"detached\",\"link\":%d,\"ifindex\":%d,\"reason\":\"interface_gone\"}", l->id, l->ifindex);
		out_line(ag, &s);
		free(s.p);
		link_close(l);
	}
}
