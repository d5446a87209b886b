/* Netlink requests of link/nl.c, built and parsed back: no root, no
 * sockets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cmocka.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "base/err.h"
#include "link/nl.h"
#include "link/nl_msg.h"

/* Parses the ifinfomsg attributes of 'msg' into 'tb'. */
static struct ifinfomsg *parse_link(struct nl_msg *msg,
				    struct nlattr *tb[IFLA_MAX + 1])
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX,
				     NULL),
			 0);
	return nlmsg_data(h);
}

/* Parses IFLA_LINKINFO: returns its IFLA_INFO_DATA in 'data'. */
static void parse_linkinfo(struct nlattr *tb[IFLA_MAX + 1], const char *kind,
			   struct nlattr **data)
{
	struct nlattr *li[IFLA_INFO_MAX + 1];

	assert_non_null(tb[IFLA_LINKINFO]);
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX,
					  tb[IFLA_LINKINFO], NULL),
			 0);
	assert_non_null(li[IFLA_INFO_KIND]);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), kind);
	assert_non_null(li[IFLA_INFO_DATA]);
	*data = li[IFLA_INFO_DATA];
}

/* Parses the VETH_INFO_PEER of a veth request into 'ptb'. */
static void parse_peer(struct nlattr *tb[IFLA_MAX + 1],
		       struct nlattr *ptb[IFLA_MAX + 1])
{
	struct nlattr *data, *vi[VETH_INFO_MAX + 1];
	struct nlattr *peer;

	parse_linkinfo(tb, "veth", &data);
	assert_int_equal(nla_parse_nested(vi, VETH_INFO_MAX, data, NULL), 0);
	peer = vi[VETH_INFO_PEER];
	assert_non_null(peer);
	assert_true(nla_len(peer) >= (int)sizeof(struct ifinfomsg));
	assert_int_equal(nla_parse(ptb, IFLA_MAX,
				   (struct nlattr *)((char *)nla_data(peer) +
						     NLMSG_ALIGN(sizeof(
							     struct ifinfomsg))),
				   nla_len(peer) -
					   NLMSG_ALIGN(sizeof(struct ifinfomsg)),
				   NULL),
			 0);
}

static void assert_mac(struct nlattr *a, const char *mac)
{
	unsigned char want[6];

	assert_int_equal(sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &want[0],
				&want[1], &want[2], &want[3], &want[4],
				&want[5]),
			 6);
	assert_non_null(a);
	assert_int_equal(nla_len(a), 6);
	assert_memory_equal(nla_data(a), want, 6);
}

static void test_veth_msg_puts_each_end_in_its_namespace(void **state)
{
	struct nlsock_veth_end a = { "h1-eth0", 5, "00:00:00:00:00:01", "x", 0 };
	struct nlsock_veth_end b = { "s1-eth1", 7, "0a:00:00:00:00:02", NULL,
				 0x636e0001 };
	struct nlattr *tb[IFLA_MAX + 1], *ptb[IFLA_MAX + 1];
	struct nl_msg *msg;
	struct nlmsghdr *h;

	(void)state;
	assert_int_equal(nlsock_build_veth(&msg, &a, &b, 1400, NULL), 0);
	h = nlmsg_hdr(msg);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	parse_link(msg, tb);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "h1-eth0");
	assert_non_null(tb[IFLA_NET_NS_FD]);
	assert_int_equal(nla_get_u32(tb[IFLA_NET_NS_FD]), 5);
	assert_mac(tb[IFLA_ADDRESS], "00:00:00:00:00:01");
	assert_int_equal(nla_get_u32(tb[IFLA_MTU]), 1400);
	/* The kernel ignores IFLA_IFALIAS on creation: set afterwards. */
	assert_null(tb[IFLA_IFALIAS]);

	parse_peer(tb, ptb);
	assert_non_null(ptb[IFLA_IFNAME]);
	assert_string_equal(nla_get_string(ptb[IFLA_IFNAME]), "s1-eth1");
	assert_non_null(ptb[IFLA_NET_NS_FD]);
	assert_int_equal(nla_get_u32(ptb[IFLA_NET_NS_FD]), 7);
	assert_mac(ptb[IFLA_ADDRESS], "0a:00:00:00:00:02");
	assert_int_equal(nla_get_u32(ptb[IFLA_MTU]), 1400);
	/* Only the root-side end joins the run's group. */
	assert_null(tb[IFLA_GROUP]);
	assert_non_null(ptb[IFLA_GROUP]);
	assert_int_equal(nla_get_u32(ptb[IFLA_GROUP]), 0x636e0001);
	nlmsg_free(msg);
}

