/* Controllers end to end over OVS (userspace datapath here): the builtin
 * controller in learning and topo mode passes pingall, topo mode also on
 * a torus (loops, no STP); a remote controller (an ovs-testcontroller the
 * test starts on a free port) serves the switches and one that does not
 * answer fails clearly; a controller killed mid-run is reported; 'cnemu
 * -c' ends the controller of a run killed with SIGKILL.
 *
 * Only one cnemu run may be active on the machine: while another one
 * (another engineer's) runs, the tests wait and retry. */
#include "tests/lib/testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUSY "another cnemu run is active"
#define OUT_FILE "/tmp/tctl-controller-test.out"

/* Runs cnemu with 'args' (stdin from 'input' when not NULL), waiting
 * while another run holds the machine; returns its exit status, output in
 * '*out'. */
static int cnemu(char **out, const char *input, const char *args)
{
	for (int tries = 0;; tries++) {
		char *o;
		char *st;
		int status;

		if (input)
			o = sh_out("printf '%s' | %s %s 2>&1; "
				   "echo \"status=$?\"",
				   input, test_cnemu(), args);
		else
			o = sh_out("%s %s 2>&1 </dev/null; echo \"status=$?\"",
				   test_cnemu(), args);
		st = strrchr(o, '=');
		status = st ? atoi(st + 1) : -1;
		if (strstr(o, BUSY) && tries < 150) {
			free(o);
			sleep(2);
			continue;
		}
		if (out)
			*out = o;
		else
			free(o);
		return status;
	}
}

static void pingall_passes(const char *topo, const char *controller)
{
	char args[256], *out;
	int status;

	snprintf(args, sizeof(args), "--topo %s --switch ovs %s%s --test "
		 "pingall", topo, controller ? "--controller " : "",
		 controller ? controller : "");
	status = cnemu(&out, NULL, args);
	if (status != 0 || !strstr(out, "*** Results: 0% dropped"))
		fail_msg("cnemu %s: status %d\n%s", args, status, out);
	free(out);
}

/* A TCP port on 127.0.0.1 that nothing uses now. */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static bool process_alive(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* "pid (comm) S ...": a zombie is dead. */
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state && state != 'Z';
}

static void test_learning_mode_pingall_drops_nothing_on_a_tree(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	pingall_passes("tree,depth=2,fanout=2", "builtin,mode=learning");
}

static void test_default_topo_mode_pingall_drops_nothing_on_a_tree(
	void **state)
{
	char *out;

	(void)state;
	if (require_ovs())
		return;
	assert_int_equal(cnemu(&out, NULL, "--topo tree,depth=2,fanout=2 "
					   "--switch ovs --test pingall"),
			 0);
	assert_non_null(strstr(out, "*** Starting controller c0"));
	assert_non_null(strstr(out, "*** Results: 0% dropped (12/12"));
	free(out);
}

static void test_topo_mode_pingall_drops_nothing_on_a_torus(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	pingall_passes("torus,3,3", NULL);
	pingall_passes("torus,3,3", "builtin,mode=topo");
}

static void test_topo_mode_installs_paths_and_floods_on_the_tree(
	void **state)
{
	char *out;

	(void)state;
	if (require_ovs())
		return;
	assert_int_equal(cnemu(&out, "pingall\\ndpctl dump-flows\\n",
			       "--topo linear,3 --switch ovs"),
			 0);
	assert_non_null(strstr(out, "*** Results: 0% dropped"));
	/* Paths to hosts, broadcast along the tree, misses to us. */
	if (!strstr(out, "cookie=0xc2") || !strstr(out, "priority=20") ||
	    !strstr(out, "cookie=0xc1") ||
	    !strstr(out, "dl_dst=ff:ff:ff:ff:ff:ff"))
		fail_msg("dpctl dump-flows shows no topo flows:\n%s", out);
	free(out);
}

static void test_topo_mode_reroutes_around_links_and_switches_down(
	void **state)
{
	char *out, *second, *third;

	(void)state;
	if (require_ovs())
		return;
	/* The pause lets OVS report the ports and the controller reroute
	 * (some ms) before the pings go. */
	assert_int_equal(cnemu(&out,
			       "link s1x1 s1x2 down\nlink s1x1 s2x1 down\n"
			       "sh sleep 0.5\npingall\n"
			       "switch s2x2 stop\nsh sleep 0.5\npingall\n"
			       "switch s2x2 start\nlink s1x1 s1x2 up\n"
			       "sh sleep 1\npingall\n",
			       "--topo torus,3,3 --switch ovs"),
			 0);
	second = strstr(out, "*** Results: 0% dropped (72/72");
	third = strstr(out, "*** Results: 22% dropped (56/72");
	if (!second || !third || !strstr(third, "0% dropped (72/72") ||
	    !strstr(out, "h2x1 -> h1x1 h1x2 h1x3 X h2x3"))
		fail_msg("no reroute around the links and s2x2:\n%s", out);
	free(out);
}

