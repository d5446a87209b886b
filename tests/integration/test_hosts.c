/* Hosts and their network beyond the topology, against the real kernel,
 * iptables, cgroups and Docker:
 * - a container's management interface on Docker's default bridge, where
 *   its published ports answer, kept out of the emulated topology;
 * - Mininet's NAT (Containernet's testNATWithTreeTopology ported): hosts
 *   reach a network outside the topology through it, and its iptables
 *   rules go away at stop and by 'cnemu -c' after a SIGKILL;
 * - Mininet's CPULimitedHost (test_hifi's testCPULimits and
 *   testMostOptions, the simpleperf example): a busy loop in a host with
 *   cpu=F gets F of the machine, measured from the host's cgroup.
 *
 * Each test writes a Lua script (/tmp/thosts-<pid>-<n>.lua), runs cnemu on
 * it and checks what it printed, then that the run left nothing.  Traffic
 * goes only to addresses the test made or the machine's own. */
#include "tests/lib/testlib.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define IMAGE "cnemu/busybox:latest"

/* The pid in a run tag "cn<pid>"; 0 when there is none. */
static pid_t tag_pid(const char *tag)
{
	return tag[0] ? (pid_t)atol(tag + 2) : 0;
}

/* Fails when the run 'tag' left anything (namespaces, links, bridges,
 * containers, its directory) or any iptables rule or cgroup of its own. */
static void assert_run_left_nothing(const char *tag)
{
	char *left, *rules, *cgroups;

	if (!tag[0])
		return;	/* it made nothing: it never started */
	left = test_run_leftovers(tag_pid(tag), 5000);
	rules = sh_out("iptables -w -S 2>/dev/null | grep -F 'cnemu:%s\"'; "
		       "iptables -w -t nat -S 2>/dev/null | "
		       "grep -F 'cnemu:%s\"'",
		       tag, tag);
	cgroups = sh_out("ls -d /sys/fs/cgroup/*/%s-* /sys/fs/cgroup/%s-* "
			 "2>/dev/null",
			 tag, tag);
	if (left[0] || rules[0] || cgroups[0])
		fail_msg("run %s left: %s%s%s", tag, left, rules, cgroups);
	free(left);
	free(rules);
	free(cgroups);
}

/* Runs "cnemu ARGS SCRIPT" on the Lua 'script' with no input, under
 * 'timeout_s'; returns stdout and stderr together (caller frees) and the
 * exit status in '*status'; checks that the run left nothing. */
static char *run_script(const char *args, const char *script, int timeout_s,
			int *status)
{
	char *path = test_write_file("thosts", ".lua", script);
	char *out, *st;
	char tag[32];

	out = sh_out("timeout %d %s %s %s </dev/null 2>&1; echo \"exit=$?\"",
		     timeout_s, test_cnemu(), args, path);
	unlink(path);
	free(path);
	st = strstr(out, "exit=");
	while (st && strstr(st + 1, "exit="))
		st = strstr(st + 1, "exit=");
	*status = st ? atoi(st + 5) : -1;
	test_run_tag(out, tag, sizeof(tag));
	assert_run_left_nothing(tag);
	return out;
}

static void assert_has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("expected '%s' in:\n%s", want, out);
}

static void assert_status(const char *out, int status, int want)
{
	if (status != want)
		fail_msg("expected exit %d, got %d:\n%s", want, status, out);
}

/* ---- the management interface of containers ------------------------ */

/* Containernet's port_bindings: the container gets a management eth0 on
 * docker0 (Docker's default, as Containernet's), its published port
 * answers on 127.0.0.1, and pingall still covers only the topology (two
 * hosts and a NAT, whose default route replaces Docker's). */