static void test_group_delete_msg_names_only_the_group(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_del_group(&msg, 0x636e0042), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELLINK);
	parse_link(msg, tb);
	assert_null(tb[IFLA_IFNAME]);
	assert_int_equal(nla_get_u32(tb[IFLA_GROUP]), 0x636e0042);
	assert_int_equal(((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msg)))
				 ->ifi_index,
			 0);
	nlmsg_free(msg);
}

static void test_neigh_msg_is_a_permanent_entry(void **state)
{
	struct nlattr *tb[NDA_MAX + 1];
	struct nl_msg *msg;
	struct ndmsg *ndm;

	(void)state;
	assert_int_equal(nlsock_build_add_neigh(&msg, 3, "10.0.0.2",
					       "00:00:00:00:00:02", NULL),
			 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWNEIGH);
	ndm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(ndm->ndm_ifindex, 3);
	assert_int_equal(ndm->ndm_state, NUD_PERMANENT);
	assert_int_equal(ndm->ndm_family, AF_INET);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*ndm), tb, NDA_MAX,
				     NULL),
			 0);
	assert_mac(tb[NDA_LLADDR], "00:00:00:00:00:02");
	assert_int_equal(nla_len(tb[NDA_DST]), 4);
	nlmsg_free(msg);
	assert_int_equal(nlsock_build_add_neigh(&msg, 3, "10.0.0.300",
					       "00:00:00:00:00:02", NULL),
			 -EINVAL);
}

static void test_veth_msg_leaves_unset_fields_to_the_kernel(void **state)
{
	struct nlsock_veth_end a = { "a0", -1, NULL, NULL, 0 };
	struct nlsock_veth_end b = { "b0", -1, NULL, NULL, 0 };
	struct nlattr *tb[IFLA_MAX + 1], *ptb[IFLA_MAX + 1];
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_veth(&msg, &a, &b, 0, NULL), 0);
	parse_link(msg, tb);
	assert_null(tb[IFLA_NET_NS_FD]);
	assert_null(tb[IFLA_ADDRESS]);
	assert_null(tb[IFLA_MTU]);
	parse_peer(tb, ptb);
	assert_string_equal(nla_get_string(ptb[IFLA_IFNAME]), "b0");
	assert_null(ptb[IFLA_NET_NS_FD]);
	assert_null(ptb[IFLA_ADDRESS]);
	assert_null(ptb[IFLA_MTU]);
	nlmsg_free(msg);
}

static void test_veth_msg_refuses_long_name_and_bad_mac(void **state)
{
	struct nlsock_veth_end a = { "a-very-long-name0", -1, NULL, NULL, 0 };
	struct nlsock_veth_end b = { "b0", -1, "00:11:22:33:44", NULL, 0 };
	struct nlsock_veth_end ok = { "ok0", -1, NULL, NULL, 0 };
	struct emu_err err;
	struct nl_msg *msg = (void *)1;

	(void)state;
	emu_err_clear(&err);
	assert_int_equal(nlsock_build_veth(&msg, &a, &ok, 0, &err), -EINVAL);
	assert_null(msg);
	assert_non_null(strstr(err.msg, "'a-very-long-name0'"));
	emu_err_clear(&err);
	assert_int_equal(nlsock_build_veth(&msg, &ok, &b, 0, &err), -EINVAL);
	assert_null(msg);
	assert_non_null(strstr(err.msg, "'00:11:22:33:44'"));
	assert_non_null(strstr(err.msg, "'b0'"));
}

