/* The switch graph of the controller's topo mode: shortest paths, the
 * spanning tree, flood ports, link failures and the topology file, on
 * small graphs (line, ring, torus 3x3) without a switch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "topo/graph.h"

/* A test topology: switches 1..n, host port 1 on each, links between
 * switches with the ports the test chose. */
struct net_fixture {
	struct topo_graph *g;
	int n;
	struct {
		uint64_t a, b;
		int pa, pb;
	} links[64];
	int n_links;
	int next_port[32];	/* next free port per switch */
};

static void fx_init(struct net_fixture *fx, int n)
{
	memset(fx, 0, sizeof(*fx));
	fx->g = topo_graph_create();
	fx->n = n;
	for (int i = 1; i <= n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(topo_graph_add_switch(fx->g, (uint64_t)i,
						       name, NULL),
				 0);
		fx->next_port[i] = 2;	/* port 1 faces a host */
	}
}

static void fx_link(struct net_fixture *fx, int a, int b)
{
	int pa = fx->next_port[a]++, pb = fx->next_port[b]++;

	assert_int_equal(topo_graph_add_link(fx->g, (uint64_t)a, pa,
					     (uint64_t)b, pb, NULL),
			 0);
	fx->links[fx->n_links].a = (uint64_t)a;
	fx->links[fx->n_links].b = (uint64_t)b;
	fx->links[fx->n_links].pa = pa;
	fx->links[fx->n_links].pb = pb;
	fx->n_links++;
}

/* The switch and port at the other end of 'port' of 'sw'; 0 if none. */
static uint64_t fx_peer(const struct net_fixture *fx, uint64_t sw, int port,
			int *peer_port)
{
	for (int i = 0; i < fx->n_links; i++) {
		if (fx->links[i].a == sw && fx->links[i].pa == port) {
			*peer_port = fx->links[i].pb;
			return fx->links[i].b;
		}
		if (fx->links[i].b == sw && fx->links[i].pb == port) {
			*peer_port = fx->links[i].pa;
			return fx->links[i].a;
		}
	}
	return 0;
}

static void fx_release(struct net_fixture *fx)
{
	topo_graph_destroy(fx->g);
}

/* Follows next ports from 'from' to 'to'; returns the hops taken, or -1
 * when it loops or goes nowhere. */
static int fx_walk(const struct net_fixture *fx, uint64_t from, uint64_t to)
{
	int steps = 0;

	while (from != to) {
		int port = topo_graph_next_port(fx->g, from, to), peer_port;

		if (port <= 0 || steps > fx->n)
			return -1;
		from = fx_peer(fx, from, port, &peer_port);
		if (!from)
			return -1;
		steps++;
	}
	return steps;
}

/* Floods a broadcast from the host on switch 'src'; stores in 'seen[i]'
 * how many copies switch i received and returns the number of copies
 * delivered to hosts. */
static int fx_flood(const struct net_fixture *fx, uint64_t src, int *seen)
{
	struct {
		uint64_t sw;
		int in_port;
	} queue[1024];
	int head = 0, tail = 0, hosts = 0;

	memset(seen, 0, sizeof(int) * (size_t)(fx->n + 1));
	queue[tail].sw = src;
	queue[tail++].in_port = 1;
	while (head < tail) {
		uint64_t sw = queue[head].sw;
		int in_port = queue[head++].in_port, ports[34], out[34];
		size_t n_ports = 0, n_out;

		seen[sw]++;
		if (seen[sw] > 1)
			continue;	/* a loop: counted, not followed */
		for (int p = 1; p < fx->next_port[sw]; p++)
			ports[n_ports++] = p;
		n_out = topo_graph_flood_ports(fx->g, sw, ports, n_ports,
					       in_port, out);
		for (size_t i = 0; i < n_out; i++) {
			int peer_port;
			uint64_t peer = fx_peer(fx, sw, out[i], &peer_port);

			if (!peer) {
				hosts++;
				continue;
			}
			assert_true(tail < 1024);
			queue[tail].sw = peer;
			queue[tail++].in_port = peer_port;
		}
	}
	return hosts;
}

