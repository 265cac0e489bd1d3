/* Raw netlink for the probe (netdev genl family, kernel 6.3+) and the SSH-interface guard (route lookup). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netlink.h"

/* From include/uapi/linux/netdev.h (newer than the libc headers the agent builds against). */
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_A_DEV_XDP_ZC_MAX_SEGS 4
#define NETDEV_A_DEV_XDP_RX_METADATA_FEATURES 5
#define NETDEV_A_DEV_XSK_FEATURES 6

struct nlbuf {
	struct nlmsghdr nh;
	union {
		struct genlmsghdr g;
		struct rtmsg r;
	};
	char attrs[256];
};

static void put_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len)
{
	struct nlattr *a = (struct nlattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Sends one request and returns the first reply in `reply` (len) or a negative errno. */
static int nl_transact(int proto, struct nlmsghdr *req, char *reply, size_t cap)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	int n;
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	req->nlmsg_seq = 1;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = (int)recv(fd, reply, cap, 0);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	if (!NLMSG_OK(nh, (unsigned)n))
		return -EPROTO;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);
		return e->error ? e->error : -ENODATA;
	}
	return n;
}

/* Walks attributes [a, a+len) and calls back for each. */
#define FOR_ATTR(a, start, total) \
	for (struct nlattr *a = (struct nlattr *)(start); \
	     (char *)a + NLA_HDRLEN <= (char *)(start) + (total) && a->nla_len >= NLA_HDRLEN && \
	     (char *)a + a->nla_len <= (char *)(start) + (total); \
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

int xm_netdev_family(void)
{
	struct nlbuf req = { 0 };
	char reply[8192];
	int n;
	req.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nh.nlmsg_type = GENL_ID_CTRL;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	put_attr(&req.nh, CTRL_ATTR_FAMILY_NAME, "netdev", 7);
	n = nl_transact(NETLINK_GENERIC, &req.nh, reply, sizeof(reply));
	if (n < 0)
		return n;
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	char *attrs = (char *)NLMSG_DATA(nh) + GENL_HDRLEN;
	int total = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	FOR_ATTR(a, attrs, total) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(unsigned short *)((char *)a + NLA_HDRLEN);
	}
	return -ENOENT;
}

int xm_netdev_get(int family, int ifindex, struct xm_netdev_features *out)
{
	struct nlbuf req = { 0 };
	char reply[8192];
	uint32_t idx = (uint32_t)ifindex;
	int n;
	memset(out, 0, sizeof(*out));
	req.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nh.nlmsg_type = (unsigned short)family;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = NETDEV_CMD_DEV_GET;
	req.g.version = 1;
	put_attr(&req.nh, NETDEV_A_DEV_IFINDEX, &idx, 4);
	n = nl_transact(NETLINK_GENERIC, &req.nh, reply, sizeof(reply));
	if (n < 0)
		return n;
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	char *attrs = (char *)NLMSG_DATA(nh) + GENL_HDRLEN;
	int total = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	FOR_ATTR(a, attrs, total) {
		void *d = (char *)a + NLA_HDRLEN;
		uint64_t v = 0;
		memcpy(&v, d, a->nla_len - NLA_HDRLEN >= 8 ? 8 : a->nla_len - NLA_HDRLEN);
		switch (a->nla_type) {
		case NETDEV_A_DEV_XDP_FEATURES: out->xdp_features = v; break;
		case NETDEV_A_DEV_XDP_RX_METADATA_FEATURES: out->rx_metadata_features = v; break;
		case NETDEV_A_DEV_XSK_FEATURES: out->xsk_features = v; break;
		case NETDEV_A_DEV_XDP_ZC_MAX_SEGS: out->zc_max_segs = (uint32_t)v; break;
		}
	}
	return 0;
}

int xm_route_oif(const char *addr)
{
	struct nlbuf req = { 0 };
	char reply[8192];
	unsigned char dst[16];
	int family, alen, n;
	if (inet_pton(AF_INET, addr, dst) == 1) {
		family = AF_INET; alen = 4;
	} else if (inet_pton(AF_INET6, addr, dst) == 1) {
		family = AF_INET6; alen = 16;
	} else {
		return -EINVAL;
	}
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.r.rtm_family = (unsigned char)family;
	req.r.rtm_dst_len = (unsigned char)(alen * 8);
	put_attr(&req.nh, RTA_DST, dst, (unsigned short)alen);
	n = nl_transact(NETLINK_ROUTE, &req.nh, reply, sizeof(reply));
	if (n < 0)
		return n;
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	char *attrs = (char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct rtmsg));
	int total = (int)nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct rtmsg));
	FOR_ATTR(a, attrs, total) {
		if (a->nla_type == RTA_OIF)
			return *(int *)((char *)a + NLA_HDRLEN);
	}
	return -ENOENT;
}
