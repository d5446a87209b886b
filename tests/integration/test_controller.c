/* Controllers end to end over OVS (userspace datapath here): the builtin
 * controller in learning and topo mode passes pingall, topo mode also on
 * a torus (loops, no STP); a remote controller (an ovs-testcontroller the
 * test starts on a free port) serves the switches and one that does not
 * answer is one warning, the net runs anyway; a controller killed mid-run
 * is reported; 'cnemu -c' ends the controller of a run killed with
 * SIGKILL.  The network is ready when start() returns: the first ping
 * over a 100 ms link takes one ARP and one echo (400 ms, never an ARP
 * retry), Mininet's testMultiPing finds every first ping answered; and
 * no other user of the machine can pose as a switch to the controller.
 *
 * Only one cnemu run may be active on the machine: while another one
 * (another engineer's) runs, the tests wait and retry. */
#include "tests/lib/testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUSY "another cnemu run is active"
#define OUT_FILE "/tmp/tctl-controller-test.out"

static void pingall_passes(const char *topo, const char *controller)
{
	char args[256], *out;
	int status;

	snprintf(args, sizeof(args), "--topo %s --switch ovs %s%s --test "
		 "pingall", topo, controller ? "--controller " : "",
		 controller ? controller : "");
	status = test_cnemu_run(&out, NULL, args);
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
	assert_int_equal(test_cnemu_run(&out, NULL,
					"--topo tree,depth=2,fanout=2 "
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
	assert_int_equal(test_cnemu_run(&out, "pingall\\ndpctl dump-flows\\n",
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
	assert_int_equal(test_cnemu_run(&out,
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
	status = test_cnemu_run(&out, NULL, args);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (status != 0 || !strstr(out, "*** Results: 0% dropped"))
		fail_msg("cnemu %s: status %d\n%s", args, status, out);
	free(out);
}

/* Occurrences of 'needle' in 'hay'. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_remote_controller_that_does_not_answer_is_one_warning(
	void **state)
{
	/* Refused at once, and silent (a route nowhere, or whatever takes
	 * the connection and says nothing). */
	char targets[2][48], args[200], want[96], *out;

	(void)state;
	if (require_ovs())
		return;
	snprintf(targets[0], sizeof(targets[0]), "ip=127.0.0.1,port=%d",
		 free_port());
	snprintf(targets[1], sizeof(targets[1]), "ip=1.2.3.4");
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "--topo linear,2 --switch ovs "
			 "--controller remote,%s --test pingall",
			 targets[i]);
		snprintf(want, sizeof(want), "controller 'c0' (tcp:%s:%s) "
			 "does not answer: its 2 switches forward nothing",
			 i ? "1.2.3.4" : "127.0.0.1", i ? "6653"
							: strrchr(targets[0],
								  '=') + 1);
		test_cnemu_run(&out, NULL, args);
		/* One line, and the net ran all the same. */
		if (count_of(out, "does not answer") != 1 ||
		    !strstr(out, want) || !strstr(out, "*** Results: 100% "))
			fail_msg("expected one warning '%s' and a pingall:\n%s",
				 want, out);
		free(out);
	}
}

/* Runs the Lua 'script' with cnemu 'args'; returns the output. */
static char *cnemu_lua(const char *args, const char *script)
{
	char *path = test_write_file("tctl", ".lua", script);
	char line[512], *out;

	snprintf(line, sizeof(line), "%s %s", args, path);
	test_cnemu_run(&out, NULL, line);
	unlink(path);
	free(path);
	return out;
}

/* Mininet's net.waitConnected([timeout]): true once the switches are
 * ready, false when their controller does not answer in time. */
static void test_wait_connected_says_whether_switches_are_ready(
	void **state)
{
	char script[600], *out;

	(void)state;
	if (require_ovs())
		return;
	snprintf(script, sizeof(script),
		 "local net = cnemu.Net{}\n"
		 "net:addController('c0')\n"
		 "net:addController('c1', {cls = 'remote', ip = '127.0.0.1', "
		 "port = %d})\n"
		 "local s1 = net:addSwitch('s1', {controller = 'c0'})\n"
		 "local h1 = net:addHost('h1')\n"
		 "net:addLink(h1, s1)\n"
		 "assert(net:waitConnected(1) == false)  -- not started\n"
		 "net:start()\n"
		 "print('ready:', net:waitConnected(1))\n"
		 "net:addSwitch('s2', {controller = 'c1'})\n"
		 "print('with s2:', net:waitConnected(0.5))\n"
		 "net:stop()\n",
		 free_port());
	out = cnemu_lua("--switch ovs", script);
	if (!strstr(out, "ready:\ttrue") || !strstr(out, "with s2:\tfalse") ||
	    !strstr(out, "controller 'c1' (tcp:127.0.0.1:"))
		fail_msg("waitConnected:\n%s", out);
	free(out);
}

/* The first ping after start() over a 100 ms link (Containernet's
 * example with namespace hosts): ARP and echo, 400 ms, where a lost first
 * ARP costs a 1 s retry.  20 starts in a row; each start has an OVS of its
 * own, whose first packets on a busy 2-core machine add tens of ms (up to
 * 472 ms seen), well short of a retry. */
static void test_first_ping_after_start_needs_no_arp_retry(void **state)
{
	static const char script[] =
		"local worst = 0\n"
		"for run = 1, 20 do\n"
		"  local net = cnemu.Net{}\n"
		"  local h1 = net:addHost('h1', {ip = '10.0.0.1'})\n"
		"  local h2 = net:addHost('h2', {ip = '10.0.0.2'})\n"
		"  local s1 = net:addSwitch('s1')\n"
		"  local s2 = net:addSwitch('s2')\n"
		"  net:addLink(h1, s1)\n"
		"  net:addLink(s1, s2, {delay = '100ms'})\n"
		"  net:addLink(s2, h2)\n"
		"  net:start()\n"
		"  assert(net:waitConnected(0))  -- start() waited\n"
		"  local out = h1:cmd('ping -c1 -W3 10.0.0.2')\n"
		"  local ms = tonumber(out:match('time=([%d.]+)')) or 9999\n"
		"  print(string.format('run %d: first ping %.0f ms', run, ms))\n"
		"  if ms > worst then worst = ms end\n"
		"  net:stop()\n"
		"end\n"
		"print(string.format('worst first ping: %.0f ms', worst))\n";
	char *out, *w;

	(void)state;
	if (require_ovs())
		return;
	out = cnemu_lua("--switch ovs", script);
	w = strstr(out, "worst first ping: ");
	if (!w || atoi(w + strlen("worst first ping: ")) > 900)
		fail_msg("a first ping took more than 900 ms:\n%s", out);
	free(out);
}

/* Mininet's testMultiPing (examples/multiping.py, which fails about one
 * run in 7 there): right after start, hosts in chunks of 4 each ping
 * their chunk and a bogus address once ('ping -c1 -w1', all hosts at
 * once); every real target answers the first time.  Mininet's 20 hosts
 * on one switch are 8 on a chain of 8 switches here, where a switch that
 * is late costs more than one ARP.  Five starts. */
static void test_multiping_first_pings_all_answer(void **state)
{
	static const char script[] =
		"for run = 1, 5 do\n"
		"  local net = cnemu.Net{topo = 'linear,8'}\n"
		"  net:start()\n"
		"  local procs = {}\n"
		"  for i = 1, 8 do\n"
		"    local h = net:get('h' .. i)\n"
		"    local ips = {}\n"
		"    local first = (i - 1) // 4 * 4 + 1\n"
		"    for j = first, first + 3 do\n"
		"      ips[#ips + 1] = net:get('h' .. j):IP()\n"
		"    end\n"
		"    ips[#ips + 1] = '10.0.0.200'\n"
		"    procs[i] = h:popen('for ip in ' .. table.concat(ips, ' ')"
		" .. '; do echo ' .. h:IP() .. ' \"->\" $ip '"
		" .. '$(ping -c1 -w1 $ip | grep packets); done')\n"
		"  end\n"
		"  for i = 1, 8 do\n"
		"    for line in procs[i]:lines() do\n"
		"      local to, got = line:match('%%-> ([%d.]+) %d packets "
		"transmitted, (%d) received')\n"
		"      local want = to == '10.0.0.200' and '0' or '1'\n"
		"      print((got == want and 'ok ' or 'BAD ') .. line)\n"
		"    end\n"
		"    procs[i]:wait()\n"
		"  end\n"
		"  net:stop()\n"
		"end\n";
	char *out;

	(void)state;
	if (require_ovs())
		return;
	out = cnemu_lua("--switch ovs", script);
	/* 5 runs x 8 hosts x 5 targets */
	if (strstr(out, "BAD ") || count_of(out, "\nok ") != 200)
		fail_msg("a first ping was lost or missing:\n%s", out);
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
	assert_int_equal(test_cnemu_run(&out, NULL,
					"--topo single,3 --switch lxbr "
					"--test pingall"),
			 0);
	assert_null(strstr(out, "Starting controller"));
	free(out);
	assert_int_equal(test_cnemu_run(&out, NULL,
					"--topo single,3 --switch ovs "
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
		status = test_cnemu_run(&out, NULL, args);
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
	assert_int_equal(test_cnemu_run(&out,
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

static void test_killed_run_takes_its_controller_along(void **state)
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
	/* The controller dies with the run (PR_SET_PDEATHSIG): how soon
	 * depends on the machine's load, so it is not checked at once. */
	for (int i = 0; i < 100 && process_alive(ctl); i++)
		usleep(20000);
	assert_false(process_alive(ctl));
	/* Cleanup removes what the run left of it. */
	assert_int_equal(sh("%s -c >/dev/null 2>&1", test_cnemu()), 0);
	left = sh_out("ls -d /run/cnemu/cn%d /var/run/openvswitch/cn%d-* "
		      "2>/dev/null; pgrep -af '/run/cnemu/c[n]%d/'; true",
		      (int)pid, (int)pid, (int)pid);
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
	/* Nor the run's OVS, where the link OVS reached the controller's
	 * socket by was. */
	assert_int_not_equal(sh("pgrep -f '/run/cnemu/c[n]%d/' >/dev/null",
				(int)pid), 0);
}

/* ---- an impostor: another user of the machine posing as switch 1 ---- */

/* One OpenFlow 1.0 message to 'fd': header 'type', 'xid', then 'body'. */
static void of_send(int fd, uint8_t type, uint32_t xid, const void *body,
		    size_t len)
{
	uint8_t msg[64] = { 0x01, type };
	uint16_t total = (uint16_t)(8 + len);

	msg[2] = (uint8_t)(total >> 8);
	msg[3] = (uint8_t)total;
	memcpy(msg + 4, &xid, 4);	/* as it came, network order */
	if (len)
		memcpy(msg + 8, body, len);
	if (write(fd, msg, total) < 0)
		(void)0;	/* the controller hung up: next connection */
}

/* Speaks as switch dpid 1 (no ports) on 'fd' for 'ms': HELLO, then
 * answers FEATURES_REQUEST, ECHO_REQUEST and BARRIER_REQUEST. */
static void of_pose_as_switch(int fd, int ms)
{
	/* datapath_id 1, 256 buffers, 1 table, no capabilities/actions */
	static const uint8_t features[24] = { 0, 0, 0, 0, 0, 0, 0, 1,
					      0, 0, 1, 0, 1 };
	unsigned long long end;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000 + ms;
	of_send(fd, 0, 0, NULL, 0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint8_t hdr[8], body[2048];
		uint32_t xid;
		size_t len;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000 >= end ||
		    poll(&pfd, 1, 50) < 0)
			return;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		if (read(fd, hdr, 8) != 8)
			return;
		len = (size_t)(hdr[2] << 8 | hdr[3]);
		len = len > 8 ? len - 8 : 0;
		if (len > sizeof(body) || (len && read(fd, body, len) !=
						       (ssize_t)len))
			return;
		memcpy(&xid, hdr + 4, 4);
		if (hdr[1] == 5)	/* FEATURES_REQUEST */
			of_send(fd, 6, xid, features, sizeof(features));
		else if (hdr[1] == 2)	/* ECHO_REQUEST */
			of_send(fd, 3, xid, body, len < 48 ? len : 48);
		else if (hdr[1] == 18)	/* BARRIER_REQUEST */
			of_send(fd, 19, xid, NULL, 0);
	}
}

/* Tries every place a controller could listen at: TCP ports from 6653 on
 * 127.0.0.1, unix sockets of run directories and OVS's.  Returns how
 * many connections it got. */
static int of_impostor_round(void)
{
	static const char *const patterns[] = {
		"/run/cnemu/*/*.sock", "/run/cnemu/*/ovs/*.sock",
		"/var/run/openvswitch/*.sock",
	};
	int got = 0;

	for (int port = 6653; port < 6753; port++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa,
					sizeof(sa))) {
			got++;
			of_pose_as_switch(fd, 300);
		}
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		glob_t g;

		if (glob(patterns[i], 0, NULL, &g))
			continue;
		for (size_t j = 0; j < g.gl_pathc; j++) {
			struct sockaddr_un sa = { .sun_family = AF_UNIX };
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);

			snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
				 g.gl_pathv[j]);
			if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa,
						sizeof(sa))) {
				got++;
				of_pose_as_switch(fd, 300);
			}
			if (fd >= 0)
				close(fd);
		}
		globfree(&g);
	}
	return got;
}

