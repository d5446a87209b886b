/* Faults with real services: cnemu killed with SIGKILL at random moments
 * of start, run and stop (then 'cnemu -c' leaves nothing of the run and
 * nothing else is touched); the run's ovs-vswitchd killed and dockerd
 * restarted under a run; a container and a controller killed; 'cnemu -c' and a second run
 * beside a live one; /run unwritable; a host's command that floods.
 *
 * Everything the tests make on their own is named "rbf*"; the runs use
 * switch names no one else uses ("k*"), so that other users' bridges
 * (Mininet's s1, ...) never meet ours. */
#include "tests/lib/testlib.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define FAULT_SEEDS 40
#define FAULT_START_MS 60000	/* a run comes up within this */
#define FAULT_STOP_MS 60000	/* and goes down within this */
#define BUSYBOX "cnemu/busybox:latest"

/* The topologies, picked by the script's first argument; "docker" as the
 * second adds a container where the topology has room for one.  Started,
 * they print RB-STARTED on stderr and give the CLI to stdin. */
static const char fault_script[] =
	"local v, docker = arg[1], arg[2] == 'docker'\n"
	"local img = {dimage = '" BUSYBOX "'}\n"
	"local net\n"
	"if v == 'lxbr' then\n"
	"  net = cnemu.Net{switch = 'lxbr', controller = false}\n"
	"  local prev\n"
	"  for i = 1, 4 do\n"
	"    local s = net:addSwitch('kl' .. i)\n"
	"    net:addLink(net:addHost('h' .. i), s)\n"
	"    if prev then net:addLink(prev, s) end\n"
	"    prev = s\n"
	"  end\n"
	"elseif v == 'ovs' then\n"
	"  net = cnemu.Net{switch = 'ovs'}\n"
	"  net:addController('c0')\n"
	"  local root = net:addSwitch('ko1')\n"
	"  for i = 2, 3 do\n"
	"    local s = net:addSwitch('ko' .. i)\n"
	"    net:addLink(root, s)\n"
	"    net:addLink(net:addHost('h' .. (2 * i - 3)), s)\n"
	"    net:addLink(net:addHost('h' .. (2 * i - 2)), s)\n"
	"  end\n"
	"elseif v == 'ovsc' then\n"
	"  net = cnemu.Net{switch = 'ovs'}\n"
	"  net:addController('c0', {cls = 'ovsc'})\n"
	"  local s = net:addSwitch('kc1')\n"
	"  for i = 1, 3 do net:addLink(net:addHost('h' .. i), s) end\n"
	"elseif v == 'mixed' then\n"
	"  net = cnemu.Net{switch = 'lxbr'}\n"
	"  net:addController('c0')\n"
	"  local s1 = net:addSwitch('km1', {cls = 'ovs'})\n"
	"  local s2 = net:addSwitch('km2')\n"
	"  local s3 = net:addSwitch('km3', {cls = 'ovsbr'})\n"
	"  net:addLink(net:addHost('h1'), s1)\n"
	"  net:addLink(net:addHost('h2'), s2)\n"
	"  net:addLink(net:addHost('h3'), s3)\n"
	"  net:addLink(s1, s2, {delay = '2ms'})\n"
	"  net:addLink(s2, s3, {bw = 10})\n"
	"  if docker then net:addLink(net:addDocker('d1', img), s2) end\n"
	"elseif v == 'docker' then\n"
	"  net = cnemu.Net{switch = 'lxbr', controller = false}\n"
	"  local s = net:addSwitch('kd1')\n"
	"  for i = 1, 2 do net:addLink(net:addHost('h' .. i), s) end\n"
	"  for i = 1, 2 do net:addLink(net:addDocker('d' .. i, img), s) end\n"
	"elseif v == 'flood' then\n"
	"  net = cnemu.Net{switch = 'lxbr', controller = false}\n"
	"  local s = net:addSwitch('kf1')\n"
	"  net:addLink(net:addHost('h1'), s)\n"
	"  net:start()\n"
	"  io.stderr:write('RB-STARTED\\n')\n"
	"  local out = net:get('h1'):cmd('yes')\n"
	"  io.stderr:write('RB-CMD-RETURNED ' .. #out .. '\\n')\n"
	"  return\n"
	"end\n"
	"net:start()\n"
	"io.stderr:write('RB-STARTED\\n')\n"
	"return net\n";

