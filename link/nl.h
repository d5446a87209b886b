/* Netlink route sockets bound to one network namespace, and the few link
 * and address operations cnemu needs, over libnl-route-3.
 *
 * A 'struct nlsock' is opened inside a namespace (given by an open fd of
 * /run/netns/NAME or /proc/PID/ns/net, or -1 for the caller's own) and stays
 * bound to it: every operation on it acts in that namespace.  The caller
 * owns the socket and closes it with nlsock_close().  Nothing here forks a
 * child process. */
#ifndef LINK_NL_H
#define LINK_NL_H

#include <stdbool.h>
#include <stdint.h>

struct emu_err;
struct nlsock;

/* One end of a veth pair. */
struct nl_veth_end {
	const char *name;	/* interface name, < IFNAMSIZ */
	int nsfd;		/* namespace to create it in; -1: the socket's */
	const char *mac;	/* "00:00:00:00:00:01"; NULL: kernel's random */
	const char *alias;	/* IFLA_IFALIAS tag; NULL: none */
};

/* Options of a Linux bridge. */
struct nl_bridge_opts {
	bool stp;		/* kernel STP on */
	const char *alias;	/* IFLA_IFALIAS tag; NULL: none */
	/* nf_call_iptables/ip6tables/arptables are always set off so that
	 * bridged traffic does not meet the host's FORWARD chain. */
};

/* Opens a route socket inside the namespace 'nsfd' (-1: the caller's).
 * Returns NULL on failure with 'err' set. */
struct nlsock *nlsock_open(int nsfd, struct emu_err *err);
void nlsock_close(struct nlsock *s);	/* accepts NULL */

/* Creates a veth pair with each end directly in its own namespace (one
 * RTM_NEWLINK); 'mtu' 0 keeps the kernel default.  Both ends stay down. */
int nlsock_add_veth(struct nlsock *s, const struct nl_veth_end *a,
		    const struct nl_veth_end *b, unsigned int mtu,
		    struct emu_err *err);

/* Creates a Linux bridge (down) in the socket's namespace. */
int nlsock_add_bridge(struct nlsock *s, const char *name,
		      const struct nl_bridge_opts *opts, struct emu_err *err);

/* Makes 'ifname' a port of the bridge 'master' (NULL: releases it). */
int nlsock_set_master(struct nlsock *s, const char *ifname,
		      const char *master, struct emu_err *err);

/* Sets 'ifname' administratively up or down. */
int nlsock_set_up(struct nlsock *s, const char *ifname, bool up,
		  struct emu_err *err);

/* Sets the MAC address ("aa:bb:cc:dd:ee:ff") of 'ifname'. */
int nlsock_set_mac(struct nlsock *s, const char *ifname, const char *mac,
		   struct emu_err *err);

/* Adds the address 'cidr' ("10.0.0.1/8", IPv4 or IPv6) to 'ifname'. */
int nlsock_add_addr(struct nlsock *s, const char *ifname, const char *cidr,
		    struct emu_err *err);

/* Removes every IPv4 address of 'ifname'. */
int nlsock_flush_addr4(struct nlsock *s, const char *ifname,
		       struct emu_err *err);

/* Adds a route: 'dst' ("default" or a cidr) via 'gw' (may be NULL) out of
 * 'ifname' (may be NULL when 'gw' is given). */
int nlsock_add_route(struct nlsock *s, const char *dst, const char *gw,
		     const char *ifname, struct emu_err *err);

/* Deletes the link 'ifname' (a veth takes its peer along).  A link that
 * does not exist is not an error. */
int nlsock_del_link(struct nlsock *s, const char *ifname, struct emu_err *err);

/* Moves 'ifname' into the namespace 'nsfd'. */
int nlsock_move_link(struct nlsock *s, const char *ifname, int nsfd,
		     struct emu_err *err);

/* Returns the ifindex of 'ifname' (> 0) or a negative errno. */
int nlsock_ifindex(struct nlsock *s, const char *ifname);

/* Calls 'fn' with the name and alias of every link in the socket's
 * namespace whose IFLA_IFALIAS starts with 'alias_prefix'.  Returns the
 * number of links visited or a negative errno. */
int nlsock_foreach_alias(struct nlsock *s, const char *alias_prefix,
			 void (*fn)(const char *ifname, const char *alias,
				    void *aux),
			 void *aux, struct emu_err *err);

/* Sets the IFLA_IFALIAS of 'ifname'. */
int nlsock_set_alias(struct nlsock *s, const char *ifname, const char *alias,
		     struct emu_err *err);

/* Turns TX checksum offload of 'ifname' in namespace 'nsfd' (-1: the
 * caller's) on or off (SIOCETHTOOL; the OVS userspace datapath needs it
 * off on veths it is attached to, TCP stalls otherwise). */
int nl_set_tx_csum(int nsfd, const char *ifname, bool on, struct emu_err *err);

/* Maps a libnl error (NLE_*, positive or negative) to a negative errno. */
int nlsock_errno(int nle);

#endif
