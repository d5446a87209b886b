/* The simulated three-machine Swarm (tests/cluster/) and the Swarm layer
 * (cluster/swarm.c) on it: the bed comes up with three Ready machines, a
 * secret is created and removed, the agents' global service runs one task
 * per machine with the run's secret, the machine's engine and namespaces
 * mounted, and leaves no container once removed; the bed's removal leaves
 * the machine as it was.  Set-up and teardown times are printed.
 *
 * The tests run in order on one bed (bringing it up costs seconds): the
 * first brings it up, the last removes it and compares the machine's
 * state; the group teardown removes it whatever failed.  Everything made
 * on the Swarm is named tcb-<pid>. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cluster/swarm.h"
#include "node/docker_api.h"
#include "tests/lib/bed.h"
#include "tests/lib/runs.h"
#include "tests/lib/testlib.h"

#define IMAGE "cnemu/busybox:latest"
#define AGENT_IMAGE "cnemu/agent:latest"
#define AGENTS_WAIT_MS 60000
#define CONTAINERS_WAIT_S 30

static char tag[32], svc_name[48], secret_name[48];
static char *state_before;		/* test_machine_state() at start */
static char *svc_id, *secret_id;	/* what a failed test left */
static bool bed_made;

static void need_bed(void)
{
	if (require_bed() || require_docker())
		return;
	if (sh("docker image inspect " IMAGE " >/dev/null 2>&1"))
		test_skip("no image " IMAGE " (make deps imports it)");
}

/* Points the Swarm layer at the bed's manager m1. */
static void use_manager(void)
{
	setenv("DOCKER_HOST", bed_docker_host(1), 1);
}

/* Containers labelled cnemu.run=<tag> on machine 'i'. */
static size_t count_tasks(int i)
{
	struct emu_err err = { 0 };
	struct docker_api *api = docker_api_open(bed_docker_host(i), &err);
	struct docker_api_entry *e;
	char label[64];
	size_t n;

	assert_non_null(api);
	snprintf(label, sizeof(label), "cnemu.run=%s", tag);
	if (docker_api_list(api, label, true, &e, &n, &err))
		fail_msg("machine m%d: %s", i, err.msg);
	docker_api_entries_free(e, n);
	docker_api_close(api);
	return n;
}

