/* The pure side of node/docker.c: what a container runs, the create
 * request made from Containernet's parameters, and the checks of
 * docker_create().  No engine is touched. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/err.h"
#include "node/docker.h"
#include "node/docker_files.h"
#include "node/node.h"

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

static const char *str_in(json_t *arr, size_t i)
{
	return json_string_value(json_array_get(arr, i));
}

static bool array_has(json_t *arr, const char *s)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!strcmp(str_in(arr, i), s))
			return true;
	return false;
}

static void test_argv_is_entrypoint_then_cmd(void **state)
{
	char *ep[] = { "/docker-entrypoint.sh", NULL };
	char *cmd[] = { "nginx", "-g", "daemon off;", NULL };
	struct docker_api_image img = { .entrypoint = ep, .n_entrypoint = 1,
					.cmd = cmd, .n_cmd = 3 };
	char **argv;
	size_t argc;

	(void)state;
	assert_int_equal(docker_build_argv(&img, NULL, &argv, &argc, NULL), 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "/docker-entrypoint.sh");
	assert_string_equal(argv[3], "daemon off;");
	assert_null(argv[4]);
	docker_json_free_argv(argv);
}

static void test_dcmd_replaces_the_image_cmd_not_its_entrypoint(void **state)
{
	char *ep[] = { "/init", NULL };
	char *cmd[] = { "serve", NULL };
	struct docker_api_image img = { .entrypoint = ep, .n_entrypoint = 1,
					.cmd = cmd, .n_cmd = 1 };
	char **argv;
	size_t argc;

	(void)state;
	assert_int_equal(docker_build_argv(&img, "sh -c 'sleep 9'", &argv,
					   &argc, NULL),
			 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "/init");
	assert_string_equal(argv[1], "sh");
	assert_string_equal(argv[3], "sleep 9");
	docker_json_free_argv(argv);
}

static void test_no_command_at_all_runs_a_shell(void **state)
{
	struct docker_api_image img = { 0 };
	struct emu_err err = { 0 };
	char **argv;
	size_t argc;

	(void)state;
	assert_int_equal(docker_build_argv(&img, NULL, &argv, &argc, NULL), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "/bin/sh");
	docker_json_free_argv(argv);
	assert_int_equal(docker_build_argv(NULL, NULL, &argv, &argc, NULL), 0);
	assert_string_equal(argv[0], "/bin/sh");
	docker_json_free_argv(argv);
	assert_int_equal(docker_build_argv(&img, "  ", &argv, &argc, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "empty dcmd");
}

static void test_request_from_containernet_parameters(void **state)
{
	static const char *const volumes[] = { "/tmp:/host-tmp:ro" };
	static const char *const env[] = { "MODE=test" };
	static const char *const ports[] = { "80" };
	static const struct docker_api_port pbs[] = { { "8080", NULL,
							 18080 } };
	static const char *const labels[] = { "course=net101" };
	static const char *const dns[] = { "1.1.1.1" };
	struct docker_opts o = {
		.dimage = "cnemu/busybox:latest",
		.dcmd = "httpd -f",
		.volumes = volumes, .n_volumes = 1,
		.environment = env, .n_environment = 1,
		.ports = ports, .n_ports = 1,
		.port_bindings = pbs, .n_port_bindings = 1,
		.publish_all_ports = true,
		.mem_limit = 128 << 20, .memswap_limit = 256 << 20,
		.cpu_quota = 20000, .cpu_period = 50000, .cpu_shares = 256,
		.cpuset_cpus = "0", .privileged = true,
		.dns = dns, .n_dns = 1, .labels = labels, .n_labels = 1,
	};
	char *cmd[] = { "/bin/sh", NULL };
	struct docker_api_image img = { .cmd = cmd, .n_cmd = 1 };
	json_t *root, *hc, *labels_o, *binds;

	(void)state;
	root = parse_back(docker_build_request(&o, "d1", "cn77", "cn77.d1",
					       &img, "/run/cnemu/cnemu-init",
					       NULL, NULL));
	hc = json_object_get(root, "HostConfig");
	labels_o = json_object_get(root, "Labels");
	binds = json_object_get(hc, "Binds");
	assert_string_equal(json_string_value(json_object_get(root, "Image")),
			    "cnemu/busybox:latest");
	assert_string_equal(json_string_value(json_object_get(root,
							      "Hostname")),
			    "d1");
	/* cnemu-init first, the command as its arguments. */
	assert_string_equal(str_in(json_object_get(root, "Entrypoint"), 0),
			    "/.cnemu-init");
	assert_int_equal(json_array_size(json_object_get(root, "Entrypoint")),
			 1);
	assert_int_equal(json_array_size(json_object_get(root, "Cmd")), 2);
	assert_string_equal(str_in(json_object_get(root, "Cmd"), 0), "httpd");
	assert_string_equal(str_in(json_object_get(root, "Cmd"), 1), "-f");
	assert_true(json_is_true(json_object_get(root, "Tty")));
	assert_true(json_is_true(json_object_get(root, "OpenStdin")));
	assert_string_equal(str_in(json_object_get(root, "Env"), 0),
			    "MODE=test");
	assert_string_equal(json_string_value(json_object_get(labels_o,
							      "cnemu.run")),
			    "cn77");
	assert_string_equal(json_string_value(json_object_get(labels_o,
							      "cnemu.node")),
			    "d1");
	assert_string_equal(json_string_value(json_object_get(labels_o,
							      "course")),
			    "net101");
	/* Published ports imply a management interface on docker0. */
	assert_string_equal(json_string_value(json_object_get(hc,
							      "NetworkMode")),
			    "bridge");
	assert_true(array_has(binds, "/tmp:/host-tmp:ro"));
	assert_true(array_has(binds,
			      "/run/cnemu/cnemu-init:/.cnemu-init:ro"));
	assert_true(array_has(json_object_get(hc, "CapAdd"), "NET_ADMIN"));
	assert_non_null(json_object_get(json_object_get(root, "ExposedPorts"),
					"80/tcp"));
	assert_non_null(json_object_get(json_object_get(hc, "PortBindings"),
					"8080/tcp"));
	assert_true(json_is_true(json_object_get(hc, "PublishAllPorts")));
	assert_true(json_is_true(json_object_get(hc, "Privileged")));
	assert_true(array_has(json_object_get(hc, "Dns"), "1.1.1.1"));
	assert_int_equal(json_integer_value(json_object_get(hc, "Memory")),
			 128 << 20);
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")),
			 256 << 20);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuQuota")),
			 20000);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuPeriod")),
			 50000);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuShares")),
			 256);
	assert_string_equal(json_string_value(json_object_get(hc,
							      "CpusetCpus")),
			    "0");
	json_decref(root);
}

