/* The placement of a described Net over the machines of a cluster: which
 * machine runs each node, and which links are cut (their two ends on two
 * machines: a VXLAN tunnel each, with its own VNI).
 *
 * plan_place() reads the Net (nodes, links, their shaping and the pins of
 * net_set_placement()) and the machines, and decides; it touches nothing
 * on any machine, and the same Net over the same machines always gets the
 * same placement.  Pinned nodes go where their pin says (a machine's
 * hostname, or "key=value" of its labels: any machine that has it); the
 * others are spread in proportion to each machine's cores and memory,
 * cutting as little link bandwidth as the balance lets: a greedy growth
 * of one region per machine, then moves and swaps of single nodes while
 * they lower the cut.  Every host, container and switch weighs 1;
 * controllers weigh nothing and go where they are pinned, else to the
 * first machine.
 *
 * A struct placement is used by value: plan_place() fills it, the caller
 * releases it with placement_release(). */
#ifndef CLUSTER_PLAN_H
#define CLUSTER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct emu_err;
struct net;

/* One machine of the cluster (borrowed strings). */
struct plan_machine {
	const char *name;		/* its hostname: "m1" */
	const char *const *labels;	/* "key=value", its node labels */
	size_t n_labels;
	unsigned int cores;		/* 0: unknown */
	uint64_t mem_bytes;		/* 0: unknown */
};

/* A link whose ends are on two machines. */
struct plan_cut {
	size_t link;		/* index in net_links() */
	size_t m1, m2;		/* machines of its end 1 and end 2 */
	uint32_t vni;		/* the tunnel's VXLAN network identifier */
};

struct placement {
	size_t n_nodes;		/* as net_nodes() at plan_place() */
	size_t *machine;	/* node index (net_nodes() order) ->
				   machine index */
	struct plan_cut *cuts;	/* in net_links() order */
	size_t n_cuts;
	size_t n_links;		/* as net_links() at plan_place() */
};

/* The VNI of the first cut link; the others follow it.  Outside the
 * range Docker's overlay networks take (4096 up). */
#define PLAN_VNI_BASE 0x636e01u
/* How far a machine may go past its share of the nodes, in percent, for
 * a smaller cut. */
#define PLAN_SLACK_PCT 10
/* The bandwidth a link without a rate counts for, in Mbit/s. */
#define PLAN_UNSHAPED_MBIT 10000

/* Places the nodes of 'net' over the 'n_machines' machines 'm' into
 * 'out' (the caller releases it).  Returns 0, or -EINVAL with one
 * sentence: no machine, or a pin that names no machine. */
int plan_place(const struct net *net, const struct plan_machine *m,
	       size_t n_machines, struct placement *out,
	       struct emu_err *err);

/* Writes what 'cnemu --cluster swarm --plan' shows of 'pl' (placed by
 * plan_place() from 'net' over 'm'): the machines with their cores,
 * memory and how many nodes of each role they get, each node's machine,
 * and the cut links with their bandwidth and VNI. */
void plan_print(FILE *f, const struct net *net, const struct plan_machine *m,
		size_t n_machines, const struct placement *pl);

/* The bandwidth link 'i' of 'net' counts for in the cut, Mbit/s: its
 * faster direction's rate, PLAN_UNSHAPED_MBIT when a direction has
 * none. */
uint64_t plan_link_mbit(const struct net *net, size_t i);

/* Frees what 'p' holds (accepts a zeroed one). */
void placement_release(struct placement *p);

/* True when the pin 'pin' (a node's placement: a hostname, or a node
 * label "key=value") names the machine 'm'. */
bool plan_pin_matches(const char *pin, const struct plan_machine *m);

#endif
