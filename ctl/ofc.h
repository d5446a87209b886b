/* cnemu-controller: the built-in OpenFlow controller, on libopenvswitch's
 * OpenFlow library.
 *
 * One 'struct ofc' per process (ctl/main.c makes it): it listens for
 * switches (one pvconn per --listen target), keeps one 'struct ofc_switch'
 * per connection (an
 * rconn made from the accepted vconn), does the OpenFlow 1.0 or 1.3
 * handshake (features, port descriptions) and hands the switch to the
 * mode once its ports are known.  A mode is one file behind 'struct
 * ofc_mode': ctl/learning.c (MAC learning, reactive flows that expire)
 * and ctl/route.c (shortest paths and a spanning tree from the topology
 * file, proactive flows).  The ofc owns its switches; a switch that
 * disconnects is freed, one that reconnects is a new switch replacing
 * the old one with the same dpid.
 *
 * Trust: a unix socket listener (punix:) is reachable only by whom its
 * file and directory let in (cnemu makes them root's), so its connections
 * are the run's own switches.  A connection through any other listener
 * (ptcp: the user asked for one) never replaces a connection of the same
 * dpid and, in topo mode, never takes a dpid of the topology: it cannot
 * change the flows of a switch of the run.
 *
 * Readiness: after it changes the flows of a switch the ofc sends a
 * barrier; a switch is synced once the reply came and nothing was sent
 * since.  With a status file, the ofc writes there (atomically, when it
 * changes) the dpids of the synced switches while the mode has no work
 * pending: cnemu waits for it before it lets traffic in.
 *
 * Built with OVS_CFLAGS: must not include base/util.h (cnemu-rename.h maps
 * OVS's xmalloc & co. to their renamed symbols). */
#ifndef CTL_OFC_H
#define CTL_OFC_H

#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct match;
struct ofc;
struct ofc_switch;
struct ofputil_packet_in;
struct ofputil_phy_port;
struct pvconn;
struct rconn;
struct rconn_packet_counter;

/* Cookies of the flows we install, so that dumps tell them apart. */
#define OFC_COOKIE_MISS 0xc0ULL		/* table miss (OpenFlow 1.3) */
#define OFC_COOKIE_FLOOD 0xc1ULL	/* broadcast along the tree */
#define OFC_COOKIE_HOST 0xc2ULL		/* path to a host */
#define OFC_COOKIE_LEARN 0xc3ULL	/* learned L2 flow */

/* One port of a switch, as its last description said. */
struct ofc_port {
	int no;			/* OpenFlow port number (not LOCAL) */
	bool up;		/* admin up and link up */
};

enum ofc_switch_state {
	OFC_SW_CONNECTING,	/* waiting for the connection */
	OFC_SW_FEATURES,	/* features request sent */
	OFC_SW_PORTS,		/* port description request sent (1.3) */
	OFC_SW_READY,		/* handed to the mode */
};

struct ofc_switch {
	struct ofc *ofc;		/* the owner */
	struct rconn *rconn;		/* owned */
	struct rconn_packet_counter *queued;
	enum ofc_switch_state state;
	bool trusted;			/* came through a punix: listener */
	bool unsynced;			/* flows sent since the last barrier */
	bool barrier_pending;		/* 'barrier_xid' not answered yet */
	ovs_be32 barrier_xid;
	uint64_t dpid;			/* 0 until the features reply */
	char dpid_str[17];		/* "%016"PRIx64 for messages */
	int version;			/* OFP10_VERSION, OFP13_VERSION */
	enum ofputil_protocol protocol;
	struct ofc_port *ports;		/* sorted by number */
	size_t n_ports, cap_ports;
	void *mode_data;		/* the mode's per-switch state */
};

/* What a mode does; every hook is optional but 'name'. */
/* A place where switches connect. */
struct ofc_listener {
	struct pvconn *pvconn;		/* owned */
	bool trusted;			/* punix: only root reaches it */
};

struct ofc_mode {
	const char *name;	/* "learning", "topo" */
	/* Sets the mode up once at start ('ofc->topo_file' read here). */
	int (*init)(struct ofc *ofc);
	/* The switch's ports are known: install what it needs. */
	void (*switch_ready)(struct ofc_switch *sw);
	/* A packet came to the controller ('buffer_id' UINT32_MAX: the
	 * whole packet is in 'pi'). */
	void (*packet_in)(struct ofc_switch *sw,
			  const struct ofputil_packet_in *pi,
			  uint32_t buffer_id);
	/* Port 'port' was added, changed (up/down) or deleted. */
	void (*port_changed)(struct ofc_switch *sw, int port, bool up,
			     bool deleted);
	/* The switch is going away (disconnected or replaced). */
	void (*switch_gone)(struct ofc_switch *sw);
	/* SIGHUP: read the topology again. */
	void (*reload)(struct ofc *ofc);
	/* True while work that changes flows is pending (no status then). */
	bool (*busy)(const struct ofc *ofc);
	/* True when 'dpid' is a switch the mode was told of (topology). */
	bool (*knows)(const struct ofc *ofc, uint64_t dpid);
	/* Each round of the main loop: deferred work; and what to wake
	 * poll_block() for. */
	void (*run)(struct ofc *ofc);
	void (*wait)(struct ofc *ofc);
	void (*destroy)(struct ofc *ofc);
};