static void test_published_port_answers_and_pingall_is_the_topology(
	void **state)
{
	int port = 18000 + (int)(getpid() % 1000), status;
	char script[2048];
	char *out;

	(void)state;
	if (require_docker())
		return;
	snprintf(script, sizeof(script),
		 "local net = cnemu.Net{switch = 'lxbr', controller = false}\n"
		 "local s1 = net:addSwitch('s1')\n"
		 "local d1 = net:addDocker('d1', {dimage = '" IMAGE "',\n"
		 "  dcmd = 'httpd -f -p 80 -h /etc',\n"
		 "  port_bindings = {[80] = %d}})\n"
		 "local h1 = net:addHost('h1')\n"
		 "net:addLink(d1, s1)\n"
		 "net:addLink(h1, s1)\n"
		 "net:addNAT()\n"
		 "net:start()\n"
		 "local ok = false\n"
		 "for i = 1, 50 do\n"
		 "  local f = io.popen('curl -s -m 2 "
		 "http://127.0.0.1:%d/hostname')\n"
		 "  local body = f:read('a')\n"
		 "  f:close()\n"
		 "  if body:find('d1') then ok = true break end\n"
		 "  cnemu.sleep(0.1)\n"
		 "end\n"
		 "print('PUBLISHED', ok)\n"
		 "print('INTFS', table.concat(d1:intfNames(), ','))\n"
		 "print('MGMT', d1:cmd('ip -4 -o addr show eth0'))\n"
		 "print('ROUTE', d1:cmd('ip route show default'))\n"
		 "print('DROPPED', net:pingAll())\n"
		 "net:stop()\n",
		 port, port);
	out = run_script("", script, 120, &status);
	assert_status(out, status, 0);
	assert_has(out, "PUBLISHED\ttrue");
	assert_has(out, "INTFS\td1-eth0\n");
	assert_has(out, "inet 172.17.");
	/* A NAT's default route replaces Docker's, as Containernet's. */
	assert_has(out, "ROUTE\tdefault via 10.0.0.3 dev d1-eth0");
	assert_has(out, "*** Results: 0% dropped (6/6 received)");
	assert_has(out, "DROPPED\t0");
	free(out);
}

/* A network mode without a network cannot publish: an error naming the
 * option, at the script's line, before anything is made. */
static void test_published_ports_without_network_are_an_error(void **state)
{
	int status;
	char *out;

	(void)state;
	if (require_docker())
		return;
	out = run_script("",
			 "local net = cnemu.Net{switch = 'lxbr'}\n"
			 "net:addDocker('d1', {dimage = '" IMAGE "',\n"
			 "  network_mode = 'none', "
			 "port_bindings = {[80] = 18080}})\n",
			 60, &status);
	assert_status(out, status, 1);
	assert_has(out, ".lua:2: ");
	assert_has(out, "option 'port_bindings' needs a management interface");
	free(out);
}

/* ---- NAT -------------------------------------------------------------- */

/* A Docker network and a container on it, outside any topology: the
 * "other network" of Containernet's testNATWithTreeTopology. */
struct other_net {
	char name[64];
	char ip[64];		/* the container's address there */
};

static void other_net_remove(struct other_net *o)
{
	if (!o->name[0])
		return;
	sh("docker rm -f %s >/dev/null 2>&1; "
	   "docker network rm %s >/dev/null 2>&1",
	   o->name, o->name);
	o->name[0] = '\0';
}

static void other_net_make(struct other_net *o)
{
	char *ip;

	snprintf(o->name, sizeof(o->name), "thosts-nat-%d", (int)getpid());
	if (sh("docker network create --label thosts %s >/dev/null && "
	       "docker run -d --name %s --label thosts --network %s " IMAGE
	       " sleep 600 >/dev/null",
	       o->name, o->name, o->name)) {
		other_net_remove(o);
		fail_msg("cannot make the Docker network and container");
	}
	ip = sh_out("docker inspect -f '{{range .NetworkSettings.Networks}}"
		    "{{.IPAddress}}{{end}}' %s",
		    o->name);
	snprintf(o->ip, sizeof(o->ip), "%.*s", (int)strcspn(ip, "\n"), ip);
	free(ip);
}

/* The NAT's rules of the run 'tag' in iptables' own listing (caller
 * frees; "" when none). */
static char *nat_rules_of(const char *tag)
{
	return sh_out("{ iptables -w -S; iptables -w -t nat -S; } | "
		      "grep -F '\"cnemu:%s\"'",
		      tag);
}

/* Containernet's testNATWithTreeTopology, ported: a tree of containers
 * (depth 2, fanout 2) and net:addNAT(); the first host reaches a
 * container on another Docker network through the NAT, masqueraded.
 * Also the machine's own uplink address, and pingall with the NAT. */
