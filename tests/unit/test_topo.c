/* The built-in topologies: node and link counts, names, ports, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "topo/index.h"
#include "topo/topo.h"

static void build_ok(struct topo *t, const char *spec)
{
	struct emu_err err = { 0 };

	topo_init(t);
	assert_int_equal(topo_build(t, spec, &err), 0);
	assert_false(emu_err_is_set(&err));
}

static const char *build_err(const char *spec, int code)
{
	static struct emu_err err;
	struct topo t;

	emu_err_clear(&err);
	topo_init(&t);
	assert_int_equal(topo_build(&t, spec, &err), code);
	assert_int_equal(t.n_nodes, 0);
	return err.msg;
}

static int linked(const struct topo *t, const char *a, const char *b)
{
	int ia = topo_find(t, a), ib = topo_find(t, b);

	for (size_t i = 0; i < t->n_links; i++)
		if (((int)t->links[i].a == ia && (int)t->links[i].b == ib) ||
		    ((int)t->links[i].a == ib && (int)t->links[i].b == ia))
			return 1;
	return 0;
}

static void test_minimal_topo_is_two_hosts_on_one_switch(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "minimal");
	assert_int_equal(topo_count(&t, TOPO_HOST), 2);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 1);
	assert_int_equal(t.n_links, 2);
	assert_true(linked(&t, "h1", "s1"));
	assert_true(linked(&t, "h2", "s1"));
	topo_release(&t);
}

static void test_single_topo_puts_n_hosts_on_s1(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "single,5");
	assert_int_equal(topo_count(&t, TOPO_HOST), 5);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 1);
	assert_true(linked(&t, "h5", "s1"));
	topo_release(&t);
}

static void test_linear_topo_names_hosts_h1_to_hn(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "linear,4");
	assert_int_equal(topo_count(&t, TOPO_HOST), 4);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 4);
	assert_int_equal(t.n_links, 7);
	for (int i = 1; i <= 4; i++) {
		char h[16], s[16];

		snprintf(h, sizeof(h), "h%d", i);
		snprintf(s, sizeof(s), "s%d", i);
		assert_true(linked(&t, h, s));
	}
	assert_true(linked(&t, "s1", "s2"));
	assert_true(linked(&t, "s3", "s4"));
	assert_false(linked(&t, "s1", "s4"));
	topo_release(&t);
}

static void test_linear_topo_with_k_hosts_names_them_hjsi(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "linear,3,2");
	assert_int_equal(topo_count(&t, TOPO_HOST), 6);
	assert_true(linked(&t, "h1s1", "s1"));
	assert_true(linked(&t, "h2s3", "s3"));
	topo_release(&t);
}

static void test_reversed_topo_gives_host_i_port_n_minus_i_plus_1(void **s)
{
	struct topo t;

	(void)s;
	build_ok(&t, "reversed,3");
	for (size_t i = 0; i < t.n_links; i++) {
		const char *host = t.nodes[t.links[i].a].name;
		int n = host[1] - '0';

		assert_int_equal(t.links[i].port_b, 3 - n + 1);
		assert_int_equal(t.links[i].port_a, 0);
	}
	topo_release(&t);
}

static void test_tree_topo_numbers_switches_in_preorder(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "tree,depth=2,fanout=3");
	assert_int_equal(topo_count(&t, TOPO_HOST), 9);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 4);
	assert_int_equal(t.n_links, 12);
	assert_true(linked(&t, "s1", "s2"));
	assert_true(linked(&t, "s1", "s4"));
	assert_true(linked(&t, "s2", "h1"));
	assert_true(linked(&t, "s2", "h3"));
	assert_true(linked(&t, "s4", "h9"));
	topo_release(&t);
}

static void test_tree_topo_takes_positional_arguments(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "tree,3,2");
	assert_int_equal(topo_count(&t, TOPO_HOST), 8);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 7);
	topo_release(&t);
}

static void test_torus_topo_wraps_rows_and_columns(void **state)
{
	struct topo t;
	int sw;

	(void)state;
	build_ok(&t, "torus,3,3");
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 9);
	assert_int_equal(topo_count(&t, TOPO_HOST), 9);
	assert_int_equal(t.n_links, 9 + 18);
	assert_true(linked(&t, "s1x1", "s1x3"));
	assert_true(linked(&t, "s1x1", "s3x1"));
	assert_true(linked(&t, "h2x2", "s2x2"));
	sw = topo_find(&t, "s2x3");
	assert_int_equal(t.nodes[sw].dpid, 2 * 256 + 3);
	topo_release(&t);
}

static void test_switch_dpid_comes_from_its_number(void **state)
{
	struct topo t;

	(void)state;
	build_ok(&t, "linear,12");
	assert_int_equal(t.nodes[topo_find(&t, "s12")].dpid, 12);
	topo_release(&t);
}

static void test_unknown_topology_is_named_in_the_error(void **state)
{
	(void)state;
	assert_non_null(strstr(build_err("ring,3", -ENOENT),
			       "unknown topology 'ring'"));
}

static void test_bad_topology_arguments_are_refused(void **state)
{
	(void)state;
	assert_non_null(strstr(build_err("linear,abc", -EINVAL),
			       "invalid argument 'abc'"));
	assert_non_null(strstr(build_err("single,0", -ERANGE),
			       "out of range"));
	assert_non_null(strstr(build_err("tree,depth=2,fan=3", -EINVAL),
			       "unknown argument 'fan'"));
	assert_non_null(strstr(build_err("single,=5", -EINVAL),
			       "a name must stand before '='"));
	assert_non_null(strstr(build_err("torus,2,3", -ERANGE),
			       "out of range"));
	assert_non_null(strstr(build_err("minimal,3", -E2BIG),
			       "too many arguments"));
	assert_non_null(strstr(build_err("tree,depth=10,fanout=10", -E2BIG),
			       "too large"));
	/* an empty argument was skipped: 'single,' built single,2 */
	assert_string_equal(build_err("single,", -EINVAL),
			    "empty argument in topology 'single,'");
	assert_non_null(strstr(build_err("linear,,3", -EINVAL),
			       "empty argument"));
	assert_non_null(strstr(build_err("tree,depth=2,,fanout=2", -EINVAL),
			       "empty argument"));
}

