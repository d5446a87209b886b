/* Lua scripts end to end: every example of examples/ run by a real cnemu
 * on Linux bridges (containers through Docker), non-interactively (--test
 * or commands on stdin), and scripts that fail — before start, after
 * start, by os.exit(), by SIGINT — each with one message starting with
 * the script's file:line, a non-zero exit, and nothing of the run left on
 * the machine.  cnemu names what it makes after its run tag (cn<pid>);
 * scripts written here are /tmp/tlua-<pid>-<n>.lua. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/testlib.h"

#define IMAGE "cnemu/busybox:latest"

/* What the run 'tag' left: namespaces, tagged interfaces, containers,
 * its run directory (caller frees; "" when nothing).  The kernel frees
 * the veths of deleted namespaces asynchronously: waits up to 5 s. */
static char *run_leftovers(const char *tag)
{
	char *left = NULL;

	for (int i = 0; i < 50; i++) {
		free(left);
		left = sh_out("ip netns list | grep '^%s-'; "
			      "ip -o link show | grep 'cnemu:%s'; "
			      "docker ps -aq --filter label=cnemu.run=%s "
			      "2>/dev/null; ls -d /run/cnemu/%s 2>/dev/null",
			      tag, tag, tag, tag);
		if (!left[0])
			break;
		usleep(100000);
	}
	return left;
}

static void assert_run_left_nothing(const char *tag)
{
	char *left;

	if (!tag[0])
		return;	/* it made nothing: it never started */
	left = run_leftovers(tag);
	if (left[0])
		fail_msg("run %s left: %s", tag, left);
	free(left);
}

/* Runs "cnemu ARGS" with 'input' on stdin, stdout and stderr together;
 * waits while another run holds the machine's lock.  Returns the output
 * (caller frees), the exit status in '*status'; checks that the run left
 * nothing behind. */
static char *run_cnemu(const char *args, const char *input, int *status)
{
	char *in = test_write_file("tlua", ".lua", input ? input : "");
	char *out = NULL;
	char tag[32];

	for (int tries = 0; tries < 100; tries++) {
		free(out);
		out = sh_out("timeout 300 %s %s < %s 2>&1; echo \"exit=$?\"",
			     test_cnemu(), args, in);
		if (!strstr(out, "another cnemu run is active"))
			break;
		sleep(3);
	}
	unlink(in);
	free(in);
	*status = test_exit_status(out);
	test_run_tag(out, tag, sizeof(tag));
	assert_run_left_nothing(tag);
	return out;
}

/* Fails unless 'out' has a line starting "<path>:<line>: " and holding
 * 'says'. */
static void assert_error_line(const char *out, const char *path, int line,
			      const char *says)
{
	char prefix[300];
	const char *p;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	for (p = out; (p = strstr(p, prefix)); p++) {
		if ((p == out || p[-1] == '\n') &&
		    strstr(p, says) && strstr(p, says) < strchr(p, '\n'))
			return;
	}
	fail_msg("expected a line '%s...%s' in:\n%s", prefix, says, out);
}

/* ---- the examples ---------------------------------------------------- */

static void test_simple_topo_is_started_tested_and_stopped(void **state)
{
	char *out;
	int status;

	(void)state;
	if (require_root())
		return;
	out = run_cnemu("--switch lxbr --test pingall examples/simple_topo.lua",
			NULL, &status);
	expect_status(out, status, 0);
	expect_has(out, "h1 -> h2\n");
	expect_has(out, "*** Results: 0% dropped (2/2 received)");
	expect_has(out, "*** Done");
	free(out);
}

static void test_returned_net_gets_the_cli_with_lua_lines(void **state)
{
	char *out;
	int status;

	(void)state;
	if (require_root())
		return;
	out = run_cnemu("--switch lxbr examples/simple_topo.lua",
			"lua print('ip of h2: ' .. h2:IP())\n"
			"lua net:ping({h1, h2})\n"
			"lua local r = net:pingAllFull() print('full: ' .. #r "
			".. ' ' .. r[1].src.name .. '->' .. r[1].dst.name .. "
			"' ' .. r[1].received .. ' ' .. "
			"tostring(r[2].rttavg > 0))\n"
			"h1 ping -c1 -W2 h2\n",
			&status);
	expect_status(out, status, 0);
	expect_has(out, "ip of h2: 10.0.0.2");
	expect_has(out, "*** Results: 0% dropped (2/2 received)\n0\n");
	/* the same rows and results as the CLI's pingallfull */
	expect_has(out, "h1 -> h2\nh2 -> h1\n*** Results: \n"
			" h1->h2: 1/1, rtt min/avg/max/mdev ");
	expect_has(out, "full: 2 h1->h2 1 true\n");
	expect_has(out, "1 packets transmitted, 1 received");
	free(out);
}