/* Forks the impostor: user nobody, posing as switch 1 wherever it can
 * connect, again and again; it writes its count of connections to
 * 'count_fd' when SIGTERM ends it.  It closes 'cli_fd', the run's
 * input, so that the run ends when the test closes it. */
static volatile sig_atomic_t impostor_stop;

static void impostor_on_term(int sig)
{
	(void)sig;
	impostor_stop = 1;
}

static pid_t start_impostor(int count_fd, int cli_fd)
{
	pid_t pid = fork();
	int got = 0;

	assert_true(pid >= 0);
	if (pid)
		return pid;
	close(cli_fd);
	signal(SIGTERM, impostor_on_term);
	signal(SIGPIPE, SIG_IGN);
	if (setgid(65534) || setuid(65534))
		_exit(127);
	while (!impostor_stop) {
		got += of_impostor_round();
		usleep(20000);
	}
	if (write(count_fd, &got, sizeof(got)) < 0)
		_exit(1);
	_exit(0);
}

/* Runs 'args' (linear,3) with the impostor trying all along: pingall
 * must stay at 0 % every time. */
static void pingall_holds_against_impostor(const char *args)
{
	pid_t pid, ctl, impostor;
	int pipe_w, fds[2], got = -1, status;
	char *out;

	pid = start_with_controller(args, &ctl, &pipe_w);
	assert_int_equal(pipe(fds), 0);
	impostor = start_impostor(fds[1], pipe_w);
	close(fds[1]);
	/* Forwarding while it tries, for some seconds. */
	for (int i = 0; i < 6; i++)
		dprintf(pipe_w, "pingall 0.5\nsh sleep 0.5\n");
	close(pipe_w);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	kill(impostor, SIGTERM);
	waitpid(impostor, NULL, 0);
	if (read(fds[0], &got, sizeof(got)) != sizeof(got))
		got = -1;
	close(fds[0]);
	out = sh_out("cat " OUT_FILE);
	if (count_of(out, "*** Results: 0% dropped (6/6 received)") != 6)
		fail_msg("%s: forwarding changed while user nobody posed as "
			 "switch 1 (%d connections):\n%s",
			 args, got, out);
	free(out);
}

