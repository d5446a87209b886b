/* cluster/part.c without root: a described Net becomes a machine's part
 * and the part a Net again with the same description; cut links become a
 * tunnel end; bad parts get one sentence naming the item. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/err.h"
#include "cluster/part.h"
#include "cluster/plan.h"
#include "emu/net.h"
#include "link/veth.h"
#include "node/docker.h"
#include "node/node.h"

static struct net *new_net(void)
{
	struct emu_err err = { 0 };
	struct net_opts o = { .auto_mac = true };
	struct net *net = net_create(&o, &err);

	if (!net)
		fail_msg("net_create: %s", err.msg);
	return net;
}

/* h1, d1 (a container with options), s1 (OVS), s2 (Linux bridge), a
 * remote controller c1; h1-s1 shaped both ways with an MTU, d1-s2 on
 * given ports and names, s1-s2 with delay. */
static struct net *described_net(void)
{
	struct net *net = new_net();
	const char *vols[] = { "/tmp:/data:ro" }, *env[] = { "A=1", "B=2" };
	struct docker_opts d = {
		.dimage = "busybox:latest", .dcmd = "sleep 1000",
		.volumes = vols, .n_volumes = 1, .environment = env,
		.n_environment = 2, .mem_limit = 64 << 20, .cpu_quota = 50000,
		.cpu_period = 100000, .hostname = "dee",
	};
	struct controller_opts c = { .kind = "remote", .ip = "10.9.9.9",
				     .port = 6699 };
	struct net_switch_opts br = { .kind = "lxbr" };
	struct shaping sh1, sh2;
	struct net_link_opts l1 = { .mtu = 1400, .shaping1 = &sh1,
				    .shaping2 = &sh2, .port1 = -1,
				    .port2 = -1 };
	struct net_link_opts l2 = { .intf1 = "d1-data", .port1 = 3,
				    .port2 = 7, .ip1 = "10.0.0.50/8" };
	struct net_link_opts l3 = { .shaping1 = &sh2, .shaping2 = &sh2,
				    .port1 = -1, .port2 = -1 };
	struct emu_err err = { 0 };
	struct node *h1, *d1, *s1, *s2;

	shaping_init(&sh1);
	shaping_init(&sh2);
	assert_int_equal(shaping_parse_list(&sh1, "bw=10,loss=1.5,"
					    "max_queue_size=50", NULL), 0);
	assert_int_equal(shaping_parse_list(&sh2, "delay=50ms,jitter=1ms",
					    NULL), 0);
	assert_non_null(net_add_controller(net, "c1", &c, &err));
	assert_non_null(h1 = net_add_host(net, "h1", NULL, &err));
	assert_non_null(d1 = net_add_docker(net, "d1", &d, &err));
	assert_non_null(s1 = net_add_switch(net, "s1", NULL, &err));
	assert_non_null(s2 = net_add_switch(net, "s2", &br, &err));
	assert_int_equal(net_set_default_route(net, h1, "via 10.0.0.254",
					       &err), 0);
	assert_non_null(net_add_link(net, h1, s1, &l1, &err));
	assert_non_null(net_add_link(net, d1, s2, &l2, &err));
	assert_non_null(net_add_link(net, s1, s2, &l3, &err));
	return net;
}

/* A placement of 'net' putting node i on machines[i]; the links whose
 * ends differ are cut with VNIs from 100. */
static void place(struct net *net, const size_t *machines,
		  struct placement *pl)
{
	size_t n_nodes, n_links;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct link **links = net_links(net, &n_links);

	memset(pl, 0, sizeof(*pl));
	pl->n_nodes = n_nodes;
	pl->n_links = n_links;
	pl->machine = calloc(n_nodes, sizeof(size_t));
	pl->cuts = calloc(n_links, sizeof(*pl->cuts));
	memcpy(pl->machine, machines, n_nodes * sizeof(size_t));
	for (size_t i = 0; i < n_links; i++) {
		size_t m1 = 0, m2 = 0;

		for (size_t j = 0; j < n_nodes; j++) {
			if (nodes[j] == link_intf1(links[i])->node)
				m1 = machines[j];
			if (nodes[j] == link_intf2(links[i])->node)
				m2 = machines[j];
		}
		if (m1 != m2)
			pl->cuts[pl->n_cuts++] = (struct plan_cut){
				.link = i, .m1 = m1, .m2 = m2,
				.vni = 100 + (uint32_t)i };
	}
}

