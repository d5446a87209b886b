/* The Lua binding without starting anything: option checking, messages
 * that start with the script's file:line, the objects a script sees, the
 * script runner (arguments, os.exit, returned Net) and the CLI's 'lua'
 * lines.  No root needed: a Net takes the machine only at start. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "emu/net.h"
#include "lua/script.h"

/* Line 1 of most snippets: a Linux-bridge Net, never started. */
#define NET "local net = cnemu.Net{switch = 'lxbr'}\n"

/* Runs 'code' as the file "test.lua" in a new state; the message of a
 * failure in 'err'. */
static int run(const char *code, struct emu_err *err)
{
	struct script *s = script_create(NULL);
	int ret = script_run_chunk(s, code, "test.lua", NULL, err);

	script_destroy(s);
	return ret;
}

/* Runs 'code', which must pass (its own assert()s included). */
static void expect_ok(const char *code)
{
	struct emu_err err = { 0 };
	int ret = run(code, &err);

	if (ret)
		fail_msg("expected success, got %d: %s\n--- code:\n%s", ret,
			 err.msg, code);
}

/* Runs 'code', which must fail with one message starting "test.lua:LINE: "
 * and holding 'says'. */
static void expect_error(const char *code, int line, const char *says)
{
	struct emu_err err = { 0 };
	char prefix[32];
	int ret = run(code, &err);

	snprintf(prefix, sizeof(prefix), "test.lua:%d: ", line);
	if (ret != -EINVAL || strncmp(err.msg, prefix, strlen(prefix)) ||
	    !strstr(err.msg, says) || strchr(err.msg, '\n'))
		fail_msg("expected -EINVAL and '%s...%s', got %d '%s'\n--- "
			 "code:\n%s", prefix, says, ret, err.msg, code);
}

static void test_unknown_option_keys_are_errors_with_file_and_line(
	void **state)
{
	(void)state;
	expect_error("local net = cnemu.Net{switch = 'lxbr', swich = 1}", 1,
		     "Net: unknown option 'swich' (known: switch, "
		     "controller, link, ipBase");
	expect_error(NET "net:addHost('h1', {ipp = '10.0.0.1'})", 2,
		     "addHost: unknown option 'ipp' (known: ip, mac, "
		     "defaultRoute, cls, cpu, sched, period_us, cores, "
		     "placement)");
	expect_error(NET "\n\nnet:addSwitch('s1', {protocols = 'OF13'})", 4,
		     "addSwitch: unknown option 'protocols'");
	expect_error(NET "net:addDocker('d1', {dimage = 'x', volume = {}})", 2,
		     "addDocker: unknown option 'volume'");
	expect_error(NET "net:addController('c0', {kind = 'remote'})", 2,
		     "addController: unknown option 'kind'");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "local s = net:addSwitch('s1')\n"
			 "net:addLink(h, s, {bw = 10, dealy = '5ms'})", 4,
		     "addLink: unknown link option 'dealy'");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "local s = net:addSwitch('s1')\n"
			 "net:addLink(h, s, {params1 = {ip = '10.0.0.1/8', "
			 "foo = 1}})", 4,
		     "addLink: params1: unknown link option 'foo'");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "local s = net:addSwitch('s1')\n"
			 "local l = net:addLink(h, s)\n"
			 "l:config{rate = 10}", 5,
		     "config: unknown link option 'rate'");
	expect_error(NET "net:iperf(nil, {time = 5})", 2,
		     "iperf: unknown option 'time'");
}

