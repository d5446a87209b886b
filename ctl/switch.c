#include "ctl/ofc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-order.h"
#include "openflow/openflow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "socket-util.h"
#include "util.h"

#include "base/file.h"
#include "base/log.h"

EMU_LOG_MODULE(ctl);

/* Seconds of silence before an echo request; the switch probes too. */
#define OFC_PROBE_S 15
/* Messages handled per switch per round, so that one busy switch does not
 * starve the others. */
#define OFC_BATCH 64
/* Until a status file that could not be written is tried again. */
#define OFC_RETRY_MS 100

static struct log_rl ofc_rl_send, ofc_rl_error, ofc_rl_bad;

static void ofc_switch_send(struct ofc_switch *sw, struct ofpbuf *msg)
{
	int ret = rconn_send(sw->rconn, msg, sw->queued);

	if (ret && ret != ENOTCONN)
		log_warn_rl(&ofc_rl_send, "switch %s: cannot send: %s",
			    sw->dpid_str, ovs_strerror(ret));
}

static struct ofc_switch *ofc_switch_create(struct ofc *ofc,
					    struct vconn *vconn, bool trusted)
{
	struct ofc_switch *sw = xzalloc(sizeof(*sw));

	sw->ofc = ofc;
	sw->trusted = trusted;
	sw->rconn = rconn_create(OFC_PROBE_S, 0, DSCP_DEFAULT, ofc->versions);
	rconn_connect_unreliably(sw->rconn, vconn, NULL);
	sw->queued = rconn_packet_counter_create();
	sw->state = OFC_SW_CONNECTING;
	snprintf(sw->dpid_str, sizeof(sw->dpid_str), "(%s)",
		 rconn_get_name(sw->rconn));
	return sw;
}

static void ofc_switch_destroy(struct ofc_switch *sw)
{
	if (!sw)
		return;
	if (sw->state == OFC_SW_READY && sw->ofc->mode->switch_gone)
		sw->ofc->mode->switch_gone(sw);
	rconn_destroy(sw->rconn);
	rconn_packet_counter_destroy(sw->queued);
	free(sw->ports);
	free(sw);
}

void ofc_close_switches(struct ofc *ofc)
{
	for (size_t i = 0; i < ofc->n_switches; i++)
		ofc_switch_destroy(ofc->switches[i]);
	free(ofc->switches);
	ofc->switches = NULL;
	ofc->n_switches = ofc->cap_switches = 0;
}

/* Sets port 'no' of 'sw' (adds it if new); returns its previous state:
 * 1 up, 0 down, -1 new. */
static int ofc_switch_set_port(struct ofc_switch *sw, int no, bool up)
{
	size_t i = 0;
	int was;

	while (i < sw->n_ports && sw->ports[i].no < no)
		i++;
	if (i < sw->n_ports && sw->ports[i].no == no) {
		was = sw->ports[i].up;
		sw->ports[i].up = up;
		return was;
	}
	if (sw->n_ports == sw->cap_ports) {
		sw->cap_ports = sw->cap_ports ? 2 * sw->cap_ports : 16;
		sw->ports = xrealloc(sw->ports,
				     sw->cap_ports * sizeof(*sw->ports));
	}
	memmove(&sw->ports[i + 1], &sw->ports[i],
		(sw->n_ports - i) * sizeof(*sw->ports));
	sw->ports[i].no = no;
	sw->ports[i].up = up;
	sw->n_ports++;
	return -1;
}

static void ofc_switch_remove_port(struct ofc_switch *sw, int no)
{
	for (size_t i = 0; i < sw->n_ports; i++) {
		if (sw->ports[i].no != no)
			continue;
		memmove(&sw->ports[i], &sw->ports[i + 1],
			(sw->n_ports - i - 1) * sizeof(*sw->ports));
		sw->n_ports--;
		return;
	}
}

bool ofc_switch_port_up(const struct ofc_switch *sw, int port)
{
	for (size_t i = 0; i < sw->n_ports; i++)
		if (sw->ports[i].no == port)
			return sw->ports[i].up;
	return false;
}

size_t ofc_switch_port_numbers(const struct ofc_switch *sw, int *out,
			       bool up_only)
{
	size_t n = 0;

	for (size_t i = 0; i < sw->n_ports; i++)
		if (!up_only || sw->ports[i].up)
			out[n++] = sw->ports[i].no;
	return n;
}

