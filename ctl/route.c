/* The topo mode: forwarding from the topology file.
 *
 * The switch graph (topo/graph.c) gives shortest paths between switches
 * and a spanning tree.  Every switch gets, proactively:
 *   priority 20  dl_dst=<host>                 -> the next port to it
 *   priority 10  in_port=<p>,dl_dst=ff:..:ff   -> host and tree ports
 *                                                 (+ controller on host
 *                                                 ports, to learn)
 *   priority  0  table miss                    -> controller
 * Hosts are learned from packets entering on host ports (ports in no
 * switch-to-switch link) or read from 'host' lines of the file.  Unknown
 * unicast and other multicast come to the controller and leave along the
 * tree, so loops (rings, tori) never carry a packet twice.  A link that
 * goes down or comes up, a switch that goes or comes back, or a new
 * topology file (SIGHUP) recomputes paths and tree and reinstalls the
 * flows of every switch, once for changes that come together. */
#include "ctl/ofc.h"

#include <inttypes.h>
#include <string.h>

#include "hash.h"
#include "openflow/openflow.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

#include "base/err.h"
#include "base/log.h"
#include "topo/graph.h"

EMU_LOG_MODULE(ctl);

#define ROUTE_PRIO_HOST 20
#define ROUTE_PRIO_FLOOD 10
/* Changes within this many ms make one recomputation (a bridge that goes
 * away takes all its links at once). */
#define ROUTE_SETTLE_MS 10

struct route_host {
	struct hmap_node node;		/* in route's 'hosts' */
	uint64_t mac;
	uint8_t bytes[6];
	uint64_t dpid;			/* where it sits */
	int port;
};

struct route {
	struct topo_graph *graph;	/* owned; never NULL */
	struct hmap hosts;
	bool dirty;			/* recompute and reinstall due */
	long long int due_ms;		/* time_msec() when */
};

static struct route *route_of(struct ofc *ofc)
{
	return ofc->mode_data;
}

static struct route_host *route_lookup(struct route *r, uint64_t mac)
{
	struct route_host *h;

	HMAP_FOR_EACH_WITH_HASH (h, node, hash_uint64(mac), &r->hosts)
		if (h->mac == mac)
			return h;
	return NULL;
}

/* The port through which 'sw' reaches 'h'; <= 0 when it cannot. */
static int route_port_to(struct route *r, struct ofc_switch *sw,
			 const struct route_host *h)
{
	if (h->dpid == sw->dpid)
		return h->port;
	return topo_graph_next_port(r->graph, sw->dpid, h->dpid);
}

static void route_host_match(const struct route_host *h, struct match *m)
{
	struct eth_addr ea;

	memcpy(ea.ea, h->bytes, 6);
	match_init_catchall(m);
	match_set_dl_dst(m, ea);
}

/* Installs (or removes, when unreachable) the path to 'h' on 'sw'. */
static void route_install_host(struct route *r, struct ofc_switch *sw,
			       const struct route_host *h)
{
	int port = route_port_to(r, sw, h);
	struct match m;

	route_host_match(h, &m);
	if (port > 0)
		ofc_switch_add_flow(sw, &m, ROUTE_PRIO_HOST, OFC_COOKIE_HOST,
				    &port, 1, false, 0, UINT32_MAX);
	else
		ofc_switch_del_flows(sw, &m, 0);
}

static void route_install_host_everywhere(struct ofc *ofc,
					  const struct route_host *h)
{
	for (size_t i = 0; i < ofc->n_switches; i++)
		if (ofc->switches[i]->state == OFC_SW_READY)
			route_install_host(route_of(ofc), ofc->switches[i], h);
}

/* The flood ports of 'sw' for a broadcast entering at 'in_port' (0: from
 * the controller) into 'out' (room for sw->n_ports). */
static size_t route_flood_ports(struct route *r, struct ofc_switch *sw,
				int in_port, int *out)
{
	int *ports = xmalloc((sw->n_ports + 1) * sizeof(*ports));
	size_t n = ofc_switch_port_numbers(sw, ports, false);

	n = topo_graph_flood_ports(r->graph, sw->dpid, ports, n, in_port,
				   out);
	free(ports);
	return n;
}

static void route_install_flood(struct route *r, struct ofc_switch *sw)
{
	int *out = xmalloc((sw->n_ports + 1) * sizeof(*out));
	struct eth_addr bcast;

	memset(bcast.ea, 0xff, sizeof(bcast.ea));

	for (size_t i = 0; i < sw->n_ports; i++) {
		int in_port = sw->ports[i].no;
		size_t n = route_flood_ports(r, sw, in_port, out);
		bool host_port = !topo_graph_is_link_port(r->graph, sw->dpid,
							  in_port);
		struct match m;

		match_init_catchall(&m);
		match_set_in_port(&m, ofc_port(in_port));
		match_set_dl_dst(&m, bcast);
		ofc_switch_add_flow(sw, &m, ROUTE_PRIO_FLOOD,
				    OFC_COOKIE_FLOOD, out, n, host_port, 0,
				    UINT32_MAX);
	}
	free(out);
}

