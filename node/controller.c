#include "node/controller.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <dirent.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/nlconn.h"
#include "base/proc.h"
#include "base/util.h"
#include "node/node.h"
#include "node/relay.h"
#include "node/ovs.h"

EMU_LOG_MODULE(controller);

/* How long start waits for a local controller to listen. */
#define CONTROLLER_START_MS 5000

enum controller_kind { CONTROLLER_BUILTIN, CONTROLLER_OVSC, CONTROLLER_REMOTE,
		       CONTROLLER_NONE };

struct controller {
	struct node node;
	enum controller_kind kind;
	bool learning;		/* builtin: learning mode, else topo */
	bool tcp;		/* local: ip or port given, so a TCP listener
				   there too */
	char ip[INET_ADDRSTRLEN];	/* remote address; local: where the TCP
					   listener is */
	int port;		/* asked for; 0: CONTROLLER_PORT */
	char *target;		/* what switches connect to, once started */
	char *pid_file;		/* "<run dir>/<name>.pid"; local kinds */
	char *proc_file;	/* "<run dir>/<name>.proc": its identity
				   (pid, start time, executable), by which
				   'cnemu -c' ends it */
	char *topo_file;	/* "<run dir>/<name>.topo"; topo mode */
	char *status_file;	/* "<run dir>/<name>.ready"; builtin */
	char *sock;		/* "<run dir>/<name>.sock"; local kinds */
	char *sock_link;	/* "<private OVS's run dir>/<tag>-<name>.sock"
				   -> sock; the relay's for a remote one */
	struct relay *relay;	/* to a remote one; NULL */
	char *address;		/* "tcp:IP:PORT" of a remote one; NULL */
	char *unixctl;		/* "<run dir>/<name>.ctl"; ovsc's control
				   socket, kept out of OVS's run directory */
	pid_t pid;		/* the local process; 0: none */
};

static struct controller *controller_of(const struct node *node)
{
	return container_of(node, struct controller, node);
}

static const struct node_ops controller_ops[CONTROLLER_NONE + 1];

/* The kind of the table (node/kinds.h) named 'name' or its alias. */
static int controller_kind_of(const char *name, enum controller_kind *kind,
			      struct emu_err *err)
{
	const struct node_kind *k;
	int ret = node_kind_lookup(NODE_CONTROLLER, name, &k, err);

	for (*kind = 0; !ret && *kind < CONTROLLER_NONE; (*kind)++)
		if (!strcmp(controller_ops[*kind].kind, k->name))
			break;
	return ret;
}

/* Checks 'opts' and fills the kind, mode, address and port of 'c'. */
static int controller_apply_opts(struct controller *c,
				 const struct controller_opts *o,
				 struct emu_err *err)
{
	struct in_addr addr;
	int ret;

	ret = controller_kind_of(o->kind ? o->kind : "builtin", &c->kind,
				 err);
	if (ret)
		return ret;
	if (o->mode) {
		if (c->kind != CONTROLLER_BUILTIN)
			return emu_err_set(err, -EINVAL,
					   "mode '%s' is for the builtin "
					   "controller only",
					   o->mode);
		if (strcmp(o->mode, "topo") && strcmp(o->mode, "learning"))
			return emu_err_set(err, -EINVAL,
					   "unknown controller mode '%s' "
					   "(known: topo, learning)",
					   o->mode);
		c->learning = !strcmp(o->mode, "learning");
	}
	if (o->ip && inet_pton(AF_INET, o->ip, &addr) != 1)
		return emu_err_set(err, -EINVAL,
				   "invalid controller address '%s': expected "
				   "an IPv4 address",
				   o->ip);
	snprintf(c->ip, sizeof(c->ip), "%s", o->ip ? o->ip : "127.0.0.1");
	c->tcp = c->kind != CONTROLLER_REMOTE && (o->ip || o->port);
	if (o->port < 0 || o->port > 65535)
		return emu_err_set(err, -ERANGE,
				   "invalid controller port %d (1 to 65535)",
				   o->port);
	c->port = o->port;
	return 0;
}

