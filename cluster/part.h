/* One machine's part of a cluster run, as JSON: what the manager sends an
 * agent in its 'build' request, and how the agent makes a plain Net of it.
 *
 *   {"net": {...net options, set by the manager...},
 *    "nodes": [{"name", "role", "kind", "ip", "mac", "default_route",
 *               "dpid" (switches, 16 hex digits), "controller" (mode, ip,
 *               port), "docker" (every option of addDocker)}, ...],
 *    "links": [{"node1", "node2", "intf1", "intf2", "port1", "port2",
 *               "mac1", "mac2", "ip1", "ip2", "mtu",
 *               "shaping1", "shaping2"}, ...],
 *    "cuts":  [{"node", "intf", "port", "mac", "ip", "mtu", "shaping",
 *               "vni", "local", "remote", "udp_port"}, ...],
 *    "topology": "...topology file text (topo/graph.h)..."}
 *
 * Every name, port, MAC, address and dpid is explicit, as the manager's
 * plan decided them, so that the parts fit together.  A cut is this
 * machine's end of a link whose other end is on another machine: the
 * agent's Net links the node to a tunnel end, a Linux bridge "vx<VNI>"
 * (port "vx<VNI>p") in the run's switch namespace, and once started
 * part_make_tunnels() bridges it to the kernel VXLAN device "vx<VNI>t"
 * (id VNI, remote and local underlay addresses, UDP port), which the
 * kernel makes in the switch namespace with its UDP socket in the
 * machine's.  The end's shaping is its egress toward the other machine;
 * the tunnel side has none; the pump and tc see an ordinary link.
 *
 * Controllers: a machine with a switch runs every controller of the run
 * (its own instance of each), and its builtin controllers read the whole
 * run's topology, where the other machines' switches are 'remote': each
 * machine's controller installs the flows of its own switches only, all
 * from the same graph, so paths and the spanning tree (loops across
 * machines) agree without a controller reached over the underlay.
 * When a link is set down or up, or a machine is lost, the manager gives
 * every machine the topology again (agent request 'topology'), so that
 * all the controllers route around it at once.
 *
 * XXX not carried yet: a host's CPU limits, a switch's STP and its own
 * controller list, NATs (part_of() refuses a Net with one). */
#ifndef CLUSTER_PART_H
#define CLUSTER_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct emu_err;
struct net;
struct net_opts;
struct placement;

/* The underlay MTU under which cut links get a lower MTU: a VXLAN over
 * IPv4 takes 50 bytes of each frame. */
#define PART_VXLAN_OVERHEAD 50
#define PART_UNDERLAY_MTU_MIN 1550

/* The part of 'machine' of the described 'net' under 'pl' (from
 * plan_place() on the same Net); 'addrs' holds the underlay address of
 * every machine of the placement (index = machine).  Returns a new JSON
 * object (the caller's), or NULL with 'err' set. */
json_t *part_of(const struct net *net, const struct placement *pl,
		size_t machine, const char *const *addrs, struct emu_err *err);

/* Gives each interface of a host of 'net' that has no MAC one of its
 * own (locally administered, from the host's and the port's numbers)
 * when a switch of 'net' has a controller: every machine's controller
 * then knows every host where it sits, also those it never sees a
 * packet of.  Before part_of(); nothing changes without a controller.
 * Returns 0 or a negative errno. */
int part_fix_macs(struct net *net, struct emu_err *err);

/* The controller topology of 'machine' (topo/graph.h file text, the
 * "topology" of its part): every switch of 'net' under a controller,
 * those of the other machines under 'pl' remote, the links set down
 * marked so, and those of the switches of the machines 'lost' says are
 * lost ([machine], NULL: none).  NULL when no switch has a controller;
 * else the caller's. */
char *part_topology(const struct net *net, const struct placement *pl,
		    size_t machine, const bool *lost);

/* Fills 'o' from the part's "net" object ('o' borrows its strings, valid
 * while 'part' lives).  Returns 0 or -EINVAL naming the bad field. */
int part_net_opts(const json_t *part, struct net_opts *o,
		  struct emu_err *err);

/* Fills 'net' (created, not started) from a part's JSON: its nodes,
 * links, and a tunnel end linked to the node of each cut.  Returns 0 or a
 * negative errno with one sentence naming the item ("part: link 2: ...");
 * what was added stays in 'net' (destroy it). */
int part_build_net(struct net *net, const json_t *part, struct emu_err *err);

/* Lowers the MTU of every link and cut of 'part' to 'underlay_mtu' - 50
 * when 'underlay_mtu' is under PART_UNDERLAY_MTU_MIN, so that the
 * largest frame a node sends passes the tunnel: a bridge drops a frame
 * larger than its port toward the tunnel, and tells no one.  Every
 * machine's agent does the same over the same underlay, so the whole
 * emulated network gets one MTU.  Returns how many it lowered. */
size_t part_fit_mtu(json_t *part, unsigned int underlay_mtu);

/* Makes the VXLAN devices of the cuts of 'part' on the started 'net'
 * (built by part_build_net()) and bridges each to its tunnel end, up.
 * They go away with the run's switch namespace at net_stop().  Returns 0
 * or a negative errno. */
int part_make_tunnels(struct net *net, const json_t *part,
		      struct emu_err *err);

/* One item of a part, for a change of a running Net: the node 'node' of
 * 'net' ("nodes" item), the link 'link' with both ends on one machine
 * ("links" item), and the end 'end' (0, 1) of the cut link 'link' with
 * VNI 'vni' between the underlay addresses 'local' and 'remote' ("cuts"
 * item).  New JSON objects, the caller's. */
struct link;
struct node;
json_t *part_node_json(const struct net *net, struct node *node);
json_t *part_link_json(const struct link *link);
json_t *part_cut_json(const struct link *link, int end, uint32_t vni,
		      const char *local, const char *remote);

/* Adds one item of a part to 'net'; on a started Net it is made at once
 * (a cut with its tunnel).  Returns 0 or a negative errno naming it. */
int part_add_node(struct net *net, const json_t *jn, struct emu_err *err);
int part_add_link(struct net *net, const json_t *jl, struct emu_err *err);
int part_add_cut(struct net *net, const json_t *jc, struct emu_err *err);
/* Removes the tunnel end of the cut 'vni' from the started 'net': its
 * VXLAN device, its bridge and the link to its node. */
int part_remove_cut(struct net *net, uint32_t vni, struct emu_err *err);

#endif
