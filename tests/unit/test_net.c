/* A Net that is only described (no start, no root, nothing on the
 * machine): names, the address plan, kinds resolved through the table of
 * kinds, datapath IDs, and one sentence for each bad input. */
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
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/host.h"
#include "node/node.h"

static struct net *net_with(const struct net_opts *o)
{
	struct emu_err err = { 0 };
	struct net *net = net_create(o, &err);

	if (!net)
		fail_msg("net_create: %s", err.msg);
	return net;
}

/* Asserts that 'ret' is 'code' with exactly 'msg' in 'err', then clears
 * it for the next case. */
static void expect_err(int ret, int code, struct emu_err *err,
		       const char *msg)
{
	assert_int_equal(ret, code);
	assert_int_equal(err->code, code);
	assert_string_equal(err->msg, msg);
	emu_err_clear(err);
}

/* A Net of the default options with the host 'h1' and the switch 's1',
 * not linked. */
static struct net *net_h1_s1(struct node **h1, struct node **s1)
{
	struct net *net = net_with(NULL);

	*h1 = net_add_host(net, "h1", NULL, NULL);
	*s1 = net_add_switch(net, "s1", NULL, NULL);
	assert_non_null(*h1);
	assert_non_null(*s1);
	return net;
}

static void test_hosts_get_the_plans_addresses_in_order(void **state)
{
	struct net_opts o = { .ipbase = "192.168.7.0/24", .auto_mac = true };
	struct net_host_opts given = { .ip = "192.168.7.100" };
	struct net *net = net_with(&o);
	struct node *h1, *h2, *h3;

	(void)state;
	h1 = net_add_host(net, "h1", NULL, NULL);
	h2 = net_add_host(net, "h2", &given, NULL);
	h3 = net_add_host(net, "h3", NULL, NULL);
	assert_string_equal(h1->default_ip, "192.168.7.1/24");
	assert_string_equal(h1->default_mac, "00:00:00:00:00:01");
	/* Given without a prefix: the ipbase's; the plan moves on anyway,
	 * as Mininet's. */
	assert_string_equal(h2->default_ip, "192.168.7.100/24");
	assert_string_equal(h2->default_mac, "00:00:00:00:00:02");
	assert_string_equal(h3->default_ip, "192.168.7.3/24");
	net_destroy(net);
}

/* Without --mac the kernel picks MACs; a host's first link end takes its
 * address, a switch's none. */
static void test_links_name_ends_as_mininet_and_address_hosts(void **state)
{
	struct emu_err err = { 0 };
	struct node *h1, *s1;
	struct net *net = net_h1_s1(&h1, &s1);
	struct link *l;

	(void)state;
	assert_null(h1->default_mac);
	l = net_add_link(net, h1, s1, NULL, &err);
	assert_non_null(l);
	assert_string_equal(link_intf1(l)->name, "h1-eth0");
	assert_string_equal(link_intf1(l)->ip, "10.0.0.1/8");
	assert_string_equal(link_intf1(l)->mac, "");
	assert_string_equal(link_intf2(l)->name, "s1-eth1");
	assert_string_equal(link_intf2(l)->ip, "");
	assert_int_equal(link_intf2(l)->port, 1);
	assert_false(net_is_started(net));
	net_destroy(net);
}

/* --switch and a switch's own kind are names of the table of kinds
 * (aliases included); the Net's default kind is the table's. */
