/* Netlink route sockets bound to one namespace: requests are built by the
 * nlsock_build_* functions (link/nl_msg.h) with libnl-3's nla_put and
 * sent one at a time through the transport of base/nlconn.h, which keeps
 * the kernel's errno and extended-ack text. */
#include "link/nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/nlconn.h"
#include "base/util.h"
#include "link/nl_msg.h"

EMU_LOG_MODULE(nl);

struct nlsock {
	struct nlconn *conn;	/* NETLINK_ROUTE in the socket's namespace */
};

/* An IPv4 or IPv6 address with its prefix length. */
struct ipaddr {
	int family;		/* AF_INET, AF_INET6 */
	unsigned int len;	/* bytes: 4 or 16 */
	unsigned int prefixlen;	/* bits */
	unsigned char bytes[16];
};

/* ---- parsing input ---------------------------------------------------- */

static int check_ifname(const char *name, struct emu_err *err)
{
	if (!name || !*name)
		return emu_err_set(err, -EINVAL, "missing interface name");
	if (strlen(name) >= IFNAMSIZ)
		return emu_err_set(err, -EINVAL,
				   "interface name '%s' is longer than %d characters",
				   name, IFNAMSIZ - 1);
	return 0;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	int n = -1, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &n) != 6 ||
	    n != 17 || s[n])
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

/* Parses "10.0.0.1/8", "fc00::1/64" or a bare address (full prefix);
 * 'prefix_ok' false refuses a "/N". */
static int parse_cidr(const char *s, bool prefix_ok, struct ipaddr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	long plen;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (!prefix_ok)
			return -EINVAL;
		*slash++ = '\0';
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->bytes) == 1) {
		a->family = AF_INET;
		a->len = 4;
	} else if (inet_pton(AF_INET6, buf, a->bytes) == 1) {
		a->family = AF_INET6;
		a->len = 16;
	} else {
		return -EINVAL;
	}
	a->prefixlen = a->len * 8;
	if (slash) {
		if (str_to_long(slash, 0, a->prefixlen, &plen) < 0)
			return -EINVAL;
		a->prefixlen = plen;
	}
	return 0;
}

/* ---- building requests ------------------------------------------------ */

static struct nl_msg *msg_new(int type, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		abort();	/* out of memory, as xmalloc */
	return msg;
}

static int msg_too_long(struct nl_msg **msgp, const char *name,
			struct emu_err *err)
{
	nlmsg_free(*msgp);
	*msgp = NULL;
	return emu_err_set(err, -EMSGSIZE, "netlink request for '%s' too long",
			   name);
}

/* Puts the attributes of one veth end after its ifinfomsg. */
static int put_veth_end(struct nl_msg *msg, const struct nlsock_veth_end *e,
			unsigned int mtu)
{
	unsigned char mac[6];

	NLA_PUT_STRING(msg, IFLA_IFNAME, e->name);
	if (e->nsfd >= 0)
		NLA_PUT_U32(msg, IFLA_NET_NS_FD, e->nsfd);
	if (e->mac && parse_mac(e->mac, mac) == 0)
		NLA_PUT(msg, IFLA_ADDRESS, sizeof(mac), mac);
	if (mtu)
		NLA_PUT_U32(msg, IFLA_MTU, mtu);
	if (e->group)
		NLA_PUT_U32(msg, IFLA_GROUP, e->group);
	return 0;
nla_put_failure:
	return -EMSGSIZE;
}

static int check_veth_end(const struct nlsock_veth_end *e, struct emu_err *err)
{
	unsigned char mac[6];
	int ret = check_ifname(e->name, err);

	if (ret < 0)
		return ret;
	if (e->mac && parse_mac(e->mac, mac) < 0)
		return emu_err_set(err, -EINVAL,
				   "invalid MAC address '%s' for '%s'", e->mac,
				   e->name);
	return 0;
}

int nlsock_build_veth(struct nl_msg **msgp, const struct nlsock_veth_end *a,
		      const struct nlsock_veth_end *b, unsigned int mtu,
		      struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data, *peer;
	struct nl_msg *msg;
	int ret;

	*msgp = NULL;
	if ((ret = check_veth_end(a, err)) < 0 ||
	    (ret = check_veth_end(b, err)) < 0)
		return ret;
	*msgp = msg = msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    put_veth_end(msg, a, mtu) < 0)
		goto too_long;
	if (!(info = nla_nest_start(msg, IFLA_LINKINFO)))
		goto too_long;
	NLA_PUT_STRING(msg, IFLA_INFO_KIND, "veth");
	if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    !(peer = nla_nest_start(msg, VETH_INFO_PEER)))
		goto too_long;
	/* The peer is a whole ifinfomsg with its own attributes. */
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    put_veth_end(msg, b, mtu) < 0)
		goto too_long;
	nla_nest_end(msg, peer);
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return 0;
nla_put_failure:
too_long:
	return msg_too_long(msgp, a->name, err);
}

