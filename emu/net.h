/* The Net: owns the nodes, links and controllers of one run and makes
 * them real.
 *
 * net_create() takes the run's options; net_add_*() describe nodes and
 * links (valid before and after start); net_start() makes everything on
 * the machine in dependency order (controllers, hosts, links, switches)
 * and rolls back what it made when any step fails; net_stop() removes it
 * in reverse order; net_destroy() stops if needed and frees.  Pointers
 * returned by net_add_*() and net_get() are lent: valid until
 * net_destroy().  Every object on the machine carries the run's tag. */
#ifndef EMU_NET_H
#define EMU_NET_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "link/shaping.h"
#include "node/controller.h"

struct emu_err;
struct topo_graph;
struct host_cpu;
struct node;
struct node_exec_opts;
struct link;
struct net;

/* A link cut between two machines of a cluster run (a VXLAN tunnel). */
struct net_cut {
	const char *machine1, *machine2;	/* of the link's ends */
	uint32_t vni;
	double underlay_rtt_ms;		/* measured at start; < 0: unknown */
};

/* How a Net runs over a cluster (cluster/manager.h has Docker Swarm's):
 * the Net is described as on one machine, then hands its start and stop,
 * the changes of its links and the commands in its nodes to these
 * functions, and makes nothing on this machine itself.  'state' is what
 * 'start' gave. */
struct net_cluster_ops {
	/* Makes the described 'net' real on the machines; '*state' is
	 * kept for the calls below.  On failure nothing is left anywhere. */
	int (*start)(struct net *net, void **state, struct emu_err *err);
	/* Removes everything of the run from the machines and frees
	 * 'state'; cannot fail (problems are warnings). */
	void (*stop)(struct net *net, void *state);
	/* The local command that runs 'argv' in 'node' on its machine,
	 * relaying its standard streams and exit status: node_spawn() runs
	 * it in place of 'argv' (node_ctx.relay_argv says how). */
	char **(*relay_argv)(void *state, const struct node *node,
			     char *const argv[],
			     const struct node_exec_opts *opts,
			     struct emu_err *err);
	/* Applies the shaping 'link' has now on the machines of its ends. */
	int (*set_link_shaping)(void *state, struct link *link,
				struct emu_err *err);
	/* Sets 'link' up or down on the machines of its ends. */
	int (*set_link_up)(void *state, struct link *link, bool up,
			   struct emu_err *err);
	/* The hostname of the machine that runs 'node'. */
	const char *(*machine)(void *state, const struct node *node);
	/* Reports once, in one line, each machine lost since the last
	 * call (its agent gone, or its Docker engine); returns how many
	 * nodes went with them. */
	int (*check)(void *state);
	/* True when the machine of 'node' is lost. */
	bool (*node_lost)(void *state, const struct node *node);
	/* False when 'link' has both ends on one machine; else fills 'cut'
	 * (strings borrowed from 'state'). */
	bool (*link_cut)(void *state, const struct link *link,
			 struct net_cut *cut);
	/* Places 'node', added to the started run, on a machine (its pin,
	 * else that of a node it is linked to, else the least loaded) and
	 * starts it there. */
	int (*add_node)(void *state, struct node *node, struct emu_err *err);
	/* Makes 'link', added to the started run between placed nodes, on
	 * their machine, or as a new cut link between theirs. */
	int (*add_link)(void *state, struct link *link, struct emu_err *err);
	/* Removes 'link' from the machine(s) of its ends. */
	int (*remove_link)(void *state, struct link *link,
			   struct emu_err *err);
	/* Removes 'node' (its links removed already) from its machine. */
	int (*remove_node)(void *state, struct node *node,
			   struct emu_err *err);
};

/* What a cluster run does when it loses a machine (net_opts.cluster_loss,
 * --cluster-loss, Lua's clusterLoss). */
enum net_cluster_loss {
	NET_LOSS_KEEP,	/* report it, go on over the other machines */
	NET_LOSS_STOP,	/* report it, stop the run on every machine */
};
#define NET_CLUSTER_LOSSES "keep, stop"

/* 0 with '*loss' the choice named 'text' ("keep", "stop"), else -EINVAL
 * (a message names NET_CLUSTER_LOSSES). */
static inline int net_cluster_loss_parse(const char *text,
					 enum net_cluster_loss *loss)
{
	if (!strcmp(text, "keep"))
		*loss = NET_LOSS_KEEP;
	else if (!strcmp(text, "stop"))
		*loss = NET_LOSS_STOP;
	else
		return -EINVAL;
	return 0;
}

