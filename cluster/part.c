#include "cluster/part.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "cluster/plan.h"
#include "emu/net.h"
#include "link/nl.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/controller.h"
#include "node/docker.h"
#include "node/kinds.h"
#include "node/nat.h"
#include "node/node.h"
#include "topo/graph.h"
#include "topo/plan.h"

EMU_LOG_MODULE(part);

/* The MACs part_fix_macs() gives: 02:00:<node>:<port>, locally
 * administered. */
#define PART_MAC_BASE 0x020000000000ULL

/* Room for an interface name (IFNAMSIZ). */
#define IFNAMSIZ_PART 16

/* ---- shaping <-> JSON: one table of fields ---------------------------- */

enum field_type { F_U64, F_U32, F_PCT, F_BOOL };

static const struct shaping_field {
	const char *key;
	enum field_type type;
	size_t off;
} shaping_fields[] = {
	{ "rate_bps", F_U64, offsetof(struct shaping, rate_bps) },
	{ "delay_us", F_U32, offsetof(struct shaping, delay_us) },
	{ "jitter_us", F_U32, offsetof(struct shaping, jitter_us) },
	{ "loss_pct", F_PCT, offsetof(struct shaping, loss_pct) },
	{ "loss_corr_pct", F_PCT, offsetof(struct shaping, loss_corr_pct) },
	{ "duplicate_pct", F_PCT, offsetof(struct shaping, duplicate_pct) },
	{ "corrupt_pct", F_PCT, offsetof(struct shaping, corrupt_pct) },
	{ "reorder_pct", F_PCT, offsetof(struct shaping, reorder_pct) },
	{ "reorder_gap", F_U32, offsetof(struct shaping, reorder_gap) },
	{ "max_queue_pkts", F_U32, offsetof(struct shaping, max_queue_pkts) },
	{ "use_tbf", F_BOOL, offsetof(struct shaping, use_tbf) },
	{ "use_htb", F_BOOL, offsetof(struct shaping, use_htb) },
};

/* The fields of 's' that are set (none: an empty object). */
static json_t *shaping_to_json(const struct shaping *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_SIZE(shaping_fields); i++) {
		const struct shaping_field *f = &shaping_fields[i];
		const char *p = (const char *)s + f->off;

		switch (f->type) {
		case F_U64:
			if (*(const uint64_t *)p)
				json_object_set_new(o, f->key,
						    json_integer((json_int_t)
							*(const uint64_t *)p));
			break;
		case F_U32:
			if (*(const uint32_t *)p)
				json_object_set_new(o, f->key,
						    json_integer(
							*(const uint32_t *)p));
			break;
		case F_PCT:
			if (*(const double *)p)
				json_object_set_new(o, f->key,
						    json_real(*(const double *)p));
			break;
		case F_BOOL:
			if (*(const bool *)p)
				json_object_set_new(o, f->key, json_true());
			break;
		}
	}
	return o;
}

static int shaping_from_json(const json_t *o, struct shaping *s,
			     const char *where, struct emu_err *err)
{
	const char *key;
	json_t *v;

	shaping_init(s);
	if (!o)
		return 0;
	if (!json_is_object(o))
		return emu_err_set(err, -EINVAL, "%s: shaping is not an object",
				   where);
	json_object_foreach((json_t *)o, key, v) {
		const struct shaping_field *f = NULL;
		char *p;

		for (size_t i = 0; i < ARRAY_SIZE(shaping_fields); i++)
			if (!strcmp(shaping_fields[i].key, key))
				f = &shaping_fields[i];
		if (!f)
			return emu_err_set(err, -EINVAL,
					   "%s: unknown shaping field '%s'",
					   where, key);
		p = (char *)s + f->off;
		if ((f->type == F_BOOL && !json_is_boolean(v)) ||
		    (f->type == F_PCT && !json_is_number(v)) ||
		    ((f->type == F_U64 || f->type == F_U32) &&
		     (!json_is_integer(v) || json_integer_value(v) < 0 ||
		      (f->type == F_U32 &&
		       json_integer_value(v) > UINT32_MAX))))
			return emu_err_set(err, -EINVAL,
					   "%s: bad value of shaping field '%s'",
					   where, key);
		switch (f->type) {
		case F_U64:
			*(uint64_t *)p = (uint64_t)json_integer_value(v);
			break;
		case F_U32:
			*(uint32_t *)p = (uint32_t)json_integer_value(v);
			break;
		case F_PCT:
			*(double *)p = json_number_value(v);
			if (*(double *)p < 0 || *(double *)p > 100)
				return emu_err_set(err, -EINVAL,
						   "%s: %s out of 0..100", where,
						   key);
			break;
		case F_BOOL:
			*(bool *)p = json_is_true(v);
			break;
		}
	}
	return 0;
}

