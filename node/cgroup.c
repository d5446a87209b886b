#include "node/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/run.h"
#include "base/util.h"

EMU_LOG_MODULE(cgroup);

#define CGROUP_PERIOD_US 100000	/* Mininet's default period */
#define CGROUP_RT_PRIO 20		/* Mininet's rtprio */

enum { CG_CPU, CG_ACCT, CG_SET, CG_N };

struct cgroup {
	char *name;
	char *note;		/* the note in the run directory; NULL */
	bool v2;
	bool rt;		/* real-time runtime given: SCHED_RR */
	char dirs[CG_N][192];	/* cpu, cpuacct, cpuset ("": none) */
	char procs[CG_N][208];	/* cgroup.procs files a process enters */
	size_t n_procs;
	bool pinned;		/* the cpuset has cores: entered too */
	char usage[208];	/* cpuacct.usage or cpu.stat */
};

int cgroup_parse_mounts(const char *mounts, struct cgroup_layout *l,
			struct emu_err *err)
{
	char v2[128] = "";
	const char *p = mounts;

	memset(l, 0, sizeof(*l));
	while (p && *p) {
		char dev[64], mnt[128], type[32], opts[256];
		char *save = NULL, *o;

		if (sscanf(p, "%63s %127s %31s %255s", dev, mnt, type, opts) ==
		    4) {
			if (!strcmp(type, "cgroup2") && !v2[0])
				snprintf(v2, sizeof(v2), "%s", mnt);
			for (o = strtok_r(opts, ",", &save);
			     !strcmp(type, "cgroup") && o;
			     o = strtok_r(NULL, ",", &save)) {
				char *dst = !strcmp(o, "cpu")	    ? l->cpu
					    : !strcmp(o, "cpuacct") ? l->cpuacct
					    : !strcmp(o, "cpuset")  ? l->cpuset
								    : NULL;

				if (dst && !dst[0])
					snprintf(dst, sizeof(l->cpu), "%s",
						 mnt);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (l->cpu[0])
		return 0;
	if (!v2[0]) {
		memset(l, 0, sizeof(*l));
		return emu_err_set(err, -ENOENT,
				   "no cgroup hierarchy with the cpu "
				   "controller is mounted");
	}
	l->v2 = true;
	snprintf(l->cpu, sizeof(l->cpu), "%s", v2);
	snprintf(l->cpuacct, sizeof(l->cpuacct), "%s", v2);
	snprintf(l->cpuset, sizeof(l->cpuset), "%s", v2);
	return 0;
}

void cgroup_cfs_figures(double frac, unsigned int period_us,
			unsigned int cores, long *quota_us, long *period_out)
{
	long period = period_us ? (long)period_us : CGROUP_PERIOD_US;
	long quota = (long)((double)period * frac * cores);

	if (frac > 0 && quota < 1000) {
		quota = 1000;
		period = (long)(quota / frac / cores);
	}
	*quota_us = frac > 0 ? quota : -1;
	*period_out = period;
}

static char *cgroup_read_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int cgroup_write(const char *dir, const char *file, const char *value,
			struct emu_err *err)
{
	char path[300];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		return emu_err_set(err, ret, "cannot write '%s' to %s: %s",
				   value, path, strerror(-ret));
	return 0;
}

/* The machine's layout, read once. */
static int cgroup_layout(struct cgroup_layout *l, struct emu_err *err)
{
	static struct cgroup_layout cached;
	static bool have;
	char *mounts, *ctl, path[200];
	int ret;

	if (have) {
		*l = cached;
		return 0;
	}
	mounts = cgroup_read_file("/proc/self/mounts");
	if (!mounts)
		return emu_err_set(err, -errno, "cannot read /proc/self/mounts: "
				   "%s", strerror(errno));
	ret = cgroup_parse_mounts(mounts, l, err);
	free(mounts);
	if (ret || !l->v2)
		goto out;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", l->cpu);
	ctl = cgroup_read_file(path);
	if (!ctl || !strstr(ctl, "cpu")) {
		free(ctl);
		return emu_err_set(err, -ENOENT,
				   "cgroup v2 at %s has no cpu controller",
				   l->cpu);
	}
	free(ctl);
	/* The root delegates cpu (and cpuset, where there is one) to its
	 * children, the hosts' cgroups. */
	ret = cgroup_write(l->cpu, "cgroup.subtree_control", "+cpu", err);
	if (!ret)
		cgroup_write(l->cpu, "cgroup.subtree_control", "+cpuset",
			     NULL);
out:
	if (!ret) {
		cached = *l;
		have = true;
	}
	return ret;
}

static void cgroup_remove_dirs(struct cgroup *cg)
{
	for (int i = CG_N - 1; i >= 0; i--) {
		int tries = 100, ret;

		if (!cg->dirs[i][0])
			continue;
		/* EBUSY while its killed processes are still exiting. */
		while ((ret = rmdir(cg->dirs[i])) < 0 && errno == EBUSY &&
		       tries-- > 0)
			usleep(10000);
		if (ret < 0 && errno != ENOENT)
			log_warn("cannot remove cgroup %s: %s", cg->dirs[i],
				 strerror(errno));
	}
}

/* Adds the cgroup.procs file of 'dir' to those a process enters. */
static void cgroup_add_procs(struct cgroup *cg, const char *dir)
{
	char path[sizeof(cg->procs[0])];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	memcpy(cg->procs[cg->n_procs++], path, sizeof(path));
}

struct cgroup *cgroup_create(const char *name, const char *note,
			     struct emu_err *err)
{
	const char *mounts[CG_N];
	struct cgroup_layout l;
	struct cgroup *cg;
	FILE *f = NULL;

	if (cgroup_layout(&l, err))
		return NULL;
	cg = xcalloc(1, sizeof(*cg));
	cg->name = xstrdup(name);
	cg->v2 = l.v2;
	mounts[CG_CPU] = l.cpu;
	mounts[CG_ACCT] = l.cpuacct;
	mounts[CG_SET] = l.cpuset;
	for (int i = 0; i < CG_N; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup = dup || !strcmp(mounts[i], mounts[j]);
		if (mounts[i][0] && !dup)
			snprintf(cg->dirs[i], sizeof(cg->dirs[i]), "%s/%s",
				 mounts[i], name);
	}
	if (note) {
		cg->note = xstrdup(note);
		f = fopen(note, "w");
		for (int i = 0; f && i < CG_N; i++)
			if (cg->dirs[i][0])
				fprintf(f, "%s\n", cg->dirs[i]);
		if (!f || fclose(f)) {
			emu_err_set(err, -errno, "cannot write %s: %s", note,
				    strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < CG_N; i++) {
		if (cg->dirs[i][0] && mkdir(cg->dirs[i], 0755) < 0) {
			emu_err_set(err, -errno, "cannot create cgroup %s: %s",
				    cg->dirs[i], strerror(errno));
			if (errno == EEXIST)
				cg->dirs[i][0] = '\0';	/* not ours */
			goto fail;
		}
	}
	/* The cpuset is entered once it has cores (Mininet's order). */
	for (int i = 0; i < CG_N; i++)
		if (cg->dirs[i][0] && (i != CG_SET || cg->v2))
			cgroup_add_procs(cg, cg->dirs[i]);
	if (cg->v2)
		snprintf(cg->usage, sizeof(cg->usage), "%s/cpu.stat",
			 cg->dirs[CG_CPU]);
	else if (l.cpuacct[0])
		snprintf(cg->usage, sizeof(cg->usage), "%s/%s/cpuacct.usage",
			 l.cpuacct, name);
	log_dbg("cgroup %s made (%s)", name, cg->v2 ? "v2" : "v1");
	return cg;
fail:
	cgroup_destroy(cg);
	return NULL;
}

int cgroup_set_cpu(struct cgroup *cg, double frac, bool rt,
		   unsigned int period_us, struct emu_err *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN), quota, period;
	char value[64], path[300];
	int ret;

	if (cores < 1)
		cores = 1;
	if (rt) {
		snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us",
			 cg->dirs[CG_CPU]);
		if (cg->v2)
			return emu_err_set(err, -EOPNOTSUPP,
					   "sched 'rt' needs cgroup v1 with RT "
					   "group scheduling; this machine's "
					   "cpu controller is cgroup v2's");
		if (access(path, F_OK))
			return emu_err_set(err, -EOPNOTSUPP,
					   "sched 'rt' needs RT group "
					   "scheduling (CONFIG_RT_GROUP_SCHED), "
					   "which this kernel lacks");
		if (frac <= 0)
			return emu_err_set(err, -EINVAL,
					   "sched 'rt' needs a positive cpu "
					   "fraction");
		period = period_us ? (long)period_us : CGROUP_PERIOD_US;
		snprintf(value, sizeof(value), "%ld", period);
		ret = cgroup_write(cg->dirs[CG_CPU], "cpu.rt_period_us", value,
				   err);
		snprintf(value, sizeof(value), "%ld",
			 (long)((double)period * frac));
		if (!ret)
			ret = cgroup_write(cg->dirs[CG_CPU],
					   "cpu.rt_runtime_us", value, err);
		if (ret == -EINVAL || ret == -EBUSY)
			emu_err_prefix(err, "more real-time runtime than the "
					    "machine has left: ");
		cg->rt = !ret;
		return ret;
	}
	cgroup_cfs_figures(frac, period_us, (unsigned int)cores, &quota,
			   &period);
	if (cg->v2) {
		if (quota < 0)
			snprintf(value, sizeof(value), "max %ld", period);
		else
			snprintf(value, sizeof(value), "%ld %ld", quota,
				 period);
		return cgroup_write(cg->dirs[CG_CPU], "cpu.max", value, err);
	}
	snprintf(value, sizeof(value), "%ld", period);
	ret = cgroup_write(cg->dirs[CG_CPU], "cpu.cfs_period_us", value, err);
	snprintf(value, sizeof(value), "%ld", quota);
	if (!ret)
		ret = cgroup_write(cg->dirs[CG_CPU], "cpu.cfs_quota_us", value,
				   err);
	return ret;
}

int cgroup_set_cpus(struct cgroup *cg, const char *cores,
		    struct emu_err *err)
{
	char *mems, *pids, parent[200], path[300];
	int ret;

	if (!cg->dirs[CG_SET][0] && !cg->v2)
		return emu_err_set(err, -ENOENT,
				   "no cpuset cgroup hierarchy is mounted");
	if (cg->v2)
		return cgroup_write(cg->dirs[CG_CPU], "cpuset.cpus", cores,
				    err);
	ret = cgroup_write(cg->dirs[CG_SET], "cpuset.cpus", cores, err);
	if (ret || cg->pinned)
		return ret;
	/* Memory nodes as the parent's: a cpuset takes no process without. */
	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(cg->dirs[CG_SET],
							       '/') -
						       cg->dirs[CG_SET]),
		 cg->dirs[CG_SET]);
	snprintf(path, sizeof(path), "%s/cpuset.mems", parent);
	mems = cgroup_read_file(path);
	if (mems)
		mems[strcspn(mems, "\n")] = '\0';
	ret = cgroup_write(cg->dirs[CG_SET], "cpuset.mems",
			   mems && *mems ? mems : "0", err);
	free(mems);
	if (ret)
		return ret;
	cgroup_add_procs(cg, cg->dirs[CG_SET]);
	cg->pinned = true;
	/* Processes already running move along. */
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[CG_CPU]);
	pids = cgroup_read_file(path);
	for (char *save = NULL, *p = pids ? strtok_r(pids, "\n", &save) : NULL;
	     p; p = strtok_r(NULL, "\n", &save))
		cgroup_write(cg->dirs[CG_SET], "cgroup.procs", p, NULL);
	free(pids);
	return 0;
}