static char fault_dir[] = "/tmp/rbfault.XXXXXX";
static char fault_path[64];
/* The run of the test in progress, ended by the teardowns. */
static struct test_run fault_run;

static int fault_group_setup(void **state)
{
	FILE *f;

	(void)state;
	if (!mkdtemp(fault_dir))
		return -1;
	snprintf(fault_path, sizeof(fault_path), "%s/topo.lua", fault_dir);
	f = fopen(fault_path, "w");
	if (!f || fputs(fault_script, f) < 0 || fclose(f))
		return -1;
	fault_run.in_fd = fault_run.out_fd = -1;
	fault_run.status = -1;
	return 0;
}

static int fault_group_teardown(void **state)
{
	(void)state;
	unlink(fault_path);
	rmdir(fault_dir);
	return 0;
}

static int fault_teardown(void **state)
{
	(void)state;
	test_run_end(&fault_run);
	return 0;
}

static bool fault_have_docker(void)
{
	return geteuid() == 0 &&
	       !sh("timeout 10 docker info >/dev/null 2>&1") &&
	       !sh("docker image inspect " BUSYBOX " >/dev/null 2>&1");
}

/* OVS's programs: every run starts its own ovsdb-server and
 * ovs-vswitchd. */
static bool fault_have_ovs(void)
{
	return geteuid() == 0 &&
	       !sh("ovsdb-server --version >/dev/null 2>&1 && "
		   "ovs-vswitchd --version >/dev/null 2>&1");
}

/* Starts the script's topology 'variant' with the CLI on a pipe and waits
 * until it is up. */
static void fault_start(const char *variant, bool docker)
{
	test_wait_idle(60000);
	if (test_run_start(&fault_run, "%s %s %s%s", test_cnemu(), fault_path,
			   variant, docker ? " docker" : ""))
		fail_msg("cannot start cnemu");
	if (!test_run_expect(&fault_run, "RB-STARTED", FAULT_START_MS))
		fail_msg("topology '%s' did not start:\n%s", variant,
			 fault_run.out);
}

/* Sends a CLI line and waits for 'text' in what follows. */
static void fault_cli(const char *line, const char *text, int timeout_ms)
{
	test_run_send(&fault_run, "%s", line);
	if (!test_run_expect(&fault_run, text, timeout_ms))
		fail_msg("'%s' did not give '%s':\n%s", line, text,
			 fault_run.out + fault_run.seen);
}

/* Waits for 'text' in what the run prints next. */
static void fault_expect(const char *text, int timeout_ms)
{
	if (!test_run_expect(&fault_run, text, timeout_ms))
		fail_msg("no '%s' in:\n%s", text,
			 fault_run.out + fault_run.seen);
}

/* Prints the line of the run's output that holds 'text' (what cnemu
 * said about a fault), for the log. */
static void fault_print_line(const char *text)
{
	const char *hit = strstr(fault_run.out, text), *start = hit;

	while (start && start > fault_run.out && start[-1] != '\n')
		start--;
	if (start)
		printf("  cnemu: %.*s\n", (int)strcspn(start, "\n"), start);
}

/* Ends the run with the CLI's end of input and checks it left nothing. */
static void fault_stop_clean(void)
{
	pid_t pid = fault_run.pid;
	char *left;
	int status = test_run_wait(&fault_run, FAULT_STOP_MS);

	if (status != 0)
		fail_msg("cnemu did not stop cleanly within %d s (status %d):"
			 "\n%s",
			 FAULT_STOP_MS / 1000, status, fault_run.out);
	left = test_run_leftovers(pid, 5000);
	if (*left)
		fail_msg("the run left:\n%s\n%s", left, fault_run.out);
	free(left);
}

/* ---- SIGKILL at random moments ------------------------------------- */

