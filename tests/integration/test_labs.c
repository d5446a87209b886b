/* Labs side by side: several runs of one script at once, each with the
 * same node and interface names, none of them visible under those names
 * in the machine's namespace or OVS; 'cnemu list', 'cnemu stop', and
 * 'cnemu -c' after a kill touching only the dead run.  Needs root and
 * OVS's programs; the container of the script needs Docker (without it
 * the script has none and says why).  Every lab is named tl<pid>-*;
 * teardown stops what still runs, also after a failure. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/runs.h"
#include "tests/lib/testlib.h"

#define N_LABS 3
#define TL_START_MS 90000
#define TL_CMD_MS 60000

static const char *not_ready;
static bool docker;
static char *script;			/* the lab script, a temp file */
static struct test_run runs[N_LABS + 1];

/* h1, h2 on an OVS switch under the builtin controller, h3 and a
 * container on a Linux bridge behind it; 10 Mbit/s between h1 and the
 * rest, 2 ms on the switches' link. */
static const char script_text[] =
	"local net = cnemu.Net{}\n"
	"local h1 = net:addHost('h1')\n"
	"local h2 = net:addHost('h2')\n"
	"local h3 = net:addHost('h3')\n"
	"local s1 = net:addSwitch('s1')\n"
	"local s2 = net:addSwitch('s2', {cls = 'LinuxBridge'})\n"
	"net:addLink(h1, s1, {bw = 10})\n"
	"net:addLink(h2, s1)\n"
	"net:addLink(s1, s2, {delay = '2ms'})\n"
	"net:addLink(h3, s2)\n"
	"%s"
	"return net\n";
static const char docker_text[] =
	"local d1 = net:addDocker('d1', {dimage = 'cnemu/busybox:latest'})\n"
	"net:addLink(d1, s2)\n";

static int group_setup(void **state)
{
	char text[2048];

	(void)state;
	for (size_t i = 0; i < N_LABS + 1; i++)	/* fd 0 is not theirs */
		runs[i] = (struct test_run){ .in_fd = -1, .out_fd = -1,
					     .status = -1 };
	if (geteuid() != 0)
		not_ready = "not running as root";
	else if (require_ovs())
		not_ready = "no OVS programs";
	if (not_ready)
		return 0;
	docker = !sh("docker image inspect cnemu/busybox:latest "
		     ">/dev/null 2>&1");
	if (!docker)
		printf("note: no Docker image cnemu/busybox:latest: the labs "
		       "have no container\n");
	snprintf(text, sizeof(text), script_text, docker ? docker_text : "");
	script = test_write_file("tlabs", ".lua", text);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (script) {
		unlink(script);
		free(script);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_LABS + 1; i++)
		test_run_end(&runs[i]);
	return 0;
}

#define START() TEST_REQUIRE(not_ready)


/* Runs 'cmd' in the CLI of 'r' and returns from where its output
 * starts (it ends at the next prompt). */
static const char *lab_cmd(struct test_run *r, const char *cmd,
			   const char *until)
{
	size_t from = r->len;

	test_run_send(r, "%s", cmd);
	if (!test_run_expect(r, until, TL_CMD_MS))
		fail_msg("'%s' did not print '%s':\n%s", cmd, until,
			 r->out + from);
	return r->out + from;
}

/* Starts a lab with its CLI on a pipe; it is up once the CLI answers. */
static void lab_start(struct test_run *r, const char *args)
{
	assert_int_equal(test_run_start(r, "%s %s", test_cnemu(), args), 0);
	test_run_send(r, "nodes");
	if (!test_run_expect(r, "available nodes are", TL_START_MS))
		fail_msg("the lab did not start:\n%s", r->out);
}

static void lab_pingall_ok(struct test_run *r)
{
	const char *out = lab_cmd(r, "pingall", "*** Results:");

	expect_has(out, "*** Results: 0% dropped");
}

