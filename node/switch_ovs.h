/* Open vSwitch bridges as switches ("ovs" under a controller, "ovsbr"
 * standalone).  All bridges of a start go to ovsdb-server in one
 * transaction (node/ovs.c). */
#ifndef NODE_SWITCH_OVS_H
#define NODE_SWITCH_OVS_H

#include <stdbool.h>
#include <stdint.h>

struct node;
struct node_ctx;

/* Returns a new OVS bridge node 'name' of the run 'ctx' (caller owns it
 * until handed to the Net).  'dpid' is the one the Net derived (never 0); 'standalone' runs it
 * without controller (fail_mode standalone). */
struct node *ovs_switch_create(struct node_ctx *ctx, const char *name,
			       uint64_t dpid, bool standalone, bool stp);

#endif
