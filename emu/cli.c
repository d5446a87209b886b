#include "emu/cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "emu/cliparse.h"
#include "base/err.h"
#include "emu/draw.h"
#include "base/log.h"
#include "emu/net.h"
#include "emu/traffic.h"
#include "base/proc.h"
#include "base/util.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/docker.h"
#include "node/node.h"

EMU_LOG_MODULE(cli);

#define CLI_PROMPT "cnemu> "
#define CLI_HISTORY_FILE ".cnemu_history"
#define CLI_HISTORY_MAX 1000
#define CLI_SOURCE_DEPTH 16	/* nested 'source' */
#define CLI_LINE_MAX 65536	/* bytes in a command line */
#define CLI_FILE_MAX (4 << 20)	/* bytes in a command file ('source',
				   --pre, --post) */

struct cli {
	struct net *net;		/* borrowed; NULL: no network */
	FILE *out, *errout;		/* results, "error: ..." lines */
	volatile sig_atomic_t *stop;	/* main's stop flag; NULL */
	cli_lua_fn lua_fn;		/* the 'lua' command; NULL */
	void *lua_aux;
	const char *rest;		/* the line after the command word */
	const struct cli_cmd *usage_cmd;	/* usage to print with the
						   error; NULL */
	int depth;			/* 'source' nesting */
	bool done;			/* exit, quit or EOF met */
	bool py_noted;			/* 'py' said it runs Lua */
	struct sigaction old_int, old_quit;	/* restored at destroy */
};

/* Set by the SIGINT handler; cleared by whoever acts on it. */
static volatile sig_atomic_t cli_sigint;
/* The CLI whose readline loop runs (completion has no other context). */
static struct cli *cli_active;
/* The line readline's callback handed over, and whether it did. */
static char *cli_line;
static bool cli_line_ready;

static void cli_on_sigint(int sig)
{
	(void)sig;
	cli_sigint = 1;
}

static bool cli_stopping(const struct cli *cli)
{
	return cli->stop && *cli->stop;
}

/* ---- children: node commands, shell lines ------------------------- */

/* True when the terminal on stdin delivers Ctrl-C to our process group
 * (and so to a child in it). */
static bool cli_tty_foreground(void)
{
	return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* The stdin a foreground child gets: the terminal, never the stream the
 * commands come from. */
static int cli_child_stdin(void)
{
	return isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
}

/* Takes the terminal back after a child that made its own process group
 * (an interactive shell) and restores its modes. */
static void cli_reclaim_tty(const struct termios *saved)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (!saved)
		return;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGTTOU, &ign, &old);
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		tcsetpgrp(STDIN_FILENO, getpgrp());
	tcsetattr(STDIN_FILENO, TCSADRAIN, saved);
	sigaction(SIGTTOU, &old, NULL);
}

/* Waits for the foreground child 'pid'.  Ctrl-C from the terminal reaches
 * it directly; without a terminal SIGINT is passed on; the stop flag
 * ends it: SIGTERM, then SIGKILL after PROC_GRACE_MS, so that a command
 * ignoring SIGTERM never holds the stop up.  Returns its exit status
 * (128 + signal when killed). */
static int cli_wait(struct cli *cli, pid_t pid)
{
	int status;

	for (;;) {
		if (cli_stopping(cli)) {
			status = proc_end_child(pid, false, SIGTERM,
						PROC_GRACE_MS);
			break;
		}
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR)
			return 0;
		if (cli_sigint && !cli_tty_foreground())
			kill(pid, SIGINT);
		cli_sigint = 0;
	}
	cli_sigint = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
		fputc('\n', cli->out);
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

/* Runs 'argv' in the root namespace in the foreground. */
static int cli_run_root(struct cli *cli, char *const argv[],
			struct emu_err *err)
{
	int out = fileno(cli->out), errout = fileno(cli->errout);
	int in = cli_child_stdin();
	pid_t pid;

	fflush(cli->out);
	fflush(cli->errout);
	pid = fork();
	if (pid < 0)
		return emu_err_set(err, -errno, "cannot fork: %s",
				   strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(errout >= 0 ? errout : null, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "error: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return cli_wait(cli, pid);
}

/* The IP of the node named 'word' for node command lines. */
static const char *cli_lookup_ip(void *aux, const char *word, char *buf,
				 size_t size)
{
	struct node *node = net_get(aux, word);

	return node ? node_ip(node, buf, size) : NULL;
}

/* True when 'line' is only a shell's name: an interactive shell. */
static bool cli_is_shell(const char *line)
{
	return !strcmp(line, "sh") || !strcmp(line, "bash");
}

/* Runs the text 'text' in 'node': a shell line, in the background with a
 * trailing '&', or an interactive shell with the terminal passed through
 * ('h1 bash').  'noecho' turns the terminal's echo off meanwhile. */
static int cli_node_command(struct cli *cli, struct node *node,
			    const char *text, bool noecho,
			    struct emu_err *err)
{
	struct node_exec_opts opts = { 0 };
	struct termios saved, quiet;
	bool tty = isatty(STDIN_FILENO), bg;
	char *argv[4], *line;
	int ret;
	pid_t pid;

	if (!cli->net || !net_is_started(cli->net))
		return emu_err_set(err, -ENETDOWN,
				   "'%s': the network is not started",
				   node_name(node));
	if (!node_is_running(node))
		return emu_err_set(err, -ENETDOWN, "'%s' is not running",
				   node_name(node));
	line = cli_substitute(text, cli_lookup_ip, cli->net);
	bg = cli_strip_background(line);
	if (!line[0]) {
		free(line);
		return emu_err_set(err, -EINVAL,
				   "'%s' needs a command (usage: %s CMD...)",
				   node_name(node), node_name(node));
	}
	if (!bg && tty && cli_is_shell(line)) {
		argv[0] = line;
		argv[1] = NULL;
		opts.keep_signals = true;	/* the shell's own Ctrl-C */
	} else {
		/* bash as Mininet where the node sees our file system; a
		 * container's own /bin/sh otherwise */
		argv[0] = !node->pid && !access("/bin/bash", X_OK) ? "bash"
								    : "sh";
		argv[1] = "-c";
		argv[2] = line;
		argv[3] = NULL;
	}
	fflush(cli->out);
	fflush(cli->errout);
	if (bg) {
		/* XXX: output of background commands is dropped, as Mininet
		 * shows it only at the node's next command */
		opts.background = true;
		pid = node_spawn(node, argv, &opts, err);
		free(line);
		return pid < 0 ? pid : 0;
	}
	opts.stdin_from = NODE_FD(cli_child_stdin());
	opts.stdout_to = NODE_FD(fileno(cli->out));
	opts.stderr_to = NODE_FD(fileno(cli->errout));
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		if (noecho) {
			quiet = saved;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSADRAIN, &quiet);
		}
	} else {
		tty = false;
	}
	pid = node_spawn(node, argv, &opts, err);
	ret = pid < 0 ? pid : cli_wait(cli, pid);
	cli_reclaim_tty(tty ? &saved : NULL);
	free(line);
	return ret;
}

