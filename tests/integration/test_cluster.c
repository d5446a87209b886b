/* cnemu over the simulated three-machine Swarm (tests/cluster/): the
 * manager runs inside machine m1, the Swarm's manager, as a user runs it
 * there ('cnemu --cluster swarm ...').
 *
 * --plan lists the Swarm's machines, places the topology, prints it and
 * starts nothing; without a Swarm manager it says so in one line.  A run
 * deploys the agents (the image scripts/agent-image.sh makes from this
 * checkout), builds each machine's part and gives the CLI: pingall over a
 * tree cut across the three machines (Linux bridges without a
 * controller, and Open vSwitch under each machine's controller), a
 * triangle of switches on three machines (a loop across them, a link of
 * it set down and up), the Containernet example with its
 * containers on two machines and its 100 ms link cut between them, and
 * nothing of the run left afterwards, also after the manager's kill -9.
 * A machine whose dockerd is killed mid-run is reported lost within
 * seconds; the run goes on over the others, or stops on every machine
 * with --cluster-loss stop; once its dockerd is back, cnemu -c --cluster
 * swarm removes what the run left there.  A machine whose agent freezes
 * (SIGSTOP: its channel stays open, silent) is reported lost within the
 * heartbeat's silence; the others go on, and the frozen agent, woken
 * up, removes its part when the run ends.
 *
 * The tests run in order on one bed (bringing it up costs seconds): the
 * first brings it up, the last removes it and checks it left nothing; the
 * group teardown removes it whatever failed. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "tests/lib/bed.h"
#include "tests/lib/testlib.h"

#define IMAGE "cnemu/busybox:latest"
#define AGENT_IMAGE "cnemu/agent:latest"
/* How long the agents of a killed manager may take to remove it all. */
#define KILLED_CLEAN_S 30
/* How long a machine's loss may take to be reported. */
#define LOST_REPORT_S 5
/* How long a frozen machine may take to be reported: the channel's
 * silence (CHAN_SILENT_MS, 5 s) and the CLI's watch. */
#define FROZEN_REPORT_S 8
/* How long a run may take to start, and to stop. */
#define START_S 120
#define STOP_S 60

static char cwd[4096];
static bool bed_made;

static void need_bed(void)
{
	if (require_bed() || require_docker())
		return;
	if (sh("docker image inspect " IMAGE " >/dev/null 2>&1"))
		test_skip("no image " IMAGE " (make deps imports it)");
}

/* Runs "cnemu ARGS" inside machine 'i' from this checkout, stdout and
 * stderr together, then "exit=<status>". */
static char *cnemu_in(int i, const char *args)
{
	return bed_sh_out(i, "cd %s && %s %s 2>&1; echo \"exit=$?\"", cwd,
			  test_cnemu(), args);
}

/* Runs "cnemu ARGS" inside machine 'i' with the CLI lines 'input' on its
 * stdin, as cnemu_in(). */
static char *cnemu_cli_in(int i, const char *input, const char *args)
{
	char *file = test_write_file("tcl", ".in", input);
	char *out = bed_sh_out(i, "cd %s && %s %s < %s 2>&1; echo \"exit=$?\"",
			       cwd, test_cnemu(), args, file);

	unlink(file);
	free(file);
	return out;
}

/* The lines of 'out' that are not empty, not counting "exit=". */
static size_t count_lines(const char *out)
{
	size_t n = 0;

	for (const char *p = out; *p;) {
		const char *e = strchrnul(p, '\n');

		if (e > p && strncmp(p, "exit=", 5))
			n++;
		p = *e ? e + 1 : e;
	}
	return n;
}

/* What of a run is on machine 'i': containers, services, secrets of the
 * Swarm and cnemu's namespaces; "" when nothing. */
static char *run_objects(int i)
{
	return bed_sh_out(i, "docker ps -aq; "
			     "docker service ls -q 2>/dev/null; "
			     "docker secret ls -q 2>/dev/null; "
			     "ip netns list 2>/dev/null | grep ^cn || true");
}

/* Fails unless machine 'i' holds nothing of a run within 'wait_s'
 * seconds (a removed service's task containers go a moment after it). */
static void expect_nothing_on_machine_within(int i, int wait_s)
{
	char *left = run_objects(i);

	for (int t = 0; *left && t < wait_s; t++) {
		sleep(1);
		free(left);
		left = run_objects(i);
	}
	if (*left)
		fail_msg("machine m%d holds:\n%s", i, left);
	free(left);
}

static void expect_nothing_on_machines_within(int wait_s)
{
	for (int i = 1; i <= BED_MACHINES; i++)
		expect_nothing_on_machine_within(i, wait_s);
}

static void expect_nothing_on_machines(void)
{
	expect_nothing_on_machines_within(0);
}

static void test_bed_comes_up(void **state)
{
	static const char *const images[] = { IMAGE, AGENT_IMAGE, NULL };
	char *out;

	(void)state;
	need_bed();
	out = sh_out("bash scripts/agent-image.sh 2>&1; echo \"exit=$?\"");
	expect_status(out, test_exit_status(out), 0);
	free(out);
	bed_made = true;
	assert_int_equal(bed_up(images), 0);
}