static void assert_flood_reaches_all_once(const struct net_fixture *fx)
{
	int seen[33];

	for (int src = 1; src <= fx->n; src++) {
		assert_int_equal(fx_flood(fx, (uint64_t)src, seen),
				 fx->n - 1);
		for (int i = 1; i <= fx->n; i++)
			assert_int_equal(seen[i], 1);
	}
}

static void fx_ring(struct net_fixture *fx, int n)
{
	fx_init(fx, n);
	for (int i = 1; i <= n; i++)
		fx_link(fx, i, i % n + 1);
	topo_graph_compute(fx->g);
}

/* Mininet's torus: an x-by-y grid wrapped at both edges. */
static void fx_torus(struct net_fixture *fx, int x, int y)
{
	fx_init(fx, x * y);
	for (int i = 0; i < x; i++) {
		for (int j = 0; j < y; j++) {
			int s = i * y + j + 1;

			fx_link(fx, s, i * y + (j + 1) % y + 1);
			fx_link(fx, s, ((i + 1) % x) * y + j + 1);
		}
	}
	topo_graph_compute(fx->g);
}

static size_t count_tree_links(const struct net_fixture *fx)
{
	size_t n = 0;

	for (int i = 0; i < fx->n_links; i++)
		n += topo_graph_is_tree_port(fx->g, fx->links[i].a,
					     fx->links[i].pa);
	return n;
}

static void test_line_paths_follow_the_line(void **state)
{
	struct net_fixture fx;

	(void)state;
	fx_init(&fx, 4);
	fx_link(&fx, 1, 2);	/* s1:2 - s2:2 */
	fx_link(&fx, 2, 3);	/* s2:3 - s3:2 */
	fx_link(&fx, 3, 4);	/* s3:3 - s4:2 */
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_next_port(fx.g, 1, 4), 2);
	assert_int_equal(topo_graph_next_port(fx.g, 2, 4), 3);
	assert_int_equal(topo_graph_next_port(fx.g, 2, 1), 2);
	assert_int_equal(topo_graph_next_port(fx.g, 4, 1), 2);
	assert_int_equal(topo_graph_next_port(fx.g, 3, 3), 0);
	assert_int_equal(topo_graph_hops(fx.g, 1, 4), 3);
	assert_int_equal(topo_graph_hops(fx.g, 4, 4), 0);
	assert_int_equal(topo_graph_next_port(fx.g, 1, 9), -1);
	assert_int_equal(count_tree_links(&fx), 3);
	assert_true(topo_graph_is_link_port(fx.g, 2, 3));
	assert_false(topo_graph_is_link_port(fx.g, 2, 1));
	assert_flood_reaches_all_once(&fx);
	fx_release(&fx);
}

static void test_flood_ports_are_host_and_tree_ports_but_the_input(
	void **state)
{
	struct net_fixture fx;
	int ports[] = { 1, 2, 3, 7 }, out[4];

	(void)state;
	fx_ring(&fx, 3);	/* s1:2-s2:2, s2:3-s3:2, s3:3-s1:3 */
	/* The tree from s1: s1-s2 and s1-s3; s2-s3 is off it. */
	assert_true(topo_graph_is_tree_port(fx.g, 1, 2));
	assert_true(topo_graph_is_tree_port(fx.g, 1, 3));
	assert_false(topo_graph_is_tree_port(fx.g, 2, 3));
	assert_false(topo_graph_is_tree_port(fx.g, 3, 2));
	/* s2 has host ports 1 and 7, tree port 2, off-tree port 3. */
	assert_int_equal(topo_graph_flood_ports(fx.g, 2, ports, 4, 1, out), 2);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 7);
	assert_int_equal(topo_graph_flood_ports(fx.g, 2, ports, 4, 2, out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 7);
	/* Entering off the tree, it goes nowhere. */
	assert_int_equal(topo_graph_flood_ports(fx.g, 2, ports, 4, 3, out), 0);
	/* From the controller (no input port) it goes everywhere allowed. */
	assert_int_equal(topo_graph_flood_ports(fx.g, 2, ports, 4, 0, out), 3);
	fx_release(&fx);
}