/* ---- helpers of the handlers -------------------------------------- */

/* The node named 'name', or NULL with 'err' set. */
static struct node *cli_node(struct cli *cli, const char *name,
			     struct emu_err *err)
{
	struct node *node = net_get(cli->net, name);

	if (!node)
		emu_err_set(err, -ENOENT, "no node '%s'", name);
	return node;
}

/* The nodes in Mininet's order: hosts, switches, controllers ('*n' gets
 * their count; caller frees). */
static struct node **cli_nodes_by_role(struct cli *cli, size_t *n)
{
	static const enum node_role order[] = { NODE_HOST, NODE_SWITCH,
						NODE_CONTROLLER };
	size_t n_nodes, k = 0;
	struct node **nodes = net_nodes(cli->net, &n_nodes);
	struct node **sorted = xcalloc(n_nodes + 1, sizeof(*sorted));

	for (size_t r = 0; r < ARRAY_SIZE(order); r++)
		for (size_t i = 0; i < n_nodes; i++)
			if (node_role(nodes[i]) == order[r])
				sorted[k++] = nodes[i];
	*n = k;
	return sorted;
}

/* Compares names with their numbers as numbers: h2 before h10. */
static int cli_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long x = strtoul(a, &ea, 10);
			unsigned long y = strtoul(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int cli_cmp_nodes(const void *x, const void *y)
{
	return cli_natcmp(node_name(*(struct node *const *)x),
			  node_name(*(struct node *const *)y));
}

/* The interface at the other end of 'intf''s link, or NULL. */
static struct node_intf *cli_peer(const struct node_intf *intf)
{
	if (!intf->link)
		return NULL;
	return link_intf1(intf->link) == intf ? link_intf2(intf->link)
					      : link_intf1(intf->link);
}

static const char *cli_role_name(enum node_role role)
{
	switch (role) {
	case NODE_HOST:
		return "host";
	case NODE_SWITCH:
		return "switch";
	case NODE_CONTROLLER:
		return "controller";
	}
	return "node";
}

/* Mininet's class names in 'dump', by kind. */
static const char *cli_class_name(const struct node *node)
{
	static const struct {
		const char *kind, *class;
	} classes[] = {
		{ "host", "Host" },	     { "docker", "Docker" },
		{ "lxbr", "LinuxBridge" },   { "ovs", "OVSSwitch" },
		{ "controller", "Controller" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(node_kind(node), classes[i].kind))
			return classes[i].class;
	return node_kind(node);
}

/* Parses a timeout in seconds (0 < t <= 3600). */
static int cli_parse_seconds(const char *s, double *out, struct emu_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 3600))
		return emu_err_set(err, -EINVAL,
				   "invalid timeout '%s': expected seconds "
				   "(0..3600)",
				   s);
	*out = v;
	return 0;
}


/* ---- JSON of the topology ----------------------------------------- */

static json_t *cli_json_shaping(const struct shaping *s)
{
	json_t *o = json_object();
	char buf[160];

	if (s->rate_bps)
		json_object_set_new(o, "bw", json_real(s->rate_bps / 1e6));
	if (s->delay_us)
		json_object_set_new(o, "delay_us", json_integer(s->delay_us));
	if (s->jitter_us)
		json_object_set_new(o, "jitter_us",
				    json_integer(s->jitter_us));
	if (s->loss_pct)
		json_object_set_new(o, "loss", json_real(s->loss_pct));
	if (s->duplicate_pct)
		json_object_set_new(o, "duplicate",
				    json_real(s->duplicate_pct));
	if (s->corrupt_pct)
		json_object_set_new(o, "corrupt", json_real(s->corrupt_pct));
	if (s->reorder_pct)
		json_object_set_new(o, "reorder", json_real(s->reorder_pct));
	if (s->max_queue_pkts)
		json_object_set_new(o, "max_queue_size",
				    json_integer(s->max_queue_pkts));
	shaping_format(s, buf, sizeof(buf));
	json_object_set_new(o, "summary", json_string(buf));
	return o;
}

static json_t *cli_json_link(const struct link *link)
{
	const struct node_intf *a = link_intf1(link), *b = link_intf2(link);
	json_t *o = json_object();

	json_object_set_new(o, "node1", json_string(node_name(a->node)));
	json_object_set_new(o, "intf1", json_string(a->name));
	json_object_set_new(o, "node2", json_string(node_name(b->node)));
	json_object_set_new(o, "intf2", json_string(b->name));
	json_object_set_new(o, "up", json_boolean(link_is_up(link)));
	json_object_set_new(o, "made", json_boolean(link_is_made(link)));
	json_object_set_new(o, "params1", cli_json_shaping(link_shaping(link,
									0)));
	json_object_set_new(o, "params2", cli_json_shaping(link_shaping(link,
									1)));
	return o;
}

static json_t *cli_json_intf(const struct node_intf *intf)
{
	const struct node_intf *peer = cli_peer(intf);
	json_t *o = json_object();
	const char *mac;
	char buf[32];

	mac = intf->mac[0] ? intf->mac : net_intf_mac(intf, buf, sizeof(buf));
	json_object_set_new(o, "name", json_string(intf->name));
	json_object_set_new(o, "ip", intf->ip[0] ? json_string(intf->ip)
						 : json_null());
	json_object_set_new(o, "mac", mac ? json_string(mac) : json_null());
	json_object_set_new(o, "port", json_integer(intf->port));
	json_object_set_new(o, "up", json_boolean(intf->up));
	if (peer)
		json_object_set_new(o, "peer",
				    json_pack("{s:s, s:s}", "node",
					      node_name(peer->node), "intf",
					      peer->name));
	return o;
}

static json_t *cli_json_node(const struct node *node)
{
	json_t *o = json_object(), *intfs = json_array();
	char ip[64];

	json_object_set_new(o, "name", json_string(node_name(node)));
	json_object_set_new(o, "kind", json_string(node_kind(node)));
	json_object_set_new(o, "role",
			    json_string(cli_role_name(node_role(node))));
	json_object_set_new(o, "running",
			    json_boolean(node_is_running(node)));
	json_object_set_new(o, "ip", node_ip(node, ip, sizeof(ip))
					     ? json_string(ip)
					     : json_null());
	if (node->pid)
		json_object_set_new(o, "pid", json_integer(node->pid));
	if (node_is_docker(node)) {
		const char *id = docker_id(node);

		json_object_set_new(o, "container",
				    id ? json_string(id) : json_null());
		json_object_set_new(o, "image",
				    json_string(docker_image(node)));
	}
	for (size_t i = 0; i < node->n_intfs; i++)
		json_array_append_new(intfs, cli_json_intf(node->intfs[i]));
	json_object_set_new(o, "intfs", intfs);
	return o;
}

