/* cluster/swarm_json.c: the Swarm's nodes and tasks read from replies as
 * the engine sends them, the secret and agent service bodies parsed back.
 * No socket, no engine. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/err.h"
#include "cluster/swarm_json.h"

#define LEN(s) (sizeof(s) - 1)

/* Two nodes of GET /nodes as a 20.10 manager answers (trimmed). */
static const char nodes_reply[] =
	"[{\"ID\":\"k2b5\",\"Version\":{\"Index\":9},"
	"\"Spec\":{\"Labels\":{\"rack\":\"r1\",\"gpu\":\"\"},"
	"\"Role\":\"manager\",\"Availability\":\"active\"},"
	"\"Description\":{\"Hostname\":\"m1\",\"Platform\":{\"Architecture\":"
	"\"x86_64\",\"OS\":\"linux\"},\"Resources\":{\"NanoCPUs\":2000000000,"
	"\"MemoryBytes\":25275731968},\"Engine\":{\"EngineVersion\":"
	"\"20.10.24+dfsg1\"}},\"Status\":{\"State\":\"ready\","
	"\"Addr\":\"192.168.250.1\"},\"ManagerStatus\":{\"Leader\":true,"
	"\"Reachability\":\"reachable\",\"Addr\":\"192.168.250.1:2377\"}},"
	"{\"ID\":\"x9q1\",\"Spec\":{\"Labels\":{},\"Role\":\"worker\","
	"\"Availability\":\"active\"},\"Description\":{\"Hostname\":\"m2\","
	"\"Resources\":{\"NanoCPUs\":500000000,\"MemoryBytes\":1048576}},"
	"\"Status\":{\"State\":\"down\",\"Addr\":\"192.168.250.2\"}}]";

static void test_nodes_give_hostname_address_resources_role(void **state)
{
	struct swarm_machine *m;
	size_t n;

	(void)state;
	assert_int_equal(swarm_json_parse_nodes(nodes_reply, LEN(nodes_reply),
						&m, &n, NULL),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].id, "k2b5");
	assert_string_equal(m[0].hostname, "m1");
	assert_string_equal(m[0].addr, "192.168.250.1");
	assert_int_equal(m[0].cores, 2);
	assert_int_equal(m[0].mem_bytes, 25275731968ULL);
	assert_true(m[0].ready);
	assert_true(m[0].manager);
	assert_int_equal(m[0].n_labels, 2);
	assert_string_equal(m[0].labels[0], "rack=r1");
	assert_string_equal(m[0].labels[1], "gpu=");
	assert_string_equal(m[1].hostname, "m2");
	/* Half a core counts as none: placement weighs whole cores. */
	assert_int_equal(m[1].cores, 0);
	assert_false(m[1].ready);
	assert_false(m[1].manager);
	assert_int_equal(m[1].n_labels, 0);
	swarm_machines_free(m, n);
}

static void test_bad_node_lists_are_protocol_errors(void **state)
{
	static const char *const bad[] = {
		"", "{\"message\":\"x\"}", "[{\"Spec\":{}}]", "[1,",
	};
	struct swarm_machine *m;
	struct emu_err err;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		emu_err_clear(&err);
		assert_int_equal(swarm_json_parse_nodes(bad[i], strlen(bad[i]),
							&m, &n, &err),
				 -EPROTO);
		assert_null(m);
		assert_int_equal(n, 0);
		assert_non_null(strstr(err.msg, "GET /nodes"));
	}
	/* An empty Swarm is no error. */
	assert_int_equal(swarm_json_parse_nodes("[]", 2, &m, &n, NULL), 0);
	assert_int_equal(n, 0);
	swarm_machines_free(m, n);
}

