#include "node/node.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/proc.h"
#include "base/log.h"
#include "base/util.h"
#include "node/bridge.h"
#include "node/switch_ovs.h"
#include "topo/plan.h"

EMU_LOG_MODULE(node);

void node_init(struct node *node, const struct node_ops *ops,
	       struct node_ctx *ctx, const char *name, int first_port)
{
	memset(node, 0, sizeof(*node));
	node->name = xstrdup(name);
	node->ops = ops;
	node->ctx = ctx;
	node->nsfd = -1;
	node->next_port = first_port;
}

struct node *node_create_switch(const struct node_kind *kind,
				struct node_ctx *ctx, const char *name,
				uint64_t dpid, bool standalone, bool stp)
{
	struct node *node;

	if (!(kind->caps & NODE_KIND_OVS))
		node = bridge_create(ctx, name, stp);
	else
		node = ovs_switch_create(ctx, name, dpid,
					 standalone ||
						 !(kind->caps &
						   NODE_KIND_CONTROLLED),
					 stp);
	node->kind = kind;	/* "ovsbr" is an OVS bridge of its own kind */
	return node;
}

static void node_free_intf(struct node_intf *intf)
{
	free(intf->name);
	free(intf);
}

void node_destroy(struct node *node)
{
	if (!node)
		return;
	if (node->running) {
		node_kill_background(node);
		node->ops->stop(&node, 1);
		node->running = false;
	}
	if (node->nsfd >= 0)
		close(node->nsfd);
	for (size_t i = 0; i < node->n_intfs; i++)
		node_free_intf(node->intfs[i]);
	free(node->intfs);
	topo_index_release(&node->intf_names);
	free(node->bg_pids);
	free(node->default_ip);
	free(node->default_mac);
	free(node->default_route);
	node_exec_ctx_free(node->exec_ctx);
	free(node->placement);
	free(node->name);
	node->ops->free(node);
}

void node_exec_ctx_free(struct node_exec_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; ctx->env && ctx->env[i]; i++)
		free(ctx->env[i]);
	free(ctx->env);
	free(ctx->cwd);
	free(ctx->groups);
	free(ctx);
}

void node_set_exec_ctx(struct node *node, struct node_exec_ctx *ctx)
{
	node_exec_ctx_free(node->exec_ctx);
	node->exec_ctx = ctx;
}

const char *node_name(const struct node *node)
{
	return node->name;
}

bool node_has_caps(const struct node *node, unsigned int caps)
{
	const struct node_kind *k = node->kind
		? node->kind : node_kind_find(node_role(node), node_kind(node));

	return k && (k->caps & caps) == caps;
}

const char *node_kind(const struct node *node)
{
	return node->kind ? node->kind->name : node->ops->kind;
}

const char *node_placement(const struct node *node)
{
	return node->placement;
}

enum node_role node_role(const struct node *node)
{
	return node->ops->role;
}

bool node_is_running(const struct node *node)
{
	return node->running;
}

const char *node_ip(const struct node *node, char *buf, size_t size)
{
	const char *ip = NULL;

	for (size_t i = 0; i < node->n_intfs && !ip; i++)
		if (node->intfs[i]->ip[0])
			ip = node->intfs[i]->ip;
	if (!ip)
		ip = node->default_ip;
	if (!ip)
		return NULL;
	snprintf(buf, size, "%.*s", (int)strcspn(ip, "/"), ip);
	return buf;
}

struct node_intf *node_find_intf(const struct node *node, const char *name)
{
	return topo_index_find(&node->intf_names, name);
}

static bool node_port_taken(const struct node *node, int port)
{
	if (port >= node->next_port)	/* above every port: the usual case */
		return false;
	for (size_t i = 0; i < node->n_intfs; i++)
		if (node->intfs[i]->port == port)
			return true;
	return false;
}