static void test_plan_places_a_tree_over_three_machines(void **state)
{
	char *out;

	(void)state;
	need_bed();
	out = cnemu_in(1, "--cluster swarm --plan --topo tree,depth=2,fanout=4"
			  " --switch lxbr --controller none");
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** Placement of 21 nodes over 3 machines");
	for (int i = 1; i <= BED_MACHINES; i++)
		expect_matches(out, i == 1 ? "^m1 +[0-9]+ " :
				    i == 2 ? "^m2 +[0-9]+ " : "^m3 +[0-9]+ ");
	expect_matches(out, "^h16 +m[123]$");
	expect_matches(out, "^\\*\\*\\* Cut links: [1-9][0-9]* ");
	expect_matches(out, "<-> m[123] +no rate +vni [0-9]+$");
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines();
}

static void test_plan_honours_pins_of_a_script(void **state)
{
	char *script, *out, *args;

	(void)state;
	need_bed();
	script = test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"local d1 = net:addDocker('d1', {ip = '10.0.0.251', "
		"dimage = '" IMAGE "', placement = 'm2'})\n"
		"local d2 = net:addDocker('d2', {ip = '10.0.0.252', "
		"dimage = '" IMAGE "', placement = 'm3'})\n"
		"local s1 = net:addSwitch('s1', {placement = 'm2'})\n"
		"local s2 = net:addSwitch('s2', {placement = 'm3'})\n"
		"net:addLink(d1, s1)\n"
		"net:addLink(s1, s2, {delay = '100ms', bw = 1})\n"
		"net:addLink(s2, d2)\n"
		"net:start()\n"
		"net:CLI()\n"
		"net:stop()\n");
	if (asprintf(&args, "--cluster swarm --plan --switch lxbr "
			    "--controller none %s", script) < 0)
		abort();
	out = cnemu_in(1, args);
	expect_status(out, test_exit_status(out), 0);
	expect_matches(out, "^d1 +m2  \\(placement m2\\)$");
	expect_matches(out, "^d2 +m3  \\(placement m3\\)$");
	expect_has(out, "*** Cut links: 1 ");
	expect_matches(out, "^s1-eth2 <-> s2-eth1  m2 <-> m3  1 Mbit/s  vni");
	free(out);
	free(args);
	expect_nothing_on_machines();

	/* A pin naming no machine: one line, the script's Net unmade. */
	sh("sed -i \"s/placement = 'm3'})/placement = 'm9'})/\" %s", script);
	if (asprintf(&args, "--cluster swarm --plan --switch lxbr "
			    "--controller none %s", script) < 0)
		abort();
	out = cnemu_in(1, args);
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "placement 'm9' names no machine");
	assert_int_equal(count_lines(out), 1);
	free(out);
	free(args);
	unlink(script);
	free(script);
	expect_nothing_on_machines();
}

static void test_plan_without_a_swarm_manager_says_so(void **state)
{
	char *out;

	(void)state;
	need_bed();
	/* m2 is a worker of the Swarm: no manager there. */
	out = cnemu_in(2, "--cluster swarm --plan --topo tree,depth=2");
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "cnemu: --plan: cannot list the Swarm's machines: ");
	expect_has(out, "not a swarm manager");
	assert_int_equal(count_lines(out), 1);
	free(out);
	/* No engine at all. */
	out = sh_out("DOCKER_HOST=unix:///run/tcl-%d.sock %s --cluster swarm "
		     "--plan --topo tree,depth=2 2>&1; echo \"exit=$?\"",
		     (int)getpid(), test_cnemu());
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "cannot reach the Docker engine");
	assert_int_equal(count_lines(out), 1);
	free(out);
}

/* Fails unless 'out' has iperf's "*** Results: ['<server>', '<client>']"
 * (the last of them) with the server's figure at least 'min_mbit' Mbit/s;
 * 'pair' ("h1 -> h5") names it in the figure printed. */
static void expect_iperf_at_least(const char *out, const char *pair,
				  double min_mbit)
{
	const char *p = strstr(out, "*** Results: ['");
	char unit[16] = "";
	double v = 0;

	while (p && strstr(p + 1, "*** Results: ['"))
		p = strstr(p + 1, "*** Results: ['");
	if (!p || sscanf(p, "*** Results: ['%lf %15[A-Za-z/]", &v, unit) != 2)
		fail_msg("expected iperf's results in:\n%s", out);
	printf("iperf %s over a cut link: %.2f %s\n", pair, v, unit);
	if (!strcmp(unit, "Gbits/sec"))
		v *= 1000;
	else if (strcmp(unit, "Mbits/sec"))
		v = 0;
	if (v < min_mbit)
		fail_msg("iperf over the cut link below %.0f Mbit/s:\n%s",
			 min_mbit, out);
}

static void test_run_pings_all_of_a_tree_over_three_machines(void **state)
{
	char *out;

	(void)state;
	need_bed();
	out = cnemu_cli_in(1, "nodes\nlinks\npingall\niperf h1 h5\n",
			   "--cluster swarm --switch lxbr --controller none "
			   "--topo tree,depth=2,fanout=4");
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** Deploying the agents on 3 machines");
	for (int i = 1; i <= BED_MACHINES; i++) {
		char want[16];

		snprintf(want, sizeof(want), "on m%d: ", i);
		expect_has(out, want);
	}
	expect_matches(out, "^\\*\\*\\* Running over 3 machines, [1-9][0-9]* "
			    "links cut$");
	expect_matches(out, " cut m[123]<->m[123] vni [0-9]+, underlay RTT "
			    "[0-9.]+ ms$");
	expect_has(out, "*** Results: 0% dropped (240/240 received)");
	expect_iperf_at_least(out, "h1 -> h5", 1000);	/* unshaped */
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines_within(10);
}

