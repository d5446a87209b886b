#include "node/controller.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/err.h"
#include "emu/log.h"
#include "emu/net.h"
#include "emu/proc.h"
#include "emu/util.h"
#include "node/node.h"

EMU_LOG_MODULE(controller);

/* How long start waits for a controller to listen or answer. */
#define CONTROLLER_START_MS 5000
#define CONTROLLER_REMOTE_MS 3000
/* How many ports after CONTROLLER_PORT a local controller may take. */
#define CONTROLLER_PORT_TRIES 100

enum controller_kind { CONTROLLER_BUILTIN, CONTROLLER_OVSC, CONTROLLER_REMOTE,
		       CONTROLLER_NONE };

struct controller {
	struct node node;
	enum controller_kind kind;
	bool learning;		/* builtin: learning mode, else topo */
	char ip[INET_ADDRSTRLEN];	/* listen (local) or remote address */
	int port;		/* asked for; 0: CONTROLLER_PORT or the next
				   free one */
	char *target;		/* "tcp:127.0.0.1:6653" once started */
	char *pid_file;		/* "<run dir>/<name>.pid"; local kinds */
	char *proc_file;	/* "<run dir>/<name>.proc": its identity
				   (pid, start time, executable), by which
				   'cnemu -c' ends it */
	char *topo_file;	/* "<run dir>/<name>.topo"; topo mode */
	pid_t pid;		/* the local process; 0: none */
};

static struct controller *controller_of(const struct node *node)
{
	return container_of(node, struct controller, node);
}

static const struct {
	const char *name;
	enum controller_kind kind;
} controller_kinds[] = {
	{ "builtin", CONTROLLER_BUILTIN }, { "default", CONTROLLER_BUILTIN },
	{ "ovsc", CONTROLLER_OVSC },	   { "ref", CONTROLLER_OVSC },
	{ "remote", CONTROLLER_REMOTE },   { "none", CONTROLLER_NONE },
};

static int controller_kind_of(const char *name, enum controller_kind *kind,
			      struct emu_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(controller_kinds); i++) {
		if (!strcmp(name, controller_kinds[i].name)) {
			*kind = controller_kinds[i].kind;
			return 0;
		}
	}
	return emu_err_set(err, -EINVAL,
			   "unknown controller '%s' (known: builtin, ovsc, "
			   "remote, none)",
			   name);
}

/* Checks 'opts' and fills the kind, mode, address and port of 'c'. */
static int controller_apply_opts(struct controller *c,
				 const struct net_controller_opts *o,
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
	if (o->port < 0 || o->port > 65535)
		return emu_err_set(err, -ERANGE,
				   "invalid controller port %d (1 to 65535)",
				   o->port);
	c->port = o->port;
	return 0;
}

int controller_parse(const char *spec, struct net_controller_opts *opts,
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

static void controller_sockaddr(const char *ip, int port,
				struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa->sin_addr);
}

/* True when nothing listens on 'ip':'port' (a bind would work). */
static bool controller_port_free(const char *ip, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in sa;
	bool ok;

	if (fd < 0)
		return true;	/* let the controller find out */
	controller_sockaddr(ip, port, &sa);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Tries once to connect to 'ip':'port' within 'timeout_ms'. */
static bool controller_answers(const char *ip, int port, int timeout_ms)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct sockaddr_in sa;
	socklen_t len = sizeof(int);
	int soerr = -1;
	bool ok = false;

	if (fd < 0)
		return false;
	controller_sockaddr(ip, port, &sa);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		ok = true;
	else if (errno == EINPROGRESS && poll(&pfd, 1, timeout_ms) == 1 &&
		 !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		ok = soerr == 0;
	close(fd);
	return ok;
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

static void controller_remove_files(struct controller *c)
{
	char tmp[PATH_MAX];

	if (c->pid_file)
		unlink(c->pid_file);
	if (c->proc_file)
		unlink(c->proc_file);
	if (c->topo_file) {
		unlink(c->topo_file);
		snprintf(tmp, sizeof(tmp), "%s.tmp", c->topo_file);
		unlink(tmp);
	}
}

/* Picks the port of a local controller. */
static int controller_pick_port(struct controller *c, struct emu_err *err)
{
	if (c->port) {
		if (!controller_port_free(c->ip, c->port))
			return emu_err_set(err, -EADDRINUSE,
					   "port %d of %s is taken", c->port,
					   c->ip);
		return c->port;
	}
	for (int p = CONTROLLER_PORT;
	     p < CONTROLLER_PORT + CONTROLLER_PORT_TRIES; p++)
		if (controller_port_free(c->ip, p))
			return p;
	return emu_err_set(err, -EADDRINUSE,
			   "no free port from %d to %d on %s", CONTROLLER_PORT,
			   CONTROLLER_PORT + CONTROLLER_PORT_TRIES - 1, c->ip);
}

/* Waits until the local controller listens: the builtin writes its pid
 * file once it does, ovs-testcontroller accepts a connection. */
static int controller_wait_listening(struct controller *c, int port,
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
			    : controller_answers(c->ip, port, 100))
			return 0;
		if (now_us() > deadline)
			return emu_err_set(err, -ETIMEDOUT,
					   "it does not listen on %s:%d after "
					   "%d s",
					   c->ip, port,
					   CONTROLLER_START_MS / 1000);
		usleep(10000);
	}
}

