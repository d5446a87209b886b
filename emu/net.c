#include "emu/net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "emu/guard.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/run.h"
#include "base/util.h"
#include "link/engine.h"
#include "link/nl.h"
#include "link/veth.h"
#include "node/bridge.h"
#include "node/controller.h"
#include "node/docker.h"
#include "node/host.h"
#include "node/nat.h"
#include "node/node.h"
#include "node/ovs.h"
#include "node/switch_ns.h"
#include "node/switch_ovs.h"
#include "node/vswitch.h"
#include "topo/graph.h"
#include "topo/index.h"
#include "topo/plan.h"
#include "topo/topo.h"

EMU_LOG_MODULE(net);

/* Node names leave room for "-eth<port>" within IFNAMSIZ. */
#define NET_NAME_MAX 10
/* Where dpids of switches named with 0 ("s0") start: 02:00:00:00:00:00,
 * a locally administered MAC as OVS would take. */
#define NET_DPID_LOCAL 0x020000000000ULL

struct net {
	struct run *run;		/* lock and run directory; NULL until
					   started */
	char tag[24];			/* "cn<pid>", the run's tag */
	char *alias;			/* "cnemu:<tag>" */
	const struct node_kind *switch_kind;	/* --switch (node/kinds.h) */
	bool switch_stp;
	bool standalone;		/* OVS without controller */
	bool auto_mac;
	bool auto_arp;			/* --arp: static ARP on every host */
	struct host_cpu host_cpu;	/* --host: every host's CPU limits */
	char *host_buf;			/* strings of 'host_cpu' */
	struct plan_net ipbase;
	unsigned long next_ip;		/* index of the next host address */
	struct shaping link_defaults;
	bool has_link_defaults;
	struct node **nodes;		/* owned, in order of addition */
	size_t n_nodes, cap_nodes;
	struct topo_index node_names;	/* name -> node */
	struct link **links;		/* owned */
	size_t n_links, cap_links;
	struct nlsock *root_nl;
	struct link_engine engine;	/* netem or the pump */
	struct node_ctx ctx;		/* lent to every node */
	struct vswitch *vswitch;	/* the run's private OVS, in the
					   switch namespace; made on first
					   use */
	struct ovs_switch_db *ovs_db;	/* to it; made on first use */
	uint32_t group;			/* IFLA_GROUP of root-side ends */
	bool started;
	char *controller_spec;		/* --controller; NULL: the default */
	struct net_switch_info *sw_info;	/* one per switch */
	size_t n_sw_info, cap_sw_info;
	const char **ctl_targets;	/* for net_controller_targets(), room
					   for every controller */
	size_t cap_ctl_targets;
};

/* What the controllers need to know of a switch. */
struct net_switch_info {
	struct node *node;
	uint64_t dpid;			/* as the switch was given it */
	char *controller;		/* its controller's name; NULL: all */
	bool managed;			/* OVS under a controller */
	const char *targets[2];		/* for net_switch_controller_targets */
};

static int net_start_node(struct net *net, struct node *node,
			  struct emu_err *err);
static int net_add_node(struct net *net, struct node *node,
			struct emu_err *err);
static int net_shape_link(struct net *net, struct link *link,
			  struct emu_err *err);

const char *net_run_tag(const struct net *net)
{
	return net->tag;
}

static const char *const *net_controller_targets(const struct net *net)
{
	size_t n = 0;

	for (size_t i = 0; i < net->n_nodes; i++) {
		const char *t;

		if (node_role(net->nodes[i]) != NODE_CONTROLLER)
			continue;
		t = controller_target(net->nodes[i]);
		if (t && n + 1 < net->cap_ctl_targets)
			net->ctl_targets[n++] = t;
	}
	if (!n)
		return NULL;
	net->ctl_targets[n] = NULL;
	return net->ctl_targets;
}

static struct net_switch_info *net_switch_info(const struct net *net,
					       const struct node *sw)
{
	for (size_t i = 0; i < net->n_sw_info; i++)
		if (net->sw_info[i].node == sw)
			return &net->sw_info[i];
	return NULL;
}

uint64_t net_switch_dpid(const struct net *net, const struct node *sw)
{
	const struct net_switch_info *info = net_switch_info(net, sw);

	return info ? info->dpid : 0;
}

/* The targets of the switch 'sw': those of the controller its options
 * named, else all of net_controller_targets(); NULL: none.  Node kinds
 * ask through their context (node_ctx.switch_targets). */
static const char *const *net_switch_targets(void *owner,
					     const struct node *sw)
{
	const struct net *net = owner;
	struct net_switch_info *info = net_switch_info(net, sw);
	struct node *c;

	if (!info || !info->controller)
		return net_controller_targets(net);
	c = net_get(net, info->controller);
	if (!c || node_role(c) != NODE_CONTROLLER || !controller_target(c))
		return NULL;
	info->targets[0] = controller_target(c);
	info->targets[1] = NULL;
	return info->targets;
}

const char *net_run_dir(const struct net *net)
{
	return run_dir(net->run);
}

struct node *net_add_controller(struct net *net, const char *name,
				const struct controller_opts *opts,
				struct emu_err *err)
{
	struct node *node = controller_create(&net->ctx, name, opts, err);
	size_t n = 1;

	if (!node || net_add_node(net, node, err))
		return NULL;
	for (size_t i = 0; i < net->n_nodes; i++)
		n += node_role(net->nodes[i]) == NODE_CONTROLLER;
	xgrow((void **)&net->ctl_targets, &net->cap_ctl_targets, n,
	      sizeof(*net->ctl_targets));
	if (net->started && net_start_node(net, node, err))
		return NULL;
	return node;
}

/* True when switch 'info' takes its flows from 'controller'. */
static bool net_switch_under(const struct net_switch_info *info,
			     const struct node *controller)
{
	return info->managed && (!info->controller ||
				 !strcmp(info->controller, controller->name));
}

/* Writes the topology file of the builtin controller 'controller' (topo
 * mode) to 'path': the OVS switches under it with their dpids, the links
 * between them with their port numbers, the hosts on them with their
 * MACs (given, else their interface's once the link is made).  Node
 * kinds ask through their context (node_ctx.write_topology). */
static int net_write_topology(void *owner, const struct node *controller,
			      const char *path, struct emu_err *err)
{
	struct net *net = owner;
	struct topo_graph *g = topo_graph_create();
	struct emu_err skip = { 0 };
	int ret;

	for (size_t i = 0; i < net->n_sw_info; i++) {
		struct net_switch_info *info = &net->sw_info[i];

		if (!net_switch_under(info, controller))
			continue;
		emu_err_clear(&skip);
		if (topo_graph_add_switch(g, info->dpid, info->node->name,
					  &skip))
			log_warn("'%s' left out of the topology of '%s': %s",
				 info->node->name, controller->name, skip.msg);
	}
	for (size_t i = 0; i < net->n_links; i++) {
		struct node_intf *a = link_intf1(net->links[i]);
		struct node_intf *b = link_intf2(net->links[i]);
		struct net_switch_info *ia = net_switch_info(net, a->node);
		struct net_switch_info *ib = net_switch_info(net, b->node);
		uint8_t mac[6];

		if (ia && !net_switch_under(ia, controller))
			ia = NULL;
		if (ib && !net_switch_under(ib, controller))
			ib = NULL;
		emu_err_clear(&skip);
		if (ia && ib) {
			ret = topo_graph_add_link(g, ia->dpid, a->port,
						  ib->dpid, b->port, &skip);
		} else if (ia || ib) {
			/* Every host by its MAC, given or the kernel's: one
			 * never learned (it sent nothing to the controller)
			 * would be reached only through the controller, and
			 * not at all once it died. */
			struct node_intf *h = ia ? b : a;
			struct net_switch_info *s = ia ? ia : ib;
			char text[18];

			if (node_role(h->node) != NODE_HOST ||
			    !net_intf_mac(h, text, sizeof(text)) ||
			    plan_parse_mac(text, mac, NULL))
				continue;
			ret = topo_graph_add_host(g, mac, s->dpid,
						  ia ? a->port : b->port,
						  &skip);
		} else {
			continue;
		}
		if (ret)
			log_warn("link '%s'-'%s' left out of the topology of "
				 "'%s': %s",
				 a->node->name, b->node->name,
				 controller->name, skip.msg);
	}
	ret = topo_graph_save(g, path, err);
	topo_graph_destroy(g);
	return ret;
}