static void test_switch_kinds_resolve_through_the_table(void **state)
{
	struct net_opts lxbr = { .switch_kind = "lxbr" };
	struct net_switch_opts user = { .kind = "user" };
	struct net_switch_opts ovsbr = { .kind = "ovsbr" };
	struct emu_err err = { 0 };
	struct net *net = net_with(NULL), *bridged = net_with(&lxbr);

	(void)state;
	assert_string_equal(node_kind(net_add_switch(net, "s1", NULL, &err)),
			    "ovs");
	assert_string_equal(node_kind(net_add_switch(net, "s2", &user, &err)),
			    "ovs");
	assert_true(node_has_caps(net_add_switch(net, "s3", &ovsbr, &err),
				  NODE_KIND_OVS));
	/* 'dump' shows Mininet's class of the kind asked for: OVSBridge */
	assert_string_equal(node_kind(net_get(net, "s3")), "ovsbr");
	assert_string_equal(node_kind_class(node_kind(net_get(net, "s3"))),
			    "OVSBridge");
	assert_false(node_has_caps(net_get(net, "s3"), NODE_KIND_CONTROLLED));
	assert_string_equal(
		node_kind(net_add_switch(bridged, "s1", NULL, &err)), "lxbr");
	assert_false(node_has_caps(net_get(bridged, "s1"), NODE_KIND_OVS));
	net_destroy(bridged);
	net_destroy(net);
}

static void test_unknown_kinds_are_refused_with_the_known_ones(void **state)
{
	struct net_opts cisco = { .switch_kind = "cisco" };
	struct net_opts nox = { .controller = "nox" };
	struct net_switch_opts so = { .kind = "OVSSwitch" };
	struct controller_opts co = { .kind = "pox" };
	struct emu_err err = { 0 };
	struct net *net;

	(void)state;
	assert_null(net_create(&cisco, &err));
	expect_err(err.code, -EINVAL, &err,
		   "unknown switch 'cisco' (known: ovs, ovsbr, lxbr)");
	assert_null(net_create(&nox, &err));
	expect_err(err.code, -EINVAL, &err,
		   "unknown controller 'nox' (known: builtin, ovsc, remote, "
		   "none)");
	net = net_with(NULL);
	/* A Mininet class is for Lua's cls; the C API takes kind names. */
	assert_null(net_add_switch(net, "s1", &so, &err));
	expect_err(err.code, -EINVAL, &err,
		   "unknown switch 'OVSSwitch' (known: ovs, ovsbr, lxbr)");
	assert_null(net_add_controller(net, "c1", &co, &err));
	expect_err(err.code, -EINVAL, &err,
		   "controller 'c1': unknown controller 'pox' (known: builtin, "
		   "ovsc, remote, none)");
	assert_null(net_get(net, "s1"));
	assert_null(net_get(net, "c1"));
	net_destroy(net);
}

/* Mininet's dpids: the number in the name, or given; "s0" gets a locally
 * administered one, as OVS would choose. */