/* splitmix64: the delays of a seed are the same on every machine. */
static uint64_t fault_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Objects of our own that cleanup must never touch. */
static void fault_make_own(bool ovs, bool docker)
{
	sh("ip netns add rbf-keep 2>/dev/null; "
	   "ip link add rbfbr type bridge 2>/dev/null; "
	   "ip link add rbf-v0 type veth peer name rbf-v1 2>/dev/null; "
	   "ip link set rbf-v0 alias cnemu:rbf 2>/dev/null; true");
	if (ovs)
		sh("ovs-vsctl --may-exist add-br rbfovs -- set bridge rbfovs "
		   "datapath_type=netdev external_ids:owner=rbf");
	if (docker)
		sh("docker run -d --name rbf-keep " BUSYBOX " sleep 3600 "
		   ">/dev/null 2>&1");
}

/* What of them is missing, "" when nothing (caller frees). */
static char *fault_own_missing(bool ovs, bool docker)
{
	return sh_out("ip netns list | grep -q '^rbf-keep' || echo netns; "
		      "ip link show rbfbr >/dev/null 2>&1 || echo rbfbr; "
		      "ip link show rbf-v0 >/dev/null 2>&1 || echo rbf-v0; "
		      "%s%s",
		      ovs ? "ovs-vsctl br-exists rbfovs || echo rbfovs; " : "",
		      docker ? "[ \"$(docker inspect -f '{{.State.Running}}' "
			       "rbf-keep 2>/dev/null)\" = true ] || "
			       "echo container; "
			     : "");
}

static void fault_remove_own(void)
{
	sh("ovs-vsctl --if-exists del-br rbfovs 2>/dev/null; "
	   "ip link del rbfbr 2>/dev/null; ip link del rbf-v0 2>/dev/null; "
	   "ip netns del rbf-keep 2>/dev/null; "
	   "docker rm -f rbf-keep >/dev/null 2>&1; true");
}

/* Our children still alive (a subreaper inherits the processes of a
 * killed cnemu), after reaping the dead ones; "" when none (caller
 * frees). */
static char *fault_live_children(void)
{
	char *list = calloc(1, 4096);
	size_t len = 0;
	struct dirent *de;
	DIR *proc;

	if (!list)
		abort();
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	proc = opendir("/proc");
	while (proc && (de = readdir(proc))) {
		char path[300], buf[512], *close_paren;
		long ppid = 0;
		char st = '?';
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		close_paren = strrchr(buf, ')');
		if (!close_paren ||
		    sscanf(close_paren + 1, " %c %ld", &st, &ppid) != 2 ||
		    ppid != (long)getpid() || st == 'Z')
			continue;
		if (len < 3900)
			len += (size_t)snprintf(list + len, 4096 - len,
						"process %s\n", buf);
	}
	if (proc)
		closedir(proc);
	return list;
}

static int fault_kill_teardown(void **state)
{
	char *kids, *line;

	fault_teardown(state);
	/* What a failed seed left (a controller) is ours now: end it. */
	kids = fault_live_children();
	for (line = kids; (line = strstr(line, "process ")); line++)
		kill((pid_t)atol(line + 8), SIGKILL);
	free(kids);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	if (geteuid() == 0)
		fault_remove_own();
	return 0;
}

enum fault_phase { PHASE_START, PHASE_RUN, PHASE_STOP, N_PHASES };
static const char *const fault_phase_names[] = { "start", "run", "stop" };

/* How long a topology takes to start and to stop here, measured once by
 * a run that is not killed: the kills of those phases fall within. */
struct fault_span {
	const char *variant;
	bool docker;
	unsigned int start_ms, stop_ms;
};