int controller_parse(const char *spec, struct controller_opts *opts,
		     char **buf, struct emu_err *err)
{
	char *save = NULL, *kv;
	struct controller probe;
	int ret = 0;

	memset(opts, 0, sizeof(*opts));
	*buf = xstrdup(spec);
	opts->kind = strtok_r(*buf, ",", &save);
	if (!opts->kind)
		return emu_err_set(err, -EINVAL, "empty controller");
	while (!ret && (kv = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(kv, '=');
		long v = 0;

		if (!eq) {
			ret = emu_err_set(err, -EINVAL,
					  "invalid controller option '%s': "
					  "expected key=value",
					  kv);
			break;
		}
		*eq = '\0';
		if (!strcmp(kv, "mode")) {
			opts->mode = eq + 1;
		} else if (!strcmp(kv, "ip")) {
			opts->ip = eq + 1;
		} else if (!strcmp(kv, "port")) {
			if (str_to_long(eq + 1, 1, 65535, &v))
				ret = emu_err_set(err, -EINVAL,
						  "invalid controller port "
						  "'%s' (1 to 65535)",
						  eq + 1);
			opts->port = (int)v;
		} else {
			ret = emu_err_set(err, -EINVAL,
					  "unknown controller option '%s' "
					  "(known: mode, ip, port)",
					  kv);
		}
	}
	memset(&probe, 0, sizeof(probe));
	if (!ret)
		ret = controller_apply_opts(&probe, opts, err);
	return ret;
}

/* The builtin controller's binary: $CNEMU_CONTROLLER, else
 * cnemu-controller next to our own binary, else from PATH. */
static char *controller_builtin_path(void)
{
	const char *env = getenv("CNEMU_CONTROLLER");
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			path = xasprintf("%s/cnemu-controller", self);
			if (!access(path, X_OK))
				return path;
			free(path);
		}
	}
	return xstrdup("cnemu-controller");
}

/* Describes how a process ended from its wait status. */
static void controller_describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "status 0x%x", status);
}

/* Returns true while the local process of 'c' lives; when it ended, says
 * how in 'how'. */
static bool controller_alive(struct controller *c, char *how, size_t size)
{
	int status;
	pid_t r;

	if (!c->pid)
		return false;
	r = waitpid(c->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	if (r == c->pid)
		controller_describe_status(status, how, size);
	else
		snprintf(how, size, "it is gone");
	return false;
}

/* True once the pid file names 'pid'. */
static bool controller_pid_file_is(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "r");
	long got = 0;

	if (!f)
		return false;
	if (fscanf(f, "%ld", &got) != 1)
		got = 0;
	fclose(f);
	return got == (long)pid;
}

static int controller_write_pid_file(const char *path, pid_t pid,
				     struct emu_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f))
		return emu_err_set(err, -errno, "cannot write '%s': %s", path,
				   strerror(errno));
	return 0;
}

/* Removes 'path' and its "<path>.tmp" if 'path' is set. */
static void controller_unlink(const char *path)
{
	char tmp[PATH_MAX];

	if (!path)
		return;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
}

static void controller_remove_files(struct controller *c)
{
	controller_unlink(c->pid_file);
	controller_unlink(c->proc_file);
	controller_unlink(c->topo_file);
	controller_unlink(c->status_file);
	controller_unlink(c->sock_link);
	controller_unlink(c->sock);
	controller_unlink(c->unixctl);
}

/* Waits until the local controller listens: the builtin writes its pid
 * file once it does, ovs-testcontroller accepts a connection. */
static int controller_wait_listening(struct controller *c,
				     struct emu_err *err)
{
	unsigned long long deadline = now_us() + CONTROLLER_START_MS * 1000ULL;
	char how[96];

	for (;;) {
		if (!controller_alive(c, how, sizeof(how)))
			return emu_err_set(err, -ECHILD,
					   "it exited at start (%s)", how);
		if (c->kind == CONTROLLER_BUILTIN
			    ? controller_pid_file_is(c->pid_file, c->pid)
			    : unix_socket_answers(c->sock))
			return 0;
		if (now_us() > deadline)
			return emu_err_set(err, -ETIMEDOUT,
					   "it does not listen on '%s' after "
					   "%d s",
					   c->sock, CONTROLLER_START_MS / 1000);
		usleep(10000);
	}
}