/* "h1\0x" was cut to "h1"; 0.0.0.0 and the like were taken for hosts. */
static void test_nul_bytes_and_impossible_host_ips_are_refused(void **state)
{
	(void)state;
	expect_error(NET "net:addHost('h1\\0x')", 2, "NUL byte");
	expect_error(NET "net:addSwitch('s1\\0')", 2, "NUL byte");
	expect_error(NET "net:addHost('h1', {ip = '10.0.0.1\\0/8'})", 2,
		     "option 'ip' holds a NUL byte");
	expect_error(NET "net:addHost('h1')\nnet:get('h1\\0x')", 3,
		     "NUL byte");
	expect_error(NET "net:addHost('h1', {ip = '0.0.0.0'})", 2,
		     "cannot be a host's address");
	expect_error(NET "net:addHost('h1', {ip = '10.255.255.255'})", 2,
		     "broadcast");
	expect_error(NET "net:addHost('h1', {ip = '127.0.0.1/8'})", 2,
		     "loopback");
	expect_error(NET "net:addHost('h1', {ip = '224.0.0.5'})", 2,
		     "multicast");
	expect_error(NET "net:addHost('h1', {ip = '10.0.0.1/0'})", 2,
		     "prefix length 0");
	expect_error(NET "local h1 = net:addHost('h1')\n"
			 "local s1 = net:addSwitch('s1')\n"
			 "net:addLink(h1, s1, {params1 = {ip = '0.0.0.0/8'}})",
		     4, "cannot be a host's address");
	expect_error(NET "local h1 = net:addHost('h1')\n"
			 "h1:setIP('127.0.0.2')", 3, "loopback");
}

/* An error raised inside C code (a binding, a library function) came
 * without the script's file:line. */
static void test_errors_inside_c_code_carry_file_and_line(void **state)
{
	(void)state;
	expect_error(NET "local t = {1, 'x'}\ntable.sort(t)", 3,
		     "attempt to compare");
	expect_error(NET "local h1 = net:addHost('h1')\n"
			 "net:addLink(h1, {})", 3, "addLink");
}

static void test_bad_link_values_name_the_value(void **state)
{
	static const struct {
		const char *opts, *says;
	} cases[] = {
		{ "{bw = -1}", "addLink: bw -1 out of range (0.1..10000" },
		{ "{delay = 'abc'}", "invalid delay 'abc': expected a time" },
		{ "{loss = 150}", "loss 150 out of range (0..100 %)" },
		{ "{jitter = '5 parsecs'}", "invalid jitter '5 parsecs'" },
		{ "{max_queue_size = 0}", "max_queue_size 0 out of range" },
		{ "{bw = {}}", "option 'bw' must be a number or a string" },
		{ "{port1 = 'x'}", "option 'port1' must be an integer" },
		{ "{port1 = 70000}", "option 'port1' is 70000, out of range" },
		{ "{params1 = {ip = '10.0.0.300'}}",
		  "invalid IPv4 address '10.0.0.300'" },
		{ "{addr1 = '00:00:zz:00:00:01'}", "00:00:zz:00:00:01" },
		{ "{cls = 'OVSLink'}", "unknown link class 'OVSLink'" },
		{ "{intfName1 = 'a-very-long-interface-name'}",
		  "longer than 15 characters" },
	};
	char code[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(code, sizeof(code),
			 NET "local h = net:addHost('h1')\n"
			     "local s = net:addSwitch('s1')\n"
			     "net:addLink(h, s, %s)",
			 cases[i].opts);
		expect_error(code, 4, cases[i].says);
	}
}