/* True when the kernel takes 'name' for an interface (dev_valid_name()). */
static bool node_intf_name_ok(const char *name)
{
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

struct node_intf *node_add_intf(struct node *node, const char *name,
				int port, struct emu_err *err)
{
	char buf[64];
	struct node_intf *intf;

	if (node->ops->max_intfs && node->n_intfs >= node->ops->max_intfs) {
		emu_err_set(err, -EXFULL,
			    "'%s' cannot take more than %u interfaces (%s)",
			    node->name, node->ops->max_intfs,
			    node->ops->max_intfs_why);
		return NULL;
	}
	if (port < 0) {
		port = node->next_port;
		while (node_port_taken(node, port))
			port++;
	} else if (node_port_taken(node, port)) {
		emu_err_set(err, -EEXIST, "port %d of '%s' is taken", port,
			    node->name);
		return NULL;
	}
	if (!name) {
		if (node->ops->name_intf
			    ? node->ops->name_intf(node, port, buf, sizeof(buf),
						   err)
			    : plan_intf_name(node->name, port, buf, sizeof(buf),
					     err))
			return NULL;
		name = buf;
	} else if (strlen(name) > PLAN_IFNAME_MAX) {
		emu_err_set(err, -ENAMETOOLONG,
			    "interface name '%.32s' is longer than %d "
			    "characters",
			    name, PLAN_IFNAME_MAX);
		return NULL;
	} else if (!node_intf_name_ok(name)) {
		/* The kernel's rules, checked now rather than at start */
		emu_err_set(err, -EINVAL,
			    "invalid interface name '%s': not empty, '.' or "
			    "'..', no '/', ':' or spaces",
			    name);
		return NULL;
	}
	if (node_find_intf(node, name)) {
		emu_err_set(err, -EEXIST, "'%s' already has interface '%s'",
			    node->name, name);
		return NULL;
	}
	intf = xcalloc(1, sizeof(*intf));
	intf->name = xstrdup(name);
	intf->port = port;
	intf->node = node;
	xgrow((void **)&node->intfs, &node->cap_intfs, node->n_intfs + 1,
	      sizeof(*node->intfs));
	node->intfs[node->n_intfs++] = intf;
	topo_index_add(&node->intf_names, intf->name, intf);
	if (port >= node->next_port)
		node->next_port = port + 1;
	return intf;
}

void node_remove_intf(struct node *node, struct node_intf *intf)
{
	for (size_t i = 0; i < node->n_intfs; i++) {
		if (node->intfs[i] != intf)
			continue;
		memmove(&node->intfs[i], &node->intfs[i + 1],
			(node->n_intfs - i - 1) * sizeof(*node->intfs));
		node->n_intfs--;
		topo_index_remove(&node->intf_names, intf->name);
		node_free_intf(intf);
		return;
	}
}

int node_open_ns(const struct node *node, const char *type)
{
	char path[64];
	int fd;

	if (!node->pid && !strcmp(type, "net") && node->nsfd >= 0) {
		fd = dup(node->nsfd);
		return fd < 0 ? -errno : fd;
	}
	if (!node->pid)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%d/ns/%s", proc_machine_root(),
		 (int)node->pid, type);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The namespaces exec enters in a container, in the order setns() needs:
 * the mount namespace last but one (it changes root and cwd), pid last
 * (it applies to children only). */
static const struct {
	const char *name;
	int flag;
} node_ns_types[] = {
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET }, { "mnt", CLONE_NEWNS },
	{ "pid", CLONE_NEWPID },
};

/* True when a command enters all namespaces of a container's process, not
 * only a network namespace. */
static bool node_enters_all(const struct node *node,
			    const struct node_exec_opts *opts)
{
	return node->pid && !opts->net_only;
}

/* In the child: enters the node's namespaces; returns -errno on failure. */
static int node_enter(int *fds, bool all)
{
	size_t n = all ? ARRAY_SIZE(node_ns_types) : 1;

	for (size_t i = 0; i < n; i++) {
		int flag = all ? node_ns_types[i].flag : CLONE_NEWNET;

		if (fds[i] < 0 || !setns(fds[i], flag))
			continue;
		/* XXX a pid namespace that is not ours nor below it (a
		 * cluster's agent in its container): the command runs in the
		 * container's other namespaces and in ours. */
		if (flag == CLONE_NEWPID && errno == EINVAL)
			continue;
		return -errno;
	}
	return 0;
}