/* Sets the run's paths of local controller 'c' up. */
static int controller_set_paths(struct controller *c, struct emu_err *err)
{
	const char *dir = c->node.ctx->run_dir;
	const char *ovs_dir = c->node.ctx->ovs_rundir(c->node.ctx->owner, err);

	free(c->pid_file);
	c->pid_file = xasprintf("%s/%s.pid", dir, c->node.name);
	free(c->sock);
	c->sock = xasprintf("%s/%s.sock", dir, c->node.name);
	free(c->sock_link);
	c->sock_link = NULL;
	if (!ovs_dir)
		return emu_err_code(err, -EIO);
	/* Prefixed: no clash with the OVS's own sockets (db.sock) */
	c->sock_link = xasprintf("%s/%s-%s.sock", ovs_dir,
				 c->node.ctx->run_tag, c->node.name);
	if (c->kind == CONTROLLER_BUILTIN) {
		free(c->status_file);
		c->status_file = xasprintf("%s/%s.ready", dir, c->node.name);
	}
	if (c->kind == CONTROLLER_OVSC) {
		free(c->unixctl);
		c->unixctl = xasprintf("%s/%s.ctl", dir, c->node.name);
	}
	if (c->kind == CONTROLLER_BUILTIN && !c->learning) {
		free(c->topo_file);
		c->topo_file = xasprintf("%s/%s.topo", dir, c->node.name);
	}
	controller_remove_files(c);
	return 0;
}

/* The switches reach the socket of 'c' under the run directory of the
 * run's private OVS (OVS connects to no unix socket elsewhere): a link to
 * the one in the run directory, which only root may use. */
static int controller_expose_socket(struct controller *c, struct emu_err *err)
{
	if (chmod(c->sock, 0600) < 0)
		return emu_err_set(err, -errno, "cannot restrict '%s': %s",
				   c->sock, strerror(errno));
	if (symlink(c->sock, c->sock_link) < 0)
		return emu_err_set(err, -errno, "cannot link '%s' to '%s': %s",
				   c->sock_link, c->sock, strerror(errno));
	free(c->target);
	c->target = xasprintf("unix:%s", c->sock_link);
	return 0;
}

static int controller_start_local(struct controller *c, struct emu_err *err)
{
	struct node_exec_opts eo = { .background = true };
	char *listen = NULL, *tcp = NULL, *exe = NULL, *unixctl = NULL;
	char *argv[16];
	int ret = 0, k = 0;
	pid_t pid;

	ret = controller_set_paths(c, err);
	if (ret)
		return ret;
	listen = xasprintf("punix:%s", c->sock);
	if (c->tcp)
		tcp = xasprintf("ptcp:%d:%s",
				c->port ? c->port : CONTROLLER_PORT, c->ip);
	if (c->kind == CONTROLLER_BUILTIN) {
		exe = controller_builtin_path();
		argv[k++] = exe;
		argv[k++] = "--mode";
		argv[k++] = c->learning ? "learning" : "topo";
		argv[k++] = "--listen";
		argv[k++] = listen;
		if (tcp) {
			argv[k++] = "--listen";
			argv[k++] = tcp;
		}
		argv[k++] = "--pidfile";
		argv[k++] = c->pid_file;
		argv[k++] = "--status-file";
		argv[k++] = c->status_file;
		if (c->topo_file) {
			ret = c->node.ctx->write_topology(
				c->node.ctx->owner, &c->node, c->topo_file,
				err);
			if (ret)
				goto out;
			argv[k++] = "--topo-file";
			argv[k++] = c->topo_file;
		}
		eo.stderr_to = NODE_FD(2);	/* its warnings are the user's */
	} else {
		unixctl = xasprintf("--unixctl=%s", c->unixctl);
		argv[k++] = "ovs-testcontroller";
		argv[k++] = unixctl;
		argv[k++] = listen;
		if (tcp)
			argv[k++] = tcp;
	}
	argv[k] = NULL;
	pid = node_spawn(&c->node, argv, &eo, err);
	if (pid < 0) {
		ret = pid;
		goto out;
	}
	c->pid = pid;
	c->node.running = true;	/* from here on, stop ends it */
	if (c->kind != CONTROLLER_BUILTIN) {
		ret = controller_write_pid_file(c->pid_file, pid, err);
		if (ret)
			goto out;
	}
	ret = controller_wait_listening(c, err);
	if (ret)
		goto out;
	/* Once it listens it has exec'd: its identity is the program's.
	 * Before, it dies with cnemu (PR_SET_PDEATHSIG). */
	free(c->proc_file);
	c->proc_file = xasprintf("%s/%s.proc", c->node.ctx->run_dir,
				 c->node.name);
	ret = proc_id_save(c->proc_file, pid, err);
	if (!ret)
		ret = controller_expose_socket(c, err);
	if (!ret)
		log_dbg("'%s': pid %d listening on %s%s%s", c->node.name,
			(int)pid, listen, tcp ? " and " : "", tcp ? tcp : "");
out:
	free(listen);
	free(tcp);
	free(unixctl);
	free(exe);
	return ret;
}

