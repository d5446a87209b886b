/* The learning mode: an L2 learning switch per datapath, like Mininet's
 * reference controller.  A packet that misses teaches where its source
 * sits; to a known destination it gets a flow on (in_port, dl_src,
 * dl_dst) that expires after 'idle_timeout' seconds idle, else it is
 * flooded.  Loops in the topology are not its business (use topo). */
#include "ctl/ofc.h"

#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "timeval.h"
#include "util.h"

#include "base/log.h"

EMU_LOG_MODULE(ctl);

/* A MAC not heard from for this long is forgotten. */
#define LEARN_MAC_IDLE_MS (300 * 1000LL)

struct learn_mac {
	struct hmap_node node;		/* in learn_switch's 'macs' */
	uint64_t mac;
	int port;
	long long int seen_ms;		/* time_msec() of the last packet */
};

struct learn_switch {
	struct hmap macs;
};

static struct learn_switch *learn_of(struct ofc_switch *sw)
{
	if (!sw->mode_data) {
		struct learn_switch *ls = xzalloc(sizeof(*ls));

		hmap_init(&ls->macs);
		sw->mode_data = ls;
	}
	return sw->mode_data;
}

static struct learn_mac *learn_lookup(struct learn_switch *ls, uint64_t mac)
{
	struct learn_mac *m;

	HMAP_FOR_EACH_WITH_HASH (m, node, hash_uint64(mac), &ls->macs)
		if (m->mac == mac)
			return m;
	return NULL;
}

/* Records that 'mac' sits behind 'port'. */
static void learn_source(struct learn_switch *ls, uint64_t mac, int port)
{
	struct learn_mac *m = learn_lookup(ls, mac);

	if (!m) {
		m = xzalloc(sizeof(*m));
		m->mac = mac;
		hmap_insert(&ls->macs, &m->node, hash_uint64(mac));
	}
	m->port = port;
	m->seen_ms = time_msec();
}

static void learn_forget_port(struct learn_switch *ls, int port)
{
	struct learn_mac *m;

	HMAP_FOR_EACH_SAFE (m, node, &ls->macs) {
		if (m->port != port)
			continue;
		hmap_remove(&ls->macs, &m->node);
		free(m);
	}
}

static void learn_switch_ready(struct ofc_switch *sw)
{
	struct learn_switch *ls = learn_of(sw);
	struct learn_mac *m;

	/* A switch that reconnects keeps its flows: start from nothing. */
	HMAP_FOR_EACH_POP (m, node, &ls->macs)
		free(m);
	ofc_switch_del_flows(sw, NULL, 0);
	ofc_switch_add_miss_flow(sw);
}

static void learn_packet_in(struct ofc_switch *sw,
			    const struct ofputil_packet_in *pi,
			    uint32_t buffer_id)
{
	static const int flood[1] = { 0xfffb };	/* OFPP_FLOOD */
	struct learn_switch *ls = learn_of(sw);
	const uint8_t *dst = pi->packet, *src = dst + 6;
	int in_port = ofc_packet_in_port(pi), out;
	struct learn_mac *m;
	struct eth_addr ea;
	struct match match;

	if (!ofc_mac_is_multicast(src))
		learn_source(ls, ofc_mac_to_u64(src), in_port);
	if (ofc_mac_is_reserved(dst)) {
		ofc_switch_packet_out(sw, pi, buffer_id, NULL, 0);
		return;
	}
	m = ofc_mac_is_multicast(dst) ? NULL
				       : learn_lookup(ls, ofc_mac_to_u64(dst));
	if (m && time_msec() - m->seen_ms > LEARN_MAC_IDLE_MS)
		m = NULL;
	if (!m) {
		ofc_switch_packet_out(sw, pi, buffer_id, flood, 1);
		return;
	}
	out = m->port;
	if (out == in_port) {
		/* Never back where it came from. */
		ofc_switch_packet_out(sw, pi, buffer_id, NULL, 0);
		return;
	}
	match_init_catchall(&match);
	match_set_in_port(&match, ofc_port(in_port));
	memcpy(ea.ea, src, 6);
	match_set_dl_src(&match, ea);
	memcpy(ea.ea, dst, 6);
	match_set_dl_dst(&match, ea);
	/* A buffered packet goes with the flow; an unbuffered one needs its
	 * own packet-out. */
	ofc_switch_add_flow(sw, &match, 1, OFC_COOKIE_LEARN, &out, 1, false,
			    sw->ofc->idle_timeout, buffer_id);
	if (buffer_id == UINT32_MAX)
		ofc_switch_packet_out(sw, pi, buffer_id, &out, 1);
}

static void learn_port_changed(struct ofc_switch *sw, int port, bool up,
			       bool deleted)
{
	struct learn_switch *ls = learn_of(sw);
	struct match match;

	if (up && !deleted)
		return;
	/* What went through the port is stale: hosts may reappear behind
	 * another one. */
	learn_forget_port(ls, port);
	ofc_switch_del_flows(sw, NULL, port);
	match_init_catchall(&match);
	match_set_in_port(&match, ofc_port(port));
	ofc_switch_del_flows(sw, &match, 0);
}

static void learn_switch_gone(struct ofc_switch *sw)
{
	struct learn_switch *ls = sw->mode_data;
	struct learn_mac *m;

	if (!ls)
		return;
	HMAP_FOR_EACH_POP (m, node, &ls->macs)
		free(m);
	hmap_destroy(&ls->macs);
	free(ls);
	sw->mode_data = NULL;
}

const struct ofc_mode ofc_learning_mode = {
	.name = "learning",
	.switch_ready = learn_switch_ready,
	.packet_in = learn_packet_in,
	.port_changed = learn_port_changed,
	.switch_gone = learn_switch_gone,
};