/* The default switch (Open vSwitch, userspace datapath) under the
 * default controller: each machine's own builtin controller, given the
 * whole topology.  TCP crosses a cut link whose ends are OVS ports. */
static void test_run_pings_all_of_an_ovs_tree_over_three_machines(
	void **state)
{
	char *out;

	(void)state;
	need_bed();
	out = cnemu_cli_in(1, "pingall\niperf h1 h5\n",
			   "--cluster swarm --topo tree,depth=2,fanout=4");
	expect_status(out, test_exit_status(out), 0);
	expect_matches(out, "^\\*\\*\\* Running over 3 machines, [1-9][0-9]* "
			    "links cut$");
	expect_has(out, "*** Results: 0% dropped (240/240 received)");
	/* Three userspace datapaths and a tunnel on 2 cores. */
	expect_iperf_at_least(out, "h1 -> h5 (OVS)", 100);
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines_within(10);
}

/* The loop's script, for the teardown; NULL: none. */
static char *loop_script;

static int loop_teardown(void **state)
{
	(void)state;
	if (loop_script)
		unlink(loop_script);
	free(loop_script);
	loop_script = NULL;
	return 0;
}

#define ALL_SIX "*** Results: 0% dropped (6/6 received)"

/* Sends 50 broadcasts from h1, then prints the frames h1 receives in the
 * next 2 s (/proc/net/dev of its namespace): a few at most (neighbour
 * probes), thousands when broadcasts go round a loop. */
#define STORM_CHECK                                                        \
	"h1 ping -c 50 -i 0.01 -b 10.255.255.255\n"                        \
	"h1 sh -c 'n() { set -- $(grep h1-eth0 /proc/net/dev | tr : \" \"); " \
	"echo $3; }; a=$(n); sleep 2; echo \"idle frames $(($(n) - a))\"'\n"

/* A triangle of OVS switches, one on each machine, a host on each: every
 * frame could go round; the controllers' one spanning tree keeps
 * broadcasts off the loop, and a link of it set down and up again is
 * taken out of and back into every machine's paths. */
static void test_run_pings_all_of_a_loop_over_three_machines(void **state)
{
	char *args, *out;
	const char *p;
	int idle = -1;

	(void)state;
	need_bed();
	loop_script = test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"local s = {}\n"
		"for i = 1, 3 do\n"
		"  s[i] = net:addSwitch('s' .. i, {placement = 'm' .. i})\n"
		"  local h = net:addHost('h' .. i, {placement = 'm' .. i})\n"
		"  net:addLink(h, s[i])\n"
		"end\n"
		"net:addLink(s[1], s[2])\n"
		"net:addLink(s[2], s[3])\n"
		"net:addLink(s[3], s[1])\n"
		"net:start()\n"
		"net:CLI()\n"
		"net:stop()\n");
	if (asprintf(&args, "--cluster swarm %s", loop_script) < 0)
		abort();
	out = cnemu_cli_in(1,
			   "nodes\npingall\n" STORM_CHECK
			   "link s1 s2 down\npingall\n"
			   "link s1 s2 up\npingall\n",
			   args);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "on m1: h1 s1");
	expect_has(out, "on m2: h2 s2");
	expect_has(out, "on m3: h3 s3");
	expect_has(out, "*** Running over 3 machines, 3 links cut");
	/* Three times: before, while and after the link is down. */
	p = out;
	for (int i = 0; i < 3; i++) {
		p = strstr(p, ALL_SIX);
		if (!p)
			fail_msg("pingall %d lost pings:\n%s", i + 1, out);
		p++;
	}
	p = strstr(out, "idle frames ");
	if (!p || sscanf(p, "idle frames %d", &idle) != 1 || idle > 100)
		fail_msg("h1 received %d frames in 2 idle seconds:\n%s", idle,
			 out);
	printf("h1 after 50 broadcasts into the loop: %d frames in 2 s\n",
	       idle);
	expect_lacks(out, "error");
	free(out);
	free(args);
	expect_nothing_on_machines_within(10);
}

/* Containernet's containernet_example.py with d1 on m2 and d2 on m3: the
 * switches' link (bw 1, delay 100 ms) is cut between them. */
static char *write_containernet_example(void)
{
	return test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"net:addController('c0')\n"
		"local d1 = net:addDocker('d1', {ip = '10.0.0.251', "
		"dimage = '" IMAGE "', placement = 'm2'})\n"
		"local d2 = net:addDocker('d2', {ip = '10.0.0.252', "
		"dimage = '" IMAGE "', placement = 'm3'})\n"
		"local h1 = net:addHost('h1', {ip = '10.0.0.1'})\n"
		"local s1 = net:addSwitch('s1', {placement = 'm2'})\n"
		"local s2 = net:addSwitch('s2', {placement = 'm3'})\n"
		"net:addLink(d1, s1)\n"
		"net:addLink(h1, s1)\n"
		"net:addLink(s1, s2, {cls = 'TCLink', delay = '100ms', "
		"bw = 1})\n"
		"net:addLink(s2, d2)\n"
		"net:start()\n"
		"net:ping({d1, d2})\n"
		"net:CLI()\n"
		"net:stop()\n");
}