/* A remote controller is not waited for here: whether it answers shows
 * when its switches connect (net_wait_connected()), and one that never
 * does is a warning there, as Mininet's.  The run's OVS lives in the
 * switch namespace, where the controller's address may not reach: it
 * connects to a relay (node/relay.h) in the run's OVS directory. */
static int controller_start_remote(struct controller *c, struct emu_err *err)
{
	int port = c->port ? c->port : CONTROLLER_PORT;
	const char *ovs_dir = c->node.ctx->ovs_rundir(c->node.ctx->owner, err);

	if (!ovs_dir)
		return emu_err_code(err, -EIO);
	free(c->address);
	c->address = xasprintf("tcp:%s:%d", c->ip, port);
	free(c->sock_link);
	c->sock_link = xasprintf("%s/%s-%s.sock", ovs_dir,
				 c->node.ctx->run_tag, c->node.name);
	c->relay = relay_start(c->sock_link, c->ip, port, err);
	if (!c->relay)
		return emu_err_code(err, -EIO);
	free(c->target);
	c->target = xasprintf("unix:%s", c->sock_link);
	c->node.running = true;
	return 0;
}

static int controller_start(struct node **nodes, size_t n,
			    struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct controller *c = controller_of(nodes[i]);
		int ret = 0;

		log_info("*** Starting controller %s", c->node.name);
		switch (c->kind) {
		case CONTROLLER_BUILTIN:
		case CONTROLLER_OVSC:
			ret = controller_start_local(c, err);
			if (ret)
				emu_err_prefix(err, "controller '%s': ",
					       c->node.name);
			break;
		case CONTROLLER_REMOTE:
			ret = controller_start_remote(c, err);
			if (ret)
				emu_err_prefix(err, "controller '%s': ",
					       c->node.name);
			break;
		case CONTROLLER_NONE:
			c->node.running = true;
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Ends the local process of 'c' if it still runs: SIGTERM to its group,
 * SIGKILL after a second. */
static void controller_kill(struct controller *c)
{
	char how[96];

	if (!controller_alive(c, how, sizeof(how)))
		return;
	kill(-c->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(c->pid, NULL, WNOHANG) != 0)
			return;
		usleep(10000);
	}
	log_warn("controller '%s' (pid %d) ignores SIGTERM: killing it",
		 c->node.name, (int)c->pid);
	kill(-c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

static void controller_stop(struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct controller *c = controller_of(nodes[i]);

		controller_kill(c);
		c->pid = 0;
		relay_stop(c->relay);
		c->relay = NULL;
		controller_remove_files(c);
		nodes[i]->running = false;
	}
}

static void controller_free(struct node *node)
{
	struct controller *c = controller_of(node);

	relay_stop(c->relay);
	free(c->target);
	free(c->address);
	free(c->pid_file);
	free(c->proc_file);
	free(c->topo_file);
	free(c->status_file);
	free(c->sock);
	free(c->sock_link);
	free(c->unixctl);
	free(c);
}

#define CONTROLLER_OPS(NAME)                                                   \
	{                                                                      \
		.kind = NAME, .role = NODE_CONTROLLER,                         \
		.start = controller_start, .stop = controller_stop,            \
		.check = controller_check, .free = controller_free,            \
	}

/* One row per kind, so that 'nodes' shows which. */
static const struct node_ops controller_ops[CONTROLLER_NONE + 1] = {
	[CONTROLLER_BUILTIN] = CONTROLLER_OPS("builtin"),
	[CONTROLLER_OVSC] = CONTROLLER_OPS("ovsc"),
	[CONTROLLER_REMOTE] = CONTROLLER_OPS("remote"),
	[CONTROLLER_NONE] = CONTROLLER_OPS("none"),
};

struct node *controller_create(struct node_ctx *ctx, const char *name,
			       const struct controller_opts *opts,
			       struct emu_err *err)
{
	struct controller_opts none = { 0 };
	struct controller *c = xcalloc(1, sizeof(*c));

	if (controller_apply_opts(c, opts ? opts : &none, err)) {
		emu_err_prefix(err, "controller '%s': ", name);
		free(c);
		return NULL;
	}
	node_init(&c->node, &controller_ops[c->kind], ctx, name, 0);
	return &c->node;
}

const char *controller_target(const struct node *node)
{
	const struct controller *c = controller_of(node);

	return c->kind == CONTROLLER_NONE ? NULL : c->target;
}

const char *controller_address(const struct node *node)
{
	const struct controller *c = controller_of(node);

	return c->address ? c->address : controller_target(node);
}

void controller_get_opts(const struct node *node, struct controller_opts *o)
{
	const struct controller *c = controller_of(node);

	memset(o, 0, sizeof(*o));
	o->kind = node->ops->kind;
	if (c->kind == CONTROLLER_BUILTIN)
		o->mode = c->learning ? "learning" : "topo";
	o->ip = c->ip[0] ? c->ip : NULL;
	o->port = c->port;
}

const char *controller_topo_file(const struct node *node)
{
	return controller_of(node)->topo_file;
}

int controller_reload(struct node *node, struct emu_err *err)
{
	struct controller *c = controller_of(node);

	if (!node->running || !c->pid || !c->topo_file)
		return 0;
	if (kill(c->pid, SIGHUP) < 0)
		return emu_err_set(err, -errno,
				   "cannot signal controller '%s': %s",
				   node->name, strerror(errno));
	return 0;
}

static int controller_cmp_dpid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The builtin: how many of 'dpids' its status file names (the switches
 * whose flows are in place, barrier answered). */
static size_t controller_count_synced(const struct controller *c,
				      const uint64_t *dpids, size_t n)
{
	FILE *f = fopen(c->status_file, "r");
	uint64_t *got = NULL, v;
	size_t n_got = 0, cap = 0, ready = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%" SCNx64, &v) == 1) {
		xgrow((void **)&got, &cap, n_got + 1, sizeof(*got));
		got[n_got++] = v;
	}
	fclose(f);
	qsort(got, n_got, sizeof(*got), controller_cmp_dpid);
	for (size_t i = 0; i < n; i++)
		ready += n_got && bsearch(&dpids[i], got, n_got, sizeof(*got),
					  controller_cmp_dpid);
	free(got);
	return ready;
}

/* ovs-testcontroller: how many connections it accepted on its socket
 * (an accepted unix socket carries the listener's path, state 03). */
static size_t controller_count_unix(const struct controller *c)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[PATH_MAX + 128], path[PATH_MAX];
	unsigned int st;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %*s %x %*s %4095s", &st,
			   path) == 2 &&
		    st == 3 && !strcmp(path, c->sock))
			n++;
	fclose(f);
	return n;
}