static bool ofc_phy_port_up(const struct ofputil_phy_port *pp)
{
	return !(pp->config & OFPUTIL_PC_PORT_DOWN) &&
	       !(pp->state & OFPUTIL_PS_LINK_DOWN);
}

/* Physical ports only: LOCAL and the reserved numbers are not ours. */
static bool ofc_phy_port_is_ours(const struct ofputil_phy_port *pp)
{
	return ofc_port_int(pp->port_no) < ofc_port_int(OFPP_MAX) &&
	       ofc_port_int(pp->port_no) > 0;
}

/* Reads the port descriptions that follow in 'b'. */
static void ofc_switch_pull_ports(struct ofc_switch *sw, struct ofpbuf *b)
{
	struct ofputil_phy_port pp;

	while (!ofputil_pull_phy_port(sw->version, b, &pp))
		if (ofc_phy_port_is_ours(&pp))
			ofc_switch_set_port(sw, ofc_port_int(pp.port_no),
					    ofc_phy_port_up(&pp));
}

/* The connection of 'sw' may not speak for its dpid: it came through an
 * untrusted listener and the dpid is the topology's or has a connection
 * already.  Says why in 'why'. */
static bool ofc_switch_is_impostor(const struct ofc_switch *sw,
				   const char **why)
{
	const struct ofc *ofc = sw->ofc;

	if (sw->trusted)
		return false;
	if (ofc->mode->knows && ofc->mode->knows(ofc, sw->dpid)) {
		*why = "a switch of the topology connects through a unix "
		       "socket";
		return true;
	}
	for (size_t i = 0; i < ofc->n_switches; i++) {
		const struct ofc_switch *old = ofc->switches[i];

		if (old != sw && old->dpid == sw->dpid &&
		    old->state == OFC_SW_READY) {
			*why = "that switch is connected";
			return true;
		}
	}
	return false;
}

/* The handshake is done: an older connection of the same switch goes,
 * the mode takes this one. */
static void ofc_switch_ready(struct ofc_switch *sw)
{
	struct ofc *ofc = sw->ofc;
	const char *why;

	if (ofc_switch_is_impostor(sw, &why)) {
		log_warn_rl(&ofc_rl_bad, "connection %s claims switch %s: "
			    "refused (%s)",
			    rconn_get_name(sw->rconn), sw->dpid_str, why);
		sw->dpid = 0;
		rconn_disconnect(sw->rconn);
		return;
	}
	for (size_t i = 0; i < ofc->n_switches; i++) {
		struct ofc_switch *old = ofc->switches[i];

		if (old == sw || old->dpid != sw->dpid ||
		    old->state == OFC_SW_CONNECTING)
			continue;
		log_dbg("switch %s reconnected", sw->dpid_str);
		old->dpid = 0;	/* so that no lookup finds it again */
		rconn_disconnect(old->rconn);
	}
	sw->state = OFC_SW_READY;
	sw->unsynced = true;	/* synced after a first barrier */
	log_dbg("switch %s ready: OpenFlow 0x%02x, %zu ports", sw->dpid_str,
		sw->version, sw->n_ports);
	if (ofc->mode->switch_ready)
		ofc->mode->switch_ready(sw);
}

static void ofc_switch_handshake(struct ofc_switch *sw)
{
	struct ofputil_switch_config config = {
		.miss_send_len = UINT16_MAX,	/* whole packets */
	};

	sw->version = rconn_get_version(sw->rconn);
	sw->protocol = ofputil_protocol_from_ofp_version(sw->version);
	ofc_switch_send(sw, ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST,
					 sw->version, 0));
	ofc_switch_send(sw, ofputil_encode_set_config(&config, sw->version));
	sw->state = OFC_SW_FEATURES;
}

static void ofc_switch_on_features(struct ofc_switch *sw,
				   const struct ofpbuf *msg)
{
	struct ofpbuf b = *msg;
	struct ofputil_switch_features features;
	/* Asks the whole message (it may cut a truncated port list off). */
	bool has_ports = ofputil_switch_features_has_ports(&b);
	enum ofperr error = ofputil_pull_switch_features(&b, &features);

	if (error) {
		log_warn_rl(&ofc_rl_bad, "switch %s: bad features reply: %s",
			    sw->dpid_str, ofperr_to_string(error));
		rconn_disconnect(sw->rconn);
		return;
	}
	sw->dpid = features.datapath_id;
	snprintf(sw->dpid_str, sizeof(sw->dpid_str), "%016" PRIx64, sw->dpid);
	if (has_ports) {
		ofc_switch_pull_ports(sw, &b);
		ofc_switch_ready(sw);
		return;
	}
	ofc_switch_send(sw, ofputil_encode_port_desc_stats_request(
				    sw->version, OFPP_ANY));
	sw->state = OFC_SW_PORTS;
}

