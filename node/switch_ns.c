#include "node/switch_ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"
#include "link/nl.h"
#include "node/host.h"
#include "node/node.h"

struct switch_ns {
	char *name;		/* "<tag>-sw" */
	int fd;			/* -1: not made */
	struct nlsock *nl;	/* route socket in it */
};

struct switch_ns *switch_ns_create(const char *tag)
{
	struct switch_ns *ns = xcalloc(1, sizeof(*ns));

	ns->name = xasprintf("%s-sw", tag);
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
	nlsock_close(ns->nl);
	ns->nl = NULL;
	host_netns_kill_all(&ns->fd, 1);
	close(ns->fd);
	ns->fd = -1;
	netns_delete(ns->name);
}
