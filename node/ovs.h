/* Open vSwitch bridges through the OVSDB IDL of libopenvswitch.
 *
 * One 'struct ovs_switch_db' is a connection to ovsdb-server
 * (unix:/var/run/openvswitch/db.sock unless told otherwise: a run's
 * private OVS, node/vswitch.h, listens at unix:<dir>/db.sock, and <dir>
 * is then its run directory); the caller owns it.  All bridges and ports of a topology go in with one call, i.e.
 * one OVSDB transaction, and the call returns once ovs-vswitchd has opened
 * every port (ofport assigned).  Every bridge carries
 * external_ids:cnemu-run=<tag> (and so does the QoS row of each port) so
 * that cleanup removes only ours. */
#ifndef NODE_OVS_H
#define NODE_OVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;
struct ovs_switch_db;

struct ovs_switch_port {
	const char *name;	/* an existing interface in the namespace
				   of ovs-vswitchd */
	int ofport;		/* requested OpenFlow port number; 0: any */
};

struct ovs_switch_spec {
	const char *name;		/* bridge name, < IFNAMSIZ */
	uint64_t dpid;			/* 0: OVS picks */
	bool userspace;			/* datapath_type=netdev */
	const char *fail_mode;		/* "secure", "standalone"; NULL: unset */
	const char *const *controllers;	/* "tcp:127.0.0.1:6653", NULL-ended;
					   NULL: none */
	const char *protocols;		/* "OpenFlow10,OpenFlow13"; NULL: OVS
					   default */
	bool stp;			/* stp_enable */
	const struct ovs_switch_port *ports;
	size_t n_ports;
};

/* Connects to ovsdb-server at 'remote' (NULL: the default socket) and waits
 * up to 'timeout_ms' for its contents.  NULL on failure, with a message
 * naming the socket and how to start the server. */
struct ovs_switch_db *ovs_switch_connect(const char *remote, int timeout_ms,
					 struct emu_err *err);
void ovs_switch_disconnect(struct ovs_switch_db *db);	/* accepts NULL */

/* OVS's run directory (/var/run/openvswitch unless built or told
 * otherwise by OVS_RUNDIR): where ovs-vswitchd connects to unix socket
 * controllers. */
const char *ovs_switch_rundir(void);

/* Returns true when the kernel has the openvswitch module loaded (then the
 * kernel datapath is used), false when only the userspace one works. */
bool ovs_switch_kernel_datapath(void);

/* Creates the 'n' bridges of 'specs' with their ports, tagged 'run_tag', in
 * one transaction; waits until every port has an ofport (or an error). */
int ovs_switch_add_bridges(struct ovs_switch_db *db,
			   const struct ovs_switch_spec *specs, size_t n,
			   const char *run_tag, struct emu_err *err);

/* Adds one port to an existing bridge (runtime addLink, a port made again
 * beside the pump); returns once ovs-vswitchd forwards through it: its
 * flow translation knows the port and no cached datapath flow made while
 * a port of that name was away is left (every cached flow of that
 * ovs-vswitchd is dropped, to be translated again). */
int ovs_switch_add_port(struct ovs_switch_db *db, const char *bridge,
			const struct ovs_switch_port *port,
			struct emu_err *err);

/* Removes the port 'port' from 'bridge'. */
int ovs_switch_del_port(struct ovs_switch_db *db, const char *bridge,
			const char *port, struct emu_err *err);

/* Removes the 'n' bridges named in 'names' (with their ports) in one
 * transaction; bridges that do not exist are skipped.  Returns once the
 * removal is committed to ovsdb: ovs-vswitchd applies it afterwards (that
 * takes it seconds for many userspace bridges), and the names of the
 * bridges and ports stay noted in the Open_vSwitch row
 * (external_ids:cnemu-removing) until it has, for
 * ovs_switch_wait_removed(). */
int ovs_switch_del_bridges(struct ovs_switch_db *db, const char *const *names,
			   size_t n, struct emu_err *err);

/* As ovs_switch_del_bridges(), but only those tagged 'run_tag': a run
 * never removes a bridge of the same name that it did not make (one that
 * made its own start fail). */
int ovs_switch_del_run_bridges(struct ovs_switch_db *db, const char *run_tag,
			       const char *const *names, size_t n,
			       struct emu_err *err);

/* Before making interfaces or bridges of the 'n' names 'names': waits
 * until ovs-vswitchd has applied an earlier removal that it is still
 * applying, when that removal takes any of those names (it would
 * otherwise close, by name, what the new run makes); returns at once
 * otherwise.  -ETIMEDOUT after a minute. */
int ovs_switch_wait_removed(struct ovs_switch_db *db,
			    const char *const *names, size_t n,
			    struct emu_err *err);

/* The userspace datapath reads each port through an AF_PACKET socket of
 * ovs-vswitchd with the machine's default receive buffer
 * (net.core.rmem_default, often 208 KiB: about 15 ms of frames at
 * 100 Mbit/s), so any longer stall of ovs-vswitchd drops frames, and TCP
 * through a chain of switches collapses now and then.  Sets the receive
 * buffer of the sockets of the ovs-vswitchd of 'db' (its pid file in the
 * run directory of 'db') reading the interfaces of the 'n' 'ifindexes'
 * (in its namespace) to 'bytes' (SO_RCVBUFFORCE on a copy of
 * ovs-vswitchd's descriptor, pidfd_getfd(2)); nothing else on the machine
 * changes.  Returns how many sockets it grew (0: none found, as with the
 * kernel datapath, or no ovs-vswitchd) or a negative errno. */
int ovs_switch_grow_rx_buffers(struct ovs_switch_db *db,
			       const int *ifindexes, size_t n, int bytes,
			       struct emu_err *err);

/* Checks that ovs-vswitchd runs (its pid file in the run directory of
 * 'db' is held by a live process): without it OVS switches forward nothing.  Says
 * once, as a warning, when it stopped, and once when it is back (it then
 * makes the bridges and ports in ovsdb again).  Returns whether it runs;
 * checks at most twice a second. */
bool ovs_switch_check_daemon(struct ovs_switch_db *db);

/* Removes, in one transaction, every bridge whose external_ids:cnemu-run
 * equals 'run_tag' or, with 'run_tag' NULL, for which 'is_dead(tag, aux)'
 * returns true (and then also the note of an applied removal).  Bridges
 * without the key are never touched.  Returns, once ovs-vswitchd has
 * applied it, the number removed or a negative errno. */
int ovs_switch_del_tagged(struct ovs_switch_db *db, const char *run_tag,
			  bool (*is_dead)(const char *tag, void *aux),
			  void *aux, struct emu_err *err);

/* Sets the controllers and fail mode of a running bridge. */
int ovs_switch_set_controllers(struct ovs_switch_db *db, const char *bridge,
			       const char *const *controllers,
			       const char *fail_mode, struct emu_err *err);

#endif
