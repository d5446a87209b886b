/* The traffic commands: pingall, pingpair, their full forms, iperf and
 * iperfudp.  emu/traffic.h picks the hosts, runs the test and prints
 * Mininet's lines; these parse the arguments. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>

#include "base/err.h"
#include "emu/traffic.h"

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

int cmd_pingall(struct cli *cli, int argc, char **argv,
		struct emu_err *err)
{
	double timeout = TRAFFIC_PING_TIMEOUT_S;
	int ret = argc > 1 ? cli_parse_seconds(argv[1], &timeout, err) : 0;

	if (ret)
		return ret;
	return cli_ping(cli, argv[0], TRAFFIC_ALL_HOSTS, timeout, false, err);
}

int cmd_pingpair(struct cli *cli, int argc, char **argv,
		 struct emu_err *err)
{
	(void)argc;
	return cli_ping(cli, argv[0], TRAFFIC_FIRST_TWO, 0, false, err);
}

int cmd_pingallfull(struct cli *cli, int argc, char **argv,
		    struct emu_err *err)
{
	(void)argc;
	return cli_ping(cli, argv[0], TRAFFIC_ALL_HOSTS, 0, true, err);
}

int cmd_pingpairfull(struct cli *cli, int argc, char **argv,
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

int cmd_iperf(struct cli *cli, int argc, char **argv,
	      struct emu_err *err)
{
	return cli_iperf(cli, argv[0], argc - 1, argv + 1, NULL, err);
}

int cmd_iperfudp(struct cli *cli, int argc, char **argv,
		 struct emu_err *err)
{
	return cli_iperf(cli, argv[0], argc - 2, argv + 2, argv[1], err);
}