long long cgroup_usage_ns(const struct cgroup *cg)
{
	char *text = cg->usage[0] ? cgroup_read_file(cg->usage) : NULL;
	long long v = -1;
	const char *p;

	if (!text)
		return -1;
	if (!cg->v2)
		v = strtoll(text, NULL, 10);
	else if ((p = strstr(text, "usage_usec ")))
		v = strtoll(p + strlen("usage_usec "), NULL, 10) * 1000;
	free(text);
	return v;
}

const char *cgroup_usage_path(const struct cgroup *cg)
{
	return cg->usage;
}

int cgroup_enter(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n_procs; i++) {
		int fd = open(cg->procs[i], O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0", 1) != 1) {
			int ret = -errno;

			if (fd >= 0)
				close(fd);
			return ret;
		}
		close(fd);
	}
	if (cg->rt) {
		struct sched_param sp = { .sched_priority = CGROUP_RT_PRIO };

		if (sched_setscheduler(0, SCHED_RR, &sp) < 0)
			return -errno;
	}
	return 0;
}

void cgroup_destroy(struct cgroup *cg)
{
	if (!cg)
		return;
	cgroup_remove_dirs(cg);
	if (cg->note)
		unlink(cg->note);
	free(cg->note);
	free(cg->name);
	free(cg);
}