/* Everything 'sw' needs, from a clean table. */
static void route_install_switch(struct route *r, struct ofc_switch *sw)
{
	struct route_host *h;

	if (!topo_graph_has_switch(r->graph, sw->dpid))
		log_dbg("switch %s is not in the topology file: it forwards "
			"on its own",
			sw->dpid_str);
	ofc_switch_del_flows(sw, NULL, 0);
	ofc_switch_add_miss_flow(sw);
	route_install_flood(r, sw);
	HMAP_FOR_EACH (h, node, &r->hosts)
		route_install_host(r, sw, h);
}

static void route_install_all(struct ofc *ofc)
{
	for (size_t i = 0; i < ofc->n_switches; i++)
		if (ofc->switches[i]->state == OFC_SW_READY)
			route_install_switch(route_of(ofc), ofc->switches[i]);
}

/* The graph changed: recompute and reinstall soon, once. */
static void route_schedule(struct route *r)
{
	if (r->dirty)
		return;
	r->dirty = true;
	r->due_ms = time_msec() + ROUTE_SETTLE_MS;
}

static void route_run(struct ofc *ofc)
{
	struct route *r = route_of(ofc);

	if (!r->dirty || time_msec() < r->due_ms)
		return;
	r->dirty = false;
	topo_graph_compute(r->graph);
	route_install_all(ofc);
}

static bool route_busy(const struct ofc *ofc)
{
	return ((const struct route *)ofc->mode_data)->dirty;
}

static bool route_knows(const struct ofc *ofc, uint64_t dpid)
{
	const struct route *r = ofc->mode_data;

	return topo_graph_has_switch(r->graph, dpid);
}

static void route_wait(struct ofc *ofc)
{
	struct route *r = route_of(ofc);

	if (r->dirty)
		poll_timer_wait_until(r->due_ms);
}

/* Records that 'mac' sits behind 'port' of 'dpid'; true when that is
 * news. */
static bool route_learn(struct route *r, const uint8_t *mac, uint64_t dpid,
			int port, struct route_host **hp)
{
	uint64_t key = ofc_mac_to_u64(mac);
	struct route_host *h = route_lookup(r, key);

	if (h && h->dpid == dpid && h->port == port) {
		*hp = h;
		return false;
	}
	if (!h) {
		h = xzalloc(sizeof(*h));
		h->mac = key;
		memcpy(h->bytes, mac, 6);
		hmap_insert(&r->hosts, &h->node, hash_uint64(key));
	} else {
		log_dbg("host %012" PRIx64 " moved to %016" PRIx64 ":%d", key,
			dpid, port);
	}
	h->dpid = dpid;
	h->port = port;
	*hp = h;
	return true;
}

static void route_learn_file_hosts(struct route *r)
{
	for (size_t i = 0; i < topo_graph_n_hosts(r->graph); i++) {
		const struct topo_graph_host *fh = topo_graph_host(r->graph, i);
		struct route_host *h;

		route_learn(r, fh->mac, fh->dpid, fh->port, &h);
	}
}

/* A link carries traffic only while both its switches are connected and
 * both its ports up: marks in 'g' what the connected switches say. */
static void route_mark_ports(const struct ofc *ofc, struct topo_graph *g)
{
	for (size_t i = 0; i < topo_graph_n_switches(g); i++)
		topo_graph_set_switch_down(g, topo_graph_dpid(g, i));
	for (size_t i = 0; i < ofc->n_switches; i++) {
		const struct ofc_switch *sw = ofc->switches[i];

		if (sw->state != OFC_SW_READY || !sw->dpid)
			continue;
		for (size_t j = 0; j < sw->n_ports; j++)
			topo_graph_set_port_up(g, sw->dpid, sw->ports[j].no,
					       sw->ports[j].up);
	}
}

/* Reads the topology file into a new graph; NULL on failure (logged). */
static struct topo_graph *route_load(const struct ofc *ofc)
{
	struct topo_graph *g = topo_graph_create();
	struct emu_err err = { 0 };

	if (ofc->topo_file && topo_graph_load(g, ofc->topo_file, &err)) {
		log_err("%s", err.msg);
		topo_graph_destroy(g);
		return NULL;
	}
	return g;
}

static int route_init(struct ofc *ofc)
{
	struct route *r = xzalloc(sizeof(*r));

	hmap_init(&r->hosts);
	ofc->mode_data = r;
	r->graph = route_load(ofc);
	if (!r->graph)
		return -1;
	route_learn_file_hosts(r);
	route_mark_ports(ofc, r->graph);
	topo_graph_compute(r->graph);
	log_dbg("topology: %zu switches, %zu links, %zu hosts",
		topo_graph_n_switches(r->graph), topo_graph_n_links(r->graph),
		topo_graph_n_hosts(r->graph));
	return 0;
}