int nlsock_build_bridge(struct nl_msg **msgp, const char *name,
			const struct nlsock_bridge_opts *opts, struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data;
	struct nl_msg *msg;
	int ret;

	*msgp = NULL;
	if ((ret = check_ifname(name, err)) < 0)
		return ret;
	*msgp = msg = msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto too_long;
	NLA_PUT_STRING(msg, IFLA_IFNAME, name);
	if (!(info = nla_nest_start(msg, IFLA_LINKINFO)))
		goto too_long;
	NLA_PUT_STRING(msg, IFLA_INFO_KIND, "bridge");
	if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)))
		goto too_long;
	NLA_PUT_U32(msg, IFLA_BR_STP_STATE, opts && opts->stp ? 1 : 0);
	NLA_PUT_U8(msg, IFLA_BR_NF_CALL_IPTABLES, 0);
	NLA_PUT_U8(msg, IFLA_BR_NF_CALL_IP6TABLES, 0);
	NLA_PUT_U8(msg, IFLA_BR_NF_CALL_ARPTABLES, 0);
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return 0;
nla_put_failure:
too_long:
	return msg_too_long(msgp, name, err);
}

int nlsock_build_vxlan(struct nl_msg **msgp,
		       const struct nlsock_vxlan_opts *opts,
		       struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ipaddr local, remote;
	struct nlattr *info, *data;
	struct nl_msg *msg;
	bool v6;
	int ret;

	*msgp = NULL;
	if ((ret = check_ifname(opts->name, err)) < 0)
		return ret;
	if (opts->vni == 0 || opts->vni >= 1u << 24)
		return emu_err_set(err, -EINVAL,
				   "VXLAN '%s': VNI %u is not in 1..16777215",
				   opts->name, opts->vni);
	if (!opts->remote || parse_cidr(opts->remote, false, &remote) < 0)
		return emu_err_set(err, -EINVAL,
				   "VXLAN '%s': invalid remote address '%s'",
				   opts->name,
				   opts->remote ? opts->remote : "");
	if (!opts->local || parse_cidr(opts->local, false, &local) < 0)
		return emu_err_set(err, -EINVAL,
				   "VXLAN '%s': invalid local address '%s'",
				   opts->name, opts->local ? opts->local : "");
	if (local.family != remote.family)
		return emu_err_set(err, -EINVAL,
				   "VXLAN '%s': local '%s' and remote '%s' are "
				   "not of one family",
				   opts->name, opts->local, opts->remote);
	v6 = remote.family == AF_INET6;
	*msgp = msg = msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto too_long;
	NLA_PUT_STRING(msg, IFLA_IFNAME, opts->name);
	if (opts->mtu)
		NLA_PUT_U32(msg, IFLA_MTU, opts->mtu);
	if (opts->nsfd >= 0)
		NLA_PUT_U32(msg, IFLA_NET_NS_FD, opts->nsfd);
	if (!(info = nla_nest_start(msg, IFLA_LINKINFO)))
		goto too_long;
	NLA_PUT_STRING(msg, IFLA_INFO_KIND, "vxlan");
	if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)))
		goto too_long;
	NLA_PUT_U32(msg, IFLA_VXLAN_ID, opts->vni);
	NLA_PUT(msg, v6 ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, remote.len,
		remote.bytes);
	NLA_PUT(msg, v6 ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, local.len,
		local.bytes);
	if (opts->link_ifindex > 0)
		NLA_PUT_U32(msg, IFLA_VXLAN_LINK, (uint32_t)opts->link_ifindex);
	NLA_PUT_U16(msg, IFLA_VXLAN_PORT, htons(opts->port ? opts->port : 4789));
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return 0;
nla_put_failure:
too_long:
	return msg_too_long(msgp, opts->name, err);
}

/* Starts a request about the link named 'ifname': an ifinfomsg with index
 * 0 and IFLA_IFNAME, which the kernel looks the link up by. */
static int link_msg(struct nl_msg **msgp, int type, int flags,
		    const struct ifinfomsg *ifi, const char *ifname,
		    struct emu_err *err)
{
	int ret;

