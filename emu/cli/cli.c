/* The CLI's life cycle and its dispatcher: a line's first word names a
 * command of the table or a node; arity and preconditions are checked
 * here once. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"

volatile sig_atomic_t cli_sigint;
struct cli *cli_active;

static void cli_on_sigint(int sig)
{
	(void)sig;
	cli_sigint = 1;
}

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

/* Takes the CLI's lock unless a command of it holds it already. */
static void cli_lock(struct cli *cli)
{
	if (cli->lock && !cli->locked++)
		cli->lock(cli->lock_aux);
}

/* Gives back what cli_lock() took: 'unlock' and 'aux' as they were when
 * it was taken (a command may change the CLI's guard). */
static void cli_unlock(struct cli *cli, void (*unlock)(void *aux), void *aux)
{
	if (unlock && !--cli->locked)
		unlock(aux);
}

int cli_watch(struct cli *cli)
{
	int n;

	if (!cli->net || !net_is_started(cli->net))
		return 0;
	cli_lock(cli);
	n = net_check_nodes(cli->net);
	cli_unlock(cli, cli->unlock, cli->lock_aux);
	if (net_is_started(cli->net))
		return n;
	cli->done = true;
	return -1;
}

bool cli_watches(const struct cli *cli)
{
	return cli->net && net_is_started(cli->net) && net_cluster(cli->net);
}

static int cli_execute_locked(struct cli *cli, const char *line);

int cli_execute(struct cli *cli, const char *line)
{
	void (*unlock)(void *aux) = cli->unlock;
	void *aux = cli->lock_aux;
	int ret;

	cli_lock(cli);
	ret = cli_execute_locked(cli, line);
	cli_unlock(cli, unlock, aux);
	return ret;
}

static int cli_execute_locked(struct cli *cli, const char *line)
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
	node = !cmd && cli->net ? net_get(cli->net, name) : NULL;
	if (cli_watch(cli) < 0)		/* what died says so */
		ret = 0;		/* the run stopped: so does the CLI */
	else if (cmd)
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

struct net *cli_net(const struct cli *cli)
{
	return cli->net;
}

void cli_set_guard(struct cli *cli, void (*lock)(void *aux),
		   void (*unlock)(void *aux), void *aux)
{
	cli->lock = lock;
	cli->unlock = unlock;
	cli->lock_aux = aux;
}

bool cli_is_done(const struct cli *cli)
{
	return cli->done;
}
