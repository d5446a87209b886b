/* Linux bridges as switches ("lxbr"), made over netlink, each in a switch
 * namespace of its own ("<tag>-s1", node/switch_ns.h).  There, bridged
 * traffic meets no FORWARD chain: on a machine where Docker sets the host's
 * FORWARD policy to drop and bridge-nf-call-iptables is on (the per-bridge
 * nf_call_* switches cannot override the namespace's sysctl), a bridge in
 * the root namespace would drop all IP.  'ip netns exec <tag>-s1 bridge
 * link' shows s1's ports. */
#ifndef NODE_BRIDGE_H
#define NODE_BRIDGE_H

#include <stdbool.h>

struct node;
struct node_ctx;

/* Returns a new Linux bridge node 'name' (caller owns it until handed to
 * the Net) of the run 'ctx'; 'stp' turns the kernel's spanning tree on. */
struct node *bridge_create(struct node_ctx *ctx, const char *name,
			   bool stp);

#endif