struct net_opts {
	const char *switch_kind;	/* "ovs" (default), "lxbr", "ovsbr" */
	const char *switch_args;	/* "stp=1", "datapath=user"; NULL */
	const char *controller;		/* "builtin", "none", ...; NULL: the
					   switch kind's default */
	const char *ipbase;		/* "10.0.0.0/8" default */
	bool auto_mac;			/* --mac */
	bool auto_arp;			/* --arp: static ARP entries */
	const char *link_engine;	/* "auto", "netem", "pump" */
	const struct shaping *link_defaults;	/* --link tc,...; NULL */
	const char *host;		/* --host: "proc" (default), "cfs[,cpu=F,
					   period_us=N,cores=C]", "rt[,...]":
					   every host's CPU limits */
	const char *cluster;		/* "swarm": the nodes run on the
					   machines of the Docker Swarm of
					   DOCKER_HOST; NULL: this machine */
	const struct net_cluster_ops *cluster_ops;	/* with 'cluster':
					   what runs it; NULL: starting
					   fails */
	enum net_cluster_loss cluster_loss;	/* a machine lost: go on
					   (default) or stop */
};

/* The cluster engines a Net runs over (net_opts.cluster), for messages. */
#define NET_CLUSTERS "swarm"
static inline bool net_cluster_known(const char *name)
{
	return !strcmp(name, "swarm");
}

/* Options of a host (namespace or container). */
struct net_host_opts {
	const char *ip;		/* "10.0.0.1/24"; NULL: next from the plan */
	const char *mac;	/* NULL: from the plan (--mac) or kernel's */
	const char *default_route;	/* Mininet's defaultRoute: "via GW",
					   "dev IFNAME" or a bare GW; NULL */
	const struct host_cpu *cpu;	/* CPU limits (node/host.h); NULL:
					   the net's --host */
};

struct net_switch_opts {
	const char *kind;	/* NULL: the net's switch kind */
	uint64_t dpid;		/* 0: from the name as Mininet (no digit in
				   it: an error) */
	bool stp;
	const char *controller;	/* name of its controller; NULL: all the
				   net's controllers */
};

struct net_link_opts {
	const char *intf1, *intf2;	/* NULL: "<node>-eth<port>" */
	int port1, port2;		/* -1: next free */
	unsigned int mtu;		/* 0: kernel default */
	const char *mac1, *mac2;	/* NULL: plan/kernel */
	const char *ip1, *ip2;		/* NULL: the node's default */
	const struct shaping *shaping1;	/* end 1's egress; NULL: none */
	const struct shaping *shaping2;	/* end 2's egress; NULL: none */
};

struct net *net_create(const struct net_opts *opts, struct emu_err *err);
void net_destroy(struct net *net);

/* The run's tag, e.g. "cn1234": prefix of namespaces, OVS external_ids
 * and Docker labels. */
const char *net_run_tag(const struct net *net);
/* The private OVS's run directory, where its ovs-vswitchd reaches unix
 * socket controllers and keeps its management sockets (s1.mgmt); starts
 * it when it does not run yet.  NULL with 'err' set when it cannot. */
const char *net_ovs_rundir(struct net *net, struct emu_err *err);
/* The datapath ID of switch 'sw' (given, or derived from its name as
 * Mininet does); 0 when 'sw' is not a switch of 'net'. */
uint64_t net_switch_dpid(const struct net *net, const struct node *sw);
/* The run's directory, "/run/cnemu/<tag>" (controller pid files); NULL
 * before start and in a cluster run (nothing of it is on this machine). */
const char *net_run_dir(const struct net *net);
/* The cluster engine the net runs over ("swarm"); NULL: this machine. */
const char *net_cluster(const struct net *net);
/* The machine that runs 'node' in a started cluster run; NULL on one
 * machine or before start. */
const char *net_node_machine(const struct net *net, const struct node *node);
/* False when 'link' is not cut between two machines of a started cluster
 * run; else fills 'cut' (strings valid until the run stops). */
bool net_link_cut(const struct net *net, const struct link *link,
		  struct net_cut *cut);
/* The options 'net' was created with (strings borrowed from 'net';
 * link_defaults and cluster_ops as given). */
const struct net_opts *net_options(const struct net *net);