static void test_nat_with_tree_topology(void **state)
{
	struct other_net other = { 0 };
	char script[4096], *out, *uplink;
	int status;

	(void)state;
	if (require_docker() || require_ovs())
		return;
	other_net_make(&other);
	uplink = sh_out("ip -4 -o route get 192.0.2.255 2>/dev/null | "
			"sed -n 's/.* src \\([0-9.]*\\).*/\\1/p'");
	uplink[strcspn(uplink, "\n")] = '\0';
	snprintf(script, sizeof(script),
		 "local net = cnemu.Net{}\n"
		 "local img = {dimage = '" IMAGE "'}\n"
		 "local root = net:addSwitch('s1')\n"
		 "local n = 0\n"
		 "for i = 2, 3 do\n"
		 "  local s = net:addSwitch('s' .. i)\n"
		 "  net:addLink(s, root)\n"
		 "  for j = 1, 2 do\n"
		 "    n = n + 1\n"
		 "    net:addLink(net:addDocker('d' .. n, img), s)\n"
		 "  end\n"
		 "end\n"
		 "local nat = net:addNAT()\n"
		 "net:start()\n"
		 "local h = net:hosts()[1]\n"
		 "print('ROUTE', h:cmd('ip route'))\n"
		 "local reach = ' >/dev/null && echo reached || echo lost'\n"
		 "print('OTHER', h:cmd('ping -c3 -W2 %s' .. reach))\n"
		 "print('UPLINK', h:cmd('ping -c1 -W2 %s' .. reach))\n"
		 "os.execute(\"iptables -w -t nat -L POSTROUTING -v -n -x | "
		 "awk '/MASQUERADE.*cnemu:cn/ {print \\\"MASQ\\\", $1}'\")\n"
		 "net:pingAll()\n"
		 "net:stop()\n",
		 other.ip, uplink[0] ? uplink : "127.0.0.1");
	free(uplink);
	out = run_script("", script, 180, &status);
	other_net_remove(&other);
	assert_status(out, status, 0);
	assert_has(out, "default via 10.0.0.5 dev d1-eth0");
	assert_has(out, "OTHER\treached");
	assert_has(out, "UPLINK\treached");
	/* The ping to the other network was masqueraded. */
	assert_has(out, "MASQ 1");
	assert_has(out, "*** Results: 0% dropped (20/20 received)");
	free(out);
}

/* Mininet's 'mn --nat': the hosts of a built-in topology route through
 * the NAT to the machine's own address; the rules carry the run's tag;
 * after a SIGKILL they stay until 'cnemu -c' removes them, and only
 * them. */
static void test_nat_rules_survive_sigkill_until_cnemu_c(void **state)
{
	struct test_run r = { 0 };
	char tag[32], *rules, *uplink, *others_before, *others_after, *out;

	(void)state;
	if (require_root())
		return;
	uplink = sh_out("ip -4 -o route get 192.0.2.255 2>/dev/null | "
			"sed -n 's/.* src \\([0-9.]*\\).*/\\1/p'");
	uplink[strcspn(uplink, "\n")] = '\0';
	others_before = sh_out("{ iptables -w -S; iptables -w -t nat -S; } | "
			       "grep -v cnemu: | sort");
	assert_int_equal(test_run_start(&r, "%s --switch lxbr --topo single,2 "
					    "--nat 2>&1",
					test_cnemu()),
			 0);
	snprintf(tag, sizeof(tag), "cn%d", (int)r.pid);
	if (!test_run_expect(&r, "*** Started in", 60000))
		fail_msg("no start:\n%s", r.out);
	test_run_send(&r, "h1 ping -c1 -W2 %s", uplink[0] ? uplink
							   : "127.0.0.1");
	if (!test_run_expect(&r, "1 received", 10000))
		fail_msg("h1 did not reach the uplink address:\n%s", r.out);
	rules = nat_rules_of(tag);
	test_run_kill(&r, SIGKILL);
	test_run_wait(&r, 10000);
	/* Mininet's four rules, tagged with the run. */
	assert_int_equal(sh("printf '%%s' '%s' | grep -c . | grep -qx 4",
			    rules),
			 0);
	free(rules);
	rules = nat_rules_of(tag);
	if (!rules[0])
		fail_msg("the rules went away with a SIGKILL");
	free(rules);
	out = sh_out("%s -c 2>&1", test_cnemu());
	assert_has(out, "4 iptables rules");
	free(out);
	rules = nat_rules_of(tag);
	if (rules[0])
		fail_msg("cnemu -c left: %s", rules);
	others_after = sh_out("{ iptables -w -S; iptables -w -t nat -S; } | "
			      "grep -v cnemu: | sort");
	assert_string_equal(others_before, others_after);
	assert_run_left_nothing(tag);
	test_run_end(&r);
	free(rules);
	free(uplink);
	free(others_before);
	free(others_after);
}