static void test_bridge_msg_turns_nf_call_off_and_sets_stp(void **state)
{
	struct nlsock_bridge_opts opts = { .stp = true, .alias = "tag" };
	struct nlattr *tb[IFLA_MAX + 1], *br[IFLA_BR_MAX + 1], *data;
	struct nl_msg *msg;
	int i;
	static const int nf[] = { IFLA_BR_NF_CALL_IPTABLES,
				  IFLA_BR_NF_CALL_IP6TABLES,
				  IFLA_BR_NF_CALL_ARPTABLES };

	(void)state;
	assert_int_equal(nlsock_build_bridge(&msg, "br0", &opts, NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWLINK);
	parse_link(msg, tb);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "br0");
	parse_linkinfo(tb, "bridge", &data);
	assert_int_equal(nla_parse_nested(br, IFLA_BR_MAX, data, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_non_null(br[nf[i]]);
		assert_int_equal(nla_len(br[nf[i]]), 1);
		assert_int_equal(nla_get_u8(br[nf[i]]), 0);
	}
	assert_non_null(br[IFLA_BR_STP_STATE]);
	assert_int_equal(nla_get_u32(br[IFLA_BR_STP_STATE]), 1);
	nlmsg_free(msg);
}

static void test_bridge_msg_without_opts_has_stp_off(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1], *br[IFLA_BR_MAX + 1], *data;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_bridge(&msg, "br0", NULL, NULL), 0);
	parse_link(msg, tb);
	parse_linkinfo(tb, "bridge", &data);
	assert_int_equal(nla_parse_nested(br, IFLA_BR_MAX, data, NULL), 0);
	assert_int_equal(nla_get_u32(br[IFLA_BR_STP_STATE]), 0);
	assert_int_equal(nla_get_u8(br[IFLA_BR_NF_CALL_IPTABLES]), 0);
	nlmsg_free(msg);
}

static void test_bridge_ageing_msg_changes_only_the_ageing_time(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1], *br[IFLA_BR_MAX + 1], *data;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_bridge_ageing(&msg, "vx7", 0, NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_CREATE, 0);
	parse_link(msg, tb);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "vx7");
	parse_linkinfo(tb, "bridge", &data);
	assert_int_equal(nla_parse_nested(br, IFLA_BR_MAX, data, NULL), 0);
	assert_non_null(br[IFLA_BR_AGEING_TIME]);
	assert_int_equal(nla_get_u32(br[IFLA_BR_AGEING_TIME]), 0);
	assert_null(br[IFLA_BR_STP_STATE]);
	nlmsg_free(msg);
}

static void test_vxlan_msg_is_point_to_point_on_the_underlay(void **state)
{
	struct nlsock_vxlan_opts o = {
		.name = "vx7t", .vni = 7, .local = "192.168.250.1",
		.remote = "192.168.250.2", .link_ifindex = 3, .mtu = 1450,
		.nsfd = 9,
	};
	struct nlattr *tb[IFLA_MAX + 1], *vx[IFLA_VXLAN_MAX + 1], *data;
	const unsigned char local[4] = { 192, 168, 250, 1 };
	const unsigned char remote[4] = { 192, 168, 250, 2 };
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & (NLM_F_CREATE |
							NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	parse_link(msg, tb);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "vx7t");
	assert_int_equal(nla_get_u32(tb[IFLA_MTU]), 1450);
	assert_int_equal(nla_get_u32(tb[IFLA_NET_NS_FD]), 9);
	parse_linkinfo(tb, "vxlan", &data);
	assert_int_equal(nla_parse_nested(vx, IFLA_VXLAN_MAX, data, NULL), 0);
	assert_int_equal(nla_get_u32(vx[IFLA_VXLAN_ID]), 7);
	assert_int_equal(nla_len(vx[IFLA_VXLAN_GROUP]), 4);
	assert_memory_equal(nla_data(vx[IFLA_VXLAN_GROUP]), remote, 4);
	assert_int_equal(nla_len(vx[IFLA_VXLAN_LOCAL]), 4);
	assert_memory_equal(nla_data(vx[IFLA_VXLAN_LOCAL]), local, 4);
	assert_int_equal(nla_get_u32(vx[IFLA_VXLAN_LINK]), 3);
	/* The port in network order, as iproute2 sends it: 4789 = 0x12b5. */
	assert_int_equal(nla_len(vx[IFLA_VXLAN_PORT]), 2);
	assert_int_equal(((unsigned char *)nla_data(vx[IFLA_VXLAN_PORT]))[0],
			 0x12);
	assert_int_equal(((unsigned char *)nla_data(vx[IFLA_VXLAN_PORT]))[1],
			 0xb5);
	assert_null(vx[IFLA_VXLAN_GROUP6]);
	nlmsg_free(msg);
}

