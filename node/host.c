#include "node/host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/proc.h"
#include "base/run.h"
#include "base/util.h"
#include "base/workers.h"
#include "link/nl.h"
#include "node/cgroup.h"
#include "node/node.h"

EMU_LOG_MODULE(host);

struct host {
	struct node node;
	char *ns_name;		/* "<tag>-<name>" under /run/netns */
	struct host_cpu cpu;	/* 'cores' owned */
	struct cgroup *cg;	/* CPU-limited while running; NULL */
};

/* True when 'st' is one of the 'n' namespaces of 'want'. */
static bool host_ns_wanted(const struct stat *st, const struct stat *want,
			   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (st->st_ino == want[i].st_ino &&
		    st->st_dev == want[i].st_dev)
			return true;
	return false;
}

/* True when 'st' is the machine's own network namespace or ours: never
 * one whose processes are killed. */
static bool host_ns_protected(const struct stat *st)
{
	static const char *const own[] = { "/proc/1/ns/net",
					   "/proc/self/ns/net" };
	struct stat o;

	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (!stat(own[i], &o) && o.st_ino == st->st_ino &&
		    o.st_dev == st->st_dev)
			return true;
	return false;
}

void host_netns_kill_all(const int *nsfds, size_t n)
{
	struct stat *want = xcalloc(n, sizeof(*want)), st;
	size_t k = 0;
	struct dirent *de;
	DIR *dir;

	for (size_t i = 0; i < n; i++)
		if (nsfds[i] >= 0 && fstat(nsfds[i], &want[k]) == 0 &&
		    !host_ns_protected(&want[k]))
			k++;
	dir = k ? opendir("/proc") : NULL;
	while (dir && (de = readdir(dir))) {
		char path[300];
		long pid;
		int pidfd;

		if (str_to_long(de->d_name, 1, INT_MAX, &pid) ||
		    pid == getpid())
			continue;
		/* The pidfd first: if the namespace seen next is not its
		 * process's (the pid was taken since), the signal finds that
		 * process gone and reaches no other. */
		pidfd = proc_pidfd_open((pid_t)pid);
		if (pidfd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &st) == 0 && host_ns_wanted(&st, want, k))
			proc_pidfd_signal(pidfd, SIGKILL);
		close(pidfd);
	}
	if (dir)
		closedir(dir);
	free(want);
}

/* Gives a CPU-limited host its cgroup with its limits (Mininet's
 * CPULimitedHost.config). */
static int host_start_cgroup(struct host *h, struct emu_err *err)
{
	char *note;
	int ret = 0;

	if (!h->cpu.limited)
		return 0;
	note = xasprintf("%s/" CGROUP_NOTE_PREFIX "%s",
			 h->node.ctx->run_dir, h->node.name);
	h->cg = cgroup_create(h->ns_name, note, err);
	free(note);
	if (!h->cg)
		return err && err->code ? err->code : -EIO;
	if (h->cpu.cpu > 0)
		ret = cgroup_set_cpu(h->cg, h->cpu.cpu, h->cpu.rt,
				     h->cpu.period_us, err);
	if (!ret && h->cpu.cores)
		ret = cgroup_set_cpus(h->cg, h->cpu.cores, err);
	if (!ret && h->cpu.cpu > 0)
		log_info("*** '%s': %s %.0f%% of the machine's CPU",
			 h->node.name, h->cpu.rt ? "rt" : "cfs",
			 h->cpu.cpu * 100);
	return ret;
}

/* Many hosts' namespaces are made and removed by several threads at once
 * (base/workers.h).  Making one is the kernel's work in the thread that
 * unshares (two cores make two at once); each unmount waits for an RCU
 * grace period of its own (about a millisecond, more on a busy machine),
 * and concurrent unmounts share their waits: one after the other, 10 000
 * hosts took 12 s to stop. */
#define HOST_JOB_PER_THREAD 64	/* fewer hosts: fewer threads */

struct host_job {
	struct node **nodes;
	int (*fn)(struct host *h, struct emu_err *err);	/* one host */
};

static int host_job_one(void *aux, size_t i, struct emu_err *err)
{
	const struct host_job *job = aux;
	struct host *h = container_of(job->nodes[i], struct host, node);
	int ret = job->fn(h, err);

	if (ret)
		emu_err_prefix(err, "host '%s': ", h->node.name);
	return ret;
}

