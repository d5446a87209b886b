/* Load: a 500-host single topology (Linux bridge) and a 100-switch linear
 * one (OVS) start, reach across, and stop cleanly; memory and file
 * descriptors stay flat over 20 start/stop cycles of one Net in one
 * process.  Times and sizes are printed. */
#include "tests/lib/testlib.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define LOAD_START_MS 300000	/* 500 hosts come up within this */
#define LOAD_CYCLES 20
/* How much the resident size may still grow between cycle 5 and the last:
 * the first cycles warm caches and pools. */
#define LOAD_RSS_SLACK_KB 2048

static struct test_run load_run;
static char load_dir[] = "/tmp/rbload.XXXXXX";

/* One Net started and stopped LOAD_CYCLES times: a cycle prints
 * "RB-CYCLE <n> <rss kB> <fds> <dropped %>".  Its OVS switch (with the
 * builtin controller) only when the first argument is "ovs". */
static const char load_cycle_script[] =
	"local ovs = arg[1] == 'ovs'\n"
	"local net = cnemu.Net{switch = 'lxbr'}\n"
	"local s1 = net:addSwitch('kr1')\n"
	"for i = 1, 3 do net:addLink(net:addHost('h' .. i), s1) end\n"
	"if ovs then\n"
	"  net:addController('c0')\n"
	"  local s2 = net:addSwitch('kr2', {cls = 'ovs'})\n"
	"  net:addLink(s1, s2, {bw = 100})\n"
	"  net:addLink(net:addHost('h4'), s2, {delay = '1ms'})\n"
	"end\n"
	"local pid = io.open('/proc/self/stat'):read('n')\n"
	"local function rss()\n"
	"  for line in io.lines('/proc/self/status') do\n"
	"    local kb = line:match('^VmRSS:%s+(%d+)')\n"
	"    if kb then return tonumber(kb) end\n"
	"  end\n"
	"end\n"
	"local function fds()\n"
	"  local p = io.popen('ls /proc/' .. pid .. '/fd | wc -l')\n"
	"  local n = p:read('n')\n"
	"  p:close()\n"
	"  return n\n"
	"end\n"
	"for i = 1, tonumber(arg[2]) do\n"
	"  net:start()\n"
	"  local dropped = net:pingAll()\n"
	"  net:stop()\n"
	"  collectgarbage()\n"
	"  io.stderr:write(string.format('RB-CYCLE %d %d %d %d\\n', i, rss(),\n"
	"                                fds(), dropped))\n"
	"end\n";

static int load_group_setup(void **state)
{
	(void)state;
	load_run.in_fd = load_run.out_fd = -1;
	load_run.status = -1;
	return mkdtemp(load_dir) ? 0 : -1;
}

static int load_group_teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", load_dir);
	return 0;
}

static int load_teardown(void **state)
{
	(void)state;
	test_run_end(&load_run);
	return 0;
}

/* Starts cnemu with 'args' and the CLI on a pipe; returns the seconds it
 * says it took to start. */
static double load_start(const char *args)
{
	double t0 = test_now();
	const char *p;

	test_wait_idle(60000);
	if (test_run_start(&load_run, "%s %s", test_cnemu(), args))
		fail_msg("cannot start cnemu");
	if (!test_run_expect(&load_run, "*** Started in ", LOAD_START_MS))
		fail_msg("cnemu %s did not start in %d s:\n%.4000s", args,
			 LOAD_START_MS / 1000, load_run.out);
	p = load_run.out + load_run.seen;
	printf("  %s: started in %.1f s (%.1f s with the process)\n", args,
	       atof(p), test_now() - t0);
	return atof(p);
}

/* The resident size of the run's process, kB. */
static long load_rss_kb(pid_t pid)
{
	char *out = sh_out("awk '/^VmRSS:/ {print $2}' /proc/%d/status",
			   (int)pid);
	long kb = atol(out);

	free(out);
	return kb;
}

/* Ends the run (end of the CLI's input), checks it left nothing; prints
 * how long the stop took. */
static void load_stop(void)
{
	double t0 = test_now();
	pid_t pid = load_run.pid;
	int status = test_run_wait(&load_run, LOAD_START_MS);
	char *left;

	printf("  stopped in %.1f s, status %d\n", test_now() - t0, status);
	if (status != 0)
		fail_msg("cnemu exited with %d:\n%.4000s", status,
			 load_run.out + load_run.seen);
	left = test_run_leftovers(pid, 10000);
	if (*left)
		fail_msg("the run left:\n%.4000s", left);
	free(left);
}

/* Fails unless the sysctl /proc/sys/'name' in the namespace
 * "cn<pid>-'ns'" of the run is 'want'; "absent" when it has no such
 * file. */
