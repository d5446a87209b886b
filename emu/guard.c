#include "emu/guard.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/err.h"

/* Per object, kB: a host is a namespace with its veths and route tables
 * in the kernel; a container adds its shim, its init and Docker's
 * bookkeeping; a pumped link may fill two 16 MB socket buffers a
 * direction, of which a loaded link uses a quarter; a private OVS is an
 * ovsdb-server and an ovs-vswitchd (18.5 MB PSS together, measured);
 * cnemu itself and its controller. */
#define GUARD_HOST_KB 512ULL
#define GUARD_CONTAINER_KB (32ULL << 10)
#define GUARD_SWITCH_KB 256ULL
#define GUARD_LINK_KB 128ULL
#define GUARD_PUMPED_KB (16ULL << 10)
#define GUARD_OVS_KB (24ULL << 10)
#define GUARD_BASE_KB (24ULL << 10)

unsigned long long guard_need_kb(const struct guard_needs *n)
{
	return GUARD_BASE_KB + n->hosts * GUARD_HOST_KB +
	       n->containers * GUARD_CONTAINER_KB +
	       n->switches * GUARD_SWITCH_KB + n->links * GUARD_LINK_KB +
	       n->impaired_links * GUARD_PUMPED_KB +
	       (n->ovs ? GUARD_OVS_KB : 0);
}

/* cnemu holds a namespace fd of each node (the socket it configures a
 * node with is closed before the next: counted once in the 64), the pump
 * two sockets a pumped link.  10 000 hosts fit under 20 000. */
unsigned long long guard_need_fds(const struct guard_needs *n)
{
	return 64 + (n->hosts + n->containers + n->switches) +
	       4 * n->impaired_links;
}

/* A container's shim, init and command; the OVS daemons' threads; the
 * controller, pump and a pingall's pings. */
unsigned long long guard_need_tasks(const struct guard_needs *n)
{
	return 64 + 4 * n->containers + (n->ovs ? 16 : 0);
}

static void guard_size(unsigned long long kb, char *buf, size_t size)
{
	if (kb >= 1ULL << 20)
		snprintf(buf, size, "%.1f GB", kb / (double)(1ULL << 20));
	else
		snprintf(buf, size, "%llu MB", (kb + 1023) >> 10);
}

int guard_check(const char *lab, const struct guard_needs *n,
		const struct guard_have *h, struct emu_err *err)
{
	unsigned long long kb = guard_need_kb(n), fds = guard_need_fds(n);
	unsigned long long tasks = guard_need_tasks(n);
	char need[32], have[32];

	if (h->mem_kb && kb > h->mem_kb) {
		guard_size(kb, need, sizeof(need));
		guard_size(h->mem_kb, have, sizeof(have));
		return emu_err_set(err, -ENOMEM,
				   "lab '%s' does not fit: it needs about %s "
				   "of memory (%zu hosts, %zu containers, %zu "
				   "links), the machine has %s available",
				   lab, need, n->hosts, n->containers, n->links,
				   have);
	}
	if (h->fds && fds > h->fds)
		return emu_err_set(err, -EMFILE,
				   "lab '%s' does not fit: it needs about %llu "
				   "file descriptors, the limit is %llu (ulimit "
				   "-Hn)",
				   lab, fds, h->fds);
	if (h->tasks && tasks > h->tasks)
		return emu_err_set(err, -EAGAIN,
				   "lab '%s' does not fit: it needs about %llu "
				   "tasks, the kernel allows %llu more "
				   "(kernel.threads-max)",
				   lab, tasks, h->tasks);
	return 0;
}

static unsigned long long guard_read_ull(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* Threads running on the machine: the 4th field of /proc/loadavg
 * ("running/total"). */
static unsigned long long guard_tasks_running(void)
{
	unsigned long long running = 0, total = 0;
	FILE *f = fopen("/proc/loadavg", "re");

	if (f) {
		if (fscanf(f, "%*s %*s %*s %llu/%llu", &running, &total) != 2)
			total = 0;
		fclose(f);
	}
	return total;
}

int guard_read_machine(struct guard_have *h)
{
	unsigned long long max, pid_max, total;
	char key[64];
	unsigned long long v;
	struct rlimit rl;
	FILE *f;

	memset(h, 0, sizeof(*h));
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu kB ", key, &v) == 2)
		if (!strcmp(key, "MemAvailable:"))
			h->mem_kb = v;
	fclose(f);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max != RLIM_INFINITY)
		h->fds = (unsigned long long)rl.rlim_max;
	max = guard_read_ull("/proc/sys/kernel/threads-max");
	pid_max = guard_read_ull("/proc/sys/kernel/pid_max");
	if (pid_max && (!max || pid_max < max))
		max = pid_max;
	total = guard_tasks_running();
	if (max)
		h->tasks = max > total ? max - total : 1;
	return 0;
}
