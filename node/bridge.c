#include "node/bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu/err.h"
#include "emu/log.h"
#include "emu/net.h"
#include "emu/util.h"
#include "link/nl.h"
#include "node/node.h"

EMU_LOG_MODULE(bridge);

struct bridge {
	struct node node;
	bool stp;
};

static int bridge_attach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct nlsock *nl = net_root_nl(node->net);
	int ret;

	ret = nlsock_set_master(nl, intf->name, node->name, err);
	if (!ret)
		ret = nlsock_set_up(nl, intf->name, intf->up, err);
	return ret;
}

static int bridge_detach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	return nlsock_set_master(net_root_nl(node->net), intf->name, NULL,
				 err);
}

static int bridge_start_one(struct bridge *br, struct emu_err *err)
{
	struct nlsock *nl = net_root_nl(br->node.net);
	struct nl_bridge_opts opts = {
		.stp = br->stp,
		.alias = net_alias(br->node.net),
	};
	int ret;

	ret = nlsock_add_bridge(nl, br->node.name, &opts, err);
	if (ret)
		return ret;
	br->node.running = true;
	for (size_t i = 0; i < br->node.n_intfs; i++) {
		ret = bridge_attach(&br->node, br->node.intfs[i], err);
		if (ret)
			return ret;
	}
	return nlsock_set_up(nl, br->node.name, true, err);
}

static int bridge_start(struct node **nodes, size_t n, struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct bridge *br = container_of(nodes[i], struct bridge, node);
		int ret = bridge_start_one(br, err);

		if (ret) {
			emu_err_prefix(err, "switch '%s': ", br->node.name);
			return ret;
		}
	}
	return 0;
}

static void bridge_stop(struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct emu_err err = { 0 };

		if (nlsock_del_link(net_root_nl(nodes[i]->net), nodes[i]->name,
				    &err))
			log_warn("cannot remove bridge '%s': %s",
				 nodes[i]->name, err.msg);
		nodes[i]->running = false;
	}
}

static void bridge_free(struct node *node)
{
	free(container_of(node, struct bridge, node));
}

static const struct node_ops bridge_ops = {
	.kind = "lxbr",
	.role = NODE_SWITCH,
	.start = bridge_start,
	.attach = bridge_attach,
	.detach = bridge_detach,
	.stop = bridge_stop,
	.free = bridge_free,
};

struct node *bridge_create(struct net *net, const char *name, bool stp)
{
	struct bridge *br = xcalloc(1, sizeof(*br));

	node_init(&br->node, &bridge_ops, net, name, 1);
	br->stp = stp;
	return &br->node;
}
