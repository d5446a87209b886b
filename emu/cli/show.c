/* The listing commands: help, nodes, net, links, dump, intfs, ports, in
 * Mininet's words. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "link/veth.h"

int cmd_help(struct cli *cli, int argc, char **argv,
	     struct emu_err *err)
{
	size_t n, width = 0;
	const struct cli_cmd *cmds = cli_commands(&n), *c;
	char buf[96];

	if (argc > 1) {
		c = cli_find_command(argv[1]);
		if (!c && cli->net && net_get(cli->net, argv[1])) {
			fprintf(cli->out, "usage: %s CMD...\n  run the shell "
				"line CMD in '%s': other node names become "
				"their IPs,\n  a trailing & runs it in the "
				"background, '%s bash' opens a shell\n",
				argv[1], argv[1], argv[1]);
			return 0;
		}
		if (!c)
			return emu_err_set(err, -ENOENT, "no command '%s'",
					   argv[1]);
		fprintf(cli->out, "usage: %s%s%s\n  %s\n", c->name,
			c->usage[0] ? " " : "", c->usage, c->help);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(cmds[i].name) + 1 + strlen(cmds[i].usage);

		if (w > width)
			width = w;
	}
	fprintf(cli->out, "Commands (help COMMAND for one):\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s %s", cmds[i].name,
			 cmds[i].usage);
		fprintf(cli->out, "  %-*s  %s\n", (int)width, buf,
			cmds[i].help);
	}
	fprintf(cli->out, "  %-*s  %s\n  %-*s  %s\n", (int)width,
		"NODE CMD...", "run CMD in NODE (node names become IPs)",
		(int)width, "", "h1 ping h2; h1 sleep 9 &; h1 bash");
	return 0;
}

static int cli_cmp_nodes(const void *x, const void *y)
{
	return cli_natcmp(node_name(*(struct node *const *)x),
			  node_name(*(struct node *const *)y));
}

int cmd_nodes(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	size_t n;
	struct node **all = net_nodes(cli->net, &n);
	struct node **sorted = xcalloc(n + 1, sizeof(*sorted));

	(void)argc;
	(void)argv;
	(void)err;
	memcpy(sorted, all, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cli_cmp_nodes);
	fprintf(cli->out, "available nodes are: \n");
	for (size_t i = 0; i < n; i++)
		fprintf(cli->out, "%s%s", i ? " " : "", node_name(sorted[i]));
	fprintf(cli->out, "\n");
	/* over a cluster: which machine runs which, one line a machine */
	for (size_t i = 0; i < n; i++) {
		const char *m = net_node_machine(cli->net, sorted[i]);
		bool first = true;

		if (!m)
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(m, net_node_machine(cli->net,
							   sorted[j]) ?: "");
		if (!first)
			continue;
		fprintf(cli->out, "on %s:", m);
		for (size_t j = i; j < n; j++)
			if (!strcmp(m, net_node_machine(cli->net, sorted[j])
					       ?: ""))
				fprintf(cli->out, " %s", node_name(sorted[j]));
		fprintf(cli->out, "\n");
	}
	free(sorted);
	return 0;
}

int cmd_net(struct cli *cli, int argc, char **argv,
	    struct emu_err *err)
{
	size_t n;
	struct node **nodes = cli_nodes_by_role(cli, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		fprintf(cli->out, "%s", node_name(nodes[i]));
		for (size_t j = 0; j < nodes[i]->n_intfs; j++) {
			const struct node_intf *intf = nodes[i]->intfs[j];
			const struct node_intf *peer = cli_peer(intf);

			fprintf(cli->out, " %s:%s", intf->name,
				peer ? peer->name : "");
		}
		if (net_node_machine(cli->net, nodes[i]))
			fprintf(cli->out, "  (on %s)",
				net_node_machine(cli->net, nodes[i]));
		fprintf(cli->out, "\n");
	}
	free(nodes);
	return 0;
}

/* Mininet's status of a link end: OK, or MISSING when it is not made;
 * DOWN when it was set down. */
