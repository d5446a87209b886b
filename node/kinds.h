/* The table of node kinds: every kind a topology can name, with Mininet's
 * class names for it and what it can do.  The option parser (--switch,
 * --controller), the Lua binding (cls=), the CLI ('dump') and the Net read
 * it; no other place lists kind names, and nothing outside node/ compares
 * them.  A new kind is one row here and one file that fills a node_ops of
 * the same name.
 *
 * Pure data over base/: it links alone (the option parser's fuzz build).
 * Rows are static; every pointer returned is valid for the process. */
#ifndef NODE_KINDS_H
#define NODE_KINDS_H

#include <stddef.h>

struct emu_err;

/* What a node is to the Net; decides the order of start and stop:
 * controllers, then hosts, then links, then switches (reverse at stop). */
enum node_role { NODE_CONTROLLER, NODE_HOST, NODE_SWITCH };

enum node_kind_caps {
	NODE_KIND_OVS = 1 << 0,		/* an Open vSwitch bridge (else a
					   switch is a Linux bridge) */
	NODE_KIND_CONTROLLED = 1 << 1,	/* a switch that takes its flows
					   from the run's controllers */
	NODE_KIND_DEFAULT = 1 << 2,	/* the role's kind when none is
					   named */
	NODE_KIND_ABSENT = 1 << 3,	/* names no node: the role is left
					   out ("none") */
	NODE_KIND_CONTAINER = 1 << 4,	/* a container of the Docker
					   engine */
};

struct node_kind {
	const char *name;		/* "lxbr": options, node_kind() */
	enum node_role role;
	const char *aliases[3];		/* other option names ("ovsk",
					   "ref"), NULL-ended */
	const char *classes[4];		/* Mininet's class names, NULL-
					   ended; the first shows in 'dump' */
	unsigned int caps;		/* enum node_kind_caps */
};

/* The rows, '*n' their count. */
const struct node_kind *node_kinds(size_t *n);

/* The kind of 'role' named 'name' (its name or an alias); NULL. */
const struct node_kind *node_kind_find(enum node_role role,
				       const char *name);
/* The kind of 'role' whose Mininet class is 'class' ("OVSBridge"); NULL. */
const struct node_kind *node_kind_find_class(enum node_role role,
					     const char *class);
/* The kind of 'role' named 'name' as node_kind_find(), in '*kind'; else
 * -EINVAL with "unknown <role> 'name' (known: ...)" in 'err'. */
int node_kind_lookup(enum node_role role, const char *name,
		     const struct node_kind **kind, struct emu_err *err);
/* The role's default kind (NODE_KIND_DEFAULT). */
const struct node_kind *node_kind_default(enum node_role role);

/* Writes the names of the kinds of 'role' ("ovs, ovsbr, lxbr") into 'buf';
 * returns 'buf'. */
const char *node_kind_names(enum node_role role, char *buf, size_t size);
/* Writes the Mininet classes of 'kind' ("Host, CPULimitedHost") into
 * 'buf'; returns 'buf'. */
const char *node_kind_classes(const struct node_kind *kind, char *buf,
			      size_t size);
/* Mininet's class name of the kind 'name' ("LinuxBridge"); 'name' itself
 * when it has none. */
const char *node_kind_class(const char *name);
/* "host", "switch", "controller". */
const char *node_role_name(enum node_role role);

#endif