static const struct fault_span *fault_measure(const char *variant,
					      bool docker)
{
	static struct fault_span spans[16];
	static size_t n;
	double t0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(spans[i].variant, variant) &&
		    spans[i].docker == docker)
			return &spans[i];
	if (n == sizeof(spans) / sizeof(spans[0]))
		abort();
	spans[n].variant = variant;
	spans[n].docker = docker;
	test_wait_idle(60000);
	t0 = test_now();
	fault_start(variant, docker);
	spans[n].start_ms = (unsigned int)((test_now() - t0) * 1000) + 1;
	t0 = test_now();
	fault_stop_clean();
	spans[n].stop_ms = (unsigned int)((test_now() - t0) * 1000) + 1;
	test_run_end(&fault_run);
	printf("  %s%s: starts in %u ms, stops in %u ms\n", variant,
	       docker ? "+docker" : "", spans[n].start_ms, spans[n].stop_ms);
	return &spans[n++];
}

static void test_sigkill_at_random_moments_leaves_nothing_after_clean(
	void **state)
{
	static const char *const variants[] = { "lxbr", "ovs", "ovsc",
						"mixed" };
	unsigned int landed[N_PHASES] = { 0 }, missed = 0;
	bool ovs = fault_have_ovs(), docker = fault_have_docker();
	uint64_t n_seeds = FAULT_SEEDS;
	double t0 = test_now();
	char *missing;

	(void)state;
	if (require_root())
		return;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fault_make_own(ovs, docker);
	if (getenv("CNEMU_FAULT_SEEDS"))	/* more, for a long hunt */
		n_seeds = strtoull(getenv("CNEMU_FAULT_SEEDS"), NULL, 10);
	for (uint64_t seed = 1; seed <= n_seeds; seed++) {
		uint64_t s = seed;
		const char *variant = ovs ? variants[fault_rand(&s) % 4]
					  : "lxbr";
		bool with_docker = docker && !strcmp(variant, "mixed") &&
				   fault_rand(&s) % 2;
		enum fault_phase phase = (enum fault_phase)(fault_rand(&s) %
							   N_PHASES);
		const struct fault_span *span = fault_measure(variant,
							      with_docker);
		unsigned int delay_ms = (unsigned int)(
			fault_rand(&s) % (phase == PHASE_START ? span->start_ms
				          : phase == PHASE_STOP ? span->stop_ms
								: 1000));
		bool started, alive;
		char *left, *kids, *said;
		pid_t pid;

		test_wait_idle(60000);
		if (test_run_start(&fault_run, "%s %s %s%s", test_cnemu(),
				   fault_path, variant,
				   with_docker ? " docker" : ""))
			fail_msg("cannot start cnemu");
		pid = fault_run.pid;
		if (phase != PHASE_START &&
		    !test_run_expect(&fault_run, "RB-STARTED", FAULT_START_MS))
			fail_msg("seed %llu: '%s' did not start:\n%s",
				 (unsigned long long)seed, variant,
				 fault_run.out);
		if (phase == PHASE_RUN)
			test_run_send(&fault_run, "pingall");
		if (phase == PHASE_STOP) {
			close(fault_run.in_fd);	/* the CLI ends: stop */
			fault_run.in_fd = -1;
		}
		test_run_expect(&fault_run, "\x01never", (int)delay_ms);
		started = strstr(fault_run.out, "RB-STARTED") != NULL;
		alive = kill(pid, 0) == 0 &&
			waitpid(pid, NULL, WNOHANG) == 0;
		if (alive) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		} else {
			missed++;	/* it ended before the kill */
		}
		fault_run.status = 137;	/* the teardown cleans */
		if (alive)
			landed[phase == PHASE_START && started ? PHASE_RUN
							       : phase]++;
		printf("  seed %2llu: %-5s%s kill in %-5s after %4u ms%s\n",
		       (unsigned long long)seed, variant,
		       with_docker ? "+d" : "  ",
		       fault_phase_names[phase], delay_ms,
		       alive ? "" : " (it had ended)");
		fflush(stdout);
		said = sh_out("%s -c 2>&1; echo \"exit=$?\"", test_cnemu());
		if (test_exit_status(said) != 0)
			fail_msg("seed %llu: cnemu -c failed:\n%s",
				 (unsigned long long)seed, said);
		free(said);
		left = test_run_leftovers(pid, 5000);
		if (*left)
			fail_msg("seed %llu (%s, %s, %u ms): 'cnemu -c' left:\n"
				 "%s\ncnemu said:\n%s",
				 (unsigned long long)seed, variant,
				 fault_phase_names[phase], delay_ms, left,
				 fault_run.out);
		free(left);
		for (int i = 0;; i++) {
			kids = fault_live_children();
			if (!*kids || i == 30)
				break;
			free(kids);
			usleep(100000);
		}
		if (*kids)
			fail_msg("seed %llu (%s, %s, %u ms): processes of the "
				 "run survive 'cnemu -c':\n%s",
				 (unsigned long long)seed, variant,
				 fault_phase_names[phase], delay_ms, kids);
		free(kids);
		missing = fault_own_missing(ovs, docker);
		if (*missing)
			fail_msg("seed %llu: 'cnemu -c' removed objects it did "
				 "not make: %s",
				 (unsigned long long)seed, missing);
		free(missing);
		fault_run.status = 0;	/* cleaned */
		test_run_end(&fault_run);
	}
	printf("kills: %u landed (%u in start, %u in run, %u in stop), %u "
	       "after the run had ended, all cleaned, in %.1f s\n",
	       landed[0] + landed[1] + landed[2], landed[0], landed[1],
	       landed[2], missed, test_now() - t0);
	/* What was left out is reported (a failure under
	 * CNEMU_TEST_STRICT=1), not dropped. */
	if (!ovs || !docker)
		test_skip(!ovs ? "no running OVS: OVS and mixed topologies "
				 "were not killed"
			       : "no Docker engine or " BUSYBOX
				 ": no run with a container was killed");
}

