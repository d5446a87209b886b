/* The command line, the CLI and the Lua face as Mininet's users meet them:
 * truthful messages after a dead run and for a second Net, signals during
 * the CLI, Mininet's options and commands. */
#include "tests/lib/testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define WAIT_MS 30000

/* Runs cnemu with 'args' (stdin from /dev/null unless 'args' redirects);
 * '*out' gets stdout and stderr (caller frees).  Returns the status. */
static int cnemu(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int cnemu(char **out, const char *fmt, ...)
{
	char args[1024], *o, *st;
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	o = sh_out("%s %s 2>&1 </dev/null; echo \"status=$?\"", test_cnemu(),
		   args);
	st = strrchr(o, '=');
	status = st ? atoi(st + 1) : -1;
	if (out)
		*out = o;
	else
		free(o);
	return status;
}

static void expect_in(const char *out, const char *text)
{
	if (!strstr(out, text))
		fail_msg("expected '%s' in:\n%s", text, out);
}

static int teardown(void **state)
{
	struct test_run *r = *state;

	if (r) {
		test_run_end(r);
		free(r);
	}
	*state = NULL;
	return 0;
}

static struct test_run *new_run(void **state)
{
	struct test_run *r = calloc(1, sizeof(*r));

	*state = r;
	return r;
}

/* After a run was killed, a new one clashed with its names and said only
 * "(one of the names is taken): File exists"; then it said "a dead run
 * left it: run cnemu -c".  Now each run's names are its own: a new run of
 * the same topology starts beside what the dead one left. */
static void test_dead_runs_leftovers_do_not_stand_in_a_new_runs_way(
	void **state)
{
	struct test_run *r = new_run(state);
	char *out;
	pid_t pid;

	if (require_ovs())
		return;
	assert_int_equal(test_run_start(r, "%s --topo minimal --switch ovs "
					   "--controller none", test_cnemu()),
			 0);
	assert_true(test_run_expect(r, "*** Started in", WAIT_MS));
	test_run_kill(r, SIGKILL);
	assert_int_equal(test_run_wait(r, WAIT_MS), 128 + SIGKILL);
	assert_int_equal(cnemu(&out, "--topo minimal --switch ovs "
				     "--controller none --test pingall"),
			 0);
	expect_in(out, "*** Results: 0% dropped");
	free(out);
	pid = r->pid;
	test_run_end(r);	/* runs cnemu -c */
	out = test_run_leftovers(pid, 5000);
	assert_string_equal(out, "");
	free(out);
}

/* Seconds between "*** Started in" and the end of a run's output
 * "completed in": its stop as the user waits for it. */
static double stop_seconds(const char *out)
{
	const char *s = strstr(out, "*** Started in ");
	const char *c = strstr(out, "completed in ");

	assert_non_null(s);
	assert_non_null(c);
	return atof(c + strlen("completed in ")) -
	       atof(s + strlen("*** Started in "));
}

/* The stop waited up to seconds for ovs-vswitchd to remove userspace
 * bridges.  Each run now has its own OVS, which goes with its switch
 * namespace: a start at once after a stop, twice, works, and nothing of
 * the OVS is left (no daemon, no bridge, no port). */
static void test_ovs_stop_does_not_wait_and_a_start_follows_at_once(
	void **state)
{
	const char *topo = "--topo linear,20 --switch ovs --controller none";
	char *out;
	int i;

	(void)state;
	if (require_ovs())
		return;
	assert_int_equal(cnemu(&out, "%s --test none", topo), 0);
	/* The figure is make bench's to judge (20 userspace bridges took
	 * ovs-vswitchd 1.2 s to remove, and the stop waited for it). */
	printf("  stop of linear,20 on ovs: %.3f s\n", stop_seconds(out));
	free(out);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cnemu(&out, "%s --test pingall", topo), 0);
		expect_in(out, "*** Results: 0% dropped");
		assert_null(strstr(out, "File exists"));
		free(out);
	}
	out = sh_out("[ -S /var/run/openvswitch/db.sock ] && "
		     "ovs-vsctl --timeout=5 list-br | grep -xE 's[0-9]+'; "
		     "ip -o link show | grep -oE ': s[0-9]+(-eth[0-9]+)?[@:]'; "
		     /* an OVS daemon whose run directory is gone */
		     "for p in $(pgrep -f '^ovs.*/run/cnemu/cn'); do "
		     "d=$(tr '\\0' ' ' </proc/$p/cmdline | "
		     "grep -oE '/run/cnemu/cn[0-9]+' | head -1); "
		     "[ -d \"$d\" ] || echo \"orphan $p $d\"; done; true");
	assert_string_equal(out, "");
	free(out);
}