static void unplace(struct placement *pl)
{
	free(pl->machine);
	free(pl->cuts);
}

static const char *const addrs[] = { "192.168.250.1", "192.168.250.2" };

static json_t *part_or_fail(struct net *net, const struct placement *pl,
			    size_t machine)
{
	struct emu_err err = { 0 };
	json_t *part = part_of(net, pl, machine, addrs, &err);

	if (!part)
		fail_msg("part_of: %s", err.msg);
	return part;
}

static void build_or_fail(struct net *net, const json_t *part)
{
	struct emu_err err = { 0 };

	if (part_build_net(net, part, &err))
		fail_msg("part_build_net: %s", err.msg);
}

static void assert_json_equal(json_t *a, json_t *b)
{
	if (!json_equal(a, b)) {
		char *sa = json_dumps(a, JSON_SORT_KEYS | JSON_INDENT(1));
		char *sb = json_dumps(b, JSON_SORT_KEYS | JSON_INDENT(1));

		print_message("first:\n%s\nsecond:\n%s\n", sa, sb);
		free(sa);
		free(sb);
		fail();
	}
}

static void test_whole_net_round_trips_through_its_part(void **state)
{
	static const size_t one[] = { 0, 0, 0, 0, 0 };
	struct net *net = described_net(), *again = new_net();
	struct placement pl, pl2;
	json_t *part, *part2, *l, *d;

	(void)state;
	place(net, one, &pl);
	part = part_or_fail(net, &pl, 0);
	assert_int_equal(json_array_size(json_object_get(part, "nodes")), 5);
	assert_int_equal(json_array_size(json_object_get(part, "links")), 3);
	assert_int_equal(json_array_size(json_object_get(part, "cuts")), 0);
	/* What the part says of the first link and the container. */
	l = json_array_get(json_object_get(part, "links"), 0);
	assert_string_equal(json_string_value(json_object_get(l, "intf1")),
			    "h1-eth0");
	assert_int_equal(json_integer_value(json_object_get(l, "mtu")), 1400);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(l, "shaping1"), "rate_bps")),
			 10000000);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(l, "shaping2"), "delay_us")),
			 50000);
	d = json_object_get(json_array_get(json_object_get(part, "nodes"), 2),
			    "docker");
	assert_string_equal(json_string_value(json_object_get(d, "dcmd")),
			    "sleep 1000");
	assert_int_equal(json_array_size(json_object_get(d, "environment")),
			 2);

	build_or_fail(again, part);
	place(again, one, &pl2);
	part2 = part_or_fail(again, &pl2, 0);
	assert_json_equal(part, part2);
	json_decref(part);
	json_decref(part2);
	unplace(&pl);
	unplace(&pl2);
	net_destroy(net);
	net_destroy(again);
}