	*msgp = NULL;
	if ((ret = check_ifname(ifname, err)) < 0)
		return ret;
	*msgp = msg_new(type, flags);
	if (nlmsg_append(*msgp, (void *)ifi, sizeof(*ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(*msgp, IFLA_IFNAME, ifname) < 0)
		return msg_too_long(msgp, ifname, err);
	return 0;
}

int nlsock_build_setlink(struct nl_msg **msgp, const char *ifname,
			 const struct nlsock_link_change *c,
			 struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	unsigned char mac[6];
	struct nl_msg *msg;
	int ret;

	if (c->fields & NLSOCK_SET_MAC && (!c->mac || parse_mac(c->mac, mac))) {
		*msgp = NULL;
		return emu_err_set(err, -EINVAL,
				   "invalid MAC address '%s' for '%s'",
				   c->mac ? c->mac : "", ifname ? ifname : "");
	}
	if (c->fields & NLSOCK_SET_UP) {
		ifi.ifi_change = IFF_UP;
		ifi.ifi_flags = c->up ? IFF_UP : 0;
	}
	ret = link_msg(msgp, RTM_SETLINK, 0, &ifi, ifname, err);
	if (ret < 0)
		return ret;
	msg = *msgp;
	if (c->fields & NLSOCK_SET_MAC)
		NLA_PUT(msg, IFLA_ADDRESS, sizeof(mac), mac);
	if (c->fields & NLSOCK_SET_MASTER)
		NLA_PUT_U32(msg, IFLA_MASTER, c->master);
	if (c->fields & NLSOCK_SET_ALIAS) {
		/* An empty attribute clears the alias; "" would set one. */
		if (c->alias && *c->alias)
			NLA_PUT_STRING(msg, IFLA_IFALIAS, c->alias);
		else
			NLA_PUT(msg, IFLA_IFALIAS, 0, NULL);
	}
	if (c->fields & NLSOCK_SET_NETNS)
		NLA_PUT_U32(msg, IFLA_NET_NS_FD, c->nsfd);
	return 0;
nla_put_failure:
	return msg_too_long(msgp, ifname, err);
}

int nlsock_build_bridge_ageing(struct nl_msg **msgp, const char *name,
			       unsigned int ageing_cs, struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data;
	int ret = link_msg(msgp, RTM_NEWLINK, 0, &ifi, name, err);

	if (ret < 0)
		return ret;
	if (!(info = nla_nest_start(*msgp, IFLA_LINKINFO)))
		goto too_long;
	NLA_PUT_STRING(*msgp, IFLA_INFO_KIND, "bridge");
	if (!(data = nla_nest_start(*msgp, IFLA_INFO_DATA)))
		goto too_long;
	NLA_PUT_U32(*msgp, IFLA_BR_AGEING_TIME, ageing_cs);
	nla_nest_end(*msgp, data);
	nla_nest_end(*msgp, info);
	return 0;
nla_put_failure:
too_long:
	return msg_too_long(msgp, name, err);
}

int nlsock_build_rename(struct nl_msg **msgp, int ifindex,
			const char *newname, struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };

	return link_msg(msgp, RTM_SETLINK, 0, &ifi, newname, err);
}

int nlsock_build_dellink(struct nl_msg **msgp, const char *ifname,
			 struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	return link_msg(msgp, RTM_DELLINK, 0, &ifi, ifname, err);
}

int nlsock_build_del_group(struct nl_msg **msgp, uint32_t group)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;

	*msgp = msg = msg_new(RTM_DELLINK, 0);
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_GROUP, group) < 0) {
		nlmsg_free(msg);
		*msgp = NULL;
		return -EMSGSIZE;
	}
	return 0;
}

