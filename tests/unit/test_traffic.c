/* The traffic tests' pure part: which hosts a test takes, how results
 * add up, ping's round-trip line, and Mininet's output lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "emu/traffic.h"
#include "node/node.h"

/* A described Net (nothing made) built from 'spec'. */
static struct net *net_built(const char *spec)
{
	struct emu_err err = { 0 };
	struct net *net = net_create(NULL, &err);

	assert_non_null(net);
	assert_int_equal(net_build(net, spec, &err), 0);
	return net;
}

/* The names of 'n' 'nodes', blank-separated. */
static void assert_names(struct node **nodes, size_t n, const char *want)
{
	char buf[256] = "";

	for (size_t i = 0; i < n; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, node_name(nodes[i]));
	}
	assert_string_equal(buf, want);
}

static void test_hosts_are_picked_as_mininet_picks_them(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_built("linear,4");
	struct node **hosts;
	size_t n;

	(void)state;
	hosts = traffic_pick_hosts(net, TRAFFIC_ALL_HOSTS, &n, &err);
	assert_names(hosts, n, "h1 h2 h3 h4");
	free(hosts);
	hosts = traffic_pick_hosts(net, TRAFFIC_FIRST_TWO, &n, &err);
	assert_names(hosts, n, "h1 h2");	/* pingpair */
	free(hosts);
	hosts = traffic_pick_hosts(net, TRAFFIC_FIRST_LAST, &n, &err);
	assert_names(hosts, n, "h1 h4");	/* iperf */
	free(hosts);
	net_destroy(net);
}

static void test_a_pair_of_one_host_is_refused(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_built("single,1");
	struct node **hosts;
	size_t n = 9;

	(void)state;
	assert_null(traffic_pick_hosts(net, TRAFFIC_FIRST_LAST, &n, &err));
	assert_int_equal(n, 0);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, "the network has fewer than two hosts");
	hosts = traffic_pick_hosts(net, TRAFFIC_ALL_HOSTS, &n, NULL);
	assert_names(hosts, n, "h1");
	free(hosts);
	net_destroy(net);
}

/* A result over 'names' with the pairs of 'ok' (row after row). */
static void result_of(struct traffic_ping *res, const char *const *names,
		      size_t n, const unsigned char *ok, bool full)
{
	traffic_ping_alloc(res, n, full);
	for (size_t i = 0; i < n; i++)
		res->names[i] = names[i];
	memcpy(res->ok, ok, n * n);
	traffic_ping_tally(res);
}

/* What 'print' wrote, in a string the caller frees. */
#define PRINTED(call)                                                    \
	({                                                               \
		char *buf_ = NULL;                                       \
		size_t len_ = 0;                                         \
		FILE *out = open_memstream(&buf_, &len_);                \
		call;                                                    \
		fclose(out);                                             \
		buf_;                                                    \
	})

static void test_pingall_rows_and_results_read_as_mininets(void **state)
{
	static const char *const names[] = { "h1", "h2", "h3" };
	static const unsigned char ok[] = { 0, 1, 1, 1, 0, 0, 1, 0, 0 };
	struct traffic_ping res;
	char *text;

	(void)state;
	result_of(&res, names, 3, ok, false);
	assert_int_equal(res.sent, 6);
	assert_int_equal(res.received, 4);
	assert_int_equal(traffic_ping_dropped(&res), 33);
	text = PRINTED(traffic_print_ping_head(out);
		       traffic_print_ping(out, &res));
	assert_string_equal(text, "*** Ping: testing ping reachability\n"
				  "h1 -> h2 h3\n"
				  "h2 -> h1 X\n"
				  "h3 -> h1 X\n"
				  "*** Results: 33% dropped (4/6 received)\n");
	free(text);
	traffic_ping_release(&res);
}

static void test_dropped_share_rounds_down_as_mininets(void **state)
{
	static const char *const names[] = { "h1", "h2", "h3" };
	static const unsigned char two[] = { 0, 1, 0, 0, 0, 0, 0, 1, 0 };
	static const unsigned char all[] = { 0, 1, 1, 1, 0, 1, 1, 1, 0 };
	struct traffic_ping res;
	char *text;

	(void)state;
	result_of(&res, names, 3, two, false);
	assert_int_equal(traffic_ping_dropped(&res), 66);	/* 4/6 */
	traffic_ping_release(&res);
	result_of(&res, names, 3, all, false);
	text = PRINTED(traffic_print_ping(out, &res));
	assert_non_null(strstr(text, "*** Results: 0% dropped (6/6 "
				     "received)\n"));
	free(text);
	traffic_ping_release(&res);
	result_of(&res, names, 0, all, false);	/* no host: nothing sent */
	assert_int_equal(res.sent, 0);
	assert_int_equal(traffic_ping_dropped(&res), 0);
	traffic_ping_release(&res);
}