static void test_remote_controller_serves_the_switches(void **state)
{
	int port = free_port(), status;
	char args[160], *out;
	pid_t pid;

	(void)state;
	if (require_ovs())
		return;
	if (sh("command -v ovs-testcontroller >/dev/null")) {
		test_skip("no ovs-testcontroller (package "
			  "openvswitch-testcontroller)");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char listen[64];

		snprintf(listen, sizeof(listen), "ptcp:%d:127.0.0.1", port);
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("ovs-testcontroller", "ovs-testcontroller", listen,
		       (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	snprintf(args, sizeof(args), "--topo tree,depth=2,fanout=2 --switch "
		 "ovs --controller remote,ip=127.0.0.1,port=%d --test "
		 "pingall", port);
	status = cnemu(&out, NULL, args);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (status != 0 || !strstr(out, "*** Results: 0% dropped"))
		fail_msg("cnemu %s: status %d\n%s", args, status, out);
	free(out);
}

static void test_remote_controller_that_does_not_answer_fails_clearly(
	void **state)
{
	int port = free_port();
	char args[160], want[96], *out;

	(void)state;
	if (require_ovs())
		return;
	snprintf(args, sizeof(args), "--topo minimal --switch ovs "
		 "--controller remote,ip=127.0.0.1,port=%d --test pingall",
		 port);
	snprintf(want, sizeof(want), "cnemu: controller 'c0' at "
		 "127.0.0.1:%d does not answer", port);
	assert_int_equal(cnemu(&out, NULL, args), 1);
	if (!strstr(out, want))
		fail_msg("expected '%s':\n%s", want, out);
	free(out);
}

static void test_ovsc_runs_ovs_testcontroller(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	if (sh("command -v ovs-testcontroller >/dev/null")) {
		test_skip("no ovs-testcontroller (package "
			  "openvswitch-testcontroller)");
		return;
	}
	pingall_passes("tree,depth=2,fanout=2", "ovsc");
}

static void test_linux_bridges_and_none_start_no_controller(void **state)
{
	char *out;

	(void)state;
	if (require_ovs())
		return;
	assert_int_equal(cnemu(&out, NULL, "--topo single,3 --switch lxbr "
					   "--test pingall"),
			 0);
	assert_null(strstr(out, "Starting controller"));
	free(out);
	assert_int_equal(cnemu(&out, NULL, "--topo single,3 --switch ovs "
					   "--controller none --test pingall"),
			 0);
	assert_null(strstr(out, "Starting controller"));
	assert_non_null(strstr(out, "*** Results: 0% dropped"));
	free(out);
}

static void test_bad_controller_exits_2(void **state)
{
	static const struct {
		const char *arg, *says;
	} cases[] = {
		{ "floodlight", "unknown controller 'floodlight'" },
		{ "builtin,mode=hub", "unknown controller mode 'hub'" },
		{ "remote,ip=10.0.0", "invalid controller address '10.0.0'" },
		{ "remote,port=70000", "invalid controller port '70000'" },
		{ "ovsc,mode=topo", "mode 'topo' is for the builtin" },
		{ "builtin,color=red", "unknown controller option 'color'" },
	};

	(void)state;
	if (require_root())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[128], *out;
		int status;

		snprintf(args, sizeof(args), "--topo minimal --controller %s",
			 cases[i].arg);
		status = cnemu(&out, NULL, args);
		if (status != 2 || !strstr(out, cases[i].says))
			fail_msg("cnemu %s: status %d, expected 2 and "
				 "'%s':\n%s",
				 args, status, cases[i].says, out);
		free(out);
	}
}

static void test_killed_controller_is_reported(void **state)
{
	char *out;

	(void)state;
	if (require_ovs())
		return;
	/* The CLI's sh runs under cnemu: $PPID names the run. */
	assert_int_equal(cnemu(&out,
			       "sh kill -9 $(cat /run/cnemu/cn$PPID/c0.pid)\\n"
			       "sh sleep 0.3\\npingall 0.3\\n",
			       "--topo minimal --switch ovs"),
			 0);
	if (!strstr(out, "controller 'c0' (pid ") ||
	    !strstr(out, "died, killed by signal 9"))
		fail_msg("no report of the dead controller:\n%s", out);
	free(out);
}

/* Starts cnemu with 'args' in the background, its CLI waiting on a pipe;
 * returns its pid once its controller runs ('*ctl' gets its pid). */
static pid_t start_with_controller(const char *args, pid_t *ctl, int *pipe_w)
{
	for (int tries = 0; tries < 150; tries++) {
		char path[96], *o;
		int fds[2];
		pid_t pid;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		if (pid == 0) {
			char line[512];
			int fd = open(OUT_FILE, O_WRONLY | O_CREAT | O_TRUNC,
				      0644);

			dup2(fds[0], 0);
			dup2(fd, 1);
			dup2(fd, 2);
			close(fds[1]);
			snprintf(line, sizeof(line), "exec %s %s",
				 test_cnemu(), args);
			execl("/bin/sh", "sh", "-c", line, (char *)NULL);
			_exit(127);
		}
		close(fds[0]);
		snprintf(path, sizeof(path), "/run/cnemu/cn%d/c0.pid",
			 (int)pid);
		for (int i = 0; i < 100; i++) {
			FILE *f = fopen(path, "r");
			long got = 0;

			if (f) {
				if (fscanf(f, "%ld", &got) != 1)
					got = 0;
				fclose(f);
			}
			if (got > 0) {
				*ctl = (pid_t)got;
				*pipe_w = fds[1];
				return pid;
			}
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break;
			usleep(100000);
		}
		close(fds[1]);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		o = sh_out("cat " OUT_FILE);
		if (!strstr(o, BUSY))
			fail_msg("cnemu %s never started its controller:\n%s",
				 args, o);
		free(o);
		sleep(2);
	}
	fail_msg("the machine stayed busy with other cnemu runs");
	return -1;
}

static void test_killed_run_leaves_no_controller_after_clean(void **state)
{
	pid_t pid, ctl;
	int pipe_w;
	char *left;

	(void)state;
	if (require_ovs())
		return;
	pid = start_with_controller("--topo minimal --switch ovs", &ctl,
				    &pipe_w);
	assert_true(process_alive(ctl));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipe_w);
	/* The controller outlives the run... */
	assert_true(process_alive(ctl));
	/* ...until cleanup. */
	assert_int_equal(sh("%s -c >/dev/null 2>&1", test_cnemu()), 0);
	for (int i = 0; i < 50 && process_alive(ctl); i++)
		usleep(20000);
	assert_false(process_alive(ctl));
	left = sh_out("ls -d /run/cnemu/cn%d 2>/dev/null; ovs-vsctl "
		      "--columns=name find bridge external_ids:cnemu-run=cn%d",
		      (int)pid, (int)pid);
	assert_string_equal(left, "");
	free(left);
}

static void test_stopped_run_removes_its_controller_files(void **state)
{
	pid_t pid, ctl;
	int pipe_w, status;
	char path[64];

	(void)state;
	if (require_ovs())
		return;
	pid = start_with_controller("--topo minimal --switch ovs", &ctl,
				    &pipe_w);
	/* EOF on the CLI: the run stops. */
	close(pipe_w);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_false(process_alive(ctl));
	snprintf(path, sizeof(path), "/run/cnemu/cn%d", (int)pid);
	assert_int_equal(access(path, F_OK), -1);
}

static int teardown(void **state)
{
	(void)state;
	unlink(OUT_FILE);
	/* A run a failed test killed leaves its controller: cleanup ends
	 * it (dead runs only, never a live one). */
	if (geteuid() == 0)
		sh("%s -c >/dev/null 2>&1", test_cnemu());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_learning_mode_pingall_drops_nothing_on_a_tree),
		cmocka_unit_test(
			test_default_topo_mode_pingall_drops_nothing_on_a_tree),
		cmocka_unit_test(
			test_topo_mode_pingall_drops_nothing_on_a_torus),
		cmocka_unit_test(
			test_topo_mode_installs_paths_and_floods_on_the_tree),
		cmocka_unit_test(
		    test_topo_mode_reroutes_around_links_and_switches_down),
		cmocka_unit_test(test_remote_controller_serves_the_switches),
		cmocka_unit_test(
		    test_remote_controller_that_does_not_answer_fails_clearly),
		cmocka_unit_test(test_ovsc_runs_ovs_testcontroller),
		cmocka_unit_test(
			test_linux_bridges_and_none_start_no_controller),
		cmocka_unit_test(test_bad_controller_exits_2),
		cmocka_unit_test(test_killed_controller_is_reported),
		cmocka_unit_test(
			test_killed_run_leaves_no_controller_after_clean),
		cmocka_unit_test(test_stopped_run_removes_its_controller_files),
	};

	return cmocka_run_group_tests_name("controller", tests, NULL,
					   teardown);
}
