/* What the CLI reads of the node kinds: Mininet's class names for 'dump',
 * which nodes 'dpctl' talks to, and which nodes an argument takes in
 * completion.  The one place in emu/cli/ that looks at a node's kind; it
 * reads node/'s table of kinds (node/kinds.h). */
#include "emu/cli/internal.h"

#include "node/kinds.h"

const char *cli_kind_class(const struct node *node)
{
	return node_kind_class(node_kind(node));
}

bool cli_kind_is_ovs(const struct node *node)
{
	return node_role(node) == NODE_SWITCH &&
	       node_has_caps(node, NODE_KIND_OVS);
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
