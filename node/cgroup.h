/* CPU cgroups of hosts (Mininet's CPULimitedHost): one cgroup per host,
 * named "<tag>-<host>", in the cpu, cpuacct and cpuset hierarchies of
 * cgroup v1 (wherever each is mounted, co-mounted or not) or in the
 * unified hierarchy of cgroup v2 when the cpu controller is there.
 *
 * cgroup_create() notes the cgroup's directories in the run directory,
 * then makes them; every process the host runs enters the cgroup
 * between fork and exec (cgroup_enter()); cgroup_destroy() removes the
 * directories (their processes must be gone) and the note.
 * cgroup_cleanup() removes what dead runs noted, and nothing else.
 *
 * CPU bandwidth is Mininet's: a fraction of the whole machine, so that
 * cpu=0.5 on 2 cores is one core's worth (quota = period x f x cores);
 * sched "rt" gives the group real-time runtime (period x f of each core,
 * cgroup v1 with RT group scheduling only) and its processes SCHED_RR
 * priority 20. */
#ifndef NODE_CGROUP_H
#define NODE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct cgroup;

/* Where the hierarchies are mounted, read from /proc/self/mounts. */
struct cgroup_layout {
	bool v2;		/* the cpu controller is cgroup v2's */
	char cpu[128];		/* v1 mount points ("" when absent); v2: */
	char cpuacct[128];	/* all three the unified mount point */
	char cpuset[128];
};

/* Fills 'l' from the text of /proc/self/mounts: the v1 hierarchies when
 * one has the cpu controller, else the cgroup2 mount ('v2').  -ENOENT
 * when neither is there. */
int cgroup_parse_mounts(const char *mounts, struct cgroup_layout *l,
			struct emu_err *err);

/* The note of a host's cgroup in the run directory: "cgroup.<host>". */
#define CGROUP_NOTE_PREFIX "cgroup."

/* Mininet's CFS figures for the fraction 'frac' of a machine of 'cores':
 * quota = period x frac x cores, at least 1000 us (the period grows to
 * keep the fraction); 'frac' <= 0: no limit ('*quota_us' -1). */
void cgroup_cfs_figures(double frac, unsigned int period_us,
			unsigned int cores, long *quota_us, long *period_out);

/* Makes the cgroup 'name' ("cn12-h1"); notes its directories in the file
 * 'note' first (NULL: none).  Returns it (the caller's) or NULL. */
struct cgroup *cgroup_create(const char *name, const char *note,
			     struct emu_err *err);
/* Sets the CPU fraction 'frac' of the machine with 'rt' (else CFS) over
 * 'period_us' (0: 100000); 'frac' <= 0 with CFS removes the limit. */
int cgroup_set_cpu(struct cgroup *cg, double frac, bool rt,
		   unsigned int period_us, struct emu_err *err);
/* Pins the cgroup to the cores 'cores' ("0", "0-1,3"); processes already
 * in the cgroup move along. */
int cgroup_set_cpus(struct cgroup *cg, const char *cores,
		    struct emu_err *err);
/* CPU time used by the cgroup's processes so far, ns; -1 unknown. */
long long cgroup_usage_ns(const struct cgroup *cg);
/* Where the usage is read ("/sys/fs/cgroup/cpuacct/cn12-h1/..."). */
const char *cgroup_usage_path(const struct cgroup *cg);
/* In a child after fork(): moves the calling process into 'cg' (and
 * SCHED_RR when it has real-time runtime); only async-signal-safe
 * calls.  0 or a negative errno. */
int cgroup_enter(const struct cgroup *cg);
/* Removes the cgroup (retrying while its processes exit) and its note;
 * accepts NULL. */
void cgroup_destroy(struct cgroup *cg);

/* Removes the cgroups noted in the run directories of the runs 'is_dead'
 * says died ("cgroup.*" files); returns how many. */
int cgroup_cleanup(bool (*is_dead)(const char *tag, void *aux), void *aux);

#endif