static void ofc_switch_on_port_desc(struct ofc_switch *sw,
				    const struct ofp_header *oh)
{
	struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));

	ofpraw_pull_assert(&b);
	ofc_switch_pull_ports(sw, &b);
	if (!ofpmp_more(oh))
		ofc_switch_ready(sw);
}

static void ofc_switch_on_port_status(struct ofc_switch *sw,
				      const struct ofp_header *oh)
{
	struct ofputil_port_status ps;
	enum ofperr error = ofputil_decode_port_status(oh, &ps);
	int no, was;
	bool up;

	if (error || !ofc_phy_port_is_ours(&ps.desc))
		return;
	no = ofc_port_int(ps.desc.port_no);
	up = ofc_phy_port_up(&ps.desc);
	if (ps.reason == OFPPR_DELETE) {
		ofc_switch_remove_port(sw, no);
		log_dbg("switch %s: port %d deleted", sw->dpid_str, no);
		if (sw->state == OFC_SW_READY && sw->ofc->mode->port_changed)
			sw->ofc->mode->port_changed(sw, no, false, true);
		return;
	}
	was = ofc_switch_set_port(sw, no, up);
	if (was == (int)up)
		return;
	log_dbg("switch %s: port %d %s", sw->dpid_str, no,
		was < 0 ? "added" : up ? "up" : "down");
	if (sw->state == OFC_SW_READY && sw->ofc->mode->port_changed)
		sw->ofc->mode->port_changed(sw, no, up, false);
}

static void ofc_switch_on_packet_in(struct ofc_switch *sw,
				    const struct ofp_header *oh)
{
	struct ofputil_packet_in pi;
	uint32_t buffer_id;
	enum ofperr error;

	error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pi, NULL,
					 &buffer_id, NULL);
	if (error) {
		log_warn_rl(&ofc_rl_bad, "switch %s: bad packet-in: %s",
			    sw->dpid_str, ofperr_to_string(error));
		return;
	}
	sw->ofc->n_packet_in++;
	if (pi.packet_len < 14)
		return;		/* not even an Ethernet header */
	if (sw->ofc->mode->packet_in)
		sw->ofc->mode->packet_in(sw, &pi, buffer_id);
}

static void ofc_switch_on_error(struct ofc_switch *sw,
				const struct ofp_header *oh)
{
	enum ofperr error = ofperr_decode_msg(oh, NULL);

	log_warn_rl(&ofc_rl_error, "switch %s: error from the switch: %s",
		    sw->dpid_str, error ? ofperr_to_string(error) : "unknown");
}

static void ofc_switch_process(struct ofc_switch *sw, struct ofpbuf *msg)
{
	const struct ofp_header *oh = msg->data;
	struct ofpbuf b = *msg;
	enum ofptype type;

	if (ofptype_pull(&type, &b))
		return;
	switch (type) {
	case OFPTYPE_ECHO_REQUEST:
		ofc_switch_send(sw, ofputil_encode_echo_reply(oh));
		break;
	case OFPTYPE_FEATURES_REPLY:
		if (sw->state == OFC_SW_FEATURES)
			ofc_switch_on_features(sw, msg);
		break;
	case OFPTYPE_PORT_DESC_STATS_REPLY:
		if (sw->state == OFC_SW_PORTS)
			ofc_switch_on_port_desc(sw, oh);
		break;
	case OFPTYPE_PORT_STATUS:
		if (sw->state >= OFC_SW_PORTS)
			ofc_switch_on_port_status(sw, oh);
		break;
	case OFPTYPE_PACKET_IN:
		if (sw->state == OFC_SW_READY)
			ofc_switch_on_packet_in(sw, oh);
		break;
	case OFPTYPE_BARRIER_REPLY:
		if (sw->barrier_pending && oh->xid == sw->barrier_xid)
			sw->barrier_pending = false;
		break;
	case OFPTYPE_ERROR:
		ofc_switch_on_error(sw, oh);
		break;
	default:
		break;
	}
}