/* The step of a spawn that failed, for the caller's sentence. */
enum node_spawn_step {
	NODE_STEP_NONE,
	NODE_STEP_ENTER,	/* setns() */
	NODE_STEP_FORK,		/* the fork into the pid namespace */
	NODE_STEP_CWD,		/* the working directory */
	NODE_STEP_USER,		/* the user and groups */
	NODE_STEP_EXEC,
};

/* What the processes of a spawn tell the caller on its pipe: the pid of
 * the command (when it was made in a pid namespace), or a failed step. */
struct node_spawn_msg {
	pid_t pid;		/* 0: none */
	int err;		/* -errno of 'step'; 0: none */
	int step;		/* enum node_spawn_step */
};

static void node_report(int fd, pid_t pid, int err, int step)
{
	struct node_spawn_msg m = { pid, err, step };

	if (write(fd, &m, sizeof(m)) < 0)
		_exit(127);
}

/* 'from': a field of struct node_exec_opts (NODE_FD(fd), 0: none). */
static void node_child_fd(int from, int target)
{
	int fd = from - 1;

	if (fd < 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			_exit(126);
	}
	if (fd != target && dup2(fd, target) < 0)
		_exit(126);
}

/* In the child: takes the node's working directory, user and
 * environment.  Raw system calls: the child of a fork in a threaded
 * program keeps to async-signal-safe steps.  Returns 0 or -errno, with
 * the step in '*step'. */
static int node_apply_ctx(const struct node_exec_ctx *ctx, int *step)
{
	const char *cwd = ctx->cwd ? ctx->cwd : "/";
	bool in_dir = chdir(cwd) == 0;

	/* A directory only the user may enter is entered after the switch
	 * (runc's order). */
	*step = NODE_STEP_USER;
	if (ctx->set_ids &&
	    (syscall(SYS_setgroups, ctx->n_groups, ctx->groups) < 0 ||
	     syscall(SYS_setresgid, ctx->gid, ctx->gid, ctx->gid) < 0 ||
	     syscall(SYS_setresuid, ctx->uid, ctx->uid, ctx->uid) < 0))
		return -errno;
	*step = NODE_STEP_CWD;
	if (!in_dir && chdir(cwd) < 0)
		return -errno;
	if (ctx->env)
		environ = ctx->env;
	*step = NODE_STEP_NONE;
	return 0;
}

/* The process that execs the command; never returns.  'in_pidns': it was
 * made inside the node's pid namespace, where its parent (the caller)
 * reads as pid 0. */
static void node_exec_final(const struct node_exec_ctx *ctx,
			    char *const argv[],
			    const struct node_exec_opts *opts, int errpipe,
			    pid_t parent, bool in_pidns)
{
	int ret, step = NODE_STEP_EXEC;

	if (opts->background) {
		setpgid(0, 0);
		/* It ends with cnemu, also when cnemu is killed before the
		 * node's stop (and before a pid file names it). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		    getppid() != (in_pidns ? 0 : parent))
			_exit(127);
	}
	if (ctx) {
		ret = node_apply_ctx(ctx, &step);
		if (ret)
			goto fail;
		step = NODE_STEP_EXEC;
	}
	node_child_fd(opts->stdin_from, 0);
	node_child_fd(opts->stdout_to, 1);
	node_child_fd(opts->stderr_to, 2);
	execvp(argv[0], argv);
	ret = -errno;
fail:
	node_report(errpipe, 0, ret, step);
	_exit(127);
}

/* The child after fork(): never returns.  In a container it enters the
 * namespaces, makes the command in the pid namespace as a sibling (a
 * child of the caller, CLONE_PARENT), tells its pid and exits: nothing of
 * the spawn outlives the exec, so that the caller's pipes and signals
 * reach the command itself. */
static void node_exec_child(const struct node *node, int *fds,
			    char *const argv[],
			    const struct node_exec_opts *opts, int errpipe,
			    pid_t parent)
{
	bool all = node_enters_all(node, opts);
	pid_t inner;
	int ret;

	if (!opts->keep_signals) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
	}
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	ret = node->ops->enter ? node->ops->enter(node) : 0;
	if (!ret)
		ret = node_enter(fds, all);
	if (ret) {
		node_report(errpipe, 0, ret, NODE_STEP_ENTER);
		_exit(127);
	}
	if (!all)
		node_exec_final(NULL, argv, opts, errpipe, parent, false);
	inner = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL,
			       NULL, NULL);
	if (inner == 0)
		node_exec_final(node->exec_ctx, argv, opts, errpipe, parent,
				true);
	if (inner < 0)
		node_report(errpipe, 0, -errno, NODE_STEP_FORK);
	else
		node_report(errpipe, inner, 0, NODE_STEP_NONE);
	_exit(inner < 0 ? 127 : 0);
}