/* A second Net of one script was refused as "another cnemu run is active
 * (pid <its own pid>)". */
static void test_second_net_of_a_script_says_so(void **state)
{
	char *script, *out;

	(void)state;
	if (require_root())
		return;
	script = test_write_file("tcmdline", ".lua",
		"local a = cnemu.Net{switch = 'lxbr'}\n"
		"a:addHost('h1')\n"
		"a:start()\n"
		"local b = cnemu.Net{switch = 'lxbr'}\n"
		"b:addHost('h2')\n"
		"b:start()\n");
	assert_int_equal(cnemu(&out, "%s", script), 1);
	expect_in(out, ":6: another Net of this script is running: stop it "
		       "first");
	assert_null(strstr(out, "another cnemu run is active"));
	free(out);
	unlink(script);
	free(script);
}

/* Mininet's regression tests: --test iperf and iperfudp (and all). */
static void test_test_iperf_and_iperfudp_print_mininets_results(void **state)
{
	char *out;

	(void)state;
	if (require_root())
		return;
	assert_int_equal(cnemu(&out, "--topo minimal --switch lxbr "
				     "--test iperf"),
			 0);
	expect_in(out, "*** Iperf: testing TCP bandwidth between h1 and h2");
	expect_in(out, "*** Results: ['");
	free(out);
	assert_int_equal(cnemu(&out, "--topo minimal --switch lxbr "
				     "--test iperfudp"),
			 0);
	expect_in(out, "*** Results: ['10M', '");
	free(out);
}

/* -v output: only the results; --help starts with Usage:; Mininet's
 * 'completed in X seconds' at the end; --wait. */
static void test_verbosity_usage_and_completed_line(void **state)
{
	char *out;

	(void)state;
	if (require_root())
		return;
	assert_int_equal(cnemu(&out, "--help"), 0);
	assert_int_equal(strncmp(out, "Usage: cnemu", 12), 0);
	free(out);
	assert_int_equal(cnemu(&out, "--topo minimal --switch lxbr "
				     "--test pingall"),
			 0);
	expect_in(out, "*** Started in");
	expect_in(out, "\ncompleted in ");
	expect_in(out, " seconds\n");
	free(out);
	assert_int_equal(cnemu(&out, "--topo minimal --switch lxbr "
				     "--test pingall -v output"),
			 0);
	expect_in(out, "*** Results: 0% dropped (2/2 received)");
	assert_null(strstr(out, "*** Started in"));
	assert_null(strstr(out, "*** Creating network"));
	assert_null(strstr(out, "completed in"));
	free(out);
	/* --wait: Mininet's line, then the test */
	if (!require_ovs()) {
		assert_int_equal(cnemu(&out, "--topo minimal --switch ovs "
					     "--wait --test pingall"),
				 0);
		expect_in(out, "*** Waiting for switches to connect\n");
		expect_in(out, "*** Results: 0% dropped (2/2 received)");
		free(out);
	}
	assert_int_equal(cnemu(&out, "--topo minimal --verbosity loud"), 2);
	expect_in(out, "unknown level 'loud' for --verbosity");
	free(out);
}

/* --pre ran only before the CLI, not before --test (Mininet runs it
 * before the test too); output through a pipe came after '*** Done'. */
static void test_pre_runs_before_the_test_in_order_through_a_pipe(
	void **state)
{
	char *pre, *out, *p_pre, *p_res, *p_done;

	(void)state;
	if (require_root())
		return;
	pre = test_write_file("tcmdline", ".cmds", "sh echo PRE-RAN\n");
	out = sh_out("%s --topo minimal --switch lxbr --test pingall --pre %s "
		     "</dev/null 2>&1 | cat", test_cnemu(), pre);
	p_pre = strstr(out, "PRE-RAN");
	p_res = strstr(out, "*** Results:");
	p_done = strstr(out, "*** Done");
	if (!p_pre || !p_res || !p_done || p_pre > p_res || p_res > p_done)
		fail_msg("expected PRE-RAN, Results, Done in order:\n%s", out);
	free(out);
	unlink(pre);
	free(pre);
}