/* Runs one switch; false when it is gone for good. */
static bool ofc_switch_run(struct ofc_switch *sw)
{
	rconn_run(sw->rconn);
	if (!rconn_is_alive(sw->rconn))
		return false;
	if (sw->state == OFC_SW_CONNECTING) {
		if (!rconn_is_connected(sw->rconn))
			return true;
		ofc_switch_handshake(sw);
	}
	for (int i = 0; i < OFC_BATCH; i++) {
		struct ofpbuf *msg = rconn_recv(sw->rconn);

		if (!msg)
			break;
		ofc_switch_process(sw, msg);
		ofpbuf_delete(msg);
	}
	return rconn_is_alive(sw->rconn);
}

/* Accepts the connections waiting at 'l'. */
static void ofc_accept(struct ofc *ofc, const struct ofc_listener *l)
{
	for (int i = 0; i < OFC_BATCH; i++) {
		struct vconn *vconn;
		int ret = pvconn_accept(l->pvconn, &vconn);

		if (ret == EAGAIN)
			break;
		if (ret) {
			log_warn_rl(&ofc_rl_error, "cannot accept: %s",
				    ovs_strerror(ret));
			break;
		}
		if (ofc->n_switches == ofc->cap_switches) {
			size_t cap = ofc->cap_switches ? 2 * ofc->cap_switches
						       : 16;

			ofc->switches = xrealloc(ofc->switches,
						 cap * sizeof(*ofc->switches));
			ofc->cap_switches = cap;
		}
		ofc->switches[ofc->n_switches++] =
			ofc_switch_create(ofc, vconn, l->trusted);
	}
}

void ofc_run(struct ofc *ofc)
{
	for (size_t i = 0; i < ofc->n_listeners; i++)
		ofc_accept(ofc, &ofc->listeners[i]);
	for (size_t i = 0; i < ofc->n_switches;) {
		struct ofc_switch *sw = ofc->switches[i];

		if (ofc_switch_run(sw)) {
			i++;
			continue;
		}
		if (sw->state == OFC_SW_READY && sw->dpid)
			log_dbg("switch %s disconnected", sw->dpid_str);
		ofc->switches[i] = ofc->switches[--ofc->n_switches];
		ofc_switch_destroy(sw);
	}
}

void ofc_wait(struct ofc *ofc)
{
	for (size_t i = 0; i < ofc->n_listeners; i++)
		pvconn_wait(ofc->listeners[i].pvconn);
	for (size_t i = 0; i < ofc->n_switches; i++) {
		rconn_run_wait(ofc->switches[i]->rconn);
		rconn_recv_wait(ofc->switches[i]->rconn);
	}
}

/* Appends an output to each of the 'n' 'ports' (and to the controller)
 * to 'ofpacts'. */
static void ofc_put_outputs(struct ofpbuf *ofpacts, const int *ports,
			    size_t n, bool to_controller)
{
	for (size_t i = 0; i < n; i++)
		ofpact_put_OUTPUT(ofpacts)->port = ofc_port(ports[i]);
	if (to_controller) {
		struct ofpact_output *out = ofpact_put_OUTPUT(ofpacts);

		out->port = OFPP_CONTROLLER;
		out->max_len = UINT16_MAX;
	}
}

void ofc_switch_add_flow(struct ofc_switch *sw, const struct match *match,
			 int priority, uint64_t cookie, const int *ports,
			 size_t n, bool to_controller, int idle_s,
			 uint32_t buffer_id)
{
	uint64_t stub[1024 / 8];
	struct ofpbuf ofpacts;
	struct ofputil_flow_mod fm;

	ofpbuf_use_stub(&ofpacts, stub, sizeof(stub));
	ofc_put_outputs(&ofpacts, ports, n, to_controller);
	memset(&fm, 0, sizeof(fm));
	fm.priority = priority;
	fm.new_cookie = htonll(cookie);
	fm.table_id = 0;
	fm.command = OFPFC_ADD;
	fm.idle_timeout = (uint16_t)idle_s;
	fm.buffer_id = buffer_id;
	fm.out_port = OFPP_ANY;
	fm.out_group = OFPG_ANY;
	fm.ofpacts = ofpacts.data;
	fm.ofpacts_len = ofpacts.size;
	minimatch_init(&fm.match, match);
	ofc_switch_send(sw, ofputil_encode_flow_mod(&fm, sw->protocol));
	minimatch_destroy(&fm.match);
	ofpbuf_uninit(&ofpacts);
	sw->ofc->n_flow_mod++;
	sw->unsynced = true;
}