/* ---- small JSON helpers ----------------------------------------------- */

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new(o, key, json_string(s));
}

static void set_int(json_t *o, const char *key, long long v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

static void set_strs(json_t *o, const char *key, const char *const *v,
		     size_t n)
{
	json_t *a;

	if (!n)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(o, key, a);
}

/* The string member 'key' of 'o', NULL when absent; -EINVAL when it is
 * there but not a string. */
static int get_str(const json_t *o, const char *key, const char **out,
		   const char *where, struct emu_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return emu_err_set(err, -EINVAL, "%s: '%s' is not a string",
				   where, key);
	*out = json_string_value(v);
	return 0;
}

static int get_int(const json_t *o, const char *key, long long def,
		   long long min, long long max, long long *out,
		   const char *where, struct emu_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = def;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return emu_err_set(err, -EINVAL,
				   "%s: '%s' is not an integer in %lld..%lld",
				   where, key, min, max);
	*out = json_integer_value(v);
	return 0;
}

/* A string array member as a new array of borrowed strings ('*n'). */
static int get_strs(const json_t *o, const char *key, const char ***out,
		    size_t *n, const char *where, struct emu_err *err)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return emu_err_set(err, -EINVAL, "%s: '%s' is not an array",
				   where, key);
	*out = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			free(*out);
			*out = NULL;
			return emu_err_set(err, -EINVAL,
					   "%s: '%s' holds a non-string", where,
					   key);
		}
		(*out)[i] = json_string_value(v);
	}
	*n = json_array_size(a);
	return 0;
}

/* ---- the manager's side: a part of a described Net --------------------- */

static json_t *docker_to_json(const struct docker_opts *d)
{
	json_t *o = json_object(), *b;

	set_str(o, "dimage", d->dimage);
	set_str(o, "dcmd", d->dcmd);
	set_strs(o, "volumes", d->volumes, d->n_volumes);
	set_strs(o, "environment", d->environment, d->n_environment);
	set_strs(o, "ports", d->ports, d->n_ports);
	if (d->n_port_bindings) {
		b = json_array();
		for (size_t i = 0; i < d->n_port_bindings; i++) {
			json_t *p = json_object();

			set_str(p, "port", d->port_bindings[i].port);
			set_str(p, "host_ip", d->port_bindings[i].host_ip);
			set_int(p, "host_port", d->port_bindings[i].host_port);
			json_array_append_new(b, p);
		}
		json_object_set_new(o, "port_bindings", b);
	}
	if (d->publish_all_ports)
		json_object_set_new(o, "publish_all_ports", json_true());
	set_int(o, "mem_limit", d->mem_limit);
	set_int(o, "memswap_limit", d->memswap_limit);
	set_int(o, "cpu_quota", d->cpu_quota);
	set_int(o, "cpu_period", d->cpu_period);
	set_int(o, "cpu_shares", d->cpu_shares);
	set_str(o, "cpuset_cpus", d->cpuset_cpus);
	if (d->privileged)
		json_object_set_new(o, "privileged", json_true());
	set_str(o, "hostname", d->hostname);
	set_strs(o, "dns", d->dns, d->n_dns);
	set_strs(o, "labels", d->labels, d->n_labels);
	if (d->keep)
		json_object_set_new(o, "keep", json_true());
	set_str(o, "network_mode", d->network_mode);
	return o;
}

json_t *part_node_json(const struct net *net, struct node *node)
{
	json_t *o = json_object();

	set_str(o, "name", node_name(node));
	set_str(o, "role", node_role_name(node_role(node)));
	set_str(o, "kind", node_kind(node));
	switch (node_role(node)) {
	case NODE_HOST:
		set_str(o, "ip", node->default_ip);
		set_str(o, "mac", node->default_mac);
		set_str(o, "default_route", node->default_route);
		if (node_is_docker(node))
			json_object_set_new(o, "docker",
					    docker_to_json(docker_options(node)));
		break;
	case NODE_SWITCH: {
		char dpid[17];

		snprintf(dpid, sizeof(dpid), "%016" PRIx64,
			 net_switch_dpid(net, node));
		set_str(o, "dpid", dpid);
		break;
	}
	case NODE_CONTROLLER: {
		struct controller_opts c;
		json_t *co = json_object();

		controller_get_opts(node, &c);
		set_str(co, "mode", c.mode);
		set_str(co, "ip", c.ip);
		set_int(co, "port", c.port);
		json_object_set_new(o, "controller", co);
		break;
	}
	}
	return o;
}