/* --graph FILE script.lua started the network and drew nothing. */
static void test_graph_of_a_script_draws_and_starts_nothing(void **state)
{
	char *script, *out, *svg;
	char path[] = "/tmp/tcmdline-graph.svg";

	(void)state;
	if (require_root())
		return;
	unlink(path);
	script = test_write_file("tcmdline", ".lua",
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"local s1 = net:addSwitch('s1')\n"
		"net:addLink(net:addHost('h1'), s1)\n"
		"net:addLink(net:addHost('h2'), s1)\n"
		"net:start()\n"
		"print('AFTER START')\n");
	assert_int_equal(cnemu(&out, "--graph %s %s", path, script), 0);
	assert_null(strstr(out, "AFTER START"));
	assert_null(strstr(out, "*** Creating network"));
	free(out);
	svg = sh_out("grep -c '<svg' %s; grep -o 'h2' %s | head -1", path,
		     path);
	assert_string_equal(svg, "1\nh2\n");
	free(svg);
	/* a script returning its Net unstarted is drawn too */
	unlink(script);
	free(script);
	script = test_write_file("tcmdline", ".lua",
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"net:addLink(net:addHost('h7'), net:addSwitch('s1'))\n"
		"return net\n");
	assert_int_equal(cnemu(&out, "--graph %s %s", path, script), 0);
	free(out);
	assert_int_equal(sh("grep -q h7 %s", path), 0);
	unlink(path);
	unlink(script);
	free(script);
}

/* SIGTERM during the CLI exited 0. */
static void test_sigterm_during_the_cli_exits_143_after_cleanup(
	void **state)
{
	struct test_run *r = new_run(state);
	char *left;

	if (require_root())
		return;
	assert_int_equal(test_run_start(r, "%s --topo minimal --switch lxbr",
					test_cnemu()),
			 0);
	assert_true(test_run_expect(r, "*** Started in", WAIT_MS));
	test_run_kill(r, SIGTERM);
	assert_int_equal(test_run_wait(r, WAIT_MS), 128 + SIGTERM);
	expect_in(r->out, "*** Interrupted (Terminated): stopping");
	left = test_run_leftovers(r->pid, 2000);
	assert_string_equal(left, "");
	free(left);
}

/* --custom FILE: a Lua file whose 'topos' add topologies for --topo. */
static void test_custom_file_adds_topologies(void **state)
{
	char *custom, *out;

	(void)state;
	if (require_root())
		return;
	custom = test_write_file("tcmdline", ".lua",
		"topos = {\n"
		"  star = function(net, n, o)\n"
		"    local s = net:addSwitch('s9')\n"
		"    for i = 1, n do net:addLink(net:addHost('x' .. i), s) end\n"
		"    assert(o.tag == 'a')\n"
		"  end,\n"
		"}\n");
	assert_int_equal(cnemu(&out, "--custom %s --topo star,3,tag=a "
				     "--switch lxbr --test pingall", custom),
			 0);
	expect_in(out, "x1 -> x2 x3");
	expect_in(out, "*** Results: 0% dropped (6/6 received)");
	free(out);
	/* built-in names still work beside it; a wrong call says where */
	assert_int_equal(cnemu(&out, "--custom %s --topo single,2 --switch "
				     "lxbr --test none", custom),
			 0);
	free(out);
	assert_int_equal(cnemu(&out, "--custom %s --topo star,2 --switch "
				     "lxbr --test none", custom),
			 1);
	expect_in(out, ":5: attempt to index a nil value");
	free(out);
	unlink(custom);
	free(custom);
}

/* Mininet's CLI commands: pingpairfull, py, intfs with lo, xterm. */
static void test_cli_pingpairfull_py_intfs_and_xterm(void **state)
{
	char *cmds, *out;

	(void)state;
	if (require_root())
		return;
	cmds = test_write_file("tcmdline", ".cmds",
			       "pingpairfull\npy net\npy 1 + 1\nintfs\n"
			       "xterm h1\nx h2\n");
	out = sh_out("env -u DISPLAY %s --topo single,3 --switch lxbr < %s "
		     "2>&1; echo status=$?", test_cnemu(), cmds);
	unlink(cmds);
	free(cmds);
	expect_in(out, "status=0");
	expect_in(out, " h1->h2: 1/1, rtt min/avg/max/mdev ");
	assert_null(strstr(out, "h1->h3"));
	expect_in(out, "note: py runs Lua here");
	expect_in(out, "<Net cn");
	expect_in(out, "\n2\n");
	expect_in(out, "h1: h1-eth0\n");
	expect_in(out, "s1: lo,s1-eth1,s1-eth2,s1-eth3\n");
	expect_in(out, "error: no display: DISPLAY is not set");
	free(out);
}

