/* The placement of a described Net over a cluster's machines (no root,
 * nothing started): pins, balance by cores and memory, few links cut,
 * heavy links kept whole, the same answer every time, what --plan
 * prints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "cluster/plan.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/kinds.h"
#include "node/node.h"

#define GIB (1ull << 30)

static const char *const rack_a[] = { "rack=a" };
static const char *const rack_b[] = { "rack=b", "ssd=yes" };

/* Three machines alike, m2 and m3 in rack b. */
static const struct plan_machine three[] = {
	{ "m1", rack_a, 1, 2, 4 * GIB },
	{ "m2", rack_b, 2, 2, 4 * GIB },
	{ "m3", rack_b, 2, 2, 4 * GIB },
};

static struct net *net_of(const char *spec)
{
	struct emu_err err = { 0 };
	struct net_opts o = { .cluster = "swarm" };
	struct net *net = net_create(&o, &err);

	if (!net)
		fail_msg("net_create: %s", err.msg);
	if (spec && net_build(net, spec, &err))
		fail_msg("net_build %s: %s", spec, err.msg);
	return net;
}

static void place(const struct net *net, const struct plan_machine *m,
		  size_t n, struct placement *pl)
{
	struct emu_err err = { 0 };

	if (plan_place(net, m, n, pl, &err))
		fail_msg("plan_place: %s", err.msg);
}

/* The machine of node 'name'. */
static size_t machine_of(const struct net *net, const struct placement *pl,
			 const char *name)
{
	size_t n;
	struct node **nodes = net_nodes(net, &n);

	for (size_t u = 0; u < n; u++)
		if (!strcmp(node_name(nodes[u]), name))
			return pl->machine[u];
	fail_msg("no node '%s'", name);
	return SIZE_MAX;
}

static size_t count_on(const struct placement *pl, size_t m)
{
	size_t k = 0;

	for (size_t u = 0; u < pl->n_nodes; u++)
		k += pl->machine[u] == m;
	return k;
}

/* A link of 'bw' Mbit/s both ways (0: unshaped). */
static struct link *link_bw(struct net *net, const char *a, const char *b,
			    double bw)
{
	struct shaping s;
	struct net_link_opts o = { .port1 = -1, .port2 = -1 };
	struct emu_err err = { 0 };
	struct link *l;

	shaping_init(&s);
	s.rate_bps = (uint64_t)(bw * 1e6);
	if (bw > 0)
		o.shaping1 = o.shaping2 = &s;
	l = net_add_link(net, net_get(net, a), net_get(net, b), &o, &err);
	if (!l)
		fail_msg("link %s-%s: %s", a, b, err.msg);
	return l;
}

static void test_pins_by_hostname_and_label_are_honoured(void **state)
{
	struct net *net = net_of("tree,depth=2,fanout=3");
	struct emu_err err = { 0 };
	struct placement pl;

	(void)state;
	/* against the grain: h1's neighbours would keep it with them */
	assert_int_equal(net_set_placement(net, net_get(net, "h1"), "m3",
					   &err),
			 0);
	assert_int_equal(net_set_placement(net, net_get(net, "h2"), "m2",
					   &err),
			 0);
	assert_int_equal(net_set_placement(net, net_get(net, "s1"), "rack=a",
					   &err),
			 0);
	assert_int_equal(net_set_placement(net, net_get(net, "h9"),
					   "ssd=yes", &err),
			 0);
	place(net, three, 3, &pl);
	assert_int_equal(machine_of(net, &pl, "h1"), 2);
	assert_int_equal(machine_of(net, &pl, "h2"), 1);
	assert_int_equal(machine_of(net, &pl, "s1"), 0);
	assert_true(machine_of(net, &pl, "h9") >= 1);
	placement_release(&pl);
	net_destroy(net);
}

static void test_a_pin_naming_no_machine_is_one_sentence(void **state)
{
	struct net *net = net_of("single,2");
	struct emu_err err = { 0 };
	struct placement pl;

	(void)state;
	net_set_placement(net, net_get(net, "h2"), "gpu=yes", &err);
	assert_int_equal(plan_place(net, three, 3, &pl, &err), -EINVAL);
	assert_string_equal(err.msg, "'h2': placement 'gpu=yes' names no "
				     "machine of the cluster (m1, m2, m3)");
	assert_null(pl.machine);
	emu_err_clear(&err);
	net_set_placement(net, net_get(net, "h2"), "m4", &err);
	assert_int_equal(plan_place(net, three, 3, &pl, &err), -EINVAL);
	assert_string_equal(err.msg, "'h2': placement 'm4' names no machine "
				     "of the cluster (m1, m2, m3)");
	emu_err_clear(&err);
	assert_int_equal(plan_place(net, three, 0, &pl, &err), -EINVAL);
	assert_string_equal(err.msg, "the cluster has no machine ready to "
				     "run nodes");
	net_destroy(net);
}