/* ---- cleanup of dead runs ------------------------------------------- */

/* Removes the cgroups the note 'file' of the dead run 'tag' lists (only
 * "/sys/fs/cgroup/.../<tag>-<host>"); returns how many. */
static int cgroup_cleanup_note(const char *tag, const char *file)
{
	char line[256], want[40];
	FILE *f = fopen(file, "r");
	int removed = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "/%s-", tag);
	while (fgets(line, sizeof(line), f)) {
		const char *base;
		int tries = 100;

		line[strcspn(line, "\n")] = '\0';
		base = strrchr(line, '/');
		if (!str_starts_with(line, "/sys/fs/cgroup/") || !base ||
		    strstr(line, "/..") || !str_starts_with(base, want))
			continue;
		while (rmdir(line) < 0 && errno == EBUSY && tries--)
			usleep(10000);
		if (tries >= 0 && access(line, F_OK))
			removed++;
	}
	fclose(f);
	unlink(file);
	return removed;
}

int cgroup_cleanup(bool (*is_dead)(const char *tag, void *aux), void *aux)
{
	DIR *runs = opendir(RUN_DIR);
	int removed = 0;

	for (struct dirent *de; runs && (de = readdir(runs));) {
		char *path;
		DIR *dir;

		if (!is_dead(de->d_name, aux))
			continue;
		path = xasprintf(RUN_DIR "/%s", de->d_name);
		dir = opendir(path);
		for (struct dirent *fe; dir && (fe = readdir(dir));) {
			char *file;

			if (!str_starts_with(fe->d_name, CGROUP_NOTE_PREFIX))
				continue;
			file = xasprintf("%s/%s", path, fe->d_name);
			removed += cgroup_cleanup_note(de->d_name, file);
			free(file);
		}
		if (dir)
			closedir(dir);
		free(path);
	}
	if (runs)
		closedir(runs);
	return removed;
}