/* Counts in 'aux' (struct controller_tcp_count) the established TCP
 * connections of a sock_diag answer to the remote address whose peer
 * has sent something: an OpenFlow controller says HELLO first, a proxy
 * or firewall that only accepts says nothing. */
struct controller_tcp_count {
	struct in_addr addr;
	uint16_t port;
	size_t n;
};

static int controller_tcp_cb(const struct nlmsghdr *nlh, void *aux)
{
	struct controller_tcp_count *cnt = aux;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) ||
	    m->id.idiag_dst[0] != cnt->addr.s_addr ||
	    ntohs(m->id.idiag_dport) != cnt->port)
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*m)) {
		const struct tcp_info *ti = mnl_attr_get_payload(attr);

		if (mnl_attr_get_type(attr) == INET_DIAG_INFO &&
		    mnl_attr_get_payload_len(attr) >=
			    offsetof(struct tcp_info, tcpi_bytes_received) +
				    sizeof(ti->tcpi_bytes_received) &&
		    ti->tcpi_bytes_received > 0)
			cnt->n++;
	}
	return 0;
}

/* A remote controller: how many TCP connections to it are established
 * from this machine's namespace (OVS's, as nothing else talks to it) and
 * heard from. */
static size_t controller_count_tcp(const struct controller *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct controller_tcp_count cnt = {
		.port = (uint16_t)(c->port ? c->port : CONTROLLER_PORT),
	};
	struct nlconn *nl = nlconn_open(-1, NETLINK_SOCK_DIAG, NULL);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	if (!nl)
		return 0;
	inet_pton(AF_INET, c->ip, &cnt.addr);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1 << 1;	/* TCP_ESTABLISHED */
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	/* A failed dump counts what it saw: the caller asks again. */
	nlconn_talk(nl, nlh, controller_tcp_cb, &cnt);
	nlconn_close(nl);
	return cnt.n;
}