/* A machine with twice the cores and memory gets about twice the nodes;
 * none goes past its share and the slack. */
static void test_nodes_are_balanced_by_cores_and_memory(void **state)
{
	static const struct plan_machine uneven[] = {
		{ "big", NULL, 0, 8, 16 * GIB },
		{ "small1", NULL, 0, 4, 8 * GIB },
		{ "small2", NULL, 0, 4, 8 * GIB },
	};
	/* 30 switches in a line, a host each: 60 nodes, shares 1/2, 1/4,
	 * 1/4 */
	struct net *net = net_of("linear,30");
	double target[] = { 30, 15, 15 };
	struct placement pl;

	(void)state;
	place(net, uneven, 3, &pl);
	for (size_t m = 0; m < 3; m++) {
		size_t k = count_on(&pl, m);

		assert_true(k <= ceil(target[m] * (100 + PLAN_SLACK_PCT) /
				      100));
		assert_true(k >= floor(target[m] * (100 - PLAN_SLACK_PCT) /
				       100));
	}
	/* a line is cut once per border */
	assert_int_equal(pl.n_cuts, 2);
	placement_release(&pl);
	net_destroy(net);
}

/* Mininet's tree with one subtree per machine: only links between the
 * core switch and the other subtrees' switches are cut. */
static void test_a_tree_over_three_machines_cuts_only_core_links(
	void **state)
{
	struct net *net = net_of("tree,depth=3,fanout=3");
	struct link **links;
	struct placement pl;
	size_t n;

	(void)state;
	place(net, three, 3, &pl);
	links = net_links(net, &n);
	assert_int_equal(pl.n_cuts, 2);
	for (size_t c = 0; c < pl.n_cuts; c++) {
		struct link *l = links[pl.cuts[c].link];

		assert_string_equal(node_name(link_intf1(l)->node), "s1");
		assert_int_equal(node_role(link_intf2(l)->node), NODE_SWITCH);
		assert_int_not_equal(pl.cuts[c].m1, pl.cuts[c].m2);
		assert_int_equal(pl.cuts[c].vni, PLAN_VNI_BASE + c);
	}
	for (size_t m = 0; m < 3; m++)	/* 40 nodes: 13 or 14 each */
		assert_true(count_on(&pl, m) >= 13 && count_on(&pl, m) <= 14);
	placement_release(&pl);

	net_destroy(net);
	net = net_of("tree,depth=2,fanout=3");
	place(net, three, 3, &pl);
	assert_int_equal(pl.n_cuts, 2);
	placement_release(&pl);
	net_destroy(net);
}

/* h1-s1-s2-s3-s4 with a host on each switch, s2-s3 of 1 Gbit/s, the rest
 * 10 Mbit/s: cutting in the middle would cut the heavy link; cutting the
 * two light ones around it costs 20. */
static void test_a_heavy_link_is_kept_whole(void **state)
{
	static const struct plan_machine two[] = {
		{ "m1", NULL, 0, 2, 4 * GIB },
		{ "m2", NULL, 0, 2, 4 * GIB },
	};
	struct net *net = net_of(NULL);
	struct placement pl;
	uint64_t cut = 0;
	char name[16];

	(void)state;
	for (int i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_non_null(net_add_switch(net, name, NULL, NULL));
		snprintf(name, sizeof(name), "h%d", i);
		assert_non_null(net_add_host(net, name, NULL, NULL));
	}
	link_bw(net, "h1", "s1", 10);
	link_bw(net, "h2", "s2", 10);
	link_bw(net, "h3", "s3", 10);
	link_bw(net, "h4", "s4", 10);
	link_bw(net, "s1", "s2", 10);
	link_bw(net, "s2", "s3", 1000);
	link_bw(net, "s3", "s4", 10);
	place(net, two, 2, &pl);
	assert_int_equal(machine_of(net, &pl, "s2"),
			 machine_of(net, &pl, "s3"));
	for (size_t c = 0; c < pl.n_cuts; c++)
		cut += plan_link_mbit(net, pl.cuts[c].link);
	assert_int_equal(cut, 20);
	assert_int_equal(count_on(&pl, 0), 4);
	placement_release(&pl);
	net_destroy(net);
}