/* Rewrites the topology files of the running controllers and tells them
 * (after links or switches were added at runtime). */
static int net_update_controllers(struct net *net, struct emu_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < net->n_nodes && !ret; i++) {
		struct node *c = net->nodes[i];
		const char *path;

		if (node_role(c) != NODE_CONTROLLER || !c->running)
			continue;
		path = controller_topo_file(c);
		if (!path)
			continue;
		ret = net_write_topology(net, c, path, err);
		if (!ret)
			ret = controller_reload(c, err);
	}
	return ret;
}

int net_check_nodes(struct net *net)
{
	int n = 0;

	for (size_t i = 0; i < net->n_nodes; i++) {
		struct node *node = net->nodes[i];

		if (node->running && node->ops->check &&
		    !node->ops->check(node))
			n++;
	}
	return n;
}

/* True when the controller kind 'kind' (NULL: the default) stands for no
 * controller ("none"). */
static bool net_kind_absent(const char *kind)
{
	const struct node_kind *k = node_kind_find(NODE_CONTROLLER, kind);

	return k && (k->caps & NODE_KIND_ABSENT);
}

/* Before start: without any controller, adds "c0" as --controller says
 * or, when OVS switches need one, the builtin one (Mininet's users expect
 * a controller); checks that switches name controllers that exist. */
static int net_prepare_controllers(struct net *net, struct emu_err *err)
{
	struct controller_opts o = { 0 };
	bool want = false, have = false;
	char *buf = NULL;
	int ret = 0;

	for (size_t i = 0; i < net->n_sw_info; i++)
		want |= net->sw_info[i].managed;
	for (size_t i = 0; i < net->n_nodes; i++)
		have |= node_role(net->nodes[i]) == NODE_CONTROLLER;
	if (!have && (want || net->controller_spec)) {
		if (net->controller_spec)
			ret = controller_parse(net->controller_spec, &o, &buf,
					       err);
		if (!ret && !net_kind_absent(o.kind) &&
		    !net_add_controller(net, "c0", &o, err))
			ret = err ? err->code : -EINVAL;
		free(buf);
	}
	for (size_t i = 0; i < net->n_sw_info && !ret; i++) {
		const char *name = net->sw_info[i].controller;
		struct node *c = name ? net_get(net, name) : NULL;

		if (name && (!c || node_role(c) != NODE_CONTROLLER))
			ret = emu_err_set(err, -ENOENT,
					  "switch '%s': no controller '%s'",
					  net->sw_info[i].node->name, name);
	}
	return ret;
}

/* Starts the run's private OVS (node/vswitch.h) in the switch namespace,
 * once. */
static int net_start_vswitch(struct net *net, struct emu_err *err)
{
	struct vswitch_opts o = { .cache_dir = RUN_DIR };
	char *dir;

	if (net->vswitch)
		return 0;
	if (!net->run)
		return emu_err_set(err, -ENOTCONN, "the network is not "
				   "started");
	o.nsfd = switch_ns_fd(net->ctx.switch_ns, err);
	if (o.nsfd < 0)
		return o.nsfd;
	dir = xasprintf("%s/" RUN_OVS_DIR, run_dir(net->run));
	o.dir = dir;
	net->vswitch = vswitch_start(&o, err);
	free(dir);
	return net->vswitch ? 0 : emu_err_code(err, -EIO);
}

/* Ends the private OVS: the switches' stop committed their removal. */
static void net_stop_vswitch(struct net *net)
{
	ovs_switch_disconnect(net->ovs_db);
	net->ovs_db = NULL;
	vswitch_stop(net->vswitch);
	net->vswitch = NULL;
}

/* node_ctx.ovs_db: the connection to the private OVS, both made on first
 * use; ends at net_stop(). */
static struct ovs_switch_db *net_ctx_ovs_db(void *owner, struct emu_err *err)
{
	struct net *net = owner;

	if (!net->ovs_db && !net_start_vswitch(net, err))
		net->ovs_db = ovs_switch_connect(vswitch_remote(net->vswitch),
						 3000, err);
	return net->ovs_db;
}

/* node_ctx.ovs_check: a daemon of the private OVS that ended is said (a
 * warning) and started again; false when it cannot be. */
static bool net_ctx_ovs_check(void *owner)
{
	struct net *net = owner;
	struct emu_err err = { 0 };
	char how[96];

	if (!net->vswitch || vswitch_check(net->vswitch, how, sizeof(how)))
		return true;
	log_warn("%s: the OVS switches forward nothing until it is back; "
		 "starting it again", how);
	if (vswitch_restart(net->vswitch, &err)) {
		log_warn("%s", err.msg);
		return false;
	}
	log_info("*** ovs-vswitchd is back (pid %d): it makes the OVS bridges "
		 "and ports again",
		 (int)vswitch_pid(net->vswitch, VSWITCH_DAEMON));
	return true;
}

/* node_ctx.ovs_nsfd: the namespace of the private OVS's ovs-vswitchd (the
 * switch namespace), where OVS switches and their ports live; -1 before
 * it runs. */
static int net_ctx_ovs_nsfd(void *owner)
{
	struct net *net = owner;

	return net->vswitch ? switch_ns_fd(net->ctx.switch_ns, NULL) : -1;
}

const char *net_ovs_rundir(struct net *net, struct emu_err *err)
{
	return net_start_vswitch(net, err) ? NULL : vswitch_dir(net->vswitch);
}

static const char *net_ctx_ovs_rundir(void *owner, struct emu_err *err)
{
	return net_ovs_rundir(owner, err);
}

/* Parses the switch arguments "stp=1", "datapath=user". */
static int net_parse_switch_args(struct net *net, const char *args,
				 struct emu_err *err)
{
	char *copy = xstrdup(args), *save = NULL;
	int ret = 0;

	for (char *kv = strtok_r(copy, ",", &save); kv && !ret;
	     kv = strtok_r(NULL, ",", &save)) {
		if (!strcmp(kv, "stp=1") || !strcmp(kv, "stp=true"))
			net->switch_stp = true;
		else if (!strcmp(kv, "stp=0") || !strcmp(kv, "stp=false"))
			net->switch_stp = false;
		else if (!strcmp(kv, "datapath=user"))
			net->ctx.ovs_userspace = true;
		else if (!strcmp(kv, "datapath=kernel"))
			net->ctx.ovs_userspace = !ovs_switch_kernel_datapath();
		else
			ret = emu_err_set(err, -EINVAL,
					  "unknown switch option '%s'", kv);
	}
	free(copy);
	return ret;
}

struct net *net_create(const struct net_opts *opts, struct emu_err *err)
{
	struct net_opts none = { 0 };
	struct net *net = xcalloc(1, sizeof(*net));