size_t controller_count_ready(const struct node *node, const uint64_t *dpids,
			      size_t n)
{
	const struct controller *c = controller_of(node);
	size_t got;

	if (!node->running)
		return 0;
	switch (c->kind) {
	case CONTROLLER_BUILTIN:
		return controller_count_synced(c, dpids, n);
	case CONTROLLER_OVSC:
		got = controller_count_unix(c);
		break;
	case CONTROLLER_REMOTE:
		got = controller_count_tcp(c);
		break;
	default:
		got = n;
		break;
	}
	return got < n ? got : n;
}

/* What precedes the first dash of the socket link 'name' ("cn12-c0.sock"
 * gives "cn12", the run's tag if it is one) into 'tag', with 'rest' at
 * what follows the dash; false when 'name' has not that shape. */
static bool controller_link_tag(const char *name, char *tag, size_t size,
				const char **rest)
{
	const char *dash = strchr(name, '-');
	size_t n = strlen(name);

	if (!dash || dash == name || (size_t)(dash - name) >= size ||
	    n < 5 || strcmp(name + n - 5, ".sock") || dash[1] == '.')
		return false;
	memcpy(tag, name, (size_t)(dash - name));
	tag[dash - name] = '\0';
	*rest = dash + 1;
	return true;
}

unsigned int controller_remove_leftovers(const char *run_root,
					 bool (*is_dead)(const char *tag,
							 void *aux),
					 void *aux)
{
	const char *dir_path = ovs_switch_rundir();
	DIR *dir = opendir(dir_path);
	unsigned int removed = 0;
	struct dirent *de;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char tag[24], path[PATH_MAX], target[PATH_MAX], want[PATH_MAX];
		const char *rest;
		struct stat st;
		ssize_t n;

		if (!controller_link_tag(de->d_name, tag, sizeof(tag), &rest))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, de->d_name);
		if (lstat(path, &st) || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		snprintf(want, sizeof(want), "%s/%s/%s", run_root, tag, rest);
		/* Ours only as a run makes it, and only once it leads
		 * nowhere (a dead run's directory is emptied first). */
		if (strcmp(target, want) || !lstat(target, &st) ||
		    (errno != ENOENT && errno != ENOTDIR) ||
		    !is_dead(tag, aux))
			continue;
		if (!unlink(path))
			removed++;
	}
	closedir(dir);
	return removed;
}

bool controller_check(struct node *node)
{
	struct controller *c = controller_of(node);
	char how[96];

	if (!node->running || !c->pid || controller_alive(c, how, sizeof(how)))
		return true;
	log_warn("controller '%s' (pid %d) died, %s: its switches get no "
		 "new flows",
		 node->name, (int)c->pid, how);
	c->pid = 0;
	node->n_bg = 0;		/* nothing left to kill */
	controller_remove_files(c);
	node->running = false;
	return false;
}