static void test_no_other_user_can_pose_as_a_switch(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	/* The switches' socket is root's... */
	pingall_holds_against_impostor("--topo linear,3 --switch ovs");
	/* ...and a TCP listener the user asked for may take connections,
	 * but none speaks for a switch of the topology. */
	pingall_holds_against_impostor("--topo linear,3 --switch ovs "
				       "--controller builtin,port=6701");
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
		    test_remote_controller_that_does_not_answer_is_one_warning),
		cmocka_unit_test(
			test_wait_connected_says_whether_switches_are_ready),
		cmocka_unit_test(
			test_first_ping_after_start_needs_no_arp_retry),
		cmocka_unit_test(test_multiping_first_pings_all_answer),
		cmocka_unit_test(test_ovsc_runs_ovs_testcontroller),
		cmocka_unit_test(
			test_linux_bridges_and_none_start_no_controller),
		cmocka_unit_test(test_bad_controller_exits_2),
		cmocka_unit_test(test_killed_controller_is_reported),
		cmocka_unit_test(
			test_killed_run_takes_its_controller_along),
		cmocka_unit_test(test_no_other_user_can_pose_as_a_switch),
		cmocka_unit_test(test_stopped_run_removes_its_controller_files),
	};

	return cmocka_run_group_tests_name("controller", tests, NULL,
					   teardown);
}