/* iperf h1 h2 through the 10 Mbit/s link: within its shaping. */
static void lab_iperf_shaped(struct test_run *r)
{
	const char *out = lab_cmd(r, "iperf h1 h2", "*** Results:"), *p;
	double mbps;

	p = strstr(out, "*** Results: ['");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "*** Results: ['%lf", &mbps), 1);
	test_run_expect(r, "\n", 5000);
	if (mbps > 10.5 || mbps < 5)
		fail_msg("iperf through bw=10 gave %.2f Mbits/sec:\n%s", mbps,
			 out);
}

/* No interface or OVS bridge of Mininet's names on the machine. */
static void expect_no_bare_names(void)
{
	char *out = sh_out("ip -o link show | grep -E ' (s[0-9]+|[hsd][0-9]+"
			   "-eth[0-9]+)[:@]'; "
			   "[ -S /var/run/openvswitch/db.sock ] && "
			   "ovs-vsctl --timeout=5 list-br | grep -xE 's[12]'; "
			   "true");

	expect_lacks(out, "s1");
	expect_lacks(out, "s2");
	expect_lacks(out, "-eth");
	free(out);
}

static void test_three_labs_of_one_script_run_side_by_side(void **state)
{
	char args[512], *out, *left;
	int pid = (int)getpid();

	(void)state;
	START();
	for (int i = 0; i < N_LABS; i++) {
		snprintf(args, sizeof(args), "--name tl%d-%d %s", pid, i,
			 script);
		lab_start(&runs[i], args);
	}
	for (int i = 0; i < N_LABS; i++) {
		lab_pingall_ok(&runs[i]);
		lab_iperf_shaped(&runs[i]);
		/* The names inside are Mininet's. */
		expect_has(lab_cmd(&runs[i], "h1 ip -o link", "h1-eth0"),
			   "h1-eth0");
	}
	expect_no_bare_names();

	/* All three listed, by name. */
	assert_int_equal(sh("%s list | grep -c '^tl%d-' | grep -qx %d",
			    test_cnemu(), pid, N_LABS), 0);
	out = sh_out("%s list --json", test_cnemu());
	for (int i = 0; i < N_LABS; i++) {
		snprintf(args, sizeof(args), "\"name\": \"tl%d-%d\"", pid, i);
		expect_has(out, args);
	}
	free(out);

	/* Stopping one leaves the others working. */
	out = sh_out("%s stop tl%d-0 2>&1", test_cnemu(), pid);
	snprintf(args, sizeof(args), "*** Stopped lab tl%d-0", pid);
	expect_has(out, args);
	free(out);
	assert_int_not_equal(test_run_wait(&runs[0], 30000), -1);
	left = test_run_leftovers(runs[0].pid, 10000);
	assert_string_equal(left, "");
	free(left);
	lab_pingall_ok(&runs[1]);
	lab_pingall_ok(&runs[2]);

	/* A kill -9 and 'cnemu -c': the others stay untouched. */
	test_run_kill(&runs[1], SIGKILL);
	test_run_wait(&runs[1], 10000);
	assert_int_equal(sh("%s -c >/dev/null 2>&1", test_cnemu()), 0);
	left = test_run_leftovers(runs[1].pid, 10000);
	assert_string_equal(left, "");
	free(left);
	lab_pingall_ok(&runs[2]);
	lab_iperf_shaped(&runs[2]);
	assert_int_equal(sh("%s list | grep -q '^tl%d-2 '", test_cnemu(), pid),
			 0);
	test_run_send(&runs[2], "exit");
	assert_int_equal(test_run_wait(&runs[2], 30000), 0);
	left = test_run_leftovers(runs[2].pid, 10000);
	assert_string_equal(left, "");
	free(left);
}

/* A name is the lab's while it runs: a second --name of it is one line
 * naming the first; a default name gets a suffix instead. */
