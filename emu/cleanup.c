#include "emu/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/proc.h"
#include "base/run.h"
#include "base/util.h"
#include "link/nl.h"
#include "node/controller.h"
#include "node/docker.h"
#include "node/docker_files.h"
#include "node/host.h"
#include "node/cgroup.h"
#include "node/nat.h"
#include "node/ovs.h"
#include "node/vswitch.h"

EMU_LOG_MODULE(cleanup);

static bool cleanup_is_dead(const char *tag, void *aux)
{
	(void)aux;
	return run_tag_valid(tag) && run_is_dead(tag);
}

/* Named namespaces "<tag>-<node>" of dead runs: their processes killed
 * (one pass over /proc for all), then the namespaces removed.  A name is
 * not enough: only a namespace its run noted (same device and inode) is
 * taken; any other is left alone and reported. */
static void cleanup_namespaces(struct cleanup_counts *c, FILE *out)
{
	char **names = NULL, tag[32];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int *fds = NULL;
	DIR *dir = opendir(NETNS_RUN_DIR);

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[300];

		if (!run_tag_of(de->d_name, '-', tag, sizeof(tag)) ||
		    !cleanup_is_dead(tag, NULL))
			continue;
		switch (run_netns_owner(tag, de->d_name)) {
		case RUN_NETNS_OWN:
			break;
		case RUN_NETNS_UNMOUNTED:
			/* a name only: nothing in it to kill */
			snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s",
				 de->d_name);
			if (!unlink(path))
				c->namespaces++;
			continue;
		case RUN_NETNS_FOREIGN:
			c->foreign++;
			if (out)
				fprintf(out, "*** Left alone namespace %s: "
					     "not one its run made\n",
					de->d_name);
			continue;
		}
		if (n == cap) {
			size_t cap_fds = cap;

			xgrow((void **)&names, &cap, n + 1, sizeof(*names));
			xgrow((void **)&fds, &cap_fds, n + 1, sizeof(*fds));
		}
		names[n] = xstrdup(de->d_name);
		fds[n++] = netns_open(de->d_name, NULL);
	}
	closedir(dir);
	host_netns_kill_all(fds, n);
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (!netns_delete(names[i]))
			c->namespaces++;
		free(names[i]);
	}
	free(names);
	free(fds);
}

struct cleanup_links {
	char **names;
	size_t n, cap;
};

static void cleanup_collect_link(const char *ifname, const char *alias,
				 void *aux)
{
	struct cleanup_links *l = aux;
	char tag[32];

	if (!run_tag_of(alias + strlen("cnemu:"), '\0', tag, sizeof(tag)) ||
	    !cleanup_is_dead(tag, NULL))
		return;
	xgrow((void **)&l->names, &l->cap, l->n + 1, sizeof(*l->names));
	l->names[l->n++] = xstrdup(ifname);
}

/* Root-namespace links (bridges, switch ends of veths) tagged by dead
 * runs. */
static int cleanup_links(struct cleanup_counts *c, struct emu_err *err)
{
	struct cleanup_links l = { 0 };
	struct emu_err local;
	struct nlsock *nl;
	int ret;

	err = emu_err_sink(err, &local);
	nl = nlsock_open(-1, err);
	if (!nl)
		return emu_err_code(err, -EIO);
	ret = nlsock_foreach_alias(nl, "cnemu:", cleanup_collect_link, &l,
				   err);
	for (size_t i = 0; i < l.n; i++) {
		if (!nlsock_del_link(nl, l.names[i], NULL))
			c->links++;
		free(l.names[i]);
	}
	free(l.names);
	nlsock_close(nl);
	return ret < 0 ? ret : 0;
}

static int cleanup_bridges(struct cleanup_counts *c, struct emu_err *err)
{
	struct ovs_switch_db *db;
	struct emu_err local;
	char remote[PATH_MAX];
	int ret;

	/* Runs have their own OVS; the machine's holds bridges only of
	 * older runs, and while it is stopped (no socket, or a socket left
	 * by a server that died) it runs none of them. */
	snprintf(remote, sizeof(remote), "unix:%s/db.sock",
		 ovs_switch_rundir());
	if (!unix_socket_answers(remote + 5))
		return 0;
	err = emu_err_sink(err, &local);
	db = ovs_switch_connect(remote, 2000, err);
	if (!db)
		return emu_err_code(err, -ECONNREFUSED);
	ret = ovs_switch_del_tagged(db, NULL, cleanup_is_dead, NULL, err);
	if (ret > 0)
		c->bridges += (unsigned int)ret;
	ovs_switch_disconnect(db);
	return ret < 0 ? ret : 0;
}

