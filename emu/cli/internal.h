/* What the files of the CLI share, and nothing outside emu/cli/ includes:
 * the CLI's state, its SIGINT flag, and the functions the handlers and
 * the readers call across files.
 *
 *   cli.c       life cycle, the dispatcher, cli_execute()
 *   commands.c  the command table (help and completion read it)
 *   args.c      the handlers' lookups: nodes, links, node order, seconds
 *   child.c     children: node command lines, shell lines, the terminal
 *   json.c      the topology as JSON ('dump --json', 'links --json')
 *   show.c      the listing commands: help, nodes, net, links, dump, ...
 *   traffic.c   pingall, pingpair, iperf ... (emu/traffic.h does the work)
 *   links.c     link up/down and 'set link' shaping, through the Net
 *   shell.c     commands that run programs: sh, noecho, dpctl, x, xterm
 *   control.c   time, source, switch, graph, lua, py, exit
 *   read.c      reading commands: files, plain lines, readline's loop
 *   complete.c  tab completion from the command table and the nodes
 *   kinds.c     what the CLI reads of the node kinds (one place)
 *   parse.c     the pure line parser (words, substitution, '&') */
#ifndef EMU_CLI_INTERNAL_H
#define EMU_CLI_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "emu/cli/cli.h"
#include "node/node.h"

struct emu_err;
struct link;

#define CLI_PROMPT "cnemu> "

struct cli {
	struct net *net;		/* borrowed; NULL: no network */
	FILE *out, *errout;		/* results, "error: ..." lines */
	volatile sig_atomic_t *stop;	/* main's stop flag; NULL */
	bool attached;			/* serves 'cnemu attach': its user
					   is not at this process's
					   terminal */
	cli_lua_fn lua_fn;		/* the 'lua' command; NULL */
	void *lua_aux;
	const char *rest;		/* the line after the command word */
	const struct cli_cmd *usage_cmd;	/* usage to print with the
						   error; NULL */
	int depth;			/* 'source' nesting */
	bool done;			/* exit, quit or EOF met */
	bool py_noted;			/* 'py' said it runs Lua */
	struct sigaction old_int, old_quit;	/* restored at destroy */
	void (*lock)(void *aux);	/* held around each command; NULL */
	void (*unlock)(void *aux);
	void *lock_aux;
	int locked;			/* commands running ('source' nests
					   them): the lock is taken once */
};

/* Set by the SIGINT handler (cli.c); cleared by whoever acts on it. */
extern volatile sig_atomic_t cli_sigint;
/* The CLI whose readline loop runs (completion has no other context). */
extern struct cli *cli_active;

/* True once main's stop flag is set. */
static inline bool cli_stopping(const struct cli *cli)
{
	return cli->stop && *cli->stop;
}

/* ---- cli.c ---------------------------------------------------------- */

/* How often the CLI checks a cluster run's machines while it waits for a
 * line. */
#define CLI_WATCH_MS 1000

/* Checks the nodes of the started Net (net_check_nodes(), under the
 * CLI's lock): what died or was lost says so.  Returns how many nodes
 * went, or -1 when that stopped the run (--cluster-loss stop): the CLI
 * is then done. */
int cli_watch(struct cli *cli);
/* True when the CLI watches its Net while it waits for a line: a started
 * cluster run, whose machines can be lost at any time. */
bool cli_watches(const struct cli *cli);

/* ---- args.c --------------------------------------------------------- */

/* The node named 'name', or NULL with 'err' set. */
struct node *cli_node(struct cli *cli, const char *name, struct emu_err *err);
/* The links between the nodes named 'a' and 'b' ('*n' gets their count;
 * caller frees), or NULL with 'err' set when there is none. */
struct link **cli_links_between(struct cli *cli, const char *a,
				const char *b, size_t *n, struct emu_err *err);
/* The nodes in Mininet's order: hosts, switches, controllers ('*n' gets
 * their count; caller frees). */
struct node **cli_nodes_by_role(struct cli *cli, size_t *n);
/* Compares names with their numbers as numbers: h2 before h10. */
int cli_natcmp(const char *a, const char *b);
/* The interface at the other end of 'intf''s link, or NULL. */
struct node_intf *cli_peer(const struct node_intf *intf);
/* Parses a timeout in seconds (0 < t <= 3600). */
int cli_parse_seconds(const char *s, double *out, struct emu_err *err);

/* ---- child.c -------------------------------------------------------- */

/* Runs 'argv' in the root namespace in the foreground; returns its exit
 * status or a negative errno. */
int cli_run_root(struct cli *cli, char *const argv[], struct emu_err *err);
/* Runs the text 'text' in 'node': a shell line, in the background with a
 * trailing '&', or an interactive shell with the terminal passed through
 * ('h1 bash').  'noecho' turns the terminal's echo off meanwhile. */
int cli_node_command(struct cli *cli, struct node *node, const char *text,
		     bool noecho, struct emu_err *err);

/* ---- json.c --------------------------------------------------------- */

json_t *cli_json_node(const struct net *net, const struct node *node);
json_t *cli_json_links(struct cli *cli);
/* Prints 'j' on the CLI's output and releases it. */
void cli_print_json(struct cli *cli, json_t *j);
/* Accepts the optional '--json' of 'dump' and 'links'. */
int cli_json_flag(int argc, char **argv, bool *json, struct emu_err *err);

/* ---- kinds.c -------------------------------------------------------- */

/* Mininet's class name of 'node' in 'dump' ("OVSSwitch"). */
const char *cli_kind_class(const struct node *node);
/* True when 'node' is an Open vSwitch bridge ('dpctl'). */
bool cli_kind_is_ovs(const struct node *node);
/* What completion offers for an argument naming a node. */
enum cli_node_arg {
	CLI_ANY_NODE,
	CLI_HOST_NODE,
	CLI_SWITCH_NODE,
};
/* True when 'node' fits an argument of the class 'arg'. */
bool cli_kind_fits(const struct node *node, enum cli_node_arg arg);

/* ---- complete.c ----------------------------------------------------- */

/* Readline's attempted-completion function over cli_active. */
char **cli_rl_complete(const char *text, int start, int end);

/* ---- the handlers --------------------------------------------------- */

#define CLI_HANDLER(name)                                                \
	int name(struct cli *cli, int argc, char **argv, struct emu_err *err)

/* show.c */
CLI_HANDLER(cmd_help);
CLI_HANDLER(cmd_nodes);
CLI_HANDLER(cmd_net);
CLI_HANDLER(cmd_links);
CLI_HANDLER(cmd_dump);
CLI_HANDLER(cmd_intfs);
CLI_HANDLER(cmd_ports);
/* traffic.c */
CLI_HANDLER(cmd_pingall);
CLI_HANDLER(cmd_pingpair);
CLI_HANDLER(cmd_pingallfull);
CLI_HANDLER(cmd_pingpairfull);
CLI_HANDLER(cmd_iperf);
CLI_HANDLER(cmd_iperfudp);
/* links.c */
CLI_HANDLER(cmd_link);
CLI_HANDLER(cmd_set);
/* shell.c */
CLI_HANDLER(cmd_noecho);
CLI_HANDLER(cmd_sh);
CLI_HANDLER(cmd_dpctl);
CLI_HANDLER(cmd_x);
CLI_HANDLER(cmd_xterm);
/* control.c */
CLI_HANDLER(cmd_time);
CLI_HANDLER(cmd_source);
CLI_HANDLER(cmd_switch);
CLI_HANDLER(cmd_graph);
CLI_HANDLER(cmd_lua);
CLI_HANDLER(cmd_py);
CLI_HANDLER(cmd_exit);

#endif