/* The fields of one end (interface 'i', egress 's') under 'suffix'
 * ("1", "2" or ""). */
static void end_to_json(json_t *o, const char *suffix,
			const struct node_intf *i, const struct shaping *s)
{
	char key[16];

	snprintf(key, sizeof(key), "node%s", suffix);
	set_str(o, key, node_name(i->node));
	snprintf(key, sizeof(key), "intf%s", suffix);
	set_str(o, key, i->name);
	snprintf(key, sizeof(key), "port%s", suffix);
	json_object_set_new(o, key, json_integer(i->port));
	snprintf(key, sizeof(key), "mac%s", suffix);
	set_str(o, key, i->mac);
	snprintf(key, sizeof(key), "ip%s", suffix);
	set_str(o, key, i->ip);
	snprintf(key, sizeof(key), "shaping%s", suffix);
	json_object_set_new(o, key, shaping_to_json(s));
}

json_t *part_link_json(const struct link *link)
{
	json_t *o = json_object();

	end_to_json(o, "1", link_intf1(link), link_shaping(link, 0));
	end_to_json(o, "2", link_intf2(link), link_shaping(link, 1));
	set_int(o, "mtu", link_mtu(link));
	return o;
}

json_t *part_cut_json(const struct link *link, int end, uint32_t vni,
		      const char *local, const char *remote)
{
	json_t *o = json_object();

	end_to_json(o, "", end ? link_intf2(link) : link_intf1(link),
		    link_shaping(link, end));
	set_int(o, "mtu", link_mtu(link));
	json_object_set_new(o, "vni", json_integer(vni));
	set_str(o, "local", local);
	set_str(o, "remote", remote);
	return o;
}

/* The index of 'node' in 'nodes', or 'n'. */
static size_t node_index(struct node **nodes, size_t n,
			 const struct node *node)
{
	size_t i;

	for (i = 0; i < n && nodes[i] != node; i++)
		;
	return i;
}

int part_fix_macs(struct net *net, struct emu_err *err)
{
	struct topo_graph *g = net_topology(net);
	size_t n_nodes, n = 0;
	struct node **nodes = net_nodes(net, &n_nodes);
	bool controlled = topo_graph_n_switches(g) > 0;
	int ret = 0;

	topo_graph_destroy(g);
	for (size_t i = 0; i < n_nodes && controlled && !ret; i++) {
		struct node *node = nodes[i];

		if (node_role(node) != NODE_HOST)
			continue;
		for (size_t k = 0; k < node->n_intfs && !ret; k++) {
			struct node_intf *intf = node->intfs[k];
			char mac[18];

			if (intf->mac[0])
				continue;
			/* Locally administered, one per node and port. */
			plan_mac_from_index(PART_MAC_BASE |
						    (uint64_t)(i + 1) << 8 |
						    ((unsigned int)intf->port &
						     0xff),
					    mac, sizeof(mac));
			ret = net_set_mac(net, node, intf->name, mac, err);
			n++;
		}
	}
	if (n && !ret)
		log_dbg("%zu host interfaces got a MAC for the controllers", n);
	return ret;
}

/* True when a switch of 'nodes' is on 'machine'. */
static bool part_has_switch(const struct placement *pl, size_t machine,
			    struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pl->machine[i] == machine &&
		    node_role(nodes[i]) == NODE_SWITCH)
			return true;
	return false;
}

/* Marks down in 'g' every link between two of its switches with an end
 * on a machine 'lost' says is lost. */
static void part_mark_lost(struct topo_graph *g, const struct net *net,
			   const struct placement *pl, const bool *lost)
{
	size_t n_nodes, n_links;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct link **links = net_links(net, &n_links);

	for (size_t i = 0; i < n_links; i++) {
		struct node_intf *a = link_intf1(links[i]);
		struct node_intf *b = link_intf2(links[i]);
		size_t ia = node_index(nodes, n_nodes, a->node);
		size_t ib = node_index(nodes, n_nodes, b->node);
		uint64_t da = net_switch_dpid(net, a->node);

		if (ia < n_nodes && ib < n_nodes &&
		    (lost[pl->machine[ia]] || lost[pl->machine[ib]]) &&
		    topo_graph_has_switch(g, da) &&
		    topo_graph_has_switch(g, net_switch_dpid(net, b->node)))
			topo_graph_set_link_off(g, da, a->port, true, NULL);
	}
}