static void test_bad_node_values_and_names_are_refused(void **state)
{
	(void)state;
	expect_error(NET "net:addHost('h1', {ip = '10.0.0.300'})", 2,
		     "invalid IPv4 address '10.0.0.300'");
	expect_error(NET "net:addHost('h1', {ip = true})", 2,
		     "addHost: option 'ip' must be a string, not boolean");
	expect_error(NET "net:addHost('h1', {mac = '00:00'})", 2, "00:00");
	expect_error(NET "net:addHost('h1')\nnet:addHost('h1')", 3,
		     "duplicate node name 'h1'");
	expect_error(NET "net:addHost('h1')\nnet:addSwitch('h1')", 3,
		     "duplicate node name 'h1'");
	expect_error(NET "net:addHost('averyverylongname')", 2,
		     "'averyverylongname' is too long");
	expect_error(NET "net:addHost('h1;reboot')", 2,
		     "invalid node name 'h1;reboot'");
	expect_error(NET "net:addHost('$(id)')", 2, "invalid node name");
	expect_error(NET "net:addHost('h 1')", 2, "invalid node name");
	expect_error(NET "net:addSwitch('s1', {dpid = 'xyz'})", 2,
		     "addSwitch: invalid dpid 'xyz'");
	expect_error(NET "net:addSwitch('s1', {cls = 'cisco'})", 2,
		     "unknown switch 'cisco'");
	expect_error(NET "net:addSwitch('s1', {stp = 1})", 2,
		     "option 'stp' must be true or false, not number");
	expect_error(NET "net:addDocker('d1', {ip = '10.0.0.2'})", 2,
		     "addDocker: option 'dimage' is required");
	expect_error(NET "net:addDocker('d1', {dimage = 'x', mem_limit = "
			 "'12parsecs'})", 2,
		     "addDocker: option 'mem_limit'");
	expect_error(NET "net:addDocker('d1', {dimage = 'x', environment = "
			 "{A = {}}})", 2,
		     "value of 'A' in option 'environment' must be a string");
	expect_error(NET "net:addDocker('d1', {dimage = 'x', volumes = "
			 "{a = '/x:/y'}})", 2,
		     "option 'volumes' must be a list");
	expect_error(NET "net:addDocker('d1', {dimage = 'x', port_bindings = "
			 "{[80] = 'http'}})", 2,
		     "invalid host port for '80' in port_bindings");
	expect_error(NET "net:addController('c0', {cls = 'pox'})", 2,
		     "pox");
	expect_error("local net = cnemu.Net{switch = 'cisco'}", 1,
		     "unknown switch 'cisco'");
	expect_error("local net = cnemu.Net{ipBase = '10.0.0.0/33'}", 1,
		     "10.0.0.0/33");
	expect_error("local net = cnemu.Net{link = 'tc,bw=0'}", 1,
		     "Net: link: ");
	expect_error("local net = cnemu.Net{link = {loss = 101}}", 1,
		     "loss 101 out of range");
	expect_error("local net = cnemu.Net{topo = 'ring,3'}", 1,
		     "Net: topo: unknown topology 'ring'");
}

/* placement = "m2" pins a node to a cluster's machine; a bad one leaves
 * no node behind. */
static void test_placement_pins_hosts_containers_and_switches(void **state)
{
	(void)state;
	expect_ok("local net = cnemu.Net{switch = 'lxbr', cluster = 'swarm'}\n"
		  "local h = net:addHost('h1', {placement = 'm2'})\n"
		  "local d = net:addDocker('d1', {dimage = 'x', "
		  "placement = 'rack=b'})\n"
		  "local s = net:addSwitch('s1', {placement = 'm1'})\n"
		  "assert(h.placement == 'm2' and d.placement == 'rack=b')\n"
		  "assert(s.placement == 'm1')\n"
		  "assert(net:addHost('h2').placement == nil)\n");
	expect_error(NET "net:addHost('h1', {placement = 'm 2'})", 2,
		     "'h1': invalid placement 'm 2': blank");
	expect_error(NET "net:addSwitch('s1', {placement = true})\n", 2,
		     "addSwitch: option 'placement' must be a string, not "
		     "boolean");
	expect_ok(NET "pcall(net.addHost, net, 'h1', {placement = '=x'})\n"
		  "assert(#net:hosts() == 0)\n");
	expect_error("cnemu.Net{cluster = 'k8s'}", 1,
		     "Net: unknown cluster 'k8s' (known: swarm)");
	expect_ok("local net = cnemu.Net{cluster = 'swarm', "
		  "clusterLoss = 'stop'}\n");
	expect_error("cnemu.Net{cluster = 'swarm', clusterLoss = 'halt'}", 1,
		     "Net: unknown clusterLoss 'halt' (known: keep, stop)");
}