static void test_tasks_of_one_service_are_read(void **state)
{
	static const char body[] =
		"[{\"ID\":\"t1\",\"ServiceID\":\"svcA\",\"NodeID\":\"k2b5\","
		"\"Status\":{\"State\":\"running\",\"ContainerStatus\":"
		"{\"ContainerID\":\"c0ffee\",\"PID\":42}},"
		"\"DesiredState\":\"running\"},"
		"{\"ID\":\"t2\",\"ServiceID\":\"svcB\",\"NodeID\":\"k2b5\","
		"\"Status\":{\"State\":\"running\"},\"DesiredState\":"
		"\"running\"},"
		"{\"ID\":\"t3\",\"ServiceID\":\"svcA\",\"NodeID\":\"x9q1\","
		"\"Status\":{\"State\":\"rejected\",\"Err\":\"invalid mount "
		"config for type \\\"bind\\\": bind source path does not "
		"exist: /run/cnemu\"},\"DesiredState\":\"running\"}]";
	struct swarm_task *t;
	size_t n;

	(void)state;
	assert_int_equal(swarm_json_parse_tasks(body, LEN(body), "svcA", &t,
						&n, NULL),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].id, "t1");
	assert_string_equal(t[0].node_id, "k2b5");
	assert_string_equal(t[0].state, "running");
	assert_string_equal(t[0].container_id, "c0ffee");
	assert_string_equal(t[0].error, "");
	assert_string_equal(t[1].state, "rejected");
	assert_string_equal(t[1].desired, "running");
	assert_string_equal(t[1].container_id, "");
	assert_non_null(strstr(t[1].error, "/run/cnemu"));
	assert_true(swarm_task_state_is_final(t[1].state));
	assert_false(swarm_task_state_is_final(t[0].state));
	assert_false(swarm_task_state_is_final("preparing"));
	swarm_tasks_free(t, n);
	assert_int_equal(swarm_json_parse_tasks(body, LEN(body), "svcC", &t,
						&n, NULL),
			 0);
	assert_int_equal(n, 0);
	swarm_tasks_free(t, n);
}

/* cnemu -c --cluster swarm reads the runs' services: those labelled
 * cnemu.run, with the manager's machine when the label is there. */
static void test_runs_are_the_services_labelled_cnemu_run(void **state)
{
	static const char body[] =
		"[{\"ID\":\"s1\",\"Spec\":{\"Name\":\"cnemu-cn42-agent\","
		"\"Labels\":{\"cnemu.run\":\"cn42\",\"cnemu.manager\":"
		"\"m1\",\"cnemu.manager-proc\":\"42 9876 /usr/bin/cnemu\","
		"\"cnemu.port\":\"6691\"}}},"
		"{\"ID\":\"s2\",\"Spec\":{\"Name\":\"web\",\"Labels\":{}}},"
		"{\"ID\":\"s3\",\"Spec\":{\"Name\":\"other\"}},"
		"{\"ID\":\"s4\",\"Spec\":{\"Name\":\"cnemu-cn7-agent\","
		"\"Labels\":{\"cnemu.run\":\"cn7\"}}}]";
	struct swarm_run *r;
	size_t n;
	struct emu_err err;

	(void)state;
	assert_int_equal(swarm_json_parse_runs(body, LEN(body), &r, &n, NULL),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].service_id, "s1");
	assert_string_equal(r[0].service_name, "cnemu-cn42-agent");
	assert_string_equal(r[0].tag, "cn42");
	assert_string_equal(r[0].manager_host, "m1");
	assert_string_equal(r[0].manager_proc, "42 9876 /usr/bin/cnemu");
	assert_int_equal(r[0].port, 6691);
	assert_string_equal(r[1].tag, "cn7");
	assert_int_equal(r[1].port, 0);
	assert_string_equal(r[1].manager_host, "");
	assert_string_equal(r[1].manager_proc, "");
	swarm_runs_free(r, n);
	assert_int_equal(swarm_json_parse_runs("{}", 2, &r, &n, &err),
			 -EPROTO);
	assert_null(r);
	assert_int_equal(n, 0);
}