char *part_topology(const struct net *net, const struct placement *pl,
		    size_t machine, const bool *lost)
{
	struct topo_graph *g = net_topology(net);
	size_t n;
	struct node **nodes = net_nodes(net, &n);
	char *text = NULL;

	if (topo_graph_n_switches(g) && pl->n_nodes == n) {
		for (size_t i = 0; i < n; i++)
			if (pl->machine[i] != machine &&
			    node_role(nodes[i]) == NODE_SWITCH)
				topo_graph_set_remote(
					g, net_switch_dpid(net, nodes[i]),
					true, NULL);
		if (lost)
			part_mark_lost(g, net, pl, lost);
		text = topo_graph_format(g);
	}
	topo_graph_destroy(g);
	return text;
}

json_t *part_of(const struct net *net, const struct placement *pl,
		size_t machine, const char *const *addrs, struct emu_err *err)
{
	size_t n_nodes, n_links, c = 0;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct link **links = net_links(net, &n_links);
	json_t *part, *jn, *jl, *jc;
	bool has_switch;
	char *topo;

	if (pl->n_nodes != n_nodes || pl->n_links != n_links) {
		emu_err_set(err, -ESTALE,
			    "the placement is of another Net (%zu nodes, %zu "
			    "links; the Net has %zu, %zu)",
			    pl->n_nodes, pl->n_links, n_nodes, n_links);
		return NULL;
	}
	for (size_t i = 0; i < n_nodes; i++)
		if (node_is_nat(nodes[i])) {
			emu_err_set(err, -EOPNOTSUPP,
				    "NAT '%s' cannot run in a cluster yet",
				    node_name(nodes[i]));
			return NULL;
		}
	part = json_pack("{s:{}, s:[], s:[], s:[]}", "net", "nodes", "links",
			 "cuts");
	jn = json_object_get(part, "nodes");
	jl = json_object_get(part, "links");
	jc = json_object_get(part, "cuts");
	has_switch = part_has_switch(pl, machine, nodes, n_nodes);
	for (size_t i = 0; i < n_nodes; i++)
		if (pl->machine[i] == machine ||
		    (has_switch && node_role(nodes[i]) == NODE_CONTROLLER))
			json_array_append_new(jn, part_node_json(net, nodes[i]));
	if (has_switch && (topo = part_topology(net, pl, machine, NULL))) {
		json_object_set_new(part, "topology", json_string(topo));
		free(topo);
	}
	for (size_t i = 0; i < n_links; i++) {
		struct node_intf *i1 = link_intf1(links[i]);
		struct node_intf *i2 = link_intf2(links[i]);
		size_t m1 = pl->machine[node_index(nodes, n_nodes, i1->node)];
		size_t m2 = pl->machine[node_index(nodes, n_nodes, i2->node)];
		const struct plan_cut *cut = NULL;

		while (c < pl->n_cuts && pl->cuts[c].link < i)
			c++;
		if (c < pl->n_cuts && pl->cuts[c].link == i)
			cut = &pl->cuts[c];
		if (m1 != machine && m2 != machine)
			continue;
		if (m1 == m2) {
			json_array_append_new(jl, part_link_json(links[i]));
			continue;
		}
		if (!cut) {
			json_decref(part);
			emu_err_set(err, -ESTALE,
				    "link %s-%s crosses machines but the "
				    "placement does not cut it",
				    node_name(i1->node), node_name(i2->node));
			return NULL;
		}
		json_array_append_new(
			jc, part_cut_json(links[i], m1 == machine ? 0 : 1,
					  cut->vni, addrs[machine],
					  addrs[m1 == machine ? m2 : m1]));
	}
	return part;
}

/* ---- the agent's side: a Net of a part -------------------------------- */

int part_net_opts(const json_t *part, struct net_opts *o,
		  struct emu_err *err)
{
	const json_t *n = json_object_get(part, "net");
	static const char where[] = "part: net";
	int ret;

	memset(o, 0, sizeof(*o));
	if (!n)
		return 0;
	if (!json_is_object(n))
		return emu_err_set(err, -EINVAL, "%s is not an object", where);
	if ((ret = get_str(n, "switch", &o->switch_kind, where, err)) ||
	    (ret = get_str(n, "switch_args", &o->switch_args, where, err)) ||
	    (ret = get_str(n, "controller", &o->controller, where, err)) ||
	    (ret = get_str(n, "ipbase", &o->ipbase, where, err)) ||
	    (ret = get_str(n, "link_engine", &o->link_engine, where, err)) ||
	    (ret = get_str(n, "host", &o->host, where, err)))
		return ret;
	o->auto_mac = json_is_true(json_object_get(n, "mac"));
	o->auto_arp = json_is_true(json_object_get(n, "arp"));
	return 0;
}

/* The string arrays of a docker object, borrowed from the JSON. */
struct docker_strs {
	const char **volumes, **environment, **ports, **dns, **labels;
	struct docker_api_port *bindings;
};