static void test_duplicate_and_bad_names_are_refused(void **state)
{
	struct emu_err err = { 0 };
	struct topo t;

	(void)state;
	topo_init(&t);
	assert_int_equal(topo_add_node(&t, TOPO_HOST, "h1", &err), 0);
	assert_int_equal(topo_add_node(&t, TOPO_HOST, "h1", &err), -EEXIST);
	assert_string_equal(err.msg, "duplicate node name 'h1'");
	emu_err_clear(&err);
	assert_int_equal(topo_add_node(&t, TOPO_HOST, "h;rm", &err), -EINVAL);
	emu_err_clear(&err);
	assert_int_equal(topo_add_node(&t, TOPO_HOST, "averylongname", &err),
			 -ENAMETOOLONG);
	assert_int_equal(topo_add_link(&t, 0, 0, -1, -1, NULL), -EINVAL);
	assert_int_equal(topo_add_link(&t, 0, 5, -1, -1, NULL), -ENOENT);
	topo_release(&t);
}

/* Found by tests/fuzz/fuzz_topo.c: "tree,8,4" (87381 nodes, within the
 * limit) took 13 s, each name compared with every name before it. */
static void test_largest_topologies_build_in_well_under_a_second(void **state)
{
	struct topo t;
	clock_t start = clock();

	(void)state;
	build_ok(&t, "tree,8,4");
	assert_int_equal(topo_count(&t, TOPO_HOST), 65536);
	assert_int_equal(topo_count(&t, TOPO_SWITCH), 21845);
	for (size_t i = 0; i < t.n_nodes; i += 997)
		assert_int_equal(topo_find(&t, t.nodes[i].name), (int)i);
	assert_int_equal(topo_find(&t, "h65537"), -1);
	topo_release(&t);
	/* Quadratic was 13 s optimised, minutes under the sanitizers. */
	assert_true(clock() - start < 5 * CLOCKS_PER_SEC);
}

/* Found reading the fuzzer's timeouts: linear,K,N had no bound on its
 * K * N hosts (tree and torus have). */
static void test_linear_topo_beyond_the_limit_is_refused(void **state)
{
	(void)state;
	assert_non_null(strstr(build_err("linear,1001,100", -E2BIG),
			       "too large"));
	assert_non_null(strstr(build_err("linear,100000,100000", -E2BIG),
			       "too large"));
}

/* The name index keeps every other entry findable when entries in the
 * middle of a probe run are removed (backward shift). */
static void test_name_index_finds_what_stays_after_removals(void **state)
{
	enum { N = 5000 };
	static char names[N][16];
	struct topo_index idx;

	(void)state;
	topo_index_init(&idx);
	assert_null(topo_index_find(&idx, "x"));
	topo_index_remove(&idx, "x");
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		topo_index_add(&idx, names[i], names[i]);
	}
	assert_int_equal(idx.n, N);
	for (int i = 0; i < N; i += 3)
		topo_index_remove(&idx, names[i]);
	for (int i = 0; i < N; i++) {
		if (i % 3)
			assert_ptr_equal(topo_index_find(&idx, names[i]),
					 names[i]);
		else
			assert_null(topo_index_find(&idx, names[i]));
	}
	topo_index_add(&idx, names[1], names[2]);	/* replaces */
	assert_ptr_equal(topo_index_find(&idx, "n1"), names[2]);
	assert_int_equal(idx.n, N - (N + 2) / 3);
	topo_index_release(&idx);
	assert_null(topo_index_find(&idx, "n1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_topo_is_two_hosts_on_one_switch),
		cmocka_unit_test(test_single_topo_puts_n_hosts_on_s1),
		cmocka_unit_test(test_linear_topo_names_hosts_h1_to_hn),
		cmocka_unit_test(test_linear_topo_with_k_hosts_names_them_hjsi),
		cmocka_unit_test(
			test_reversed_topo_gives_host_i_port_n_minus_i_plus_1),
		cmocka_unit_test(test_tree_topo_numbers_switches_in_preorder),
		cmocka_unit_test(test_tree_topo_takes_positional_arguments),
		cmocka_unit_test(test_torus_topo_wraps_rows_and_columns),
		cmocka_unit_test(test_switch_dpid_comes_from_its_number),
		cmocka_unit_test(test_unknown_topology_is_named_in_the_error),
		cmocka_unit_test(test_bad_topology_arguments_are_refused),
		cmocka_unit_test(test_duplicate_and_bad_names_are_refused),
		cmocka_unit_test(
			test_largest_topologies_build_in_well_under_a_second),
		cmocka_unit_test(test_linear_topo_beyond_the_limit_is_refused),
		cmocka_unit_test(
			test_name_index_finds_what_stays_after_removals),
	};

	return cmocka_run_group_tests_name("topo", tests, NULL, NULL);
}