static int controller_start_local(struct controller *c, struct emu_err *err)
{
	struct node_exec_opts eo = { -1, -1, -1, true, false, false };
	const char *dir = net_run_dir(c->node.net);
	char listen[64], port_s[16], *exe = NULL;
	char *argv[10];
	int port, ret, k = 0;
	pid_t pid;

	port = controller_pick_port(c, err);
	if (port < 0)
		return port;
	snprintf(listen, sizeof(listen), "ptcp:%d:%s", port, c->ip);
	snprintf(port_s, sizeof(port_s), "%d", port);
	free(c->pid_file);
	c->pid_file = xasprintf("%s/%s.pid", dir, c->node.name);
	unlink(c->pid_file);
	if (c->kind == CONTROLLER_BUILTIN) {
		exe = controller_builtin_path();
		argv[k++] = exe;
		argv[k++] = "--mode";
		argv[k++] = c->learning ? "learning" : "topo";
		argv[k++] = "--listen";
		argv[k++] = listen;
		argv[k++] = "--pidfile";
		argv[k++] = c->pid_file;
		if (!c->learning) {
			free(c->topo_file);
			c->topo_file = xasprintf("%s/%s.topo", dir,
						 c->node.name);
			ret = net_write_topology(c->node.net, &c->node,
						 c->topo_file, err);
			if (ret)
				goto out;
			argv[k++] = "--topo-file";
			argv[k++] = c->topo_file;
		}
		eo.stderr_fd = 2;	/* its warnings are the user's */
	} else {
		argv[k++] = "ovs-testcontroller";
		argv[k++] = listen;
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
	ret = controller_wait_listening(c, port, err);
	if (ret)
		goto out;
	/* Once it listens it has exec'd: its identity is the program's.
	 * Before, it dies with cnemu (PR_SET_PDEATHSIG). */
	free(c->proc_file);
	c->proc_file = xasprintf("%s/%s.proc", dir, c->node.name);
	ret = proc_id_save(c->proc_file, pid, err);
	if (ret)
		goto out;
	free(c->target);
	c->target = xasprintf("tcp:%s:%d",
			      strcmp(c->ip, "0.0.0.0") ? c->ip : "127.0.0.1",
			      port);
	log_dbg("'%s': pid %d listening on %s", c->node.name, (int)pid,
		listen);
out:
	free(exe);
	return ret;
}

static int controller_start_remote(struct controller *c, struct emu_err *err)
{
	unsigned long long deadline = now_us() +
				      CONTROLLER_REMOTE_MS * 1000ULL;
	int port = c->port ? c->port : CONTROLLER_PORT;

	while (!controller_answers(c->ip, port, 200)) {
		if (now_us() > deadline)
			return emu_err_set(err, -EHOSTUNREACH,
					   "controller '%s' at %s:%d does not "
					   "answer",
					   c->node.name, c->ip, port);
		usleep(50000);
	}
	free(c->target);
	c->target = xasprintf("tcp:%s:%d", c->ip, port);
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
		controller_remove_files(c);
		nodes[i]->running = false;
	}
}

static void controller_free(struct node *node)
{
	struct controller *c = controller_of(node);

	free(c->target);
	free(c->pid_file);
	free(c->proc_file);
	free(c->topo_file);
	free(c);
}

#define CONTROLLER_OPS(NAME)                                                   \
	{                                                                      \
		.kind = NAME, .role = NODE_CONTROLLER,                         \
		.start = controller_start, .stop = controller_stop,            \
		.check = controller_check, .free = controller_free,            \
	}

/* One row per kind, so that 'nodes' shows which. */
static const struct node_ops controller_ops[] = {
	[CONTROLLER_BUILTIN] = CONTROLLER_OPS("builtin"),
	[CONTROLLER_OVSC] = CONTROLLER_OPS("ovsc"),
	[CONTROLLER_REMOTE] = CONTROLLER_OPS("remote"),
	[CONTROLLER_NONE] = CONTROLLER_OPS("none"),
};

struct node *controller_create(struct net *net, const char *name,
			       const struct net_controller_opts *opts,
			       struct emu_err *err)
{
	struct net_controller_opts none = { 0 };
	struct controller *c = xcalloc(1, sizeof(*c));

	if (controller_apply_opts(c, opts ? opts : &none, err)) {
		emu_err_prefix(err, "controller '%s': ", name);
		free(c);
		return NULL;
	}
	node_init(&c->node, &controller_ops[c->kind], net, name, 0);
	return &c->node;
}

const char *controller_target(const struct node *node)
{
	const struct controller *c = controller_of(node);

	return c->kind == CONTROLLER_NONE ? NULL : c->target;
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