static void route_switch_ready(struct ofc_switch *sw)
{
	struct route *r = route_of(sw->ofc);
	bool changed = false;

	/* Its links come up with their ports. */
	for (size_t i = 0; i < sw->n_ports; i++)
		changed |= topo_graph_set_port_up(r->graph, sw->dpid,
						  sw->ports[i].no,
						  sw->ports[i].up);
	route_install_switch(r, sw);
	if (changed)
		route_schedule(r);
}

static void route_switch_gone(struct ofc_switch *sw)
{
	struct route *r = route_of(sw->ofc);

	/* Its links carry nothing now (dpid 0: replaced by a new connection,
	 * which counts). */
	if (!sw->dpid || !topo_graph_set_switch_down(r->graph, sw->dpid))
		return;
	log_dbg("switch %s gone: new paths", sw->dpid_str);
	route_schedule(r);
}

static void route_packet_in(struct ofc_switch *sw,
			    const struct ofputil_packet_in *pi,
			    uint32_t buffer_id)
{
	struct route *r = route_of(sw->ofc);
	const uint8_t *dst = pi->packet, *src = dst + 6;
	int in_port = ofc_packet_in_port(pi), port, *out;
	struct route_host *h;
	size_t n;

	if (!ofc_mac_is_multicast(src) &&
	    !topo_graph_is_link_port(r->graph, sw->dpid, in_port) &&
	    route_learn(r, src, sw->dpid, in_port, &h))
		route_install_host_everywhere(sw->ofc, h);
	if (pi->reason == OFPR_ACTION)
		return;		/* a copy: the flood flow sent it on */
	if (ofc_mac_is_reserved(dst)) {
		ofc_switch_packet_out(sw, pi, buffer_id, NULL, 0);
		return;
	}
	h = ofc_mac_is_multicast(dst) ? NULL
				       : route_lookup(r, ofc_mac_to_u64(dst));
	if (h) {
		/* Its flows are on their way; this packet goes by hand. */
		port = route_port_to(r, sw, h);
		if (port <= 0 || port == in_port) {
			/* Cut off, or it would turn back: dropped. */
			ofc_switch_packet_out(sw, pi, buffer_id, NULL, 0);
		} else {
			ofc_switch_packet_out(sw, pi, buffer_id, &port, 1);
		}
		return;
	}
	/* Broadcast, multicast, unknown unicast: along the tree. */
	out = xmalloc((sw->n_ports + 1) * sizeof(*out));
	n = route_flood_ports(r, sw, in_port, out);
	ofc_switch_packet_out(sw, pi, buffer_id, out, n);
	free(out);
}

static void route_port_changed(struct ofc_switch *sw, int port, bool up,
			       bool deleted)
{
	struct route *r = route_of(sw->ofc);

	if (topo_graph_set_port_up(r->graph, sw->dpid, port,
				   up && !deleted)) {
		log_dbg("link at %s port %d %s: new paths", sw->dpid_str,
			port, up && !deleted ? "up" : "down");
		route_schedule(r);
		return;
	}
	/* A host port came, went or changed: the flood set did. */
	route_install_flood(r, sw);
}

static void route_reload(struct ofc *ofc)
{
	struct route *r = route_of(ofc);
	struct topo_graph *g = route_load(ofc);

	if (!g) {
		log_warn("keeping the topology read before");
		return;
	}
	topo_graph_destroy(r->graph);
	r->graph = g;
	route_mark_ports(ofc, g);
	route_learn_file_hosts(r);
	log_dbg("topology reread: %zu switches, %zu links",
		topo_graph_n_switches(g), topo_graph_n_links(g));
	/* Paths now: a new link's ports are about to appear. */
	r->dirty = false;
	topo_graph_compute(g);
	route_install_all(ofc);
}

static void route_destroy(struct ofc *ofc)
{
	struct route *r = route_of(ofc);
	struct route_host *h;

	if (!r)
		return;
	HMAP_FOR_EACH_POP (h, node, &r->hosts)
		free(h);
	hmap_destroy(&r->hosts);
	topo_graph_destroy(r->graph);
	free(r);
	ofc->mode_data = NULL;
}

const struct ofc_mode ofc_route_mode = {
	.name = "topo",
	.init = route_init,
	.switch_ready = route_switch_ready,
	.packet_in = route_packet_in,
	.port_changed = route_port_changed,
	.switch_gone = route_switch_gone,
	.reload = route_reload,
	.busy = route_busy,
	.knows = route_knows,
	.run = route_run,
	.wait = route_wait,
	.destroy = route_destroy,
};