	net->engine.pump_nsfd = -1;
	if (!opts)
		opts = &none;
	net->ctx.ovs_userspace = !ovs_switch_kernel_datapath();
	net->auto_mac = opts->auto_mac;
	net->auto_arp = opts->auto_arp;
	net->controller_spec = xstrdup(opts->controller);
	if (opts->controller) {
		struct controller_opts co;
		char *buf = NULL;
		int bad = controller_parse(opts->controller, &co, &buf, err);

		net->standalone = !bad && net_kind_absent(co.kind);
		free(buf);
		if (bad)
			goto fail;
	}
	net->switch_kind = opts->switch_kind ? NULL
					     : node_kind_default(NODE_SWITCH);
	if (opts->switch_kind &&
	    node_kind_lookup(NODE_SWITCH, opts->switch_kind,
			     &net->switch_kind, err))
		goto fail;
	/* A standalone kind (ovsbr) by default: no controller at all. */
	net->standalone |= (net->switch_kind->caps & NODE_KIND_OVS) &&
			   !(net->switch_kind->caps & NODE_KIND_CONTROLLED);
	shaping_init(&net->link_defaults);
	if (opts->link_defaults) {
		net->link_defaults = *opts->link_defaults;
		net->has_link_defaults = true;
	}
	if ((opts->switch_args &&
	     net_parse_switch_args(net, opts->switch_args, err)) ||
	    plan_parse_net(opts->ipbase ? opts->ipbase : "10.0.0.0/8",
			   &net->ipbase, err))
		goto fail;
	if (opts->host &&
	    host_cpu_parse(opts->host, &net->host_cpu, &net->host_buf, err)) {
		emu_err_prefix(err, "host: ");
		goto fail;
	}
	net->next_ip = 1;
	/* The run's lock and the root socket wait for net_start(): a Net
	 * only described needs neither root nor the machine.  The tag is the
	 * one run_open() gives this process. */
	snprintf(net->tag, sizeof(net->tag), "cn%d", (int)getpid());
	net->alias = xasprintf("cnemu:%s", net->tag);
	net->ctx.run_tag = net->tag;
	net->ctx.alias = net->alias;
	net->ctx.switch_ns = switch_ns_create(net->tag);
	net->ctx.switch_targets = net_switch_targets;
	net->ctx.write_topology = net_write_topology;
	net->ctx.ovs_db = net_ctx_ovs_db;
	net->ctx.ovs_rundir = net_ctx_ovs_rundir;
	net->ctx.ovs_nsfd = net_ctx_ovs_nsfd;
	net->ctx.ovs_check = net_ctx_ovs_check;
	net->ctx.owner = net;
	/* "cn" in the high bits: no interface group a user would pick. */
	net->group = 0x636e0000u | ((uint32_t)getpid() & 0xffffu);
	if (link_engine_init(&net->engine, opts->link_engine, net->tag, err))
		goto fail;
	return net;
fail:
	net_destroy(net);
	return NULL;
}

static int net_add_node(struct net *net, struct node *node,
			struct emu_err *err)
{
	int ret = plan_check_name(node->name, NET_NAME_MAX, err);

	if (!ret && net_get(net, node->name))
		ret = emu_err_set(err, -EEXIST, "duplicate node name '%s'",
				  node->name);
	if (ret) {
		node_destroy(node);
		return ret;
	}
	xgrow((void **)&net->nodes, &net->cap_nodes, net->n_nodes + 1,
	      sizeof(*net->nodes));
	net->nodes[net->n_nodes++] = node;
	topo_index_add(&net->node_names, node->name, node);
	return 0;
}

/* Gives a host-like 'node' its address and MAC: 'ip' and 'mac' as given,
 * or the next of the plan (MAC only with --mac), as Mininet's addHost. */
static int net_plan_host(struct net *net, struct node *node, const char *ip,
			 const char *mac, struct emu_err *err)
{
	unsigned long index = net->next_ip++;
	char buf[64];
	uint32_t addr;
	uint8_t b[6];

	free(node->default_ip);
	free(node->default_mac);
	node->default_ip = node->default_mac = NULL;
	if (ip) {
		if (plan_parse_host_ip(ip, net->ipbase.prefix, &addr, err))
			return err ? err->code : -EINVAL;
		node->default_ip = strchr(ip, '/')
					   ? xstrdup(ip)
					   : xasprintf("%s/%u", ip,
						       net->ipbase.prefix);
	} else {
		if (plan_host_ip(&net->ipbase, index, buf, sizeof(buf), err))
			return err ? err->code : -ERANGE;
		node->default_ip = xstrdup(buf);
	}
	if (mac) {
		if (plan_parse_mac(mac, b, err))
			return err ? err->code : -EINVAL;
		node->default_mac = xstrdup(mac);
	} else if (net->auto_mac) {
		plan_mac_from_index(index, buf, sizeof(buf));
		node->default_mac = xstrdup(buf);
	}
	return 0;
}

/* Plans, adopts and (on a running Net) starts a host-like node. */
static struct node *net_add_hostlike(struct net *net, struct node *node,
				     const char *ip, const char *mac,
				     struct emu_err *err)
{
	char *name = xstrdup(node->name);

	if (net_plan_host(net, node, ip, mac, err)) {
		emu_err_prefix(err, "host '%s': ", name);
		node_destroy(node);
		node = NULL;
	} else if (net_add_node(net, node, err) ||
		   (net->started && net_start_node(net, node, err))) {
		node = NULL;
	}
	free(name);
	return node;
}

struct node *net_add_host(struct net *net, const char *name,
			  const struct net_host_opts *opts,
			  struct emu_err *err)
{
	struct node *node = host_create(&net->ctx, name,
				       opts && opts->cpu ? opts->cpu
							 : &net->host_cpu);

	if (opts)
		node->default_route = xstrdup(opts->default_route);
	return net_add_hostlike(net, node, opts ? opts->ip : NULL,
				opts ? opts->mac : NULL, err);
}

struct node *net_add_docker(struct net *net, const char *name,
			    const struct docker_opts *opts,
			    struct emu_err *err)
{
	struct node *node = docker_create(&net->ctx, name, opts, err);

	if (!node) {
		emu_err_prefix(err, "container '%s': ", name);
		return NULL;
	}
	return net_add_hostlike(net, node, opts->ip, opts->mac, err);
}

/* True when a switch of 'net' has the dpid 'dpid'. */
static bool net_dpid_taken(const struct net *net, uint64_t dpid)
{
	for (size_t i = 0; i < net->n_sw_info; i++)
		if (net->sw_info[i].dpid == dpid)
			return true;
	return false;
}

/* The dpid of switch 'name' when none was given: Mininet's, from the
 * first number of the name; its error when the name has none.  Mininet
 * gives "s0" the dpid 0, which OVS refuses and replaces with one of its
 * own from a locally administered MAC: so does this, from
 * NET_DPID_LOCAL up, so that the controller knows it beforehand. */
static int net_default_dpid(const struct net *net, const char *name,
			    uint64_t *dpid, struct emu_err *err)
{
	int ret = plan_check_name(name, NET_NAME_MAX, err);

	if (!ret)
		ret = plan_dpid(name, dpid, err);
	if (ret) {
		emu_err_prefix(err, "switch '%s': ", name);
		return ret;
	}
	if (*dpid)
		return 0;
	for (*dpid = NET_DPID_LOCAL; net_dpid_taken(net, *dpid); (*dpid)++)
		;
	return 0;
}

struct node *net_add_nat(struct net *net, const char *name,
			 const struct net_nat_opts *opts,
			 struct emu_err *err)
{
	const struct net_nat_opts none = { 0 };
	struct node *nat, *sw = NULL;
	char subnet[32], gw[64];
	uint32_t b = net->ipbase.base;
	int ret = 0;

	if (!opts)
		opts = &none;
	if (!name)
		name = "nat0";
	for (size_t i = 0; i < net->n_nodes && !sw && !opts->no_connect; i++)
		if (node_role(net->nodes[i]) == NODE_SWITCH)
			sw = net->nodes[i];
	if (opts->connect)
		sw = opts->connect;
	if (net->started)
		ret = emu_err_set(err, -EBUSY,
				  "NAT '%s': add it before the net starts",
				  name);
	else if (!sw && !opts->no_connect)
		ret = emu_err_set(err, -EINVAL,
				  "NAT '%s': no switch to connect it to",
				  name);
	else if (sw && node_role(sw) != NODE_SWITCH)
		ret = emu_err_set(err, -EINVAL,
				  "NAT '%s': '%s' is not a switch", name,
				  sw->name);
	if (ret)
		return NULL;
	snprintf(subnet, sizeof(subnet), "%u.%u.%u.%u/%u", b >> 24,
		 (b >> 16) & 255, (b >> 8) & 255, b & 255, net->ipbase.prefix);
	nat = net_add_hostlike(net, nat_create(&net->ctx, name,
					       opts->subnet ? opts->subnet
							    : subnet),
			       opts->ip, NULL, err);
	if (!nat)
		return NULL;
	if (!sw)
		return nat;
	if (!net_add_link(net, nat, sw, NULL, err)) {
		net_remove_node(net, nat, NULL);
		return NULL;
	}
	/* Mininet: every host in a namespace so far routes through it. */
	snprintf(gw, sizeof(gw), "via %.*s", (int)strcspn(nat->default_ip, "/"),
		 nat->default_ip);
	for (size_t i = 0; i < net->n_nodes; i++) {
		struct node *h = net->nodes[i];

		if (node_role(h) != NODE_HOST || node_is_nat(h))
			continue;
		free(h->default_route);
		h->default_route = xstrdup(gw);
	}
	return nat;
}