static void test_containernet_minus_one_means_no_limit(void **state)
{
	struct docker_opts o = { .dimage = "x", .cpu_quota = -1,
				 .cpu_period = -1, .cpu_shares = -1,
				 .mem_limit = -1, .hostname = "web" };
	json_t *root, *hc;

	(void)state;
	root = parse_back(docker_build_request(&o, "d2", "cn1", "cn1.d2",
					       NULL, "/i", NULL, NULL));
	hc = json_object_get(root, "HostConfig");
	assert_null(json_object_get(hc, "CpuQuota"));
	assert_null(json_object_get(hc, "CpuPeriod"));
	assert_null(json_object_get(hc, "CpuShares"));
	assert_null(json_object_get(hc, "Memory"));
	assert_string_equal(json_string_value(json_object_get(root,
							      "Hostname")),
			    "web");
	assert_string_equal(str_in(json_object_get(root, "Cmd"), 0),
			    "/bin/sh");
	json_decref(root);
}

static void test_kept_container_says_so_in_its_labels(void **state)
{
	static const char *const own_keep[] = { "cnemu.keep=false" };
	struct docker_opts o = { .dimage = "x", .keep = true };
	struct emu_err err = { 0 };
	json_t *root, *labels;

	(void)state;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	labels = json_object_get(root, "Labels");
	assert_string_equal(json_string_value(json_object_get(labels,
							      "cnemu.keep")),
			    "true");
	assert_string_equal(json_string_value(json_object_get(labels,
							      "cnemu.run")),
			    "cn1");
	json_decref(root);
	o.keep = false;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	assert_null(json_object_get(json_object_get(root, "Labels"),
				    "cnemu.keep"));
	json_decref(root);
	/* Nobody marks a container kept but the keep option. */
	o.labels = own_keep;
	o.n_labels = 1;
	assert_null(docker_build_request(&o, "d1", "cn1", "cn1.d1", NULL,
					 "/i", NULL, &err));
	assert_non_null(strstr(err.msg, "invalid label 'cnemu.keep=false'"));
}

