/* Netlink queries the probe and the attach guard need: netdev genl features and the route to an address. */
#ifndef XM_NETLINK_H
#define XM_NETLINK_H
#include <stdint.h>

struct xm_netdev_features {
	uint64_t xdp_features;          /* NETDEV_A_DEV_XDP_FEATURES (netdev_xdp_act bits) */
	uint64_t rx_metadata_features;  /* NETDEV_A_DEV_XDP_RX_METADATA_FEATURES */
	uint64_t xsk_features;          /* NETDEV_A_DEV_XSK_FEATURES */
	uint32_t zc_max_segs;
};

/* Resolves the generic netlink family "netdev"; returns its id, or a negative errno when the kernel lacks it. */
int xm_netdev_family(void);
/* NETDEV_CMD_DEV_GET for one ifindex. Returns 0 or a negative errno. */
int xm_netdev_get(int family, int ifindex, struct xm_netdev_features *out);
/* RTM_GETROUTE to a textual IPv4/IPv6 address: the output interface index, or a negative errno. */
int xm_route_oif(const char *addr);

#endif