static void docker_strs_release(struct docker_strs *s)
{
	free(s->volumes);
	free(s->environment);
	free(s->ports);
	free(s->dns);
	free(s->labels);
	free(s->bindings);
}

static int docker_from_json(const json_t *d, struct docker_opts *o,
			    struct docker_strs *s, const char *where,
			    struct emu_err *err)
{
	json_t *b = json_object_get(d, "port_bindings"), *v;
	long long x;
	size_t i;
	int ret;

	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	if (!json_is_object(d))
		return emu_err_set(err, -EINVAL, "%s: 'docker' is not an object",
				   where);
	if ((ret = get_str(d, "dimage", &o->dimage, where, err)) ||
	    (ret = get_str(d, "dcmd", &o->dcmd, where, err)) ||
	    (ret = get_str(d, "cpuset_cpus", &o->cpuset_cpus, where, err)) ||
	    (ret = get_str(d, "hostname", &o->hostname, where, err)) ||
	    (ret = get_str(d, "network_mode", &o->network_mode, where, err)) ||
	    (ret = get_strs(d, "volumes", &s->volumes, &o->n_volumes, where,
			    err)) ||
	    (ret = get_strs(d, "environment", &s->environment,
			    &o->n_environment, where, err)) ||
	    (ret = get_strs(d, "ports", &s->ports, &o->n_ports, where, err)) ||
	    (ret = get_strs(d, "dns", &s->dns, &o->n_dns, where, err)) ||
	    (ret = get_strs(d, "labels", &s->labels, &o->n_labels, where,
			    err)) ||
	    (ret = get_int(d, "mem_limit", 0, -1, INT64_MAX, &o->mem_limit,
			   where, err)) ||
	    (ret = get_int(d, "memswap_limit", 0, -1, INT64_MAX,
			   &o->memswap_limit, where, err)) ||
	    (ret = get_int(d, "cpu_quota", 0, -1, INT64_MAX, &o->cpu_quota,
			   where, err)) ||
	    (ret = get_int(d, "cpu_period", 0, -1, INT64_MAX, &o->cpu_period,
			   where, err)) ||
	    (ret = get_int(d, "cpu_shares", 0, -1, INT64_MAX, &o->cpu_shares,
			   where, err)))
		return ret;
	o->volumes = s->volumes;
	o->environment = s->environment;
	o->ports = s->ports;
	o->dns = s->dns;
	o->labels = s->labels;
	o->publish_all_ports = json_is_true(json_object_get(d,
							    "publish_all_ports"));
	o->privileged = json_is_true(json_object_get(d, "privileged"));
	o->keep = json_is_true(json_object_get(d, "keep"));
	if (!b)
		return 0;
	if (!json_is_array(b))
		return emu_err_set(err, -EINVAL,
				   "%s: 'port_bindings' is not an array", where);
	s->bindings = xcalloc(json_array_size(b) + 1, sizeof(*s->bindings));
	json_array_foreach(b, i, v) {
		if ((ret = get_str(v, "port", &s->bindings[i].port, where,
				   err)) ||
		    (ret = get_str(v, "host_ip", &s->bindings[i].host_ip, where,
				   err)) ||
		    (ret = get_int(v, "host_port", 0, 0, 65535, &x, where,
				   err)))
			return ret;
		s->bindings[i].host_port = (unsigned int)x;
	}
	o->port_bindings = s->bindings;
	o->n_port_bindings = json_array_size(b);
	return 0;
}

static int add_node(struct net *net, const json_t *jn, const char *where,
		    struct emu_err *err)
{
	const char *name, *role, *kind, *dpid_s;
	int ret;

