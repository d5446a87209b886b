/* Links: a veth pair joining two node interfaces, one end in each node's
 * namespace, optionally shaped.
 *
 * The Net creates a link with link_create() (nothing on the machine yet),
 * makes it real with link_make() once both nodes have namespaces, and
 * destroys it with link_destroy(), which removes the pair. */
#ifndef LINK_VETH_H
#define LINK_VETH_H

#include <stdbool.h>
#include <stdint.h>

#include "link/intf.h"
#include "link/shaping.h"

struct emu_err;
struct nlsock;
struct link_engine;

struct link;

struct link_opts {
	unsigned int mtu;		/* 0: kernel default */
	const struct shaping *shaping1;	/* egress of end 1; NULL: none */
	const struct shaping *shaping2;	/* egress of end 2; NULL: none */
	const char *alias;		/* IFLA_IFALIAS of root-side ends */
	uint32_t group;			/* IFLA_GROUP of root-side ends, so
					   that the Net removes them in one
					   batch; 0: none */
	struct link_engine *engine;	/* the run's netem or pump (the
					   Net's, borrowed); NULL: no
					   impairments possible */
	const struct link_end_ops *ends;	/* what the link asks of its
						   ends' nodes (required) */
};

/* Returns a new link between 'intf1' and 'intf2' (owned by the caller,
 * then the Net); the interfaces point back at it. */
struct link *link_create(struct node_intf *intf1, struct node_intf *intf2,
			 const struct link_opts *opts);

/* Makes the veth pair (both ends down) through the root socket 'nl'.  A
 * link with impairments where the engine is the pump gets two pairs,
 * end 1 <-> p<id>a and p<id>b <-> end 2, with the pump between p<id>a and
 * p<id>b in the pump's namespace; so does, where the engine is the pump, a
 * link with no switch at either end (nowhere to put the pump later). */
int link_make(struct link *link, struct nlsock *nl, struct emu_err *err);

/* Gives the made end 'intf' its address and sets it up or down, through
 * 'nl' in the end's namespace. */
int link_config_intf(struct nlsock *nl, const struct node_intf *intf,
		     struct emu_err *err);

/* Applies the link's shaping to both ends (rate in the kernel; delay,
 * loss, ... by netem or the pump). */
int link_shape(struct link *link, struct emu_err *err);

/* Changes the shaping of a link; NULL leaves an end as it is.  On a made
 * link it applies at once.  A link that needs the pump and has none yet
 * gets it beside a switch's end: that port is detached, its interface
 * becomes the pump's end, and a new port of the same name is made and
 * attached; the other end (a host's or container's) stays the same
 * interface with its addresses, routes and settings.  On failure the old
 * shaping stays. */
int link_set_shaping(struct link *link, const struct shaping *shaping1,
		     const struct shaping *shaping2, struct emu_err *err);

/* Sets both ends up or down (Mininet's 'link A B up|down'). */
int link_set_up(struct link *link, bool up, struct emu_err *err);

struct node_intf *link_intf1(const struct link *link);
struct node_intf *link_intf2(const struct link *link);
const struct shaping *link_shaping(const struct link *link, int end);
/* The MTU asked for both ends; 0: the kernel's default. */
unsigned int link_mtu(const struct link *link);
bool link_is_up(const struct link *link);
bool link_is_made(const struct link *link);

/* Removes the pair from the machine (when made); the link can be made
 * again. */
void link_unmake(struct link *link);
/* Notes that the pair went away with a namespace. */
void link_forget(struct link *link);

/* Removes the pair from the machine (when made) and frees the link;
 * accepts NULL. */
void link_destroy(struct link *link);

#endif