struct node *net_add_switch(struct net *net, const char *name,
			    const struct net_switch_opts *opts,
			    struct emu_err *err)
{
	const struct node_kind *kind = net->switch_kind;
	bool stp = (opts && opts->stp) || net->switch_stp;
	uint64_t dpid = opts ? opts->dpid : 0;
	struct node *node;

	if (opts && opts->kind &&
	    node_kind_lookup(NODE_SWITCH, opts->kind, &kind, err))
		return NULL;
	if (!dpid && net_default_dpid(net, name, &dpid, err))
		return NULL;
	node = node_create_switch(kind, &net->ctx, name, dpid,
				  net->standalone, stp);
	if (net_add_node(net, node, err))
		return NULL;
	xgrow((void **)&net->sw_info, &net->cap_sw_info, net->n_sw_info + 1,
	      sizeof(*net->sw_info));
	net->sw_info[net->n_sw_info++] = (struct net_switch_info){
		.node = node,
		.dpid = dpid,
		.controller = xstrdup(opts ? opts->controller : NULL),
		.managed = (kind->caps & NODE_KIND_CONTROLLED) &&
			   !net->standalone,
	};
	/* The controllers learn of it before it connects. */
	if (net->started && (net_update_controllers(net, err) ||
			     net_start_node(net, node, err)))
		return NULL;
	return node;
}

struct node *net_get(const struct net *net, const char *name)
{
	return topo_index_find(&net->node_names, name);
}

struct node **net_nodes(const struct net *net, size_t *n)
{
	*n = net->n_nodes;
	return net->nodes;
}

struct link **net_links(const struct net *net, size_t *n)
{
	*n = net->n_links;
	return net->links;
}

bool net_is_started(const struct net *net)
{
	return net->started;
}

/* Gives the first interface of a host its default address and MAC. */
static void net_fill_intf(struct node_intf *intf, const char *ip,
			  const char *mac)
{
	struct node *node = intf->node;
	bool first = node->n_intfs == 1;

	if (!ip && first && node_role(node) == NODE_HOST)
		ip = node->default_ip;
	if (!mac && first && node_role(node) == NODE_HOST)
		mac = node->default_mac;
	if (ip)
		snprintf(intf->ip, sizeof(intf->ip), "%s", ip);
	if (mac)
		snprintf(intf->mac, sizeof(intf->mac), "%s", mac);
	intf->up = true;
}

static int net_check_link_opts(const struct net *net,
			       const struct net_link_opts *o,
			       struct emu_err *err)
{
	const char *ips[2] = { o->ip1, o->ip2 }, *macs[2] = { o->mac1,
							      o->mac2 };
	uint8_t mac[6];
	uint32_t addr;

	for (int i = 0; i < 2; i++) {
		if (ips[i] && plan_parse_host_ip(ips[i], net->ipbase.prefix,
						 &addr, err))
			return err ? err->code : -EINVAL;
		if (macs[i] && plan_parse_mac(macs[i], mac, err))
			return err ? err->code : -EINVAL;
	}
	return 0;
}

static int net_make_link(struct net *net, struct link *link,
			 struct emu_err *err);

struct link *net_add_link(struct net *net, struct node *a, struct node *b,
			  const struct net_link_opts *opts,
			  struct emu_err *err)
{
	struct net_link_opts none = { .port1 = -1, .port2 = -1 };
	struct node_intf *i1, *i2 = NULL;
	struct link_opts lo = { 0 };
	struct link *link;

	if (!opts)
		opts = &none;
	if (a == b) {
		emu_err_set(err, -EINVAL, "link from '%s' to itself", a->name);
		return NULL;
	}
	if (net_check_link_opts(net, opts, err))
		return NULL;
	i1 = node_add_intf(a, opts->intf1, opts->port1, err);
	if (i1)
		i2 = node_add_intf(b, opts->intf2, opts->port2, err);
	if (!i2) {
		if (i1)
			node_remove_intf(a, i1);
		emu_err_prefix(err, "link '%s'-'%s': ", a->name, b->name);
		return NULL;
	}
	net_fill_intf(i1, opts->ip1, opts->mac1);
	net_fill_intf(i2, opts->ip2, opts->mac2);
	lo.mtu = opts->mtu;
	lo.alias = net->alias;
	lo.group = net->group;
	lo.engine = &net->engine;
	lo.shaping1 = opts->shaping1;
	lo.shaping2 = opts->shaping2;
	if (!lo.shaping1 && net->has_link_defaults)
		lo.shaping1 = &net->link_defaults;
	if (!lo.shaping2 && net->has_link_defaults)
		lo.shaping2 = &net->link_defaults;
	link = link_create(i1, i2, &lo);
	xgrow((void **)&net->links, &net->cap_links, net->n_links + 1,
	      sizeof(*net->links));
	net->links[net->n_links++] = link;
	/* The controllers learn of a new switch link before its ports
	 * appear, so that they never take them for host ports. */
	if (net->started && node_role(a) == NODE_SWITCH &&
	    node_role(b) == NODE_SWITCH && net_update_controllers(net, err))
		return NULL;
	if (net->started && net_make_link(net, link, err))
		return NULL;
	/* A host's MAC is known once its interface is made: the
	 * controllers reach it without learning it. */
	if (net->started &&
	    (node_role(a) == NODE_SWITCH) != (node_role(b) == NODE_SWITCH) &&
	    net_update_controllers(net, err))
		return NULL;
	return link;
}

int net_build(struct net *net, const char *spec, struct emu_err *err)
{
	unsigned long long t = now_us();
	struct topo topo;
	struct node **made;
	int ret;

	topo_init(&topo);
	ret = topo_build(&topo, spec, err);
	if (ret)
		return ret;
	made = xcalloc(topo.n_nodes, sizeof(*made));
	/* Hosts first, as Mininet, so that they get addresses in order. */
	for (size_t i = 0; i < topo.n_nodes && !ret; i++) {
		if (topo.nodes[i].kind != TOPO_HOST)
			continue;
		made[i] = net_add_host(net, topo.nodes[i].name, NULL, err);
		ret = made[i] ? 0 : err ? err->code : -EINVAL;
	}
	for (size_t i = 0; i < topo.n_nodes && !ret; i++) {
		struct net_switch_opts so = { .dpid = topo.nodes[i].dpid };

		if (topo.nodes[i].kind != TOPO_SWITCH)
			continue;
		made[i] = net_add_switch(net, topo.nodes[i].name, &so, err);
		ret = made[i] ? 0 : err ? err->code : -EINVAL;
	}
	for (size_t i = 0; i < topo.n_links && !ret; i++) {
		const struct topo_link *tl = &topo.links[i];
		struct net_link_opts lo = { .port1 = tl->port_a,
					    .port2 = tl->port_b };

		if (!net_add_link(net, made[tl->a], made[tl->b], &lo, err))
			ret = err ? err->code : -EINVAL;
	}
	free(made);
	topo_release(&topo);
	log_phase(&t, "build");
	return ret;
}

/* Which nodes a batch takes, and what it does with them. */
enum net_batch { NET_BATCH_START, NET_BATCH_PREPARE, NET_BATCH_STOP };

static bool net_batch_takes(const struct node *node, enum node_role role,
			    enum net_batch what)
{
	if (node->ops->role != role)
		return false;
	switch (what) {
	case NET_BATCH_START: return !node->running;
	case NET_BATCH_PREPARE: return node->ops->prepare != NULL;
	case NET_BATCH_STOP: return node->running;
	}
	return false;
}

