#include "node/bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "link/nl.h"
#include "node/node.h"
#include "node/switch_ns.h"

EMU_LOG_MODULE(bridge);

struct bridge {
	struct node node;
	bool stp;
	struct switch_ns *ns;	/* "<tag>-<name>", its own */
};

static struct nlsock *bridge_nl(struct node *node, struct emu_err *err)
{
	return switch_ns_nl(container_of(node, struct bridge, node)->ns, err);
}

static int bridge_attach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct emu_err local;
	struct nlsock *nl;
	int ret;

	err = emu_err_sink(err, &local);
	nl = bridge_nl(node, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	ret = nlsock_set_master(nl, intf->name, node->name, err);
	if (!ret)
		ret = nlsock_set_up(nl, intf->name, intf->up, err);
	return ret;
}

static int bridge_detach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct emu_err local;
	struct nlsock *nl;

	err = emu_err_sink(err, &local);
	nl = bridge_nl(node, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	return nlsock_set_master(nl, intf->name, NULL, err);
}

/* Makes each bridge in a namespace of its own before its links are made.
 * One namespace for all bridges kept an id of every host's namespace
 * there, and the kernel walks those ids for each message about a port
 * whose peer is in a host (tree,depth=2,fanout=100: 10 000 ids, walked on
 * every port's creation, enslaving and carrier change). */
static int bridge_prepare(struct node **nodes, size_t n, struct emu_err *err)
{
	struct nlsock_bridge_opts opts = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct bridge *br = container_of(nodes[i], struct bridge, node);
		bool again = switch_ns_is_made(br->ns);
		struct nlsock *nl = switch_ns_nl(br->ns, err);
		int ret;

		if (!nl)
			return emu_err_code(err, -EIO);
		/* Started again after a stop of its own (the namespace kept
		 * its ports) or a failed start: a bridge left there goes. */
		if (again)
			nlsock_del_link(nl, br->node.name, NULL);
		if (br->node.nsfd < 0)
			br->node.nsfd = dup(switch_ns_fd(br->ns, NULL));
		if (br->node.nsfd < 0)
			return emu_err_set(err, -errno, "cannot dup: %s",
					   strerror(errno));
		opts.stp = br->stp;
		opts.alias = br->node.ctx->alias;
		ret = nlsock_add_bridge(nl, br->node.name, &opts, err);
		if (ret) {
			emu_err_prefix(err, "switch '%s': ", br->node.name);
			return ret;
		}
	}
	return 0;
}

static int bridge_attach_all(struct node *node, struct emu_err *err)
{
	node->running = true;
	for (size_t i = 0; i < node->n_intfs; i++) {
		int ret = bridge_attach(node, node->intfs[i], err);

		if (ret)
			return ret;
	}
	return 0;
}

/* Every bridge gets all its ports first, and only then are the bridges
 * brought up: a bridge that is down drops what its ports receive, so the
 * hosts' first solicitations are not flooded over the bridges already up
 * while the rest are still being attached (with one bridge up at a time,
 * a tree of 10 000 hosts flooded each host's frames to every port up so
 * far, a cost growing with the square of the hosts). */
static int bridge_start(struct node **nodes, size_t n, struct emu_err *err)
{
	struct emu_err local;
	int ret = 0;

	err = emu_err_sink(err, &local);
	/* Pass 0 attaches the ports, pass 1 brings the bridges up. */
	for (size_t i = 0; i < 2 * n && !ret; i++) {
		struct node *node = nodes[i % n];
		struct nlsock *nl;

		if (i < n)
			ret = bridge_attach_all(node, err);
		else if (!(nl = bridge_nl(node, err)))
			ret = emu_err_code(err, -EIO);
		else
			ret = nlsock_set_up(nl, node->name, true, err);
		if (ret)
			emu_err_prefix(err, "switch '%s': ", node->name);
	}
	return ret;
}

/* When the whole Net stops, removes the bridges' namespaces, with their
 * ports and the ports' peers, all at once.  A bridge stopped in a running
 * Net ('switch s1 stop') is deleted alone: its namespace keeps its ports
 * for its start, and goes when the node does. */
static void bridge_stop(struct node **nodes, size_t n)
{
	struct switch_ns **ns = xcalloc(n ? n : 1, sizeof(*ns));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct emu_err err = { 0 };
		struct nlsock *nl;

		nodes[i]->running = false;
		if (nodes[i]->ctx->stopping) {
			if (nodes[i]->nsfd >= 0)
				close(nodes[i]->nsfd);	/* a dup of its ns */
			nodes[i]->nsfd = -1;
			ns[k++] = container_of(nodes[i], struct bridge,
					       node)->ns;
		} else if (!(nl = bridge_nl(nodes[i], &err)) ||
			   nlsock_del_link(nl, nodes[i]->name, &err)) {
			log_warn("cannot remove bridge '%s': %s",
				 nodes[i]->name, err.msg);
		}	/* else its namespace keeps its ports for its start */
	}
	switch_ns_remove_many(ns, k);
	free(ns);
}

static void bridge_free(struct node *node)
{
	struct bridge *br = container_of(node, struct bridge, node);

	switch_ns_destroy(br->ns);
	free(br);
}

static const struct node_ops bridge_ops = {
	.kind = "lxbr",
	.role = NODE_SWITCH,
	/* BR_MAX_PORTS is 1024 and port number 0 is reserved */
	.max_intfs = 1023,
	.max_intfs_why = "a Linux bridge's limit",
	.prepare = bridge_prepare,
	.start = bridge_start,
	.attach = bridge_attach,
	.detach = bridge_detach,
	.stop = bridge_stop,
	.free = bridge_free,
};

struct node *bridge_create(struct node_ctx *ctx, const char *name,
			   bool stp)
{
	struct bridge *br = xcalloc(1, sizeof(*br));

	node_init(&br->node, &bridge_ops, ctx, name, 1);
	br->stp = stp;
	br->ns = switch_ns_create(ctx->run_tag, name);
	return &br->node;
}
