/* Linux bridges as switches ("lxbr"), made over netlink in the root
 * namespace and tagged with the run's alias.  Bridged traffic is kept out
 * of the host's iptables FORWARD chain (nf_call_* off per bridge). */
#ifndef NODE_BRIDGE_H
#define NODE_BRIDGE_H

#include <stdbool.h>

struct net;
struct node;

/* Returns a new Linux bridge node 'name' (caller owns it until handed to
 * the Net); 'stp' turns the kernel's spanning tree on. */
struct node *bridge_create(struct net *net, const char *name, bool stp);

#endif