static void test_lab_name_clash_is_one_clear_line(void **state)
{
	char args[256], want[256], *out;
	int pid = (int)getpid(), status;

	(void)state;
	START();
	snprintf(args, sizeof(args), "--name tl%d-x --switch lxbr", pid);
	lab_start(&runs[0], args);
	status = test_cnemu_once(&out, NULL, args);
	snprintf(want, sizeof(want),
		 "cnemu: lab 'tl%d-x' is running already (pid %d, uid ", pid,
		 (int)runs[0].pid);
	expect_status(out, status, 1);
	expect_has(out, want);
	expect_has(out, "): stop it with 'cnemu stop ");
	free(out);
	out = sh_out("%s stop tl%d-nope 2>&1; echo \"exit=$?\"", test_cnemu(),
		     pid);
	snprintf(want, sizeof(want), "cnemu: no lab 'tl%d-nope' is running "
				     "(running: ", pid);
	expect_has(out, want);
	expect_has(out, "exit=1");
	free(out);
	/* Without --name: the topology's name, made unique. */
	lab_start(&runs[1], "--topo single,2 --switch lxbr");
	lab_start(&runs[2], "--topo single,2 --switch lxbr");
	out = sh_out("%s list", test_cnemu());
	expect_matches(out, "^single-2 ");
	expect_matches(out, "^single-2-[0-9]+ ");
	free(out);
}

/* Mininet's own cleanup beside a live OVS lab: it removes every bridge
 * of the machine's OVS and every "*-eth*" link of the machine's
 * namespace, none of which is the lab's. */
static void test_mn_c_leaves_a_live_ovs_lab_alone(void **state)
{
	char args[256];

	(void)state;
	START();
	if (sh("command -v mn >/dev/null")) {
		test_skip("no Mininet (apt-get install mininet)");
		return;
	}
	snprintf(args, sizeof(args), "--name tl%d-mn --topo linear,3",
		 (int)getpid());
	lab_start(&runs[0], args);
	lab_pingall_ok(&runs[0]);
	assert_int_equal(sh("mn -c >/dev/null 2>&1"), 0);
	lab_pingall_ok(&runs[0]);
}

/* The resource guard: a lab beyond the machine's limits is refused
 * before anything is made, in one line naming it. */
static void test_a_lab_that_cannot_fit_is_refused_in_one_line(void **state)
{
	char want[128], *left;
	int status;

	(void)state;
	START();
	assert_int_equal(test_run_start(&runs[0], "sh -c 'ulimit -n 80 && "
				       "exec %s --name tl%d-big --topo single,20 "
				       "--switch lxbr --test pingall'",
			 test_cnemu(), (int)getpid()), 0);
	status = test_run_wait(&runs[0], 30000);
	snprintf(want, sizeof(want), "cnemu: lab 'tl%d-big' does not fit: it "
		 "needs about 85 file descriptors, the limit is 80",
		 (int)getpid());
	expect_status(runs[0].out, status, 1);
	expect_has(runs[0].out, want);
	expect_lacks(runs[0].out, "*** Creating network");
	left = test_run_leftovers(runs[0].pid, 5000);
	assert_string_equal(left, "");
	free(left);
}

/* Two labs' outside addresses: a second NAT on the same subnet, or a
 * second container publishing the same port of the machine, is one line
 * naming both labs, and the first lab keeps working. */
