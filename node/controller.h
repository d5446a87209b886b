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
 * before any switch.  A local controller runs in the root namespace and
 * listens on the unix socket "<name>.sock" of the run directory, which
 * only root may use, so that no other user of the machine can pose as a
 * switch; OVS, which connects to unix sockets in its own run directory
 * only, reaches it through the link "<OVS run dir>/<tag>-<name>.sock".
 * With 'ip' or 'port' given it listens there on TCP too (the builtin
 * trusts no TCP connection with a switch of its topology).  It has its
 * pid file "<name>.pid" and its identity "<name>.proc" (pid, start time,
 * executable: 'cnemu -c' ends it after a crash by it, never by the pid
 * alone) in the run directory; the builtin keeps in "<name>.ready" the dpids of the
 * switches whose flows are in place and, in topo mode, reads the
 * topology file "<name>.topo" there, which the Net writes before start
 * (node_ctx.write_topology) and rewrites when links change
 * (controller_reload()).  Start returns once the controller listens; a
 * remote one is only named as the switches' target (whether it answers
 * shows in controller_count_ready()).  Stop ends the process and removes
 * its files. */
#ifndef NODE_CONTROLLER_H
#define NODE_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;
struct node;
struct node_ctx;

/* Options of a controller (Mininet's Controller, RemoteController). */
struct controller_opts {
	const char *kind;	/* "builtin" (default), "ovsc", "remote",
				   "none" */
	const char *mode;	/* builtin: "topo" (default), "learning" */
	const char *ip;		/* remote: its address; local: where it
				   listens; NULL: 127.0.0.1 */
	int port;		/* 0: 6653 (local: the next free port) */
};

/* OpenFlow's port (IANA); local controllers go up from it when taken. */
#define CONTROLLER_PORT 6653

/* Returns a new controller node 'name' of the run 'ctx' described by
 * 'opts' (NULL: builtin, topo mode), or NULL with 'err' set for an
 * unknown kind or mode.  The caller owns it until it hands it to the Net. */
struct node *controller_create(struct node_ctx *ctx, const char *name,
			       const struct controller_opts *opts,
			       struct emu_err *err);

/* Parses the --controller argument 'spec' ("builtin,mode=learning",
 * "remote,ip=10.0.0.5,port=6653", "ovsc", "none") into 'opts'; its strings
 * point into '*buf', which the caller frees (also on failure). */
int controller_parse(const char *spec, struct controller_opts *opts,
		     char **buf, struct emu_err *err);

/* The target switches connect to ("unix:/run/cnemu/cn12/ovs/cn12-c0.sock":
 * the controller's socket, or a relay to a remote one's address), known
 * once the controller started; NULL for "none" or before start. */
const char *controller_target(const struct node *node);
/* Where the controller is, for messages: a remote one's "tcp:IP:PORT",
 * else its target. */
const char *controller_address(const struct node *node);
/* The options that describe controller 'node' again ('o' borrows its
 * strings): its kind, builtin mode, address and port as asked. */
void controller_get_opts(const struct node *node, struct controller_opts *o);

/* The topology file the controller reads (topo mode of builtin), NULL
 * when it reads none. */
const char *controller_topo_file(const struct node *node);

/* Tells a running controller to read its topology file again (SIGHUP);
 * does nothing for those that read none. */
int controller_reload(struct node *node, struct emu_err *err);

/* How many of the 'n' switches 'dpids' (sorted) are ready under the
 * controller 'node': for the builtin, those whose flows are in place (a
 * barrier answered, as its status file says); for ovsc and remote ones,
 * as many as it has switch connections; all for "none". */
size_t controller_count_ready(const struct node *node, const uint64_t *dpids,
			      size_t n);

/* Removes what local controllers of dead runs left outside their run
 * directories, for cleanup after a crash: the links
 * "<machine's OVS run dir>/<tag>-<name>.sock" (where runs made them
 * before each had its own OVS) whose run 'is_dead' says is over (it
 * checks that 'tag' is a run's tag) and that lead nowhere, pointing at
 * "'run_root'/<tag>/<name>.sock" as a run made them (its directory gone
 * or emptied).  Any other file there is left alone.  Returns how many it
 * removed. */
unsigned int controller_remove_leftovers(const char *run_root,
					 bool (*is_dead)(const char *tag,
							 void *aux),
					 void *aux);

/* Checks that the process of a running local controller lives.  When it
 * died: warns once (with how it ended), removes its files, marks the node
 * not running and returns false.  True for live, remote and stopped
 * controllers. */
bool controller_check(struct node *node);

#endif