static void test_run_containernet_example_over_two_machines(void **state)
{
	char *script, *args, *out, *stats;
	double ms;

	(void)state;
	need_bed();
	script = write_containernet_example();
	if (asprintf(&args, "--cluster swarm --switch lxbr %s", script) < 0)
		abort();
	out = cnemu_cli_in(1,
			   "nodes\n"
			   "d1 ping -c 30 -i 0.2 d2\n"
			   "h1 ping -c 1 -W 5 d1\n"
			   "link s1 s2 down\n"
			   "d1 ping -c 2 -W 1 d2\n"
			   "link s1 s2 up\n"
			   "d2 ping -c 3 -W 5 d1\n",
			   args);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "on m2: d1 s1");
	expect_has(out, "on m3: d2 s2");
	expect_has(out, "*** Results: 0% dropped (2/2 received)");
	/* The first ping's round trips: 2 x 100 ms over the cut link. */
	stats = strstr(out, "ping statistics");
	assert_non_null(stats);
	*stats = '\0';
	ms = test_ping_median(out);
	*stats = 'p';
	if (ms < 198 || ms > 202)
		fail_msg("d1 -> d2 median RTT %.3f ms, want 200 +- 2 ms:\n%s",
			 ms, out);
	printf("d1 -> d2 over the cut link: median RTT %.3f ms\n", ms);
	/* h1's ping is iputils' (the agent's image), d1's and d2's
	 * busybox's. */
	expect_has(out, "1 packets transmitted, 1 received");
	expect_has(out, "2 packets transmitted, 0 packets received");
	expect_has(out, "3 packets transmitted, 3 packets received");
	expect_lacks(out, "error");
	free(out);
	free(args);
	unlink(script);
	free(script);
	expect_nothing_on_machines_within(10);
}

/* The pid of the manager whose agents' service runs on the Swarm (its
 * name holds the run's tag, "cn<pid>"); 0 when none does. */
static int manager_pid(void)
{
	char *out = bed_sh_out(1, "docker service ls --format '{{.Name}}'");
	int pid = 0;

	if (sscanf(out, "cnemu-cn%d-agent", &pid) != 1)
		pid = 0;
	free(out);
	return pid;
}

/* A run on m1 in the background, its CLI reading a pipe that the test
 * holds open (as a user at a prompt); its output goes to 'log', with
 * "exit=<status>" once it ends. */
struct bg_run {
	char fifo[64];
	int wfd;
	char *log;
};

/* The runs of the test now, for the teardown; NULL: none. */
#define BG_RUNS 2
static struct bg_run *bg_live[BG_RUNS];

/* Starts "cnemu ARGS" as 'r'. */
static void bg_start(struct bg_run *r, const char *args)
{
	size_t slot = 0;

	while (slot < BG_RUNS && bg_live[slot])
		slot++;
	assert_true(slot < BG_RUNS);
	snprintf(r->fifo, sizeof(r->fifo), "/tmp/tcl-%d-%zu.fifo",
		 (int)getpid(), slot);
	assert_int_equal(mkfifo(r->fifo, 0600), 0);
	r->wfd = open(r->fifo, O_RDWR | O_CLOEXEC);
	assert_true(r->wfd >= 0);
	r->log = test_write_file("tcl", ".log", "");
	bg_live[slot] = r;
	sh("CNEMU_BED=" BED_NAME " %s/enter.sh m1 env -u DOCKER_HOST sh -c "
	   "'cd %s && %s %s; echo exit=$?' < %s > %s 2>&1 &",
	   bed_dir(), cwd, test_cnemu(), args, r->fifo, r->log);
}

/* True once the output of 'r' holds 'want', within 'wait_s' seconds. */
static bool bg_wait_for(const struct bg_run *r, const char *want, int wait_s)
{
	for (int t = 0; t <= wait_s * 10; t++) {
		char *out = sh_out("cat %s", r->log);
		bool found = strstr(out, want);

		free(out);
		if (found)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* Types 'lines' at the CLI of 'r'. */
static void bg_send(const struct bg_run *r, const char *lines)
{
	assert_int_equal(write(r->wfd, lines, strlen(lines)),
			 (ssize_t)strlen(lines));
}

/* Ends the input of 'r' (its CLI meets the end), waits up to STOP_S for
 * it to end and returns its output (caller frees). */
static char *bg_finish(struct bg_run *r)
{
	char *out;

	close(r->wfd);
	bg_wait_for(r, "exit=", STOP_S);
	unlink(r->fifo);
	out = sh_out("cat %s", r->log);
	unlink(r->log);
	free(r->log);
	for (size_t slot = 0; slot < BG_RUNS; slot++)
		if (bg_live[slot] == r)
			bg_live[slot] = NULL;
	return out;
}

/* Starts a cluster run on m1 in the background, its CLI waiting at a
 * prompt; once it has started, calls 'before_kill' (NULL: none) with the
 * manager's pid, then kills the manager with SIGKILL.  Returns its pid. */
static int run_and_kill_manager(void (*before_kill)(int pid))
{
	struct bg_run r;
	char *out;
	int pid = 0;

	bg_start(&r, "--cluster swarm --switch lxbr --controller none "
		     "--topo tree,depth=2,fanout=2");
	if (bg_wait_for(&r, "*** Started in", START_S))
		pid = manager_pid();
	if (pid > 0 && before_kill)
		before_kill(pid);
	if (pid > 0)
		kill(pid, SIGKILL);
	out = bg_finish(&r);
	if (pid <= 0)
		fail_msg("the run did not start:\n%s", out);
	free(out);
	return pid;
}

static void test_run_killed_leaves_nothing_on_any_machine(void **state)
{
	(void)state;
	need_bed();
	run_and_kill_manager(NULL);
	expect_nothing_on_machines_within(KILLED_CLEAN_S);
}

/* cnemu -c --cluster swarm on the manager's machine keeps a run whose
 * manager runs. */
static void expect_clean_keeps(int pid)
{
	char want[96], *out = cnemu_in(1, "-c --cluster swarm");

	snprintf(want, sizeof(want),
		 "*** Keeping cluster run cn%d: its manager runs", pid);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, want);
	free(out);
}

/* ... and removes at once, on every machine, one whose manager was
 * killed: well before its agents would by themselves (they wait 10 s
 * for the manager to come back). */
static void test_clean_removes_a_killed_managers_run_at_once(void **state)
{
	char want[96], *out;
	int pid;

	(void)state;
	need_bed();
	pid = run_and_kill_manager(expect_clean_keeps);
	out = cnemu_in(1, "-c --cluster swarm");
	snprintf(want, sizeof(want), "*** Removing cluster run cn%d ", pid);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, want);
	free(out);
	expect_nothing_on_machines_within(6);
}