static void test_create_reply_gives_the_id(void **state)
{
	struct emu_err err;
	char *id;

	(void)state;
	assert_int_equal(swarm_json_parse_id("{\"ID\":\"s3cr\"}", 13, &id,
					     NULL),
			 0);
	assert_string_equal(id, "s3cr");
	free(id);
	assert_int_equal(swarm_json_parse_id("{\"Id\":\"v1\",\"Warnings\":[]}",
					     25, &id, NULL),
			 0);
	assert_string_equal(id, "v1");
	free(id);
	emu_err_clear(&err);
	assert_int_equal(swarm_json_parse_id("{}", 2, &id, &err), -EPROTO);
	assert_null(id);
	assert_string_equal(err.msg, "invalid reply of the Docker engine to "
				     "a create request: no ID");
}

/* Parses 'text' (and frees it); fails the test when it is not JSON. */
static json_t *parse_back(char *text)
{
	json_error_t jerr;
	json_t *root;

	assert_non_null(text);
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("not JSON (%s): %s", jerr.text, text);
	free(text);
	return root;
}

static void test_secret_body_carries_the_data_in_base64(void **state)
{
	static const struct {
		const char *data, *b64;
	} cases[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "\xff\x00\xfe", "/wD+" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].data);
		json_t *root;

		if (!strcmp(cases[i].b64, "/wD+"))
			len = 3;
		root = parse_back(swarm_json_build_secret("cnemu-cn1-key",
							  cases[i].data, len));
		assert_string_equal(json_string_value(json_object_get(root,
								      "Name")),
				    "cnemu-cn1-key");
		assert_string_equal(json_string_value(json_object_get(root,
								      "Data")),
				    cases[i].b64);
		json_decref(root);
	}
}

static json_t *get(json_t *obj, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return json_object_get(obj, path);
}

static const char *str(json_t *obj, const char *path)
{
	return json_string_value(get(obj, path));
}

/* The mount of 'target' in 'mounts'; fails when there is none. */
static json_t *mount_of(json_t *mounts, const char *target)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m)
		if (!strcmp(str(m, "Target"), target))
			return m;
	fail_msg("no mount at %s", target);
	return NULL;
}

static void test_agent_service_is_global_host_network_with_mounts(void **state)
{
	static const char *const args[] = { "--agent", "--run", "cn7", NULL };
	const struct swarm_agent_spec spec = {
		.name = "cnemu-cn7-agent",
		.image = "cnemu/agent:latest",
		.args = args,
		.secret_id = "sid1",
		.secret_name = "cnemu-cn7-key",
		.run_label = "cn7",
		.manager_host = "m1",
		.manager_proc = "7 1234 /usr/bin/cnemu",
		.port = 6692,
	};
	json_t *root, *c, *caps, *m;
	size_t i;
	bool admin = false, net = false;

	(void)state;
	root = parse_back(swarm_json_build_agent_service(&spec, NULL));
	assert_string_equal(str(root, "Name"), "cnemu-cn7-agent");
	assert_string_equal(
		json_string_value(json_object_get(get(root, "Labels"),
						  "cnemu.run")),
		"cn7");
	assert_string_equal(
		json_string_value(json_object_get(get(root, "Labels"),
						  "cnemu.manager")),
		"m1");
	assert_string_equal(
		json_string_value(json_object_get(get(root, "Labels"),
						  "cnemu.manager-proc")),
		"7 1234 /usr/bin/cnemu");
	assert_string_equal(
		json_string_value(json_object_get(get(root, "Labels"),
						  "cnemu.port")),
		"6692");
	assert_true(json_is_object(get(root, "Mode.Global")));
	assert_null(get(root, "Mode.Replicated"));
	assert_string_equal(str(json_array_get(get(root, "TaskTemplate."
							   "Networks"),
					       0),
				"Target"),
			    "host");
	assert_string_equal(str(root, "TaskTemplate.RestartPolicy.Condition"),
			    "none");
	c = get(root, "TaskTemplate.ContainerSpec");
	assert_string_equal(str(c, "Image"), "cnemu/agent:latest");
	assert_string_equal(
		json_string_value(json_object_get(get(c, "Labels"),
						  "cnemu.run")),
		"cn7");
	assert_int_equal(json_array_size(get(c, "Args")), 3);
	assert_string_equal(json_string_value(json_array_get(get(c, "Args"),
							     2)),
			    "cn7");
	assert_string_equal(json_string_value(json_array_get(get(c, "Env"),
							     0)),
			    "CNEMU_MACHINE={{.Node.Hostname}}");
	caps = get(c, "CapabilityAdd");
	json_array_foreach(caps, i, m) {
		admin |= !strcmp(json_string_value(m), "CAP_SYS_ADMIN");
		net |= !strcmp(json_string_value(m), "CAP_NET_ADMIN");
	}
	assert_true(admin && net);
	m = mount_of(get(c, "Mounts"), "/var/run/docker.sock");
	assert_string_equal(str(m, "Type"), "bind");
	assert_string_equal(str(m, "Source"), "/var/run/docker.sock");
	m = mount_of(get(c, "Mounts"), "/run/netns");
	assert_string_equal(str(m, "BindOptions.Propagation"), "rslave");
	m = mount_of(get(c, "Mounts"), "/var/run/docker/netns");
	assert_string_equal(str(m, "BindOptions.Propagation"), "rslave");
	mount_of(get(c, "Mounts"), "/run/cnemu");
	mount_of(get(c, "Mounts"), "/sys/fs/cgroup");
	m = mount_of(get(c, "Mounts"), SWARM_AGENT_MACHINE_PROC);
	assert_string_equal(str(m, "Source"), "/proc");
	m = json_array_get(get(c, "Secrets"), 0);
	assert_string_equal(str(m, "SecretID"), "sid1");
	assert_string_equal(str(m, "SecretName"), "cnemu-cn7-key");
	assert_string_equal(str(m, "File.Name"), "cnemu-cn7-key");
	assert_int_equal(json_integer_value(get(m, "File.Mode")), 0400);
	json_decref(root);
}

