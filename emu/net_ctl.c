#include "emu/net_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "link/veth.h"
#include "node/controller.h"
#include "topo/graph.h"

EMU_LOG_MODULE(net);

/* Where dpids of switches named with 0 ("s0") start: 02:00:00:00:00:00,
 * a locally administered MAC as OVS would take. */
#define NET_DPID_LOCAL 0x020000000000ULL

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
const char *const *net_switch_targets(void *owner, const struct node *sw)
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

/* True when switch 'info' takes its flows from the controller named
 * 'controller' (NULL: from any). */
static bool net_switch_under(const struct net_switch_info *info,
			     const char *controller)
{
	return info->managed && (!info->controller || !controller ||
				 !strcmp(info->controller, controller));
}

/* The graph of the OVS switches under 'controller' (NULL: under any)
 * with their dpids, the links between them with their port numbers
 * ('down' those set down when 'with_state'), the hosts on them with
 * their MACs (given, else their interface's once the link is made).
 * What cannot go in is left out with a warning. */
static struct topo_graph *net_graph_under(const struct net *net,
					  const char *controller,
					  bool with_state)
{
	const char *who = controller ? controller : "the run";
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
				 info->node->name, who, skip.msg);
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
			if (!ret && with_state && !(a->up && b->up))
				ret = topo_graph_set_link_off(g, ia->dpid,
							      a->port, true,
							      &skip);
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
				 a->node->name, b->node->name, who, skip.msg);
	}
	return g;
}

struct topo_graph *net_topology(const struct net *net)
{
	return net_graph_under(net, NULL, true);
}

int net_set_controller_topology(struct net *net, const char *text,
				struct emu_err *err)
{
	struct topo_graph *g = NULL;
	int ret;

	if (text) {
		g = topo_graph_create();
		ret = topo_graph_parse(g, text, err);
		if (ret) {
			topo_graph_destroy(g);
			emu_err_prefix(err, "controller topology: ");
			return ret;
		}
	}
	topo_graph_destroy(net->ctl_topology);
	net->ctl_topology = g;
	return net->started ? net_update_controllers(net, err) : 0;
}

/* Writes the topology file of the builtin controller 'controller' (topo
 * mode) to 'path': the one net_set_controller_topology() gave, else
 * net_graph_under() of it.  Node kinds ask through their context
 * (node_ctx.write_topology). */
int net_write_topology(void *owner, const struct node *controller,
			      const char *path, struct emu_err *err)
{
	struct net *net = owner;
	struct topo_graph *g;
	int ret;

	if (net->ctl_topology)
		return topo_graph_save(net->ctl_topology, path, err);
	g = net_graph_under(net, controller->name, false);
	ret = topo_graph_save(g, path, err);
	topo_graph_destroy(g);
	return ret;
}

/* Rewrites the topology files of the running controllers and tells them
 * (after links or switches were added at runtime). */
int net_update_controllers(struct net *net, struct emu_err *err)
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

/* True when the controller kind 'kind' (NULL: the default) stands for no
 * controller ("none"). */
bool net_kind_absent(const char *kind)
{
	const struct node_kind *k = node_kind_find(NODE_CONTROLLER, kind);

	return k && (k->caps & NODE_KIND_ABSENT);
}

/* Before start: without any controller, adds "c0" as --controller says
 * or, when OVS switches need one, the builtin one (Mininet's users expect
 * a controller); checks that switches name controllers that exist. */
int net_prepare_controllers(struct net *net, struct emu_err *err)
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
int net_default_dpid(const struct net *net, const char *name,
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
		if (net_switch_under(&net->sw_info[i], c->name) &&
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

/* ---- runtime removal and interface settings ------------------------- */

/* Forgets the switch 'node' in the controllers' table. */
void net_forget_switch(struct net *net, const struct node *node)
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

void net_note_switch(struct net *net, struct node *node, uint64_t dpid,
		     const char *controller, bool managed)
{
	xgrow((void **)&net->sw_info, &net->cap_sw_info, net->n_sw_info + 1,
	      sizeof(*net->sw_info));
	net->sw_info[net->n_sw_info++] = (struct net_switch_info){
		.node = node,
		.dpid = dpid,
		.controller = xstrdup(controller),
		.managed = managed,
	};
}

