/* The core emulator end to end: built-in topologies pass pingall under
 * Linux bridges and OVS, bad input leaves nothing, and a run killed with
 * SIGKILL is cleaned by 'cnemu -c' without touching other objects. */
#include "tests/lib/runs.h"
#include "tests/lib/testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void pingall_passes(const char *topo, const char *sw)
{
	char args[256], *out;
	int status;

	snprintf(args, sizeof(args), "--topo %s --switch %s --test pingall",
		 topo, sw);
	status = test_cnemu_once(&out, NULL, args);
	if (status != 0 || !strstr(out, "*** Results: 0% dropped"))
		fail_msg("cnemu %s: status %d\n%s", args, status, out);
	free(out);
}

static void test_pingall_drops_nothing_under_linux_bridges(void **state)
{
	static const char *const topos[] = { "minimal", "single,3",
					     "linear,4",
					     "tree,depth=2,fanout=2" };

	(void)state;
	if (require_root())
		return;
	for (size_t i = 0; i < sizeof(topos) / sizeof(topos[0]); i++)
		pingall_passes(topos[i], "lxbr");
}

static void test_pingall_drops_nothing_under_ovs(void **state)
{
	static const char *const topos[] = { "minimal", "single,3",
					     "linear,4",
					     "tree,depth=2,fanout=2" };

	(void)state;
	if (require_ovs())
		return;
	for (size_t i = 0; i < sizeof(topos) / sizeof(topos[0]); i++)
		pingall_passes(topos[i], "ovs --controller none");
}

static void test_pingall_counts_and_rows_follow_mininet(void **state)
{
	char *out;

	(void)state;
	if (require_root())
		return;
	assert_int_equal(test_cnemu_once(&out, NULL,
					 "--topo single,3 --switch lxbr "
					 "--test pingall"),
			 0);
	assert_non_null(strstr(out, "h1 -> h2 h3\n"));
	assert_non_null(strstr(out, "h3 -> h1 h2\n"));
	assert_non_null(strstr(out, "*** Results: 0% dropped (6/6 received)"));
	free(out);
}

/* The names of the machine's namespaces, links and OVS bridges. */
static char *machine_state(void)
{
	test_ovs_settle();
	return sh_out("ip netns list | grep '^cn' | sort; ip -o link | "
		      "awk '{print $2}' | grep -E '^s[0-9]|-eth' | sort; "
		      "ovs-vsctl list-br 2>/dev/null | grep -v '^tovs' | sort; "
		      "ls /run/cnemu | grep '^cn'");
}

static void test_bad_input_exits_2_and_leaves_nothing(void **state)
{
	static const struct {
		const char *args, *says;
	} cases[] = {
		{ "--topo ring,3", "unknown topology 'ring'" },
		{ "--topo linear,abc", "invalid argument 'abc'" },
		{ "--switch cisco", "unknown switch 'cisco'" },
		{ "--frobnicate", "unknown option '--frobnicate'" },
		{ "--test fly", "unknown test 'fly'" },
		{ "--link tc,loss=150", "loss" },
		{ "--topo tree,depth=10,fanout=10", "too large" },
	};
	char *before, *after;

	(void)state;
	if (require_root())
		return;
	before = machine_state();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;
		int status = test_cnemu_once(&out, NULL, cases[i].args);

		if (status != 2 || !strstr(out, cases[i].says) ||
		    strncmp(out, "cnemu: ", 7))
			fail_msg("cnemu %s: status %d, expected 2 and '%s':\n%s",
				 cases[i].args, status, cases[i].says, out);
		free(out);
	}
	after = machine_state();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_too_many_hosts_for_ipbase_fails_cleanly(void **state)
{
	char *out, *before, *after;

	(void)state;
	if (require_root())
		return;
	before = machine_state();
	assert_int_equal(test_cnemu_once(&out, NULL,
					 "--topo single,10 --switch lxbr "
					 "--ipbase 10.9.0.0/29 --test none"),
			 2);	/* bad input: refused before anything is made */
	assert_non_null(strstr(out, "too many hosts for 10.9.0.0/29"));
	after = machine_state();
	assert_string_equal(before, after);
	free(out);
	free(before);
	free(after);
}

/* Starts cnemu in the background with 'args'; returns its pid once its
 * namespaces exist. */