static void test_switch_dpids_come_from_names(void **state)
{
	struct net_switch_opts given = { .dpid = 0x2a };
	struct emu_err err = { 0 };
	struct net *net = net_with(NULL);
	struct node *s0, *s0b;

	(void)state;
	assert_int_equal(
		net_switch_dpid(net, net_add_switch(net, "s12", NULL, &err)),
		12);
	assert_int_equal(
		net_switch_dpid(net, net_add_switch(net, "sw", &given, &err)),
		0x2a);
	s0 = net_add_switch(net, "s0", NULL, &err);
	s0b = net_add_switch(net, "t0", NULL, &err);
	assert_int_equal(net_switch_dpid(net, s0), 0x020000000000ULL);
	assert_int_equal(net_switch_dpid(net, s0b), 0x020000000001ULL);
	assert_int_equal(net_switch_dpid(net, net_add_host(net, "h1", NULL,
							   &err)),
			 0);
	assert_null(net_add_switch(net, "core", NULL, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_true(strncmp(err.msg, "switch 'core': ", 15) == 0);
	net_destroy(net);
}

static void test_bad_input_is_refused_with_one_sentence(void **state)
{
	struct net_host_opts bad_ip = { .ip = "10.0.0.300" };
	struct net_host_opts bad_mac = { .mac = "00:11" };
	struct net_link_opts bad_link = { .port1 = -1, .port2 = -1,
					  .mac2 = "zz:00:00:00:00:00" };
	struct emu_err err = { 0 };
	struct node *h1, *s1;
	struct net *net = net_h1_s1(&h1, &s1);

	(void)state;
	assert_null(net_add_host(net, "h1", NULL, &err));
	expect_err(err.code, -EEXIST, &err, "duplicate node name 'h1'");
	assert_null(net_add_host(net, "hosthosthost", NULL, &err));
	assert_int_equal(err.code, -ENAMETOOLONG);
	emu_err_clear(&err);
	assert_null(net_add_host(net, "h2", &bad_ip, &err));
	assert_true(strncmp(err.msg, "host 'h2': ", 11) == 0);
	emu_err_clear(&err);
	assert_null(net_add_host(net, "h3", &bad_mac, &err));
	assert_true(strncmp(err.msg, "host 'h3': ", 11) == 0);
	emu_err_clear(&err);
	assert_null(net_add_link(net, h1, h1, NULL, &err));
	expect_err(err.code, -EINVAL, &err, "link from 'h1' to itself");
	assert_null(net_add_link(net, h1, s1, &bad_link, &err));
	assert_int_equal(err.code, -EINVAL);
	emu_err_clear(&err);
	/* Refused inputs leave nothing behind. */
	assert_null(net_get(net, "h2"));
	assert_null(net_get(net, "h3"));
	assert_int_equal(h1->n_intfs, 0);
	assert_int_equal(net_set_ip(net, h1, "h1-eth9", "10.0.0.9", &err),
			 -ENOENT);
	expect_err(err.code, -ENOENT, &err, "'h1' has no interface 'h1-eth9'");
	net_destroy(net);
}

/* Before start, settings are kept for start: the first link's end gets
 * them. */
static void test_settings_before_start_wait_for_the_link(void **state)
{
	struct emu_err err = { 0 };
	struct node *h1, *s1;
	struct net *net = net_h1_s1(&h1, &s1);
	struct link *l;

	(void)state;
	assert_int_equal(net_set_ip(net, h1, NULL, "10.9.9.9/16", &err), 0);
	assert_int_equal(net_set_mac(net, h1, NULL, "02:00:00:00:00:09",
				     &err),
			 0);
	assert_int_equal(net_set_default_route(net, h1, "via 10.9.0.1", &err),
			 0);
	l = net_add_link(net, h1, s1, NULL, &err);
	assert_string_equal(link_intf1(l)->ip, "10.9.9.9/16");
	assert_string_equal(link_intf1(l)->mac, "02:00:00:00:00:09");
	assert_string_equal(h1->default_route, "via 10.9.0.1");
	assert_false(h1->routed);
	/* Once the end exists, it changes there (not made: only noted). */
	assert_int_equal(net_set_ip(net, h1, "h1-eth0", "10.9.9.8", &err), 0);
	assert_string_equal(link_intf1(l)->ip, "10.9.9.8/8");
	net_destroy(net);
}

/* Mininet's addNAT: linked to the first switch, the gateway of the hosts
 * added so far; it needs a switch unless told not to connect. */
static void test_nat_becomes_the_hosts_gateway(void **state)
{
	struct net_nat_opts alone = { .no_connect = true };
	struct emu_err err = { 0 };
	struct net *net = net_with(NULL);
	struct node *h1, *nat;
	char want[192];

	(void)state;
	assert_null(net_add_nat(net, NULL, NULL, &err));
	expect_err(err.code, -EINVAL, &err,
		   "NAT 'nat0': no switch to connect it to");
	h1 = net_add_host(net, "h1", NULL, &err);
	net_add_switch(net, "s1", NULL, &err);
	nat = net_add_nat(net, NULL, NULL, &err);
	assert_non_null(nat);
	assert_string_equal(node_name(nat), "nat0");
	assert_string_equal(nat->default_ip, "10.0.0.2/8");
	assert_string_equal(h1->default_route, "via 10.0.0.2");
	assert_int_equal(nat->n_intfs, 1);
	/* in the machine's namespace, named after the run, not "nat0-eth0" */
	snprintf(want, sizeof(want), "%s-nat0", net_run_tag(net));
	assert_string_equal(nat->intfs[0]->name, want);
	assert_non_null(net_add_nat(net, "nat1", &alone, &err));
	assert_int_equal(net_get(net, "nat1")->n_intfs, 0);
	/* a name that cannot fit there is refused at once */
	assert_null(net_add_nat(net, "natnatnat", NULL, &err));
	snprintf(want, sizeof(want), "link 'natnatnat'-'s1': the NAT's "
		 "interface in the machine's namespace, '%s-natnatnat', is "
		 "longer than 15 "
		 "characters: give the NAT a shorter name", net_run_tag(net));
	expect_err(err.code, -ENAMETOOLONG, &err, want);
	assert_null(net_get(net, "natnatnat"));
	net_destroy(net);
}

/* CPU limits change through the Net, which refuses a node of another Net
 * and hands the host's own sentence back. */
static void test_cpu_limits_go_through_the_net(void **state)
{
	struct net_host_opts limited = {
		.cpu = &(struct host_cpu){ .cpu = 0.5, .limited = true },
	};
	struct emu_err err = { 0 };
	struct net *net = net_with(NULL), *other = net_with(NULL);
	struct node *h1 = net_add_host(net, "h1", NULL, &err);
	struct node *h2 = net_add_host(net, "h2", &limited, &err);
	struct node *o1 = net_add_host(other, "h1", NULL, &err);

	(void)state;
	expect_err(net_set_cpu_frac(net, o1, 0.5, NULL, &err), -ENOENT, &err,
		   "'h1' is not in this network");
	expect_err(net_set_cpus(net, o1, "0", &err), -ENOENT, &err,
		   "'h1' is not in this network");
	expect_err(net_set_cpu_frac(net, h1, 0.5, NULL, &err), -EINVAL, &err,
		   "'h1' has no CPU limits (give it cpu, sched, period_us or "
		   "cores, or use --host cfs)");
	expect_err(net_set_cpus(net, h2, "0", &err), -ENETDOWN, &err,
		   "'h2' is not running");
	net_destroy(other);
	net_destroy(net);
}

/* Controllers are nodes of their own role; a removed node takes its links
 * along. */
static void test_controllers_and_removal(void **state)
{
	struct controller_opts remote = { .kind = "RemoteController" };
	struct controller_opts ref = { .kind = "ref", .port = 6699 };
	struct emu_err err = { 0 };
	struct net *net = net_with(NULL);
	struct node *c0, *s1, *h1;
	size_t n;

	(void)state;
	c0 = net_add_controller(net, "c0", NULL, &err);
	assert_string_equal(node_kind(c0), "builtin");
	assert_int_equal(node_role(c0), NODE_CONTROLLER);
	assert_string_equal(node_kind(net_add_controller(net, "c1", &ref,
							 &err)),
			    "ovsc");
	assert_null(net_add_controller(net, "c2", &remote, &err));
	assert_int_equal(err.code, -EINVAL);
	emu_err_clear(&err);
	s1 = net_add_switch(net, "s1", NULL, &err);
	h1 = net_add_host(net, "h1", NULL, &err);
	net_add_link(net, h1, s1, NULL, &err);
	net_links(net, &n);
	assert_int_equal(n, 1);
	assert_int_equal(net_remove_node(net, s1, &err), 0);
	net_links(net, &n);
	assert_int_equal(n, 0);
	assert_int_equal(h1->n_intfs, 0);
	assert_null(net_get(net, "s1"));
	assert_int_equal(net_remove_node(net, h1, &err), 0);
	net_nodes(net, &n);
	assert_int_equal(n, 2);
	net_destroy(net);
}

/* Pins to a cluster's machines are kept on the nodes; a malformed one is
 * refused with its sentence, and a Net over a cluster names its engine. */
static void test_placement_pins_and_the_cluster_option(void **state)
{
	struct net_opts swarm = { .cluster = "swarm" };
	struct net_opts k8s = { .cluster = "k8s" };
	struct emu_err err = { 0 };
	struct node *h1, *s1;
	struct net *net = net_h1_s1(&h1, &s1);

	(void)state;
	assert_null(net_cluster(net));
	assert_null(node_placement(h1));
	assert_int_equal(net_set_placement(net, h1, "m2", &err), 0);
	assert_int_equal(net_set_placement(net, s1, "rack=a", &err), 0);
	assert_string_equal(node_placement(h1), "m2");
	assert_string_equal(node_placement(s1), "rack=a");
	expect_err(net_set_placement(net, h1, "", &err), -EINVAL, &err,
		   "'h1': invalid placement '': a machine's hostname or "
		   "key=value of its labels, 1 to 255 characters");
	expect_err(net_set_placement(net, h1, "rack=", &err), -EINVAL, &err,
		   "'h1': invalid placement 'rack=': expected a hostname or "
		   "key=value");
	expect_err(net_set_placement(net, h1, "=a", &err), -EINVAL, &err,
		   "'h1': invalid placement '=a': expected a hostname or "
		   "key=value");
	expect_err(net_set_placement(net, h1, "m 2", &err), -EINVAL, &err,
		   "'h1': invalid placement 'm 2': blank or control "
		   "character");
	assert_string_equal(node_placement(h1), "m2");	/* kept */
	assert_int_equal(net_set_placement(net, h1, NULL, &err), 0);
	assert_null(node_placement(h1));
	net_destroy(net);

	assert_null(net_create(&k8s, &err));
	expect_err(err.code, -EINVAL, &err,
		   "unknown cluster 'k8s' (known: swarm)");
	net = net_with(&swarm);
	assert_string_equal(net_cluster(net), "swarm");
	/* no engine given: nothing to run it with */
	expect_err(net_start(net, &err), -EOPNOTSUPP, &err,
		   "running over a cluster (swarm) is not supported yet");
	net_destroy(net);
}

/* What a cluster engine was asked: the Net's side of a cluster run. */
static struct {
	int starts, stops, spawns, shapings, ups;
	int added_nodes, added_links, removed_links, removed_nodes;
	int fail_start, fail_shaping, fail_add_link;
	uint64_t rate_seen;
} seen;

static int c_start(struct net *net, void **state, struct emu_err *err)
{
	(void)net;
	seen.starts++;
	if (seen.fail_start)
		return emu_err_set(err, -EHOSTUNREACH, "no machine answers");
	*state = &seen;
	return 0;
}

static void c_stop(struct net *net, void *state)
{
	(void)net;
	assert_ptr_equal(state, &seen);
	seen.stops++;
}

/* The relay: "sh -c 'exit 7' relay h1 hostname" (one allocation). */
static char **c_relay(void *state, const struct node *node,
		      char *const argv[], const struct node_exec_opts *opts,
		      struct emu_err *err)
{
	static const char *const head[] = { "/bin/sh", "-c", "exit 7",
					    "relay" };
	char **r = malloc(7 * sizeof(*r) + 64), *text = (char *)(r + 7);

	(void)state, (void)opts, (void)err;
	seen.spawns++;
	for (int i = 0; i < 4; i++)
		r[i] = (char *)head[i];
	r[4] = strcpy(text, node_name(node));
	r[5] = strcpy(text + 16, argv[0]);
	r[6] = NULL;
	return r;
}

static int c_shaping(void *state, struct link *link, struct emu_err *err)
{
	(void)state;
	seen.shapings++;
	seen.rate_seen = link_shaping(link, 0)->rate_bps;
	if (seen.fail_shaping)
		return emu_err_set(err, -ECONNRESET, "machine 'm2' is gone");
	return 0;
}

static int c_up(void *state, struct link *link, bool up,
		struct emu_err *err)
{
	(void)state, (void)link, (void)up, (void)err;
	seen.ups++;
	return 0;
}

static const char *c_machine(void *state, const struct node *node)
{
	(void)state;
	return node_name(node)[0] == 'h' ? "m2" : "m1";
}

static int c_check(void *state)
{
	(void)state;
	return 0;
}

static bool c_link_cut(void *state, const struct link *link,
		       struct net_cut *cut)
{
	(void)state, (void)link;
	*cut = (struct net_cut){ .machine1 = "m2", .machine2 = "m1",
				 .vni = 7, .underlay_rtt_ms = 0.25 };
	return true;
}

static int c_add_node(void *state, struct node *node, struct emu_err *err)
{
	(void)state, (void)err;
	assert_string_equal(node_placement(node), "m3");
	seen.added_nodes++;
	return 0;
}

static int c_add_link(void *state, struct link *link, struct emu_err *err)
{
	(void)state;
	assert_true(node_is_running(link_intf1(link)->node) &&
		    node_is_running(link_intf2(link)->node));
	seen.added_links++;
	if (seen.fail_add_link)
		return emu_err_set(err, -EHOSTDOWN, "machine 'm3' is lost");
	return 0;
}

static int c_remove_link(void *state, struct link *link, struct emu_err *err)
{
	(void)state, (void)link, (void)err;
	seen.removed_links++;
	return 0;
}

static int c_remove_node(void *state, struct node *node, struct emu_err *err)
{
	(void)state, (void)node, (void)err;
	seen.removed_nodes++;
	return 0;
}

/* A Net over a cluster makes nothing here: its start, stop, commands,
 * link changes and the nodes and links added and removed while it runs
 * go to the engine; a node added is placed at its first link. */
static void test_a_cluster_run_goes_through_its_engine(void **state)
{
	static const struct net_cluster_ops ops = {
		.start = c_start, .stop = c_stop, .relay_argv = c_relay,
		.set_link_shaping = c_shaping, .set_link_up = c_up,
		.machine = c_machine, .check = c_check,
		.link_cut = c_link_cut, .add_node = c_add_node,
		.add_link = c_add_link, .remove_link = c_remove_link,
		.remove_node = c_remove_node,
	};
	struct net_opts o = { .cluster = "swarm", .cluster_ops = &ops,
			      .switch_kind = "lxbr", .ipbase = "10.9.0.0/16",
			      .auto_arp = true };
	struct net_cut cut;
	char *argv[] = { "hostname", NULL };
	struct emu_err err = { 0 };
	struct shaping fast, slow;
	struct node *h1, *s1, *h2;
	struct link *link;
	size_t n_links;
	struct net *net;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	net = net_with(&o);
	h1 = net_add_host(net, "h1", NULL, NULL);
	s1 = net_add_switch(net, "s1", NULL, NULL);
	link = net_add_link(net, h1, s1, NULL, NULL);
	seen.fail_start = 1;
	expect_err(net_start(net, &err), -EHOSTUNREACH, &err,
		   "no machine answers");
	assert_false(net_is_started(net));
	assert_false(node_is_running(h1));
	assert_null(net_node_machine(net, h1));
	seen.fail_start = 0;
	assert_int_equal(net_start(net, &err), 0);
	assert_true(net_is_started(net) && node_is_running(h1));
	assert_string_equal(net_node_machine(net, h1), "m2");
	/* nothing here: no run directory on this machine */
	assert_null(net_run_dir(net));
	assert_true(net_link_cut(net, link, &cut));
	assert_string_equal(cut.machine1, "m2");
	assert_int_equal(cut.vni, 7);
	/* what the machines' parts are built with */
	assert_string_equal(net_options(net)->switch_kind, "lxbr");
	assert_string_equal(net_options(net)->ipbase, "10.9.0.0/16");
	assert_true(net_options(net)->auto_arp);
	assert_null(net_options(net)->controller);
	/* the relay runs here in the command's place */
	assert_int_equal(node_capture(h1, argv, &(struct node_exec_opts){ 0 },
				      NULL, &err),
			 7);
	assert_int_equal(seen.spawns, 1);
	shaping_init(&fast);
	fast.rate_bps = 100000000;
	assert_int_equal(net_set_link_shaping(net, link, &fast, NULL, &err),
			 0);
	assert_int_equal(seen.rate_seen, 100000000);
	seen.fail_shaping = 1;
	shaping_init(&slow);
	slow.rate_bps = 1000000;
	expect_err(net_set_link_shaping(net, link, &slow, NULL, &err),
		   -ECONNRESET, &err, "machine 'm2' is gone");
	assert_int_equal(link_shaping(link, 0)->rate_bps, 100000000);
	assert_true(link_intf1(link)->up && link_intf2(link)->up);
	assert_int_equal(net_set_link_up(net, h1, s1, false, &err), 0);
	assert_int_equal(seen.ups, 1);
	/* what 'links' shows of the link made there */
	assert_false(link_intf1(link)->up || link_intf2(link)->up);
	h2 = net_add_host(net, "h2", NULL, &err);
	assert_non_null(h2);
	assert_false(node_is_running(h2));
	assert_int_equal(net_set_placement(net, h2, "m3", &err), 0);
	seen.fail_add_link = 1;
	assert_null(net_add_link(net, h2, s1, NULL, &err));
	expect_err(err.code, -EHOSTDOWN, &err, "machine 'm3' is lost");
	net_links(net, &n_links);	/* the failed link went again */
	assert_int_equal(n_links, 1);
	seen.fail_add_link = 0;
	assert_non_null(net_add_link(net, h2, s1, NULL, &err));
	assert_int_equal(seen.added_nodes, 1);	/* placed once */
	assert_int_equal(seen.added_links, 2);
	assert_true(node_is_running(h2));
	expect_err(net_set_placement(net, h2, "m1", &err), -EBUSY, &err,
		   "'h2': placement is fixed once the network is started");
	assert_int_equal(net_remove_node(net, h2, &err), 0);
	assert_int_equal(seen.removed_links, 1);
	assert_int_equal(seen.removed_nodes, 1);
	assert_null(net_get(net, "h2"));
	assert_int_equal(net_remove_link(net, link, &err), 0);
	assert_int_equal(seen.removed_links, 2);
	net_stop(net);
	assert_int_equal(seen.stops, 1);
	assert_false(net_is_started(net) || node_is_running(h1));
	assert_null(net_node_machine(net, h1));
	net_destroy(net);	/* stopped: not stopped again */
	assert_int_equal(seen.stops, 1);
	assert_int_equal(seen.starts, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts_get_the_plans_addresses_in_order),
		cmocka_unit_test(
			test_links_name_ends_as_mininet_and_address_hosts),
		cmocka_unit_test(test_switch_kinds_resolve_through_the_table),
		cmocka_unit_test(
			test_unknown_kinds_are_refused_with_the_known_ones),
		cmocka_unit_test(test_switch_dpids_come_from_names),
		cmocka_unit_test(test_bad_input_is_refused_with_one_sentence),
		cmocka_unit_test(test_settings_before_start_wait_for_the_link),
		cmocka_unit_test(test_nat_becomes_the_hosts_gateway),
		cmocka_unit_test(test_cpu_limits_go_through_the_net),
		cmocka_unit_test(test_controllers_and_removal),
		cmocka_unit_test(test_placement_pins_and_the_cluster_option),
		cmocka_unit_test(test_a_cluster_run_goes_through_its_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
