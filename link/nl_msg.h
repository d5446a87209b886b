/* The netlink requests of link/nl.c, built apart from sending them so that
 * unit tests can parse them back without root or sockets.
 *
 * Each nlsock_build_* function fills '*msgp' with a new request the caller
 * frees with nlmsg_free(); the port, sequence number and NLM_F_ACK are added
 * when link/nl.c sends it.  On bad input (a name too long, a malformed MAC
 * or address) they return a negative errno with 'err' set and leave
 * '*msgp' NULL. */
#ifndef LINK_NL_MSG_H
#define LINK_NL_MSG_H

#include <stdbool.h>

struct emu_err;
struct nl_msg;
struct nlsock_veth_end;
struct nlsock_bridge_opts;

/* Which fields of a 'struct nlsock_link_change' a RTM_SETLINK carries. */
enum nlsock_link_fields {
	NLSOCK_SET_UP = 1 << 0,
	NLSOCK_SET_MAC = 1 << 1,
	NLSOCK_SET_MASTER = 1 << 2,
	NLSOCK_SET_ALIAS = 1 << 3,
	NLSOCK_SET_NETNS = 1 << 4,
};

/* Changes made to one existing link, found by name. */
struct nlsock_link_change {
	unsigned int fields;	/* enum nlsock_link_fields */
	bool up;		/* administratively up */
	const char *mac;	/* "aa:bb:cc:dd:ee:ff" */
	int master;		/* bridge ifindex, 0: released */
	const char *alias;	/* "": cleared */
	int nsfd;		/* namespace to move the link into */
};

/* RTM_NEWLINK of a veth pair: 'a' at the top level, 'b' in
 * IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER; each end carries its
 * IFLA_NET_NS_FD (when 'nsfd' >= 0), IFLA_ADDRESS and IFLA_MTU.  Aliases
 * are not in it: the kernel ignores IFLA_IFALIAS on creation. */
int nlsock_build_veth(struct nl_msg **msgp, const struct nlsock_veth_end *a,
		      const struct nlsock_veth_end *b, unsigned int mtu,
		      struct emu_err *err);

/* RTM_NEWLINK of a bridge with IFLA_BR_STP_STATE and the three
 * IFLA_BR_NF_CALL_* attributes set to 0 in its IFLA_INFO_DATA. */
int nlsock_build_bridge(struct nl_msg **msgp, const char *name,
			const struct nlsock_bridge_opts *opts,
			struct emu_err *err);

/* RTM_NEWLINK (no NLM_F_CREATE) changing the bridge 'name': its
 * IFLA_BR_AGEING_TIME to 'ageing_cs' (centiseconds), as 'ip link set
 * NAME type bridge ageing_time N' sends it. */
int nlsock_build_bridge_ageing(struct nl_msg **msgp, const char *name,
			       unsigned int ageing_cs, struct emu_err *err);

/* RTM_NEWLINK of a VXLAN device: IFLA_IFNAME, IFLA_MTU, IFLA_NET_NS_FD
 * (when 'nsfd' >= 0) and in IFLA_LINKINFO/IFLA_INFO_DATA IFLA_VXLAN_ID,
 * IFLA_VXLAN_GROUP(6) (the remote), IFLA_VXLAN_LOCAL(6), IFLA_VXLAN_PORT
 * (network order), IFLA_VXLAN_LINK (when given), as 'ip link add NAME
 * type vxlan id VNI remote R local L dstport P dev D' sends them. */
struct nlsock_vxlan_opts;
int nlsock_build_vxlan(struct nl_msg **msgp,
		       const struct nlsock_vxlan_opts *opts,
		       struct emu_err *err);

/* RTM_SETLINK of the link named 'ifname' (ifi_index 0, IFLA_IFNAME). */
int nlsock_build_setlink(struct nl_msg **msgp, const char *ifname,
			 const struct nlsock_link_change *change,
			 struct emu_err *err);

/* RTM_SETLINK renaming the link 'ifindex' to 'newname' (IFLA_IFNAME is
 * the new name; the link is found by its index). */
int nlsock_build_rename(struct nl_msg **msgp, int ifindex,
			const char *newname, struct emu_err *err);

/* RTM_DELLINK, and RTM_GETLINK of one link, by name. */
int nlsock_build_dellink(struct nl_msg **msgp, const char *ifname,
			 struct emu_err *err);
int nlsock_build_getlink(struct nl_msg **msgp, const char *ifname,
			 struct emu_err *err);

/* RTM_NEWADDR of 'cidr' ("10.0.0.1/8", "fc00::1/64"; no prefix: a host
 * address) on 'ifindex': IFA_LOCAL and IFA_ADDRESS, and for IPv4 with a
 * prefix up to /30 IFA_BROADCAST, as ifconfig sets it. */
int nlsock_build_add_addr(struct nl_msg **msgp, int ifindex, const char *cidr,
			  struct emu_err *err);

/* RTM_NEWROUTE in the main table: 'dst' ("default" or a cidr) via 'gw'
 * (NULL: none, then scope link) out of 'oif' (0: none). */
/* RTM_NEWNEIGH: a permanent neighbour 'ip' ("10.0.0.2", a prefix is
 * ignored) at 'mac' on 'ifindex'. */
int nlsock_build_add_neigh(struct nl_msg **msgp, int ifindex, const char *ip,
			   const char *mac, struct emu_err *err);
/* RTM_DELLINK of every link in interface group 'group'. */
int nlsock_build_del_group(struct nl_msg **msgp, uint32_t group);
int nlsock_build_add_route(struct nl_msg **msgp, const char *dst,
			   const char *gw, int oif, struct emu_err *err);

#endif