/* Calls the kind's start, prepare or stop once per kind of 'role' with all
 * its nodes that the step takes, kinds in order of first appearance:
 * kinds batch their work (one OVSDB transaction, concurrent containers). */
static int net_batch(struct net *net, enum node_role role, enum net_batch what,
		     struct emu_err *err)
{
	struct node **batch = xcalloc(net->n_nodes, sizeof(*batch));
	const struct node_ops *done[16];
	size_t n_done = 0;
	int ret = 0;

	for (size_t i = 0; i < net->n_nodes && !ret; i++) {
		const struct node_ops *ops = net->nodes[i]->ops;
		size_t n = 0, k;

		if (!net_batch_takes(net->nodes[i], role, what))
			continue;
		for (k = 0; k < n_done && done[k] != ops; k++)
			;
		if (k < n_done || n_done == ARRAY_SIZE(done))
			continue;
		done[n_done++] = ops;
		for (size_t j = i; j < net->n_nodes; j++)
			if (net->nodes[j]->ops == ops &&
			    net_batch_takes(net->nodes[j], role, what))
				batch[n++] = net->nodes[j];
		switch (what) {
		case NET_BATCH_START:
			ret = ops->start(batch, n, err);
			break;
		case NET_BATCH_PREPARE:
			ret = ops->prepare(batch, n, err);
			break;
		case NET_BATCH_STOP:
			for (size_t j = 0; j < n; j++)
				node_kill_background(batch[j]);
			ops->stop(batch, n);
			for (size_t j = 0; j < n; j++)
				batch[j]->running = false;
			break;
		}
	}
	free(batch);
	return ret;
}

static int net_start_role(struct net *net, enum node_role role,
			  struct emu_err *err)
{
	return net_batch(net, role, NET_BATCH_START, err);
}

static int net_prepare_switches(struct net *net, struct emu_err *err)
{
	return net_batch(net, NODE_SWITCH, NET_BATCH_PREPARE, err);
}

static void net_stop_role(struct net *net, enum node_role role)
{
	net_batch(net, role, NET_BATCH_STOP, NULL);
}

/* Mininet's defaultRoute: "via GW", "dev IFNAME" or a bare gateway (an
 * interface of the node's name means "dev").  Replaces one there. */
static int net_add_default_route(struct nlsock *nl, struct node *node,
				 struct emu_err *err)
{
	const char *r = node->default_route;
	int ret;

	if (node_find_intf(node, r))
		ret = nlsock_replace_route(nl, "default", NULL, r, err);
	else if (str_starts_with(r, "dev "))
		ret = nlsock_replace_route(nl, "default", NULL, r + 4, err);
	else
		ret = nlsock_replace_route(nl, "default",
					   str_starts_with(r, "via ") ? r + 4
								       : r,
					   NULL, err);
	node->routed = !ret;
	return ret;
}

int net_set_default_route(struct net *net, struct node *node,
			  const char *route, struct emu_err *err)
{
	struct nlsock *nl;
	int ret;

	free(node->default_route);
	node->default_route = xstrdup(route);
	node->routed = false;
	if (!net->started || !node->running || node->nsfd < 0)
		return 0;	/* at start, once its interfaces are up */
	nl = nlsock_open(node->nsfd, err);
	if (!nl)
		return err ? err->code : -EIO;
	ret = net_add_default_route(nl, node, err);
	nlsock_close(nl);
	if (ret)
		emu_err_prefix(err, "'%s': ", node->name);
	return ret;
}

static int net_config_node(struct net *net, struct node *node,
			   struct emu_err *err)
{
	struct nlsock *nl = net->root_nl;
	int ret = 0;

	if (node->nsfd >= 0) {
		nl = nlsock_open(node->nsfd, err);
		if (!nl)
			return err ? err->code : -EIO;
	}
	bool configured = false;

	for (size_t i = 0; i < node->n_intfs && !ret; i++) {
		struct node_intf *intf = node->intfs[i];

		if (!intf->link || !link_is_made(intf->link))
			continue;
		ret = link_config_intf(nl, intf, err);
		configured = true;
	}
	if (!ret && configured && node->default_route && !node->routed)
		ret = net_add_default_route(nl, node, err);
	if (nl != net->root_nl)
		nlsock_close(nl);
	if (ret)
		emu_err_prefix(err, "'%s': ", node->name);
	return ret;
}

/* Lets a node's own command run once its interfaces are up. */
static int net_ready(struct node *node, struct emu_err *err)
{
	if (node->readied || !node->ops->ready)
		return 0;
	node->readied = true;
	return node->ops->ready(node, err);
}

/* Makes 'link' real on a running net: pair, addresses, shaping, ports. */
static int net_make_link(struct net *net, struct link *link,
			 struct emu_err *err)
{
	struct node_intf *ends[2] = { link_intf1(link), link_intf2(link) };
	int ret;

	for (int i = 0; i < 2; i++)
		if (!ends[i]->node->running)
			return emu_err_set(err, -ENETDOWN,
					   "cannot link '%s': it is not "
					   "running",
					   ends[i]->node->name);
	ret = link_make(link, net->root_nl, err);
	for (int i = 0; i < 2 && !ret; i++) {
		struct node *node = ends[i]->node;

		ret = net_config_node(net, node, err);
		if (!ret && node_role(node) == NODE_SWITCH && node->ops->attach)
			ret = node->ops->attach(node, ends[i], err);
	}
	if (!ret)
		ret = net_shape_link(net, link, err);
	for (int i = 0; i < 2 && !ret; i++)
		ret = net_ready(ends[i]->node, err);
	return ret;
}

static int net_start_node(struct net *net, struct node *node,
			  struct emu_err *err)
{
	struct node *one[1] = { node };
	int ret;

	(void)net;
	/* A container's own command waits for its first link (net_ready). */
	ret = node->ops->prepare ? node->ops->prepare(one, 1, err) : 0;
	if (!ret)
		ret = node->ops->start(one, 1, err);
	return ret;
}

/* The first interface of 'node' with an address, or NULL. */
static struct node_intf *net_first_addressed(const struct node *node)
{
	for (size_t i = 0; i < node->n_intfs; i++)
		if (node->intfs[i]->ip[0] && node->intfs[i]->link &&
		    link_is_made(node->intfs[i]->link))
			return node->intfs[i];
	return NULL;
}

/* The address and MAC of a host's first addressed interface. */
struct net_arp_entry {
	struct node_intf *intf;
	char ip[64], mac[18];
};

/* Mininet's --arp: every host gets a permanent ARP entry for every other
 * host's first address, so that no ARP crosses the network. */
static int net_static_arp(struct net *net, struct emu_err *err)
{
	struct net_arp_entry *e = xcalloc(net->n_nodes, sizeof(*e));
	int ret = 0;

	for (size_t i = 0; i < net->n_nodes; i++) {
		struct node *h = net->nodes[i];

		e[i].intf = node_role(h) == NODE_HOST ? net_first_addressed(h)
						      : NULL;
		if (!e[i].intf ||
		    !net_intf_mac(e[i].intf, e[i].mac, sizeof(e[i].mac))) {
			e[i].intf = NULL;
			continue;
		}
		snprintf(e[i].ip, sizeof(e[i].ip), "%.*s",
			 (int)strcspn(e[i].intf->ip, "/"), e[i].intf->ip);
	}
	for (size_t i = 0; i < net->n_nodes && !ret; i++) {
		struct nlsock *nl;

		if (!e[i].intf || net->nodes[i]->nsfd < 0)
			continue;
		nl = nlsock_open(net->nodes[i]->nsfd, err);
		if (!nl) {
			ret = err ? err->code : -EIO;
			break;
		}
		for (size_t j = 0; j < net->n_nodes && !ret; j++)
			if (j != i && e[j].intf)
				ret = nlsock_add_neigh(nl, e[i].intf->name,
						       e[j].ip, e[j].mac, err);
		nlsock_close(nl);
	}
	free(e);
	return ret;
}