static json_t *cli_json_links(struct cli *cli)
{
	size_t n;
	struct link **links = net_links(cli->net, &n);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, cli_json_link(links[i]));
	return a;
}

static void cli_print_json(struct cli *cli, json_t *j)
{
	json_dumpf(j, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', cli->out);
	json_decref(j);
}

/* Accepts the optional '--json' of 'dump' and 'links'. */
static int cli_json_flag(int argc, char **argv, bool *json,
			 struct emu_err *err)
{
	*json = argc > 1;
	if (*json && strcmp(argv[1], "--json"))
		return emu_err_set(err, -EINVAL, "unknown option '%s'",
				   argv[1]);
	return 0;
}

/* ---- the commands ------------------------------------------------- */

static int cmd_help(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	size_t n, width = 0;
	const struct cli_cmd *cmds = cli_commands(&n), *c;
	char buf[96];

	if (argc > 1) {
		c = cli_find_command(argv[1]);
		if (!c && cli->net && net_get(cli->net, argv[1])) {
			fprintf(cli->out, "usage: %s CMD...\n  run the shell "
				"line CMD in '%s': other node names become "
				"their IPs,\n  a trailing & runs it in the "
				"background, '%s bash' opens a shell\n",
				argv[1], argv[1], argv[1]);
			return 0;
		}
		if (!c)
			return emu_err_set(err, -ENOENT, "no command '%s'",
					   argv[1]);
		fprintf(cli->out, "usage: %s%s%s\n  %s\n", c->name,
			c->usage[0] ? " " : "", c->usage, c->help);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(cmds[i].name) + 1 + strlen(cmds[i].usage);

		if (w > width)
			width = w;
	}
	fprintf(cli->out, "Commands (help COMMAND for one):\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s %s", cmds[i].name,
			 cmds[i].usage);
		fprintf(cli->out, "  %-*s  %s\n", (int)width, buf,
			cmds[i].help);
	}
	fprintf(cli->out, "  %-*s  %s\n  %-*s  %s\n", (int)width,
		"NODE CMD...", "run CMD in NODE (node names become IPs)",
		(int)width, "", "h1 ping h2; h1 sleep 9 &; h1 bash");
	return 0;
}

static int cmd_nodes(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	size_t n;
	struct node **all = net_nodes(cli->net, &n);
	struct node **sorted = xcalloc(n + 1, sizeof(*sorted));

	(void)argc;
	(void)argv;
	(void)err;
	memcpy(sorted, all, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cli_cmp_nodes);
	fprintf(cli->out, "available nodes are: \n");
	for (size_t i = 0; i < n; i++)
		fprintf(cli->out, "%s%s", i ? " " : "", node_name(sorted[i]));
	fprintf(cli->out, "\n");
	free(sorted);
	return 0;
}

static int cmd_net(struct cli *cli, int argc, char **argv,
		   struct emu_err *err)
{
	size_t n;
	struct node **nodes = cli_nodes_by_role(cli, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		fprintf(cli->out, "%s", node_name(nodes[i]));
		for (size_t j = 0; j < nodes[i]->n_intfs; j++) {
			const struct node_intf *intf = nodes[i]->intfs[j];
			const struct node_intf *peer = cli_peer(intf);

			fprintf(cli->out, " %s:%s", intf->name,
				peer ? peer->name : "");
		}
		fprintf(cli->out, "\n");
	}
	free(nodes);
	return 0;
}

/* Mininet's status of a link end: OK, or MISSING when it is not made;
 * DOWN when it was set down. */
static const char *cli_end_status(const struct link *link,
				  const struct node_intf *end)
{
	if (!link_is_made(link))
		return "MISSING";
	return end->up ? "OK" : "DOWN";
}

static int cmd_links(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	size_t n;
	struct link **links = net_links(cli->net, &n);
	bool json;
	int ret = cli_json_flag(argc, argv, &json, err);

	if (ret)
		return ret;
	if (json) {
		cli_print_json(cli, cli_json_links(cli));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct node_intf *a = link_intf1(links[i]);
		const struct node_intf *b = link_intf2(links[i]);

		fprintf(cli->out, "%s<->%s (%s %s)\n", a->name, b->name,
			cli_end_status(links[i], a),
			cli_end_status(links[i], b));
	}
	return 0;
}

static int cmd_dump(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	size_t n;
	struct node **nodes;
	bool json;
	int ret = cli_json_flag(argc, argv, &json, err);

	if (ret)
		return ret;
	nodes = cli_nodes_by_role(cli, &n);
	if (json) {
		json_t *root = json_object(), *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, cli_json_node(nodes[i]));
		json_object_set_new(root, "run",
				    json_string(net_run_tag(cli->net)));
		json_object_set_new(root, "started",
				    json_boolean(net_is_started(cli->net)));
		json_object_set_new(root, "nodes", a);
		json_object_set_new(root, "links", cli_json_links(cli));
		cli_print_json(cli, root);
		free(nodes);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct node *node = nodes[i];

		fprintf(cli->out, "<%s %s: ", cli_class_name(node),
			node_name(node));
		for (size_t j = 0; j < node->n_intfs; j++) {
			const struct node_intf *intf = node->intfs[j];

			fprintf(cli->out, "%s%s:%.*s", j ? "," : "",
				intf->name,
				intf->ip[0] ? (int)strcspn(intf->ip, "/") : 4,
				intf->ip[0] ? intf->ip : "None");
		}
		if (node->pid)
			fprintf(cli->out, " pid=%d", (int)node->pid);
		fprintf(cli->out, "> \n");
	}
	free(nodes);
	return 0;
}

static int cmd_intfs(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	size_t n;
	struct node **nodes = cli_nodes_by_role(cli, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		/* Mininet's switches list their control port 'lo' first */
		bool lo = node_role(nodes[i]) == NODE_SWITCH;

		fprintf(cli->out, "%s: %s", node_name(nodes[i]),
			lo ? "lo" : "");
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			fprintf(cli->out, "%s%s", j || lo ? "," : "",
				nodes[i]->intfs[j]->name);
		fprintf(cli->out, "\n");
	}
	free(nodes);
	return 0;
}

static int cmd_ports(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	size_t n;
	struct node **nodes = net_nodes(cli->net, &n);

	(void)argc;
	(void)argv;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		if (node_role(nodes[i]) != NODE_SWITCH)
			continue;
		fprintf(cli->out, "%s", node_name(nodes[i]));
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			fprintf(cli->out, " %s:%d", nodes[i]->intfs[j]->name,
				nodes[i]->intfs[j]->port);
		fprintf(cli->out, "\n");
	}
	return 0;
}

/* Pings among the hosts 'pick' takes ('full': with round-trip times)
 * and prints Mininet's lines.  Returns 0, 1 when a pingall dropped
 * packets, or a negative errno. */