static void test_ring_floods_without_loops_and_takes_short_way(void **state)
{
	struct net_fixture fx;

	(void)state;
	fx_ring(&fx, 6);
	assert_int_equal(count_tree_links(&fx), 5);
	assert_flood_reaches_all_once(&fx);
	for (int a = 1; a <= 6; a++)
		for (int b = 1; b <= 6; b++) {
			int d = abs(a - b);

			d = d < 6 - d ? d : 6 - d;
			assert_int_equal(topo_graph_hops(fx.g, (uint64_t)a,
							 (uint64_t)b),
					 d);
			assert_int_equal(fx_walk(&fx, (uint64_t)a,
						 (uint64_t)b),
					 d);
		}
	/* s1 to s4 is 3 hops either way: the tie goes to the lower dpid,
	 * s2 (port 2 of s1) rather than s6 (port 3). */
	assert_int_equal(topo_graph_next_port(fx.g, 1, 4), 2);
	fx_release(&fx);
}

static void test_torus_3x3_paths_are_at_most_two_hops(void **state)
{
	struct net_fixture fx;

	(void)state;
	fx_torus(&fx, 3, 3);
	assert_int_equal(topo_graph_n_switches(fx.g), 9);
	assert_int_equal(topo_graph_n_links(fx.g), 18);
	assert_int_equal(count_tree_links(&fx), 8);
	for (uint64_t a = 1; a <= 9; a++)
		for (uint64_t b = 1; b <= 9; b++) {
			int hops = topo_graph_hops(fx.g, a, b);

			assert_true(hops >= 0 && hops <= 2);
			assert_int_equal(hops == 0, a == b);
			assert_int_equal(fx_walk(&fx, a, b), hops);
		}
	assert_flood_reaches_all_once(&fx);
	fx_release(&fx);
}

static void test_link_down_reroutes_and_link_up_restores(void **state)
{
	struct net_fixture fx;

	(void)state;
	fx_ring(&fx, 4);	/* s1:2-s2:2 s2:3-s3:2 s3:3-s4:2 s4:3-s1:3 */
	assert_int_equal(topo_graph_next_port(fx.g, 1, 2), 2);
	/* s1-s2 down at s2's end: the link is down. */
	assert_true(topo_graph_set_port_up(fx.g, 2, 2, false));
	assert_false(topo_graph_set_port_up(fx.g, 1, 2, false));
	assert_false(topo_graph_set_port_up(fx.g, 1, 1, false));
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_next_port(fx.g, 1, 2), 3);
	assert_int_equal(topo_graph_hops(fx.g, 1, 2), 3);
	assert_int_equal(fx_walk(&fx, 1, 2), 3);
	assert_false(topo_graph_is_tree_port(fx.g, 1, 2));
	assert_true(topo_graph_is_link_port(fx.g, 1, 2));
	assert_int_equal(count_tree_links(&fx), 3);
	assert_flood_reaches_all_once(&fx);
	/* Both ends must come back for the link to be up. */
	assert_false(topo_graph_set_port_up(fx.g, 2, 2, true));
	assert_true(topo_graph_set_port_up(fx.g, 1, 2, true));
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_next_port(fx.g, 1, 2), 2);
	fx_release(&fx);
}

static void test_switch_down_takes_its_links_until_ports_return(
	void **state)
{
	struct net_fixture fx;

	(void)state;
	fx_ring(&fx, 4);	/* s1:2-s2:2 s2:3-s3:2 s3:3-s4:2 s4:3-s1:3 */
	assert_true(topo_graph_set_switch_down(fx.g, 2));
	assert_false(topo_graph_set_switch_down(fx.g, 2));
	topo_graph_compute(fx.g);
	/* s1 to s3 goes round by s4 now. */
	assert_int_equal(topo_graph_next_port(fx.g, 1, 3), 3);
	assert_int_equal(topo_graph_hops(fx.g, 1, 2), -1);
	assert_int_equal(count_tree_links(&fx), 2);
	/* Back port by port: s2:2 brings s1-s2 back, not s2-s3. */
	assert_true(topo_graph_set_port_up(fx.g, 2, 2, true));
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_hops(fx.g, 1, 2), 1);
	assert_int_equal(topo_graph_hops(fx.g, 2, 3), 3);
	assert_true(topo_graph_set_port_up(fx.g, 2, 3, true));
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_hops(fx.g, 2, 3), 1);
	fx_release(&fx);
}