/* Runs 'fn' on each of the 'n' hosts 'nodes' in up to 'max_threads'
 * threads (this one included) and counts them on the progress line.
 * Stops taking hosts at the first failure: 0, or its negative errno with
 * 'err' set. */
static int host_run_all(struct node **nodes, size_t n,
			int (*fn)(struct host *h, struct emu_err *err),
			size_t max_threads, struct emu_err *err)
{
	struct host_job job = { nodes, fn };

	return workers_run(n, max_threads, HOST_JOB_PER_THREAD, host_job_one,
			   &job, err);
}

static int host_make_netns(struct host *h, struct emu_err *err)
{
	int fd = nlsock_netns_create(h->ns_name, NULL, err);

	if (fd < 0)
		return fd;
	h->node.nsfd = fd;
	h->node.running = true;
	return 0;
}

/* Takes the names of the namespaces the hosts are about to make, at once
 * (netns_reserve()). */
static int host_reserve_netns(struct node **nodes, size_t n,
			      struct emu_err *err)
{
	char **names = xcalloc(n ? n : 1, sizeof(*names));
	size_t k = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		if (nodes[i]->nsfd < 0)
			names[k++] = container_of(nodes[i], struct host,
						  node)->ns_name;
	ret = k > 1 ? netns_reserve(names, k, err) : 0;
	free(names);
	return ret;
}

static int host_start(struct node **nodes, size_t n, struct emu_err *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	ret = host_reserve_netns(nodes, n, err);
	if (!ret)
		ret = host_run_all(nodes, n, host_make_netns,
			   cores > 1 ? (size_t)cores : 1, err);
	for (size_t i = 0; i < n && !ret; i++) {
		struct host *h = container_of(nodes[i], struct host, node);

		ret = host_start_cgroup(h, err);
		if (ret)
			emu_err_prefix(err, "host '%s': ", h->node.name);
	}
	return ret;
}

static int host_delete_netns(struct host *h, struct emu_err *err)
{
	(void)err;
	netns_delete(h->ns_name);	/* says itself what it left */
	return 0;
}