static void test_router_lab_routes_and_measures(void **state)
{
	char *out;
	int status;

	(void)state;
	if (require_root())
		return;
	out = run_cnemu("--switch lxbr examples/router_lab.lua",
			"client ping -c1 -W2 server\n", &status);
	expect_status(out, status, 0);
	expect_has(out, "r0-eth2");
	expect_has(out, "client -> server\nserver -> client\n");
	expect_has(out, "*** Iperf: testing TCP bandwidth between client and "
			"server");
	expect_has(out, "(link to the server: 20)");
	expect_has(out, "ttl=63");	/* one router on the way */
	free(out);
}

static void test_linear_bandwidth_regression_exits_0(void **state)
{
	char *out;
	int status;

	(void)state;
	if (require_root())
		return;
	out = run_cnemu("--switch lxbr examples/linear_bandwidth.lua 2 2",
			NULL, &status);
	expect_status(out, status, 0);
	expect_has(out, "all rates within 20 %");
	expect_lacks(out, "FAIL");
	free(out);
}

static void test_containernet_example_shapes_the_switch_link(void **state)
{
	char *out;
	int status;
	const char *rtt;

	(void)state;
	if (require_docker())
		return;
	out = run_cnemu("--switch lxbr examples/containernet_example.lua "
			IMAGE,
			"d1 ping -c2 -W3 d2\nh1 ping -c1 -W2 d1\n", &status);
	expect_status(out, status, 0);
	expect_has(out, "d1 -> d2\nd2 -> d1\n");
	expect_has(out, "*** Results: 0% dropped (2/2 received)");
	/* 100 ms each way between the switches */
	rtt = strstr(out, "round-trip min/avg/max = ");
	if (!rtt || atof(rtt + strlen("round-trip min/avg/max = ")) < 190)
		fail_msg("expected a round trip of 200 ms in:\n%s", out);
	expect_has(out, "1 packets transmitted, 1 received");
	free(out);
}

static void test_dynamic_docker_changes_at_runtime(void **state)
{
	char *out;
	int status;

	(void)state;
	if (require_docker())
		return;
	out = run_cnemu("--switch lxbr examples/dynamic_docker.lua " IMAGE,
			NULL, &status);
	expect_status(out, status, 0);
	expect_lacks(out, "FAIL");
	expect_has(out, "d2 reaches d1 and h1");
	expect_has(out, "d2 is gone");
	free(out);
}

/* ---- failing scripts -------------------------------------------------- */

static void test_bad_scripts_exit_1_with_file_and_line(void **state)
{
	static const struct {
		const char *code;
		int line;
		const char *says;
	} cases[] = {
		{ "local net = cnemu.Net{switch = 'lxbr', colour = 'red'}", 1,
		  "Net: unknown option 'colour'" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "local h = net:addHost('h1')\n"
		  "local s = net:addSwitch('s1')\n"
		  "net:addLink(h, s, {bw = -1})",
		  4, "bw -1 out of range" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "local h = net:addHost('h1')\n"
		  "local s = net:addSwitch('s1')\n"
		  "net:addLink(h, s, {delay = 'abc'})",
		  4, "invalid delay 'abc'" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "local h = net:addHost('h1')\n"
		  "local s = net:addSwitch('s1')\n"
		  "net:addLink(h, s, {loss = 150})",
		  4, "loss 150 out of range" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "net:addHost('h1', {ip = '10.0.0.300'})",
		  2, "invalid IPv4 address '10.0.0.300'" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "net:addHost('h1')\nnet:addHost('h1')",
		  3, "duplicate node name 'h1'" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "net:addLink(net:addHost('h1'), 'h7')",
		  2, "addLink: no node 'h7'" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "net:addHost('h1-is-far-too-long')",
		  2, "is too long" },
		{ "local net = cnemu.Net{switch = 'lxbr'}\n"
		  "net:addHost('h;id>/x')",
		  2, "invalid node name" },
		{ "local x = = 1", 1, "unexpected symbol" },
	};

	(void)state;
	if (require_root())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = test_write_file("tlua", ".lua", cases[i].code);
		char *args, *out;
		int status;

		if (asprintf(&args, "%s", path) < 0)
			abort();
		out = run_cnemu(args, NULL, &status);
		expect_status(out, status, 1);
		assert_error_line(out, path, cases[i].line, cases[i].says);
		expect_lacks(out, "*** Creating network");
		free(out);
		free(args);
		unlink(path);
		free(path);
	}
}

