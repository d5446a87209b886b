/* The switch graph of a topology, as the built-in controller's topo mode
 * sees it: switches by datapath id, switch-to-switch links with the port
 * number at each end, and the hosts whose place is known; from it the
 * shortest paths between switches and one spanning tree for broadcast.
 *
 * A 'struct topo_graph' is made by topo_graph_create() and filled with
 * topo_graph_add_*() or from the text of a topology file
 * (topo_graph_parse(), topo_graph_load()); the caller owns it and frees
 * it with topo_graph_destroy().  The queries (paths, tree, flood ports)
 * answer from the last topo_graph_compute(): call it after any change.
 * Links marked down (topo_graph_set_port_up()) carry no path and are not
 * on the tree.  Pure data: nothing here touches the machine.
 *
 * The topology file is text, one item a line, '#' starts a comment:
 *	switch <dpid> [<name>]
 *	remote <dpid> [<name>]
 *	link <dpid1> <port1> <dpid2> <port2> [down]
 *	host <mac> <dpid> <port>
 * dpids are hexadecimal (16 digits as OVS prints them, "0x" allowed),
 * ports decimal OpenFlow port numbers.  A link 'down' was set down by
 * the run: it carries nothing whatever its ports say.  A remote switch
 * is one that another controller serves (on another machine of a
 * cluster run, with the same file): it never connects here, and its
 * ports count as up, so that this controller's paths and tree run
 * through it as the other's do. */
#ifndef TOPO_GRAPH_H
#define TOPO_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;
struct topo_graph;

/* A host whose place is known: its MAC behind 'port' of switch 'dpid'. */
struct topo_graph_host {
	uint8_t mac[6];
	uint64_t dpid;
	int port;
};

struct topo_graph *topo_graph_create(void);
void topo_graph_destroy(struct topo_graph *g);	/* accepts NULL */

/* Adds the switch 'dpid' (not 0) named 'name' (may be NULL); -EEXIST when
 * it is there already. */
int topo_graph_add_switch(struct topo_graph *g, uint64_t dpid,
			  const char *name, struct emu_err *err);
/* Marks the switch 'dpid' remote (or not); -ENOENT when it is not there.
 * topo_graph_set_switch_down() leaves a remote switch's links alone. */
int topo_graph_set_remote(struct topo_graph *g, uint64_t dpid, bool remote,
			  struct emu_err *err);
/* Adds a link between port 'port1' of 'dpid1' and port 'port2' of 'dpid2'
 * (both switches added before, ports 1..65279, each port in one link). */
int topo_graph_add_link(struct topo_graph *g, uint64_t dpid1, int port1,
			uint64_t dpid2, int port2, struct emu_err *err);
/* Adds (or moves) the host 'mac' to 'port' of 'dpid'. */
int topo_graph_add_host(struct topo_graph *g, const uint8_t mac[6],
			uint64_t dpid, int port, struct emu_err *err);

/* Sets the link at port 'port' of 'dpid' down by the run, or lets its
 * ports decide again; -ENOENT when no link ends there. */
int topo_graph_set_link_off(struct topo_graph *g, uint64_t dpid, int port,
			    bool off, struct emu_err *err);

/* Records that port 'port' of 'dpid' went down or came up; a link is up
 * while both its ends are.  Returns true when that changed the state of a
 * link (then recompute), false for ports that end no link. */
bool topo_graph_set_port_up(struct topo_graph *g, uint64_t dpid, int port,
			    bool up);

/* Records that switch 'dpid' went away: every link end at it goes down,
 * as if each of its ports had (they come back one by one with
 * topo_graph_set_port_up()).  Returns true when a link changed. */
bool topo_graph_set_switch_down(struct topo_graph *g, uint64_t dpid);

/* Adds what the topology file text 'text' describes to 'g'.  Errors name
 * the line: "line 3: unknown switch 0000000000000009". */
int topo_graph_parse(struct topo_graph *g, const char *text,
		     struct emu_err *err);
/* Reads the topology file at 'path' into the empty 'g'. */
int topo_graph_load(struct topo_graph *g, const char *path,
		    struct emu_err *err);
/* Returns the topology file text of 'g' (caller frees). */
char *topo_graph_format(const struct topo_graph *g);
/* Writes the topology file text of 'g' to 'path' atomically (a temporary
 * file renamed over it, so a reader never sees half a file). */
int topo_graph_save(const struct topo_graph *g, const char *path,
		    struct emu_err *err);

/* Computes shortest paths (fewest hops; among equals, the lowest dpid and
 * then the lowest port) and the spanning tree (breadth first from the
 * lowest dpid of each connected part) over the links that are up. */
void topo_graph_compute(struct topo_graph *g);

size_t topo_graph_n_switches(const struct topo_graph *g);
/* The dpid of the 'i'th switch, in increasing order of dpid. */
uint64_t topo_graph_dpid(const struct topo_graph *g, size_t i);
/* The name given to switch 'dpid', or NULL. */
const char *topo_graph_name(const struct topo_graph *g, uint64_t dpid);
bool topo_graph_has_switch(const struct topo_graph *g, uint64_t dpid);
bool topo_graph_is_remote(const struct topo_graph *g, uint64_t dpid);
size_t topo_graph_n_links(const struct topo_graph *g);
size_t topo_graph_n_hosts(const struct topo_graph *g);
const struct topo_graph_host *topo_graph_host(const struct topo_graph *g,
					      size_t i);

/* The port through which switch 'from' sends towards switch 'to' on the
 * shortest path: 0 when 'from' is 'to', -1 when 'to' cannot be reached or
 * either switch is unknown. */
int topo_graph_next_port(const struct topo_graph *g, uint64_t from,
			 uint64_t to);
/* The number of links between 'from' and 'to' on the shortest path; -1
 * when unreachable. */
int topo_graph_hops(const struct topo_graph *g, uint64_t from, uint64_t to);
/* True when 'port' of 'dpid' ends a switch-to-switch link (up or down). */
bool topo_graph_is_link_port(const struct topo_graph *g, uint64_t dpid,
			     int port);
/* True when 'port' of 'dpid' ends a link of the spanning tree. */
bool topo_graph_is_tree_port(const struct topo_graph *g, uint64_t dpid,
			     int port);
/* The ports of switch 'dpid' that a broadcast entering at 'in_port' leaves
 * on, chosen from its 'n' ports 'ports': every host port and tree port
 * but 'in_port'.  A broadcast that enters on a link off the tree leaves
 * nowhere (it would loop).  Writes them to 'out' (room for 'n') in the
 * order of 'ports' and returns their count. */
size_t topo_graph_flood_ports(const struct topo_graph *g, uint64_t dpid,
			      const int *ports, size_t n, int in_port,
			      int *out);

#endif
