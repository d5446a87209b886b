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
};

static int bridge_attach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct emu_err local;
	struct nlsock *nl;
	int ret;

	err = emu_err_sink(err, &local);
	nl = switch_ns_nl(node->ctx->switch_ns, err);
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
	nl = switch_ns_nl(node->ctx->switch_ns, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	return nlsock_set_master(nl, intf->name, NULL, err);
}

/* Puts the bridges in the switch namespace before their links are made. */
static int bridge_prepare(struct node **nodes, size_t n, struct emu_err *err)
{
	struct nlsock_bridge_opts opts = { 0 };
	struct nlsock *nl;
	int fd, ret;

	fd = switch_ns_fd(nodes[0]->ctx->switch_ns, err);
	if (fd < 0)
		return fd;
	nl = switch_ns_nl(nodes[0]->ctx->switch_ns, err);
	for (size_t i = 0; i < n; i++) {
		struct bridge *br = container_of(nodes[i], struct bridge, node);

		if (br->node.nsfd < 0)
			br->node.nsfd = dup(fd);
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
	struct nlsock *nl;
	int ret = 0;

	err = emu_err_sink(err, &local);
	nl = switch_ns_nl(nodes[0]->ctx->switch_ns, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	/* Pass 0 attaches the ports, pass 1 brings the bridges up. */
	for (size_t i = 0; i < 2 * n && !ret; i++) {
		struct node *node = nodes[i % n];

		ret = i < n ? bridge_attach_all(node, err)
			    : nlsock_set_up(nl, node->name, true, err);
		if (ret)
			emu_err_prefix(err, "switch '%s': ", node->name);
	}
	return ret;
}

static void bridge_stop(struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct emu_err err = { 0 };
		struct nlsock *nl;

		/* A whole Net stopping removes the switch namespace with its
		 * bridges in one batch: deleting each waits for the kernel. */
		nodes[i]->running = false;
		if (nodes[i]->ctx->stopping)
			continue;
		nl = switch_ns_nl(nodes[i]->ctx->switch_ns, &err);
		if (!nl || nlsock_del_link(nl, nodes[i]->name, &err))
			log_warn("cannot remove bridge '%s': %s",
				 nodes[i]->name, err.msg);
	}
}

static void bridge_free(struct node *node)
{
	free(container_of(node, struct bridge, node));
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
	return &br->node;
}
