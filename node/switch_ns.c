#include "node/switch_ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"
#include "base/workers.h"
#include "link/nl.h"
#include "node/host.h"
#include "node/node.h"

struct switch_ns {
	char *name;		/* "<tag>-<name>" */
	int fd;			/* -1: not made */
	struct nlsock *nl;	/* route socket in it */
};

struct switch_ns *switch_ns_create(const char *tag, const char *name)
{
	struct switch_ns *ns = xcalloc(1, sizeof(*ns));

	ns->name = xasprintf("%s-%s", tag, name);
	ns->fd = -1;
	return ns;
}

void switch_ns_destroy(struct switch_ns *ns)
{
	if (!ns)
		return;
	switch_ns_remove(ns, NULL, 0);
	free(ns->name);
	free(ns);
}

int switch_ns_fd(struct switch_ns *ns, struct emu_err *err)
{
	int fd;

	if (ns->fd >= 0)
		return ns->fd;
	fd = nlsock_netns_create(ns->name, &ns->nl, err);
	if (fd < 0)
		return fd;
	ns->fd = fd;
	/* Bridge ports need no IPv6 of their own: with it, each port adds
	 * routes that every IPv6 route lookup there walks (start grew with
	 * the square of the hosts) and solicitations flood every bridge.
	 * Nor do bridged frames go through br_netfilter (a new namespace has
	 * it on, with empty tables): every frame flooded to 10 000 ports
	 * paid for its hooks. */
	if (nlsock_set_ipv6(ns->nl, false, err) ||
	    nlsock_set_bridge_nf_call(ns->nl, false, err)) {
		emu_err_prefix(err, "switch namespace: ");
		switch_ns_remove(ns, NULL, 0);
		return emu_err_code(err, -EIO);
	}
	return fd;
}

bool switch_ns_is_made(const struct switch_ns *ns)
{
	return ns->fd >= 0;
}

struct nlsock *switch_ns_nl(struct switch_ns *ns, struct emu_err *err)
{
	return switch_ns_fd(ns, err) < 0 ? NULL : ns->nl;
}

void switch_ns_remove(struct switch_ns *ns, struct node **nodes, size_t n)
{
	struct stat sw, st;

	if (!ns || ns->fd < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct node *node = nodes[i];

		if (node->nsfd >= 0 && !fstat(ns->fd, &sw) &&
		    !fstat(node->nsfd, &st) && st.st_ino == sw.st_ino &&
		    st.st_dev == sw.st_dev) {
			close(node->nsfd);
			node->nsfd = -1;
		}
	}
	switch_ns_remove_many(&ns, 1);
}

/* Ends one namespace of switch_ns_remove_many() once its processes are
 * gone. */
static int switch_ns_end(void *aux, size_t i, struct emu_err *err)
{
	struct switch_ns *ns = ((struct switch_ns **)aux)[i];

	(void)err;
	nlsock_close(ns->nl);
	ns->nl = NULL;
	close(ns->fd);
	ns->fd = -1;
	netns_delete(ns->name);	/* says itself what it left */
	return 0;
}

/* Several threads: each unmount and each route socket's close waits for
 * the kernel (about 15 ms together while it removes the namespaces before,
 * 1.5 s for the 101 bridges of tree,depth=2,fanout=100 one by one), and
 * concurrent ones share their waits. */
#define SWITCH_NS_PER_THREAD 4

void switch_ns_remove_many(struct switch_ns **ns, size_t n)
{
	struct switch_ns **made = xcalloc(n ? n : 1, sizeof(*made));
	int *fds = xcalloc(n ? n : 1, sizeof(*fds));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (ns[i] && ns[i]->fd >= 0) {
			fds[k] = ns[i]->fd;
			made[k++] = ns[i];
		}
	host_netns_kill_all(fds, k);	/* one look at all processes */
	workers_run(k, WORKERS_MAX, SWITCH_NS_PER_THREAD, switch_ns_end, made,
		    NULL);
	free(fds);
	free(made);
}