/* A controller of one machine of a cluster run: s2 and s3 are another
 * machine's, never connect and keep their links; s1's come and go. */
static void test_remote_switches_stay_up_and_down_links_stay_down(
	void **state)
{
	struct net_fixture fx;
	struct topo_graph *g2 = topo_graph_create();
	char *text;

	(void)state;
	fx_ring(&fx, 4);	/* s1:2-s2:2 s2:3-s3:2 s3:3-s4:2 s4:3-s1:3 */
	assert_int_equal(topo_graph_set_remote(fx.g, 2, true, NULL), 0);
	assert_int_equal(topo_graph_set_remote(fx.g, 3, true, NULL), 0);
	assert_int_equal(topo_graph_set_remote(fx.g, 9, true, NULL), -ENOENT);
	for (uint64_t d = 1; d <= 4; d++)
		topo_graph_set_switch_down(fx.g, d);
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_hops(fx.g, 2, 3), 1);
	assert_int_equal(topo_graph_hops(fx.g, 1, 3), -1);
	/* s1 and s4 connect: the ring is whole again. */
	for (int p = 2; p <= 3; p++) {
		topo_graph_set_port_up(fx.g, 1, p, true);
		topo_graph_set_port_up(fx.g, 4, p, true);
	}
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_hops(fx.g, 1, 3), 2);
	assert_int_equal(count_tree_links(&fx), 3);
	/* The run sets s2-s3 down: s2 to s3 goes round by s1 and s4. */
	assert_int_equal(topo_graph_set_link_off(fx.g, 2, 3, true, NULL), 0);
	assert_int_equal(topo_graph_set_link_off(fx.g, 2, 9, true, NULL),
			 -ENOENT);
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_hops(fx.g, 2, 3), 3);
	text = topo_graph_format(fx.g);
	assert_non_null(strstr(text, "link 0000000000000002 3 "
				     "0000000000000003 2 down\n"));
	assert_non_null(strstr(text, "remote 0000000000000002 s2\n"));
	assert_non_null(strstr(text, "switch 0000000000000001 s1\n"));
	assert_int_equal(topo_graph_parse(g2, text, NULL), 0);
	assert_true(topo_graph_is_remote(g2, 3));
	assert_false(topo_graph_is_remote(g2, 4));
	topo_graph_compute(g2);
	assert_int_equal(topo_graph_hops(g2, 2, 3), 3);
	free(text);
	topo_graph_destroy(g2);
	fx_release(&fx);
}

static void test_cut_graph_floods_each_part_and_has_no_path_across(
	void **state)
{
	struct net_fixture fx;
	int seen[33];

	(void)state;
	fx_init(&fx, 4);
	fx_link(&fx, 1, 2);
	fx_link(&fx, 3, 4);
	topo_graph_compute(fx.g);
	assert_int_equal(topo_graph_next_port(fx.g, 1, 3), -1);
	assert_int_equal(topo_graph_hops(fx.g, 4, 1), -1);
	assert_int_equal(count_tree_links(&fx), 2);
	assert_int_equal(fx_flood(&fx, 3, seen), 1);
	assert_int_equal(seen[4], 1);
	assert_int_equal(seen[1], 0);
	fx_release(&fx);
}

static void test_file_text_round_trips(void **state)
{
	struct net_fixture fx;
	struct topo_graph *g2 = topo_graph_create();
	uint8_t mac[6] = { 0, 0, 0, 0, 0, 1 };
	char *text, *text2;

	(void)state;
	fx_ring(&fx, 3);
	assert_int_equal(topo_graph_add_host(fx.g, mac, 2, 1, NULL), 0);
	text = topo_graph_format(fx.g);
	assert_non_null(strstr(text, "switch 0000000000000002 s2\n"));
	assert_non_null(strstr(text, "link 0000000000000001 2 "
				     "0000000000000002 2\n"));
	assert_non_null(strstr(text, "host 00:00:00:00:00:01 "
				     "0000000000000002 1\n"));
	assert_int_equal(topo_graph_parse(g2, text, NULL), 0);
	text2 = topo_graph_format(g2);
	assert_string_equal(text, text2);
	assert_int_equal(topo_graph_n_hosts(g2), 1);
	assert_int_equal(topo_graph_host(g2, 0)->dpid, 2);
	assert_string_equal(topo_graph_name(g2, 3), "s3");
	free(text);
	free(text2);
	topo_graph_destroy(g2);
	fx_release(&fx);
}

