/* The hello and probe ops: agent identity, and the host's BTF, bpffs, privileges and interfaces' XDP capabilities. */
#define _GNU_SOURCE
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "netlink.h"
#include "reply.h"

#define BPF_FS_MAGIC 0xcafe4a11

void op_hello(struct agent *ag, int64_t id, const struct jreq *r)
{
	struct utsname u;
	struct sb s = { 0 };
	int64_t want = jreq_num(r, "version", PROTOCOL_VERSION);
	int64_t hb = jreq_num(r, "heartbeat", 0);
	uname(&u);
	if (hb < 0 || hb > 3600) {
		reply_error(ag, id, "bad_request", 0, NULL, "heartbeat must be 0..3600 seconds");
		return;
	}
	if (want != PROTOCOL_VERSION) {
		reply_error(ag, id, "version", 0, NULL, "client speaks protocol %lld, this agent speaks %d",
			    (long long)want, PROTOCOL_VERSION);
		return;
	}
	reply_begin(&s, id);
	sb_fmt(&s, ",\"version\":%d,\"agent\":\"%s\",\"arch\":\"%s\",\"kernel\":", PROTOCOL_VERSION, AGENT_VERSION, AGENT_ARCH);
	sb_str(&s, u.release);
	sb_fmt(&s, ",\"libbpf\":\"%u.%u\",\"pid\":%d", libbpf_major_version(), libbpf_minor_version(), (int)getpid());
	/* From now on the client promises a line at least every `heartbeat` seconds; silence past it detaches all. */
	ag->heartbeat_s = (int)hb;
	sb_fmt(&s, ",\"heartbeat\":%d", ag->heartbeat_s);
	reply_end(ag, &s);
	free(s.p);
}

static uint64_t cap_eff(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			v = strtoull(line + 7, NULL, 16);
	fclose(f);
	return v;
}

static void bits_list(struct sb *s, uint64_t v, const char *const *names, int n)
{
	bool first = true;
	sb_lit(s, "[");
	for (int i = 0; i < 64; i++) {
		if (!(v & (1ULL << i)))
			continue;
		if (!first)
			sb_lit(s, ",");
		first = false;
		if (i < n && names[i])
			sb_str(s, names[i]);
		else
			sb_fmt(s, "\"bit%d\"", i);
	}
	sb_lit(s, "]");
}

int ssh_session_ifindex(struct agent *ag)
{
	char client[128];
	if (!ag->ssh_connection || sscanf(ag->ssh_connection, "%127s", client) != 1)
		return 0;
	int oif = xm_route_oif(client);
	return oif > 0 ? oif : 0;
}

void op_probe(struct agent *ag, int64_t id, const struct jreq *r)
{
	static const char *const xdp_act[] = { "basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg" };
	static const char *const rx_meta[] = { "timestamp", "hash", "vlan-tag" };
	static const char *const xsk[] = { "tx-timestamp", "tx-checksum", "tx-launch-time-fifo" };
	struct utsname u;
	struct statfs sf;
	struct sb s = { 0 };
	uint64_t caps = cap_eff();
	int family = xm_netdev_family();
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct if_nameindex *ifs = if_nameindex();
	(void)r;
	uname(&u);
	reply_begin(&s, id);
	sb_lit(&s, ",\"kernel\":");
	sb_str(&s, u.release);
	sb_lit(&s, ",\"machine\":");
	sb_str(&s, u.machine);
	sb_lit(&s, ",\"btf\":{\"path\":");
	sb_str(&s, ag->btf_path);
	sb_fmt(&s, ",\"present\":%s}", access(ag->btf_path, R_OK) == 0 ? "true" : "false");
	sb_fmt(&s, ",\"bpffs\":%s", statfs("/sys/fs/bpf", &sf) == 0 && (unsigned long)sf.f_type == BPF_FS_MAGIC ? "true" : "false");
	sb_fmt(&s, ",\"privileges\":{\"euid\":%d,\"cap_net_admin\":%s,\"cap_sys_admin\":%s,\"cap_bpf\":%s,\"cap_perfmon\":%s}",
	       (int)geteuid(), caps & (1ULL << 12) ? "true" : "false", caps & (1ULL << 21) ? "true" : "false",
	       caps & (1ULL << 39) ? "true" : "false", caps & (1ULL << 38) ? "true" : "false");
	sb_fmt(&s, ",\"netdev_family\":%s", family > 0 ? "true" : "false");
	sb_fmt(&s, ",\"ssh_ifindex\":%d", ssh_session_ifindex(ag));
	sb_lit(&s, ",\"interfaces\":[");
	for (struct if_nameindex *it = ifs; it && it->if_index; it++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
		struct ifreq ifr = { 0 };
		struct xm_netdev_features f;
		static const char *const modes[] = { "none", "native", "generic", "offload", "multi" };
		if (it != ifs)
			sb_lit(&s, ",");
		sb_fmt(&s, "{\"name\":");
		sb_str(&s, it->if_name);
		sb_fmt(&s, ",\"ifindex\":%u", it->if_index);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", it->if_name);
		ifr.ifr_data = (void *)&di;
		if (sock >= 0 && ioctl(sock, SIOCETHTOOL, &ifr) == 0) {
			sb_lit(&s, ",\"driver\":");
			sb_str(&s, di.driver);
		}
		if (bpf_xdp_query((int)it->if_index, 0, &q) == 0) {
			sb_lit(&s, ",\"xdp\":{\"mode\":");
			sb_str(&s, q.attach_mode < 5 ? modes[q.attach_mode] : "unknown");
			sb_fmt(&s, ",\"prog_id\":%u,\"drv_prog_id\":%u,\"skb_prog_id\":%u,\"hw_prog_id\":%u}",
			       q.prog_id, q.drv_prog_id, q.skb_prog_id, q.hw_prog_id);
		}
		if (family > 0 && xm_netdev_get(family, (int)it->if_index, &f) == 0) {
			sb_lit(&s, ",\"xdp_features\":");
			bits_list(&s, f.xdp_features, xdp_act, 7);
			sb_lit(&s, ",\"xdp_rx_metadata_features\":");
			bits_list(&s, f.rx_metadata_features, rx_meta, 3);
			sb_lit(&s, ",\"xsk_features\":");
			bits_list(&s, f.xsk_features, xsk, 3);
			sb_fmt(&s, ",\"xdp_zc_max_segs\":%u", f.zc_max_segs);
		}
		sb_lit(&s, "}");
	}
	sb_lit(&s, "]");
	if (ifs)
		if_freenameindex(ifs);
	if (sock >= 0)
		close(sock);
	reply_end(ag, &s);
	free(s.p);
}