/* Mininet's test_switchdpidassignment.py, on the model (the started
 * switches' real dpids: tests/integration/test_switchdpid.c). */
static void test_switch_dpids_follow_mininet(void **state)
{
	(void)state;
	/* testDefaultDpid, testDefaultDpidLen, testActualDpidAssignment */
	expect_ok(NET "assert(net:addSwitch('s1').dpid == '0000000000000001')\n"
		  "assert(net:addSwitch('s123').dpid == '000000000000007b')\n"
		  "local s = net:addSwitch('s2', {dpid = '000000000000ABCD'})\n"
		  "assert(s.dpid == '000000000000abcd', s.dpid)\n"
		  "assert(net:addHost('h1').dpid == nil)\n");
	/* Mininet gives s0 the dpid 0, which OVS replaces: a nonzero one
	 * that no other switch has. */
	expect_ok(NET "local a = net:addSwitch('s0')\n"
		  "local b = net:addSwitch('sw0')\n"
		  "assert(a.dpid ~= '0000000000000000', a.dpid)\n"
		  "assert(b.dpid ~= '0000000000000000' and b.dpid ~= a.dpid)\n");
	/* testDefaultDpidAssignmentFailure, naming the switch */
	expect_error(NET "net:addSwitch('A')", 2,
		     "switch 'A': Unable to derive default datapath ID - "
		     "please either specify a dpid or use a canonical switch "
		     "name such as s23.");
	expect_ok(NET "assert(net:addSwitch('A', {dpid = '1a'}).dpid == "
		  "'000000000000001a')\n");
}

static void test_wait_connected_before_start_is_false(void **state)
{
	(void)state;
	expect_ok(NET "net:addSwitch('s1')\n"
		  "assert(net:waitConnected() == false)\n"
		  "assert(net:waitConnected(0.1) == false)\n");
	expect_error(NET "net:waitConnected(-1)", 2, "timeout out of range");
}

static void test_links_need_nodes_of_the_same_network(void **state)
{
	(void)state;
	expect_error(NET "local h = net:addHost('h1')\nnet:addLink(h, 'h9')",
		     3, "addLink: no node 'h9'");
	expect_error(NET "net:addLink('h1', 's1')", 2,
		     "addLink: no node 'h1'");
	expect_error(NET "local h = net:addHost('h1')\nnet:addLink(h, 42)",
		     3,
		     "argument #2 must be a node or a node name, not number");
	expect_error(NET "local h = net:addHost('h1')\nnet:addLink(h, {})",
		     3, "argument #2 must be a node or a node name, not table");
	expect_error(NET "local h = net:addHost('h1')\nnet:addLink(h, h)", 3,
		     "link from 'h1' to itself");
	expect_error(NET "local other = cnemu.Net{switch = 'lxbr'}\n"
			 "local h = net:addHost('h1')\n"
			 "local s = other:addSwitch('s1')\n"
			 "net:addLink(h, s)", 5,
		     "addLink: 's1' belongs to another network");
	expect_error(NET "local other = cnemu.Net{switch = 'lxbr'}\n"
			 "local h = net:addHost('h1')\n"
			 "local s = other:addSwitch('s1')\n"
			 "other:addLink('s1', h)", 5,
		     "'h1' belongs to another network");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "net:configLinkStatus(h, 'h1', 'sideways')", 3,
		     "invalid option 'sideways'");
}