static void test_cut_link_becomes_a_tunnel_end_on_each_side(void **state)
{
	/* c1 h1 d1 s1 on machine 0; s2 on machine 1: d1-s2 and s1-s2 cut. */
	static const size_t two[] = { 0, 0, 0, 0, 1 };
	struct net *net = described_net(), *a = new_net(), *b = new_net();
	struct placement pl;
	json_t *pa, *pb, *cut;
	struct emu_err err = { 0 };
	struct node *tun, *s1;
	struct link **links;
	size_t n;

	(void)state;
	place(net, two, &pl);
	assert_int_equal(pl.n_cuts, 2);
	pa = part_or_fail(net, &pl, 0);
	pb = part_or_fail(net, &pl, 1);
	assert_int_equal(json_array_size(json_object_get(pa, "links")), 1);
	assert_int_equal(json_array_size(json_object_get(pa, "cuts")), 2);
	/* s2 and its own instance of the run's controller c1. */
	assert_int_equal(json_array_size(json_object_get(pb, "nodes")), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(pb, "nodes"),
						   0),
				    "name")),
			    "c1");
	assert_int_equal(json_array_size(json_object_get(pb, "cuts")), 2);
	/* s1, the OVS switch under c1, is machine 0's and machine 1's
	 * remote one; s2, a Linux bridge, is in no topology. */
	assert_non_null(strstr(json_string_value(json_object_get(pa,
								 "topology")),
			       "\nswitch 0000000000000001 s1\n"));
	assert_non_null(strstr(json_string_value(json_object_get(pb,
								 "topology")),
			       "\nremote 0000000000000001 s1\n"));
	assert_null(strstr(json_string_value(json_object_get(pb, "topology")),
			   " s2\n"));
	/* Machine 0 holds end 1 of s1-s2 (link 3, VNI 102) with its egress
	 * delay; machine 1 end 2 with its own. */
	cut = json_array_get(json_object_get(pa, "cuts"), 1);
	assert_string_equal(json_string_value(json_object_get(cut, "node")),
			    "s1");
	assert_int_equal(json_integer_value(json_object_get(cut, "vni")), 102);
	assert_string_equal(json_string_value(json_object_get(cut, "local")),
			    "192.168.250.1");
	assert_string_equal(json_string_value(json_object_get(cut, "remote")),
			    "192.168.250.2");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(cut, "shaping"), "delay_us")),
			 50000);
	cut = json_array_get(json_object_get(pb, "cuts"), 1);
	assert_string_equal(json_string_value(json_object_get(cut, "node")),
			    "s2");
	assert_string_equal(json_string_value(json_object_get(cut, "local")),
			    "192.168.250.2");

	build_or_fail(a, pa);
	build_or_fail(b, pb);
	/* On machine 0: s1's port toward s2 keeps its name and number and
	 * ends on the tunnel end vx102, which has no shaping of its own. */
	tun = net_get(a, "vx102");
	assert_non_null(tun);
	assert_string_equal(node_kind(tun), "lxbr");
	s1 = net_get(a, "s1");
	assert_non_null(node_find_intf(s1, "s1-eth2"));
	assert_int_equal(node_find_intf(s1, "s1-eth2")->port, 2);
	links = net_links(a, &n);
	assert_int_equal(n, 3);
	assert_ptr_equal(link_intf2(links[2])->node, tun);
	assert_int_equal(link_shaping(links[2], 0)->delay_us, 50000);
	assert_int_equal(link_shaping(links[2], 1)->delay_us, 0);
	/* Machine 1: s2 and two tunnel ends, d1's port 7 kept. */
	assert_non_null(net_get(b, "vx101"));
	assert_int_equal(node_find_intf(net_get(b, "s2"), "s2-eth7")->port, 7);
	/* A part whose VNI is taken twice is refused. */
	json_object_set_new(json_array_get(json_object_get(pb, "cuts"), 1),
			    "vni", json_integer(101));
	net_destroy(b);
	b = new_net();
	assert_int_equal(part_build_net(b, pb, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "part: cut 2: VNI 101 is used twice"));
	json_decref(pa);
	json_decref(pb);
	unplace(&pl);
	net_destroy(net);
	net_destroy(a);
	net_destroy(b);
}

/* The items a running run's changes send, one at a time: a node, a link
 * on one machine, each end of a cut; added to another Net they make the
 * same nodes, interfaces and tunnel ends; a cut's end goes again. */