	if (!json_is_object(jn))
		return emu_err_set(err, -EINVAL, "%s is not an object", where);
	if ((ret = get_str(jn, "name", &name, where, err)) ||
	    (ret = get_str(jn, "role", &role, where, err)) ||
	    (ret = get_str(jn, "kind", &kind, where, err)))
		return ret;
	if (!name || !role || !kind)
		return emu_err_set(err, -EINVAL,
				   "%s: 'name', 'role' and 'kind' are needed",
				   where);
	if (!strcmp(role, node_role_name(NODE_HOST))) {
		struct net_host_opts h = { 0 };
		json_t *d = json_object_get(jn, "docker");

		if ((ret = get_str(jn, "ip", &h.ip, where, err)) ||
		    (ret = get_str(jn, "mac", &h.mac, where, err)) ||
		    (ret = get_str(jn, "default_route", &h.default_route, where,
				   err)))
			return ret;
		if (d) {
			struct docker_opts o;
			struct docker_strs s;

			ret = docker_from_json(d, &o, &s, where, err);
			if (ret == 0) {
				o.ip = h.ip;
				o.mac = h.mac;
				if (!net_add_docker(net, name, &o, err))
					ret = emu_err_code(err, -EINVAL);
			}
			docker_strs_release(&s);
			if (ret == 0 && h.default_route)
				ret = net_set_default_route(net,
							    net_get(net, name),
							    h.default_route,
							    err);
			return ret;
		}
		if (!net_add_host(net, name, &h, err))
			return emu_err_code(err, -EINVAL);
		return 0;
	}
	if (!strcmp(role, node_role_name(NODE_SWITCH))) {
		struct net_switch_opts s = { .kind = kind };

		if ((ret = get_str(jn, "dpid", &dpid_s, where, err)))
			return ret;
		if (dpid_s) {
			char *end;

			s.dpid = strtoull(dpid_s, &end, 16);
			if (*end || !*dpid_s)
				return emu_err_set(err, -EINVAL,
						   "%s: bad dpid '%s'", where,
						   dpid_s);
		}
		if (!net_add_switch(net, name, &s, err))
			return emu_err_code(err, -EINVAL);
		return 0;
	}
	if (!strcmp(role, node_role_name(NODE_CONTROLLER))) {
		struct controller_opts c = { .kind = kind };
		json_t *jc = json_object_get(jn, "controller");
		long long port = 0;

		if (jc && ((ret = get_str(jc, "mode", &c.mode, where, err)) ||
			   (ret = get_str(jc, "ip", &c.ip, where, err)) ||
			   (ret = get_int(jc, "port", 0, 0, 65535, &port, where,
					  err))))
			return ret;
		c.port = (int)port;
		if (!net_add_controller(net, name, &c, err))
			return emu_err_code(err, -EINVAL);
		return 0;
	}
	return emu_err_set(err, -EINVAL, "%s: unknown role '%s'", where, role);
}

/* One end of a link or cut: its node (found), interface, port, MAC, IP
 * and shaping, under 'suffix'. */
struct part_end {
	struct node *node;
	const char *intf, *mac, *ip;
	int port;
	struct shaping shaping;
};

static int end_from_json(struct net *net, const json_t *o, const char *suffix,
			 struct part_end *e, const char *where,
			 struct emu_err *err)
{
	char key[16];
	const char *name;
	long long port;
	int ret;

	snprintf(key, sizeof(key), "node%s", suffix);
	if ((ret = get_str(o, key, &name, where, err)))
		return ret;
	if (!name || !(e->node = net_get(net, name)))
		return emu_err_set(err, -EINVAL, "%s: no node '%s' in the part",
				   where, name ? name : "");
	snprintf(key, sizeof(key), "intf%s", suffix);
	if ((ret = get_str(o, key, &e->intf, where, err)))
		return ret;
	snprintf(key, sizeof(key), "mac%s", suffix);
	if ((ret = get_str(o, key, &e->mac, where, err)))
		return ret;
	snprintf(key, sizeof(key), "ip%s", suffix);
	if ((ret = get_str(o, key, &e->ip, where, err)))
		return ret;
	snprintf(key, sizeof(key), "port%s", suffix);
	if ((ret = get_int(o, key, -1, -1, 65535, &port, where, err)))
		return ret;
	e->port = (int)port;
	snprintf(key, sizeof(key), "shaping%s", suffix);
	return shaping_from_json(json_object_get(o, key), &e->shaping, where,
				 err);
}

static bool shaping_is_none(const struct shaping *s)
{
	return !shaping_has_rate(s) && !shaping_has_impairment(s);
}

static int add_link(struct net *net, const json_t *jl, const char *where,
		    struct emu_err *err)
{
	struct part_end a, b;
	struct net_link_opts o = { 0 };
	long long mtu;
	int ret;

	if (!json_is_object(jl))
		return emu_err_set(err, -EINVAL, "%s is not an object", where);
	if ((ret = end_from_json(net, jl, "1", &a, where, err)) ||
	    (ret = end_from_json(net, jl, "2", &b, where, err)) ||
	    (ret = get_int(jl, "mtu", 0, 0, 65535, &mtu, where, err)))
		return ret;
	o.intf1 = a.intf;
	o.intf2 = b.intf;
	o.port1 = a.port;
	o.port2 = b.port;
	o.mac1 = a.mac;
	o.mac2 = b.mac;
	o.ip1 = a.ip;
	o.ip2 = b.ip;
	o.mtu = (unsigned int)mtu;
	o.shaping1 = shaping_is_none(&a.shaping) ? NULL : &a.shaping;
	o.shaping2 = shaping_is_none(&b.shaping) ? NULL : &b.shaping;
	if (!net_add_link(net, a.node, b.node, &o, err))
		return emu_err_code(err, -EINVAL);
	return 0;
}