/* ---- ovs-vswitchd killed ------------------------------------------- */

/* Daemons the tests restart outlive them: they must not keep a descriptor
 * of whatever started the test (a lock held around it, say). */
#define FAULT_NO_FDS "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; "

/* The run's private OVS: its directory, and the commands that reach it. */
#define FAULT_OVS "/run/cnemu/cn%d/ovs"
#define FAULT_VSCTL "ovs-vsctl --db=unix:" FAULT_OVS "/db.sock "
#define FAULT_OFCTL_FLOWS "ovs-ofctl dump-flows unix:" FAULT_OVS "/%s.mgmt"

/* Kills the ovs-vswitchd of the run; true once it is gone. */
static bool fault_kill_vswitchd(void)
{
	int p = (int)fault_run.pid;

	/* Gone once it is a zombie: the run reaps it when it notices. */
	return !sh("pid=$(cat " FAULT_OVS "/ovs-vswitchd.pid) && "
		   "kill -9 $pid && for i in $(seq 50); do "
		   "case $(ps -o stat= -p $pid) in ''|Z*) exit 0;; esac; "
		   "sleep 0.1; done; exit 1", p);
}

/* Pings all through the CLI until nothing drops, for up to 'tries'
 * rounds; true when it got there. */
static bool fault_pingall_until_clean(int tries)
{
	for (int i = 0; i < tries; i++) {
		size_t at;

		test_run_send(&fault_run, "pingall 1");
		if (!test_run_expect(&fault_run, "*** Results: ", 120000))
			return false;
		at = fault_run.seen;
		if (!test_run_expect(&fault_run, "dropped", 2000))
			return false;
		if (!strncmp(fault_run.out + at, "0% dropped", 10)) {
			printf("  pingall passes again after %d rounds\n",
			       i + 1);
			return true;
		}
		sleep(1);
	}
	return false;
}

/* The run's ovs-vswitchd killed: the run says so at the next command and
 * starts it again, which makes the bridges again from the run's ovsdb. */