static void test_items_added_one_at_a_time_rebuild_their_parts(void **state)
{
	struct net *net = described_net(), *a = new_net();
	struct node **nodes;
	struct link **links;
	struct emu_err err = { 0 };
	json_t *item;
	size_t n, n_links;

	(void)state;
	nodes = net_nodes(net, &n);
	for (size_t i = 0; i < n; i++) {
		item = part_node_json(net, nodes[i]);
		assert_int_equal(part_add_node(a, item, &err), 0);
		json_decref(item);
	}
	assert_non_null(net_get(a, "d1"));
	links = net_links(net, &n_links);
	item = part_link_json(links[0]);	/* h1-s1 */
	assert_string_equal(json_string_value(json_object_get(item, "node1")),
			    "h1");
	assert_int_equal(json_integer_value(json_object_get(item, "mtu")),
			 1400);
	assert_int_equal(part_add_link(a, item, &err), 0);
	json_decref(item);
	/* s1-s2 cut: end 2 (s2) toward 192.168.250.1, VNI 9. */
	item = part_cut_json(links[2], 1, 9, "192.168.250.2", "192.168.250.1");
	assert_string_equal(json_string_value(json_object_get(item, "node")),
			    "s2");
	assert_int_equal(json_integer_value(json_object_get(item, "vni")), 9);
	assert_string_equal(json_string_value(json_object_get(item, "remote")),
			    "192.168.250.1");
	assert_int_equal(part_add_cut(a, item, &err), 0);
	json_decref(item);
	assert_non_null(net_get(a, "vx9"));
	net_links(a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(part_remove_cut(a, 9, &err), 0);
	assert_null(net_get(a, "vx9"));
	net_links(a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(part_remove_cut(a, 9, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no tunnel end 'vx9'"));
	/* A node named twice: one sentence naming it. */
	item = part_node_json(net, nodes[0]);
	assert_true(part_add_node(a, item, &err) < 0);
	json_decref(item);
	net_destroy(net);
	net_destroy(a);
}

static void test_host_interfaces_get_macs_only_under_a_controller(
	void **state)
{
	struct net *net = described_net(), *plain;
	struct net_switch_opts br = { .kind = "lxbr" };
	struct emu_err err = { 0 };
	struct node *h, *s;

	(void)state;
	/* h1, the second node, gets a second link (port 1) with no MAC; its
	 * first has one from --mac, which it keeps. */
	h = net_get(net, "h1");
	assert_non_null(net_add_link(net, h, net_get(net, "s1"), NULL, &err));
	assert_int_equal(part_fix_macs(net, &err), 0);
	assert_string_equal(node_find_intf(h, "h1-eth0")->mac,
			    "00:00:00:00:00:01");
	assert_string_equal(node_find_intf(h, "h1-eth1")->mac,
			    "02:00:00:00:02:01");
	/* Linux bridges only: no controller, the kernel's MACs. */
	plain = net_create(NULL, &err);
	assert_non_null(plain);
	assert_non_null(h = net_add_host(plain, "h1", NULL, &err));
	assert_non_null(s = net_add_switch(plain, "s1", &br, &err));
	assert_non_null(net_add_link(plain, h, s, NULL, &err));
	assert_int_equal(part_fix_macs(plain, &err), 0);
	assert_string_equal(node_find_intf(h, "h1-eth0")->mac, "");
	net_destroy(net);
	net_destroy(plain);
}

/* A ring s1-s2-s3, one switch a machine, with machine 1 lost: machine
 * 0's controller gets s2's links down and keeps s3-s1. */
static void test_lost_machines_switch_links_are_down_in_the_topology(
	void **state)
{
	static const size_t three[] = { 0, 1, 2 };
	static const bool lost[] = { false, true, false };
	struct net *net = new_net();
	struct emu_err err = { 0 };
	struct node *s[3];
	struct placement pl;
	char *text;

	(void)state;
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i + 1);
		assert_non_null(s[i] = net_add_switch(net, name, NULL, &err));
	}
	for (int i = 0; i < 3; i++)
		assert_non_null(net_add_link(net, s[i], s[(i + 1) % 3], NULL,
					     &err));
	place(net, three, &pl);
	text = part_topology(net, &pl, 0, lost);
	assert_non_null(text);
	assert_non_null(strstr(text, "switch 0000000000000001 s1\n"));
	assert_non_null(strstr(text, "remote 0000000000000002 s2\n"));
	assert_non_null(strstr(text, "link 0000000000000001 1 "
				     "0000000000000002 1 down\n"));
	assert_non_null(strstr(text, "link 0000000000000002 2 "
				     "0000000000000003 1 down\n"));
	assert_non_null(strstr(text, "link 0000000000000003 2 "
				     "0000000000000001 2\n"));
	free(text);
	text = part_topology(net, &pl, 0, NULL);
	assert_null(strstr(text, "down"));
	free(text);
	unplace(&pl);
	net_destroy(net);
}

static void test_mtu_is_lowered_only_under_a_small_underlay(void **state)
{
	json_t *part = json_pack("{s:[{s:i}, {}, {s:i}], s:[{}, {s:i}]}",
				 "cuts", "mtu", 9000, "mtu", 1200, "links",
				 "mtu", 1300);

	(void)state;
	assert_int_equal(part_fit_mtu(part, 1550), 0);
	assert_int_equal(part_fit_mtu(part, 1500), 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(part, "links"),
						0), "mtu")),
			 1450);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(part, "links"),
						1), "mtu")),
			 1300);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(part, "cuts"),
						0), "mtu")),
			 1450);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(part, "cuts"),
						1), "mtu")),
			 1450);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(part, "cuts"),
						2), "mtu")),
			 1200);
	json_decref(part);
}