/* A cut's VNI, checked. */
static int cut_vni(const json_t *jc, uint32_t *vni, const char *where,
		   struct emu_err *err)
{
	long long v;
	int ret = get_int(jc, "vni", 0, 1, (1 << 24) - 1, &v, where, err);

	if (ret == 0 && v == 0)
		return emu_err_set(err, -EINVAL, "%s: 'vni' is needed", where);
	*vni = (uint32_t)v;
	return ret;
}

static int add_cut(struct net *net, const json_t *jc, const char *where,
		   struct emu_err *err)
{
	struct net_switch_opts so = { .kind = "lxbr", .dpid = 0 };
	struct net_link_opts o = { 0 };
	char br[IFNAMSIZ_PART], port[IFNAMSIZ_PART];
	struct part_end a;
	struct node *tun;
	const char *local, *remote;
	uint32_t vni;
	long long mtu;
	int ret;

	if (!json_is_object(jc))
		return emu_err_set(err, -EINVAL, "%s is not an object", where);
	if ((ret = end_from_json(net, jc, "", &a, where, err)) ||
	    (ret = get_int(jc, "mtu", 0, 0, 65535, &mtu, where, err)) ||
	    (ret = cut_vni(jc, &vni, where, err)) ||
	    (ret = get_str(jc, "local", &local, where, err)) ||
	    (ret = get_str(jc, "remote", &remote, where, err)))
		return ret;
	if (!local || !remote)
		return emu_err_set(err, -EINVAL,
				   "%s: 'local' and 'remote' are needed", where);
	snprintf(br, sizeof(br), "vx%u", vni);
	snprintf(port, sizeof(port), "vx%up", vni);
	so.dpid = vni;
	if (net_get(net, br))
		return emu_err_set(err, -EEXIST,
				   "%s: VNI %u is used twice, or a node is "
				   "named '%s'", where, vni, br);
	tun = net_add_switch(net, br, &so, err);
	if (!tun)
		return emu_err_code(err, -EINVAL);
	o.intf1 = a.intf;
	o.port1 = a.port;
	o.mac1 = a.mac;
	o.ip1 = a.ip;
	o.intf2 = port;
	o.port2 = 1;
	o.mtu = (unsigned int)mtu;
	o.shaping1 = shaping_is_none(&a.shaping) ? NULL : &a.shaping;
	if (!net_add_link(net, a.node, tun, &o, err))
		return emu_err_code(err, -EINVAL);
	return 0;
}

/* Calls 'add' on each item of the array 'key' of 'part'. */
static int add_each(struct net *net, const json_t *part, const char *key,
		    const char *what,
		    int (*add)(struct net *, const json_t *, const char *,
			       struct emu_err *),
		    struct emu_err *err)
{
	json_t *a = json_object_get(part, key), *v;
	char where[64];
	size_t i;
	int ret;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return emu_err_set(err, -EINVAL, "part: '%s' is not an array",
				   key);
	json_array_foreach(a, i, v) {
		snprintf(where, sizeof(where), "part: %s %zu", what, i + 1);
		if ((ret = add(net, v, where, err)) < 0) {
			if (!strstr(err ? err->msg : "", "part: "))
				emu_err_prefix(err, "%s: ", where);
			return ret;
		}
	}
	return 0;
}

int part_build_net(struct net *net, const json_t *part, struct emu_err *err)
{
	const char *topo;
	int ret;

	if (!json_is_object(part))
		return emu_err_set(err, -EINVAL, "part: not a JSON object");
	if ((ret = add_each(net, part, "nodes", "node", add_node, err)) ||
	    (ret = add_each(net, part, "links", "link", add_link, err)) ||
	    (ret = add_each(net, part, "cuts", "cut", add_cut, err)) ||
	    (ret = get_str(part, "topology", &topo, "part", err)))
		return ret;
	return topo ? net_set_controller_topology(net, topo, err) : 0;
}

size_t part_fit_mtu(json_t *part, unsigned int underlay_mtu)
{
	static const char *const keys[] = { "links", "cuts" };
	unsigned int fit = underlay_mtu - PART_VXLAN_OVERHEAD;
	size_t i, n = 0;
	json_t *c;

	if (underlay_mtu >= PART_UNDERLAY_MTU_MIN)
		return 0;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		json_t *items = json_object_get(part, keys[k]);

		json_array_foreach(items, i, c) {
			json_int_t mtu = json_integer_value(
				json_object_get(c, "mtu"));

			if (mtu == 0 || mtu > fit) {
				json_object_set_new(c, "mtu",
						    json_integer(fit));
				n++;
			}
		}
	}
	return n;
}