static void test_the_objects_of_a_net_look_like_mininet(void **state)
{
	(void)state;
	expect_ok(NET
		  "local h1 = net:addHost('h1', {ip = '10.0.0.1/24'})\n"
		  "local h2 = net:addHost('h2')\n"
		  "local s1 = net:addSwitch('s1', {dpid = '00000000000a1'})\n"
		  "local l1 = net:addLink(h1, s1, {bw = 10, delay = '5ms'})\n"
		  "local l2 = net:addLink('h2', 's1', {intfName1 = 'h2-x'})\n"
		  "assert(h1.name == 'h1' and h1.kind == 'host')\n"
		  "assert(net.h1 == h1 and net:get('h1') == h1)\n"
		  "assert(net['s1'] == s1 and net.nosuch == nil)\n"
		  "local a, b = net:get('h1', 'h2')\n"
		  "assert(a == h1 and b == h2)\n"
		  "assert(h1:IP() == '10.0.0.1' and h2:IP() == '10.0.0.2')\n"
		  "assert(h1:IP('h1-eth0') == '10.0.0.1')\n"
		  "assert(h1.pid == nil)\n"
		  "assert(#net:hosts() == 2 and #net:switches() == 1)\n"
		  "assert(#net:links() == 2 and net:links()[1] == l1)\n"
		  "assert(tostring(l1.intf1) == 'h1-eth0')\n"
		  "assert(l1.intf2.name == 's1-eth1')\n"
		  "assert(l2.intf1.name == 'h2-x' and l2.node2 == s1)\n"
		  /* Mininet's Intf objects */
		  "assert(l1.intf1 == h1:intf('h1-eth0'))\n"
		  "assert(h1:intf() == h1:intf('h1-eth0'))\n"
		  "assert(h1:defaultIntf().node == h1)\n"
		  "assert(l1.intf1.link == l1 and l1.intf2.node == s1)\n"
		  "assert('dev ' .. l1.intf1 == 'dev h1-eth0')\n"
		  "assert(h1:IP(l1.intf1) == '10.0.0.1')\n"
		  "assert(l1.intf1:IP() == '10.0.0.1')\n"
		  "assert(not pcall(h1.intf, h1, 'h1-eth9'))\n"
		  "assert(l1.node1 == h1)\n"
		  "assert(table.concat(s1:intfs(), ',') == 's1-eth1,s1-eth2')\n"
		  "assert(tostring(h1) == 'h1')\n"
		  "assert(tostring(l1) == 'h1-eth0<->s1-eth1')\n"
		  "assert(tostring(net):match('^<Net cn%d+: 3 nodes, 2 links, "
		  "not started>$'))\n"
		  "h1:setIP('10.0.0.9', 16)\n"
		  "assert(h1:IP() == '10.0.0.9')\n"
		  "h1:setMAC('00:00:00:00:00:09')\n"
		  "assert(h1:MAC() == '00:00:00:00:00:09')\n"
		  "l1:config{loss = 1}\n");
}

static void test_calls_that_need_a_started_network_say_so(void **state)
{
	(void)state;
	expect_error(NET "local h = net:addHost('h1')\nh:cmd('id')", 3,
		     "cmd: 'h1' is not running (start the network first)");
	expect_error(NET "local h = net:addHost('h1')\nh:popen('id')", 3,
		     "popen: 'h1' is not running");
	expect_error(NET "net:addHost('h1')\nnet:addHost('h2')\n"
			 "net:pingAll()", 4,
		     "ping: the network is not started");
	expect_error(NET "net:addHost('h1')\nnet:addHost('h2')\n"
			 "net:pingPairFull()", 4,
		     "ping: the network is not started");
	expect_error(NET "net:addHost('h1')\nnet:pingPairFull()", 3,
		     "pingPairFull: the network has fewer than two hosts");
	expect_error(NET "net:addHost('h1')\nnet:addHost('h2')\n"
			 "net:iperf()", 4,
		     "iperf: the network is not started");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "local s = net:addSwitch('s1')\n"
			 "net:addLink(h, s)\n"
			 "net:configLinkStatus(h, s, 'down')", 5,
		     "configLinkStatus: the network is not started");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "h:updateCpuLimit{cpu_quota = 10000}", 3,
		     "updateCpuLimit: 'h1' is not a container");
}