/* Builds 'text' as a part into a fresh Net: the error sentence. */
static void expect_bad_part(const char *text, int code, const char *msg)
{
	json_t *part = json_loads(text, 0, NULL);
	struct net *net = new_net();
	struct emu_err err = { 0 };

	assert_non_null(part);
	assert_int_equal(part_build_net(net, part, &err), code);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' not in '%s'", msg, err.msg);
	json_decref(part);
	net_destroy(net);
}

static void test_bad_parts_are_refused_with_the_item_named(void **state)
{
	(void)state;
	expect_bad_part("{\"nodes\": {}}", -EINVAL,
			"part: 'nodes' is not an array");
	expect_bad_part("{\"nodes\": [{\"name\": \"h1\"}]}", -EINVAL,
			"part: node 1: 'name', 'role' and 'kind' are needed");
	expect_bad_part("{\"nodes\": [{\"name\": \"h1\", \"role\": \"x\", "
			"\"kind\": \"host\"}]}",
			-EINVAL, "part: node 1: unknown role 'x'");
	expect_bad_part("{\"nodes\": [{\"name\": \"h1\", \"role\": \"host\", "
			"\"kind\": \"host\"}], \"links\": [{\"node1\": \"h1\", "
			"\"node2\": \"h9\"}]}",
			-EINVAL, "part: link 1: no node 'h9' in the part");
	expect_bad_part("{\"nodes\": [{\"name\": \"s1\", \"role\": \"switch\", "
			"\"kind\": \"lxbr\"}], \"cuts\": [{\"node\": \"s1\", "
			"\"vni\": 5, \"local\": \"10.0.0.1\", \"shaping\": "
			"{\"delay_us\": 1}}]}",
			-EINVAL,
			"part: cut 1: 'local' and 'remote' are needed");
	expect_bad_part("{\"nodes\": [{\"name\": \"s1\", \"role\": \"switch\", "
			"\"kind\": \"lxbr\"}], \"cuts\": [{\"node\": \"s1\", "
			"\"vni\": 5, \"shaping\": {\"speed\": 1}}]}",
			-EINVAL, "part: cut 1: unknown shaping field 'speed'");
	expect_bad_part("{\"nodes\": [{\"name\": \"s1\", \"role\": \"switch\", "
			"\"kind\": \"lxbr\", \"dpid\": \"xyz\"}]}",
			-EINVAL, "part: node 1: bad dpid 'xyz'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_net_round_trips_through_its_part),
		cmocka_unit_test(test_cut_link_becomes_a_tunnel_end_on_each_side),
		cmocka_unit_test(
			test_items_added_one_at_a_time_rebuild_their_parts),
		cmocka_unit_test(
			test_host_interfaces_get_macs_only_under_a_controller),
		cmocka_unit_test(
			test_lost_machines_switch_links_are_down_in_the_topology),
		cmocka_unit_test(test_mtu_is_lowered_only_under_a_small_underlay),
		cmocka_unit_test(test_bad_parts_are_refused_with_the_item_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
