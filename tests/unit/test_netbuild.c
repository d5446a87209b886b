/* Describing a Net (no start, no root): building large topologies in
 * linear time, limits of switch kinds checked before anything is made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu/draw.h"
#include "base/err.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/node.h"

static struct net *net_of(const char *switch_kind)
{
	struct emu_err err = { 0 };
	struct net_opts o = { .switch_kind = switch_kind };
	struct net *net = net_create(&o, &err);

	assert_non_null(net);
	return net;
}

/* 100000 hosts spent over a minute in node_find_intf() and net_get()
 * (20000 took 2.4 s): each name is now found in constant time. */
static void test_single_100000_is_described_in_linear_time(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_of("ovs");
	clock_t start = clock();
	struct node *s1, *h;

	(void)state;
	assert_int_equal(net_build(net, "single,100000", &err), 0);
	s1 = net_get(net, "s1");
	h = net_get(net, "h100000");
	assert_non_null(s1);
	assert_non_null(h);
	assert_int_equal(s1->n_intfs, 100000);
	assert_ptr_equal(node_find_intf(s1, "s1-eth100000"), s1->intfs[99999]);
	assert_ptr_equal(node_find_intf(h, "h100000-eth0"), h->intfs[0]);
	assert_null(node_find_intf(s1, "s1-eth100001"));
	assert_null(net_get(net, "h100001"));
	assert_true(clock() - start < 5 * CLOCKS_PER_SEC);
	net_destroy(net);
}

/* Names stay findable after removals in the middle. */
static void test_removed_node_is_no_longer_found(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_of("ovs");

	(void)state;
	assert_int_equal(net_build(net, "single,50", &err), 0);
	for (int i = 1; i <= 50; i += 2) {
		char name[16];

		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(net_remove_node(net, net_get(net, name),
						 &err), 0);
	}
	for (int i = 1; i <= 50; i++) {
		char name[16], intf[24];
		struct node *h;

		snprintf(name, sizeof(name), "h%d", i);
		snprintf(intf, sizeof(intf), "s1-eth%d", i);
		h = net_get(net, name);
		if (i % 2) {
			assert_null(h);
			assert_null(node_find_intf(net_get(net, "s1"), intf));
		} else {
			assert_non_null(h);
			assert_string_equal(node_name(h), name);
			assert_non_null(node_find_intf(net_get(net, "s1"),
						       intf));
		}
	}
	net_destroy(net);
}

/* A Linux bridge holds 1023 ports (BR_MAX_PORTS 1024, port 0 reserved):
 * single,1024 failed at 's1-eth1024: Exchange full' after every namespace
 * was made; now the description itself is refused. */
static void test_lxbr_switch_refuses_its_1024th_port_when_described(
	void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_of("lxbr");

	(void)state;
	assert_int_equal(net_build(net, "single,1023", &err), 0);
	net_destroy(net);
	net = net_of("lxbr");
	assert_int_equal(net_build(net, "single,1024", &err), -EXFULL);
	assert_non_null(strstr(err.msg, "'s1' cannot take more than 1023"));
	assert_false(net_is_started(net));
	net_destroy(net);
}

/* graphviz's gvRenderFilename() returns 0 when it cannot open the file:
 * --graph and the CLI's graph reported success and wrote nothing. */
static void test_drawing_to_an_unwritable_path_fails(void **state)
{
	static const char *const paths[] = { "/nonexistent/x.svg",
					     "/nonexistent/x.png",
					     "/nonexistent/x.dot" };
	char ok[] = "/tmp/test_netbuild_XXXXXX.svg";
	struct net *net = net_of("lxbr");
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(net_build(net, "minimal", &err), 0);
	for (size_t i = 0; i < 3; i++) {
		emu_err_clear(&err);
		assert_int_equal(net_draw(net, paths[i], &err), -ENOENT);
		assert_non_null(strstr(err.msg, "No such file or directory"));
		assert_non_null(strstr(err.msg, paths[i]));
	}
	close(mkstemps(ok, 4));
	assert_int_equal(net_draw(net, ok, &err), 0);
	{
		FILE *f = fopen(ok, "r");
		char head[64] = "";

		assert_non_null(f);
		assert_true(fread(head, 1, sizeof(head) - 1, f) > 0);
		fclose(f);
		assert_non_null(strstr(head, "<?xml"));
	}
	unlink(ok);
	net_destroy(net);
}

/* The face changes links only through the Net: the links between two
 * nodes are found, and a link of another Net is refused. */
static void test_link_shaping_goes_through_its_own_net(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_of("ovs"), *other = net_of("ovs");
	struct node *h1, *h2, *s1;
	struct link **links, **theirs;
	struct shaping s;
	size_t n;

	(void)state;
	assert_int_equal(net_build(net, "single,2", &err), 0);
	assert_int_equal(net_build(other, "single,2", &err), 0);
	h1 = net_get(net, "h1");
	h2 = net_get(net, "h2");
	s1 = net_get(net, "s1");
	links = net_links_between(net, s1, h1, &n);
	assert_int_equal(n, 1);
	free(net_links_between(net, h1, h2, &n));
	assert_int_equal(n, 0);
	shaping_init(&s);
	assert_int_equal(shaping_set(&s, "bw", "10", &err), 0);
	assert_int_equal(net_set_link_shaping(net, links[0], &s, NULL, &err),
			 0);
	assert_int_equal(link_shaping(links[0], 0)->rate_bps, 10000000);
	assert_int_equal(link_shaping(links[0], 1)->rate_bps, 0);
	theirs = net_links_between(other, net_get(other, "h1"),
				   net_get(other, "s1"), &n);
	assert_int_equal(n, 1);
	assert_int_equal(net_set_link_shaping(net, theirs[0], &s, &s, &err),
			 -ENOENT);
	assert_int_equal(link_shaping(theirs[0], 0)->rate_bps, 0);
	free(theirs);
	free(links);
	net_destroy(other);
	net_destroy(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drawing_to_an_unwritable_path_fails),
		cmocka_unit_test(
			test_single_100000_is_described_in_linear_time),
		cmocka_unit_test(test_removed_node_is_no_longer_found),
		cmocka_unit_test(test_link_shaping_goes_through_its_own_net),
		cmocka_unit_test(
			test_lxbr_switch_refuses_its_1024th_port_when_described),
	};

	return cmocka_run_group_tests_name("netbuild", tests, NULL, NULL);
}
