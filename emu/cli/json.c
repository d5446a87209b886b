/* The topology as JSON: 'dump --json' and 'links --json'. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/docker.h"

static json_t *cli_json_shaping(const struct shaping *s)
{
	json_t *o = json_object();
	char buf[160];

	if (s->rate_bps)
		json_object_set_new(o, "bw", json_real(s->rate_bps / 1e6));
	if (s->delay_us)
		json_object_set_new(o, "delay_us", json_integer(s->delay_us));
	if (s->jitter_us)
		json_object_set_new(o, "jitter_us",
				    json_integer(s->jitter_us));
	if (s->loss_pct)
		json_object_set_new(o, "loss", json_real(s->loss_pct));
	if (s->duplicate_pct)
		json_object_set_new(o, "duplicate",
				    json_real(s->duplicate_pct));
	if (s->corrupt_pct)
		json_object_set_new(o, "corrupt", json_real(s->corrupt_pct));
	if (s->reorder_pct)
		json_object_set_new(o, "reorder", json_real(s->reorder_pct));
	if (s->max_queue_pkts)
		json_object_set_new(o, "max_queue_size",
				    json_integer(s->max_queue_pkts));
	shaping_format(s, buf, sizeof(buf));
	json_object_set_new(o, "summary", json_string(buf));
	return o;
}

static json_t *cli_json_link(const struct link *link)
{
	const struct node_intf *a = link_intf1(link), *b = link_intf2(link);
	json_t *o = json_object();

	json_object_set_new(o, "node1", json_string(node_name(a->node)));
	json_object_set_new(o, "intf1", json_string(a->name));
	json_object_set_new(o, "node2", json_string(node_name(b->node)));
	json_object_set_new(o, "intf2", json_string(b->name));
	json_object_set_new(o, "up", json_boolean(link_is_up(link)));
	json_object_set_new(o, "made", json_boolean(link_is_made(link)));
	json_object_set_new(o, "params1", cli_json_shaping(link_shaping(link,
									0)));
	json_object_set_new(o, "params2", cli_json_shaping(link_shaping(link,
									1)));
	return o;
}

static json_t *cli_json_intf(const struct node_intf *intf)
{
	const struct node_intf *peer = cli_peer(intf);
	json_t *o = json_object();
	const char *mac;
	char buf[32];

	mac = intf->mac[0] ? intf->mac : net_intf_mac(intf, buf, sizeof(buf));
	json_object_set_new(o, "name", json_string(intf->name));
	json_object_set_new(o, "ip", intf->ip[0] ? json_string(intf->ip)
						 : json_null());
	json_object_set_new(o, "mac", mac ? json_string(mac) : json_null());
	json_object_set_new(o, "port", json_integer(intf->port));
	json_object_set_new(o, "up", json_boolean(intf->up));
	if (peer)
		json_object_set_new(o, "peer",
				    json_pack("{s:s, s:s}", "node",
					      node_name(peer->node), "intf",
					      peer->name));
	return o;
}

json_t *cli_json_node(const struct net *net, const struct node *node)
{
	json_t *o = json_object(), *intfs = json_array();
	const char *machine = net_node_machine(net, node);
	char ip[64];

	json_object_set_new(o, "name", json_string(node_name(node)));
	json_object_set_new(o, "kind", json_string(node_kind(node)));
	json_object_set_new(o, "role",
			    json_string(node_role_name(node_role(node))));
	json_object_set_new(o, "running",
			    json_boolean(node_is_running(node)));
	json_object_set_new(o, "ip", node_ip(node, ip, sizeof(ip))
					     ? json_string(ip)
					     : json_null());
	if (node->pid)
		json_object_set_new(o, "pid", json_integer(node->pid));
	if (machine)	/* a cluster run's */
		json_object_set_new(o, "machine", json_string(machine));
	if (node_is_docker(node)) {
		const char *id = docker_id(node);

		json_object_set_new(o, "container",
				    id ? json_string(id) : json_null());
		json_object_set_new(o, "image",
				    json_string(docker_image(node)));
	}
	for (size_t i = 0; i < node->n_intfs; i++)
		json_array_append_new(intfs, cli_json_intf(node->intfs[i]));
	json_object_set_new(o, "intfs", intfs);
	return o;
}

json_t *cli_json_links(struct cli *cli)
{
	size_t n;
	struct link **links = net_links(cli->net, &n);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, cli_json_link(links[i]));
	return a;
}

void cli_print_json(struct cli *cli, json_t *j)
{
	json_dumpf(j, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', cli->out);
	json_decref(j);
}

/* Accepts the optional '--json' of 'dump' and 'links'. */
int cli_json_flag(int argc, char **argv, bool *json,
		  struct emu_err *err)
{
	*json = argc > 1;
	if (*json && strcmp(argv[1], "--json"))
		return emu_err_set(err, -EINVAL, "unknown option '%s'",
				   argv[1]);
	return 0;
}