static void test_vxlan_msg_v6_and_defaults(void **state)
{
	struct nlsock_vxlan_opts o = {
		.name = "vx1t", .vni = 16777215, .local = "fc00::1",
		.remote = "fc00::2", .port = 8472, .nsfd = -1,
	};
	struct nlattr *tb[IFLA_MAX + 1], *vx[IFLA_VXLAN_MAX + 1], *data;
	struct in6_addr want;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, NULL), 0);
	parse_link(msg, tb);
	assert_null(tb[IFLA_MTU]);
	assert_null(tb[IFLA_NET_NS_FD]);
	parse_linkinfo(tb, "vxlan", &data);
	assert_int_equal(nla_parse_nested(vx, IFLA_VXLAN_MAX, data, NULL), 0);
	assert_int_equal(nla_get_u32(vx[IFLA_VXLAN_ID]), 16777215);
	inet_pton(AF_INET6, "fc00::2", &want);
	assert_int_equal(nla_len(vx[IFLA_VXLAN_GROUP6]), 16);
	assert_memory_equal(nla_data(vx[IFLA_VXLAN_GROUP6]), &want, 16);
	inet_pton(AF_INET6, "fc00::1", &want);
	assert_memory_equal(nla_data(vx[IFLA_VXLAN_LOCAL6]), &want, 16);
	assert_null(vx[IFLA_VXLAN_GROUP]);
	assert_null(vx[IFLA_VXLAN_LINK]);
	assert_int_equal(ntohs(nla_get_u16(vx[IFLA_VXLAN_PORT])), 8472);
	nlmsg_free(msg);
}

static void test_vxlan_msg_refuses_bad_vni_and_addresses(void **state)
{
	struct nlsock_vxlan_opts o = {
		.name = "vx1t", .vni = 0, .local = "10.0.0.1",
		.remote = "10.0.0.2", .nsfd = -1,
	};
	struct emu_err err = { 0 };
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, &err), -EINVAL);
	assert_null(msg);
	assert_non_null(strstr(err.msg, "VNI 0"));
	o.vni = 1u << 24;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, NULL), -EINVAL);
	o.vni = 5;
	o.remote = "10.0.0.300";
	err.code = 0;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "remote address '10.0.0.300'"));
	o.remote = "fc00::2";
	err.code = 0;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not of one family"));
	o.remote = "10.0.0.2";
	o.local = NULL;
	assert_int_equal(nlsock_build_vxlan(&msg, &o, NULL), -EINVAL);
	o.local = "10.0.0.1";
	o.name = "a-very-long-vxlan-name";
	assert_int_equal(nlsock_build_vxlan(&msg, &o, NULL), -EINVAL);
	assert_null(msg);
}

static void test_setlink_msg_finds_link_by_name_and_sets_up(void **state)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_UP, .up = true };
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_setlink(&msg, "h1-eth0", &c, NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_SETLINK);
	ifi = parse_link(msg, tb);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "h1-eth0");
	assert_null(tb[IFLA_MASTER]);
	nlmsg_free(msg);

	c.up = false;
	assert_int_equal(nlsock_build_setlink(&msg, "h1-eth0", &c, NULL), 0);
	ifi = parse_link(msg, tb);
	assert_int_equal(ifi->ifi_flags, 0);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	nlmsg_free(msg);
}