struct node *net_add_host(struct net *net, const char *name,
			  const struct net_host_opts *opts,
			  struct emu_err *err);
/* Adds a Docker container as a host (node/docker.h has the options). */
struct docker_opts;
struct node *net_add_docker(struct net *net, const char *name,
			    const struct docker_opts *opts,
			    struct emu_err *err);
/* Options of a NAT (Mininet's addNAT). */
struct net_nat_opts {
	const char *ip;		/* its address toward the hosts, the hosts'
				   gateway; NULL: the next of the plan */
	const char *subnet;	/* masqueraded; NULL: the net's ipbase */
	struct node *connect;	/* the switch it is linked to; NULL: the
				   first switch */
	bool no_connect;	/* Mininet's connect=False: no link and no
				   default routes */
};

/* Adds Mininet's NAT 'name' (NULL: "nat0"; node/nat.h): a node in the
 * machine's namespace linked to a switch, and the default gateway of
 * every host added so far (their defaultRoute becomes "via <its IP>").
 * Only before start.  Returns the node (lent) or NULL. */
struct node *net_add_nat(struct net *net, const char *name,
			 const struct net_nat_opts *opts,
			 struct emu_err *err);
struct node *net_add_switch(struct net *net, const char *name,
			    const struct net_switch_opts *opts,
			    struct emu_err *err);
/* Adds the controller 'name' (NULL opts: builtin in topo mode); started
 * at once when the net runs.  Without any, net_start() adds "c0" from
 * net_opts.controller, or the builtin one when OVS switches need one. */
struct node *net_add_controller(struct net *net, const char *name,
				const struct controller_opts *opts,
				struct emu_err *err);
/* The graph of every OVS switch under a controller, the links between
 * them (those set down marked so) and the hosts on them (topo/graph.h),
 * as the builtin controller's topology file gives it; the caller
 * destroys it.  A host is in it once its MAC is known (given, or its
 * interface made). */
struct topo_graph *net_topology(const struct net *net);
/* Gives every builtin controller of the Net (topo mode) the topology file
 * text 'text' instead of the one the Net writes of its own switches:
 * a cluster machine's part gets the whole run's, where the other
 * machines' switches are 'remote'.  NULL: the Net's own again.  On a
 * running Net, the controllers read it at once.  Returns 0, or -EINVAL
 * naming the bad line. */
int net_set_controller_topology(struct net *net, const char *text,
				struct emu_err *err);
/* Pins 'node' to a machine of the cluster: 'placement' is a machine's
 * hostname ("m2") or "key=value" of its node labels ("rack=a"); NULL
 * unpins.  Only before start; kept (and ignored) on a net of one machine,
 * so that --plan and a cluster run read the same script.  Returns 0, or
 * -EINVAL with a sentence for an empty or malformed text, -EBUSY after
 * start. */
int net_set_placement(struct net *net, struct node *node,
		      const char *placement, struct emu_err *err);
/* Checks that the running nodes still work (their kind's 'check'): a
 * controller or container that died, ovs-vswitchd gone; in a cluster run,
 * a machine lost.  Warns once about each; a dead controller is then not
 * running, a dead container has lost its links, a lost machine's nodes
 * answer nothing.  A cluster run with NET_LOSS_STOP that lost a machine
 * is stopped here (net_stopped_by_loss()).  Returns how many nodes died
 * since the last check. */
int net_check_nodes(struct net *net);
/* True when the node 'node' of a started cluster run is on a lost
 * machine. */
bool net_node_is_lost(const struct net *net, const struct node *node);
/* True once net_check_nodes() stopped the run for a lost machine. */
bool net_stopped_by_loss(const struct net *net);
struct link *net_add_link(struct net *net, struct node *a, struct node *b,
			  const struct net_link_opts *opts,
			  struct emu_err *err);
/* Builds the built-in topology 'spec' ("tree,depth=2,fanout=3"). */
int net_build(struct net *net, const char *spec, struct emu_err *err);

/* Makes everything on the machine; returns once every switch is connected
 * to its controllers and they have installed what the first packet needs
 * (net_wait_connected() with its default wait). */
int net_start(struct net *net, struct emu_err *err);
/* Mininet's waitConnected: waits until every running OVS switch under a
 * controller is ready there (the builtin: its flows in place, barrier
 * answered; others: connected), at most 'timeout_ms' (< 0: until
 * NET_CONNECT_IDLE_MS pass with no switch getting ready).  Warns, one line
 * per controller, about those that did not get all their switches.
 * True when all are ready (also when there is nothing to wait for). */