static void test_create_refuses_bad_parameters_at_once(void **state)
{
	static const char *const bad_vol[] = { "/no-target" };
	static const char *const own_label[] = { "cnemu.run=x" };
	static const char *const bad_env[] = { "=1" };
	struct docker_opts o = { .dimage = "x" };
	struct emu_err err = { 0 };

	(void)state;
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_string_equal(err.msg, "'d1': no Net and no run tag");
	o.run_tag = "cn1";
	o.dimage = NULL;
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_string_equal(err.msg, "'d1': no dimage given");
	o.dimage = "x";

	o.volumes = bad_vol;
	o.n_volumes = 1;
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "'d1': invalid volume '/no-target'"));

	o = (struct docker_opts){ .dimage = "x",
				  .run_tag = "cn1", .labels = own_label,
				  .n_labels = 1 };
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "cnemu.keep are cnemu's own"));

	o = (struct docker_opts){ .dimage = "x",
				  .run_tag = "cn1", .environment = bad_env,
				  .n_environment = 1 };
	assert_null(docker_create(NULL, "d1", &o, NULL));

	o = (struct docker_opts){ .dimage = "x",
				  .run_tag = "cn1", .dcmd = "sh -c 'x" };
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "unterminated quote"));

	o = (struct docker_opts){ .dimage = "x",
				  .run_tag = "cn1", .mem_limit = 100,
				  .memswap_limit = 50 };
	assert_null(docker_create(NULL, "d1", &o, NULL));

	o = (struct docker_opts){ .dimage = "x", .run_tag = "cn1" };
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d 1", &o, &err));
	assert_non_null(strstr(err.msg, "invalid container name 'd 1'"));
}

static void test_create_copies_options_and_is_a_docker_node(void **state)
{
	static const char *const vols[] = { "/a:/b" };
	char image[] = "cnemu/busybox";
	struct docker_opts o = { .dimage = image, .ip = "10.0.0.9/8",
				 .run_tag = "cn1",
				 .volumes = vols, .n_volumes = 1 };
	struct node *n;

	(void)state;
	n = docker_create(NULL, "d1", &o, NULL);
	assert_non_null(n);
	image[0] = 'X';
	assert_true(node_is_docker(n));
	assert_string_equal(node_kind(n), "docker");
	assert_int_equal(node_role(n), NODE_HOST);
	assert_string_equal(docker_image(n), "cnemu/busybox");
	assert_null(docker_id(n));
	assert_null(docker_container_name(n));
	assert_string_equal(n->default_ip, "10.0.0.9/8");
	assert_false(node_is_running(n));
	assert_int_equal(docker_update_cpu(n, 1000, 0, 0, NULL, NULL),
			 -ENETDOWN);
	node_destroy(n);
}

static void test_no_dns_given_means_a_resolver_that_fails_at_once(void **state)
{
	static const char *const dns[] = { "10.0.0.53" };
	struct docker_opts o = { .dimage = "x" };
	json_t *root, *hc;

	(void)state;
	/* No way out of the emulation: lookups fail at once instead of
	 * timing out (the machine's server would be routed into it). */
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	hc = json_object_get(root, "HostConfig");
	assert_int_equal(json_array_size(json_object_get(hc, "Dns")), 1);
	assert_true(array_has(json_object_get(hc, "Dns"), "127.0.0.1"));
	json_decref(root);
	/* A server of the user's, or the engine's network, stays. */
	o.dns = dns;
	o.n_dns = 1;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	hc = json_object_get(root, "HostConfig");
	assert_int_equal(json_array_size(json_object_get(hc, "Dns")), 1);
	assert_true(array_has(json_object_get(hc, "Dns"), "10.0.0.53"));
	json_decref(root);
	o = (struct docker_opts){ .dimage = "x", .network_mode = "bridge" };
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	assert_null(json_object_get(json_object_get(root, "HostConfig"),
				    "Dns"));
	json_decref(root);
}