static void test_setlink_msg_carries_master_mac_alias_and_netns(void **state)
{
	struct nlsock_link_change c = {
		.fields = NLSOCK_SET_MASTER | NLSOCK_SET_MAC |
			  NLSOCK_SET_ALIAS | NLSOCK_SET_NETNS,
		.master = 0, .mac = "02:00:00:00:00:0a", .alias = "cnemu:1",
		.nsfd = 9,
	};
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_setlink(&msg, "s1-eth1", &c, NULL), 0);
	ifi = parse_link(msg, tb);
	/* Without NLSOCK_SET_UP the flags stay alone. */
	assert_int_equal(ifi->ifi_change, 0);
	assert_non_null(tb[IFLA_MASTER]);
	assert_int_equal(nla_get_u32(tb[IFLA_MASTER]), 0);	/* released */
	assert_mac(tb[IFLA_ADDRESS], "02:00:00:00:00:0a");
	assert_string_equal(nla_get_string(tb[IFLA_IFALIAS]), "cnemu:1");
	assert_int_equal(nla_get_u32(tb[IFLA_NET_NS_FD]), 9);
	nlmsg_free(msg);

	c.fields = NLSOCK_SET_ALIAS;
	c.alias = "";
	assert_int_equal(nlsock_build_setlink(&msg, "s1-eth1", &c, NULL), 0);
	parse_link(msg, tb);
	assert_non_null(tb[IFLA_IFALIAS]);
	assert_int_equal(nla_len(tb[IFLA_IFALIAS]), 0);	/* clears */
	nlmsg_free(msg);
}

static void test_rename_msg_finds_link_by_index_and_carries_new_name(
	void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_rename(&msg, 42, "p3a", NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_SETLINK);
	ifi = parse_link(msg, tb);
	assert_int_equal(ifi->ifi_index, 42);
	assert_int_equal(ifi->ifi_change, 0);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "p3a");
	assert_null(tb[IFLA_NET_NS_FD]);
	nlmsg_free(msg);
	assert_int_equal(nlsock_build_rename(&msg, 42, "a-name-too-long-x", NULL),
			 -EINVAL);
	assert_null(msg);
}

static void test_dellink_and_getlink_msgs_name_the_link(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_dellink(&msg, "tnl-x", NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELLINK);
	assert_int_equal(parse_link(msg, tb)->ifi_index, 0);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "tnl-x");
	nlmsg_free(msg);

	assert_int_equal(nlsock_build_getlink(&msg, "tnl-x", NULL), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_GETLINK);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP, 0);
	parse_link(msg, tb);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "tnl-x");
	assert_int_equal(nla_get_u32(tb[IFLA_EXT_MASK]),
			 RTEXT_FILTER_SKIP_STATS);
	nlmsg_free(msg);
}

/* Parses an RTM_NEWADDR request. */
static struct ifaddrmsg *parse_addr(struct nl_msg *msg,
				    struct nlattr *tb[IFA_MAX + 1])
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	assert_int_equal(h->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(nlmsg_parse(h, sizeof(struct ifaddrmsg), tb, IFA_MAX,
				     NULL),
			 0);
	return nlmsg_data(h);
}

static void assert_inet(struct nlattr *a, int family, const char *addr)
{
	unsigned char want[16];
	int len = family == AF_INET ? 4 : 16;

	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_non_null(a);
	assert_int_equal(nla_len(a), len);
	assert_memory_equal(nla_data(a), want, len);
}

static void test_addr_msg_v4_has_prefix_family_and_broadcast(void **state)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg *ifa;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_addr(&msg, 42, "10.0.0.1/8", NULL),
			 0);
	ifa = parse_addr(msg, tb);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 8);
	assert_int_equal(ifa->ifa_index, 42);
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	assert_inet(tb[IFA_LOCAL], AF_INET, "10.0.0.1");
	assert_inet(tb[IFA_ADDRESS], AF_INET, "10.0.0.1");
	assert_inet(tb[IFA_BROADCAST], AF_INET, "10.255.255.255");
	nlmsg_free(msg);
}

static void test_addr_msg_v6_has_prefix_and_family(void **state)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg *ifa;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_addr(&msg, 3, "fc00::1/64", NULL), 0);
	ifa = parse_addr(msg, tb);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 64);
	assert_inet(tb[IFA_LOCAL], AF_INET6, "fc00::1");
	assert_null(tb[IFA_BROADCAST]);
	nlmsg_free(msg);
}

static void test_addr_msg_without_prefix_is_a_host_address(void **state)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg *ifa;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_addr(&msg, 3, "192.168.1.7", NULL),
			 0);
	ifa = parse_addr(msg, tb);
	assert_int_equal(ifa->ifa_prefixlen, 32);
	assert_null(tb[IFA_BROADCAST]);	/* none on /31 and /32 */
	nlmsg_free(msg);

	assert_int_equal(nlsock_build_add_addr(&msg, 1, "127.0.0.2/8", NULL),
			 0);
	assert_int_equal(parse_addr(msg, tb)->ifa_scope, RT_SCOPE_HOST);
	nlmsg_free(msg);
}

