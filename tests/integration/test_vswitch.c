/* node/vswitch.c: a private Open vSwitch (its own ovsdb-server and
 * ovs-vswitchd, userspace datapath) inside a namespace, as each run gets
 * one.  Needs root and OVS's programs; otherwise skips with the reason.
 * Everything made here is named tvs<pid>*: namespaces tvs<pid>-a and
 * tvs<pid>-b, the directories /run/cnemu-test/tvs<pid>-*; teardown removes
 * them also after a failure.  Prints what a private OVS costs (start time,
 * memory of its two daemons). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/proc.h"
#include "base/util.h"
#include "node/ovs.h"
#include "node/vswitch.h"
#include "tests/lib/testlib.h"

#define TEST_TOP "/run/cnemu-test"

static const char *not_ready;
static char tag[32];		/* "tvs<pid>" */

static char *ns_name(char which)
{
	return xasprintf("%s-%c", tag, which);
}

static char *dir_name(const char *what)
{
	return xasprintf(TEST_TOP "/%s-%s", tag, what);
}

static void clean_machine(void)
{
	sh("ip netns del %s-a 2>/dev/null; ip netns del %s-b 2>/dev/null; "
	   "rm -rf " TEST_TOP "/%s-*", tag, tag, tag);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tag, sizeof(tag), "tvs%d", (int)getpid());
	if (geteuid() != 0)
		not_ready = "not running as root";
	else if (sh("ovsdb-server --version >/dev/null 2>&1 && "
		    "ovs-vswitchd --version >/dev/null 2>&1 && "
		    "test -r " VSWITCH_SCHEMA))
		not_ready = "no ovsdb-server, ovs-vswitchd or vswitch schema "
			    "(apt-get install openvswitch-switch)";
	else
		mkdir(TEST_TOP, 0700);
	return 0;
}

/* Two namespaces, each with a veth pair "eth-x" <-> "eth-y" inside. */
static int setup(void **state)
{
	(void)state;
	if (not_ready)
		return 0;
	clean_machine();
	return sh("for n in a b; do ip netns add %s-$n && "
		  "ip -n %s-$n link add eth-x type veth peer name eth-y && "
		  "ip -n %s-$n link set eth-x up && "
		  "ip -n %s-$n link set eth-y up || exit 1; done",
		  tag, tag, tag, tag) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!not_ready)
		clean_machine();
	return 0;
}

#define START() TEST_REQUIRE(not_ready)