static pid_t start_background(const char *args, const char *wait_for)
{
	int keep[2];
	pid_t pid;

	/* Its CLI reads a pipe that stays open until the test ends: the run
	 * lives until it is killed, however quick its start. */
	if (pipe2(keep, O_CLOEXEC) < 0)
		fail_msg("cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		char line[512];

		dup2(keep[0], 0);
		snprintf(line, sizeof(line), "exec %s %s >/dev/null 2>&1",
			 test_cnemu(), args);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	close(keep[0]);
	for (int i = 0; i < 200; i++) {
		if (!sh("ip netns list | grep -q '^cn%d-%s'", (int)pid,
			wait_for))
			return pid;	/* 'keep[1]' leaks until the test ends */
		usleep(50000);
	}
	close(keep[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fail_msg("cnemu %s never made its namespaces", args);
	return -1;
}

static void test_killed_run_is_cleaned_and_others_survive(void **state)
{
	bool ovs = require_ovs() == 0;
	char *left;
	pid_t pid;

	(void)state;
	if (!ovs)
		return;
	/* Objects of our own, which cleanup must not touch. */
	sh("ip netns add tcore-keep");
	sh("ip link add tcorebr type bridge");
	sh("ip link add tcore-v0 type veth peer name tcore-v1");
	sh("ovs-vsctl --may-exist add-br tcoreovs -- set bridge tcoreovs "
	   "datapath_type=netdev");
	/* The run lives in its CLI while we kill it. */
	pid = start_background("--topo linear,12 --switch ovs --controller "
			       "none",
			       "h12");
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(sh("%s -c >/dev/null 2>&1", test_cnemu()), 0);
	left = sh_out("ip netns list | grep '^cn%d-'; "
		      "ip -o link | grep -E ' (s[0-9]+|s[0-9]+-eth[0-9]+)[:@]'; "
		      "ovs-vsctl --columns=name find bridge "
		      "external_ids:cnemu-run=cn%d; ls /run/cnemu/cn%d 2>&1 | "
		      "grep -v 'No such'; pgrep -af '^ovs.* .*/run/cnemu/cn%d/'",
		      (int)pid, (int)pid, (int)pid, (int)pid);
	/* veths of deleted namespaces vanish asynchronously */
	for (int i = 0; i < 50 && *left; i++) {
		free(left);
		usleep(100000);
		left = sh_out("ip netns list | grep '^cn%d-'; ip -o link | "
			      "grep -E ' s[0-9]+(-eth[0-9]+)?[:@]'; "
			      "ovs-vsctl --columns=name find bridge "
			      "external_ids:cnemu-run=cn%d",
			      (int)pid, (int)pid);
	}
	assert_string_equal(left, "");
	free(left);
	assert_int_equal(sh("ip netns list | grep -q '^tcore-keep'"), 0);
	assert_int_equal(sh("ip link show tcorebr >/dev/null 2>&1"), 0);
	assert_int_equal(sh("ip link show tcore-v0 >/dev/null 2>&1"), 0);
	assert_int_equal(sh("ovs-vsctl br-exists tcoreovs"), 0);
	sh("ovs-vsctl --if-exists del-br tcoreovs; ip link del tcorebr; "
	   "ip link del tcore-v0; ip netns del tcore-keep");
}

/* Labs side by side: a second run with the same switch and host names
 * starts, pings and stops while the first runs, and leaves it running. */
static void test_second_run_runs_beside_the_first(void **state)
{
	char *out;
	pid_t pid;

	(void)state;
	if (require_root())
		return;
	pid = start_background("--topo linear,12 --switch lxbr",
			       "h12");
	assert_int_equal(test_cnemu_once(&out, NULL,
					 "--topo linear,2 --switch lxbr "
					 "--test pingall"),
			 0);
	expect_has(out, "*** Results: 0% dropped");
	free(out);
	assert_int_equal(sh("ip netns list | grep -q '^cn%d-h12'", (int)pid),
			 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	/* SIGTERM stops it cleanly: nothing of it is left. */
	assert_int_equal(sh("ip netns list | grep -q '^cn%d-'", (int)pid), 1);
}

static int teardown(void **state)
{
	(void)state;
	if (geteuid() == 0)
		sh("ovs-vsctl --if-exists del-br tcoreovs; "
		   "ip link del tcorebr 2>/dev/null; "
		   "ip link del tcore-v0 2>/dev/null; "
		   "ip netns del tcore-keep 2>/dev/null; true");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_pingall_drops_nothing_under_linux_bridges),
		cmocka_unit_test(test_pingall_drops_nothing_under_ovs),
		cmocka_unit_test(test_pingall_counts_and_rows_follow_mininet),
		cmocka_unit_test(test_bad_input_exits_2_and_leaves_nothing),
		cmocka_unit_test(
			test_too_many_hosts_for_ipbase_fails_cleanly),
		cmocka_unit_test_teardown(
			test_killed_run_is_cleaned_and_others_survive,
			teardown),
		cmocka_unit_test(test_second_run_runs_beside_the_first),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