static void test_outside_address_clash_names_both_labs(void **state)
{
	char args[256], want[256], *port_script, *left;
	int pid = (int)getpid(), status;

	(void)state;
	START();
	snprintf(args, sizeof(args), "--name tl%d-na --topo single,2 --switch "
		 "lxbr --nat", pid);
	lab_start(&runs[0], args);
	snprintf(args, sizeof(args), "--name tl%d-nb --topo single,2 --switch "
		 "lxbr --nat --test pingall", pid);
	assert_int_equal(test_run_start(&runs[1], "%s %s", test_cnemu(), args),
			 0);
	status = test_run_wait(&runs[1], 60000);
	snprintf(want, sizeof(want), "cnemu: NAT 'nat0': subnet 10.0.0.0/8 of "
		 "lab 'tl%d-nb' clashes with lab 'tl%d-na' (pid %d), which "
		 "has 10.0.0.0/8: give one of them another --ipbase", pid, pid,
		 (int)runs[0].pid);
	expect_status(runs[1].out, status, 1);
	expect_has(runs[1].out, want);
	left = test_run_leftovers(runs[1].pid, 10000);
	assert_string_equal(left, "");
	free(left);
	lab_pingall_ok(&runs[0]);
	test_run_end(&runs[0]);
	test_run_end(&runs[1]);
	if (!docker)
		return;
	port_script = test_write_file(
		"tlabs-port", ".lua",
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"local d = net:addDocker('d1', {dimage = "
		"'cnemu/busybox:latest', port_bindings = {[80] = 18080}})\n"
		"local s = net:addSwitch('s1')\n"
		"net:addLink(d, s)\n"
		"return net\n");
	snprintf(args, sizeof(args), "--name tl%d-pa %s", pid, port_script);
	lab_start(&runs[0], args);
	snprintf(args, sizeof(args), "--name tl%d-pb --test none %s", pid,
		 port_script);
	assert_int_equal(test_run_start(&runs[1], "%s %s", test_cnemu(), args),
			 0);
	status = test_run_wait(&runs[1], 60000);
	snprintf(want, sizeof(want), "port 18080/tcp published by 'd1' of "
		 "lab 'tl%d-pb' clashes with lab 'tl%d-pa' (pid %d), which "
		 "has 18080/tcp", pid, pid, (int)runs[0].pid);
	expect_status(runs[1].out, status, 1);
	expect_has(runs[1].out, want);
	left = test_run_leftovers(runs[1].pid, 10000);
	assert_string_equal(left, "");
	free(left);
	unlink(port_script);
	free(port_script);
}

/* The namespace standing for the outside in the NAT test, and its veth's
 * end in the machine's namespace (198.51.100.1/24; 198.51.100.2 inside),
 * removed by teardown also after a failure. */
static char outside_ns[32];

static void outside_remove(void)
{
	if (!outside_ns[0])
		return;
	sh("ip netns del %s 2>/dev/null; ip link del %sa 2>/dev/null; true",
	   outside_ns, outside_ns);
	outside_ns[0] = '\0';
}

static int teardown_outside(void **state)
{
	teardown(state);
	outside_remove();
	return 0;
}

/* Two labs, each with a NAT, both reach an address outside them: the
 * NATs' interfaces are named after their runs, not 'nat0-eth0', so the
 * second is not refused. */
static void test_two_labs_with_a_nat_both_reach_the_outside(void **state)
{
	char args[256], *out;
	int pid = (int)getpid();

	(void)state;
	START();
	snprintf(outside_ns, sizeof(outside_ns), "tlo%d", pid);
	assert_int_equal(sh("ip netns add %s && "
			    "ip link add %sa type veth peer name %sb netns %s "
			    "&& ip addr add 198.51.100.1/24 dev %sa && "
			    "ip link set %sa up && ip -n %s addr add "
			    "198.51.100.2/24 dev %sb && ip -n %s link set %sb "
			    "up && ip -n %s link set lo up",
			    outside_ns, outside_ns, outside_ns, outside_ns,
			    outside_ns, outside_ns, outside_ns, outside_ns,
			    outside_ns, outside_ns, outside_ns), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "--name tl%d-nat%d --topo single,1 "
			 "--switch lxbr --nat --ipbase 10.%d.0.0/16", pid, i,
			 71 + i);
		lab_start(&runs[i], args);
	}
	for (int i = 0; i < 2; i++) {
		const char *o = lab_cmd(&runs[i], "h1 ping -c1 -W5 198.51.100.2",
					"packet loss");

		expect_has(o, "1 received");
	}
	out = sh_out("ip -o link show | grep -E ' (nat0-eth0|cn[0-9]+-nat0)"
		     "[:@]'; true");
	expect_lacks(out, "nat0-eth0");
	expect_has(out, "-nat0");
	free(out);
	for (int i = 0; i < 2; i++) {
		char *left;

		test_run_send(&runs[i], "exit");
		assert_int_equal(test_run_wait(&runs[i], 30000), 0);
		left = test_run_leftovers(runs[i].pid, 10000);
		assert_string_equal(left, "");
		free(left);
	}
	outside_remove();
}

