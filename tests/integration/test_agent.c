/* Two agents ('cnemu --agent') on two machines simulated by the network
 * namespaces tag-m1 and tag-m2 of this one, joined by an underlay veth
 * (10.253.0.1/24 <-> .2, MTU 1500, so that cut links get MTU 1450): the
 * manager's side is this test, over the authenticated channel.  h1-s1
 * on m1, h2-s2 on m2, s1-s2 cut (a VXLAN between the agents).
 *
 * Everything made here is named tag-*: namespaces tag-m1, tag-m2; the key
 * file /tmp/tag-key-<pid>.  The agents' own runs make the rest and must
 * remove it; teardown stops the agents and removes the namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"
#include "cluster/chan.h"
#include "cluster/part.h"
#include "cluster/plan.h"
#include "emu/net.h"
#include "link/veth.h"
#include "node/node.h"
#include "tests/lib/testlib.h"

#define PORT 6699

static const char *const addrs[] = { "10.253.0.1", "10.253.0.2" };
static const char *const machines[] = { "tag-m1", "tag-m2" };

struct fixture {
	char key_file[64];
	unsigned char key[CHAN_KEY_LEN];
	pid_t agents[2];
	char *logs[2];
	struct chan *mgr[2];
	char *netns_before;
};

static void remove_all(void)
{
	sh("ip netns del tag-m1 2>/dev/null; ip netns del tag-m2 2>/dev/null; "
	   "true");
}

/* The machine's namespaces, without those of this test. */
static char *netns_now(void)
{
	return sh_out("ip netns list | awk '{print $1}' | grep -v '^tag-m' | "
		      "sort");
}

/* Starts the agent of machine 'i' in its namespace, its output to a
 * file. */
