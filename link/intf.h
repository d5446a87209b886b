/* An interface of a node as links see it: the record a node keeps for
 * each of its interfaces (node/node.h) and a link joins two of.  link/
 * knows no node: what it needs of an end's node (its namespace, its name,
 * whether it is a switch's port) it asks through struct link_end_ops,
 * which node/ fills and the Net lends to every link. */
#ifndef LINK_INTF_H
#define LINK_INTF_H

#include <stdbool.h>

struct emu_err;
struct link;
struct node;

struct node_intf {
	char *name;		/* "h1-eth0", unique within the node */
	char ip[64];		/* "10.0.0.1/8"; "": none */
	char mac[18];		/* "00:00:00:00:00:01"; "": kernel's */
	int port;		/* eth<port>; OpenFlow port on a switch */
	struct link *link;	/* the link it ends (borrowed) */
	struct node *node;	/* its node (borrowed; opaque to link/) */
	bool up;		/* administratively up */
};

struct link_end_ops {
	/* The namespace of the end's node; -1: the machine's. */
	int (*nsfd)(const struct node_intf *intf);
	/* The end's node's name, for messages. */
	const char *(*owner)(const struct node_intf *intf);
	/* Whether the end is a switch's port (the pump goes beside it). */
	bool (*is_switch)(const struct node_intf *intf);
	/* Whether the end can still be found: in its node's namespace, or
	 * in the machine's for a switch's port. */
	bool (*reachable)(const struct node_intf *intf);
	/* Whether the end is a port of a running switch, to be detached
	 * before its interface is replaced and attached again after. */
	bool (*is_attached)(const struct node_intf *intf);
	int (*detach)(struct node_intf *intf, struct emu_err *err);
	int (*attach)(struct node_intf *intf, struct emu_err *err);
};

#endif