static void load_expect_sysctl(pid_t pid, const char *ns, const char *name,
			       const char *want)
{
	char *out = sh_out("ip netns exec cn%d-%s sh -c 'cat /proc/sys/%s "
			   "2>/dev/null || echo absent'",
			   (int)pid, ns, name);

	if (strncmp(out, want, strlen(want)))
		fail_msg("cn%d-%s: %s is '%s', not %s", (int)pid, ns, name,
			 out, want);
	free(out);
}

static uint64_t load_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Pings between every ordered pair of each group of 'group' hosts among
 * 'n' out of 'n_hosts' (h1 and the last among them, the others picked by
 * 'seed'), a group's pings in parallel through the CLI's Lua, each
 * waiting up to 'timeout_s'; fails unless all pass.  Prints the time. */
static void load_ping_sample(unsigned int n_hosts, unsigned int n,
			     unsigned int group, uint64_t seed,
			     unsigned int timeout_s)
{
	unsigned int picked[64] = { 1, n_hosts }, k = 2, sent = 0;
	double t0 = test_now();

	while (k < n && k < 64) {
		unsigned int h = 1 + (unsigned int)(load_rand(&seed) % n_hosts);
		unsigned int i;

		for (i = 0; i < k && picked[i] != h; i++)
			;
		if (i == k)
			picked[k++] = h;
	}
	for (unsigned int g = 0; g < k; g += group) {
		unsigned int m = k - g < group ? k - g : group;
		char list[512] = "", expect[64];
		size_t len = 0, from;

		for (unsigned int i = 0; i < m; i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s'h%u'", i ? ", " : "",
						picked[g + i]);
		snprintf(expect, sizeof(expect), "0%% dropped (%u/%u received)",
			 m * (m - 1), m * (m - 1));
		/* Once more after a pause: right after a big start, the
		 * hosts' IPv6 announcements flood the bridge for a moment and
		 * a host's first ARP probes may be lost (printed). */
		for (int round = 0;; round++) {
			test_run_send(&load_run, "lua net:ping({%s}, %u)",
				      list, timeout_s);
			if (!test_run_expect(&load_run,
					     "*** Ping: testing ping", 300000))
				fail_msg("ping of {%s} did not start:\n%.4000s",
					 list, load_run.out + load_run.seen);
			from = load_run.seen;	/* the buffer may move */
			if (!test_run_expect(&load_run, "*** Results: ",
					     300000) ||
			    !test_run_expect(&load_run, "received)", 2000))
				fail_msg("ping of {%s} did not end:\n%.4000s",
					 list, load_run.out + from);
			sent += m * (m - 1);
			if (strstr(load_run.out + from, expect))
				break;
			if (round)
				fail_msg("pings among {%s} dropped:\n%.4000s",
					 list, load_run.out + from);
			printf("  first round dropped, again in 3 s:\n%.2000s",
			       load_run.out + from);
			sleep(3);
		}
	}
	printf("  %u pings among %u of the hosts, %u at a time, in %.1f s\n",
	       sent, k, group * (group - 1), test_now() - t0);
}