/* Hosts on every machine (h1 h2 on m1, h3 and the container d4 on m2, h5
 * h6 on m3), their switches joined at s1 on m1: m1 and m3 stay joined
 * without m2. */
static char *write_three_machines_script(void)
{
	return test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"local s1 = net:addSwitch('s1', {placement = 'm1'})\n"
		"local s2 = net:addSwitch('s2', {placement = 'm2'})\n"
		"local s3 = net:addSwitch('s3', {placement = 'm3'})\n"
		"for _, h in ipairs({{'h1', 'm1', s1}, {'h2', 'm1', s1}, "
		"{'h3', 'm2', s2}, {'h5', 'm3', s3}, {'h6', 'm3', s3}}) do\n"
		"  net:addLink(net:addHost(h[1], {placement = h[2]}), h[3])\n"
		"end\n"
		"net:addLink(net:addDocker('d4', {dimage = '" IMAGE "', "
		"placement = 'm2'}), s2)\n"
		"net:addLink(s1, s2)\n"
		"net:addLink(s1, s3)\n"
		"net:start()\n"
		"net:CLI()\n"
		"net:stop()\n");
}

/* The line that reports m2's loss, up to what the run does then. */
#define M2_LOST "machine 'm2' is lost (its Docker engine is gone): 3 " \
		"nodes and 1 cut link gone; "

/* Whether m2's dockerd was killed and not brought back yet. */
static bool m2_down;
/* The test's write_three_machines_script(); NULL: none. */
static char *loss_script;

/* Starts that script over the three machines as 'r' ('args' added), kills
 * m2's dockerd once it runs, and fails unless the loss is reported within
 * LOST_REPORT_S seconds with the CLI waiting for a line. */