int nlsock_build_getlink(struct nl_msg **msgp, const char *ifname,
			 struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int ret = link_msg(msgp, RTM_GETLINK, 0, &ifi, ifname, err);

	/* Only the index is wanted: spare the kernel the statistics. */
	if (ret == 0 &&
	    nla_put_u32(*msgp, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
		return msg_too_long(msgp, ifname, err);
	return ret;
}

int nlsock_build_add_addr(struct nl_msg **msgp, int ifindex, const char *cidr,
			  struct emu_err *err)
{
	struct ifaddrmsg ifa = { 0 };
	struct ipaddr a;
	struct nl_msg *msg;
	uint32_t brd;

	*msgp = NULL;
	if (parse_cidr(cidr, true, &a) < 0)
		return emu_err_set(err, -EINVAL, "invalid address '%s'",
				   cidr ? cidr : "");
	ifa.ifa_family = a.family;
	ifa.ifa_prefixlen = a.prefixlen;
	ifa.ifa_index = ifindex;
	/* As ip(8): loopback addresses get host scope. */
	ifa.ifa_scope = a.family == AF_INET && a.bytes[0] == 127 ?
				RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	*msgp = msg = msg_new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT(msg, IFA_LOCAL, a.len, a.bytes);
	NLA_PUT(msg, IFA_ADDRESS, a.len, a.bytes);
	if (a.family == AF_INET && a.prefixlen <= 30) {
		memcpy(&brd, a.bytes, 4);
		brd |= htonl(a.prefixlen ? 0xffffffffu >> a.prefixlen :
					   0xffffffffu);
		NLA_PUT(msg, IFA_BROADCAST, 4, &brd);
	}
	return 0;
nla_put_failure:
	return msg_too_long(msgp, cidr, err);
}

int nlsock_build_add_route(struct nl_msg **msgp, const char *dst,
			   const char *gw, int oif, struct emu_err *err)
{
	struct rtmsg rtm = {
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_type = RTN_UNICAST,
	};
	struct ipaddr d = { 0 }, g = { 0 };
	struct nl_msg *msg;

	*msgp = NULL;
	if (!dst || (strcmp(dst, "default") && parse_cidr(dst, true, &d) < 0))
		return emu_err_set(err, -EINVAL,
				   "invalid route destination '%s'",
				   dst ? dst : "");
	if (gw && parse_cidr(gw, false, &g) < 0)
		return emu_err_set(err, -EINVAL, "invalid gateway '%s'", gw);
	if (d.family && g.family && d.family != g.family)
		return emu_err_set(err, -EINVAL,
				   "route to '%s' via '%s' mixes IPv4 and IPv6",
				   dst, gw);
	if (!gw && oif <= 0)
		return emu_err_set(err, -EINVAL,
				   "route to '%s' has neither gateway nor interface",
				   dst);
	rtm.rtm_family = d.family ? d.family : g.family ? g.family : AF_INET;
	rtm.rtm_dst_len = d.prefixlen;
	rtm.rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	*msgp = msg = msg_new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	if (d.family && d.prefixlen)
		NLA_PUT(msg, RTA_DST, d.len, d.bytes);
	if (gw)
		NLA_PUT(msg, RTA_GATEWAY, g.len, g.bytes);
	if (oif > 0)
		NLA_PUT_U32(msg, RTA_OIF, oif);
	return 0;
nla_put_failure:
	return msg_too_long(msgp, dst, err);
}

int nlsock_build_add_neigh(struct nl_msg **msgp, int ifindex, const char *ip,
			   const char *mac, struct emu_err *err)
{
	struct ndmsg ndm = { .ndm_ifindex = ifindex, .ndm_state = NUD_PERMANENT };
	unsigned char lladdr[6];
	struct ipaddr a = { 0 };
	struct nl_msg *msg;

	*msgp = NULL;
	if (!ip || parse_cidr(ip, true, &a) < 0)
		return emu_err_set(err, -EINVAL, "invalid neighbour address "
				   "'%s'", ip ? ip : "");
	if (!mac || parse_mac(mac, lladdr) < 0)
		return emu_err_set(err, -EINVAL, "invalid MAC address '%s'",
				   mac ? mac : "");
	ndm.ndm_family = a.family;
	*msgp = msg = msg_new(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
	if (nlmsg_append(msg, &ndm, sizeof(ndm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT(msg, NDA_DST, a.len, a.bytes);
	NLA_PUT(msg, NDA_LLADDR, sizeof(lladdr), lladdr);
	return 0;
nla_put_failure:
	return msg_too_long(msgp, ip, err);
}

/* ---- talking to the kernel -------------------------------------------- */

/* Sends 'msg' and reads until its ack, error or end of dump, handing each
 * answer to 'parse' (base/nlconn.h). */
static int nlsock_talk(struct nlsock *s, struct nl_msg *msg,
		       int (*parse)(const struct nlmsghdr *, void *), void *aux)
{
	return nlconn_talk(s->conn, nlmsg_hdr(msg), parse, aux);
}

/* Sends a request built by one of the nlsock_build_* functions, frees it
 * and returns 0 or a negative errno. */
static int nlsock_send(struct nlsock *s, struct nl_msg *msg)
{
	int ret = nlsock_talk(s, msg, NULL, NULL);

	nlmsg_free(msg);
	return ret;
}

struct nlsock *nlsock_open(int nsfd, struct emu_err *err)
{
	struct nlconn *conn = nlconn_open(nsfd, NETLINK_ROUTE, err);
	struct nlsock *s;

	if (!conn)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->conn = conn;
	return s;
}

void nlsock_close(struct nlsock *s)
{
	if (!s)
		return;
	nlconn_close(s->conn);
	free(s);
}

/* ---- links ------------------------------------------------------------ */

/* What a RTM_GETLINK of one link answers that cnemu reads. */
struct link_facts {
	int ifindex;
	int mtu;
	unsigned int flags;		/* ifi_flags: IFF_UP, IFF_RUNNING */
};

static int parse_link_facts(const struct nlmsghdr *h, void *aux)
{
	struct link_facts *f = aux;
	struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_datalen(h) < (int)sizeof(struct ifinfomsg))
		return 0;
	f->ifindex = ((struct ifinfomsg *)nlmsg_data(h))->ifi_index;
	f->flags = ((struct ifinfomsg *)nlmsg_data(h))->ifi_flags;
	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(struct ifinfomsg), tb,
			IFLA_MAX, NULL) == 0 &&
	    tb[IFLA_MTU])
		f->mtu = (int)nla_get_u32(tb[IFLA_MTU]);
	return 0;
}

static int get_link_facts(struct nlsock *s, const char *ifname,
			  struct link_facts *f)
{
	struct nl_msg *msg;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = nlsock_build_getlink(&msg, ifname, NULL);
	if (ret < 0)
		return ret;
	ret = nlsock_talk(s, msg, parse_link_facts, f);
	nlmsg_free(msg);
	if (ret < 0)
		return ret;
	return f->ifindex > 0 ? 0 : -ENODEV;
}

int nlsock_ifindex(struct nlsock *s, const char *ifname)
{
	struct link_facts f;
	int ret = get_link_facts(s, ifname, &f);

	return ret < 0 ? ret : f.ifindex;
}

int nlsock_mtu(struct nlsock *s, const char *ifname)
{
	struct link_facts f;
	int ret = get_link_facts(s, ifname, &f);

	if (ret < 0)
		return ret;
	return f.mtu > 0 ? f.mtu : -ENODATA;
}

bool nlsock_is_running(struct nlsock *s, const char *ifname)
{
	struct link_facts f;

	/* The kernel reports IFF_RUNNING once it has made the device
	 * operationally up, after the carrier, with its queue. */
	return get_link_facts(s, ifname, &f) == 0 && (f.flags & IFF_RUNNING);
}

/* Opens a socket in 'nsfd' unless that is -1 (then 's' serves): '*tmp' is
 * the socket to close afterwards, or NULL. */
static struct nlsock *nlsock_for(struct nlsock *s, int nsfd,
				 struct nlsock **tmp, struct emu_err *err)
{
	*tmp = NULL;
	if (nsfd < 0)
		return s;
	return *tmp = nlsock_open(nsfd, err);
}

static int set_link(struct nlsock *s, const char *ifname,
		    const struct nlsock_link_change *c, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = nlsock_build_setlink(&msg, ifname, c, err);
	if (ret < 0)
		return ret;
	return nlsock_send(s, msg);
}

/* Sets the alias of the veth end 'e', through a socket in its namespace. */
static int set_end_alias(struct nlsock *s, const struct nlsock_veth_end *e,
			 struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_ALIAS,
					.alias = e->alias };
	struct nlsock *tmp, *ns;
	struct emu_err local;
	int ret;

	err = emu_err_sink(err, &local);
	ns = nlsock_for(s, e->nsfd, &tmp, err);
	if (!ns)
		return emu_err_code(err, -EIO);
	ret = set_link(ns, e->name, &c, err);
	if (ret < 0 && !emu_err_is_set(err))
		nlconn_fail(ns->conn, ret, err, "cannot set alias of '%s'", e->name);
	nlsock_close(tmp);
	return ret;
}

int nlsock_add_veth(struct nlsock *s, const struct nlsock_veth_end *a,
		    const struct nlsock_veth_end *b, unsigned int mtu,
		    struct emu_err *err)
{
	struct nlsock *tmp, *ns;
	struct nl_msg *msg;
	int ret;

	ret = nlsock_build_veth(&msg, a, b, mtu, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWLINK veth '%s' peer '%s'", a->name, b->name);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   ret == -EEXIST
					   ? "cannot create veth '%s' <-> '%s' "
					     "(one of the names is taken)"
					   : "cannot create veth '%s' <-> '%s'",
				   a->name, b->name);
	if ((a->alias && (ret = set_end_alias(s, a, err)) < 0) ||
	    (b->alias && (ret = set_end_alias(s, b, err)) < 0))
		goto fail;
	return 0;
fail:
	/* Deleting one end takes the other along. */
	ns = nlsock_for(s, a->nsfd, &tmp, NULL);
	if (!ns || nlsock_build_dellink(&msg, a->name, NULL) < 0 ||
	    nlsock_send(ns, msg) < 0)
		log_warn("'%s': left behind after a failed alias", a->name);
	nlsock_close(tmp);
	return ret;
}

int nlsock_add_bridge(struct nlsock *s, const char *name,
		      const struct nlsock_bridge_opts *opts, struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_ALIAS };
	struct nl_msg *msg;
	int ret;

	ret = nlsock_build_bridge(&msg, name, opts, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWLINK bridge '%s' stp %d", name, opts && opts->stp);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err, "cannot create bridge '%s'",
				   name);
	if (!opts || !opts->alias)
		return 0;
	c.alias = opts->alias;
	ret = set_link(s, name, &c, err);
	if (ret < 0) {
		if (!emu_err_is_set(err))
			nlconn_fail(s->conn, ret, err, "cannot set alias of '%s'",
				    name);
		if (nlsock_build_dellink(&msg, name, NULL) == 0)
			nlsock_send(s, msg);
	}
	return ret;
}

int nlsock_add_vxlan(struct nlsock *s, const struct nlsock_vxlan_opts *opts,
		     struct emu_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = nlsock_build_vxlan(&msg, opts, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWLINK vxlan '%s' id %u remote %s local %s", opts->name,
		opts->vni, opts->remote, opts->local);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot create VXLAN '%s' to %s", opts->name,
				   opts->remote);
	return 0;
}

