/* The manager of a cluster run: the side of 'cnemu --cluster swarm' on a
 * Swarm manager.  It reads the machines of the Swarm and places the
 * described Net over them (cluster/plan.h); --plan prints that placement
 * and starts nothing.
 *
 * A run (manager_ops, the Net's struct net_cluster_ops): the run's key
 * (32 random bytes) becomes a Swarm secret, the agents a global service
 * ('cnemu --agent' in the image MANAGER_IMAGE on every machine, the
 * secret mounted); the manager connects to each agent over the channel
 * (cluster/chan.h), sends each machine its part (cluster/part.h) and
 * waits until all run.  Commands in nodes run as local relays
 * ('cnemu --agent-exec', reading the key from a memory file of the
 * manager's that dies with it); link changes go to the agents of their
 * ends; nodes and links added or removed while the run goes are placed
 * and made, or removed, on their machines (a new link between machines
 * is a new cut link with a VNI of its own).  Manager and agents beat on
 * their channels (CHAN_BEAT_MS): a machine heard nothing of for
 * CHAN_SILENT_MS is lost as one whose agent closed the channel.  The
 * stop asks every agent to remove its part, then removes the service and
 * the secret: nothing of the run stays on any machine.  When the manager
 * is killed, or frozen, each agent removes its part by itself.  A run's
 * agents listen on a port, and its cut links use VNIs, that no other
 * run on the Swarm holds.
 *
 * The machines of a placement are the Swarm's ready nodes sorted by
 * hostname, so that the same Swarm always gets the same placement. */
#ifndef CLUSTER_MANAGER_H
#define CLUSTER_MANAGER_H

#include <stddef.h>
#include <stdio.h>

struct emu_err;
struct net;
struct net_cluster_ops;
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

/* cnemu -c --cluster swarm, on a Swarm manager ($DOCKER_HOST): removes
 * the cluster runs whose manager ran on this machine and is dead (their
 * agents' services, so each agent removes its machine's part, and their
 * keys), keeps the others, and says on 'f' what it did with each; then
 * runs 'cnemu -c' on every ready machine (a one-shot global service),
 * which removes what dead runs left there (a lost machine's part, back
 * with its engine).  Returns 0 or the first failure's negative errno with
 * 'err' set. */
int manager_clean(FILE *f, struct emu_err *err);

/* The agents' image, on every machine (scripts/agent-image.sh). */
#define MANAGER_IMAGE "cnemu/agent:latest"
/* How long the agents may take to run, to answer, to build their part. */
#define MANAGER_DEPLOY_MS 60000
#define MANAGER_CONNECT_MS 20000
#define MANAGER_BUILD_MS 300000
/* The agents of a run listen on one of the ports from CHAN_PORT on, one
 * not taken by another run's agents: runs side by side at most. */
#define MANAGER_PORTS 64
/* ... and the VNIs from PLAN_VNI_BASE + its port's rank times this on:
 * cut links of one run at most (64 of them fit under 2^24). */
#define MANAGER_RUN_VNIS 65536u

/* What runs a Net over Docker Swarm (net_opts.cluster_ops). */
extern const struct net_cluster_ops manager_ops;

#endif