/* Mininet's script API: cmdPrint, sendCmd/monitor/waitOutput,
 * setDefaultRoute, Intf objects with config{}, removing a limit, and
 * net:iperf({h1, h2}) (it failed with "attempt to index a userdata
 * value" and no file:line). */
static void test_mininet_script_api(void **state)
{
	char *script, *cmds, *out;

	(void)state;
	if (require_root())
		return;
	script = test_write_file("tcmdline", ".lua",
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"local h1, h2 = net:addHost('h1'), net:addHost('h2')\n"
		"local s1 = net:addSwitch('s1')\n"
		"local l1 = net:addLink(h1, s1)\n"
		"net:addLink(h2, s1)\n"
		"net:start()\n"
		"assert(h1:cmdPrint('echo', 'printed') == 'printed\\n')\n"
		"h1:sendCmd('echo one; sleep 0.5; echo two')\n"
		"assert(h1.waiting and h1:monitor(2000):find('one'))\n"
		"local rest, st = h1:waitOutput()\n"
		"assert(rest:find('two') and st == 0 and not h1.waiting)\n"
		"h2:sendCmd('echo x')\n"
		"local got = ''\n"
		"repeat got = got .. h2:monitor(1000) until not h2.waiting\n"
		"assert(got == 'x\\n', got)\n"
		"assert(not pcall(h1.waitOutput, h1))\n"
		"h1:setDefaultRoute('h1-eth0')\n"
		"assert(h1:cmd('ip route show default'):find('dev h1%-eth0'))\n"
		"h1:setDefaultRoute('via 10.0.0.2')\n"
		"assert(h1:cmd('ip route show default'):find('via 10.0.0.2'))\n"
		"l1.intf1:config{bw = 5}\n"
		"assert(h1:cmd('tc class show dev h1-eth0'):find('rate 5Mbit'))\n"
		"l1:config{bw = false}\n"
		"assert(not h1:cmd('tc class show dev h1-eth0'):find('5Mbit'))\n"
		"local s, c = net:iperf({h1, h2})\n"
		"assert(s > 0 and c > 0)\n"
		"print('API OK')\n");
	assert_int_equal(cnemu(&out, "%s", script), 0);
	expect_in(out, "printed\n");
	expect_in(out, "*** Results: ['");
	expect_in(out, "API OK");
	free(out);
	unlink(script);
	free(script);
	/* the CLI: a limit removed with none */
	cmds = test_write_file("tcmdline", ".cmds",
			       "set link h1 s1 bw=5 delay=1ms\n"
			       "set link h1 s1 bw=none delay=none\n");
	out = sh_out("%s --topo minimal --switch lxbr < %s 2>&1", test_cnemu(),
		     cmds);
	expect_in(out, "h1-eth0<->s1-eth1 (5.00Mbit 1ms delay) (5.00Mbit "
		       "1ms delay)\n");
	expect_in(out, "h1-eth0<->s1-eth1 () ()\n");
	free(out);
	unlink(cmds);
	free(cmds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_dead_runs_leftovers_do_not_stand_in_a_new_runs_way,
			teardown),
		cmocka_unit_test(test_second_net_of_a_script_says_so),
		cmocka_unit_test(
			test_test_iperf_and_iperfudp_print_mininets_results),
		cmocka_unit_test(test_verbosity_usage_and_completed_line),
		cmocka_unit_test(
			test_pre_runs_before_the_test_in_order_through_a_pipe),
		cmocka_unit_test(
			test_graph_of_a_script_draws_and_starts_nothing),
		cmocka_unit_test_teardown(
			test_sigterm_during_the_cli_exits_143_after_cleanup,
			teardown),
		cmocka_unit_test(test_custom_file_adds_topologies),
		cmocka_unit_test(test_cli_pingpairfull_py_intfs_and_xterm),
		cmocka_unit_test(test_mininet_script_api),
		cmocka_unit_test(
			test_ovs_stop_does_not_wait_and_a_start_follows_at_once),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