static int cli_ping(struct cli *cli, const char *what, enum traffic_pick pick,
		    double timeout, bool full, struct emu_err *err)
{
	struct traffic_ping_opts opts = { .timeout_s = timeout, .full = full,
					  .interrupt = &cli_sigint };
	struct traffic_ping res;
	struct node **hosts;
	size_t n;
	int ret;

	hosts = traffic_pick_hosts(cli->net, pick, &n, err);
	if (!hosts) {
		emu_err_prefix(err, "%s: ", what);
		return -EINVAL;
	}
	traffic_print_ping_head(cli->out);
	ret = traffic_ping(cli->net, hosts, n, &opts, &res, err);
	cli_sigint = 0;
	if (!ret) {
		traffic_print_ping(cli->out, &res);
		ret = !full && traffic_ping_dropped(&res) > 0;
	}
	traffic_ping_release(&res);
	free(hosts);
	return ret;
}

static int cmd_pingall(struct cli *cli, int argc, char **argv,
		       struct emu_err *err)
{
	double timeout = TRAFFIC_PING_TIMEOUT_S;
	int ret = argc > 1 ? cli_parse_seconds(argv[1], &timeout, err) : 0;

	if (ret)
		return ret;
	return cli_ping(cli, argv[0], TRAFFIC_ALL_HOSTS, timeout, false, err);
}

static int cmd_pingpair(struct cli *cli, int argc, char **argv,
			struct emu_err *err)
{
	(void)argc;
	return cli_ping(cli, argv[0], TRAFFIC_FIRST_TWO, 0, false, err);
}

static int cmd_pingallfull(struct cli *cli, int argc, char **argv,
			   struct emu_err *err)
{
	(void)argc;
	return cli_ping(cli, argv[0], TRAFFIC_ALL_HOSTS, 0, true, err);
}

static int cmd_pingpairfull(struct cli *cli, int argc, char **argv,
			    struct emu_err *err)
{
	(void)argc;
	return cli_ping(cli, argv[0], TRAFFIC_FIRST_TWO, 0, true, err);
}

/* Runs iperf between the hosts named in 'argv' (after the command and,
 * for UDP, the bandwidth; none: the first and last host, as Mininet) and
 * prints Mininet's lines. */
static int cli_iperf(struct cli *cli, const char *what, int argc,
		     char **argv, const char *udp_bw, struct emu_err *err)
{
	struct node *pair[2] = { NULL, NULL }, **hosts = NULL;
	struct traffic_iperf res;
	size_t n;
	int ret;

	if (argc == 2) {
		pair[0] = cli_node(cli, argv[0], err);
		pair[1] = pair[0] ? cli_node(cli, argv[1], err) : NULL;
		if (!pair[1])
			return -ENOENT;
	} else if (argc) {
		return emu_err_set(err, -EINVAL, "give two hosts or none");
	} else {
		hosts = traffic_pick_hosts(cli->net, TRAFFIC_FIRST_LAST, &n,
					   err);
		if (!hosts) {
			emu_err_prefix(err, "%s: ", what);
			return -EINVAL;
		}
		pair[0] = hosts[0];
		pair[1] = hosts[1];
		free(hosts);
	}
	traffic_print_iperf_head(cli->out, udp_bw, node_name(pair[0]),
				 node_name(pair[1]));
	ret = traffic_iperf(cli->net, pair[0], pair[1], udp_bw, 0, &res, err);
	cli_sigint = 0;
	if (!ret)
		traffic_print_iperf(cli->out, &res);
	return ret;
}

static int cmd_iperf(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	return cli_iperf(cli, argv[0], argc - 1, argv + 1, NULL, err);
}

static int cmd_iperfudp(struct cli *cli, int argc, char **argv,
			struct emu_err *err)
{
	return cli_iperf(cli, argv[0], argc - 2, argv + 2, argv[1], err);
}

/* The links between the nodes named 'a' and 'b' ('*n' gets their count;
 * caller frees), or NULL with 'err' set when there is none. */
static struct link **cli_links_between(struct cli *cli, const char *a,
				       const char *b, size_t *n,
				       struct emu_err *err)
{
	struct node *na = cli_node(cli, a, err);
	struct node *nb = na ? cli_node(cli, b, err) : NULL;
	struct link **found;

	*n = 0;
	if (!nb)
		return NULL;
	found = net_links_between(cli->net, na, nb, n);
	if (!*n) {
		free(found);
		emu_err_set(err, -ENOENT, "'%s' and '%s' are not connected", a,
			    b);
		return NULL;
	}
	return found;
}

static int cmd_link(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	bool up = !strcmp(argv[3], "up");
	struct node *a, *b;

	(void)argc;
	if (!up && strcmp(argv[3], "down"))
		return emu_err_set(err, -EINVAL,
				   "link status must be up or down, not '%s'",
				   argv[3]);
	a = cli_node(cli, argv[1], err);
	b = a ? cli_node(cli, argv[2], err) : NULL;
	if (!b)
		return -ENOENT;
	return net_set_link_up(cli->net, a, b, up, err);
}

static int cmd_set(struct cli *cli, int argc, char **argv,
		   struct emu_err *err)
{
	struct emu_err local;
	struct shaping s[2];
	struct link **links;
	char f[2][160];
	size_t n;
	int ret = 0;

	if (strcmp(argv[1], "link"))
		return emu_err_set(err, -EINVAL,
				   "cannot set '%s' (known: link)", argv[1]);
	if (!net_is_started(cli->net))
		return emu_err_set(err, -ENETDOWN,
				   "set needs a started network");
	err = emu_err_sink(err, &local);
	links = cli_links_between(cli, argv[2], argv[3], &n, err);
	if (!links)
		return emu_err_code(err, -ENOENT);
	for (size_t i = 0; i < n && !ret; i++) {
		struct node_intf *a = link_intf1(links[i]);
		struct node_intf *b = link_intf2(links[i]);

		s[0] = *link_shaping(links[i], 0);
		s[1] = *link_shaping(links[i], 1);
		for (int k = 4; k < argc && !ret; k++) {
			char *key = xstrdup(argv[k]), *eq = strchr(key, '=');

			if (!eq)
				ret = emu_err_set(err, -EINVAL,
						  "expected KEY=VALUE, not "
						  "'%s'",
						  argv[k]);
			else
				*eq = '\0';
			for (int e = 0; e < 2 && !ret; e++)
				ret = shaping_set(&s[e], key, eq + 1, err);
			free(key);
		}
		if (!ret)
			ret = net_set_link_shaping(cli->net, links[i], &s[0],
						   &s[1], err);
		if (ret)
			break;
		shaping_format(&s[0], f[0], sizeof(f[0]));
		shaping_format(&s[1], f[1], sizeof(f[1]));
		fprintf(cli->out, "%s<->%s (%s) (%s)\n", a->name, b->name,
			f[0], f[1]);
	}
	free(links);
	return ret;
}

