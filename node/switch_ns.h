/* A switch namespace of a run, "<tag>-<name>": the run's own Open vSwitch
 * and its ports live in "<tag>-sw", each Linux bridge in one of its own
 * ("<tag>-s1"), so that switched traffic meets no FORWARD chain of the
 * machine's firewall.
 *
 * switch_ns_create() makes the object only; the namespace is made on first
 * use (switch_ns_fd(), switch_ns_nl()) and removed with all that is left
 * in it by switch_ns_remove() (at the Net's stop; a later use makes it
 * again) or switch_ns_destroy().  The Net owns the OVS one and lends it to
 * the node kinds through their context (node_ctx.switch_ns); a bridge owns
 * its own. */
#ifndef NODE_SWITCH_NS_H
#define NODE_SWITCH_NS_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct nlsock;
struct node;
struct switch_ns;

/* Returns the switch namespace "<tag>-<name>" of the run 'tag' (both
 * copied); nothing is made on the machine yet. */
struct switch_ns *switch_ns_create(const char *tag, const char *name);
/* Removes the namespace when made, then frees (accepts NULL). */
void switch_ns_destroy(struct switch_ns *ns);

/* The namespace's fd (borrowed), made on first use, or a negative errno
 * with 'err' set. */
int switch_ns_fd(struct switch_ns *ns, struct emu_err *err);
/* True when the namespace is made. */
bool switch_ns_is_made(const struct switch_ns *ns);
/* A route socket in the namespace (borrowed), made on first use; NULL
 * with 'err' set. */
struct nlsock *switch_ns_nl(struct switch_ns *ns, struct emu_err *err);

/* Removes the namespace with all that is left in it (processes killed).
 * The fds of it that the 'n' 'nodes' hold are closed (node->nsfd -1):
 * they would keep it alive, with the veth ends in it, and a next start
 * would meet their names.  Does nothing when it was not made. */
void switch_ns_remove(struct switch_ns *ns, struct node **nodes, size_t n);
/* Removes the 'n' namespaces 'ns' that are made, as switch_ns_remove()
 * does, all at once; closing the nodes' fds of them is the caller's. */
void switch_ns_remove_many(struct switch_ns **ns, size_t n);

#endif
