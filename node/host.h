/* Hosts: each a named network namespace (/run/netns/<tag>-<name>, so that
 * 'ip netns exec' works for debugging) with loopback up.
 *
 * host_create() makes the node object only; the Net starts it (the
 * namespace is made) and stops it (processes killed, namespace removed). */
#ifndef NODE_HOST_H
#define NODE_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct nlsock;
struct node;
struct node_ctx;

/* CPU limits of a host (Mininet's CPULimitedHost, node/cgroup.h): a host
 * with 'limited' gets a cgroup of its own at start, which every process it
 * runs enters. */
struct host_cpu {
	bool limited;		/* a CPULimitedHost (a cgroup) */
	double cpu;		/* fraction of the whole machine (0.5 on 2
				   cores: one core's worth); <= 0: none */
	bool rt;		/* sched "rt", else "cfs" */
	unsigned int period_us;	/* 0: 100000 */
	const char *cores;	/* cpuset "0-1"; NULL: every core */
};

/* Parses Mininet's --host "proc" (no limits), "cfs[,cpu=F,period_us=N,
 * cores=C]" or "rt[,...]" into 'cpu'; strings point into '*buf' (the
 * caller frees).  -EINVAL with a sentence naming the bad part. */
int host_cpu_parse(const char *spec, struct host_cpu *cpu, char **buf,
		   struct emu_err *err);

/* Returns a new host node named 'name' of the run 'ctx' (the caller owns it
 * it hands it to the Net), with the CPU limits 'cpu' (copied; NULL:
 * none). */
struct node *host_create(struct node_ctx *ctx, const char *name,
			 const struct host_cpu *cpu);

/* Mininet's setCPUFrac: the fraction 'frac' of the machine for the
 * running CPU-limited host 'node' ('frac' <= 0: no limit), 'sched' "cfs"
 * or "rt" (NULL: the host's).  -EINVAL when it has no CPU limits. */
int host_set_cpu_frac(struct node *node, double frac, const char *sched,
		      struct emu_err *err);
/* Mininet's setCPUs: pins the running CPU-limited host 'node' to
 * 'cores' ("0", "0-1"). */
int host_set_cpus(struct node *node, const char *cores,
		  struct emu_err *err);
/* CPU time the processes of the CPU-limited host 'node' used, ns; -1 when
 * it has no cgroup. */
long long host_cpu_usage_ns(const struct node *node);

/* Kills every process whose network namespace is one of the 'n' of
 * 'nsfds' (one pass over /proc for them all), each through a pidfd so
 * that a pid taken meanwhile by another process is never hit.  The
 * machine's own namespace and this process's are skipped, whatever
 * 'nsfds' says. */
void host_netns_kill_all(const int *nsfds, size_t n);

#endif