static pid_t start_agent(struct fixture *f, int i)
{
	char listen[32];
	pid_t pid;

	snprintf(listen, sizeof(listen), "%s:%d", addrs[i], PORT);
	f->logs[i] = xasprintf("/tmp/tag-agent%d-%d.log", i + 1, getpid());
	pid = fork();
	if (pid == 0) {
		int fd = open(f->logs[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		setsid();
		execlp("nsenter", "nsenter", xasprintf("--net=/run/netns/%s",
						       machines[i]),
		       test_cnemu(), "--agent", "--listen", listen,
		       "--key-file", f->key_file, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Connects to agent 'i' as its manager: the socket made in its machine's
 * namespace; says hello and beats. */
static struct chan *connect_agent(struct fixture *f, int i)
{
	struct emu_err err = { 0 };
	struct chan *c = NULL;
	int nsfd = netns_open(machines[i], &err), saved;
	json_t *m;

	assert_true(nsfd >= 0);
	assert_int_equal(netns_enter(nsfd, &saved, &err), 0);
	for (int tries = 0; tries < 100; tries++) {
		emu_err_clear(&err);
		if (!chan_connect(addrs[i], PORT, f->key, CHAN_KEY_LEN, &c,
				  &err))
			break;
		usleep(100000);
	}
	netns_leave(saved);
	close(nsfd);
	if (!c)
		fail_msg("agent %d: %s", i + 1, err.msg);
	m = json_pack("{s:s}", "op", "hello");
	assert_int_equal(chan_send(c, m, NULL), 0);
	json_decref(m);
	assert_int_equal(chan_recv(c, &m, 5000, &err), 0);
	assert_true(json_is_true(json_object_get(m, "ok")));
	assert_int_equal(json_integer_value(json_object_get(m, "mtu")), 1500);
	json_decref(m);
	/* As the manager: the agent takes a silent one for gone. */
	assert_int_equal(chan_start_beat(c, CHAN_BEAT_MS, CHAN_SILENT_MS,
					 &err),
			 0);
	return c;
}

static int setup(void **state)
{
	struct fixture *f;
	int fd;

	if (geteuid() != 0)
		return 0;
	remove_all();
	if (sh("ip netns add tag-m1 && ip netns add tag-m2 && "
	       "ip link add tag-u1 netns tag-m1 type veth peer name tag-u2 "
	       "netns tag-m2 && "
	       "ip -n tag-m1 addr add 10.253.0.1/24 dev tag-u1 && "
	       "ip -n tag-m2 addr add 10.253.0.2/24 dev tag-u2 && "
	       "ip -n tag-m1 link set tag-u1 up && ip -n tag-m1 link set lo up "
	       "&& ip -n tag-m2 link set tag-u2 up && "
	       "ip -n tag-m2 link set lo up")) {
		remove_all();
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	f->netns_before = netns_now();
	snprintf(f->key_file, sizeof(f->key_file), "/tmp/tag-key-%d",
		 getpid());
	fd = open("/dev/urandom", O_RDONLY);
	assert_int_equal(read(fd, f->key, sizeof(f->key)), sizeof(f->key));
	close(fd);
	fd = open(f->key_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, f->key, sizeof(f->key)), sizeof(f->key));
	close(fd);
	for (int i = 0; i < 2; i++)
		f->agents[i] = start_agent(f, i);
	*state = f;
	return 0;
}

/* Stops agent 'i' (SIGTERM, then SIGKILL after 20 s); its exit status. */
static int stop_agent(struct fixture *f, int i)
{
	int status = -1;

	if (f->agents[i] <= 0)
		return 0;
	kill(f->agents[i], SIGTERM);
	for (int t = 0; t < 200; t++) {
		if (waitpid(f->agents[i], &status, WNOHANG) == f->agents[i])
			break;
		usleep(100000);
		if (t == 199) {
			kill(f->agents[i], SIGKILL);
			waitpid(f->agents[i], &status, 0);
		}
	}
	f->agents[i] = 0;
	return status;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (geteuid() != 0 || !f)
		return 0;
	for (int i = 0; i < 2; i++) {
		chan_close(f->mgr[i]);
		stop_agent(f, i);
		if (f->logs[i]) {
			if (getenv("TEST_AGENT_LOG"))
				sh("cat %s", f->logs[i]);
			unlink(f->logs[i]);
			free(f->logs[i]);
		}
	}
	unlink(f->key_file);
	free(f->netns_before);
	free(f);
	remove_all();
	return 0;
}

/* Sends 'req' (taken) to agent 'i' and returns its answer, which must be
 * ok. */
static json_t *ask(struct fixture *f, int i, json_t *req, int timeout_ms)
{
	struct emu_err err = { 0 };
	json_t *ans;

	assert_int_equal(chan_send(f->mgr[i], req, &err), 0);
	json_decref(req);
	if (chan_recv(f->mgr[i], &ans, timeout_ms, &err))
		fail_msg("agent %d: %s", i + 1, err.msg);
	if (!json_is_true(json_object_get(ans, "ok")))
		fail_msg("agent %d: %s", i + 1,
			 json_string_value(json_object_get(ans, "error")));
	return ans;
}

/* The described Net and its two parts (Linux bridges: no controller). */
static void make_parts(json_t *parts[2])
{
	struct net_opts o = { .switch_kind = "lxbr", .auto_mac = true };
	struct emu_err err = { 0 };
	struct net *net = net_create(&o, &err);
	struct node *h1, *h2, *s1, *s2;
	size_t machine[4] = { 0, 1, 0, 1 };
	struct plan_cut cut = { .link = 2, .m1 = 0, .m2 = 1, .vni = 4242 };
	struct placement pl = { .n_nodes = 4, .machine = machine,
				.cuts = &cut, .n_cuts = 1, .n_links = 3 };

	assert_non_null(net);
	h1 = net_add_host(net, "h1", NULL, &err);
	h2 = net_add_host(net, "h2", NULL, &err);
	s1 = net_add_switch(net, "s1", NULL, &err);
	s2 = net_add_switch(net, "s2", NULL, &err);
	assert_non_null(net_add_link(net, h1, s1, NULL, &err));
	assert_non_null(net_add_link(net, h2, s2, NULL, &err));
	assert_non_null(net_add_link(net, s1, s2, NULL, &err));
	for (int i = 0; i < 2; i++) {
		parts[i] = part_of(net, &pl, (size_t)i, addrs, &err);
		assert_non_null(parts[i]);
		json_object_set_new(json_object_get(parts[i], "net"), "switch",
				    json_string("lxbr"));
	}
	net_destroy(net);
}

/* Runs 'cmd' (shell words) in 'node' of agent 'i' through cnemu
 * --agent-exec; its stdout and stderr together in '*out'; exit status. */
static int agent_exec(struct fixture *f, int i, const char *node,
		      const char *cmd, char **out)
{
	*out = sh_out("nsenter --net=/run/netns/%s %s --agent-exec %s:%d "
		      "--key-file %s %s -- %s 2>&1 </dev/null; "
		      "echo \"exit=$?\"",
		      machines[i], test_cnemu(), addrs[i], PORT, f->key_file,
		      node, cmd);
	return test_exit_status(*out);
}

/* The average RTT of 'out', a ping's output; -1 when none. */
static double ping_avg(const char *out)
{
	const char *eq = strstr(out, "min/avg/max");
	double min, avg;

	if (!eq || !(eq = strchr(eq, '=')) ||
	    sscanf(eq + 1, "%lf/%lf", &min, &avg) != 2)
		return -1;
	return avg;
}

static void test_two_agents_join_a_cut_link(void **state)
{
	struct fixture *f = *state;
	json_t *parts[2], *ans;
	char *out, *now;
	double avg, base, median;
	int t, st;

	if (require_root())
		return;
	assert_non_null(f);
	make_parts(parts);
	for (int i = 0; i < 2; i++)
		f->mgr[i] = connect_agent(f, i);
	for (int i = 0; i < 2; i++)
		json_decref(ask(f, i, json_pack("{s:s, s:O}", "op", "build",
						"part", parts[i]),
				60000));

	/* Across the tunnel, full-size frames of the lowered MTU too. */
	st = agent_exec(f, 0, "h1", "ping -c3 -i0.2 -W2 10.0.0.2", &out);
	expect_status(out, st, 0);
	expect_has(out, " 0% packet loss");
	free(out);
	st = agent_exec(f, 0, "h1", "ping -c1 -W2 -M do -s 1422 10.0.0.2",
			&out);
	expect_status(out, st, 0);
	free(out);
	st = agent_exec(f, 1, "h2", "ip link show h2-eth0", &out);
	expect_status(out, st, 0);
	expect_has(out, "mtu 1450");
	free(out);

	/* A command's output and exit status come back. */
	assert_int_equal(agent_exec(f, 1, "h2",
				    "sh -c 'echo out; echo err >&2; exit 3'",
				    &out),
			 3);
	expect_has(out, "out\nerr\n");
	free(out);
	assert_int_equal(agent_exec(f, 1, "h9", "true", &out), 127);
	expect_has(out, "no running node 'h9'");
	free(out);

	/* The path's own round trip, before it is shaped. */
	st = agent_exec(f, 0, "h1", "ping -c30 -i0.05 -W2 10.0.0.2", &out);
	expect_status(out, st, 0);
	base = ping_avg(out);
	free(out);
	/* 50 ms on each end of the cut link: 100 ms there and back. */
	json_decref(ask(f, 0, json_pack("{s:s, s:s, s:i, s:{s:s}}", "op",
					 "set_link", "node1", "s1", "vni", 4242,
					 "shaping1", "delay", "50ms"),
			10000));
	json_decref(ask(f, 1, json_pack("{s:s, s:s, s:i, s:{s:s}}", "op",
					 "set_link", "node1", "s2", "vni", 4242,
					 "shaping1", "delay", "50ms"),
			10000));
	/* The pump learns its wake-up lateness from the first frames. */
	st = agent_exec(f, 0, "h1", "ping -c10 -i0.1 -W2 10.0.0.2", &out);
	free(out);
	st = agent_exec(f, 0, "h1", "ping -c30 -i0.05 -W2 10.0.0.2", &out);
	expect_status(out, st, 0);
	avg = ping_avg(out);
	median = test_ping_median(out);
	print_message("RTT over the cut link: %.3f ms unshaped, %.3f ms with "
		      "50 ms each way (median %.1f ms)\n",
		      base, avg, median);
	/* What was asked, within 1 ms, over what the path took before (ping
	 * prints whole milliseconds from 100 ms on: 0.5 ms more). */
	if (base < 0 || median < base + 99 || median > base + 101.5)
		fail_msg("RTT median %.1f ms, not 100 ms +- 1 over %.3f ms:\n%s",
			 median, base, out);
	free(out);

	/* The underlay's round trip, as the manager measures it. */
	ans = ask(f, 0, json_pack("{s:s, s:s}", "op", "rtt", "addr",
				  addrs[1]),
		  10000);
	assert_true(json_real_value(json_object_get(ans, "rtt_ms")) > 0);
	json_decref(ans);

	/* The manager goes: both agents remove their parts by themselves
	 * within 15 s, and keep serving. */
	for (int i = 0; i < 2; i++) {
		chan_close(f->mgr[i]);
		f->mgr[i] = NULL;
	}
	for (t = 0; t < 150; t++) {
		now = netns_now();
		if (!strcmp(now, f->netns_before))
			break;
		free(now);
		now = NULL;
		usleep(100000);
	}
	if (!now)
		fail_msg("after 15 s the agents' namespaces are still there:\n"
			 "%s", netns_now());
	print_message("parts removed %.1f s after the manager left\n",
		      t / 10.0);
	free(now);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kill(f->agents[i], 0), 0);
		assert_int_equal(stop_agent(f, i), 0);
		json_decref(parts[i]);
	}
}

/* Agents killed with their parts running: 'cnemu -c' removes what they
 * made, as of any dead run. */
static void test_clean_removes_a_killed_agents_part(void **state)
{
	struct fixture *f = *state;
	json_t *parts[2];
	char *out, *now;
	int st;

	if (require_root())
		return;
	assert_non_null(f);
	make_parts(parts);
	for (int i = 0; i < 2; i++) {
		f->mgr[i] = connect_agent(f, i);
		json_decref(ask(f, i, json_pack("{s:s, s:O}", "op", "build",
						"part", parts[i]),
				60000));
		json_decref(parts[i]);
	}
	now = netns_now();
	assert_string_not_equal(now, f->netns_before);
	free(now);
	for (int i = 0; i < 2; i++) {
		kill(f->agents[i], SIGKILL);
		waitpid(f->agents[i], NULL, 0);
		f->agents[i] = 0;
	}
	st = test_cnemu_run(&out, NULL, "-c");
	expect_status(out, st, 0);
	free(out);
	now = netns_now();
	if (strcmp(now, f->netns_before))
		fail_msg("after cnemu -c, namespaces left:\n%s\nbefore:\n%s",
			 now, f->netns_before);
	free(now);
}

/* --agent-exec to agent 1 with a key of its own: the output. */
static char *exec_with_bad_key(struct fixture *f)
{
	return sh_out("head -c 32 /dev/urandom > %s.bad; "
		      "nsenter --net=/run/netns/tag-m1 %s --agent-exec %s:%d "
		      "--key-file %s.bad h1 -- true 2>&1; echo \"exit=$?\"; "
		      "rm -f %s.bad",
		      f->key_file, test_cnemu(), addrs[0], PORT, f->key_file,
		      f->key_file);
}

static void test_wrong_key_gets_nothing(void **state)
{
	struct fixture *f = *state;
	char *out;

	if (require_root())
		return;
	assert_non_null(f);
	out = exec_with_bad_key(f);
	/* The agent may not be listening yet: retry until it refuses. */
	for (int t = 0; t < 50 && strstr(out, "Connection refused"); t++) {
		free(out);
		usleep(100000);
		out = exec_with_bad_key(f);
	}
	expect_status(out, test_exit_status(out), 127);
	expect_has(out, "run's key");
	free(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_two_agents_join_a_cut_link),
		T(test_wrong_key_gets_nothing),
		T(test_clean_removes_a_killed_agents_part),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