/* ---- CPU-limited hosts ---------------------------------------------- */

/* Mininet's assertWithinTolerance: 'measured' in [expected x tol,
 * expected x (2 - tol)]. */
static void assert_within_tolerance(double measured, double expected,
				    double tol, const char *out)
{
	if (measured < expected * tol ||
	    measured > expected + (1 - tol) * expected)
		fail_msg("measured %.4f, expected %.4f within %.0f%%:\n%s",
			 measured, expected, (1 - tol) * 100, out);
}

/* Reads the figures of the 'nth' (0-based) "*** Results: [a, b, ...]"
 * line of 'out' into 'v' (room for 'cap'); returns their count. */
static size_t results_line(const char *out, int nth, double *v, size_t cap)
{
	const char *p = out;
	size_t n = 0;

	for (int i = 0; p && i <= nth; i++) {
		p = strstr(p, "*** Results: [");
		if (p && i < nth)
			p++;
	}
	if (!p)
		return 0;
	p += strlen("*** Results: [");
	while (n < cap && *p && *p != ']') {
		char *end;

		v[n] = strtod(p, &end);
		if (end == p)
			break;
		n++;
		p = end + strspn(end, ", ");
	}
	return n;
}

/* Mininet's test_hifi testCPULimits, ported: two hosts with cpu=0.1 on
 * one switch; runCpuLimitTest's busy loops get 10% of the machine each
 * second, within Mininet's tolerance (0.8: 8% to 12%), measured from the
 * hosts' cgroups. */
static void test_cpu_limits(void **state)
{
	double v[16];
	size_t n;
	int status;
	char *out;

	(void)state;
	if (require_root() || require_ovs())
		return;
	out = run_script("",
			 "local N, CPU_FRACTION = 2, 0.1\n"
			 "local net = cnemu.Net{}\n"
			 "local s1 = net:addSwitch('s1')\n"
			 "for h = 1, N do\n"
			 "  net:addLink(net:addHost('h' .. h, "
			 "{cpu = CPU_FRACTION}), s1)\n"
			 "end\n"
			 "net:start()\n"
			 "net:runCpuLimitTest(CPU_FRACTION)\n"
			 "net:stop()\n",
			 120, &status);
	assert_status(out, status, 0);
	n = results_line(out, 0, v, 16);
	assert_int_equal(n, 10);	/* 2 hosts x 5 s */
	for (size_t i = 0; i < n; i++)
		assert_within_tolerance(v[i] / 100, 0.1, 0.8, out);
	free(out);
}

/* Mininet's test_hifi testMostOptions: cpu=0.5/N per host, links of
 * bw=10, delay=5ms with HTB; every ping gets through.  Then Mininet's
 * setCPUFrac and setCPUs on the running host (their cgroup changes),
 * and sched rt: SCHED_RR where the kernel has RT group scheduling, else
 * one sentence why. */
static void test_most_options_and_runtime_changes(void **state)
{
	int status;
	char *out;

	(void)state;
	if (require_root() || require_ovs())
		return;
	out = run_script(
		"",
		"local N = 2\n"
		"local net = cnemu.Net{}\n"
		"local s1 = net:addSwitch('s1')\n"
		"for h = 1, N do\n"
		"  net:addLink(net:addHost('h' .. h, {cpu = 0.5 / N}), s1,\n"
		"              {bw = 10, delay = '5ms', use_htb = true})\n"
		"end\n"
		"net:start()\n"
		"print('DROPPED', net:ping())\n"
		"local h1 = net:get('h1')\n"
		"h1:setCPUFrac(0.3)\n"
		"h1:setCPUs({0})\n"
		"print('ALLOWED', h1:cmd('grep Cpus_allowed_list "
		"/proc/self/status'))\n"
		"local ok, e = pcall(h1.setCPUFrac, h1, 0.1, 'rt')\n"
		"print('RT', ok and h1:cmd('chrt -p $$') or e)\n"
		"print('PLAIN', pcall(net:addHost('h9').setCPUFrac, "
		"net:get('h9'), 0.5))\n"
		"net:stop()\n",
		120, &status);
	assert_status(out, status, 0);
	assert_has(out, "*** Results: 0% dropped (2/2 received)");
	assert_has(out, "DROPPED\t0");
	assert_has(out, "Cpus_allowed_list:\t0\n");
	if (!strstr(out, "SCHED_RR") && !strstr(out, "RT group scheduling"))
		fail_msg("sched rt neither worked nor said why:\n%s", out);
	assert_has(out, "'h9' has no CPU limits");
	free(out);
}