static void test_removed_and_closed_objects_are_refused(void **state)
{
	(void)state;
	expect_ok(NET "local h = net:addHost('h1')\n"
		      "local s = net:addSwitch('s1')\n"
		      "local l = net:addLink(h, s)\n"
		      "net:removeLink(l)\n"
		      "assert(#net:links() == 0 and #s:intfs() == 0)\n"
		      "assert(tostring(l) == '<removed link>')\n"
		      "net:addLink(h, s)\n"
		      "net:removeHost('h1')\n"
		      "assert(net.h1 == nil and #net:links() == 0)\n"
		      "assert(not pcall(function() return h.name end))\n");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "net:removeHost(h)\n"
			 "print(h:IP())", 4,
		     "the node was removed from its network");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "net:removeDocker(h)", 3,
		     "removeDocker: 'h1' is not a container");
	expect_error(NET "local h = net:addHost('h1')\n"
			 "net:removeLink(h, 'h1')", 3,
		     "removeLink: 'h1' and 'h1' are not connected");
	expect_error("local h\n"
		     "do\n"
		     "  local net <close> = cnemu.Net{switch = 'lxbr'}\n"
		     "  h = net:addHost('h1')\n"
		     "end\n"
		     "print(h:IP())", 6,
		     "the network of this node was destroyed");
}