static size_t net_count_role(const struct net *net, enum node_role role)
{
	size_t n = 0;

	for (size_t i = 0; i < net->n_nodes; i++)
		n += node_role(net->nodes[i]) == role;
	return n;
}

static int net_shape_link(struct net *net, struct link *link,
			  struct emu_err *err)
{
	(void)net;
	return link_shape(link, err);
}

static const char *const net_neigh_files[2] = {
	"/proc/sys/net/ipv4/neigh/default/gc_thresh2",
	"/proc/sys/net/ipv4/neigh/default/gc_thresh3",
};

/* The kernel's ARP table is one for all namespaces, capped at gc_thresh3
 * entries (1024 by default): a pingall among N hosts needs about N*N.
 * Raise the caps for the run when they are too low; the machine's values
 * come back when the last run relying on them is gone (run_close()). */
static void net_raise_neigh_limits(struct net *net)
{
	long hosts = (long)net_count_role(net, NODE_HOST);
	long want = 2 * hosts * hosts;

	if (want > 1L << 18)
		want = 1L << 18;
	for (int i = 0; i < 2; i++) {
		long before = run_raise_sysctl(net->run, net_neigh_files[i],
					       want);

		if (before > 0)
			log_info("*** Raised %s from %ld to %ld for %ld hosts",
				 strrchr(net_neigh_files[i], '/') + 1, before,
				 want, hosts);
	}
}

static void net_say_machine(struct net *net)
{
	bool ovs = false;

	for (size_t i = 0; i < net->n_nodes && !ovs; i++)
		ovs = node_has_caps(net->nodes[i], NODE_KIND_OVS);
	log_info("*** cnemu %s: %s", net_run_tag(net),
		 ovs ? (net->ctx.ovs_userspace ? "OVS userspace datapath (no "
					 "openvswitch kernel module)"
				       : "OVS kernel datapath")
		     : "Linux bridges");
	log_info("*** Lab %s (cnemu stop %s)", run_name(net->run),
		 run_name(net->run));
}

static void net_print_names(struct net *net, enum node_role role,
			    const char *what)
{
	size_t len = 0, cap = 256;
	char *line = xmalloc(cap);

	line[0] = '\0';
	for (size_t i = 0; i < net->n_nodes; i++) {
		const char *name = net->nodes[i]->name;

		if (node_role(net->nodes[i]) != role)
			continue;
		while (len + strlen(name) + 2 > cap)
			line = xrealloc(line, cap *= 2);
		len += (size_t)sprintf(line + len, "%s ", name);
	}
	log_info("*** Adding %s:\n%s", what, line);
	free(line);
}

/* The Net of this process that holds the run lock: a script may make
 * several Nets, one runs at a time. */
static const struct net *net_lock_holder;

/* Gives the run lock back. */
static void net_close_run(struct net *net)
{
	run_close(net->run);
	net->run = NULL;
	net->ctx.run_dir = NULL;
	if (net_lock_holder == net)
		net_lock_holder = NULL;
}

/* Takes the machine-wide run lock and opens the root socket, once a Net
 * is about to touch the machine; given back at stop. */
static int net_open_run(struct net *net, struct emu_err *err)
{
	if (!net->run && net_lock_holder)
		return emu_err_set(err, -EBUSY,
				   "another Net of this script is running: "
				   "stop it first (one Net runs at a time, "
				   "their interface names would clash)");
	if (!net->run) {
		net->run = run_open(err);
		if (!net->run)
			return err ? err->code : -EBUSY;
		if (strcmp(run_tag(net->run), net->tag)) {
			net_close_run(net);
			return emu_err_set(err, -EINVAL,
					   "the net of run '%s' cannot start "
					   "in another process",
					   net->tag);
		}
		net_lock_holder = net;
		net->ctx.run_dir = run_dir(net->run);
	}
	if (!net->root_nl) {
		net->root_nl = nlsock_open(-1, err);
		if (!net->root_nl)
			return err ? err->code : -EIO;
	}
	return 0;
}

/* What net_wait_connected() waits for at one controller. */
struct net_ctl_wait {
	struct node *ctl;
	uint64_t *dpids;		/* its running switches, sorted */
	size_t n, ready;		/* how many; the most ready so far */
};

static int net_cmp_dpid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Fills 'w' with the running switches under controller 'c'; false when
 * it has none. */
static bool net_ctl_wait_init(const struct net *net, struct node *c,
			      struct net_ctl_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->ctl = c;
	w->dpids = xcalloc(net->n_sw_info + 1, sizeof(*w->dpids));
	for (size_t i = 0; i < net->n_sw_info; i++)
		if (net_switch_under(&net->sw_info[i], c) &&
		    net->sw_info[i].node->running)
			w->dpids[w->n++] = net->sw_info[i].dpid;
	qsort(w->dpids, w->n, sizeof(*w->dpids), net_cmp_dpid);
	return w->n > 0;
}

static void net_warn_not_connected(const struct net_ctl_wait *w,
				   unsigned long long waited_us)
{
	const char *target = controller_address(w->ctl);

	if (!w->ready)
		log_warn("controller '%s' (%s) does not answer: its %zu "
			 "switch%s forward%s nothing until it does (waited "
			 "%.1f s)",
			 w->ctl->name, target, w->n, w->n == 1 ? "" : "es",
			 w->n == 1 ? "s" : "", waited_us / 1e6);
	else
		log_warn("controller '%s' (%s): %zu of its %zu switches are "
			 "not ready after %.1f s",
			 w->ctl->name, target, w->n - w->ready, w->n,
			 waited_us / 1e6);
}

bool net_wait_connected(struct net *net, int timeout_ms)
{
	struct net_ctl_wait *waits;
	unsigned long long start = now_us(), deadline;
	size_t n = 0, left;
	bool ok = true;

	if (!net->started)
		return false;
	waits = xcalloc(net->n_nodes + 1, sizeof(*waits));
	for (size_t i = 0; i < net->n_nodes; i++) {
		struct node *c = net->nodes[i];

		if (node_role(c) != NODE_CONTROLLER || !c->running ||
		    !controller_target(c))
			continue;
		if (net_ctl_wait_init(net, c, &waits[n]))
			n++;
		else
			free(waits[n].dpids);
	}
	deadline = start + (timeout_ms < 0 ? NET_CONNECT_IDLE_MS
					   : timeout_ms) * 1000ULL;
	for (left = n; left;) {
		bool progress = false;

		left = 0;
		for (size_t i = 0; i < n; i++) {
			struct net_ctl_wait *w = &waits[i];
			size_t r;

			if (w->ready == w->n)
				continue;
			r = controller_count_ready(w->ctl, w->dpids, w->n);
			if (r > w->ready) {
				w->ready = r;
				progress = true;
			}
			left += w->ready < w->n;
		}
		if (!left)
			break;
		if (progress && timeout_ms < 0)
			deadline = now_us() + NET_CONNECT_IDLE_MS * 1000ULL;
		if (now_us() >= deadline)
			break;
		usleep(2000);
	}
	for (size_t i = 0; i < n; i++) {
		if (waits[i].ready < waits[i].n) {
			net_warn_not_connected(&waits[i], now_us() - start);
			ok = false;
		}
		free(waits[i].dpids);
	}
	free(waits);
	log_dbg("switches %s after %.3f s", ok ? "ready" : "not all ready",
		(now_us() - start) / 1e6);
	return ok;
}

/* True when a run that died left something behind: its directory or a
 * namespace "<tag>-*" whose run holds no lock (also one with this
 * process's tag, from a dead run of the same pid, once ours are gone). */
static bool net_dead_run_left_some(void)
{
	static const char *const dirs[] = { RUN_DIR, "/run/netns" };
	bool found = false;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !found; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		char tag[32];

		while (d && !found && (e = readdir(d)))
			found = run_tag_of(e->d_name, '-', tag, sizeof(tag)) &&
				run_is_dead(tag);
		if (d)
			closedir(d);
	}
	return found;
}

