/* The manager of a cluster run: the side of 'cnemu --cluster swarm' on a
 * Swarm manager.  It reads the machines of the Swarm ($DOCKER_HOST,
 * cluster/swarm.h) and places the described Net over them
 * (cluster/plan.h); --plan prints that placement and starts nothing.
 *
 * The machines of a placement are the Swarm's ready nodes sorted by
 * hostname, so that the same Swarm always gets the same placement. */
#ifndef CLUSTER_MANAGER_H
#define CLUSTER_MANAGER_H

#include <stddef.h>
#include <stdio.h>

struct emu_err;
struct net;
struct plan_machine;
struct swarm_machine;

/* Fills 'out' (room for 'n') with the ready machines among the 'n' of
 * 'sm', sorted by hostname; 'out' borrows their strings.  Returns how many
 * it wrote. */
size_t manager_plan_machines(const struct swarm_machine *sm, size_t n,
			     struct plan_machine *out);

/* --plan: lists the Swarm's machines ($DOCKER_HOST), places 'net' over
 * the ready ones and prints the placement to 'f' (plan_print()).  Starts
 * and changes nothing.  Returns 0 or a negative errno with one sentence
 * (no Swarm there, a pin naming no machine). */
int manager_print_plan(const struct net *net, FILE *f, struct emu_err *err);

#endif
