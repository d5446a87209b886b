/* The Net's own header, for emu/net*.c only: the struct and what its files
 * share.  net.c: the life cycle (describe, start, stop, remove);
 * net_ctl.c: the controllers' bookkeeping (which switch under which
 * controller, dpids, targets, the topology file, waiting for them);
 * net_intf.c: addresses, MACs and routes of the nodes' interfaces;
 * net_arp.c: the kernel's neighbour tables (limits, static ARP). */
#ifndef EMU_NET_INTERNAL_H
#define EMU_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/net.h"
#include "link/engine.h"
#include "link/shaping.h"
#include "node/host.h"
#include "node/node.h"
#include "topo/index.h"
#include "topo/plan.h"

/* Node names leave room for "-eth<port>" within IFNAMSIZ. */
#define NET_NAME_MAX 10

/* What the controllers need to know of a switch. */
struct net_switch_info {
	struct node *node;
	uint64_t dpid;			/* as the switch was given it */
	char *controller;		/* its controller's name; NULL: all */
	bool managed;			/* OVS under a controller */
	const char *targets[2];		/* for net_switch_controller_targets */
};

struct net {
	struct run *run;		/* lock and run directory; NULL until
					   started */
	char tag[24];			/* "cn<pid>", the run's tag */
	char *alias;			/* "cnemu:<tag>" */
	const struct node_kind *switch_kind;	/* --switch (node/kinds.h) */
	bool switch_stp;
	bool standalone;		/* OVS without controller */
	bool auto_mac;
	bool auto_arp;			/* --arp: static ARP on every host */
	struct host_cpu host_cpu;	/* --host: every host's CPU limits */
	char *host_buf;			/* strings of 'host_cpu' */
	char *cluster;			/* net_opts.cluster; NULL */
	const struct net_cluster_ops *cluster_ops;	/* NULL */
	void *cluster_state;		/* its start's; NULL when stopped */
	bool stopped_by_loss;		/* a machine lost, NET_LOSS_STOP */
	struct net_opts opts;		/* as given, strings in 'opts_strs' */
	char *opts_strs[6];
	struct plan_net ipbase;
	unsigned long next_ip;		/* index of the next host address */
	struct shaping link_defaults;
	bool has_link_defaults;
	struct node **nodes;		/* owned, in order of addition */
	size_t n_nodes, cap_nodes;
	struct topo_index node_names;	/* name -> node */
	struct link **links;		/* owned */
	size_t n_links, cap_links;
	struct nlsock *root_nl;
	struct link_engine engine;	/* netem or the pump */
	struct node_ctx ctx;		/* lent to every node */
	struct vswitch *vswitch;	/* the run's private OVS, in the
					   switch namespace; made on first
					   use */
	struct ovs_switch_db *ovs_db;	/* to it; made on first use */
	uint32_t group;			/* IFLA_GROUP of root-side ends */
	bool started;
	char *controller_spec;		/* --controller; NULL: the default */
	struct net_switch_info *sw_info;	/* one per switch */
	size_t n_sw_info, cap_sw_info;
	const char **ctl_targets;	/* for net_controller_targets(), room
					   for every controller */
	size_t cap_ctl_targets;
	struct topo_graph *ctl_topology;	/* given by
					   net_set_controller_topology(); NULL:
					   each controller's own */
};

/* net.c */
/* Adds 'node' to the net (takes ownership, also on failure: a bad or
 * taken name frees it). */
int net_add_node(struct net *net, struct node *node, struct emu_err *err);
/* Starts 'node' alone on a running net (prepare, then start). */
int net_start_node(struct net *net, struct node *node, struct emu_err *err);
size_t net_count_role(const struct net *net, enum node_role role);

/* net_ctl.c */
/* Node kinds' questions (node_ctx): the controller targets of switch
 * 'sw'; the topology file of 'controller'.  'owner' is the net. */
const char *const *net_switch_targets(void *owner, const struct node *sw);
int net_write_topology(void *owner, const struct node *controller,
		       const char *path, struct emu_err *err);
/* Notes the switch 'node' for the controllers: its dpid, the controller
 * it names (NULL: all; copied), whether one manages it. */
void net_note_switch(struct net *net, struct node *node, uint64_t dpid,
		     const char *controller, bool managed);
/* Forgets the switch 'node' in the controllers' table. */
void net_forget_switch(struct net *net, const struct node *node);
/* The dpid of switch 'name' when none was given (see net_ctl.c). */
int net_default_dpid(const struct net *net, const char *name,
		     uint64_t *dpid, struct emu_err *err);
/* True when the controller kind 'kind' stands for no controller. */
bool net_kind_absent(const char *kind);
/* Before start: adds "c0" when switches need one; checks the names. */
int net_prepare_controllers(struct net *net, struct emu_err *err);
/* Rewrites the running controllers' topology files and tells them. */
int net_update_controllers(struct net *net, struct emu_err *err);

/* net_intf.c */
/* Addresses, MTU, up and the default route of 'node''s made links. */
int net_config_node(struct net *net, struct node *node, struct emu_err *err);

/* net_arp.c */
/* Raises the kernel's neighbour table limits for the run's hosts. */
void net_raise_neigh_limits(struct net *net);
/* Mininet's --arp: static ARP entries between all hosts. */
int net_static_arp(struct net *net, struct emu_err *err);

#endif