static const char *cli_end_status(const struct net *net,
				  const struct link *link,
				  const struct node_intf *end)
{
	if (!link_is_made(link) && !net_cluster(net))	/* else made there */
		return "MISSING";
	return end->up ? "OK" : "DOWN";
}

/* A cut link's machines, VNI and the underlay's round trip. */
static void cli_print_cut(FILE *f, const struct net_cut *cut)
{
	fprintf(f, " cut %s<->%s vni %u", cut->machine1, cut->machine2,
		cut->vni);
	if (cut->underlay_rtt_ms >= 0)
		fprintf(f, ", underlay RTT %.3f ms", cut->underlay_rtt_ms);
	else
		fputs(", underlay RTT unknown", f);
}

int cmd_links(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	size_t n;
	struct link **links = net_links(cli->net, &n);
	bool json;
	int ret = cli_json_flag(argc, argv, &json, err);

	if (ret)
		return ret;
	if (json) {
		cli_print_json(cli, cli_json_links(cli));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct node_intf *a = link_intf1(links[i]);
		const struct node_intf *b = link_intf2(links[i]);

		struct net_cut cut;

		fprintf(cli->out, "%s<->%s (%s %s)", a->name, b->name,
			cli_end_status(cli->net, links[i], a),
			cli_end_status(cli->net, links[i], b));
		if (net_link_cut(cli->net, links[i], &cut))
			cli_print_cut(cli->out, &cut);
		fputc('\n', cli->out);
	}
	return 0;
}

int cmd_dump(struct cli *cli, int argc, char **argv,
	     struct emu_err *err)
{
	size_t n;
	struct node **nodes;
	bool json;
	int ret = cli_json_flag(argc, argv, &json, err);

	if (ret)
		return ret;
	nodes = cli_nodes_by_role(cli, &n);
	if (json) {
		json_t *root = json_object(), *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, cli_json_node(cli->net, nodes[i]));
		json_object_set_new(root, "run",
				    json_string(net_run_tag(cli->net)));
		json_object_set_new(root, "started",
				    json_boolean(net_is_started(cli->net)));
		json_object_set_new(root, "nodes", a);
		json_object_set_new(root, "links", cli_json_links(cli));
		cli_print_json(cli, root);
		free(nodes);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct node *node = nodes[i];

		fprintf(cli->out, "<%s %s: ", cli_kind_class(node),
			node_name(node));
		for (size_t j = 0; j < node->n_intfs; j++) {
			const struct node_intf *intf = node->intfs[j];

			fprintf(cli->out, "%s%s:%.*s", j ? "," : "",
				intf->name,
				intf->ip[0] ? (int)strcspn(intf->ip, "/") : 4,
				intf->ip[0] ? intf->ip : "None");
		}
		if (node->pid)
			fprintf(cli->out, " pid=%d", (int)node->pid);
		fprintf(cli->out, "> \n");
	}
	free(nodes);
	return 0;
}

int cmd_intfs(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	size_t n;
	struct node **nodes = cli_nodes_by_role(cli, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		/* Mininet's switches list their control port 'lo' first */
		bool lo = node_role(nodes[i]) == NODE_SWITCH;

		fprintf(cli->out, "%s: %s", node_name(nodes[i]),
			lo ? "lo" : "");
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			fprintf(cli->out, "%s%s", j || lo ? "," : "",
				nodes[i]->intfs[j]->name);
		fprintf(cli->out, "\n");
	}
	free(nodes);
	return 0;
}

int cmd_ports(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	size_t n;
	struct node **nodes = net_nodes(cli->net, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		if (node_role(nodes[i]) != NODE_SWITCH)
			continue;
		fprintf(cli->out, "%s", node_name(nodes[i]));
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			fprintf(cli->out, " %s:%d", nodes[i]->intfs[j]->name,
				nodes[i]->intfs[j]->port);
		fprintf(cli->out, "\n");
	}
	return 0;
}
