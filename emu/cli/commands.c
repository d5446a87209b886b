/* The command table: one row per command, read by the dispatcher, help
 * and completion.  Names match exactly (an alias is its own row). */
#include "emu/cli/internal.h"

#include <string.h>

#include "base/util.h"

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