/* The sentence of a failed spawn. */
static int node_spawn_error(const struct node *node, char *const argv[],
			    const struct node_spawn_msg *m,
			    struct emu_err *err)
{
	const struct node_exec_ctx *ctx = node->exec_ctx;
	const char *why = strerror(-m->err);

	switch (m->step) {
	case NODE_STEP_ENTER:
		return emu_err_set(err, m->err, "cannot enter '%s': %s",
				   node->name, why);
	case NODE_STEP_FORK:
		return emu_err_set(err, m->err, "cannot fork in '%s': %s",
				   node->name, why);
	case NODE_STEP_CWD:
		return emu_err_set(err, m->err,
				   "cannot run '%s' in '%s': working directory "
				   "'%s': %s",
				   argv[0], node->name,
				   ctx && ctx->cwd ? ctx->cwd : "/", why);
	case NODE_STEP_USER:
		return emu_err_set(err, m->err,
				   "cannot run '%s' in '%s' as user %u:%u: %s",
				   argv[0], node->name,
				   ctx ? (unsigned int)ctx->uid : 0,
				   ctx ? (unsigned int)ctx->gid : 0, why);
	default:
		return emu_err_set(err, m->err, "cannot run '%s' in '%s': %s",
				   argv[0], node->name, why);
	}
}

static void node_reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

bool node_is_relayed(const struct node *node)
{
	return node->ctx && node->ctx->relay_argv;
}

pid_t node_spawn(struct node *node, char *const argv[],
		 const struct node_exec_opts *opts, struct emu_err *err)
{
	int fds[ARRAY_SIZE(node_ns_types)], pipefd[2];
	bool all = node_enters_all(node, opts);
	size_t n = all ? ARRAY_SIZE(node_ns_types) : 1;
	struct node_spawn_msg m, failed = { 0 };
	char **relay = NULL;
	pid_t pid, cmd, self;
	ssize_t got;

	if (node_is_relayed(node)) {
		/* it runs on another machine: its relay runs here, in no
		 * namespace of the node (never made here) */
		relay = node->ctx->relay_argv(node->ctx->owner, node, argv,
					      opts, err);
		if (!relay)
			return err ? err->code : -EINVAL;
		argv = relay;
		n = 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		fds[i] = node_open_ns(node, all ? node_ns_types[i].name
						: "net");
		if (fds[i] == -ENOENT && !node->pid)
			fds[i] = -1;	/* root namespace: nothing to enter */
		else if (fds[i] < 0) {
			pid = emu_err_set(err, fds[i],
					  "cannot enter '%s': %s", node->name,
					  strerror(-fds[i]));
			goto out;
		}
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		pid = emu_err_set(err, -errno, "cannot run in '%s': %s",
				  node->name, strerror(errno));
		goto out;
	}
	self = getpid();
	pid = fork();
	if (pid == 0)
		node_exec_child(node, fds, argv, opts, pipefd[1], self);
	close(pipefd[1]);
	if (pid < 0) {
		pid = emu_err_set(err, -errno, "cannot fork for '%s': %s",
				  node->name, strerror(errno));
		close(pipefd[0]);
		goto out;
	}
	/* The pipe ends at the command's exec (close-on-exec) or failure. */
	cmd = all ? 0 : pid;
	while ((got = read(pipefd[0], &m, sizeof(m))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got != sizeof(m))
			break;
		if (m.pid > 0)
			cmd = m.pid;
		if (m.err && !failed.err)
			failed = m;
	}
	close(pipefd[0]);
	if (all)
		node_reap(pid);	/* the one that entered: exited */
	if (!failed.err && cmd <= 0)
		failed = (struct node_spawn_msg){ 0, -ECHILD,
						  NODE_STEP_FORK };
	if (failed.err) {
		if (cmd > 0)
			node_reap(cmd);
		pid = node_spawn_error(node, argv, &failed, err);
		goto out;
	}
	pid = cmd;
	if (opts->background) {
		xgrow((void **)&node->bg_pids, &node->cap_bg, node->n_bg + 1,
		      sizeof(*node->bg_pids));
		node->bg_pids[node->n_bg++] = pid;
	}
out:
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(relay);
	return pid;
}