static void test_single_500_hosts_reach_each_other_and_stop_clean(
	void **state)
{
	(void)state;
	if (require_root())
		return;
	load_start("--topo single,500 --switch lxbr");
	printf("  cnemu holds %ld kB with 500 hosts\n",
	       load_rss_kb(load_run.pid));
	/* The bridges' ports have no IPv6 (each port's routes slowed every
	 * IPv6 route lookup there down); the hosts keep theirs.  The bridge
	 * s1 has a namespace of its own, "<tag>-s1". */
	load_expect_sysctl(load_run.pid, "s1", "net/ipv6/conf/all/disable_ipv6",
			   "1");
	load_expect_sysctl(load_run.pid, "s1",
			   "net/ipv6/conf/s1-eth1/disable_ipv6", "1");
	load_expect_sysctl(load_run.pid, "h1",
			   "net/ipv6/conf/h1-eth0/disable_ipv6", "0");
	/* Nor do the bridges hand frames to br_netfilter (when loaded). */
	if (access("/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK) == 0)
		load_expect_sysctl(load_run.pid, "s1",
				   "net/bridge/bridge-nf-call-iptables", "0");
	test_run_send(&load_run, "pingpair");
	if (!test_run_expect(&load_run, "*** Results: 0% dropped (2/2",
			     60000))
		fail_msg("pingpair:\n%s", load_run.out + load_run.seen);
	/* A sample across the bridge: all pairs would be 249,500 pings. */
	load_ping_sample(500, 12, 12, 500, 5);
	load_stop();
}

static void test_linear_100_switches_reach_end_to_end_and_stop_clean(
	void **state)
{
	(void)state;
	if (require_ovs())
		return;
	/* The userspace datapath takes some 20 ms a hop with 100 bridges
	 * on two cores: a ping across all 99 needs seconds, beyond the
	 * kernel's 3 s of ARP resolution (static entries, then), the full
	 * pingall beyond two minutes and many pings at once over the long
	 * path beyond what the datapath carries (pairs of a sample, then). */
	load_start("--topo linear,100 --switch ovs --arp");
	printf("  cnemu holds %ld kB with 100 switches\n",
	       load_rss_kb(load_run.pid));
	test_run_send(&load_run, "pingpair");
	if (!test_run_expect(&load_run, "*** Results: 0% dropped (2/2",
			     60000))
		fail_msg("pingpair:\n%s", load_run.out + load_run.seen);
	load_ping_sample(100, 8, 2, 100, 30);
	load_stop();
}

/* Runs the cycle script with 'variant' and checks every cycle passed and
 * memory and descriptors stayed flat. */
static void load_cycles(const char *variant)
{
	long rss[LOAD_CYCLES + 1] = { 0 }, fds[LOAD_CYCLES + 1] = { 0 };
	long fds_first = 0, fds_last = 0;
	char path[128];
	double t0 = test_now();
	int status;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cycles.lua", load_dir);
	f = fopen(path, "w");
	if (!f || fputs(load_cycle_script, f) < 0 || fclose(f))
		fail_msg("cannot write %s", path);
	test_wait_idle(60000);
	if (test_run_start(&load_run, "%s %s %s %d", test_cnemu(), path,
			   variant, LOAD_CYCLES))
		fail_msg("cannot start cnemu");
	status = test_run_wait(&load_run, 300000);
	for (const char *p = load_run.out; (p = strstr(p, "RB-CYCLE "));
	     p++) {
		int i, dropped;
		long kb, n;

		if (sscanf(p, "RB-CYCLE %d %ld %ld %d", &i, &kb, &n,
			   &dropped) != 4 ||
		    i < 1 || i > LOAD_CYCLES)
			continue;
		if (dropped)
			fail_msg("%s cycle %d: pingAll dropped %d%%:\n%.4000s",
				 variant, i, dropped, load_run.out);
		rss[i] = kb;
		fds[i] = n;
	}
	if (status != 0 || !rss[LOAD_CYCLES])
		fail_msg("%s: status %d after %s cycles:\n%.4000s", variant,
			 status, rss[1] ? "some" : "no", load_run.out);
	printf("  %s: %d cycles in %.1f s; RSS %ld, %ld, %ld kB (cycles 1, "
	       "5, %d); fds",
	       variant, LOAD_CYCLES, test_now() - t0, rss[1], rss[5],
	       rss[LOAD_CYCLES], LOAD_CYCLES);
	for (int i = 1; i <= LOAD_CYCLES; i++)
		printf(" %ld", fds[i]);
	printf("\n");
	if (rss[LOAD_CYCLES] - rss[5] > LOAD_RSS_SLACK_KB)
		fail_msg("%s: RSS grew from %ld kB (cycle 5) to %ld kB (cycle "
			 "%d)",
			 variant, rss[5], rss[LOAD_CYCLES], LOAD_CYCLES);
	/* A descriptor may come and go with a moment's work, but a leak
	 * shows in every later cycle: the fewest of the last five stay at
	 * most the most of the first five. */
	fds_last = fds[LOAD_CYCLES];
	for (int i = 1; i <= 5; i++) {
		if (fds[i] > fds_first)
			fds_first = fds[i];
		if (fds[LOAD_CYCLES - 5 + i] < fds_last)
			fds_last = fds[LOAD_CYCLES - 5 + i];
	}
	if (fds_last > fds_first)
		fail_msg("%s: open descriptors went from %ld (cycles 1-5) to "
			 "%ld (cycles %d-%d)",
			 variant, fds_first, fds_last, LOAD_CYCLES - 4,
			 LOAD_CYCLES);
	test_run_end(&load_run);
}

static void test_memory_stays_flat_over_20_start_stop_cycles(void **state)
{
	(void)state;
	if (require_root())
		return;
	load_cycles("lxbr");
	/* The OVS half is reported as a skip (a failure in CI), not dropped. */
	if (!require_ovs())
		load_cycles("ovs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_single_500_hosts_reach_each_other_and_stop_clean,
			load_teardown),
		cmocka_unit_test_teardown(
			test_linear_100_switches_reach_end_to_end_and_stop_clean,
			load_teardown),
		cmocka_unit_test_teardown(
			test_memory_stays_flat_over_20_start_stop_cycles,
			load_teardown),
	};

	return cmocka_run_group_tests_name("load", tests, load_group_setup,
					   load_group_teardown);
}