static int cmd_noecho(struct cli *cli, int argc, char **argv,
		      struct emu_err *err)
{
	const char *text = cli->rest;
	struct node *node = cli_node(cli, argv[1], err);

	(void)argc;
	if (!node)
		return -ENOENT;
	text += strspn(text, " \t");
	text += strcspn(text, " \t");
	text += strspn(text, " \t");
	return cli_node_command(cli, node, text, true, err);
}

static int cmd_sh(struct cli *cli, int argc, char **argv,
		  struct emu_err *err)
{
	char *sh_argv[] = { "/bin/sh", "-c", (char *)cli->rest, NULL };

	(void)argc;
	(void)argv;
	return cli_run_root(cli, sh_argv, err);
}

static int cmd_time(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	unsigned long long t0 = now_us();
	char *line = xstrdup(cli->rest);
	int ret;

	(void)argc;
	(void)argv;
	(void)err;
	ret = cli_execute(cli, line);	/* prints its own error */
	free(line);
	fprintf(cli->out, "*** Elapsed time: %0.6f secs\n",
		(now_us() - t0) / 1e6);
	return ret;
}

static int cmd_source(struct cli *cli, int argc, char **argv,
		      struct emu_err *err)
{
	(void)argc;
	return cli_run_file(cli, argv[1], err);
}

static int cmd_dpctl(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	size_t n, found = 0;
	struct node **nodes = net_nodes(cli->net, &n);
	char **ofctl = xcalloc((size_t)argc + 3, sizeof(*ofctl));
	int ret = 0, status;

	/* ovs-ofctl CMD SWITCH ARGS..., as Mininet's dpctl */
	ofctl[0] = "ovs-ofctl";
	ofctl[1] = argv[1];
	for (int i = 2; i < argc; i++)
		ofctl[i + 1] = argv[i];
	for (size_t i = 0; i < n && ret >= 0 && !cli_stopping(cli); i++) {
		if (node_role(nodes[i]) != NODE_SWITCH ||
		    strcmp(node_kind(nodes[i]), "ovs"))
			continue;
		found++;
		fprintf(cli->out, "*** %s -----------------------------------"
			"-------------------------------------\n",
			node_name(nodes[i]));
		ofctl[2] = nodes[i]->name;
		status = cli_run_root(cli, ofctl, err);
		if (status < 0 || (status > 0 && !ret))
			ret = status;
	}
	free(ofctl);
	if (!found && ret >= 0)
		return emu_err_set(err, -ENOENT,
				   "dpctl needs OVS switches (this network "
				   "has none)");
	return ret;
}

static int cmd_switch(struct cli *cli, int argc, char **argv,
		      struct emu_err *err)
{
	struct node *sw = cli_node(cli, argv[1], err);

	(void)argc;
	if (!sw)
		return -ENOENT;
	if (!strcmp(argv[2], "start"))
		return net_start_switch(cli->net, sw, err);
	if (!strcmp(argv[2], "stop"))
		return net_stop_switch(cli->net, sw, err);
	return emu_err_set(err, -EINVAL, "expected start or stop, not '%s'",
			   argv[2]);
}

static int cmd_graph(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	int ret = net_draw(cli->net, argv[1], err);

	(void)argc;
	if (!ret)
		fprintf(cli->out, "*** Drew the topology in %s\n", argv[1]);
	return ret;
}

static int cmd_lua(struct cli *cli, int argc, char **argv,
		   struct emu_err *err)
{
	(void)argc;
	(void)argv;
	if (!cli->lua_fn)
		return emu_err_set(err, -ENOSYS, "Lua is not available");
	return cli->lua_fn(cli->lua_aux, cli->rest, err);
}

static int cmd_py(struct cli *cli, int argc, char **argv,
		  struct emu_err *err)
{
	if (!cli->py_noted) {
		fprintf(cli->errout, "note: py runs Lua here, as 'lua' (net "
			"is the network, nodes by name: h1:cmd('ifconfig'))\n");
		cli->py_noted = true;
	}
	return cmd_lua(cli, argc, argv, err);
}

/* Checks that X clients can be started: a display and xterm. */
static int cli_check_x(struct emu_err *err)
{
	const char *display = getenv("DISPLAY");

	if (!display || !*display)
		return emu_err_set(err, -ENXIO,
				   "no display: DISPLAY is not set (run cnemu "
				   "in an X session, or ssh -X)");
	if (system("command -v xterm >/dev/null 2>&1"))
		return emu_err_set(err, -ENOENT,
				   "xterm is not installed (apt install "
				   "xterm)");
	return 0;
}

/* Starts 'argv' in 'node' in the background, on the display. */
static int cli_spawn_x(struct node *node, char *const argv[],
		       struct emu_err *err)
{
	struct node_exec_opts opts = { 0 };
	pid_t pid;

	opts.background = true;
	pid = node_spawn(node, argv, &opts, err);
	return pid < 0 ? (int)pid : 0;
}

/* Mininet's 'x NODE [CMD...]': an X client (xterm) in NODE. */
static int cmd_x(struct cli *cli, int argc, char **argv,
		 struct emu_err *err)
{
	struct node *node = cli_node(cli, argv[1], err);
	char *sh_argv[] = { "sh", "-c", NULL, NULL };
	char *xterm[] = { "xterm", "-title", NULL, NULL };
	char title[96];
	int ret;

	if (!node)
		return -ENOENT;
	ret = cli_check_x(err);
	if (ret)
		return ret;
	if (argc > 2) {
		const char *text = cli->rest;

		text += strcspn(text, " \t");	/* the node's name */
		sh_argv[2] = (char *)text + strspn(text, " \t");
		return cli_spawn_x(node, sh_argv, err);
	}
	snprintf(title, sizeof(title), "Node: %s", node_name(node));
	xterm[2] = title;
	return cli_spawn_x(node, xterm, err);
}

/* Mininet's 'xterm NODE...': an xterm in each. */
static int cmd_xterm(struct cli *cli, int argc, char **argv,
		     struct emu_err *err)
{
	char *xterm[] = { "xterm", "-title", NULL, NULL };
	char title[96];
	int ret = cli_check_x(err);

	for (int i = 1; i < argc && !ret; i++) {
		struct node *node = cli_node(cli, argv[i], err);

		if (!node)
			return -ENOENT;
		snprintf(title, sizeof(title), "Node: %s", node_name(node));
		xterm[2] = title;
		ret = cli_spawn_x(node, xterm, err);
	}
	return ret;
}

static int cmd_exit(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	(void)argc;
	(void)argv;
	(void)err;
	cli->done = true;
	return 0;
}