int node_capture(struct node *node, char *const argv[],
		 const struct node_exec_opts *opts, char **output,
		 struct emu_err *err)
{
	struct node_exec_opts o = *opts;
	char *buf = NULL;
	int pipefd[2], status;
	pid_t pid;

	if (output)
		*output = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return emu_err_set(err, -errno, "cannot run in '%s': %s",
				   node->name, strerror(errno));
	o.stdout_to = o.stderr_to = NODE_FD(pipefd[1]);
	o.background = false;
	pid = node_spawn(node, argv, &o, err);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return pid;
	}
	fd_read_all(pipefd[0], &buf, NULL);	/* what came is the output */
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (output)
		*output = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

int node_run(struct node *node, const char *cmd, char **output,
	     struct emu_err *err)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	struct node_exec_opts opts = { 0 };

	return node_capture(node, argv, &opts, output, err);
}

void node_kill_background(struct node *node)
{
	for (size_t i = 0; i < node->n_bg; i++)
		kill(-node->bg_pids[i], SIGTERM);
	for (size_t i = 0; i < node->n_bg; i++) {
		pid_t pid = node->bg_pids[i];
		int tries = 50;

		while (waitpid(pid, NULL, WNOHANG) == 0 && tries--)
			usleep(10000);
		if (tries < 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	node->n_bg = 0;
}

static int node_end_nsfd(const struct node_intf *intf)
{
	return intf->node->nsfd;
}

static const char *node_end_owner(const struct node_intf *intf)
{
	return intf->node->name;
}

static bool node_end_is_switch(const struct node_intf *intf)
{
	return node_role(intf->node) == NODE_SWITCH;
}

static bool node_end_reachable(const struct node_intf *intf)
{
	return intf->node->nsfd >= 0 ||
	       (!intf->node->pid && node_role(intf->node) == NODE_SWITCH);
}

static bool node_end_is_attached(const struct node_intf *intf)
{
	return intf->node->running && intf->node->ops->attach &&
	       intf->node->ops->detach;
}

static int node_end_detach(struct node_intf *intf, struct emu_err *err)
{
	return intf->node->ops->detach(intf->node, intf, err);
}

static int node_end_attach(struct node_intf *intf, struct emu_err *err)
{
	return intf->node->ops->attach(intf->node, intf, err);
}

const struct link_end_ops node_link_ends = {
	.nsfd = node_end_nsfd,
	.owner = node_end_owner,
	.is_switch = node_end_is_switch,
	.reachable = node_end_reachable,
	.is_attached = node_end_is_attached,
	.detach = node_end_detach,
	.attach = node_end_attach,
};