static int cleanup_containers(struct cleanup_counts *c,
			      enum cleanup_flags flags, FILE *out,
			      struct emu_err *err)
{
	struct docker_cleanup_counts dc = { 0 };
	int ret = docker_cleanup(NULL, cleanup_is_dead, NULL,
				 flags & CLEANUP_KEPT ? DOCKER_CLEANUP_KEPT : 0,
				 out, &dc, err);

	c->kept += dc.kept;

	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		emu_err_clear(err);	/* no engine: no containers of ours */
		return 0;
	}
	if (ret > 0)
		c->containers += (unsigned int)ret;
	return ret < 0 ? ret : 0;
}

/* True when 'name' ends with 'suffix'. */
static bool cleanup_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && !strcmp(name + n - k, suffix);
}

/* Ends the processes whose identities "*.proc" files of a dead run's
 * directory hold, and the daemons of its private OVS, (each checked before any signal: a pid taken by another
 * process since is never hit), hands the sysctls it relied on over to
 * the machine's record, then removes the directory. */
static void cleanup_run_dir(const char *tag, struct cleanup_counts *c)
{
	char dir_path[128], path[400];
	struct dirent *de;
	DIR *dir;

	snprintf(dir_path, sizeof(dir_path), RUN_DIR "/%s", tag);
	run_adopt_sysctls(tag);
	dir = opendir(dir_path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		struct proc_id id;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, de->d_name);
		if (!strcmp(de->d_name, DOCKER_FILES_DIR)) {
			/* its containers' network files */
			docker_files_remove_dir(path);
			continue;
		}
		if (!strcmp(de->d_name, RUN_OVS_DIR)) {
			/* its private OVS: the daemons, if still alive */
			c->processes += (unsigned int)vswitch_remove_dir(path);
			continue;
		}
		if (cleanup_has_suffix(de->d_name, ".proc") &&
		    !proc_id_load(path, &id) &&
		    !proc_id_end(&id, PROC_GRACE_MS))
			c->processes++;
		unlink(path);
	}
	closedir(dir);
	if (!rmdir(dir_path))
		c->dirs++;
}

static void cleanup_run_dirs(struct cleanup_counts *c)
{
	DIR *dir = opendir(RUN_DIR);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (cleanup_is_dead(de->d_name, NULL))
			cleanup_run_dir(de->d_name, c);
	closedir(dir);
}

/* What hosts add beyond their namespaces: a NAT's iptables rules (and
 * the forwarding switch), CPU-limited hosts' cgroups (their processes died
 * with the namespaces); read before the run directories go. */
static void cleanup_host_extras(struct cleanup_counts *c)
{
	c->rules += (unsigned int)nat_cleanup(cleanup_is_dead, NULL);
	c->cgroups += (unsigned int)cgroup_cleanup(cleanup_is_dead, NULL);
}

int cleanup_dead_runs(enum cleanup_flags flags,
		      struct cleanup_counts *counts, FILE *out,
		      struct emu_err *err)
{
	struct cleanup_counts c = { 0 };
	int ret, first = 0;

	if (out)
		fprintf(out, "*** Removing what dead runs left behind\n");
	first = cleanup_containers(&c, flags, out, err);
	cleanup_namespaces(&c, out);
	ret = cleanup_bridges(&c, err);
	if (!first)
		first = ret;
	ret = cleanup_links(&c, err);
	if (!first)
		first = ret;
	cleanup_host_extras(&c);
	cleanup_run_dirs(&c);
	/* After the run directories: a dead run's links lead nowhere now,
	 * as do those of a run whose directory went before. */
	c.sockets = controller_remove_leftovers(RUN_DIR, cleanup_is_dead,
						NULL);
	run_restore_sysctls();	/* when no run relies on them any more */
	if (out)
		fprintf(out,
			"*** Removed %u namespaces, %u links, %u OVS bridges, "
			"%u containers, %u processes, %u run directories, "
			"%u iptables rules, %u cgroups, %u socket links\n",
			c.namespaces, c.links, c.bridges, c.containers,
			c.processes, c.dirs, c.rules, c.cgroups, c.sockets);
	if (out && c.kept)
		fprintf(out, "*** Kept %u containers made with keep = true "
			     "(cnemu -c --all removes them)\n",
			c.kept);
	if (counts)
		*counts = c;
	return first;
}