int nlsock_set_master(struct nlsock *s, const char *ifname, const char *master,
		      struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_MASTER };
	int ret;

	if (master) {
		c.master = nlsock_ifindex(s, master);
		if (c.master < 0)
			return nlconn_fail(s->conn, c.master, err,
					   "cannot add port '%s' to '%s'",
					   ifname, master);
	}
	log_dbg("RTM_SETLINK '%s' master '%s'", ifname, master ? master : "-");
	ret = set_link(s, ifname, &c, err);
	if (ret < 0 && !emu_err_is_set(err)) {
		if (master)
			return nlconn_fail(s->conn, ret, err,
					   "cannot add port '%s' to '%s'",
					   ifname, master);
		return nlconn_fail(s->conn, ret, err,
				   "cannot release '%s' from its bridge",
				   ifname);
	}
	return ret;
}

int nlsock_set_bridge_hub(struct nlsock *s, const char *name,
			  struct emu_err *err)
{
	struct nl_msg *msg;
	int ret = nlsock_build_bridge_ageing(&msg, name, 0, err);

	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWLINK bridge '%s' ageing_time 0", name);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot stop bridge '%s' learning", name);
	return 0;
}

int nlsock_set_up(struct nlsock *s, const char *ifname, bool up,
		  struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_UP, .up = up };
	int ret;

	log_dbg("RTM_SETLINK '%s' %s", ifname, up ? "up" : "down");
	ret = set_link(s, ifname, &c, err);
	if (ret < 0 && !emu_err_is_set(err))
		return nlconn_fail(s->conn, ret, err, "cannot set '%s' %s", ifname,
				   up ? "up" : "down");
	return ret;
}