static void host_stop(struct node **nodes, size_t n)
{
	int *fds = xcalloc(n, sizeof(*fds));

	for (size_t i = 0; i < n; i++)
		fds[i] = nodes[i]->nsfd;
	host_netns_kill_all(fds, n);
	free(fds);
	/* Every name goes before any namespace does: while the fds keep
	 * them, the kernel dismantles none of them yet, and the unmounts do
	 * not queue behind its grace periods (a bridge's port takes one
	 * each). */
	host_run_all(nodes, n, host_delete_netns, WORKERS_MAX, NULL);
	for (size_t i = 0; i < n; i++) {
		if (nodes[i]->nsfd >= 0) {
			close(nodes[i]->nsfd);
			nodes[i]->nsfd = -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct host *h = container_of(nodes[i], struct host, node);

		cgroup_destroy(h->cg);	/* its processes were killed */
		h->cg = NULL;
		h->node.running = false;
	}
}

/* In the child of node_spawn(): enters the host's cgroup. */
static int host_enter(const struct node *node)
{
	const struct host *h = container_of(node, struct host, node);

	return h->cg ? cgroup_enter(h->cg) : 0;
}

static void host_free(struct node *node)
{
	struct host *h = container_of(node, struct host, node);

	free(h->ns_name);
	free((char *)h->cpu.cores);
	free(h);
}

static const struct node_ops host_ops = {
	.kind = "host",
	.role = NODE_HOST,
	.start = host_start,
	.stop = host_stop,
	.enter = host_enter,
	.free = host_free,
};

struct node *host_create(struct node_ctx *ctx, const char *name,
			 const struct host_cpu *cpu)
{
	struct host *h = xcalloc(1, sizeof(*h));

	node_init(&h->node, &host_ops, ctx, name, 0);
	h->ns_name = xasprintf("%s-%s", ctx->run_tag, name);
	if (cpu) {
		h->cpu = *cpu;
		h->cpu.cores = xstrdup(cpu->cores);
	}
	return &h->node;
}

/* The CPU-limited running host 'node', or NULL with 'err' set. */
static struct host *host_limited(struct node *node, struct emu_err *err)
{
	struct host *h = container_of(node, struct host, node);

	if (node->ops != &host_ops || !h->cpu.limited) {
		emu_err_set(err, -EINVAL,
			    "'%s' has no CPU limits (give it cpu, sched, "
			    "period_us or cores, or use --host cfs)",
			    node->name);
		return NULL;
	}
	if (!h->cg) {
		emu_err_set(err, -ENETDOWN, "'%s' is not running",
			    node->name);
		return NULL;
	}
	return h;
}

int host_set_cpu_frac(struct node *node, double frac, const char *sched,
		      struct emu_err *err)
{
	struct host *h = host_limited(node, err);
	bool rt;
	int ret;

	if (!h)
		return err && err->code ? err->code : -EINVAL;
	if (sched && strcmp(sched, "cfs") && strcmp(sched, "rt"))
		return emu_err_set(err, -EINVAL,
				   "unknown sched '%s' (known: cfs, rt)",
				   sched);
	rt = sched ? !strcmp(sched, "rt") : h->cpu.rt;
	ret = cgroup_set_cpu(h->cg, frac, rt, h->cpu.period_us, err);
	if (ret) {
		emu_err_prefix(err, "'%s': ", node->name);
		return ret;
	}
	h->cpu.cpu = frac;
	return 0;
}

int host_set_cpus(struct node *node, const char *cores,
		  struct emu_err *err)
{
	struct host *h = host_limited(node, err);
	int ret;

	if (!h)
		return err && err->code ? err->code : -EINVAL;
	ret = cgroup_set_cpus(h->cg, cores, err);
	if (ret) {
		emu_err_prefix(err, "'%s': ", node->name);
		return ret;
	}
	free((char *)h->cpu.cores);
	h->cpu.cores = xstrdup(cores);
	return 0;
}

long long host_cpu_usage_ns(const struct node *node)
{
	const struct host *h = container_of(node, struct host, node);

	return node->ops == &host_ops && h->cg ? cgroup_usage_ns(h->cg) : -1;
}

int host_cpu_parse(const char *spec, struct host_cpu *cpu, char **buf,
		   struct emu_err *err)
{
	char *save = NULL, *kv;

	memset(cpu, 0, sizeof(*cpu));
	*buf = xstrdup(spec);
	kv = strtok_r(*buf, ",", &save);
	if (!kv || !strcmp(kv, "proc"))
		return kv && strtok_r(NULL, ",", &save)
			       ? emu_err_set(err, -EINVAL,
					     "host 'proc' takes no options")
			       : 0;
	if (strcmp(kv, "cfs") && strcmp(kv, "rt"))
		return emu_err_set(err, -EINVAL,
				   "unknown host '%s' (known: proc, cfs, rt)",
				   kv);
	cpu->limited = true;
	cpu->rt = !strcmp(kv, "rt");
	while ((kv = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(kv, '='), *end;
		double v;

		if (!eq)
			return emu_err_set(err, -EINVAL,
					   "'%s' is not KEY=VALUE", kv);
		*eq = '\0';
		if (!strcmp(kv, "cores")) {
			cpu->cores = eq + 1;
			continue;
		}
		v = strtod(eq + 1, &end);
		if (!strcmp(kv, "cpu") && end != eq + 1 && !*end && v <= 1 &&
		    (v > 0 || v == -1))
			cpu->cpu = v;
		else if (!strcmp(kv, "period_us") && end != eq + 1 && !*end &&
			 v >= 1000 && v <= 1000000 && v == (unsigned int)v)
			cpu->period_us = (unsigned int)v;
		else if (!strcmp(kv, "cpu") || !strcmp(kv, "period_us"))
			return emu_err_set(err, -EINVAL,
					   "invalid %s '%s' (cpu: a fraction "
					   "in (0, 1] or -1; period_us: 1000 "
					   "to 1000000)",
					   kv, eq + 1);
		else
			return emu_err_set(err, -EINVAL,
					   "unknown option '%s' (known: cpu, "
					   "period_us, cores)",
					   kv);
	}
	return 0;
}
