/* Commands about the CLI and the run: time, source, switch start/stop,
 * graph, lua (and Mininet's py), exit. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/draw.h"
#include "emu/net.h"

int cmd_time(struct cli *cli, int argc, char **argv,
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

int cmd_source(struct cli *cli, int argc, char **argv,
	       struct emu_err *err)
{
	(void)argc;
	return cli_run_file(cli, argv[1], err);
}

int cmd_switch(struct cli *cli, int argc, char **argv,
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

int cmd_graph(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	int ret = net_draw(cli->net, argv[1], err);

	(void)argc;
	if (!ret)
		fprintf(cli->out, "*** Drew the topology in %s\n", argv[1]);
	return ret;
}

int cmd_lua(struct cli *cli, int argc, char **argv,
	    struct emu_err *err)
{
	(void)argc;
	(void)argv;
	if (!cli->lua_fn)
		return emu_err_set(err, -ENOSYS, "Lua is not available");
	return cli->lua_fn(cli->lua_aux, cli->rest, err);
}

int cmd_py(struct cli *cli, int argc, char **argv,
	   struct emu_err *err)
{
	if (!cli->py_noted) {
		fprintf(cli->errout, "note: py runs Lua here, as 'lua' (net "
			"is the network, nodes by name: h1:cmd('ifconfig'))\n");
		cli->py_noted = true;
	}
	return cmd_lua(cli, argc, argv, err);
}

int cmd_exit(struct cli *cli, int argc, char **argv,
	     struct emu_err *err)
{
	(void)argc;
	(void)argv;
	(void)err;
	cli->done = true;
	return 0;
}
