/* Controllers: the OpenFlow controllers of a run, nodes of role
 * NODE_CONTROLLER.
 *
 * Kinds: "builtin" runs cnemu-controller (found next to the cnemu binary)
 * in mode "topo" (default) or "learning"; "ovsc" runs Debian's
 * ovs-testcontroller; "remote" is one that runs elsewhere (Ryu, ONOS):
 * cnemu only waits until it answers; "none" is a placeholder with no
 * target.  Mininet's names "default" (builtin) and "ref" (ovsc) are taken
 * too.
 *
 * controller_create() makes the node only; the Net starts controllers
 * before any switch.  A local controller runs in the root namespace,
 * listens on 127.0.0.1 at its port (6653, or the next free one when none
 * was asked for), has its pid file "<name>.pid" and its identity
 * "<name>.proc" (pid, start time, executable: 'cnemu -c' ends it after a
 * crash by it, never by the pid alone) in the run directory and, in topo
 * mode, reads the topology file "<name>.topo" there, which the Net writes
 * before start (net_write_topology()) and rewrites when links change
 * (controller_reload()).  Start returns once the controller listens (or
 * answers, for remote ones); stop ends the process and removes its
 * files. */
#ifndef NODE_CONTROLLER_H
#define NODE_CONTROLLER_H

#include <stdbool.h>

struct emu_err;
struct net;
struct net_controller_opts;
struct node;

/* OpenFlow's port (IANA); local controllers go up from it when taken. */
#define CONTROLLER_PORT 6653

/* Returns a new controller node 'name' of 'net' described by 'opts' (NULL:
 * builtin, topo mode), or NULL with 'err' set for an unknown kind or
 * mode.  The caller owns it until it hands it to the Net. */
struct node *controller_create(struct net *net, const char *name,
			       const struct net_controller_opts *opts,
			       struct emu_err *err);

/* Parses the --controller argument 'spec' ("builtin,mode=learning",
 * "remote,ip=10.0.0.5,port=6653", "ovsc", "none") into 'opts'; its strings
 * point into '*buf', which the caller frees (also on failure). */
int controller_parse(const char *spec, struct net_controller_opts *opts,
		     char **buf, struct emu_err *err);

/* The target switches connect to ("tcp:127.0.0.1:6653"), known once the
 * controller started; NULL for "none" or before start. */
const char *controller_target(const struct node *node);

/* The topology file the controller reads (topo mode of builtin), NULL
 * when it reads none. */
const char *controller_topo_file(const struct node *node);

/* Tells a running controller to read its topology file again (SIGHUP);
 * does nothing for those that read none. */
int controller_reload(struct node *node, struct emu_err *err);

/* Checks that the process of a running local controller lives.  When it
 * died: warns once (with how it ended), removes its files, marks the node
 * not running and returns false.  True for live, remote and stopped
 * controllers. */
bool controller_check(struct node *node);

#endif