static void test_addr_msg_refuses_bad_addresses(void **state)
{
	static const char *const bad[] = { "10.0.0.1/33", "10.0.0/8",
					   "fc00::1/129", "10.0.0.1/", "",
					   "10.0.0.1/8x", "host" };
	struct emu_err err;
	struct nl_msg *msg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		emu_err_clear(&err);
		assert_int_equal(nlsock_build_add_addr(&msg, 1, bad[i], &err),
				 -EINVAL);
		assert_null(msg);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

static struct rtmsg *parse_route(struct nl_msg *msg,
				 struct nlattr *tb[RTA_MAX + 1])
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX,
				     NULL),
			 0);
	return nlmsg_data(h);
}

static void test_route_msg_default_via_gateway_has_no_dst(void **state)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_route(&msg, "default", "10.0.0.254",
						0, NULL),
			 0);
	rtm = parse_route(msg, tb);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_null(tb[RTA_DST]);
	assert_null(tb[RTA_OIF]);
	assert_inet(tb[RTA_GATEWAY], AF_INET, "10.0.0.254");
	nlmsg_free(msg);
}

static void test_route_msg_to_cidr_out_of_device_is_link_scope(void **state)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_route(&msg, "fc00:1::/48", NULL, 4,
						NULL),
			 0);
	rtm = parse_route(msg, tb);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 48);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_inet(tb[RTA_DST], AF_INET6, "fc00:1::");
	assert_int_equal(nla_get_u32(tb[RTA_OIF]), 4);
	assert_null(tb[RTA_GATEWAY]);
	nlmsg_free(msg);
}

static void test_route_msg_refuses_mixed_families_and_no_nexthop(void **state)
{
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(nlsock_build_add_route(&msg, "10.0.0.0/8", "fc00::1",
						0, NULL),
			 -EINVAL);
	assert_null(msg);
	assert_int_equal(nlsock_build_add_route(&msg, "default", NULL, 0,
						NULL),
			 -EINVAL);
	assert_int_equal(nlsock_build_add_route(&msg, "default", "10.0.0.1/8",
						0, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth_msg_puts_each_end_in_its_namespace),
		cmocka_unit_test(test_group_delete_msg_names_only_the_group),
		cmocka_unit_test(test_neigh_msg_is_a_permanent_entry),
		cmocka_unit_test(test_veth_msg_leaves_unset_fields_to_the_kernel),
		cmocka_unit_test(test_veth_msg_refuses_long_name_and_bad_mac),
		cmocka_unit_test(test_bridge_msg_turns_nf_call_off_and_sets_stp),
		cmocka_unit_test(test_bridge_msg_without_opts_has_stp_off),
		cmocka_unit_test(
			test_bridge_ageing_msg_changes_only_the_ageing_time),
		cmocka_unit_test(test_vxlan_msg_is_point_to_point_on_the_underlay),
		cmocka_unit_test(test_vxlan_msg_v6_and_defaults),
		cmocka_unit_test(test_vxlan_msg_refuses_bad_vni_and_addresses),
		cmocka_unit_test(test_setlink_msg_finds_link_by_name_and_sets_up),
		cmocka_unit_test(
			test_setlink_msg_carries_master_mac_alias_and_netns),
		cmocka_unit_test(
			test_rename_msg_finds_link_by_index_and_carries_new_name),
		cmocka_unit_test(test_dellink_and_getlink_msgs_name_the_link),
		cmocka_unit_test(
			test_addr_msg_v4_has_prefix_family_and_broadcast),
		cmocka_unit_test(test_addr_msg_v6_has_prefix_and_family),
		cmocka_unit_test(test_addr_msg_without_prefix_is_a_host_address),
		cmocka_unit_test(test_addr_msg_refuses_bad_addresses),
		cmocka_unit_test(test_route_msg_default_via_gateway_has_no_dst),
		cmocka_unit_test(
			test_route_msg_to_cidr_out_of_device_is_link_scope),
		cmocka_unit_test(
			test_route_msg_refuses_mixed_families_and_no_nexthop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
