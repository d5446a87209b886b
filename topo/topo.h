/* The topology model: plain data describing nodes and links, and the
 * built-in topologies of Mininet built into it.
 *
 * A 'struct topo' is used by value: topo_init() it, add nodes and links
 * (names are copied), read the arrays, topo_release() it.  The Net makes
 * a topology real; nothing here touches the machine. */
#ifndef TOPO_TOPO_H
#define TOPO_TOPO_H

#include <stddef.h>
#include <stdint.h>

#include "topo/index.h"

struct emu_err;

enum topo_kind { TOPO_HOST, TOPO_SWITCH };

struct topo_node {
	char *name;
	enum topo_kind kind;
	uint64_t dpid;		/* switches: 0 from the name's number */
};

struct topo_link {
	size_t a, b;		/* indices into 'nodes' */
	int port_a, port_b;	/* requested port numbers; -1: next free */
};

struct topo {
	struct topo_node *nodes;
	size_t n_nodes, cap_nodes;
	struct topo_link *links;
	size_t n_links, cap_links;
	struct topo_index names;	/* name -> node index + 1 */
};

void topo_init(struct topo *t);
void topo_release(struct topo *t);

/* Adds a node named 'name'; returns its index or a negative errno (bad or
 * duplicate name). */
int topo_add_node(struct topo *t, enum topo_kind kind, const char *name,
		  struct emu_err *err);
/* Adds a link between nodes 'a' and 'b' (indices). */
int topo_add_link(struct topo *t, size_t a, size_t b, int port_a, int port_b,
		  struct emu_err *err);
/* Returns the index of 'name' or -1 (in constant time: topologies of
 * 100000 nodes are built from their names). */
int topo_find(const struct topo *t, const char *name);
/* Counts the nodes of 'kind'. */
size_t topo_count(const struct topo *t, enum topo_kind kind);

/* Builds the built-in topology described by 'spec' in Mininet's syntax
 * ("minimal", "single,3", "linear,4,2", "reversed,3",
 * "tree,depth=2,fanout=3", "tree,2,3", "torus,3,3") into the empty 't'. */
int topo_build(struct topo *t, const char *spec, struct emu_err *err);

/* Writes the names of the built-in topologies, comma separated. */
const char *topo_builtin_names(void);

#endif