static void test_full_results_list_each_pairs_times(void **state)
{
	static const char *const names[] = { "h1", "h2" };
	static const unsigned char ok[] = { 0, 1, 0, 0 };
	struct traffic_ping res;
	char *text;

	(void)state;
	result_of(&res, names, 2, ok, true);
	res.rtt_ms[(0 * 2 + 1) * 4 + 0] = 0.05;
	res.rtt_ms[(0 * 2 + 1) * 4 + 1] = 0.0625;
	res.rtt_ms[(0 * 2 + 1) * 4 + 2] = 0.08;
	text = PRINTED(traffic_print_ping(out, &res));
	assert_string_equal(text, "h1 -> h2\n"
				  "h2 -> X\n"
				  "*** Results: \n"
				  " h1->h2: 1/1, rtt min/avg/max/mdev "
				  "0.050/0.062/0.080/0.000 ms\n"
				  " h2->h1: 1/0, rtt min/avg/max/mdev "
				  "0.000/0.000/0.000/0.000 ms\n");
	free(text);
	traffic_ping_release(&res);
}

static void test_round_trips_are_read_from_iputils_and_busybox(void **state)
{
	double rtt[4];

	(void)state;
	assert_true(traffic_parse_rtt("1 received\nrtt min/avg/max/mdev = "
				      "0.041/0.052/0.063/0.011 ms\n",
				      rtt));
	assert_true(rtt[0] == 0.041 && rtt[1] == 0.052 && rtt[2] == 0.063 &&
		    rtt[3] == 0.011);
	assert_true(traffic_parse_rtt("round-trip min/avg/max = "
				      "1.5/2.5/3.5 ms\n",
				      rtt));
	assert_true(rtt[0] == 1.5 && rtt[2] == 3.5 && rtt[3] == 0);
	assert_false(traffic_parse_rtt("1 packets transmitted, 0 received\n",
				       rtt));
	assert_false(traffic_parse_rtt("min/avg/max but no figures", rtt));
}

static void test_iperf_lines_read_as_mininets(void **state)
{
	struct traffic_iperf tcp = { "h1", "h2", NULL, 9.58e6, 9.6e6 };
	struct traffic_iperf udp = { "h2", "h3", "10M", 9.57e6, 10.5e6 };
	char *text;

	(void)state;
	text = PRINTED(traffic_print_iperf_head(out, NULL, "h1", "h2");
		       traffic_print_iperf(out, &tcp));
	assert_string_equal(text, "*** Iperf: testing TCP bandwidth between "
				  "h1 and h2\n"
				  "*** Results: ['9.58 Mbits/sec', "
				  "'9.60 Mbits/sec']\n");
	free(text);
	text = PRINTED(traffic_print_iperf_head(out, "10M", "h2", "h3");
		       traffic_print_iperf(out, &udp));
	assert_string_equal(text, "*** Iperf: testing UDP bandwidth between "
				  "h2 and h3\n"
				  "*** Results: ['10M', '9.57 Mbits/sec', "
				  "'10.5 Mbits/sec']\n");
	free(text);
}

static void test_cpu_figures_print_as_a_list(void **state)
{
	static const double pcts[] = { 12.5, 9.99801 };
	char *text;

	(void)state;
	text = PRINTED(traffic_print_cpu(out, pcts, 2));
	assert_string_equal(text, "*** Results: [12.5000, 9.9980]\n");
	free(text);
	text = PRINTED(traffic_print_cpu(out, pcts, 0));
	assert_string_equal(text, "*** Results: []\n");
	free(text);
}

static void test_rates_print_as_iperf_prints_them(void **state)
{
	static const struct {
		double bps;
		const char *text;
	} cases[] = {
		{ 941e6, "941 Mbits/sec" },   { 9.57e9, "9.57 Gbits/sec" },
		{ 95.73e6, "95.7 Mbits/sec" }, { 1.5e3, "1.50 Kbits/sec" },
		{ 0, "0.00 bits/sec" },	      { 24.04e9, "24.0 Gbits/sec" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		traffic_format_rate(cases[i].bps, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts_are_picked_as_mininet_picks_them),
		cmocka_unit_test(test_a_pair_of_one_host_is_refused),
		cmocka_unit_test(
			test_pingall_rows_and_results_read_as_mininets),
		cmocka_unit_test(test_dropped_share_rounds_down_as_mininets),
		cmocka_unit_test(test_full_results_list_each_pairs_times),
		cmocka_unit_test(
			test_round_trips_are_read_from_iputils_and_busybox),
		cmocka_unit_test(test_iperf_lines_read_as_mininets),
		cmocka_unit_test(test_cpu_figures_print_as_a_list),
		cmocka_unit_test(test_rates_print_as_iperf_prints_them),
	};

	return cmocka_run_group_tests_name("traffic", tests, NULL, NULL);
}