static void test_script_runner_gives_arguments_exit_status_and_net(
	void **state)
{
	char path[] = "/tmp/cnemu-test-lua-XXXXXX";
	char *args[] = { "one", "2" };
	struct emu_err err = { 0 };
	struct net *net = NULL;
	struct script *s;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("local a, b = ...\n"
	      "assert(a == 'one' and b == '2')\n"
	      "assert(arg[1] == 'one' and arg[2] == '2' and arg[0])\n"
	      "assert(require('cnemu') == cnemu)\n"
	      "local net = cnemu.Net()\n"
	      "local h = net:addHost('h1')\n"
	      "assert(h:IP() == '192.168.7.1')\n"
	      "return net\n",
	      f);
	fclose(f);
	{
		struct net_opts d = { .switch_kind = "lxbr",
				      .ipbase = "192.168.7.0/24" };

		s = script_create(&d);
	}
	assert_int_equal(script_run_file(s, path, args, 2, &net, &err), 0);
	assert_non_null(net);
	assert_false(net_is_started(net));
	assert_non_null(net_get(net, "h1"));
	/* The CLI's 'lua' lines see that Net and its nodes. */
	assert_int_equal(script_cli_hook(s, "local ok = assert(net.h1 == h1)",
					 &err),
			 0);
	assert_int_equal(script_cli_hook(s, "nosuch()", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "lua:1: attempt to call a nil value"));
	script_destroy(s);
	unlink(path);

	s = script_create(NULL);
	emu_err_clear(&err);
	assert_int_equal(script_run_chunk(s, "pcall(os.exit, 3)\nerror('x')",
					  "test.lua", &net, &err),
			 3);
	assert_null(net);
	assert_int_equal(script_run_chunk(s, "os.exit(true)", "test.lua", &net,
					  &err),
			 0);
	assert_int_equal(script_run_chunk(s, "os.exit(false)", "test.lua",
					  &net, &err),
			 1);
	assert_int_equal(script_run_chunk(s, "x = = 1", "test.lua", &net,
					  &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "test.lua:1: "));
	emu_err_clear(&err);
	assert_int_equal(script_run_file(s, "/nonexistent/x.lua", NULL, 0,
					 &net, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open /nonexistent/x.lua"));
	script_destroy(s);
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	got_term = sig;
}

/* Sends 'sig' to this process after 0.2 s, and SIGKILL after 10 s when
 * it is still there (a loop nothing interrupts).  Returns the child. */
static pid_t signal_me_soon(int sig)
{
	pid_t parent = getpid(), pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(200000);
		kill(parent, sig);
		sleep(10);
		kill(parent, SIGKILL);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* 'lua while true do end' at the CLI ignored Ctrl-C, SIGTERM and SIGHUP
 * and held the machine's run lock for ever. */
static void test_cli_lua_loop_ends_on_ctrl_c_and_sigterm(void **state)
{
	struct sigaction sa = { .sa_handler = on_term }, old_int, old_term;
	struct script *s = script_create(NULL);
	struct emu_err err = { 0 };
	pid_t child;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	child = signal_me_soon(SIGINT);
	assert_int_equal(script_cli_hook(s, "while true do end", &err), -EINTR);
	reap(child);
	assert_string_equal(err.msg, "lua:1: interrupted");
	/* Ctrl-C ends the line only; SIGTERM also reaches who stops the CLI */
	assert_int_equal(got_term, 0);
	emu_err_clear(&err);
	child = signal_me_soon(SIGTERM);
	assert_int_equal(script_cli_hook(s, "local n = 0\nwhile true do "
					    "n = n + 1 end", &err), -EINTR);
	reap(child);
	assert_string_equal(err.msg, "lua:2: interrupted");
	assert_int_equal(got_term, SIGTERM);
	/* the state goes on working */
	assert_int_equal(script_cli_hook(s, "local x = 1", &err), 0);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	script_destroy(s);
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* os.execute() and io.popen() keep Lua's results; a stop request ends
 * their shell instead of waiting for it (20 s here). */
static void test_shell_commands_end_on_sigterm(void **state)
{
	static const char *const waits[] = {
		"os.execute('sleep 20')",
		"local f = io.popen('sleep 20')\nf:read('a')",
		"local f <close> = io.popen('sleep 20')\nf:read('a')",
	};
	struct emu_err err = { 0 };

	(void)state;
	expect_ok("local ok, how, code = os.execute('exit 3')\n"
		  "assert(ok == nil and how == 'exit' and code == 3)\n"
		  "assert(os.execute() == true)\n"
		  "assert(os.execute('true') == true)\n"
		  "local f = io.popen('echo hi')\n"
		  "assert(io.type(f) == 'file')\n"
		  "assert(f:read('a') == 'hi\\n')\n"
		  "local a, b, c = f:close()\n"
		  "assert(a == true and b == 'exit' and c == 0)\n"
		  "assert(io.type(f) == 'closed file')\n"
		  "local w = io.popen('read x; test \"$x\" = y', 'w')\n"
		  "w:write('y\\n')\n"
		  "assert(w:close() == true)\n"
		  "assert(not pcall(io.popen, 'true', 'rw'))\n");
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		double t0 = seconds_now();
		pid_t child = signal_me_soon(SIGTERM);
		struct script *s = script_create(NULL);
		int ret = script_run_chunk(s, waits[i], "test.lua", NULL, &err);

		script_destroy(s);
		reap(child);
		if (ret != -EINTR || seconds_now() - t0 > 5.0)
			fail_msg("'%s': %d '%s' after %.1f s", waits[i], ret,
				 err.msg, seconds_now() - t0);
		emu_err_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_lua_loop_ends_on_ctrl_c_and_sigterm),
		cmocka_unit_test(test_shell_commands_end_on_sigterm),
		cmocka_unit_test(
			test_nul_bytes_and_impossible_host_ips_are_refused),
		cmocka_unit_test(test_errors_inside_c_code_carry_file_and_line),
		cmocka_unit_test(
			test_unknown_option_keys_are_errors_with_file_and_line),
		cmocka_unit_test(test_bad_link_values_name_the_value),
		cmocka_unit_test(test_bad_node_values_and_names_are_refused),
		cmocka_unit_test(test_switch_dpids_follow_mininet),
		cmocka_unit_test(
			test_placement_pins_hosts_containers_and_switches),
		cmocka_unit_test(test_wait_connected_before_start_is_false),
		cmocka_unit_test(test_links_need_nodes_of_the_same_network),
		cmocka_unit_test(test_the_objects_of_a_net_look_like_mininet),
		cmocka_unit_test(
			test_calls_that_need_a_started_network_say_so),
		cmocka_unit_test(test_removed_and_closed_objects_are_refused),
		cmocka_unit_test(
			test_script_runner_gives_arguments_exit_status_and_net),
	};

	return cmocka_run_group_tests_name("lua", tests, NULL, NULL);
}