static const struct cli_cmd cli_cmds[] = {
	{ "help", 0, 1, "[COMMAND]", "list the commands, or explain one", 0,
	  cmd_help },
	{ "nodes", 0, 0, "", "list the nodes", CLI_NET, cmd_nodes },
	{ "net", 0, 0, "", "list the nodes with their links", CLI_NET,
	  cmd_net },
	{ "links", 0, 1, "[--json]", "list the links and their status",
	  CLI_NET, cmd_links },
	{ "dump", 0, 1, "[--json]", "describe every node (--json: all "
	  "details)", CLI_NET,
	  cmd_dump },
	{ "intfs", 0, 0, "", "list the interfaces of every node", CLI_NET,
	  cmd_intfs },
	{ "ports", 0, 0, "", "list the ports of every switch", CLI_NET,
	  cmd_ports },
	{ "pingall", 0, 1, "[TIMEOUT]", "ping between every pair of hosts",
	  CLI_STARTED, cmd_pingall },
	{ "pingallfull", 0, 0, "", "pingall with round-trip times",
	  CLI_STARTED, cmd_pingallfull },
	{ "pingpair", 0, 0, "", "ping between the first two hosts",
	  CLI_STARTED, cmd_pingpair },
	{ "pingpairfull", 0, 0, "", "pingpair with round-trip times",
	  CLI_STARTED, cmd_pingpairfull },
	{ "iperf", 0, 2, "[CLIENT SERVER]", "TCP bandwidth (default: first, "
	  "last host)", CLI_STARTED, cmd_iperf },
	{ "iperfudp", 1, 3, "BW [CLIENT SERVER]", "UDP bandwidth at the rate "
	  "BW (10M)", CLI_STARTED, cmd_iperfudp },
	{ "link", 3, 3, "NODE1 NODE2 up|down", "set the links of two nodes up "
	  "or down", CLI_STARTED, cmd_link },
	{ "set", 4, -1, "link NODE1 NODE2 KEY=VALUE...", "reshape a running "
	  "link (bw, delay, loss...)", CLI_STARTED, cmd_set },
	{ "noecho", 2, -1, "NODE CMD...", "run CMD in NODE, terminal echo "
	  "off", CLI_STARTED | CLI_RAW, cmd_noecho },
	{ "sh", 1, -1, "CMD...", "run the shell line CMD on the machine",
	  CLI_RAW, cmd_sh },
	{ "time", 1, -1, "COMMAND...", "run a CLI command, print its "
	  "duration", CLI_RAW, cmd_time },
	{ "source", 1, 1, "FILE", "run the CLI commands of FILE", 0,
	  cmd_source },
	{ "dpctl", 1, -1, "CMD [ARGS...]", "ovs-ofctl CMD SWITCH ARGS, each "
	  "OVS switch", CLI_STARTED, cmd_dpctl },
	{ "switch", 2, 2, "SWITCH start|stop", "start or stop a switch",
	  CLI_STARTED, cmd_switch },
	{ "graph", 1, 1, "FILE", "draw the topology (.svg, .png, .dot)",
	  CLI_NET, cmd_graph },
	{ "lua", 1, -1, "CODE", "run Lua code (net is the network)",
	  CLI_RAW, cmd_lua },
	{ "py", 1, -1, "CODE", "Mininet's py: runs Lua code, as lua",
	  CLI_RAW, cmd_py },
	{ "x", 1, -1, "NODE [CMD...]", "start CMD (xterm) in NODE on the "
	  "display", CLI_STARTED | CLI_RAW, cmd_x },
	{ "xterm", 1, -1, "NODE...", "start an xterm in each NODE on the "
	  "display", CLI_STARTED, cmd_xterm },
	{ "exit", 0, 0, "", "leave the CLI and stop the network", 0,
	  cmd_exit },
	{ "quit", 0, 0, "", "leave the CLI and stop the network", 0,
	  cmd_exit },
	{ "EOF", 0, 0, "", "leave (Ctrl-D) and stop the network", 0,
	  cmd_exit },
};

const struct cli_cmd *cli_commands(size_t *n)
{
	*n = ARRAY_SIZE(cli_cmds);
	return cli_cmds;
}

const struct cli_cmd *cli_find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cli_cmds); i++)
		if (!strcmp(cli_cmds[i].name, name))
			return &cli_cmds[i];
	return NULL;
}

/* ---- the dispatcher ----------------------------------------------- */

static int cli_check_arity(const struct cli_cmd *cmd, int n,
			   struct emu_err *err)
{
	if (n >= cmd->min_args && (cmd->max_args < 0 || n <= cmd->max_args))
		return 0;
	if (cmd->min_args == cmd->max_args && !cmd->min_args)
		return emu_err_set(err, -EINVAL, "'%s' takes no arguments",
				   cmd->name);
	if (cmd->min_args == cmd->max_args)
		return emu_err_set(err, -EINVAL, "'%s' takes %d argument%s",
				   cmd->name, cmd->min_args,
				   cmd->min_args == 1 ? "" : "s");
	if (n < cmd->min_args)
		return emu_err_set(err, -EINVAL,
				   "'%s' takes at least %d argument%s",
				   cmd->name, cmd->min_args,
				   cmd->min_args == 1 ? "" : "s");
	return emu_err_set(err, -EINVAL, "'%s' takes at most %d argument%s",
			   cmd->name, cmd->max_args,
			   cmd->max_args == 1 ? "" : "s");
}

static int cli_dispatch(struct cli *cli, const struct cli_cmd *cmd,
			const char *line, struct emu_err *err)
{
	char **argv = NULL;
	int argc, ret;

	argc = cmd->flags & CLI_RAW ? cli_split_blanks(line, &argv)
				    : cli_split(line, &argv, err);
	if (argc < 0) {
		cli->usage_cmd = cmd;
		return argc;
	}
	ret = cli_check_arity(cmd, argc - 1, err);
	if (!ret && (cmd->flags & (CLI_NET | CLI_STARTED)) && !cli->net)
		ret = emu_err_set(err, -ENETDOWN, "'%s' needs a network",
				  cmd->name);
	if (!ret && (cmd->flags & CLI_STARTED) && !net_is_started(cli->net))
		ret = emu_err_set(err, -ENETDOWN,
				  "'%s' needs a started network", cmd->name);
	if (ret == -EINVAL)
		cli->usage_cmd = cmd;
	if (!ret) {
		ret = cmd->handler(cli, argc, argv, err);
		if (ret == -EINVAL)
			cli->usage_cmd = cmd;
	}
	cli_free_words(argv);
	return ret;
}