/* Makes the VXLAN of one cut and bridges it to its tunnel end. */
static int make_tunnel(struct net *net, struct nlsock *nl, const json_t *jc,
		       const char *where, struct emu_err *err)
{
	char br[IFNAMSIZ_PART], dev[IFNAMSIZ_PART];
	struct nlsock_vxlan_opts vx = { .nsfd = -1 };
	struct nlsock *sw = NULL;
	struct node *tun;
	long long port;
	int ret, nsfd;

	if ((ret = cut_vni(jc, &vx.vni, where, err)) ||
	    (ret = get_str(jc, "local", &vx.local, where, err)) ||
	    (ret = get_str(jc, "remote", &vx.remote, where, err)) ||
	    (ret = get_int(jc, "udp_port", 0, 0, 65535, &port, where, err)))
		return ret;
	vx.port = (uint16_t)port;
	snprintf(br, sizeof(br), "vx%u", vx.vni);
	snprintf(dev, sizeof(dev), "vx%ut", vx.vni);
	vx.name = dev;
	tun = net_get(net, br);
	if (!tun || !node_is_running(tun))
		return emu_err_set(err, -ENOENT, "%s: no running tunnel end '%s'",
				   where, br);
	nsfd = node_open_ns(tun, "net");
	if (nsfd < 0)
		return emu_err_set(err, nsfd, "%s: cannot open the namespace of "
				   "'%s': %s", where, br, strerror(-nsfd));
	vx.nsfd = nsfd;
	ret = nlsock_add_vxlan(nl, &vx, err);
	if (ret == 0 && !(sw = nlsock_open(nsfd, err)))
		ret = emu_err_code(err, -EIO);
	if (ret == 0)
		ret = nlsock_set_bridge_hub(sw, br, err);
	if (ret == 0)
		ret = nlsock_set_master(sw, dev, br, err);
	if (ret == 0)
		ret = nlsock_set_up(sw, dev, true, err);
	nlsock_close(sw);
	close(nsfd);
	if (ret == 0)
		log_info("tunnel '%s': VNI %u to %s", br, vx.vni, vx.remote);
	return ret;
}

int part_make_tunnels(struct net *net, const json_t *part,
		      struct emu_err *err)
{
	json_t *cuts = json_object_get(part, "cuts"), *c;
	struct nlsock *nl;
	char where[64];
	size_t i;
	int ret = 0;

	if (!cuts || !json_array_size(cuts))
		return 0;
	nl = nlsock_open(-1, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	json_array_foreach(cuts, i, c) {
		snprintf(where, sizeof(where), "part: cut %zu", i + 1);
		if ((ret = make_tunnel(net, nl, c, where, err)) < 0)
			break;
	}
	nlsock_close(nl);
	return ret;
}

int part_add_node(struct net *net, const json_t *jn, struct emu_err *err)
{
	return add_node(net, jn, "node", err);
}

int part_add_link(struct net *net, const json_t *jl, struct emu_err *err)
{
	return add_link(net, jl, "link", err);
}

int part_add_cut(struct net *net, const json_t *jc, struct emu_err *err)
{
	struct nlsock *nl;
	int ret = add_cut(net, jc, "cut", err);

	if (ret || !net_is_started(net))
		return ret;
	nl = nlsock_open(-1, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	ret = make_tunnel(net, nl, jc, "cut", err);
	nlsock_close(nl);
	return ret;
}

int part_remove_cut(struct net *net, uint32_t vni, struct emu_err *err)
{
	char br[IFNAMSIZ_PART], dev[IFNAMSIZ_PART];
	struct node *tun;
	struct nlsock *sw;
	int nsfd, ret;

	snprintf(br, sizeof(br), "vx%u", vni);
	snprintf(dev, sizeof(dev), "vx%ut", vni);
	tun = net_get(net, br);
	if (!tun)
		return emu_err_set(err, -ENOENT, "no tunnel end '%s' on this "
				   "machine", br);
	/* The VXLAN device is no link of the Net: it goes by its name, in
	 * the tunnel end's namespace, before the end. */
	nsfd = node_is_running(tun) ? node_open_ns(tun, "net") : -1;
	if (nsfd >= 0) {
		sw = nlsock_open(nsfd, NULL);
		if (sw && nlsock_del_link(sw, dev, err) && err->code != -ENODEV)
			log_warn("%s", err->msg);
		emu_err_clear(err);
		nlsock_close(sw);
		close(nsfd);
	}
	ret = net_remove_node(net, tun, err);
	return ret;
}