struct ofc {
	const struct ofc_mode *mode;
	void *mode_data;		/* the mode's global state */
	const char *topo_file;		/* topo mode; NULL: none */
	int idle_timeout;		/* learning flows, seconds */
	uint32_t versions;		/* allowed OpenFlow versions bitmap */
	struct ofc_listener *listeners;	/* owned */
	size_t n_listeners;
	const char *status_file;	/* synced dpids go there; NULL: none */
	char *status;			/* what it holds now; owned */
	struct ofc_switch **switches;	/* owned */
	size_t n_switches, cap_switches;
	/* Counters for the exit line and the benchmark. */
	unsigned long long n_packet_in, n_flow_mod, n_packet_out;
};

/* ctl/switch.c: connections and messages. */

/* Accepts new connections, runs every switch, frees the dead ones. */
void ofc_run(struct ofc *ofc);
/* Arranges for poll_block() to wake when ofc_run() has work. */
void ofc_wait(struct ofc *ofc);
/* Frees every switch (closing its connection). */
void ofc_close_switches(struct ofc *ofc);
/* After a round: sends a barrier to each switch whose flows changed and,
 * with a status file, writes the synced switches there when that set
 * changed. */
void ofc_sync(struct ofc *ofc);

/* Adds (or replaces) on 'sw' the flow 'match' at 'priority' sending to
 * the 'n' ports 'ports' (none: drop), and to the controller too when
 * 'to_controller'; 'idle_s' 0: permanent; 'buffer_id' UINT32_MAX: none. */
void ofc_switch_add_flow(struct ofc_switch *sw, const struct match *match,
			 int priority, uint64_t cookie, const int *ports,
			 size_t n, bool to_controller, int idle_s,
			 uint32_t buffer_id);
/* Deletes every flow of 'sw' that matches 'match' (NULL: any) and,
 * unless 'out_port' is 0, outputs to 'out_port'.  (Not by cookie:
 * OpenFlow 1.0 without Nicira extensions cannot match cookies.) */
void ofc_switch_del_flows(struct ofc_switch *sw, const struct match *match,
			  int out_port);
/* Installs the table-miss flow of OpenFlow 1.3 (1.0 sends misses to the
 * controller by itself). */
void ofc_switch_add_miss_flow(struct ofc_switch *sw);
/* Sends the packet of 'pi' (or its buffer) out of the 'n' ports 'ports';
 * with 'n' 0 it only releases the buffer. */
void ofc_switch_packet_out(struct ofc_switch *sw,
			   const struct ofputil_packet_in *pi,
			   uint32_t buffer_id, const int *ports, size_t n);
/* The in_port of 'pi'. */
int ofc_packet_in_port(const struct ofputil_packet_in *pi);
/* True when 'port' of 'sw' is known and up. */
bool ofc_switch_port_up(const struct ofc_switch *sw, int port);
/* The numbers of the ports of 'sw' into 'out' (room for n_ports);
 * returns their count.  Only ports that are up when 'up_only'. */
size_t ofc_switch_port_numbers(const struct ofc_switch *sw, int *out,
			       bool up_only);

/* The modes. */
extern const struct ofc_mode ofc_learning_mode;
extern const struct ofc_mode ofc_route_mode;

/* OpenFlow port numbers as ints (lib/flow.h has these, but pulls in
 * headers that do not build with our warnings). */
static inline ofp_port_t ofc_port(int port)
{
	return OFP_PORT_C((uint16_t)port);
}

static inline int ofc_port_int(ofp_port_t port)
{
	return (OVS_FORCE uint16_t)port;
}

/* MAC helpers over the 6 bytes of an Ethernet address. */
static inline bool ofc_mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

/* 01:80:c2:00:00:0x: link-local protocols (STP, LLDP, ...) never
 * forwarded. */
static inline bool ofc_mac_is_reserved(const uint8_t *mac)
{
	return mac[0] == 0x01 && mac[1] == 0x80 && mac[2] == 0xc2 &&
	       mac[3] == 0 && mac[4] == 0 && (mac[5] & 0xf0) == 0;
}

static inline uint64_t ofc_mac_to_u64(const uint8_t *mac)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

#endif