void ofc_switch_del_flows(struct ofc_switch *sw, const struct match *match,
			  int out_port)
{
	struct ofputil_flow_mod fm;
	struct match any;

	match_init_catchall(&any);
	memset(&fm, 0, sizeof(fm));
	fm.table_id = OFPTT_ALL;
	fm.command = OFPFC_DELETE;
	fm.buffer_id = UINT32_MAX;
	fm.out_port = out_port ? ofc_port(out_port) : OFPP_ANY;
	fm.out_group = OFPG_ANY;
	minimatch_init(&fm.match, match ? match : &any);
	ofc_switch_send(sw, ofputil_encode_flow_mod(&fm, sw->protocol));
	minimatch_destroy(&fm.match);
	sw->ofc->n_flow_mod++;
	sw->unsynced = true;
}

void ofc_switch_add_miss_flow(struct ofc_switch *sw)
{
	struct match any;

	if (sw->version < OFP13_VERSION)
		return;
	match_init_catchall(&any);
	ofc_switch_add_flow(sw, &any, 0, OFC_COOKIE_MISS, NULL, 0, true, 0,
			    UINT32_MAX);
}

int ofc_packet_in_port(const struct ofputil_packet_in *pi)
{
	return ofc_port_int(pi->flow_metadata.flow.in_port.ofp_port);
}

void ofc_switch_packet_out(struct ofc_switch *sw,
			   const struct ofputil_packet_in *pi,
			   uint32_t buffer_id, const int *ports, size_t n)
{
	uint64_t stub[1024 / 8];
	struct ofputil_packet_out po;
	struct ofpbuf ofpacts;

	if (!n && buffer_id == UINT32_MAX)
		return;
	ofpbuf_use_stub(&ofpacts, stub, sizeof(stub));
	ofc_put_outputs(&ofpacts, ports, n, false);
	memset(&po, 0, sizeof(po));
	po.buffer_id = buffer_id;
	if (buffer_id == UINT32_MAX) {
		po.packet = pi->packet;
		po.packet_len = pi->packet_len;
	}
	match_init_catchall(&po.flow_metadata);
	match_set_in_port(&po.flow_metadata,
			  pi->flow_metadata.flow.in_port.ofp_port);
	po.ofpacts = ofpacts.data;
	po.ofpacts_len = ofpacts.size;
	ofc_switch_send(sw, ofputil_encode_packet_out(&po, sw->protocol));
	ofpbuf_uninit(&ofpacts);
	sw->ofc->n_packet_out++;
}

static int ofc_cmp_dpid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The status: one synced dpid a line, in order; none while the mode has
 * work pending.  Caller frees. */
static char *ofc_format_status(const struct ofc *ofc)
{
	uint64_t *dpids = xmalloc((ofc->n_switches + 1) * sizeof(*dpids));
	struct ds s = DS_EMPTY_INITIALIZER;
	size_t n = 0;

	if (!ofc->mode->busy || !ofc->mode->busy(ofc)) {
		for (size_t i = 0; i < ofc->n_switches; i++) {
			const struct ofc_switch *sw = ofc->switches[i];

			if (sw->state == OFC_SW_READY && sw->dpid &&
			    !sw->unsynced && !sw->barrier_pending)
				dpids[n++] = sw->dpid;
		}
	}
	qsort(dpids, n, sizeof(*dpids), ofc_cmp_dpid);
	for (size_t i = 0; i < n; i++)
		ds_put_format(&s, "%016" PRIx64 "\n", dpids[i]);
	free(dpids);
	return ds_steal_cstr(&s);
}


void ofc_sync(struct ofc *ofc)
{
	char *status;
	int ret;

	for (size_t i = 0; i < ofc->n_switches; i++) {
		struct ofc_switch *sw = ofc->switches[i];
		struct ofpbuf *msg;

		if (sw->state != OFC_SW_READY || !sw->unsynced)
			continue;
		msg = ofputil_encode_barrier_request(sw->version);
		sw->barrier_xid = ((struct ofp_header *)msg->data)->xid;
		sw->barrier_pending = true;
		sw->unsynced = false;
		ofc_switch_send(sw, msg);
	}
	if (!ofc->status_file)
		return;
	status = ofc_format_status(ofc);
	if (ofc->status && !strcmp(status, ofc->status)) {
		free(status);
		return;
	}
	ret = file_replace(ofc->status_file, status);
	if (ret) {
		log_warn_rl(&ofc_rl_error, "cannot write '%s': %s",
			    ofc->status_file, strerror(-ret));
		free(status);
		poll_timer_wait(OFC_RETRY_MS);	/* and try again */
		return;
	}
	log_dbg("synced: %zu switches", strlen(status) / 17);
	free(ofc->status);
	ofc->status = status;
}