static void test_file_is_saved_and_loaded(void **state)
{
	struct net_fixture fx;
	struct topo_graph *g2 = topo_graph_create();
	char dir[] = "/tmp/tctl-graph-XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c0.topo", dir);
	fx_torus(&fx, 3, 3);
	assert_int_equal(topo_graph_save(fx.g, path, NULL), 0);
	assert_int_equal(topo_graph_load(g2, path, NULL), 0);
	topo_graph_compute(g2);
	assert_int_equal(topo_graph_n_links(g2), 18);
	assert_int_equal(topo_graph_next_port(g2, 1, 5),
			 topo_graph_next_port(fx.g, 1, 5));
	unlink(path);
	rmdir(dir);
	topo_graph_destroy(g2);
	fx_release(&fx);
}

static void test_bad_file_text_names_the_line(void **state)
{
	static const struct {
		const char *text, *says;
		int code;
	} cases[] = {
		{ "switch 1\nswitch 1\n", "line 2: duplicate switch "
					  "0000000000000001", -EEXIST },
		{ "switch 1\n\n# x\nlink 1 2 9 1\n",
		  "line 4: unknown switch 0000000000000009", -ENOENT },
		{ "switch zz\n", "line 1: invalid dpid 'zz'", -EINVAL },
		{ "switch 0\n", "line 1: invalid dpid '0'", -EINVAL },
		{ "switch 1\nswitch 2\nlink 1 0 2 1\n",
		  "line 3: invalid port '0'", -EINVAL },
		{ "switch 1\nswitch 2\nlink 1 2 2 1\nlink 1 2 2 3\n",
		  "line 4: port 2 of switch 0000000000000001 is in two links",
		  -EEXIST },
		{ "router 1\n", "line 1: unknown item 'router'", -EINVAL },
		{ "switch 1\nhost 00:00:00:00:00 1 1\n",
		  "line 2: invalid MAC address", -EINVAL },
		{ "link 1 2\n", "line 1: expected 'link", -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct topo_graph *g = topo_graph_create();
		struct emu_err err = { 0 };

		assert_int_equal(topo_graph_parse(g, cases[i].text, &err),
				 cases[i].code);
		if (!strstr(err.msg, cases[i].says))
			fail_msg("'%s': got '%s'", cases[i].says, err.msg);
		topo_graph_destroy(g);
	}
}

static void test_dpids_read_as_hex_with_or_without_0x(void **state)
{
	struct topo_graph *g = topo_graph_create();

	(void)state;
	assert_int_equal(topo_graph_parse(g, "switch 0x10 a\nswitch 1f\n"
					     "switch 0000000000000101\n",
					  NULL),
			 0);
	assert_true(topo_graph_has_switch(g, 0x10));
	assert_true(topo_graph_has_switch(g, 0x1f));
	assert_true(topo_graph_has_switch(g, 0x101));
	assert_int_equal(topo_graph_dpid(g, 0), 0x10);
	assert_int_equal(topo_graph_dpid(g, 2), 0x101);
	topo_graph_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_paths_follow_the_line),
		cmocka_unit_test(
			test_flood_ports_are_host_and_tree_ports_but_the_input),
		cmocka_unit_test(
			test_ring_floods_without_loops_and_takes_short_way),
		cmocka_unit_test(test_torus_3x3_paths_are_at_most_two_hops),
		cmocka_unit_test(
			test_link_down_reroutes_and_link_up_restores),
		cmocka_unit_test(
			test_switch_down_takes_its_links_until_ports_return),
		cmocka_unit_test(
			test_remote_switches_stay_up_and_down_links_stay_down),
		cmocka_unit_test(
			test_cut_graph_floods_each_part_and_has_no_path_across),
		cmocka_unit_test(test_file_text_round_trips),
		cmocka_unit_test(test_file_is_saved_and_loaded),
		cmocka_unit_test(test_bad_file_text_names_the_line),
		cmocka_unit_test(test_dpids_read_as_hex_with_or_without_0x),
	};

	return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