static void test_bed_comes_up_with_three_ready_machines(void **state)
{
	static const char *const images[] = { IMAGE, AGENT_IMAGE, NULL };
	struct emu_err err = { 0 };
	struct swarm_machine *m;
	size_t n, managers = 0;
	double t0;
	char *out;

	(void)state;
	need_bed();
	state_before = test_machine_state();
	t0 = test_now();
	out = sh_out("scripts/agent-image.sh 2>&1; echo \"exit=$?\"");
	expect_status(out, test_exit_status(out), 0);
	free(out);
	printf("agent image: built (or found up to date) in %.2f s\n",
	       test_now() - t0);
	t0 = test_now();
	bed_made = true;
	assert_int_equal(bed_up(images), 0);
	printf("bed: set-up of 3 machines with %s and %s loaded: %.2f s\n",
	       IMAGE, AGENT_IMAGE, test_now() - t0);
	/* A second up keeps the bed as it is. */
	t0 = test_now();
	assert_int_equal(bed_up(NULL), 0);
	printf("bed: up.sh on a bed that is up: %.2f s\n", test_now() - t0);
	use_manager();
	if (swarm_list_machines(&m, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, BED_MACHINES);
	for (size_t i = 0; i < n; i++) {
		int k = m[i].hostname[0] == 'm' ? atoi(m[i].hostname + 1) : 0;

		if (k < 1 || k > BED_MACHINES)
			fail_msg("unexpected machine '%s'", m[i].hostname);
		assert_string_equal(m[i].addr, bed_addr(k));
		assert_true(m[i].ready);
		assert_true(m[i].cores >= 1);
		assert_true(m[i].mem_bytes > 0);
		if (m[i].manager) {
			assert_string_equal(m[i].hostname, "m1");
			managers++;
		}
	}
	assert_int_equal(managers, 1);
	swarm_machines_free(m, n);
}

/* The agent's image carries cnemu, its controller, the tools and their
 * libraries: each runs on every machine, where no host library helps. */
static void test_agent_image_runs_its_tools_on_every_machine(void **state)
{
	(void)state;
	need_bed();
	for (int i = 1; i <= BED_MACHINES; i++) {
		char *out = bed_sh_out(
			i,
			"docker run --rm --network none --entrypoint /bin/sh "
			AGENT_IMAGE " -c \"cnemu --version && "
			"cnemu-controller --help | head -n 1 && ip -V && "
			"tc -V && ping -V && iperf3 -v && "
			"ovs-vswitchd --version && ovsdb-tool --version && "
			"test -r /usr/share/openvswitch/vswitch.ovsschema && "
			"echo all-ran\" 2>&1");

		expect_has(out, "cnemu ");
		expect_has(out, "usage: cnemu-controller");
		expect_has(out, "ip utility, iproute2");
		expect_has(out, "tc utility, iproute2");
		expect_has(out, "ping from iputils");
		expect_has(out, "ovs-vswitchd (Open vSwitch)");
		expect_has(out, "all-ran\n");
		free(out);
	}
}

static void test_secret_is_created_and_removed(void **state)
{
	static const char key[] = "0123456789abcdef0123456789abcdef";
	struct emu_err err = { 0 };
	char *again = NULL;

	(void)state;
	need_bed();
	use_manager();
	if (swarm_create_secret(secret_name, key, sizeof(key) - 1, &secret_id,
				&err))
		fail_msg("%s", err.msg);
	assert_true(strlen(secret_id) > 8);
	emu_err_clear(&err);
	assert_int_equal(swarm_create_secret(secret_name, "x", 1, &again,
					     &err),
			 -EEXIST);
	assert_null(again);
	assert_non_null(strstr(err.msg, secret_name));
	printf("a second secret of the same name: %s\n", err.msg);
}

static void test_agents_run_on_every_machine_and_leave_nothing(void **state)
{
	/* As pid 1 it must end on SIGTERM itself (cnemu's agent does). */
	static const char *const args[] = {
		"sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait", NULL
	};
	struct swarm_agent_spec spec = {
		.name = svc_name,
		.image = IMAGE,
		.args = args,
		.secret_id = secret_id,
		.secret_name = secret_name,
		.run_label = tag,
	};
	struct emu_err err = { 0 };
	double t0;
	char *out;

	(void)state;
	need_bed();
	assert_non_null(secret_id);
	use_manager();
	t0 = test_now();
	if (swarm_deploy_agents(&spec, &svc_id, &err))
		fail_msg("%s", err.msg);
	if (swarm_wait_agents(svc_id, BED_MACHINES, AGENTS_WAIT_MS, &err))
		fail_msg("%s", err.msg);
	printf("agents: a global service running on 3 machines in %.2f s\n",
	       test_now() - t0);
	for (int i = 1; i <= BED_MACHINES; i++) {
		assert_int_equal(count_tasks(i), 1);
		/* The task sees the run's key, its machine's engine and
		 * namespaces, its hostname, with the capabilities asked. */
		out = bed_sh_out(
			i,
			"c=$(docker ps -q --filter label=cnemu.run=%s); "
			"docker exec $c sh -c \"cat /run/secrets/%s; echo; "
			"ls -d /var/run/docker.sock /run/netns /run/cnemu "
			"/var/run/docker/netns; echo \\$CNEMU_MACHINE; "
			"grep CapEff /proc/self/status\"",
			tag, secret_name);
		expect_has(out, "0123456789abcdef0123456789abcdef\n");
		expect_matches(out, "^/var/run/docker.sock$");
		expect_matches(out, "^/run/netns$");
		expect_matches(out, "^/run/cnemu$");
		expect_matches(out, "^/var/run/docker/netns$");
		{
			char want[8];

			snprintf(want, sizeof(want), "\nm%d\n", i);
			expect_has(out, want);
		}
		/* NET_ADMIN (bit 12) and SYS_ADMIN (bit 21) are in. */
		expect_matches(out, "CapEff:\t[0-9a-f]*[2367abef][0-9a-f]{5}$");
		free(out);
	}
	t0 = test_now();
	if (swarm_remove_service(svc_id, NULL, &err))
		fail_msg("%s", err.msg);
	printf("agents: service removed, no task running after %.2f s\n",
	       test_now() - t0);
	/* Each machine removes its task's container on its own, after the
	 * manager has let the task go. */
	t0 = test_now();
	for (int i = 1; i <= BED_MACHINES; i++) {
		while (count_tasks(i) && test_now() - t0 < CONTAINERS_WAIT_S)
			usleep(100 * 1000);
		assert_int_equal(count_tasks(i), 0);
	}
	printf("agents: containers gone from the machines %.2f s later\n",
	       test_now() - t0);
	/* Removing it again is no error. */
	assert_int_equal(swarm_remove_service(svc_id, NULL, &err), 0);
	free(svc_id);
	svc_id = NULL;
	if (swarm_remove_secret(secret_id, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(swarm_remove_secret(secret_id, &err), -ENOENT);
	free(secret_id);
	secret_id = NULL;
}

static void test_bad_requests_say_why_in_one_line(void **state)
{
	const struct swarm_agent_spec spec = {
		.name = "tcb-bad", .image = IMAGE,
		.secret_id = "no-such-secret", .secret_name = "k",
	};
	struct emu_err err = { 0 };
	char *id = NULL;

	(void)state;
	need_bed();
	use_manager();
	assert_int_not_equal(swarm_deploy_agents(&spec, &id, &err), 0);
	assert_null(id);
	printf("a service with an unknown secret: %s\n", err.msg);
	expect_has(err.msg, "cannot create the Swarm service 'tcb-bad': ");
	assert_null(strchr(err.msg, '\n'));
	/* A worker is no manager. */
	setenv("DOCKER_HOST", bed_docker_host(2), 1);
	emu_err_clear(&err);
	{
		struct swarm_machine *m;
		size_t n;

		assert_int_equal(swarm_list_machines(&m, &n, &err), -ENOTCONN);
		printf("the list asked of a worker: %s\n", err.msg);
	}
}

static void test_bed_goes_down_leaving_nothing(void **state)
{
	char *after, *diff, *left;
	double t0;

	(void)state;
	need_bed();
	assert_non_null(state_before);
	t0 = test_now();
	assert_int_equal(bed_down(), 0);
	printf("bed: teardown: %.2f s\n", test_now() - t0);
	bed_made = false;
	left = bed_leftovers();
	if (*left)
		fail_msg("the bed left:\n%s", left);
	free(left);
	after = test_machine_state();
	diff = test_state_diff(state_before, after, NULL, 0);
	if (*diff)
		fail_msg("new on the machine after the bed:\n%s", diff);
	free(diff);
	free(after);
	/* down.sh of a bed that is gone has nothing to do. */
	assert_int_equal(bed_down(), 0);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tag, sizeof(tag), "tcb-%d", (int)getpid());
	snprintf(svc_name, sizeof(svc_name), "%s-agent", tag);
	snprintf(secret_name, sizeof(secret_name), "%s-key", tag);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	/* The Swarm's objects go with the machines. */
	if (bed_made)
		bed_down();
	free(svc_id);
	free(secret_id);
	free(state_before);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bed_comes_up_with_three_ready_machines),
		cmocka_unit_test(
			test_agent_image_runs_its_tools_on_every_machine),
		cmocka_unit_test(test_secret_is_created_and_removed),
		cmocka_unit_test(
			test_agents_run_on_every_machine_and_leave_nothing),
		cmocka_unit_test(test_bad_requests_say_why_in_one_line),
		cmocka_unit_test(test_bed_goes_down_leaving_nothing),
	};

	return cmocka_run_group_tests_name("cluster_bed", tests, group_setup,
					   group_teardown);
}
