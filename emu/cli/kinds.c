/* What the CLI reads of the node kinds: Mininet's class names for 'dump',
 * which nodes 'dpctl' talks to, and which nodes an argument takes in
 * completion.  The one place in emu/cli/ that looks at a node's kind.
 *
 * XXX: node/ is getting one table of node kinds (name, Mininet class
 * names, capabilities); once it is there, these three read it instead of
 * the kind names and roles below. */
#include "emu/cli/internal.h"

#include <string.h>

#include "base/util.h"

const char *cli_kind_class(const struct node *node)
{
	static const struct {
		const char *kind, *class;
	} classes[] = {
		{ "host", "Host" },	     { "docker", "Docker" },
		{ "lxbr", "LinuxBridge" },   { "ovs", "OVSSwitch" },
		{ "controller", "Controller" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(node_kind(node), classes[i].kind))
			return classes[i].class;
	return node_kind(node);
}

bool cli_kind_is_ovs(const struct node *node)
{
	return node_role(node) == NODE_SWITCH &&
	       !strcmp(node_kind(node), "ovs");
}

bool cli_kind_fits(const struct node *node, enum cli_node_arg arg)
{
	switch (arg) {
	case CLI_HOST_NODE:
		return node_role(node) == NODE_HOST;
	case CLI_SWITCH_NODE:
		return node_role(node) == NODE_SWITCH;
	case CLI_ANY_NODE:
		break;
	}
	return true;
}