static void test_a_none_container_has_no_engine_network_and_our_files(
	void **state)
{
	static const char *const vols[] = { "/srv/h:/etc/hosts:ro" };
	struct docker_opts o = { .dimage = "x" };
	json_t *root, *binds;

	(void)state;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", "/run/cnemu/cn1/docker",
					       NULL));
	binds = json_object_get(json_object_get(root, "HostConfig"), "Binds");
	assert_true(json_is_true(json_object_get(root, "NetworkDisabled")));
	assert_true(array_has(binds,
			      "/run/cnemu/cn1/docker/cn1.d1.hosts:/etc/hosts"));
	assert_true(array_has(binds, "/run/cnemu/cn1/docker/cn1.d1.resolv.conf"
				     ":/etc/resolv.conf"));
	assert_int_equal(json_array_size(binds), 3);
	json_decref(root);
	/* The user's own /etc/hosts wins; resolv.conf is still ours. */
	o.volumes = vols;
	o.n_volumes = 1;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", "/d", NULL));
	binds = json_object_get(json_object_get(root, "HostConfig"), "Binds");
	assert_true(array_has(binds, "/srv/h:/etc/hosts:ro"));
	assert_true(array_has(binds, "/d/cn1.d1.resolv.conf:/etc/resolv.conf"));
	assert_int_equal(json_array_size(binds), 3);
	json_decref(root);
}

static void test_engine_network_stays_where_it_is_needed(void **state)
{
	struct docker_opts kinds[] = {
		/* a management interface */
		{ .dimage = "x", .network_mode = "bridge" },
		/* may start again after the run, without its files */
		{ .dimage = "x", .keep = true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *root = parse_back(docker_build_request(
			&kinds[i], "d1", "cn1", "cn1.d1", NULL, "/i", "/d",
			NULL));
		json_t *binds = json_object_get(
			json_object_get(root, "HostConfig"), "Binds");

		assert_null(json_object_get(root, "NetworkDisabled"));
		assert_int_equal(json_array_size(binds), 1);
		json_decref(root);
	}
}

static void test_network_files_say_what_the_engine_would(void **state)
{
	static const char *const dns[] = { "10.0.0.53", "10.0.0.54" };
	char dir[] = "/tmp/cnemu-files-XXXXXX", *text, buf[512];
	struct emu_err err = { 0 };
	char *path;
	FILE *f;
	size_t n;

	(void)state;
	text = docker_file_resolv_text(dns, 2);
	assert_string_equal(text, "nameserver 10.0.0.53\n"
				  "nameserver 10.0.0.54\n");
	free(text);
	assert_non_null(strstr(docker_file_hosts_text(),
			       "127.0.0.1\tlocalhost\n"));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(docker_files_write(dir, "cn1.d1", dns, 1, &err), 0);
	path = docker_file_path(dir, "cn1.d1", DOCKER_FILE_RESOLV);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "nameserver 10.0.0.53\n");
	docker_files_remove(dir, "cn1.d1");
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	assert_int_equal(rmdir(dir), 0);
	/* A directory that cannot be made: one line naming it. */
	assert_int_not_equal(docker_files_write("/proc/no/such", "cn1.d1", dns,
						1, &err), 0);
	assert_non_null(strstr(err.msg, "cannot make '/proc/no/such'"));
}

static void test_modes_sharing_a_namespace_are_refused(void **state)
{
	static const char *const refused[] = { "host", "container:abc",
					       "container:cn1.d2", "ns:/x" };
	static const char *const taken[] = { "none", "bridge", "my-net",
					     "hostnet" };
	struct docker_opts o = { .dimage = "x", .run_tag = "cn1" };
	struct emu_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		o.network_mode = refused[i];
		emu_err_clear(&err);
		assert_null(docker_create(NULL, "d1", &o, &err));
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.msg, "network_mode"));
		assert_non_null(strstr(err.msg, "is refused: the container "
						"would share"));
	}
	o.network_mode = "host";
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "the machine's network namespace"));
	for (size_t i = 0; i < sizeof(taken) / sizeof(*taken); i++) {
		struct node *n;

		o.network_mode = taken[i];
		n = docker_create(NULL, "d1", &o, NULL);
		assert_non_null(n);
		node_destroy(n);
	}
}

