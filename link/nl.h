/* Netlink route sockets bound to one network namespace, and the few link
 * and address operations cnemu needs: requests built with libnl-3
 * (link/nl_msg.h), sent through the transport of base/nlconn.h.
 *
 * A 'struct nlsock' is opened inside a namespace (given by an open fd of
 * /run/netns/NAME or /proc/PID/ns/net, or -1 for the caller's own) and stays
 * bound to it: every operation on it acts in that namespace.  The caller
 * owns the socket and closes it with nlsock_close().  A socket serves one
 * thread at a time: each call sends one request and reads its answer.
 * Nothing here forks a child process.
 *
 * Errors are a negative errno and a sentence naming the object, with the
 * kernel's extended-ack text in parentheses when it gave one:
 * "cannot create veth 'h1-eth0': File exists". */
#ifndef LINK_NL_H
#define LINK_NL_H

#include <stdbool.h>
#include <stdint.h>

struct emu_err;
struct nlsock;

/* One end of a veth pair. */
struct nlsock_veth_end {
	const char *name;	/* interface name, < IFNAMSIZ */
	int nsfd;		/* namespace to create it in; -1: the socket's */
	const char *mac;	/* "00:00:00:00:00:01"; NULL: kernel's random */
	const char *alias;	/* IFLA_IFALIAS tag; NULL: none (set by a
				 * second request, in a namespace other
				 * than the socket's by a temporary socket
				 * opened there) */
	uint32_t group;		/* IFLA_GROUP; 0: the default group */
};

/* Options of a Linux bridge. */
struct nlsock_bridge_opts {
	bool stp;		/* kernel STP on */
	const char *alias;	/* IFLA_IFALIAS tag; NULL: none */
	/* The bridge's own nf_call_iptables/ip6tables/arptables are always
	 * set off.  That is not enough alone: br_netfilter hands bridged
	 * packets to iptables when the bridge's flag OR the namespace's
	 * net.bridge.bridge-nf-call-iptables sysctl is on, and Docker turns
	 * the sysctl on with a FORWARD policy of DROP.  A bridge that must
	 * forward on such a host lives in a namespace of its own, see
	 * nlsock_set_bridge_nf_call(). */
};

/* A point-to-point kernel VXLAN device: the tunnel end of a link cut
 * between two machines. */
struct nlsock_vxlan_opts {
	const char *name;	/* interface name, < IFNAMSIZ */
	uint32_t vni;		/* VXLAN network identifier, < 2^24 */
	const char *local;	/* this machine's underlay address */
	const char *remote;	/* the peer machine's underlay address (the
				   same family) */
	uint16_t port;		/* UDP destination port; 0: 4789 */
	int link_ifindex;	/* the underlay device, in the socket's
				   namespace; 0: by route */
	unsigned int mtu;	/* 0: the kernel's (underlay's - 50) */
	int nsfd;		/* namespace to put the device in (its UDP
				   socket stays in the socket's); -1: the
				   socket's */
};

/* Opens a route socket inside the namespace 'nsfd' (-1: the caller's).
 * Returns NULL on failure with 'err' set. */
struct nlsock *nlsock_open(int nsfd, struct emu_err *err);
/* Makes the named namespace 'ns_name' as netns_create() (base/netns.h)
 * does, with loopback up, and stores a route socket in it in '*nl' (the
 * caller's to close; NULL: none kept).  Returns the namespace fd or a
 * negative errno; on failure nothing is left and '*nl' is NULL. */
int nlsock_netns_create(const char *ns_name, struct nlsock **nl,
			struct emu_err *err);
void nlsock_close(struct nlsock *s);	/* accepts NULL */

/* Creates a veth pair with each end directly in its own namespace (one
 * RTM_NEWLINK); 'mtu' 0 keeps the kernel default.  Both ends stay down.
 * Aliases take one RTM_SETLINK each afterwards; if that fails the pair is
 * deleted again. */
int nlsock_add_veth(struct nlsock *s, const struct nlsock_veth_end *a,
		    const struct nlsock_veth_end *b, unsigned int mtu,
		    struct emu_err *err);

/* Creates a Linux bridge (down) in the socket's namespace, with STP as
 * asked and its nf_call_* flags off. */
int nlsock_add_bridge(struct nlsock *s, const char *name,
		      const struct nlsock_bridge_opts *opts,
		      struct emu_err *err);

/* Creates the VXLAN device of 'opts' (down), sending and receiving on
 * the underlay of the socket's namespace. */
int nlsock_add_vxlan(struct nlsock *s, const struct nlsock_vxlan_opts *opts,
		     struct emu_err *err);

/* The MTU of 'ifname' (> 0) or a negative errno. */
int nlsock_mtu(struct nlsock *s, const char *ifname);

/* Makes 'ifname' a port of the bridge 'master' (NULL: releases it).
 * Looks up the ifindex of 'master' first: two requests. */
int nlsock_set_master(struct nlsock *s, const char *ifname,
		      const char *master, struct emu_err *err);

/* Makes the bridge 'name' learn no address (ageing time 0): it floods
 * every frame to its other ports, so that two ports are a plain wire
 * whichever way an address was seen before (a cut link's tunnel end,
 * whose frames change direction when the controllers' paths do). */
int nlsock_set_bridge_hub(struct nlsock *s, const char *name,
			  struct emu_err *err);