int nlsock_set_mac(struct nlsock *s, const char *ifname, const char *mac,
		   struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_MAC, .mac = mac };
	int ret;

	log_dbg("RTM_SETLINK '%s' address %s", ifname, mac);
	ret = set_link(s, ifname, &c, err);
	if (ret < 0 && !emu_err_is_set(err))
		return nlconn_fail(s->conn, ret, err,
				   "cannot set MAC address of '%s' to '%s'",
				   ifname, mac);
	return ret;
}

int nlsock_set_alias(struct nlsock *s, const char *ifname, const char *alias,
		     struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_ALIAS,
					.alias = alias };
	int ret;

	log_dbg("RTM_SETLINK '%s' alias '%s'", ifname, alias ? alias : "");
	ret = set_link(s, ifname, &c, err);
	if (ret < 0 && !emu_err_is_set(err))
		return nlconn_fail(s->conn, ret, err, "cannot set alias of '%s'",
				   ifname);
	return ret;
}

int nlsock_move_link(struct nlsock *s, const char *ifname, int nsfd,
		     struct emu_err *err)
{
	struct nlsock_link_change c = { .fields = NLSOCK_SET_NETNS,
					.nsfd = nsfd };
	int ret;

	log_dbg("RTM_SETLINK '%s' netns fd %d", ifname, nsfd);
	ret = set_link(s, ifname, &c, err);
	if (ret < 0 && !emu_err_is_set(err))
		return nlconn_fail(s->conn, ret, err,
				   "cannot move '%s' to another namespace",
				   ifname);
	return ret;
}

int nlsock_rename_link(struct nlsock *s, const char *ifname,
		       const char *newname, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret, ifindex = nlsock_ifindex(s, ifname);

	if (ifindex < 0)
		return nlconn_fail(s->conn, ifindex, err, "cannot rename '%s'",
				   ifname);
	ret = nlsock_build_rename(&msg, ifindex, newname, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_SETLINK '%s' name '%s'", ifname, newname);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err, "cannot rename '%s' to '%s'",
				   ifname, newname);
	return 0;
}

int nlsock_del_link(struct nlsock *s, const char *ifname, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = nlsock_build_dellink(&msg, ifname, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_DELLINK '%s'", ifname);
	ret = nlsock_send(s, msg);
	if (ret == -ENODEV)
		return 0;
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err, "cannot delete '%s'", ifname);
	return 0;
}

int nlsock_del_group(struct nlsock *s, uint32_t group, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret;

	if (!group)	/* never the default group of every interface */
		return emu_err_set(err, -EINVAL, "refusing to delete group 0");
	ret = nlsock_build_del_group(&msg, group);
	if (ret < 0)
		return emu_err_set(err, ret, "cannot build RTM_DELLINK");
	log_dbg("RTM_DELLINK group %u", group);
	ret = nlsock_send(s, msg);
	if (ret == -ENODEV)
		return 0;	/* an empty group */
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err, "cannot delete group %u",
				   group);
	return 0;
}

/* Links found by nlsock_foreach_alias(). */
struct alias_list {
	const char *prefix;
	char **names, **aliases;
	size_t n, cap, cap2;
};

static int parse_alias(const struct nlmsghdr *h, void *aux)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct alias_list *l = aux;
	const char *alias;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse((struct nlmsghdr *)h, sizeof(struct ifinfomsg), tb,
			IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_IFNAME] || !tb[IFLA_IFALIAS])
		return 0;
	alias = nla_get_string(tb[IFLA_IFALIAS]);
	/* The kernel NUL-terminates both strings. */
	if (!str_starts_with(alias, l->prefix))
		return 0;
	xgrow((void **)&l->names, &l->cap, l->n + 1, sizeof(*l->names));
	xgrow((void **)&l->aliases, &l->cap2, l->n + 1, sizeof(*l->aliases));
	l->names[l->n] = xstrdup(nla_get_string(tb[IFLA_IFNAME]));
	l->aliases[l->n] = xstrdup(alias);
	l->n++;
	return 0;
}

static void alias_list_clear(struct alias_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->aliases[i]);
	}
	l->n = 0;
}

int nlsock_foreach_alias(struct nlsock *s, const char *alias_prefix,
			 void (*fn)(const char *ifname, const char *alias,
				    void *aux),
			 void *aux, struct emu_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct alias_list l = { .prefix = alias_prefix ? alias_prefix : "" };
	struct nl_msg *msg;
	int ret, tries;
	size_t i;

	/* A dump that links changed under is marked and read again. */
	for (tries = 0; tries < 3; tries++) {
		alias_list_clear(&l);
		msg = msg_new(RTM_GETLINK, NLM_F_DUMP);
		if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
		    nla_put_u32(msg, IFLA_EXT_MASK,
				RTEXT_FILTER_SKIP_STATS) < 0)
			abort();	/* cannot overflow a page */
		log_dbg("RTM_GETLINK dump");
		ret = nlsock_talk(s, msg, parse_alias, &l);
		nlmsg_free(msg);
		if (ret != -EINTR)
			break;
	}
	if (ret < 0) {
		nlconn_fail(s->conn, ret, err, "cannot list links");
		goto out;
	}
	for (i = 0; i < l.n; i++)
		fn(l.names[i], l.aliases[i], aux);
	ret = l.n;