static void test_exec_context_is_the_init_process_environment(void **state)
{
	static const char env[] = "PATH=/usr/bin:/bin\0HOSTNAME=d1\0FOO=b=c\0"
				  "junk\0\0HOME=/home/u";
	static const char status[] = "Name:\t.cnemu-init\nUmask:\t0022\n"
				     "Uid:\t1000\t1001\t1001\t1001\n"
				     "Gid:\t100\t200\t200\t200\n"
				     "FDSize:\t64\nGroups:\t200 27 4 \n"
				     "NStgid:\t1\n";
	struct node_exec_ctx *ctx;

	(void)state;
	/* environ has no final NUL when the last variable fills it. */
	ctx = docker_parse_exec_ctx(env, sizeof(env) - 1, status, "/work");
	assert_string_equal(ctx->env[0], "PATH=/usr/bin:/bin");
	assert_string_equal(ctx->env[1], "HOSTNAME=d1");
	assert_string_equal(ctx->env[2], "FOO=b=c");
	assert_string_equal(ctx->env[3], "HOME=/home/u");
	assert_null(ctx->env[4]);
	assert_string_equal(ctx->cwd, "/work");
	assert_true(ctx->set_ids);
	assert_int_equal(ctx->uid, 1001);	/* the effective ids */
	assert_int_equal(ctx->gid, 200);
	assert_int_equal(ctx->n_groups, 3);
	assert_int_equal(ctx->groups[0], 200);
	assert_int_equal(ctx->groups[2], 4);
	node_exec_ctx_free(ctx);

	/* Nothing readable: an empty environment, "/", ids untouched. */
	ctx = docker_parse_exec_ctx("", 0, "Name:\tx\n", "relative");
	assert_null(ctx->env[0]);
	assert_null(ctx->cwd);
	assert_false(ctx->set_ids);
	node_exec_ctx_free(ctx);
}

/* The network mode: none without ports; Docker's bridge (a management
 * eth0 outside the topology) when ports are exposed or published or when
 * asked for; a mode without a network refuses published ports, naming
 * the option. */
static void test_ports_imply_a_management_interface(void **state)
{
	static const char *const exposed[] = { "80" };
	static const struct docker_api_port pb[] = { { .port = "80",
						       .host_port = 18080 } };
	struct docker_opts o = { .dimage = "x", .run_tag = "cn1" };
	struct emu_err err = { 0 };
	json_t *root;

	(void)state;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(root, "HostConfig"),
				    "NetworkMode")),
			    "none");
	json_decref(root);
	o.ports = exposed;
	o.n_ports = 1;
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(root, "HostConfig"),
				    "NetworkMode")),
			    "bridge");
	json_decref(root);
	o = (struct docker_opts){ .dimage = "x", .run_tag = "cn1",
				  .network_mode = "mgmt-net" };
	root = parse_back(docker_build_request(&o, "d1", "cn1", "cn1.d1",
					       NULL, "/i", NULL, NULL));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(root, "HostConfig"),
				    "NetworkMode")),
			    "mgmt-net");
	json_decref(root);

	o = (struct docker_opts){ .dimage = "x", .run_tag = "cn1",
				  .network_mode = "none",
				  .port_bindings = pb, .n_port_bindings = 1 };
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "'d1': option 'port_bindings' needs "
					"a management interface"));
	o = (struct docker_opts){ .dimage = "x", .run_tag = "cn1",
				  .network_mode = "none",
				  .publish_all_ports = true };
	emu_err_clear(&err);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_non_null(strstr(err.msg, "option 'publish_all_ports'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_is_entrypoint_then_cmd),
		cmocka_unit_test(
			test_dcmd_replaces_the_image_cmd_not_its_entrypoint),
		cmocka_unit_test(test_no_command_at_all_runs_a_shell),
		cmocka_unit_test(test_request_from_containernet_parameters),
		cmocka_unit_test(test_containernet_minus_one_means_no_limit),
		cmocka_unit_test(test_kept_container_says_so_in_its_labels),
		cmocka_unit_test(test_create_refuses_bad_parameters_at_once),
		cmocka_unit_test(test_ports_imply_a_management_interface),
		cmocka_unit_test(
			test_create_copies_options_and_is_a_docker_node),
		cmocka_unit_test(
			test_no_dns_given_means_a_resolver_that_fails_at_once),
		cmocka_unit_test(test_modes_sharing_a_namespace_are_refused),
		cmocka_unit_test(
			test_a_none_container_has_no_engine_network_and_our_files),
		cmocka_unit_test(test_engine_network_stays_where_it_is_needed),
		cmocka_unit_test(test_network_files_say_what_the_engine_would),
		cmocka_unit_test(
			test_exec_context_is_the_init_process_environment),
	};

	return cmocka_run_group_tests_name("docker", tests, NULL, NULL);
}