static void test_vswitchd_restart_brings_bridges_back(void **state)
{
	char *offload, *flows;
	int p;

	(void)state;
	if (require_ovs())
		return;
	fault_start("ovs", false);
	p = (int)fault_run.pid;
	fault_cli("pingall", "*** Results: 0% dropped", 60000);
	assert_true(fault_kill_vswitchd());
	/* Without it the userspace datapath forwards nothing; the CLI says
	 * why. */
	test_run_send(&fault_run, "pingall 1");
	if (!test_run_expect(&fault_run, "ovs-vswitchd", 30000))
		fail_msg("the CLI does not say that ovs-vswitchd is gone:\n%s",
			 fault_run.out + fault_run.seen);
	fault_print_line("ovs-vswitchd was killed by signal 9");
	if (!fault_pingall_until_clean(10))
		fail_msg("pingall does not pass after ovs-vswitchd came "
			 "back:\n%s",
			 fault_run.out);
	fault_print_line("ovs-vswitchd is back");
	/* The bridges came back from ovsdb with their ports and the veths
	 * kept their TX checksum offload off (the userspace datapath needs
	 * it so, or TCP stalls). */
	offload = sh_out("for i in $(" FAULT_VSCTL "list-ports ko1); do "
			 "ip netns exec cn%d-sw ethtool -k $i | "
			 "grep '^tx-checksumming'; done", p, p);
	assert_null(strstr(offload, ": on"));
	assert_non_null(strstr(offload, ": off"));
	free(offload);
	flows = sh_out(FAULT_OFCTL_FLOWS " | grep -c priority", p, "ko2");
	assert_true(atoi(flows) > 0);
	free(flows);
	fault_stop_clean();
}

/* ---- a controller killed ------------------------------------------- */

