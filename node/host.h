/* Hosts: each a named network namespace (/run/netns/<tag>-<name>, so that
 * 'ip netns exec' works for debugging) with loopback up.
 *
 * host_create() makes the node object only; the Net starts it (the
 * namespace is made) and stops it (processes killed, namespace removed). */
#ifndef NODE_HOST_H
#define NODE_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct net;
struct nlsock;
struct node;

/* Returns a new host node named 'name' of 'net' (the caller owns it until
 * it hands it to the Net). */
struct node *host_create(struct net *net, const char *name);

/* Makes the named namespace '/run/netns/<ns_name>' and returns an open fd
 * of it, or a negative errno.  The run of this process notes it
 * (run_note_netns()), so that 'cnemu -c' knows it for its own. */
int host_netns_create(const char *ns_name, struct emu_err *err);

/* Makes the named namespace 'ns_name' as host_netns_create() does, with
 * loopback up, and stores a route socket in it in '*nl' (the caller's to
 * close; NULL: none kept).  Returns the namespace fd or a negative errno;
 * on failure nothing is left and '*nl' is NULL. */
int host_netns_open(const char *ns_name, struct nlsock **nl,
		    struct emu_err *err);

/* Removes the named namespace 'ns_name' (unmount and unlink); the kernel
 * frees it once nothing uses it.  Missing is not an error. */
int host_netns_delete(const char *ns_name);

/* Kills every process whose network namespace is one of the 'n' of
 * 'nsfds' (one pass over /proc for them all), each through a pidfd so
 * that a pid taken meanwhile by another process is never hit.  The
 * machine's own namespace and this process's are skipped, whatever
 * 'nsfds' says. */
void host_netns_kill_all(const int *nsfds, size_t n);

#endif