/* Refuses, in one line, a lab that the machine cannot fit
 * (emu/guard.h). */
static int net_guard(struct net *net, struct emu_err *err)
{
	struct guard_needs n = { .links = net->n_links };
	struct guard_have have;

	for (size_t i = 0; i < net->n_nodes; i++) {
		const struct node *node = net->nodes[i];

		switch (node_role(node)) {
		case NODE_HOST:
			if (node_has_caps(node, NODE_KIND_CONTAINER))
				n.containers++;
			else
				n.hosts++;
			break;
		case NODE_SWITCH:
			n.switches++;
			n.ovs |= node_has_caps(node, NODE_KIND_OVS);
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < net->n_links; i++)
		n.impaired_links +=
			shaping_has_impairment(link_shaping(net->links[i], 0)) ||
			shaping_has_impairment(link_shaping(net->links[i], 1));
	if (guard_read_machine(&have))
		return 0;	/* nothing to judge by */
	return guard_check(run_name(net->run), &n, &have, err);
}

int net_start(struct net *net, struct emu_err *err)
{
	unsigned long long t = now_us();
	int ret;

	if (net->started)
		return 0;
	ret = net_open_run(net, err);
	if (!ret)
		ret = net_guard(net, err);
	if (ret) {
		net_close_run(net);
		return ret;
	}
	ret = net_prepare_controllers(net, err);
	if (ret)
		return ret;
	log_phase(&t, "run lock and controller set-up");
	net_say_machine(net);
	log_info("*** Creating network");
	net_print_names(net, NODE_HOST, "hosts");
	net_print_names(net, NODE_SWITCH, "switches");
	net->started = true;	/* from here on, failures roll back */
	net_raise_neigh_limits(net);
	log_progress_begin("Starting hosts", net_count_role(net, NODE_HOST));
	ret = net_start_role(net, NODE_HOST, err);
	log_progress_end();
	log_phase(&t, "hosts (namespaces, containers)");
	if (!ret)
		ret = net_prepare_switches(net, err);
	log_phase(&t, "switches (bridges)");
	log_progress_begin("Making links", net->n_links);
	for (size_t i = 0; i < net->n_links && !ret; i++) {
		ret = link_make(net->links[i], net->root_nl, err);
		log_progress_step(1);
	}
	log_progress_end();
	log_phase(&t, "links (veths)");
	log_info("*** Configuring hosts");
	log_progress_begin("Configuring nodes", net->n_nodes);
	for (size_t i = 0; i < net->n_nodes && !ret; i++) {
		ret = net_config_node(net, net->nodes[i], err);
		log_progress_step(1);
	}
	log_progress_end();
	log_phase(&t, "addresses, routes, links up");
	for (size_t i = 0; i < net->n_links && !ret; i++)
		ret = net_shape_link(net, net->links[i], err);
	log_phase(&t, "shaping");
	/* Controllers once the hosts' interfaces have their MACs (the
	 * topology file names them), before any switch connects. */
	if (!ret)
		ret = net_start_role(net, NODE_CONTROLLER, err);
	log_phase(&t, "controllers");
	if (!ret) {
		log_info("*** Starting %zu switches", net_count_role(net,
						NODE_SWITCH));
		ret = net_start_role(net, NODE_SWITCH, err);
	}
	log_phase(&t, "switch ports");
	if (!ret && net->auto_arp)
		ret = net_static_arp(net, err);
	log_phase(&t, "static ARP");
	for (size_t i = 0; i < net->n_nodes && !ret; i++)
		ret = net_ready(net->nodes[i], err);
	log_phase(&t, "node commands");
	if (ret) {
		net_stop(net);
		if (ret == -EEXIST && net_dead_run_left_some())
			emu_err_suffix(err, ": a dead run left it: run cnemu "
					    "-c");
		return ret;
	}
	/* Traffic only once the switches forward it (a controller that
	 * never answers is said, and the net runs anyway). */
	net_wait_connected(net, -1);
	log_phase(&t, "controllers connected");
	run_note_nodes(net->run, (long)net->n_nodes);	/* for cnemu list */
	return 0;
}

void net_stop(struct net *net)
{
	unsigned long long t = now_us();
	struct emu_err err = { 0 };

	if (!net->started)
		return;
	net->ctx.stopping = true;
	link_engine_stop(&net->engine);
	log_phase(&t, "link engine");
	log_info("*** Stopping %zu switches", net_count_role(net,
							    NODE_SWITCH));
	net_stop_role(net, NODE_SWITCH);
	net_stop_vswitch(net);
	log_phase(&t, "switches");
	/* Every veth end in the root namespace is in the run's interface
	 * group: one request removes them all (and their peers) in one batch
	 * of the kernel, where deleting them one by one waits for the kernel
	 * each time.  The rest goes with the namespaces, batched too. */
	if (nlsock_del_group(net->root_nl, net->group, &err))
		log_warn("%s", err.msg);
	log_phase(&t, "links (veth group)");
	log_info("*** Stopping %zu hosts", net_count_role(net, NODE_HOST));
	log_progress_begin("Stopping hosts", net_count_role(net, NODE_HOST));
	net_stop_role(net, NODE_HOST);
	log_progress_end();
	log_phase(&t, "hosts (processes, namespaces)");
	for (size_t i = 0; i < net->n_links; i++)
		link_forget(net->links[i]);
	switch_ns_remove(net->ctx.switch_ns, net->nodes, net->n_nodes);
	link_engine_release(&net->engine);
	log_phase(&t, "switch namespace");
	net_stop_role(net, NODE_CONTROLLER);
	net->started = net->ctx.stopping = false;
	/* Nothing of the run is left on the machine: another may start. */
	net_close_run(net);
	log_phase(&t, "controllers, run lock");
	log_info("*** Done");
}

void net_destroy(struct net *net)
{
	if (!net)
		return;
	net_stop(net);
	for (size_t i = 0; i < net->n_links; i++)
		link_destroy(net->links[i]);
	for (size_t i = 0; i < net->n_nodes; i++)
		node_destroy(net->nodes[i]);
	free(net->links);
	free(net->nodes);
	topo_index_release(&net->node_names);
	net_stop_vswitch(net);
	nlsock_close(net->root_nl);
	net_close_run(net);
	free(net->alias);
	switch_ns_destroy(net->ctx.switch_ns);
	for (size_t i = 0; i < net->n_sw_info; i++)
		free(net->sw_info[i].controller);
	free(net->sw_info);
	free(net->ctl_targets);
	free(net->controller_spec);
	free(net->host_buf);
	free(net);
}

static int net_check_switch(const struct net *net, const struct node *sw,
			    struct emu_err *err)
{
	if (node_role(sw) != NODE_SWITCH)
		return emu_err_set(err, -EINVAL, "'%s' is not a switch",
				   sw->name);
	if (!net->started)
		return emu_err_set(err, -ENETDOWN,
				   "the network is not started");
	return 0;
}

int net_start_switch(struct net *net, struct node *sw, struct emu_err *err)
{
	int ret = net_check_switch(net, sw, err);

	if (ret || sw->running)
		return ret;
	return net_start_node(net, sw, err);
}

int net_stop_switch(struct net *net, struct node *sw, struct emu_err *err)
{
	int ret = net_check_switch(net, sw, err);

	if (ret || !sw->running)
		return ret;
	node_kill_background(sw);
	sw->ops->stop(&sw, 1);
	sw->running = false;
	return 0;
}

/* ---- runtime removal and interface settings ------------------------- */

/* Forgets the switch 'node' in the controllers' table. */
static void net_forget_switch(struct net *net, const struct node *node)
{
	for (size_t i = 0; i < net->n_sw_info; i++) {
		if (net->sw_info[i].node != node)
			continue;
		free(net->sw_info[i].controller);
		memmove(&net->sw_info[i], &net->sw_info[i + 1],
			(net->n_sw_info - i - 1) * sizeof(*net->sw_info));
		net->n_sw_info--;
		return;
	}
}

/* Removes 'link' without telling the controllers. */
static int net_drop_link(struct net *net, struct link *link,
			 struct emu_err *err)
{
	struct node_intf *ends[2] = { link_intf1(link), link_intf2(link) };
	size_t i;

	for (i = 0; i < net->n_links && net->links[i] != link; i++)
		;
	if (i == net->n_links)
		return emu_err_set(err, -ENOENT,
				   "the link is not in the network");
	for (int e = 0; e < 2 && link_is_made(link); e++) {
		struct node *node = ends[e]->node;
		struct emu_err derr = { 0 };

		if (node_role(node) != NODE_SWITCH || !node->running ||
		    !node->ops->detach)
			continue;
		if (node->ops->detach(node, ends[e], &derr))
			log_warn("%s", derr.msg);
	}
	memmove(&net->links[i], &net->links[i + 1],
		(net->n_links - i - 1) * sizeof(*net->links));
	net->n_links--;
	link_destroy(link);
	node_remove_intf(ends[0]->node, ends[0]);
	node_remove_intf(ends[1]->node, ends[1]);
	return 0;
}

int net_remove_link(struct net *net, struct link *link, struct emu_err *err)
{
	bool switches = node_role(link_intf1(link)->node) == NODE_SWITCH &&
			node_role(link_intf2(link)->node) == NODE_SWITCH;
	int ret = net_drop_link(net, link, err);

	if (!ret && switches && net->started)
		ret = net_update_controllers(net, err);
	return ret;
}

int net_remove_node(struct net *net, struct node *node, struct emu_err *err)
{
	bool is_switch = node_role(node) == NODE_SWITCH;
	size_t i;

	for (i = 0; i < net->n_nodes && net->nodes[i] != node; i++)
		;
	if (i == net->n_nodes)
		return emu_err_set(err, -ENOENT, "'%s' is not in the network",
				   node->name);
	/* Backwards: removing link j moves only the links after it. */
	for (size_t j = net->n_links; j-- > 0;) {
		struct link *link = net->links[j];

		if (link_intf1(link)->node == node ||
		    link_intf2(link)->node == node)
			net_drop_link(net, link, NULL);
	}
	memmove(&net->nodes[i], &net->nodes[i + 1],
		(net->n_nodes - i - 1) * sizeof(*net->nodes));
	net->n_nodes--;
	topo_index_remove(&net->node_names, node->name);
	if (is_switch)
		net_forget_switch(net, node);
	node_destroy(node);	/* stops it first when it runs */
	if (is_switch && net->started)
		return net_update_controllers(net, err);
	return 0;
}

static bool net_link_joins(const struct link *link, const struct node *a,
			   const struct node *b)
{
	const struct node *x = link_intf1(link)->node;
	const struct node *y = link_intf2(link)->node;

	return (x == a && y == b) || (x == b && y == a);
}

struct link **net_links_between(const struct net *net, const struct node *a,
				const struct node *b, size_t *n)
{
	struct link **found = xcalloc(net->n_links + 1, sizeof(*found));

	*n = 0;
	for (size_t i = 0; i < net->n_links; i++)
		if (net_link_joins(net->links[i], a, b))
			found[(*n)++] = net->links[i];
	return found;
}

int net_set_link_up(struct net *net, struct node *a, struct node *b,
		    bool up, struct emu_err *err)
{
	size_t found = 0;
	int ret = 0;

	if (!net->started)
		return emu_err_set(err, -ENETDOWN,
				   "the network is not started");
	for (size_t i = 0; i < net->n_links && !ret; i++) {
		if (!net_link_joins(net->links[i], a, b))
			continue;
		found++;
		ret = link_set_up(net->links[i], up, err);
	}
	if (!found)
		return emu_err_set(err, -ENOENT,
				   "'%s' and '%s' are not connected", a->name,
				   b->name);
	return ret;
}

int net_set_link_shaping(struct net *net, struct link *link,
			 const struct shaping *shaping1,
			 const struct shaping *shaping2, struct emu_err *err)
{
	size_t i;

	for (i = 0; i < net->n_links && net->links[i] != link; i++)
		;
	if (i == net->n_links)
		return emu_err_set(err, -ENOENT,
				   "the link is not in this network");
	return link_set_shaping(link, shaping1, shaping2, err);
}

/* The interface 'name' of 'node' (NULL: its first one, or NULL when it
 * has none yet); -ENOENT with 'err' set when it has no such one. */
static int net_node_intf(struct node *node, const char *name,
			 struct node_intf **intf, struct emu_err *err)
{
	*intf = name ? node_find_intf(node, name)
		     : node->n_intfs ? node->intfs[0] : NULL;
	if (name && !*intf)
		return emu_err_set(err, -ENOENT, "'%s' has no interface '%s'",
				   node->name, name);
	return 0;
}

/* Opens a route socket in the namespace of 'node' (the root socket for
 * switch ports in the root namespace: not to be closed). */
static struct nlsock *net_node_nl(struct net *net, struct node *node,
				  struct emu_err *err)
{
	return node->nsfd >= 0 ? nlsock_open(node->nsfd, err) : net->root_nl;
}

int net_set_ip(struct net *net, struct node *node, const char *intf_name,
	       const char *ip, struct emu_err *err)
{
	struct node_intf *intf;
	struct nlsock *nl;
	uint32_t addr;
	char *cidr;
	int ret;

	if (net_node_intf(node, intf_name, &intf, err) ||
	    plan_parse_host_ip(ip, net->ipbase.prefix, &addr, err))
		return err ? err->code : -EINVAL;
	cidr = strchr(ip, '/') ? xstrdup(ip)
			       : xasprintf("%s/%u", ip, net->ipbase.prefix);
	if (!intf) {
		/* No interface yet: the first link's gets it. */
		free(node->default_ip);
		node->default_ip = cidr;
		return 0;
	}
	ret = 0;
	if (intf->link && link_is_made(intf->link)) {
		nl = net_node_nl(net, node, err);
		if (!nl) {
			free(cidr);
			return err ? err->code : -EIO;
		}
		ret = nlsock_flush_addr4(nl, intf->name, err);
		if (!ret)
			ret = nlsock_add_addr(nl, intf->name, cidr, err);
		if (nl != net->root_nl)
			nlsock_close(nl);
	}
	if (!ret)
		snprintf(intf->ip, sizeof(intf->ip), "%s", cidr);
	free(cidr);
	return ret;
}

int net_set_mac(struct net *net, struct node *node, const char *intf_name,
		const char *mac, struct emu_err *err)
{
	struct node_intf *intf;
	struct nlsock *nl;
	uint8_t b[6];
	int ret = 0;

	if (net_node_intf(node, intf_name, &intf, err) ||
	    plan_parse_mac(mac, b, err))
		return err ? err->code : -EINVAL;
	if (!intf) {
		free(node->default_mac);
		node->default_mac = xstrdup(mac);
		return 0;
	}
	if (intf->link && link_is_made(intf->link)) {
		nl = net_node_nl(net, node, err);
		if (!nl)
			return err ? err->code : -EIO;
		ret = nlsock_set_mac(nl, intf->name, mac, err);
		if (nl != net->root_nl)
			nlsock_close(nl);
	}
	if (!ret)
		snprintf(intf->mac, sizeof(intf->mac), "%s", mac);
	return ret;
}

const char *net_intf_mac(const struct node_intf *intf, char *buf,
			 size_t size)
{
	struct ifreq ifr = { 0 };
	int nsfd, sock;
	unsigned char *m;

	if (intf->mac[0]) {
		snprintf(buf, size, "%s", intf->mac);
		return buf;
	}
	if (!intf->link || !link_is_made(intf->link))
		return NULL;
	/* A socket answers ioctls in the namespace it was made in. */
	nsfd = node_open_ns(intf->node, "net");
	sock = netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0, NULL);
	if (nsfd >= 0)
		close(nsfd);
	if (sock < 0)
		return NULL;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", intf->name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0) {
		close(sock);
		return NULL;
	}
	close(sock);
	m = (unsigned char *)ifr.ifr_hwaddr.sa_data;
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}