static void test_killed_controller_is_reported_and_flows_stay(void **state)
{
	char *fail_mode, *flows, path[128];
	FILE *f;
	long pid = 0;

	(void)state;
	if (require_ovs())
		return;
	/* Killed before any traffic: the controller has learned no host
	 * from a packet, so only the flows it installed from the topology
	 * carry the pings (a host it never heard from was reached through
	 * the controller alone, and not at all once it died). */
	fault_start("ovs", false);
	snprintf(path, sizeof(path), "/run/cnemu/cn%d/c0.pid",
		 (int)fault_run.pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		fail_msg("no controller pid in %s", path);
	fclose(f);
	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	usleep(200000);
	/* Reported at the next command ... */
	fault_cli("pingall", "controller 'c0'", 30000);
	fault_print_line("controller 'c0'");
	if (!test_run_expect(&fault_run, "*** Results: 0% dropped", 60000))
		fail_msg("the flows the controller installed do not carry "
			 "traffic after it died:\n%s",
			 fault_run.out);
	/* ... and the switches stay in their fail mode: secure keeps the
	 * flows it has and takes no others. */
	fail_mode = sh_out(FAULT_VSCTL "get-fail-mode ko1",
			   (int)fault_run.pid);
	assert_string_equal(fail_mode, "secure\n");
	free(fail_mode);
	flows = sh_out(FAULT_OFCTL_FLOWS " | grep -c priority",
		       (int)fault_run.pid, "ko1");
	assert_true(atoi(flows) > 0);
	free(flows);
	fault_stop_clean();
}

/* ---- dockerd restarted, a container killed ------------------------- */

static void fault_ensure_dockerd(void)
{
	if (!sh("timeout 10 docker info >/dev/null 2>&1"))
		return;
	if (sh("kill -0 \"$(cat /var/run/docker.pid 2>/dev/null)\" "
	       "2>/dev/null"))
		sh(FAULT_NO_FDS "setsid nohup dockerd "
		   ">>/var/log/cnemu-dockerd.log 2>&1 </dev/null &");
	sh("for i in $(seq 60); do timeout 10 docker info >/dev/null 2>&1 "
	   "&& exit 0; sleep 1; done; exit 1");
}

static int fault_dockerd_teardown(void **state)
{
	if (geteuid() == 0)
		fault_ensure_dockerd();
	return fault_teardown(state);
}

static void test_dockerd_restart_and_killed_container_are_reported(
	void **state)
{
	char *others, name[64];

	(void)state;
	if (require_docker())
		return;
	if (!fault_have_docker()) {
		test_skip("no image " BUSYBOX " (make deps makes it)");
		return;
	}
	/* Restarting dockerd stops every container: not others'. */
	others = sh_out("docker ps -q | wc -l");
	if (atoi(others) > 0) {
		char reason[160];

		snprintf(reason, sizeof(reason),
			 "restarting dockerd would stop %d containers this "
			 "test did not make",
			 atoi(others));
		free(others);
		test_skip(reason);
		return;
	}
	free(others);
	fault_start("docker", true);
	fault_cli("pingall", "*** Results: 0% dropped", 60000);
	/* One container killed: reported, the others still reached. */
	snprintf(name, sizeof(name), "cn%d.d1", (int)fault_run.pid);
	assert_int_equal(sh("docker kill %s >/dev/null", name), 0);
	fault_cli("pingall", "'d1': container", 30000);
	fault_print_line("'d1': container");
	fault_expect("*** Results: ", 60000);
	/* Its namespace went away with it (the kernel takes a moment). */
	fault_cli("pingall", "h1 -> h2 X d2", 60000);
	/* dockerd restarted: it stops the other container; reported, the
	 * namespace hosts keep working. */
	/* The machine's engine only (/var/run/docker.pid): not another
	 * dockerd, such as a simulated cluster's machines'. */
	assert_int_equal(sh("p=$(cat /var/run/docker.pid) && kill -TERM $p "
			    "&& for i in $(seq 60); do kill -0 $p 2>/dev/null "
			    "|| exit 0; sleep 1; done; exit 1"),
			 0);
	fault_ensure_dockerd();
	fault_cli("pingall", "'d2': container", 30000);
	fault_print_line("'d2': container");
	fault_expect("*** Results: ", 60000);
	fault_cli("pingall", "h1 -> h2 X X", 60000);
	/* Stop removes both containers through the new engine. */
	fault_stop_clean();
}

/* ---- cnemu -c and a second run while one lives --------------------- */

static void test_clean_and_second_run_leave_a_live_run_alone(void **state)
{
	bool ovs = fault_have_ovs();
	char *before, *after, *out;
	struct test_run second;
	int status;

	(void)state;
	if (require_root())
		return;
	fault_start(ovs ? "mixed" : "lxbr", false);
	fault_cli("pingall", "*** Results: ", 60000);
	before = test_run_leftovers(fault_run.pid, 0);
	assert_int_equal(sh("%s -c >/dev/null 2>&1", test_cnemu()), 0);
	after = test_run_leftovers(fault_run.pid, 0);
	assert_string_equal(before, after);
	free(after);
	/* A second run of the same names runs beside it. */
	if (test_run_start(&second, "%s --topo minimal --switch %s "
				    "--test pingall",
			   test_cnemu(), fault_have_ovs() ? "ovs" : "lxbr"))
		fail_msg("cannot start cnemu");
	status = test_run_wait(&second, 60000);
	out = strdup(second.out);
	test_run_end(&second);
	if (status != 0 || !strstr(out, "*** Results: 0% dropped"))
		fail_msg("second run: status %d:\n%s", status, out);
	free(out);
	after = test_run_leftovers(fault_run.pid, 0);
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* The live run still works and stops cleanly. */
	fault_cli("pingall", "*** Results: ", 60000);
	fault_stop_clean();
	if (!ovs)
		test_skip("no running OVS: the live run had Linux bridges "
			  "only");
}

/* ---- /run unwritable, a flooding command --------------------------- */

/* Runs cnemu in a private mount namespace where 'mount' (a shell line)
 * was done first; expects it to fail with 'says' and leave nothing. */
static void fault_expect_clear_failure(const char *mount, const char *args,
				       const char *says)
{
	double t0 = test_now();
	char *left;
	int status;

	test_wait_idle(60000);
	if (test_run_start(&fault_run, "unshare -m --propagation private sh -c "
				       "'%s && exec %s %s'",
			   mount, test_cnemu(), args))
		fail_msg("cannot start cnemu");
	status = test_run_wait(&fault_run, 60000);
	printf("  %s: status %d in %.2f s\n", mount, status, test_now() - t0);
	if (status != 1 || !strstr(fault_run.out, says))
		fail_msg("with %s: status %d, expected 1 and '%s':\n%s", mount,
			 status, says, fault_run.out);
	left = test_run_leftovers(fault_run.pid, 5000);
	if (*left)
		fail_msg("with %s the run left:\n%s", mount, left);
	free(left);
	test_run_end(&fault_run);
}

static void test_unwritable_run_dirs_fail_clearly(void **state)
{
	static const char *const args = "--topo minimal --switch lxbr "
					"--test pingall";

	(void)state;
	if (require_root())
		return;
	/* The run's lock, its directory, the hosts' namespaces. */
	fault_expect_clear_failure("mount -t tmpfs -o ro rbfro /run/cnemu",
				   args,
				   "/run/cnemu/lock: Read-only file system");
	fault_expect_clear_failure("mount -t tmpfs -o nr_inodes=2 rbffull "
				   "/run/cnemu",
				   args, "No space left on device");
	fault_expect_clear_failure("mount -t tmpfs -o ro rbfro /run/netns",
				   args, "Read-only file system");
}

static void test_flooding_command_is_bounded(void **state)
{
	double t0 = test_now();
	char *out, *script;
	long bytes;
	FILE *f;

	(void)state;
	if (require_root())
		return;
	/* Through the CLI: streamed to our stdout, never held. */
	test_wait_idle(60000);
	if (asprintf(&script, "%s/flood.sh", fault_dir) < 0)
		abort();
	f = fopen(script, "w");
	if (!f)
		fail_msg("cannot write %s", script);
	fprintf(f, "printf 'h1 yes | head -c 100000000\\nh1 echo rbf-after\\n' "
		   "| timeout 300 %s %s lxbr 2>/dev/null | "
		   "tee >(tail -c 100 >%s.tail) | wc -c\n",
		test_cnemu(), fault_path, script);
	fclose(f);
	out = sh_out("bash %s; sleep 0.2; cat %s.tail", script, script);
	bytes = atol(out);
	printf("  CLI: %ld bytes in %.1f s\n", bytes, test_now() - t0);
	if (bytes < 100000000 || !strstr(out, "rbf-after"))
		fail_msg("the CLI flood gave: %s", out);
	free(out);
	sh("rm -f %s %s.tail", script, script);
	free(script);
	/* Through node:cmd(), which returns the output as a string: a clear
	 * error at a bound, not all of memory (ulimit: a safety net). */
	t0 = test_now();
	test_wait_idle(60000);
	if (test_run_start(&fault_run, "sh -c 'ulimit -v 4000000; exec %s %s "
				       "flood'",
			   test_cnemu(), fault_path))
		fail_msg("cannot start cnemu");
	if (test_run_wait(&fault_run, 120000) < 0)
		fail_msg("node:cmd('yes') did not return in 120 s");
	printf("  node:cmd: status %d in %.1f s\n", fault_run.status,
	       test_now() - t0);
	fault_print_line("exceeds");
	if (fault_run.status != 1 || strstr(fault_run.out, "RB-CMD-RETURNED") ||
	    !strstr(fault_run.out, "topo.lua:") ||
	    !strstr(fault_run.out, "output"))
		fail_msg("node:cmd('yes'): status %d:\n%.2000s",
			 fault_run.status, fault_run.out);
	test_run_end(&fault_run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_sigkill_at_random_moments_leaves_nothing_after_clean,
			fault_kill_teardown),
		cmocka_unit_test_teardown(
			test_vswitchd_restart_brings_bridges_back,
			fault_teardown),
		cmocka_unit_test_teardown(
			test_killed_controller_is_reported_and_flows_stay,
			fault_teardown),
		cmocka_unit_test_teardown(
			test_dockerd_restart_and_killed_container_are_reported,
			fault_dockerd_teardown),
		cmocka_unit_test_teardown(
			test_clean_and_second_run_leave_a_live_run_alone,
			fault_teardown),
		cmocka_unit_test_teardown(test_unwritable_run_dirs_fail_clearly,
					  fault_teardown),
		cmocka_unit_test_teardown(test_flooding_command_is_bounded,
					  fault_teardown),
	};

	/* CNEMU_TEST_FILTER=test_flood* runs only those */
	if (getenv("CNEMU_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CNEMU_TEST_FILTER"));
	return cmocka_run_group_tests_name("faults", tests, fault_group_setup,
					   fault_group_teardown);
}
