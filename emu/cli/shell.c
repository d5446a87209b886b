/* Commands that run programs: sh on the machine, noecho in a node,
 * dpctl on each OVS switch, and X clients (x, xterm) in nodes. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"

int cmd_noecho(struct cli *cli, int argc, char **argv,
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

int cmd_sh(struct cli *cli, int argc, char **argv,
	   struct emu_err *err)
{
	char *sh_argv[] = { "/bin/sh", "-c", (char *)cli->rest, NULL };

	(void)argc;
	(void)argv;
	return cli_run_root(cli, sh_argv, err);
}

int cmd_dpctl(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	size_t n, found = 0;
	struct node **nodes = net_nodes(cli->net, &n);
	char **ofctl = xcalloc((size_t)argc + 3, sizeof(*ofctl));
	int ret = 0, status;

	/* ovs-ofctl CMD SWITCH ARGS..., as Mininet's dpctl; SWITCH is the
	 * management socket in the run's private OVS */
	ofctl[0] = "ovs-ofctl";
	ofctl[1] = argv[1];
	for (int i = 2; i < argc; i++)
		ofctl[i + 1] = argv[i];
	for (size_t i = 0; i < n && ret >= 0 && !cli_stopping(cli); i++) {
		if (!cli_kind_is_ovs(nodes[i]))
			continue;
		found++;
		fprintf(cli->out, "*** %s -----------------------------------"
			"-------------------------------------\n",
			node_name(nodes[i]));
		ofctl[2] = xasprintf("unix:%s/%s.mgmt",
				     net_ovs_rundir(cli->net, NULL),
				     node_name(nodes[i]));
		status = cli_run_root(cli, ofctl, err);
		free(ofctl[2]);
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
int cmd_x(struct cli *cli, int argc, char **argv,
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
int cmd_xterm(struct cli *cli, int argc, char **argv,
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