/* Sets 'ifname' administratively up or down. */
int nlsock_set_up(struct nlsock *s, const char *ifname, bool up,
		  struct emu_err *err);

/* True when 'ifname' carries frames: its carrier is on and the kernel has
 * made it operationally up.  Both follow an administrative 'up' a moment
 * later; a frame sent in between is lost. */
bool nlsock_is_running(struct nlsock *s, const char *ifname);

/* Sets the MAC address ("aa:bb:cc:dd:ee:ff") of 'ifname'. */
int nlsock_set_mac(struct nlsock *s, const char *ifname, const char *mac,
		   struct emu_err *err);

/* Adds the address 'cidr' ("10.0.0.1/8", IPv4 or IPv6; no prefix: a host
 * address) to 'ifname'; IPv4 up to /30 gets its broadcast address, as
 * ifconfig gives it.  An address already there is -EEXIST. */
int nlsock_add_addr(struct nlsock *s, const char *ifname, const char *cidr,
		    struct emu_err *err);

/* Removes every IPv4 address of 'ifname'. */
int nlsock_flush_addr4(struct nlsock *s, const char *ifname,
		       struct emu_err *err);

/* Adds a route to the main table: 'dst' ("default" or a cidr) via 'gw'
 * (may be NULL) out of 'ifname' (may be NULL when 'gw' is given).  A route
 * already there is -EEXIST. */
int nlsock_add_route(struct nlsock *s, const char *dst, const char *gw,
		     const char *ifname, struct emu_err *err);
/* The same, replacing a route to 'dst' already there. */
int nlsock_replace_route(struct nlsock *s, const char *dst, const char *gw,
			 const char *ifname, struct emu_err *err);

/* Adds (or replaces) a permanent neighbour entry: 'ip' reached at 'mac'
 * on 'ifname' (static ARP, Mininet's --arp). */
int nlsock_add_neigh(struct nlsock *s, const char *ifname, const char *ip,
		     const char *mac, struct emu_err *err);

/* Deletes the link 'ifname' (a veth takes its peer along).  A link that
 * does not exist is not an error. */
int nlsock_del_link(struct nlsock *s, const char *ifname, struct emu_err *err);

/* Deletes, in one batch of the kernel, every link of the interface group
 * 'group' (> 0) in the socket's namespace (a veth takes its peer along):
 * one wait for the kernel instead of one per link. */
int nlsock_del_group(struct nlsock *s, uint32_t group, struct emu_err *err);

/* Moves 'ifname' into the namespace 'nsfd'. */
int nlsock_move_link(struct nlsock *s, const char *ifname, int nsfd,
		     struct emu_err *err);

/* Renames 'ifname' to 'newname' (the link must be down). */
int nlsock_rename_link(struct nlsock *s, const char *ifname,
		       const char *newname, struct emu_err *err);

/* Returns the ifindex of 'ifname' (> 0) or a negative errno. */
int nlsock_ifindex(struct nlsock *s, const char *ifname);

/* Calls 'fn' with the name and alias of every link in the socket's
 * namespace whose IFLA_IFALIAS starts with 'alias_prefix'.  'fn' runs after
 * the dump has been read, so it may use 's' (e.g. nlsock_del_link()).
 * Returns the number of links visited or a negative errno. */
int nlsock_foreach_alias(struct nlsock *s, const char *alias_prefix,
			 void (*fn)(const char *ifname, const char *alias,
				    void *aux),
			 void *aux, struct emu_err *err);

/* Sets the IFLA_IFALIAS of 'ifname' ("": clears it). */
int nlsock_set_alias(struct nlsock *s, const char *ifname, const char *alias,
		     struct emu_err *err);

/* Sets net.bridge.bridge-nf-call-{iptables,ip6tables,arptables} of the
 * socket's namespace to 'on' (nothing to do without br_netfilter).  These
 * sysctls are per namespace; a new namespace starts with them on but with
 * empty iptables, so a bridge there forwards either way, and off it skips
 * br_netfilter's per-packet work.  Refuses (-EPERM) the host's namespace
 * (the process's own, or pid 1's): cnemu leaves the host's firewall
 * settings alone. */
int nlsock_set_bridge_nf_call(struct nlsock *s, bool on, struct emu_err *err);

/* Turns IPv6 of the socket's namespace on or off for its interfaces and
 * those made later (net.ipv6.conf.{all,default}.disable_ipv6; nothing to
 * do without IPv6).  Off, an interface gets no link-local address, no
 * routes of its own and sends no neighbour or router solicitations: the
 * namespace of bridges needs it off, where thousands of ports would each
 * add a route that every IPv6 route lookup walks.  Refuses (-EPERM) the
 * host's namespace. */
int nlsock_set_ipv6(struct nlsock *s, bool on, struct emu_err *err);

/* Turns TX checksum offload of 'ifname' in namespace 'nsfd' (-1: the
 * caller's) on or off (SIOCETHTOOL; the OVS userspace datapath needs it
 * off on veths it is attached to, TCP stalls otherwise).  Off also takes
 * TSO off (the kernel drops it without checksumming).  Reads the setting
 * back: a kernel that keeps it is -EOPNOTSUPP. */
int nlsock_set_tx_csum(int nsfd, const char *ifname, bool on,
		       struct emu_err *err);

#endif