bool net_wait_connected(struct net *net, int timeout_ms);
#define NET_CONNECT_IDLE_MS 3000
void net_stop(struct net *net);
bool net_is_started(const struct net *net);

struct node *net_get(const struct net *net, const char *name);
/* The nodes in order of addition; '*n' gets their count. */
struct node **net_nodes(const struct net *net, size_t *n);
struct link **net_links(const struct net *net, size_t *n);

/* Starts the stopped switch 'sw' of a started net again, its ports and
 * links as they were (Mininet's 'switch S start').  Returns 0 or a
 * negative errno. */
int net_start_switch(struct net *net, struct node *sw, struct emu_err *err);
/* Stops the switch 'sw' of a started net (the bridge goes away, its links
 * stay; Mininet's 'switch S stop').  Returns 0 or a negative errno. */
int net_stop_switch(struct net *net, struct node *sw, struct emu_err *err);

/* Removes 'link' from the net: from its switches' ports and the machine
 * when made, then frees it and its two interfaces (Containernet's
 * removeLink).  Returns 0, or -ENOENT when 'link' is not in 'net'. */
int net_remove_link(struct net *net, struct link *link, struct emu_err *err);
/* Removes 'node' with its links: stops it when it runs and frees it
 * (Containernet's removeDocker, Mininet's delNode); pointers to it and
 * its links are invalid afterwards.  Returns 0, or -ENOENT. */
int net_remove_node(struct net *net, struct node *node, struct emu_err *err);
/* Sets every link between 'a' and 'b' up or down (Mininet's
 * configLinkStatus); -ENOENT when they are not connected, -ENETDOWN
 * before start. */
int net_set_link_up(struct net *net, struct node *a, struct node *b,
		    bool up, struct emu_err *err);
/* The links between 'a' and 'b' in order of addition ('*n' gets their
 * count, 0 when they are not connected); the array is the caller's to
 * free, the links are lent. */
struct link **net_links_between(const struct net *net, const struct node *a,
				const struct node *b, size_t *n);
/* Changes the shaping of 'link' (NULL leaves an end as it is; on a made
 * link at once, see link_set_shaping()): the CLI's 'set link', Lua's
 * link:config and intf:config.  Returns 0, -ENOENT when 'link' is not in
 * 'net', or a negative errno with the old shaping kept. */
int net_set_link_shaping(struct net *net, struct link *link,
			 const struct shaping *shaping1,
			 const struct shaping *shaping2, struct emu_err *err);
/* Gives the interface 'intf' of 'node' (NULL: the first; the first link's
 * when it has none yet) the IPv4 address 'ip' ("10.0.0.1/24"; without a
 * prefix, the ipbase's), replacing its IPv4 addresses when it is made
 * (Mininet's setIP). */
int net_set_ip(struct net *net, struct node *node, const char *intf,
	       const char *ip, struct emu_err *err);
/* Mininet's setDefaultRoute: 'route' is "via GW", "dev IFNAME", a bare
 * gateway or one of the node's interface names; replaces the node's
 * default route at once when it runs, else it is set at start. */
int net_set_default_route(struct net *net, struct node *node,
			  const char *route, struct emu_err *err);
/* Gives the interface 'intf' of 'node' (NULL as net_set_ip()) the MAC
 * 'mac' ("00:00:00:00:00:01"), at once when it is made (setMAC). */
int net_set_mac(struct net *net, struct node *node, const char *intf,
		const char *mac, struct emu_err *err);
/* Mininet's setCPUFrac and setCPUs of the CPU-limited host 'node'
 * (node/host.h): its share of the machine, with 'sched' "cfs" or "rt"
 * (NULL: as it was made), or its cores ("0-1").  Returns 0, -ENOENT when
 * 'node' is not in 'net', or a negative errno with 'err' set. */
int net_set_cpu_frac(struct net *net, struct node *node, double frac,
		     const char *sched, struct emu_err *err);
int net_set_cpus(struct net *net, struct node *node, const char *cores,
		 struct emu_err *err);
/* The MAC of 'intf' written into 'buf': the one it was given, else the
 * kernel's, read in its node's namespace; NULL before its link is made. */
struct node_intf;
const char *net_intf_mac(const struct node_intf *intf, char *buf,
			 size_t size);

#endif