static void test_error_after_start_leaves_nothing(void **state)
{
	char *path, *out;
	bool docker;
	int status;

	(void)state;
	if (require_root())
		return;
	docker = sh("docker info >/dev/null 2>&1") == 0;
	path = test_write_file("tlua", ".lua", 
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"local h1 = net:addHost('h1')\n"
		"local s1 = net:addSwitch('s1')\n"
		"net:addLink(h1, s1, {delay = '2ms'})\n"
		"if arg[1] == 'docker' then\n"
		"  local d1 = net:addDocker('d1', {dimage = '" IMAGE "'})\n"
		"  net:addLink(d1, s1)\n"
		"end\n"
		"net:start()\n"
		"print('started ' .. h1:cmd('echo ok'))\n"
		"h1:cmd('sleep 300 &')\n"
		"local t = nil\n"
		"print(t.field)\n");
	{
		char args[300];

		snprintf(args, sizeof(args), "%s %s", path,
			 docker ? "docker" : "");
		out = run_cnemu(args, NULL, &status);
	}
	expect_status(out, status, 1);
	expect_has(out, "started ok");
	assert_error_line(out, path, 13, "attempt to index a nil value");
	expect_has(out, "*** Done");
	free(out);
	unlink(path);
	free(path);
	if (!docker)
		test_skip("no Docker engine at /var/run/docker.sock: the "
			  "script ran without its container");
}

static void test_os_exit_after_start_stops_the_net(void **state)
{
	char *path, *out;
	int status;

	(void)state;
	if (require_root())
		return;
	path = test_write_file("tlua", ".lua",
			       "local net = cnemu.Net{switch = 'lxbr'}\n"
			       "net:addLink(net:addHost('h1'), net:addHost('h2'))\n"
			       "net:start()\n"
			       "pcall(os.exit, 3)\n"
			       "print('not reached')\n");
	out = run_cnemu(path, NULL, &status);
	expect_status(out, status, 3);
	expect_lacks(out, "not reached");
	expect_has(out, "*** Done");
	free(out);
	unlink(path);
	free(path);
}

/* Starts cnemu on 'path' with 'arg' in the background, its output in
 * 'log'; returns its pid once the script printed "started" (waiting
 * while another run holds the lock), or -1. */
static pid_t start_script(const char *path, const char *arg, const char *log)
{
	for (int tries = 0; tries < 100; tries++) {
		pid_t pid = fork();
		char *out;

		if (pid == 0) {
			char line[600];

			snprintf(line, sizeof(line), "exec %s %s %s >%s 2>&1",
				 test_cnemu(), path, arg, log);
			execl("/bin/sh", "sh", "-c", line, (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 300; i++) {
			out = sh_out("cat %s", log);
			if (strstr(out, "another cnemu run is active") ||
			    strstr(out, "started")) {
				bool busy = strstr(out, "another cnemu");

				free(out);
				if (!busy)
					return pid;
				waitpid(pid, NULL, 0);
				break;
			}
			free(out);
			if (waitpid(pid, NULL, WNOHANG) == pid)
				return -1;
			usleep(100000);
		}
		sleep(3);
	}
	return -1;
}

static void test_sigint_stops_a_running_script_cleanly(void **state)
{
	static const char *const modes[] = { "loop", "cmd", "popen" };
	char *path, *log, *out, tag[32];
	int status;

	(void)state;
	if (require_root())
		return;
	path = test_write_file("tlua", ".lua", 
		"local net = cnemu.Net{switch = 'lxbr'}\n"
		"local h1 = net:addHost('h1')\n"
		"net:addLink(h1, net:addSwitch('s1'))\n"
		"net:start()\n"
		"print('started'); io.stdout:flush()\n"
		"if arg[1] == 'cmd' then h1:cmd('sleep 300')\n"
		"elseif arg[1] == 'popen' then\n"
		"  for l in h1:popen('sleep 300') do print(l) end\n"
		"else while true do end end\n");
	log = test_write_file("tlua", ".lua", "");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		pid_t pid = start_script(path, modes[i], log);

		assert_true(pid > 0);
		usleep(300000);
		kill(pid, SIGINT);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		out = sh_out("cat %s", log);
		/* 128 + SIGINT, as a shell reports it */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 130)
			fail_msg("%s: expected exit 130:\n%s", modes[i], out);
		expect_has(out, ": interrupted");
		expect_has(out, "*** Done");
		test_run_tag(out, tag, sizeof(tag));
		assert_true(tag[0] != '\0');
		assert_run_left_nothing(tag);
		free(out);
	}
	unlink(log);
	unlink(path);
	free(log);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_simple_topo_is_started_tested_and_stopped),
		cmocka_unit_test(
			test_returned_net_gets_the_cli_with_lua_lines),
		cmocka_unit_test(test_router_lab_routes_and_measures),
		cmocka_unit_test(test_linear_bandwidth_regression_exits_0),
		cmocka_unit_test(
			test_containernet_example_shapes_the_switch_link),
		cmocka_unit_test(test_dynamic_docker_changes_at_runtime),
		cmocka_unit_test(test_bad_scripts_exit_1_with_file_and_line),
		cmocka_unit_test(test_error_after_start_leaves_nothing),
		cmocka_unit_test(test_os_exit_after_start_stops_the_net),
		cmocka_unit_test(
			test_sigint_stops_a_running_script_cleanly),
	};

	return cmocka_run_group_tests_name("lua", tests, NULL, NULL);
}