static char *print_plan(const struct net *net, const struct plan_machine *m,
			size_t n, const struct placement *pl)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	plan_print(f, net, m, n, pl);
	fclose(f);
	return text;
}

/* The Containernet example: d1 and d2 pinned apart, their switches
 * follow them, the 100 ms link between the switches is the one cut. */
static void test_the_same_net_gets_the_same_plan_and_printout(void **state)
{
	static const struct plan_machine two[] = {
		{ "m1", rack_a, 1, 2, 4 * GIB },
		{ "worker-2", NULL, 0, 4, 512ull << 20 },
	};
	struct net *net = net_of(NULL);
	struct placement a, b;
	struct shaping slow;
	struct net_link_opts lo = { .port1 = -1, .port2 = -1 };
	char *ta, *tb;

	(void)state;
	net_add_host(net, "h1", NULL, NULL);
	net_add_switch(net, "s1", NULL, NULL);
	net_add_switch(net, "s2", NULL, NULL);
	net_add_host(net, "d1", NULL, NULL);
	net_add_host(net, "d2", NULL, NULL);
	net_set_placement(net, net_get(net, "d1"), "m1", NULL);
	net_set_placement(net, net_get(net, "d2"), "worker-2", NULL);
	link_bw(net, "h1", "s1", 0);
	link_bw(net, "d1", "s1", 0);
	shaping_init(&slow);
	slow.delay_us = 100000;
	lo.shaping1 = lo.shaping2 = &slow;
	net_add_link(net, net_get(net, "s1"), net_get(net, "s2"), &lo, NULL);
	link_bw(net, "d2", "s2", 0);
	place(net, two, 2, &a);
	place(net, two, 2, &b);
	assert_int_equal(a.n_nodes, b.n_nodes);
	assert_memory_equal(a.machine, b.machine,
			    a.n_nodes * sizeof(*a.machine));
	ta = print_plan(net, two, 2, &a);
	tb = print_plan(net, two, 2, &b);
	assert_string_equal(ta, tb);
	assert_string_equal(
		ta,
		"*** Placement of 5 nodes over 2 machines: 1 of 4 links cut\n"
		"machine  cores     memory  hosts containers switches "
		"controllers\n"
		"m1           2    4.0 GiB      2          0        1 "
		"          0\n"
		"worker-2     4    512 MiB      1          0        1 "
		"          0\n"
		"*** Nodes\n"
		"node machine\n"
		"h1   m1\n"
		"s1   m1\n"
		"s2   worker-2\n"
		"d1   m1  (placement m1)\n"
		"d2   worker-2  (placement worker-2)\n"
		"*** Cut links: 1 (a VXLAN tunnel each)\n"
		"s1-eth3 <-> s2-eth1  m1 <-> worker-2  no rate  vni 6516225\n"
		"*** Cut bandwidth: 10000 Mbit/s (a link without a rate "
		"counts 10000)\n");
	free(ta);
	free(tb);
	placement_release(&a);
	placement_release(&b);
	net_destroy(net);
}

/* What a node added to a running run is placed by. */
static void test_a_pin_matches_a_hostname_or_a_label(void **state)
{
	static const char *const labels[] = { "rack=a", "gpu=1" };
	const struct plan_machine m = { .name = "m2", .labels = labels,
					.n_labels = 2 };

	(void)state;
	assert_true(plan_pin_matches("m2", &m));
	assert_true(plan_pin_matches("rack=a", &m));
	assert_true(plan_pin_matches("gpu=1", &m));
	assert_false(plan_pin_matches("m1", &m));
	assert_false(plan_pin_matches("rack=b", &m));
	assert_false(plan_pin_matches("rack", &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pins_by_hostname_and_label_are_honoured),
		cmocka_unit_test(test_a_pin_matches_a_hostname_or_a_label),
		cmocka_unit_test(test_a_pin_naming_no_machine_is_one_sentence),
		cmocka_unit_test(test_nodes_are_balanced_by_cores_and_memory),
		cmocka_unit_test(
			test_a_tree_over_three_machines_cuts_only_core_links),
		cmocka_unit_test(test_a_heavy_link_is_kept_whole),
		cmocka_unit_test(
			test_the_same_net_gets_the_same_plan_and_printout),
	};

	return cmocka_run_group_tests_name("cluster_plan", tests, NULL, NULL);
}