static void run_and_lose_m2(struct bg_run *r, const char *args)
{
	struct timespec t0, t1;
	char *line;

	loss_script = write_three_machines_script();
	if (asprintf(&line, "--cluster swarm --switch lxbr --controller none "
			    "%s %s",
		     args, loss_script) < 0)
		abort();
	bg_start(r, line);
	free(line);
	if (!bg_wait_for(r, "*** Running over 3 machines", START_S)) {
		char *out = bg_finish(r);

		fail_msg("the run did not start:\n%s", out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bed_kill_dockerd(2), 0);
	m2_down = true;
	if (!bg_wait_for(r, "machine 'm2' is lost", LOST_REPORT_S)) {
		char *out = bg_finish(r);

		fail_msg("m2's loss not reported within %d s:\n%s",
			 LOST_REPORT_S, out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("m2's dockerd killed: its loss reported after %.1f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* Brings m2's dockerd back and runs cnemu -c --cluster swarm, which
 * removes what the run left there (d4's container). */
static void restore_m2_and_clean(void)
{
	char *out;

	assert_int_equal(bed_restart(2), 0);
	m2_down = false;
	out = cnemu_in(1, "-c --cluster swarm");
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** Removing what dead runs left on the 3 machines");
	free(out);
}

/* After a run that lost m2: nothing of it on m1 and m3 at once, nothing
 * anywhere once m2 is back and cleaned. */
static void expect_loss_cleaned(void)
{
	expect_nothing_on_machine_within(1, 10);
	expect_nothing_on_machine_within(3, 10);
	restore_m2_and_clean();
	expect_nothing_on_machines_within(10);
}

/* Whether m2's underlay link is cut (its veth down in the underlay's
 * namespace) and not restored yet. */
static bool m2_cut;

static void cut_m2_underlay(void)
{
	m2_cut = true;
	assert_int_equal(sh("ip -n " BED_NAME "-ul link set m2 down"), 0);
}

static void restore_m2_underlay(void)
{
	assert_int_equal(sh("ip -n " BED_NAME "-ul link set m2 up"), 0);
	m2_cut = false;
}

/* The pid (on the machine, as seen here) of an agent or a manager
 * stopped by SIGSTOP and not woken up yet; 0: none. */
static int frozen_pid;

/* A test's teardown: whatever failed, the run ends and the bed is whole
 * and holds nothing of it. */
static int loss_teardown(void **state)
{
	(void)state;
	if (frozen_pid > 0)
		kill(frozen_pid, SIGCONT);
	frozen_pid = 0;
	if (m2_cut)
		restore_m2_underlay();
	for (size_t slot = 0; slot < BG_RUNS; slot++)
		if (bg_live[slot])
			free(bg_finish(bg_live[slot]));
	if (m2_down)
		restore_m2_and_clean();
	if (loss_script)
		unlink(loss_script);
	free(loss_script);
	loss_script = NULL;
	return 0;
}

static void test_machine_lost_is_reported_and_the_rest_runs_on(void **state)
{
	struct bg_run r;
	char *out;

	(void)state;
	need_bed();
	run_and_lose_m2(&r, "");
	bg_send(&r, "h3 ping -c 1 h1\npingall\nexit\n");
	out = bg_finish(&r);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, M2_LOST "the run goes on over the other 2 machines");
	assert_null(strstr(strstr(out, "is lost (") + 1, "is lost ("));
	expect_has(out, "error: 'h3': machine 'm2' is lost");
	/* The hosts of m1 and m3 reach each other, none reaches m2's. */
	expect_has(out, "h1 -> h2 X h5 h6 X");
	expect_has(out, "h6 -> h1 h2 X h5 X");
	expect_has(out, "h3 -> X X X X X");
	expect_has(out, "*** Results: 60% dropped (12/30 received)");
	free(out);
	expect_loss_cleaned();
}

static void test_machine_lost_with_stop_ends_the_run_cleanly(void **state)
{
	struct bg_run r;
	char *out;

	(void)state;
	need_bed();
	run_and_lose_m2(&r, "--cluster-loss stop");
	/* No line typed: the run ends by itself. */
	if (!bg_wait_for(&r, "exit=", STOP_S)) {
		out = bg_finish(&r);
		fail_msg("the run did not stop by itself:\n%s", out);
	}
	out = bg_finish(&r);
	expect_has(out, M2_LOST "stopping the run (--cluster-loss stop) on "
			"the other 2 machines");
	expect_has(out, "*** Stopping the parts and the agents");
	expect_lacks(out, "error");
	free(out);
	expect_loss_cleaned();
}

/* The pid of the agent's container on machine 'i' (the machines share
 * this pid namespace); 0 when none runs. */
static int agent_pid(int i)
{
	char *out = bed_sh_out(i, "docker inspect -f '{{.State.Pid}}' $(docker "
				  "ps -q --filter name=cnemu-cn) 2>/dev/null");
	int pid = atoi(out);

	free(out);
	return pid;
}

/* Fails unless 'r' prints 'want' within 'wait_s' seconds; returns the
 * seconds it took since 't0'. */
static double bg_expect_within(struct bg_run *r, const char *want,
			       int wait_s, const struct timespec *t0)
{
	struct timespec t1;

	if (!bg_wait_for(r, want, wait_s)) {
		char *out = bg_finish(r);

		fail_msg("'%s' not printed within %d s:\n%s", want, wait_s,
			 out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Writes the script 'write' makes (loss_script, for the teardown), runs
 * it over the machines as 'r' from '*t0' on, and waits until it prints
 * 'want'. */
static void bg_start_script(struct bg_run *r, char *(*write)(void),
			    const char *want, struct timespec *t0)
{
	char *args;

	loss_script = write();
	if (asprintf(&args, "--cluster swarm --switch lxbr --controller none "
			    "%s",
		     loss_script) < 0)
		abort();
	clock_gettime(CLOCK_MONOTONIC, t0);
	bg_start(r, args);
	free(args);
	bg_expect_within(r, want, START_S, t0);
}

static void freeze_m2_agent(void)
{
	frozen_pid = agent_pid(2);
	assert_true(frozen_pid > 0);
	assert_int_equal(kill(frozen_pid, SIGSTOP), 0);
}

static void thaw_m2_agent(void)
{
	assert_int_equal(kill(frozen_pid, SIGCONT), 0);
	frozen_pid = 0;
}

/* Runs the three machines' script, freezes m2 by 'freeze' ('what' it
 * is) without closing its channel, and fails unless its loss is
 * reported within FROZEN_REPORT_S and the other machines ping each
 * other; 'thaw' then, and after the run's end nothing is left. */
static void run_and_freeze_m2(void (*freeze)(void), void (*thaw)(void),
			      const char *what)
{
	static struct bg_run r;		/* the teardown's after a failure */
	struct timespec t0;
	char *out;

	bg_start_script(&r, write_three_machines_script,
			"*** Running over 3 machines", &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	freeze();
	printf("m2 %s: its loss reported after %.1f s\n", what,
	       bg_expect_within(&r, "machine 'm2' is lost", FROZEN_REPORT_S,
				&t0));
	bg_send(&r, "pingall\n");
	bg_expect_within(&r, "*** Results: ", STOP_S, &t0);
	thaw();
	bg_send(&r, "exit\n");
	out = bg_finish(&r);
	expect_status(out, test_exit_status(out), 0);
	expect_matches(out, "machine 'm2' is lost \\(192\\.168\\.250\\.2:"
			    "6690 has been silent for 5 s\\): 3 nodes and 1 "
			    "cut link gone; the run goes on over the other 2 "
			    "machines$");
	expect_has(out, "h1 -> h2 X h5 h6 X");
	expect_has(out, "h6 -> h1 h2 X h5 X");
	expect_has(out, "*** Results: 60% dropped (12/30 received)");
	free(out);
	expect_nothing_on_machines_within(30);
}

/* Its agent stopped: woken up, it finds its manager alive and stays
 * until the run's end removes the agents. */
static void test_frozen_machine_is_reported_and_the_rest_runs_on(void **state)
{
	(void)state;
	need_bed();
	run_and_freeze_m2(freeze_m2_agent, thaw_m2_agent, "agent frozen");
}

/* Its underlay link cut: its agent hears nothing of the manager either
 * and removes its part by itself. */
static void test_machine_cut_off_is_reported_and_the_rest_runs_on(
	void **state)
{
	(void)state;
	need_bed();
	run_and_freeze_m2(cut_m2_underlay, restore_m2_underlay,
			  "underlay cut");
}

/* How many times 'want' is in 'out'. */
static int count_of(const char *out, const char *want)
{
	int n = 0;

	for (const char *p = strstr(out, want); p; p = strstr(p + 1, want))
		n++;
	return n;
}

#define TREE_RUN "--cluster swarm --switch lxbr --controller none " \
		 "--topo tree,depth=2,fanout=2"
#define TREE_PINGALL_OK "*** Results: 0% dropped (12/12 received)"

/* Types 'pingall' at 'r' and fails unless its 'n'th result is 0 %
 * dropped. */
static void expect_pingall_ok(struct bg_run *r, int n)
{
	char *out;

	bg_send(r, "pingall\n");
	for (int t = 0; t < STOP_S * 10; t++) {
		out = sh_out("cat %s", r->log);
		if (count_of(out, "*** Results: ") >= n)
			break;
		free(out);
		out = NULL;
		usleep(100 * 1000);
	}
	if (!out || count_of(out, TREE_PINGALL_OK) < n)
		fail_msg("pingall %d of the run not 0 %% dropped:\n%s", n,
			 out ? out : "(nothing within the time)");
	free(out);
}

/* Two cluster runs at once over the same machines: each agent's part
 * carries a tag of its own (two per machine here), a run of one machine
 * goes beside them on m2, 'cnemu -c' on a machine and 'cnemu -c
 * --cluster swarm' keep both live runs, each pings all; the first ends
 * and the second still does. */
static void test_two_runs_side_by_side_keep_apart(void **state)
{
	static struct bg_run a, b;	/* the teardown's after a failure */
	struct timespec t0;
	char *out;

	(void)state;
	need_bed();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bg_start(&a, TREE_RUN);
	bg_expect_within(&a, "*** Running over 3 machines", START_S, &t0);
	bg_start(&b, TREE_RUN);
	bg_expect_within(&b, "*** Running over 3 machines", START_S, &t0);
	for (int i = 1; i <= BED_MACHINES; i++) {
		out = bed_sh_out(i, "ip netns list 2>/dev/null | cut -d- -f1 | "
				    "grep ^cn | sort -u | wc -l");
		if (atoi(out) != 2)
			fail_msg("m%d: %s tags of runs, want 2", i, out);
		free(out);
	}
	/* A run of one machine on m2 beside them, and cnemu -c there. */
	out = cnemu_in(2, "--topo single,3 --switch lxbr --controller none "
			  "--test pingall");
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** Results: 0% dropped (6/6 received)");
	free(out);
	out = cnemu_in(2, "-c");
	expect_status(out, test_exit_status(out), 0);
	free(out);
	out = cnemu_in(1, "-c --cluster swarm");
	expect_status(out, test_exit_status(out), 0);
	assert_int_equal(count_of(out, "*** Keeping cluster run cn"), 2);
	free(out);
	expect_pingall_ok(&a, 1);
	expect_pingall_ok(&b, 1);
	bg_send(&a, "exit\n");
	out = bg_finish(&a);
	expect_status(out, test_exit_status(out), 0);
	expect_lacks(out, "error");
	free(out);
	expect_pingall_ok(&b, 2);
	bg_send(&b, "exit\n");
	out = bg_finish(&b);
	expect_status(out, test_exit_status(out), 0);
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines_within(10);
}

/* h1 and s1 on m1, h2 and s2 on m2; once it runs, h3 is added on m3 and
 * linked to s1 (a new cut link), then removed; the script waits at a
 * CLI after each step. */
static char *write_runtime_script(void)
{
	return test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"local s1 = net:addSwitch('s1', {placement = 'm1'})\n"
		"local s2 = net:addSwitch('s2', {placement = 'm2'})\n"
		"net:addLink(net:addHost('h1', {placement = 'm1'}), s1)\n"
		"net:addLink(net:addHost('h2', {placement = 'm2'}), s2)\n"
		"net:addLink(s1, s2)\n"
		"net:start()\n"
		"print('*** step: started')\n"
		"net:CLI()\n"
		"local h3 = net:addHost('h3', {placement = 'm3'})\n"
		"net:addLink(h3, s1)\n"
		"local h9 = net:addHost('h9', {placement = 'm9'})\n"
		"print('*** h9: ' .. "
		"select(2, pcall(net.addLink, net, h9, s1)))\n"
		"net:delNode(h9)\n"
		"print('*** step: added')\n"
		"net:CLI()\n"
		"net:delNode(h3)\n"
		"print('*** step: removed')\n"
		"net:CLI()\n"
		"net:stop()\n");
}

/* The run's namespaces and tunnel devices on machine 'i', one line. */
static char *tunnels_and_namespaces(int i)
{
	return bed_sh_out(i, "echo $(ip netns list 2>/dev/null | cut -d- "
			     "-f2- | cut -d\\  -f1 | sort) $(ip -all netns "
			     "exec ip -o link show 2>/dev/null | grep -o "
			     "vx[0-9]*t | sort)");
}

static void test_nodes_added_and_removed_at_runtime_across_machines(
	void **state)
{
	static struct bg_run r;		/* the teardown's after a failure */
	char *before[BED_MACHINES + 1], *now, *out;
	struct timespec t0;

	(void)state;
	need_bed();
	bg_start_script(&r, write_runtime_script, "*** step: started", &t0);
	for (int i = 1; i <= BED_MACHINES; i++)
		before[i] = tunnels_and_namespaces(i);
	bg_send(&r, "exit\n");
	bg_expect_within(&r, "*** step: added", START_S, &t0);
	now = tunnels_and_namespaces(3);
	expect_has(now, "h3");
	expect_has(now, "vx");
	free(now);
	bg_send(&r, "nodes\nlinks\nh3 ping -c 1 -W 5 h2\npingall\nexit\n");
	bg_expect_within(&r, "*** step: removed", START_S, &t0);
	/* Nothing of h3 and its cut link left on any machine. */
	for (int i = 1; i <= BED_MACHINES; i++) {
		now = tunnels_and_namespaces(i);
		if (strcmp(now, before[i]))
			fail_msg("m%d holds %s, %s before", i, now, before[i]);
		printf("m%d before h3 and after: %s\n", i, now);
		free(now);
		free(before[i]);
	}
	bg_send(&r, "nodes\npingall\nexit\n");
	out = bg_finish(&r);
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** 'h3' runs on m3");
	expect_matches(out, "^\\*\\*\\* Link h3-s1 cut m3<->m1, vni [0-9]+$");
	expect_has(out, "on m3: h3");
	expect_has(out, "'h9': placement 'm9' names no machine of the run "
			"that is not lost");
	expect_has(out, "1 packets transmitted, 1 received");
	expect_has(out, "*** Results: 0% dropped (6/6 received)");
	expect_has(out, "*** Results: 0% dropped (2/2 received)");
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines_within(10);
}

/* The manager frozen: its agents hear nothing of it and, as when it is
 * killed, remove their parts, and the agent on the Swarm's manager the
 * service and the key; woken up, it finds its machines gone and ends
 * cleanly. */
static void test_frozen_manager_parts_are_removed_by_their_agents(
	void **state)
{
	static struct bg_run r;		/* the teardown's after a failure */
	struct timespec t0;
	char *out;

	(void)state;
	need_bed();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bg_start(&r, TREE_RUN);
	bg_expect_within(&r, "*** Running over 3 machines", START_S, &t0);
	frozen_pid = manager_pid();
	assert_true(frozen_pid > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kill(frozen_pid, SIGSTOP), 0);
	expect_nothing_on_machines_within(KILLED_CLEAN_S);
	printf("manager frozen: nothing of the run on any machine after "
	       "%.1f s\n",
	       bg_expect_within(&r, "", 0, &t0));
	assert_int_equal(kill(frozen_pid, SIGCONT), 0);
	frozen_pid = 0;
	bg_expect_within(&r, "machine 'm3' is lost", FROZEN_REPORT_S, &t0);
	bg_send(&r, "exit\n");
	out = bg_finish(&r);
	expect_status(out, test_exit_status(out), 0);
	free(out);
	expect_nothing_on_machines();
}

static void test_bed_goes_down_leaving_nothing(void **state)
{
	char *left;

	(void)state;
	need_bed();
	assert_int_equal(bed_down(), 0);
	bed_made = false;
	left = bed_leftovers();
	if (*left)
		fail_msg("the bed left:\n%s", left);
	free(left);
}

static int group_setup(void **state)
{
	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (bed_made)
		bed_down();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bed_comes_up),
		cmocka_unit_test(test_plan_places_a_tree_over_three_machines),
		cmocka_unit_test(test_plan_honours_pins_of_a_script),
		cmocka_unit_test(test_plan_without_a_swarm_manager_says_so),
		cmocka_unit_test(
			test_run_pings_all_of_a_tree_over_three_machines),
		cmocka_unit_test(
			test_run_pings_all_of_an_ovs_tree_over_three_machines),
		cmocka_unit_test_teardown(
			test_run_pings_all_of_a_loop_over_three_machines,
			loop_teardown),
		cmocka_unit_test(
			test_run_containernet_example_over_two_machines),
		cmocka_unit_test(test_run_killed_leaves_nothing_on_any_machine),
		cmocka_unit_test(
			test_clean_removes_a_killed_managers_run_at_once),
		cmocka_unit_test_teardown(
			test_machine_lost_is_reported_and_the_rest_runs_on,
			loss_teardown),
		cmocka_unit_test_teardown(
			test_machine_lost_with_stop_ends_the_run_cleanly,
			loss_teardown),
		cmocka_unit_test_teardown(
			test_frozen_machine_is_reported_and_the_rest_runs_on,
			loss_teardown),
		cmocka_unit_test_teardown(
			test_machine_cut_off_is_reported_and_the_rest_runs_on,
			loss_teardown),
		cmocka_unit_test_teardown(test_two_runs_side_by_side_keep_apart,
					  loss_teardown),
		cmocka_unit_test_teardown(
			test_nodes_added_and_removed_at_runtime_across_machines,
			loss_teardown),
		cmocka_unit_test_teardown(
			test_frozen_manager_parts_are_removed_by_their_agents,
			loss_teardown),
		cmocka_unit_test(test_bed_goes_down_leaving_nothing),
	};
	/* CNEMU_TEST_FILTER="*frozen*": one test, on a bed made by hand
	 * (tests/cluster/up.sh). */
	if (getenv("CNEMU_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CNEMU_TEST_FILTER"));

	return cmocka_run_group_tests_name("cluster", tests, group_setup,
					   group_teardown);
}