out:
	alias_list_clear(&l);
	free(l.names);
	free(l.aliases);
	return ret;
}

/* ---- addresses and routes --------------------------------------------- */

int nlsock_add_addr(struct nlsock *s, const char *ifname, const char *cidr,
		    struct emu_err *err)
{
	struct nl_msg *msg;
	int ret, ifindex;

	ifindex = nlsock_ifindex(s, ifname);
	if (ifindex < 0)
		return nlconn_fail(s->conn, ifindex, err,
				   "cannot add address '%s' to '%s'", cidr,
				   ifname);
	ret = nlsock_build_add_addr(&msg, ifindex, cidr, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWADDR '%s' %s", ifname, cidr);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot add address '%s' to '%s'", cidr,
				   ifname);
	return 0;
}

/* IPv4 addresses of one interface, found by nlsock_flush_addr4(). */
struct addr4_list {
	int ifindex;
	struct ifaddrmsg *ifas;
	uint32_t *locals;
	size_t n, cap, cap2;
};

static int parse_addr4(const struct nlmsghdr *h, void *aux)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct addr4_list *l = aux;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *local;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifa), tb, IFA_MAX,
			NULL) < 0 ||
	    ifa->ifa_family != AF_INET || (int)ifa->ifa_index != l->ifindex)
		return 0;
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!local || nla_len(local) != 4)
		return 0;
	xgrow((void **)&l->ifas, &l->cap, l->n + 1, sizeof(*l->ifas));
	xgrow((void **)&l->locals, &l->cap2, l->n + 1, sizeof(*l->locals));
	l->ifas[l->n] = *ifa;
	memcpy(&l->locals[l->n], nla_data(local), 4);
	l->n++;
	return 0;
}

int nlsock_flush_addr4(struct nlsock *s, const char *ifname,
		       struct emu_err *err)
{
	struct ifaddrmsg req = { .ifa_family = AF_INET };
	struct addr4_list l = { 0 };
	struct nl_msg *msg;
	size_t i;
	int ret;

	l.ifindex = nlsock_ifindex(s, ifname);
	if (l.ifindex < 0)
		return nlconn_fail(s->conn, l.ifindex, err,
				   "cannot remove addresses of '%s'", ifname);
	msg = msg_new(RTM_GETADDR, NLM_F_DUMP);
	if (nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO) < 0)
		abort();	/* cannot overflow a page */
	log_dbg("RTM_GETADDR dump for '%s'", ifname);
	ret = nlsock_talk(s, msg, parse_addr4, &l);
	nlmsg_free(msg);
	for (i = 0; ret == 0 && i < l.n; i++) {
		msg = msg_new(RTM_DELADDR, 0);
		if (nlmsg_append(msg, &l.ifas[i], sizeof(l.ifas[i]),
				 NLMSG_ALIGNTO) < 0 ||
		    nla_put(msg, IFA_LOCAL, 4, &l.locals[i]) < 0)
			abort();	/* cannot overflow a page */
		ret = nlsock_send(s, msg);
		/* Removing a primary address takes its secondaries along. */
		if (ret == -EADDRNOTAVAIL)
			ret = 0;
	}
	free(l.ifas);
	free(l.locals);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot remove addresses of '%s'", ifname);
	return 0;
}

/* nlsock_add_route(), or with 'replace' nlsock_replace_route(). */
static int nlsock_route(struct nlsock *s, const char *dst, const char *gw,
			const char *ifname, bool replace, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret, oif = 0;

	if (ifname) {
		oif = nlsock_ifindex(s, ifname);
		if (oif < 0)
			return nlconn_fail(s->conn, oif, err,
					   "cannot add route to '%s' dev '%s'",
					   dst ? dst : "", ifname);
	}
	ret = nlsock_build_add_route(&msg, dst, gw, oif, err);
	if (ret < 0)
		return ret;
	if (replace) {
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_EXCL;
		nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_REPLACE;
	}
	log_dbg("RTM_NEWROUTE %s via %s dev %s", dst, gw ? gw : "-",
		ifname ? ifname : "-");
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot add route to '%s'%s%s%s%s%s", dst,
				   gw ? " via '" : "", gw ? gw : "",
				   gw ? "'" : "", ifname ? " dev " : "",
				   ifname ? ifname : "");
	return 0;
}

int nlsock_add_route(struct nlsock *s, const char *dst, const char *gw,
		     const char *ifname, struct emu_err *err)
{
	return nlsock_route(s, dst, gw, ifname, false, err);
}

int nlsock_replace_route(struct nlsock *s, const char *dst, const char *gw,
			 const char *ifname, struct emu_err *err)
{
	return nlsock_route(s, dst, gw, ifname, true, err);
}