/* Mininet's 'mn --host cfs,cpu=.2': every host of the topology gets 20%
 * of the machine; setCPUFrac(0.4) at runtime gives it 40%. */
static void test_host_option_and_set_cpu_frac(void **state)
{
	double v[8];
	size_t n;
	char *out;

	(void)state;
	if (require_root())
		return;
	out = sh_out("printf '%%s\\n' 'lua net:runCpuLimitTest(0.2, 3)' "
		     "'lua net:get(\"h1\"):setCPUFrac(0.4)' "
		     "'lua net:runCpuLimitTest(0.4, 3)' | timeout 120 %s "
		     "--switch lxbr --topo single,1 --host cfs,cpu=.2 2>&1",
		     test_cnemu());
	n = results_line(out, 0, v, 8);
	if (n != 3)
		fail_msg("expected 3 figures:\n%s", out);
	for (size_t i = 0; i < n; i++)
		assert_within_tolerance(v[i] / 100, 0.2, 0.8, out);
	n = results_line(out, 1, v, 8);
	if (n != 3)
		fail_msg("expected 3 more figures:\n%s", out);
	for (size_t i = 0; i < n; i++)
		assert_within_tolerance(v[i] / 100, 0.4, 0.8, out);
	free(out);
}

/* The cgroups of a SIGKILLed run stay until 'cnemu -c' removes them. */
static void test_cgroups_survive_sigkill_until_cnemu_c(void **state)
{
	struct test_run r = { 0 };
	char tag[32], *left, *out;

	(void)state;
	if (require_root())
		return;
	assert_int_equal(test_run_start(&r, "%s --switch lxbr --topo single,2 "
					    "--host cfs,cpu=.1 2>&1",
					test_cnemu()),
			 0);
	snprintf(tag, sizeof(tag), "cn%d", (int)r.pid);
	if (!test_run_expect(&r, "*** Started in", 60000))
		fail_msg("no start:\n%s", r.out);
	test_run_send(&r, "h1 sleep 30 &");
	test_run_kill(&r, SIGKILL);
	test_run_wait(&r, 10000);
	left = sh_out("ls -d /sys/fs/cgroup/*/%s-h* 2>/dev/null", tag);
	if (!strstr(left, "-h1") || !strstr(left, "-h2"))
		fail_msg("no cgroups after the SIGKILL: %s", left);
	free(left);
	out = sh_out("%s -c 2>&1", test_cnemu());
	assert_has(out, " cgroups");
	if (strstr(out, " 0 cgroups"))
		fail_msg("cnemu -c removed no cgroup:\n%s", out);
	free(out);
	assert_run_left_nothing(tag);
	test_run_end(&r);
}

/* Mininet's simpleperf example in test mode (no loss): four CPU-limited
 * hosts and shaped links carry a UDP iperf. */
static void test_simpleperf_example(void **state)
{
	char *out, tag[32];

	(void)state;
	if (require_root() || require_ovs())
		return;
	out = sh_out("timeout 120 %s examples/simpleperf.lua testmode 2>&1; "
		     "echo \"exit=$?\"",
		     test_cnemu());
	test_run_tag(out, tag, sizeof(tag));
	assert_has(out, "'h4': cfs 12% of the machine's CPU");
	assert_has(out, "*** Results: ['");
	assert_has(out, "exit=0");
	assert_run_left_nothing(tag);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_published_port_answers_and_pingall_is_the_topology),
		cmocka_unit_test(
			test_published_ports_without_network_are_an_error),
		cmocka_unit_test(test_nat_with_tree_topology),
		cmocka_unit_test(test_nat_rules_survive_sigkill_until_cnemu_c),
		cmocka_unit_test(test_cpu_limits),
		cmocka_unit_test(test_most_options_and_runtime_changes),
		cmocka_unit_test(test_host_option_and_set_cpu_frac),
		cmocka_unit_test(test_cgroups_survive_sigkill_until_cnemu_c),
		cmocka_unit_test(test_simpleperf_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