int cli_execute(struct cli *cli, const char *line)
{
	struct emu_err err = { 0 };
	const struct cli_cmd *cmd, *usage;
	const char *saved_rest = cli->rest;
	char *buf, *name;
	struct node *node;
	size_t len;
	int ret;

	while (cli_is_blank(*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	buf = xstrdup(line);
	len = strlen(buf);
	while (len && cli_is_blank(buf[len - 1]))
		buf[--len] = '\0';
	len = strcspn(buf, " \t\r\n");
	name = xmalloc(len + 1);
	memcpy(name, buf, len);
	name[len] = '\0';
	cli->rest = buf + len + strspn(buf + len, " \t\r\n");
	cli->usage_cmd = NULL;
	cmd = cli_find_command(name);
	if (cli->net && net_is_started(cli->net))
		net_check_nodes(cli->net);	/* what died says so */
	node = !cmd && cli->net ? net_get(cli->net, name) : NULL;
	if (cmd)
		ret = cli_dispatch(cli, cmd, buf, &err);
	else if (node)
		ret = cli_node_command(cli, node, cli->rest, false, &err);
	else
		ret = emu_err_set(&err, -ENOENT,
				  "unknown command or node '%s' (try help)",
				  name);
	usage = cli->usage_cmd;
	cli->usage_cmd = NULL;
	cli->rest = saved_rest;
	fflush(cli->out);
	if (ret < 0 && emu_err_is_set(&err)) {
		if (usage)
			fprintf(cli->errout, "error: %s (usage: %s%s%s)\n",
				err.msg, usage->name,
				usage->usage[0] ? " " : "", usage->usage);
		else
			fprintf(cli->errout, "error: %s\n", err.msg);
	}
	fflush(cli->errout);
	free(name);
	free(buf);
	return ret;
}

/* ---- life cycle --------------------------------------------------- */

struct cli *cli_create(struct net *net, struct emu_err *err)
{
	struct sigaction sa = { .sa_handler = cli_on_sigint };
	struct cli *cli = xcalloc(1, sizeof(*cli));

	(void)err;
	cli->net = net;
	cli->out = stdout;
	cli->errout = stderr;
	/* No SA_RESTART: a wait or read ends with EINTR on Ctrl-C. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &cli->old_int);
	/* Ctrl-\ must not kill the emulator under a command either. */
	sigaction(SIGQUIT, &sa, &cli->old_quit);
	return cli;
}

void cli_destroy(struct cli *cli)
{
	if (!cli)
		return;
	sigaction(SIGINT, &cli->old_int, NULL);
	sigaction(SIGQUIT, &cli->old_quit, NULL);
	if (cli_active == cli)
		cli_active = NULL;
	free(cli);
}

void cli_set_output(struct cli *cli, FILE *out, FILE *errout)
{
	if (out)
		cli->out = out;
	if (errout)
		cli->errout = errout;
}

void cli_set_stop_flag(struct cli *cli, volatile sig_atomic_t *flag)
{
	cli->stop = flag;
}

void cli_set_lua_hook(struct cli *cli, cli_lua_fn fn, void *aux)
{
	cli->lua_fn = fn;
	cli->lua_aux = aux;
}

bool cli_is_done(const struct cli *cli)
{
	return cli->done;
}

/* ---- reading commands --------------------------------------------- */

/* Reads the next line of 'in' into 'buf' (CLI_LINE_MAX + 1 bytes) without
 * its newline.  '*total' counts the bytes read; past 'max_total' (0: no
 * limit) the input is refused, as is a NUL byte: a command file is text.
 * Returns 1 with a line, 0 at the end of the input or when the stop flag
 * is set, or a negative errno with 'err' set. */
static int cli_read_line(struct cli *cli, FILE *in, char *buf, size_t *total,
			 size_t max_total, unsigned long lineno,
			 struct emu_err *err)
{
	size_t len = 0;
	int c;

	for (;;) {
		errno = 0;
		c = getc(in);
		if (c == EOF && ferror(in)) {
			int e = errno ? errno : EIO;

			if (e == EINTR && !cli_stopping(cli)) {
				/* Ctrl-C: only a command is interrupted */
				clearerr(in);
				cli_sigint = 0;
				continue;
			}
			if (e == EINTR)
				return 0;
			return emu_err_set(err, -e, "cannot read line %lu: %s",
					   lineno, strerror(e));
		}
		if (c == EOF) {
			if (!len)
				return 0;
			break;
		}
		if (max_total && ++*total > max_total)
			return emu_err_set(err, -EFBIG,
					   "larger than %d bytes: not a command "
					   "file",
					   CLI_FILE_MAX);
		if (c == '\n')
			break;
		if (!c)
			return emu_err_set(err, -EINVAL,
					   "line %lu holds a NUL byte: not a "
					   "command file",
					   lineno);
		if (len == CLI_LINE_MAX)
			return emu_err_set(err, -E2BIG,
					   "line %lu is longer than %d bytes",
					   lineno, CLI_LINE_MAX);
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	return 1;
}

/* Reads lines from 'in' and runs them until its end, exit or the stop
 * flag; Ctrl-C only interrupts the command it meets.  A file is read up
 * to 'max_total' bytes (0: no limit).  Returns 0 or a negative errno with
 * 'err' set when the input cannot be read or is no command text. */
static int cli_read_lines(struct cli *cli, FILE *in, size_t max_total,
			  struct emu_err *err)
{
	char *line = xmalloc(CLI_LINE_MAX + 1);
	unsigned long lineno = 0;
	size_t total = 0;
	int ret = 0;

	while (!cli->done && !cli_stopping(cli)) {
		ret = cli_read_line(cli, in, line, &total, max_total,
				    ++lineno, err);
		if (ret <= 0)
			break;
		ret = 0;
		cli_execute(cli, line);
		cli_sigint = 0;
	}
	free(line);
	return ret < 0 ? ret : 0;
}

int cli_run_file(struct cli *cli, const char *path, struct emu_err *err)
{
	bool done = cli->done;
	FILE *f;
	int ret;

	if (cli->depth >= CLI_SOURCE_DEPTH)
		return emu_err_set(err, -ELOOP,
				   "'%s': sources nest more than %d deep",
				   path, CLI_SOURCE_DEPTH);
	f = fopen(path, "re");
	if (!f)
		return emu_err_set(err, -errno, "cannot read '%s': %s", path,
				   strerror(errno));
	cli->depth++;
	ret = cli_read_lines(cli, f, CLI_FILE_MAX, err);
	cli->depth--;
	fclose(f);
	/* 'exit' in a file ends that file only, as Mininet's --pre */
	cli->done = done;
	if (ret)
		emu_err_prefix(err, "'%s': ", path);
	return ret;
}

static char *cli_history_path(void)
{
	const char *home = getenv("HOME");

	return home && *home ? xasprintf("%s/%s", home, CLI_HISTORY_FILE)
			     : NULL;
}

/* Readline's line callback: hands the line over and leaves callback
 * mode, so that commands run with the terminal in its normal modes. */
static void cli_on_line(char *line)
{
	cli_line = line;
	cli_line_ready = true;
	rl_callback_handler_remove();
}

/* Clears the line being edited after Ctrl-C and shows a fresh prompt. */
static void cli_clear_line(void)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_callback_handler_remove();
	rl_replace_line("", 0);
	fputs("^C\n", rl_outstream ? rl_outstream : stdout);
	rl_callback_handler_install(CLI_PROMPT, cli_on_line);
}

/* Adds 'line' to the history without its trailing blanks (completion
 * leaves one), unless blank or the same as the previous one '*prev'. */
static void cli_remember(const char *line, char **prev)
{
	size_t len = strlen(line);
	char *entry;

	while (len && cli_is_blank(line[len - 1]))
		len--;
	if (!line[strspn(line, " \t")])
		return;
	entry = xmalloc(len + 1);
	memcpy(entry, line, len);
	entry[len] = '\0';
	if (*prev && !strcmp(*prev, entry)) {
		free(entry);
		return;
	}
	add_history(entry);
	free(*prev);
	*prev = entry;
}

static char **cli_complete(const char *text, int start, int end);

static int cli_read_interactive(struct cli *cli, FILE *in)
{
	char *history = cli_history_path(), *prev = NULL;
	int fd = fileno(in), ret = 0;

	rl_instream = in;
	rl_readline_name = "cnemu";
	rl_catch_signals = 0;	/* SIGINT is ours: see cli_clear_line() */
	rl_attempted_completion_function = cli_complete;
	rl_completer_word_break_characters = " \t\n";
	using_history();
	stifle_history(CLI_HISTORY_MAX);
	if (history)
		read_history(history);
	cli_active = cli;
	while (!cli->done && !cli_stopping(cli)) {
		fd_set fds;

		cli_line = NULL;
		cli_line_ready = false;
		cli_sigint = 0;
		rl_callback_handler_install(CLI_PROMPT, cli_on_line);
		while (!cli_line_ready) {
			FD_ZERO(&fds);
			FD_SET(fd, &fds);
			if (select(fd + 1, &fds, NULL, NULL, NULL) < 0) {
				if (errno != EINTR) {
					ret = -errno;
					break;
				}
				if (cli_stopping(cli))
					break;
				if (cli_sigint) {
					cli_sigint = 0;
					cli_clear_line();
				}
				continue;
			}
			rl_callback_read_char();
		}
		if (!cli_line_ready) {	/* stopped or broken */
			rl_callback_handler_remove();
			fputc('\n', stdout);
			break;
		}
		if (!cli_line) {	/* Ctrl-D */
			fputc('\n', stdout);
			cli->done = true;
			break;
		}
		cli_remember(cli_line, &prev);
		cli_execute(cli, cli_line);
		free(cli_line);
		cli_line = NULL;
	}
	cli_active = NULL;
	if (history && write_history(history))
		log_warn("cannot write history to '%s'", history);
	free(history);
	free(prev);
	return ret;
}

int cli_run(struct cli *cli, FILE *in, bool interactive)
{
	struct emu_err err = { 0 };
	int ret;

	cli->done = false;
	if (interactive)
		return cli_read_interactive(cli, in);
	ret = cli_read_lines(cli, in, 0, &err);
	if (ret) {
		fprintf(cli->errout, "error: input: %s\n", err.msg);
		fflush(cli->errout);
	}
	return ret;
}

/* ---- completion --------------------------------------------------- */

/* The words completion offers for the current word. */
static const char **cli_candidates;
static size_t cli_n_candidates, cli_next_candidate;

static char *cli_generate(const char *text, int state)
{
	size_t len = strlen(text);

	if (!state)
		cli_next_candidate = 0;
	while (cli_next_candidate < cli_n_candidates) {
		const char *c = cli_candidates[cli_next_candidate++];

		if (!strncmp(c, text, len))
			return xstrdup(c);
	}
	return NULL;
}

static void cli_add_candidate(const char *word, size_t *cap)
{
	xgrow((void **)&cli_candidates, cap, cli_n_candidates + 1,
	      sizeof(*cli_candidates));
	cli_candidates[cli_n_candidates++] = word;
}

static void cli_add_nodes(struct cli *cli, size_t *cap, bool switches_only)
{
	size_t n;
	struct node **nodes;

	if (!cli || !cli->net)
		return;
	nodes = net_nodes(cli->net, &n);
	for (size_t i = 0; i < n; i++)
		if (!switches_only || node_role(nodes[i]) == NODE_SWITCH)
			cli_add_candidate(node_name(nodes[i]), cap);
}

/* Completes command names and node names first, then what the command
 * takes: node names, up/down, start/stop, link keys, file names. */
static char **cli_complete(const char *text, int start, int end)
{
	static const char *const keys[] = { "bw=", "delay=", "jitter=",
					    "loss=", "max_queue_size=" };
	struct cli *cli = cli_active;
	char **words = NULL, **matches;
	const char *first;
	size_t cap = 0;
	bool files = false;
	int pos;

	(void)end;
	cli_n_candidates = 0;
	rl_attempted_completion_over = 1;
	{
		char *head = xmalloc((size_t)start + 1);

		memcpy(head, rl_line_buffer, (size_t)start);
		head[start] = '\0';
		pos = cli_split_blanks(head, &words);
		free(head);
	}
	first = pos > 0 ? words[0] : "";
	if (pos == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(cli_cmds); i++)
			cli_add_candidate(cli_cmds[i].name, &cap);
		cli_add_nodes(cli, &cap, false);
	} else if (!strcmp(first, "help") && pos == 1) {
		for (size_t i = 0; i < ARRAY_SIZE(cli_cmds); i++)
			cli_add_candidate(cli_cmds[i].name, &cap);
	} else if (!strcmp(first, "source") || !strcmp(first, "graph")) {
		files = true;
	} else if (!strcmp(first, "link") && pos == 3) {
		cli_add_candidate("up", &cap);
		cli_add_candidate("down", &cap);
	} else if (!strcmp(first, "switch")) {
		if (pos == 1)
			cli_add_nodes(cli, &cap, true);
		else if (pos == 2) {
			cli_add_candidate("start", &cap);
			cli_add_candidate("stop", &cap);
		}
	} else if (!strcmp(first, "set")) {
		if (pos == 1)
			cli_add_candidate("link", &cap);
		else if (pos <= 3)
			cli_add_nodes(cli, &cap, false);
		else
			for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
				cli_add_candidate(keys[i], &cap);
		rl_completion_append_character = pos > 3 ? '\0' : ' ';
	} else {
		cli_add_nodes(cli, &cap, false);
		/* a node's or the machine's shell line: files too */
		files = !strcmp(first, "sh") ||
			(cli && cli->net && net_get(cli->net, first));
	}
	cli_free_words(words);
	matches = cli_n_candidates ? rl_completion_matches(text, cli_generate)
				   : NULL;
	free(cli_candidates);
	cli_candidates = NULL;
	cli_n_candidates = 0;
	if (!matches && files)
		rl_attempted_completion_over = 0;	/* file names */
	return matches;
}