int nlsock_add_neigh(struct nlsock *s, const char *ifname, const char *ip,
		     const char *mac, struct emu_err *err)
{
	struct nl_msg *msg;
	int ret, ifindex = nlsock_ifindex(s, ifname);

	if (ifindex < 0)
		return nlconn_fail(s->conn, ifindex, err,
				   "cannot add neighbour '%s' on '%s'", ip,
				   ifname);
	ret = nlsock_build_add_neigh(&msg, ifindex, ip, mac, err);
	if (ret < 0)
		return ret;
	log_dbg("RTM_NEWNEIGH %s lladdr %s dev %s", ip, mac, ifname);
	ret = nlsock_send(s, msg);
	if (ret < 0)
		return nlconn_fail(s->conn, ret, err,
				   "cannot add neighbour '%s' on '%s'", ip,
				   ifname);
	return 0;
}

/* ---- outside rtnetlink ------------------------------------------------ */

/* Sysctl files of a namespace and the value written to each. */
struct ns_sysctls {
	const char *const *names;
	size_t n;
	const char *value;
};

/* Writes the sysctls of 'aux' (a struct ns_sysctls) in the namespace the
 * thread is in (netns_run() of write_ns_sysctls()); a missing file is
 * skipped: its module is not loaded. */
static int write_sysctls_here(void *aux, struct emu_err *err)
{
	const struct ns_sysctls *w = aux;
	size_t len = strlen(w->value);
	int fd, ret = 0;

	for (size_t i = 0; i < w->n && ret == 0; i++) {
		fd = open(w->names[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;	/* no such module: nothing to set */
		if (fd < 0 || write(fd, w->value, len) != (ssize_t)len)
			ret = emu_err_set(err, -errno, "cannot write '%s': %s",
					  w->names[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return ret;
}

/* Writes the sysctls 'w' of the socket's namespace; never the host's
 * ('what' names the sysctls in that refusal). */
static int write_ns_sysctls(struct nlsock *s, struct ns_sysctls *w,
			    const char *what, struct emu_err *err)
{
	int nsfd, ret;

	/* The namespace the socket lives in, whichever thread opened it. */
	nsfd = ioctl(nlconn_fd(s->conn), SIOCGSKNS);
	if (nsfd < 0)
		return emu_err_set(err, -errno,
				   "cannot find the socket's network namespace: %s",
				   strerror(errno));
	if (netns_is_host(nsfd)) {
		close(nsfd);
		return emu_err_set(err, -EPERM,
				   "refusing to change the %s sysctls of the host's namespace",
				   what);
	}
	ret = netns_run(nsfd, write_sysctls_here, w, err);
	close(nsfd);
	return ret;
}

int nlsock_set_bridge_nf_call(struct nlsock *s, bool on, struct emu_err *err)
{
	static const char *const names[] = {
		"/proc/sys/net/bridge/bridge-nf-call-iptables",
		"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
		"/proc/sys/net/bridge/bridge-nf-call-arptables",
	};
	struct ns_sysctls w = { names, ARRAY_SIZE(names), on ? "1\n" : "0\n" };

	return write_ns_sysctls(s, &w, "bridge netfilter", err);
}

int nlsock_set_ipv6(struct nlsock *s, bool on, struct emu_err *err)
{
	static const char *const names[] = {
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
	};
	struct ns_sysctls w = { names, ARRAY_SIZE(names), on ? "0\n" : "1\n" };

	return write_ns_sysctls(s, &w, "IPv6", err);
}

int nlsock_set_tx_csum(int nsfd, const char *ifname, bool on, struct emu_err *err)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = on };
	struct ifreq ifr = { 0 };
	int fd, ret;

	if ((ret = check_ifname(ifname, err)) < 0)
		return ret;
	/* A socket answers ioctls in the namespace it was made in. */
	fd = netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0, err);
	if (fd < 0)
		return fd;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)&ev;
	log_dbg("SIOCETHTOOL '%s' tx checksum %s", ifname, on ? "on" : "off");
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		ret = emu_err_set(err, -errno,
				  "cannot turn tx checksum offload of '%s' %s: %s",
				  ifname, on ? "on" : "off", strerror(errno));
		goto out;
	}
	ev.cmd = ETHTOOL_GTXCSUM;
	ev.data = !on;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 || !ev.data != !on)
		ret = emu_err_set(err, -EOPNOTSUPP,
				  "cannot turn tx checksum offload of '%s' %s: the kernel keeps it %s",
				  ifname, on ? "on" : "off", on ? "off" : "on");
out:
	close(fd);
	return ret;
}

int nlsock_netns_create(const char *ns_name, struct nlsock **nl,
			struct emu_err *err)
{
	struct nlsock *s;
	int fd;

	if (nl)
		*nl = NULL;
	fd = netns_create(ns_name, err);
	if (fd < 0)
		return fd;
	s = nlsock_open(fd, err);
	if (!s || nlsock_set_up(s, "lo", true, err)) {
		nlsock_close(s);
		close(fd);
		netns_delete(ns_name);
		return err && err->code ? err->code : -EIO;
	}
	if (nl)
		*nl = s;
	else
		nlsock_close(s);
	return fd;
}