/* 'cnemu attach': CLIs of their own on a running lab, two at once, while
 * its own CLI goes on; exit detaches, the lab runs on. */
static void test_attached_clis_run_commands_on_a_running_lab(void **state)
{
	char args[1024], *out;
	int pid = (int)getpid();

	(void)state;
	START();
	snprintf(args, sizeof(args), "--name tl%d-at --topo single,2 --switch "
		 "lxbr", pid);
	lab_start(&runs[0], args);
	snprintf(args, sizeof(args),
		 "(printf 'h1 echo FROM-A-$$\\npingall\\nexit\\n' | "
		 "%s attach tl%d-at > /tmp/tlabs-a-%d.out 2>&1 &); "
		 "printf 'h2 echo FROM-B\\nnodes\\n' | %s attach tl%d-at; "
		 "wait; sleep 1; cat /tmp/tlabs-a-%d.out; rm -f "
		 "/tmp/tlabs-a-%d.out",
		 test_cnemu(), pid, pid, test_cnemu(), pid, pid, pid);
	assert_true(strlen(args) < sizeof(args) - 1);
	out = sh_out("%s", args);
	expect_has(out, "FROM-A-");
	expect_has(out, "FROM-B");
	expect_has(out, "*** Results: 0% dropped");
	expect_has(out, "h1 h2 s1");
	free(out);
	/* The lab's own CLI still answers, and the lab still runs. */
	lab_pingall_ok(&runs[0]);
	out = sh_out("%s attach tl%d-nope 2>&1", test_cnemu(), pid);
	expect_has(out, "no lab 'tl");
	free(out);
	test_run_send(&runs[0], "exit");
	assert_int_equal(test_run_wait(&runs[0], 30000), 0);
}

/* A script's own net:CLI() can be attached to as the option-driven CLI
 * can; an interactive shell there is refused in one line. */
static void test_a_scripts_cli_can_be_attached_to(void **state)
{
	char args[512], *path, *out;
	int pid = (int)getpid();

	(void)state;
	START();
	path = test_write_file("tlabs-cli", ".lua",
			       "local net = cnemu.Net{switch = 'lxbr'}\n"
			       "local h1 = net:addHost('h1')\n"
			       "net:addLink(h1, net:addSwitch('s1'))\n"
			       "net:start()\n"
			       "net:CLI()\n"
			       "net:stop()\n");
	snprintf(args, sizeof(args), "--name tl%d-sc %s", pid, path);
	lab_start(&runs[0], args);
	out = sh_out("printf 'h1 echo FROM-ATTACHED\\nh1 bash\\nexit\\n' | "
		     "%s attach tl%d-sc 2>&1", test_cnemu(), pid);
	unlink(path);
	free(path);
	expect_lacks(out, "no CLI can attach");
	expect_has(out, "FROM-ATTACHED");
	/* no terminal to give an interactive shell: one clear line */
	expect_has(out, "error: 'h1 bash': an attached CLI has no terminal "
			"for an interactive shell");
	free(out);
	lab_cmd(&runs[0], "nodes", "available nodes are");
	test_run_send(&runs[0], "exit");
	assert_int_equal(test_run_wait(&runs[0], 30000), 0);
	expect_lacks(runs[0].out, "no CLI can attach");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_three_labs_of_one_script_run_side_by_side,
			teardown),
		cmocka_unit_test_teardown(test_lab_name_clash_is_one_clear_line,
					  teardown),
		cmocka_unit_test_teardown(test_mn_c_leaves_a_live_ovs_lab_alone,
					  teardown),
		cmocka_unit_test_teardown(
			test_a_lab_that_cannot_fit_is_refused_in_one_line,
			teardown),
		cmocka_unit_test_teardown(
			test_outside_address_clash_names_both_labs, teardown),
		cmocka_unit_test_teardown(
			test_two_labs_with_a_nat_both_reach_the_outside,
			teardown_outside),
		cmocka_unit_test_teardown(
			test_attached_clis_run_commands_on_a_running_lab,
			teardown),
		cmocka_unit_test_teardown(test_a_scripts_cli_can_be_attached_to,
					  teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