static int open_ns(char which)
{
	char *name = ns_name(which), *path = xasprintf("/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	free(path);
	free(name);
	return fd;
}

static struct vswitch *start_in(char which, const char *cache)
{
	char *dir = dir_name(which == 'a' ? "a" : "b");
	struct vswitch_opts o = { .dir = dir, .nsfd = open_ns(which),
				  .cache_dir = cache };
	struct emu_err err;
	struct vswitch *vs;

	emu_err_clear(&err);
	vs = vswitch_start(&o, &err);
	if (!vs)
		fail_msg("%s", err.msg);
	close(o.nsfd);
	free(dir);
	return vs;
}

/* A bridge "s1" with the port "eth-x" through the private OVS 'vs'. */
static void add_s1(struct vswitch *vs)
{
	static const struct ovs_switch_port ports[] = { { "eth-x", 1 } };
	struct ovs_switch_spec spec = {
		.name = "s1", .userspace = true, .fail_mode = "standalone",
		.ports = ports, .n_ports = 1,
	};
	struct ovs_switch_db *db;
	struct emu_err err;

	emu_err_clear(&err);
	db = ovs_switch_connect(vswitch_remote(vs), 3000, &err);
	if (!db || ovs_switch_add_bridges(db, &spec, 1, tag, &err))
		fail_msg("%s", err.msg);
	ovs_switch_disconnect(db);
}

static long kb_of(pid_t pid, const char *file, const char *key)
{
	char *out = sh_out("awk '/^%s:/ { print $2 }' /proc/%d/%s", key,
			   (int)pid, file);
	long v = strtol(out, NULL, 10);

	free(out);
	return v;
}

static void test_bridges_live_only_in_the_private_ovs(void **state)
{
	unsigned long long t0;
	struct vswitch *vs;
	pid_t daemon, dbserver;
	char *cache = dir_name("cache"), *dir;

	(void)state;
	START();
	mkdir(cache, 0700);
	vswitch_stop(start_in('a', cache));	/* makes the template */
	t0 = now_us();
	vs = start_in('a', cache);
	add_s1(vs);
	printf("figures: private OVS ready with one bridge in %.1f ms\n",
	       (now_us() - t0) / 1e3);
	daemon = vswitch_pid(vs, VSWITCH_DAEMON);
	dbserver = vswitch_pid(vs, VSWITCH_DBSERVER);
	dir = xstrdup(vswitch_dir(vs));
	/* The bridge and its port: in the namespace and the run's database
	 * only. */
	assert_int_equal(sh("ip -n %s-a link show s1 >/dev/null", tag), 0);
	assert_int_equal(sh("ovs-vsctl --db=%s br-exists s1", vswitch_remote(vs)),
			 0);
	assert_int_equal(sh("ovs-vsctl --db=%s get interface eth-x ofport "
			    "| grep -qx 1", vswitch_remote(vs)), 0);
	assert_int_equal(sh("stat -c %%a %s | grep -qx 700", dir), 0);
	/* Its controller sockets and management sockets are in its dir. */
	assert_int_equal(sh("test -S %s/s1.mgmt", dir), 0);
	printf("figures: ovsdb-server %ld kB RSS (%ld kB PSS), ovs-vswitchd "
	       "%ld kB RSS (%ld kB PSS)\n",
	       kb_of(dbserver, "status", "VmRSS"),
	       kb_of(dbserver, "smaps_rollup", "Pss"),
	       kb_of(daemon, "status", "VmRSS"),
	       kb_of(daemon, "smaps_rollup", "Pss"));
	vswitch_stop(vs);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_not_equal(sh("kill -0 %d 2>/dev/null", (int)daemon), 0);
	assert_int_not_equal(sh("kill -0 %d 2>/dev/null", (int)dbserver), 0);
	free(dir);
	free(cache);
}

/* Two runs name their switch and its port alike: each private OVS has its
 * own. */
static void test_two_private_ovs_take_the_same_names(void **state)
{
	struct vswitch *a, *b;

	(void)state;
	START();
	a = start_in('a', NULL);
	b = start_in('b', NULL);
	add_s1(a);
	add_s1(b);
	assert_int_equal(sh("ovs-vsctl --db=%s list-ports s1 | grep -qx eth-x",
			    vswitch_remote(a)), 0);
	assert_int_equal(sh("ovs-vsctl --db=%s list-ports s1 | grep -qx eth-x",
			    vswitch_remote(b)), 0);
	/* Stopping one leaves the other as it was. */
	vswitch_stop(a);
	assert_int_equal(sh("ip -n %s-b link show s1 >/dev/null", tag), 0);
	assert_int_equal(sh("ovs-vsctl --db=%s br-exists s1",
			    vswitch_remote(b)), 0);
	vswitch_stop(b);
}

/* 'cnemu -c' after a run died: the daemons its directory notes are ended
 * (the run is a child here that stays until we are done), the directory
 * goes. */
static void test_remove_dir_ends_the_daemons_it_notes(void **state)
{
	char *dir = dir_name("a"), *id = xasprintf("%s/" VSWITCH_D_ID, dir);
	int pipefd[2], status;
	struct proc_id d;
	pid_t child;
	char c;

	(void)state;
	START();
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		struct vswitch *vs = start_in('a', NULL);

		(void)vs;
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	assert_int_equal(proc_id_load(id, &d), 0);
	assert_true(proc_id_alive(&d));
	assert_int_equal(vswitch_remove_dir(dir), 2);
	assert_false(proc_id_alive(&d));
	assert_int_equal(access(dir, F_OK), -1);
	/* Nothing left to end a second time. */
	assert_int_equal(vswitch_remove_dir(dir), 0);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	free(id);
	free(dir);
}

/* A start that fails says why and leaves no directory. */
static void test_failed_start_says_why_and_leaves_nothing(void **state)
{
	char *dir = dir_name("a");
	struct vswitch_opts o = { .dir = dir, .nsfd = -1,
				  .schema = "/nonexistent.ovsschema" };
	struct emu_err err;

	(void)state;
	START();
	emu_err_clear(&err);
	assert_null(vswitch_start(&o, &err));
	assert_non_null(strstr(err.msg, "private OVS: 'ovsdb-tool create"));
	assert_int_equal(access(dir, F_OK), -1);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_bridges_live_only_in_the_private_ovs, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_two_private_ovs_take_the_same_names, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_remove_dir_ends_the_daemons_it_notes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_start_says_why_and_leaves_nothing, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