static void test_agent_service_without_args_or_secret_leaves_them_out(
	void **state)
{
	const struct swarm_agent_spec spec = {
		.name = "a", .image = "cnemu/busybox:latest",
	};
	json_t *root, *c;

	(void)state;
	root = parse_back(swarm_json_build_agent_service(&spec, NULL));
	c = get(root, "TaskTemplate.ContainerSpec");
	assert_null(get(c, "Args"));
	assert_null(get(c, "Secrets"));
	assert_int_equal(json_object_size(get(root, "Labels")), 0);
	json_decref(root);
}

static void test_agent_service_refuses_incomplete_specs(void **state)
{
	static const struct {
		struct swarm_agent_spec spec;
		const char *msg;
	} cases[] = {
		{ { .image = "i" }, "the agent service has no name" },
		{ { .name = "s" }, "service 's': no image" },
		{ { .name = "s", .image = "i", .secret_id = "x" },
		  "service 's': a secret needs both an id and a file name "
		  "without '/'" },
		{ { .name = "s", .image = "i", .secret_id = "x",
		    .secret_name = "../k" },
		  "service 's': a secret needs both an id and a file name "
		  "without '/'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct emu_err err;

		emu_err_clear(&err);
		assert_null(swarm_json_build_agent_service(&cases[i].spec,
							   &err));
		assert_int_equal(err.code, -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_nodes_give_hostname_address_resources_role),
		cmocka_unit_test(test_bad_node_lists_are_protocol_errors),
		cmocka_unit_test(test_tasks_of_one_service_are_read),
		cmocka_unit_test(test_runs_are_the_services_labelled_cnemu_run),
		cmocka_unit_test(test_create_reply_gives_the_id),
		cmocka_unit_test(test_secret_body_carries_the_data_in_base64),
		cmocka_unit_test(
			test_agent_service_is_global_host_network_with_mounts),
		cmocka_unit_test(
			test_agent_service_without_args_or_secret_leaves_them_out),
		cmocka_unit_test(test_agent_service_refuses_incomplete_specs),
	};

	return cmocka_run_group_tests_name("swarm_json", tests, NULL, NULL);
}
