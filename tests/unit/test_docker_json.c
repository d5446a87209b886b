/* node/docker_json.c: engine replies decoded, requests built and parsed
 * back, docker-py's command and size syntax.  No socket, no engine. */
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
#include "node/docker_json.h"

#define LEN(s) (sizeof(s) - 1)

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

static const char *str_at(json_t *obj, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return json_string_value(json_object_get(obj, path));
}

static void test_error_reply_gives_the_engines_message(void **state)
{
	static const char body[] =
		"{\"message\":\"No such container: cn1.d1\"}\n";
	char msg[64];

	(void)state;
	docker_json_parse_error(body, LEN(body), msg, sizeof(msg));
	assert_string_equal(msg, "No such container: cn1.d1");
	docker_json_parse_error("  page not found\n", 17, msg, sizeof(msg));
	assert_string_equal(msg, "page not found");
	docker_json_parse_error("", 0, msg, sizeof(msg));
	assert_string_equal(msg, "empty reply");
	docker_json_parse_error("a\nb", 3, msg, sizeof(msg));
	assert_string_equal(msg, "a b");
	docker_json_parse_error("{\"message\":\"a long sentence\"}", 29, msg,
				6);
	assert_string_equal(msg, "a lon");
}

/* Found by tests/fuzz/fuzz_docker_json.c: a body starting with NULs gave
 * an empty sentence ("error: "), and so did {"message": ""}; a message
 * with a newline broke the one-line error. */
static void test_error_reply_is_never_empty_nor_two_lines(void **state)
{
	static const char tail[] = "{\"I\xe3\xdd\xc5\xdf" "5";
	char body[81 + LEN(tail)], msg[64];

	(void)state;
	/* The fuzzer's input: 81 NULs, then bytes that are not JSON. */
	memset(body, 0, 81);
	memcpy(body + 81, tail, LEN(tail));
	docker_json_parse_error(body, sizeof(body), msg, sizeof(msg));
	assert_string_equal(msg, tail);
	docker_json_parse_error(body, 81, msg, sizeof(msg));
	assert_string_equal(msg, "empty reply");
	docker_json_parse_error("a\0b", 3, msg, sizeof(msg));
	assert_string_equal(msg, "a b");
	docker_json_parse_error("{\"message\":\"\"}", LEN("{\"message\":\"\"}"),
				msg, sizeof(msg));
	assert_string_equal(msg, "{\"message\":\"\"}");
	docker_json_parse_error("{\"message\":\"no\\nway\\n\"}",
				LEN("{\"message\":\"no\\nway\\n\"}"), msg,
				sizeof(msg));
	assert_string_equal(msg, "no way");
}

static void test_status_maps_to_errno(void **state)
{
	(void)state;
	assert_int_equal(docker_json_status_errno(200), 0);
	assert_int_equal(docker_json_status_errno(204), 0);
	assert_int_equal(docker_json_status_errno(400), -EINVAL);
	assert_int_equal(docker_json_status_errno(404), -ENOENT);
	assert_int_equal(docker_json_status_errno(409), -EEXIST);
	assert_int_equal(docker_json_status_errno(500), -EIO);
}

static void test_image_inspect_gives_entrypoint_cmd_env_workdir(void **state)
{
	static const char body[] =
		"{\"Id\":\"sha256:beb1\",\"RepoTags\":[\"x:1\"],"
		"\"Config\":{\"Env\":[\"PATH=/usr/bin\",\"A=b c\"],"
		"\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],"
		"\"Entrypoint\":[\"/docker-entrypoint.sh\"],"
		"\"WorkingDir\":\"/srv\",\"User\":\"www\"}}";
	struct docker_api_image img;

	(void)state;
	assert_int_equal(docker_json_parse_image(body, LEN(body), &img, NULL),
			 0);
	assert_string_equal(img.id, "sha256:beb1");
	assert_int_equal(img.n_entrypoint, 1);
	assert_string_equal(img.entrypoint[0], "/docker-entrypoint.sh");
	assert_null(img.entrypoint[1]);
	assert_int_equal(img.n_cmd, 3);
	assert_string_equal(img.cmd[2], "daemon off;");
	assert_int_equal(img.n_env, 2);
	assert_string_equal(img.env[1], "A=b c");
	assert_string_equal(img.working_dir, "/srv");
	assert_string_equal(img.user, "www");
	docker_api_image_release(&img);
	assert_null(img.id);
}

static void test_image_without_entrypoint_or_cmd_has_none(void **state)
{
	static const char body[] =
		"{\"Id\":\"sha256:1\",\"Config\":{\"Env\":null,\"Cmd\":null,"
		"\"Entrypoint\":null,\"WorkingDir\":\"\"}}";
	static const char no_config[] = "{\"Id\":\"sha256:2\"}";
	static const char string_cmd[] =
		"{\"Id\":\"sha256:3\",\"Config\":{\"Cmd\":\"/bin/sh\"}}";
	struct docker_api_image img;

	(void)state;
	assert_int_equal(docker_json_parse_image(body, LEN(body), &img, NULL),
			 0);
	assert_null(img.entrypoint);
	assert_int_equal(img.n_entrypoint, 0);
	assert_null(img.cmd);
	assert_int_equal(img.n_env, 0);
	assert_string_equal(img.working_dir, "");
	docker_api_image_release(&img);
	assert_int_equal(docker_json_parse_image(no_config, LEN(no_config),
						 &img, NULL),
			 0);
	assert_null(img.cmd);
	docker_api_image_release(&img);
	assert_int_equal(docker_json_parse_image(string_cmd, LEN(string_cmd),
						 &img, NULL),
			 0);
	assert_int_equal(img.n_cmd, 1);
	assert_string_equal(img.cmd[0], "/bin/sh");
	docker_api_image_release(&img);
}

static void test_bad_replies_are_protocol_errors(void **state)
{
	struct docker_api_image img;
	struct docker_api_state st;
	struct docker_api_entry *es;
	struct emu_err err = { 0 };
	char *id;
	size_t n;

	(void)state;
	assert_int_equal(docker_json_parse_image("{", 1, &img, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "invalid reply of the Docker engine"));
	assert_int_equal(docker_json_parse_image("[]", 2, &img, NULL),
			 -EPROTO);
	assert_int_equal(docker_json_parse_image("\"x\"", 3, &img, NULL),
			 -EPROTO);
	assert_int_equal(docker_json_parse_state("{\"Id\":\"a\"}", 10, &st,
						 NULL),
			 -EPROTO);
	assert_int_equal(docker_json_parse_created("{}", 2, &id, NULL),
			 -EPROTO);
	assert_null(id);
	assert_int_equal(docker_json_parse_list("{}", 2, &es, &n, NULL),
			 -EPROTO);
	assert_int_equal(docker_json_parse_list("", 0, &es, &n, NULL),
			 -EPROTO);
}

static void test_container_inspect_gives_pid_and_state(void **state)
{
	static const char running[] =
		"{\"Id\":\"0123abcd\",\"Name\":\"/cn42.d1\",\"State\":{"
		"\"Status\":\"running\",\"Running\":true,\"Pid\":4242,"
		"\"ExitCode\":0,\"Error\":\"\"},\"HostConfig\":{}}";
	static const char exited[] =
		"{\"Id\":\"0123abcd\",\"Name\":\"/cn42.d1\",\"State\":{"
		"\"Status\":\"exited\",\"Running\":false,\"Pid\":0,"
		"\"ExitCode\":127,\"Error\":\"oci runtime: boom\"}}";
	struct docker_api_state st;

	(void)state;
	assert_int_equal(docker_json_parse_state(running, LEN(running), &st,
						 NULL),
			 0);
	assert_string_equal(st.id, "0123abcd");
	assert_string_equal(st.name, "cn42.d1");
	assert_string_equal(st.status, "running");
	assert_true(st.running);
	assert_int_equal(st.pid, 4242);
	docker_api_state_release(&st);
	assert_int_equal(docker_json_parse_state(exited, LEN(exited), &st,
						 NULL),
			 0);
	assert_false(st.running);
	assert_int_equal(st.pid, 0);
	assert_int_equal(st.exit_code, 127);
	assert_string_equal(st.error, "oci runtime: boom");
	docker_api_state_release(&st);
}

static void test_create_reply_gives_the_id(void **state)
{
	static const char body[] =
		"{\"Id\":\"e90e34656806\",\"Warnings\":[\"swap off\"]}";
	char *id;

	(void)state;
	assert_int_equal(docker_json_parse_created(body, LEN(body), &id, NULL),
			 0);
	assert_string_equal(id, "e90e34656806");
	free(id);
}

static void test_list_gives_names_and_labels(void **state)
{
	static const char body[] =
		"[{\"Id\":\"aa\",\"Names\":[\"/cn1.d1\"],\"State\":\"running\","
		"\"Labels\":{\"cnemu.run\":\"cn1\",\"cnemu.node\":\"d1\"}},"
		"{\"Id\":\"bb\",\"Names\":[\"/other\"],\"State\":\"exited\","
		"\"Labels\":{}},{\"Names\":[\"/no-id\"]}]";
	struct docker_api_entry *es;
	size_t n;

	(void)state;
	assert_int_equal(docker_json_parse_list(body, LEN(body), &es, &n, NULL),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(es[0].id, "aa");
	assert_string_equal(es[0].name, "cn1.d1");
	assert_string_equal(es[0].state, "running");
	assert_string_equal(docker_api_entry_label(&es[0], "cnemu.run"),
			    "cn1");
	assert_string_equal(docker_api_entry_label(&es[0], "cnemu.node"),
			    "d1");
	assert_null(docker_api_entry_label(&es[0], "cnemu"));
	assert_null(docker_api_entry_label(&es[1], "cnemu.run"));
	assert_string_equal(es[1].state, "exited");
	docker_api_entries_free(es, n);
	assert_int_equal(docker_json_parse_list("[]", 2, &es, &n, NULL), 0);
	assert_int_equal(n, 0);
	docker_api_entries_free(es, n);
}

static void test_pull_stream_error_is_found(void **state)
{
	static const char ok[] =
		"{\"status\":\"Pulling from library/busybox\"}\r\n"
		"{\"status\":\"Download complete\",\"id\":\"a1\"}\r\n";
	static const char bad[] =
		"{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":"
		"\"manifest unknown\"},\"error\":\"manifest unknown\"}\n";
	static const char bare[] = "{\"error\":\"no route\"}";
	char msg[64] = "";

	(void)state;
	assert_int_equal(docker_json_parse_pull(ok, LEN(ok), msg, sizeof(msg)),
			 0);
	assert_int_equal(docker_json_parse_pull(bad, LEN(bad), msg,
						sizeof(msg)),
			 -EIO);
	assert_string_equal(msg, "manifest unknown");
	assert_int_equal(docker_json_parse_pull(bare, LEN(bare), msg,
						sizeof(msg)),
			 -EIO);
	assert_string_equal(msg, "no route");
}

static void test_log_frames_are_joined_and_plain_text_kept(void **state)
{
	char framed[] = "\x01\0\0\0\0\0\0\x03" "ab\n"
			"\x02\0\0\0\0\0\0\x04" "err\n";
	char plain[] = "hello\nworld\n";
	char cut[] = "\x01\0\0\0\0\0\0\x09" "ab";
	size_t n;

	(void)state;
	n = docker_json_demux_logs(framed, sizeof(framed) - 1);
	assert_int_equal(n, 7);
	assert_memory_equal(framed, "ab\nerr\n", 7);
	n = docker_json_demux_logs(plain, LEN(plain));
	assert_int_equal(n, LEN(plain));
	assert_string_equal(plain, "hello\nworld\n");
	assert_int_equal(docker_json_demux_logs(cut, sizeof(cut) - 1),
			 sizeof(cut) - 1);
	assert_int_equal(docker_json_demux_logs(plain, 0), 0);
}

static void test_ports_are_normalised(void **state)
{
	struct emu_err err = { 0 };
	char buf[32];

	(void)state;
	assert_int_equal(docker_json_parse_port("80", buf, sizeof(buf), NULL),
			 0);
	assert_string_equal(buf, "80/tcp");
	assert_int_equal(docker_json_parse_port("53/udp", buf, sizeof(buf),
						NULL),
			 0);
	assert_string_equal(buf, "53/udp");
	assert_int_equal(docker_json_parse_port("5000-5010/tcp", buf,
						sizeof(buf), NULL),
			 0);
	assert_string_equal(buf, "5000-5010/tcp");
	assert_int_equal(docker_json_parse_port("0", buf, sizeof(buf), &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "invalid port '0'"));
	assert_int_equal(docker_json_parse_port("65536", buf, sizeof(buf),
						NULL),
			 -EINVAL);
	assert_int_equal(docker_json_parse_port("80/xyz", buf, sizeof(buf),
						NULL),
			 -EINVAL);
	assert_int_equal(docker_json_parse_port("http", buf, sizeof(buf),
						NULL),
			 -EINVAL);
	assert_int_equal(docker_json_parse_port("9-8", buf, sizeof(buf), NULL),
			 -EINVAL);
	assert_int_equal(docker_json_parse_port("", buf, sizeof(buf), NULL),
			 -EINVAL);
}

static void test_create_request_carries_every_field(void **state)
{
	static const char *const ep[] = { "/.cnemu-init" };
	static const char *const cmd[] = { "nginx", "-g", "daemon off;" };
	static const char *const env[] = { "A=1", "B=x=y" };
	static const char *const labels[] = { "cnemu.run=cn7", "team=blue" };
	static const char *const binds[] = { "/srv:/data:ro", "vol:/v" };
	static const char *const ports[] = { "80", "53/udp" };
	static const struct docker_api_port pbs[] = {
		{ "8080", NULL, 18080 },
		{ "8080", "127.0.0.1", 0 },
	};
	static const char *const caps[] = { "NET_ADMIN" };
	static const char *const dns[] = { "8.8.8.8" };
	struct docker_api_spec spec = {
		.name = "cn7.d1", .image = "nginx:1", .hostname = "d1",
		.entrypoint = ep, .n_entrypoint = 1,
		.cmd = cmd, .n_cmd = 3, .env = env, .n_env = 2,
		.labels = labels, .n_labels = 2, .tty = true,
		.open_stdin = true, .binds = binds, .n_binds = 2,
		.ports = ports, .n_ports = 2, .port_bindings = pbs,
		.n_port_bindings = 2, .publish_all_ports = true,
		.privileged = true, .cap_add = caps, .n_cap_add = 1,
		.dns = dns, .n_dns = 1, .memory_bytes = 256 << 20,
		.memswap_bytes = -1, .cpu_quota_us = 50000,
		.cpu_period_us = 100000, .cpu_shares = 512,
		.cpuset_cpus = "0-1",
	};
	json_t *root, *hc, *pb;

	(void)state;
	root = parse_back(docker_json_build_create(&spec, NULL));
	hc = json_object_get(root, "HostConfig");
	assert_string_equal(str_at(root, "Image"), "nginx:1");
	assert_string_equal(str_at(root, "Hostname"), "d1");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(root, "Entrypoint"), 0)),
			    "/.cnemu-init");
	assert_int_equal(json_array_size(json_object_get(root, "Cmd")), 3);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(root, "Cmd"), 2)),
			    "daemon off;");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(root, "Env"), 1)),
			    "B=x=y");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(root, "Labels"), "cnemu.run")),
		"cn7");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(root, "Labels"), "team")),
		"blue");
	assert_true(json_is_true(json_object_get(root, "Tty")));
	assert_true(json_is_true(json_object_get(root, "OpenStdin")));
	assert_non_null(json_object_get(json_object_get(root, "ExposedPorts"),
					"80/tcp"));
	assert_non_null(json_object_get(json_object_get(root, "ExposedPorts"),
					"53/udp"));
	assert_non_null(json_object_get(json_object_get(root, "ExposedPorts"),
					"8080/tcp"));
	assert_string_equal(str_at(hc, "NetworkMode"), "none");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(hc, "Binds"), 0)),
			    "/srv:/data:ro");
	pb = json_object_get(json_object_get(hc, "PortBindings"), "8080/tcp");
	assert_int_equal(json_array_size(pb), 2);
	assert_string_equal(str_at(json_array_get(pb, 0), "HostPort"),
			    "18080");
	assert_string_equal(str_at(json_array_get(pb, 0), "HostIp"), "");
	assert_string_equal(str_at(json_array_get(pb, 1), "HostPort"), "");
	assert_string_equal(str_at(json_array_get(pb, 1), "HostIp"),
			    "127.0.0.1");
	assert_true(json_is_true(json_object_get(hc, "PublishAllPorts")));
	assert_true(json_is_true(json_object_get(hc, "Privileged")));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(hc, "CapAdd"), 0)),
			    "NET_ADMIN");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(hc, "Dns"), 0)),
			    "8.8.8.8");
	assert_int_equal(json_integer_value(json_object_get(hc, "Memory")),
			 256 << 20);
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")),
			 -1);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuQuota")),
			 50000);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuPeriod")),
			 100000);
	assert_int_equal(json_integer_value(json_object_get(hc, "CpuShares")),
			 512);
	assert_string_equal(str_at(hc, "CpusetCpus"), "0-1");
	json_decref(root);
}

static void test_create_request_defaults_leave_fields_out(void **state)
{
	struct docker_api_spec spec = { .image = "cnemu/busybox" };
	static const char *const none[] = { NULL };
	json_t *root, *hc;

	(void)state;
	root = parse_back(docker_json_build_create(&spec, NULL));
	hc = json_object_get(root, "HostConfig");
	assert_string_equal(str_at(hc, "NetworkMode"), "none");
	assert_null(json_object_get(root, "Entrypoint"));
	assert_null(json_object_get(root, "Cmd"));
	assert_null(json_object_get(root, "ExposedPorts"));
	assert_null(json_object_get(hc, "Memory"));
	assert_null(json_object_get(hc, "CpuQuota"));
	assert_null(json_object_get(hc, "Binds"));
	assert_null(json_object_get(hc, "PortBindings"));
	assert_true(json_is_false(json_object_get(root, "Tty")));
	json_decref(root);

	/* An empty entry point given is "none", not "the image's". */
	spec.entrypoint = none;
	spec.network_mode = "bridge";
	root = parse_back(docker_json_build_create(&spec, NULL));
	assert_int_equal(json_array_size(json_object_get(root, "Entrypoint")),
			 0);
	assert_non_null(json_object_get(root, "Entrypoint"));
	assert_string_equal(str_at(json_object_get(root, "HostConfig"),
				   "NetworkMode"),
			    "bridge");
	json_decref(root);
}

static void test_create_request_refuses_bad_fields(void **state)
{
	static const char *const bad_env[] = { "NOVALUE" };
	static const char *const bad_bind[] = { "/only-one-path" };
	static const char *const rel_bind[] = { "/a:b" };
	static const char *const bad_label[] = { "=x" };
	static const char *const bad_port[] = { "99999" };
	static const struct docker_api_port bad_pb[] = { { "80", NULL,
							    70000 } };
	struct docker_api_spec base = { .image = "x" }, spec;
	struct emu_err err = { 0 };

	(void)state;
	spec = (struct docker_api_spec){ 0 };
	assert_null(docker_json_build_create(&spec, &err));
	assert_string_equal(err.msg, "no image given");

	spec = base;
	spec.env = bad_env;
	spec.n_env = 1;
	emu_err_clear(&err);
	assert_null(docker_json_build_create(&spec, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.msg, "'NOVALUE'"));

	spec = base;
	spec.binds = bad_bind;
	spec.n_binds = 1;
	emu_err_clear(&err);
	assert_null(docker_json_build_create(&spec, &err));
	assert_non_null(strstr(err.msg, "invalid volume '/only-one-path'"));
	spec.binds = rel_bind;
	assert_null(docker_json_build_create(&spec, NULL));

	spec = base;
	spec.labels = bad_label;
	spec.n_labels = 1;
	emu_err_clear(&err);
	assert_null(docker_json_build_create(&spec, &err));
	assert_non_null(strstr(err.msg, "invalid label '=x'"));

	spec = base;
	spec.ports = bad_port;
	spec.n_ports = 1;
	assert_null(docker_json_build_create(&spec, NULL));

	spec = base;
	spec.port_bindings = bad_pb;
	spec.n_port_bindings = 1;
	assert_null(docker_json_build_create(&spec, NULL));

	spec = base;
	spec.memory_bytes = 100 << 20;
	spec.memswap_bytes = 50 << 20;
	emu_err_clear(&err);
	assert_null(docker_json_build_create(&spec, &err));
	assert_non_null(strstr(err.msg, "memswap_limit"));

	spec = base;
	spec.cpu_shares = -5;
	assert_null(docker_json_build_create(&spec, NULL));
}

static void test_update_request_has_only_given_limits(void **state)
{
	struct docker_api_limits l = { .cpu_quota_us = -1,
				       .memory_bytes = 64 << 20 };
	json_t *root;

	(void)state;
	root = parse_back(docker_json_build_update(&l));
	assert_int_equal(json_object_size(root), 2);
	assert_int_equal(json_integer_value(json_object_get(root, "CpuQuota")),
			 -1);
	assert_int_equal(json_integer_value(json_object_get(root, "Memory")),
			 64 << 20);
	json_decref(root);
	l = (struct docker_api_limits){ .cpu_period_us = 50000,
					.cpu_shares = 2048,
					.cpuset_cpus = "1" };
	root = parse_back(docker_json_build_update(&l));
	assert_int_equal(json_object_size(root), 3);
	assert_string_equal(str_at(root, "CpusetCpus"), "1");
	json_decref(root);
}

static void test_commands_split_like_docker_py(void **state)
{
	struct emu_err err = { 0 };
	char **argv;
	size_t argc;

	(void)state;
	assert_int_equal(docker_json_split_command(
				 "sh -c 'echo hi; sleep 1000'", &argv, &argc,
				 NULL),
			 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[0], "sh");
	assert_string_equal(argv[2], "echo hi; sleep 1000");
	assert_null(argv[3]);
	docker_json_free_argv(argv);

	assert_int_equal(docker_json_split_command(
				 "  a\\ b \"c \\\"d\\\" \\n\" e''f \"\"  ",
				 &argv, &argc, NULL),
			 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "a b");
	assert_string_equal(argv[1], "c \"d\" \\n");
	assert_string_equal(argv[2], "ef");
	assert_string_equal(argv[3], "");
	docker_json_free_argv(argv);

	assert_int_equal(docker_json_split_command("   ", &argv, &argc, NULL),
			 0);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	docker_json_free_argv(argv);

	assert_int_equal(docker_json_split_command("echo 'oops", &argv, &argc,
						   &err),
			 -EINVAL);
	assert_null(argv);
	assert_non_null(strstr(err.msg, "unterminated quote"));
	assert_int_equal(docker_json_split_command("echo \"oops", &argv, &argc,
						   NULL),
			 -EINVAL);
}

static void test_sizes_parse_like_docker_py(void **state)
{
	struct emu_err err = { 0 };
	long long v;

	(void)state;
	assert_int_equal(docker_json_parse_size("512m", &v, NULL), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(docker_json_parse_size("512MB", &v, NULL), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(docker_json_parse_size("1g", &v, NULL), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(docker_json_parse_size("1.5g", &v, NULL), 0);
	assert_int_equal(v, 3LL << 29);
	assert_int_equal(docker_json_parse_size("100k", &v, NULL), 0);
	assert_int_equal(v, 102400);
	assert_int_equal(docker_json_parse_size("4096", &v, NULL), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(docker_json_parse_size("100b", &v, NULL), 0);
	assert_int_equal(v, 100);
	assert_int_equal(docker_json_parse_size("2t", &v, NULL), 0);
	assert_int_equal(v, 2LL << 40);
	assert_int_equal(docker_json_parse_size("12x", &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid size '12x'"));
	assert_int_equal(docker_json_parse_size("", &v, NULL), -EINVAL);
	assert_int_equal(docker_json_parse_size("m", &v, NULL), -EINVAL);
	assert_int_equal(docker_json_parse_size("-1m", &v, NULL), -EINVAL);
	assert_int_equal(docker_json_parse_size("1.2.3m", &v, NULL), -EINVAL);
	assert_int_equal(docker_json_parse_size(".m", &v, NULL), -EINVAL);
	assert_int_equal(docker_json_parse_size("99999999999t", &v, NULL),
			 -EINVAL);
}

static void test_create_reply_warnings_are_read(void **state)
{
	static const char reply[] =
		"{\"Id\":\"abc\",\"Warnings\":[\"Your kernel does not "
		"support swap limit capabilities\",7,\"second\"]}";
	char **w;

	(void)state;
	w = docker_json_parse_warnings(reply, LEN(reply));
	assert_non_null(w);
	assert_string_equal(w[0], "Your kernel does not support swap limit "
				  "capabilities");
	assert_string_equal(w[1], "second");
	assert_null(w[2]);
	docker_json_free_argv(w);
	assert_null(docker_json_parse_warnings("{\"Id\":\"abc\"}", 12));
	assert_null(docker_json_parse_warnings("{\"Warnings\":null}", 17));
	assert_null(docker_json_parse_warnings("not json", 8));
}

static void test_label_filter_is_json_or_null(void **state)
{
	json_t *root;

	(void)state;
	root = parse_back(
		docker_json_build_label_filter("cnemu.run=cn1 \"x\""));
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(root, "label"), 0)),
		"cnemu.run=cn1 \"x\"");
	assert_int_equal(json_object_size(root), 1);
	json_decref(root);
	/* JSON carries UTF-8 only. */
	assert_null(docker_json_build_label_filter("cnemu.run=\xff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_reply_gives_the_engines_message),
		cmocka_unit_test(test_error_reply_is_never_empty_nor_two_lines),
		cmocka_unit_test(test_status_maps_to_errno),
		cmocka_unit_test(
			test_image_inspect_gives_entrypoint_cmd_env_workdir),
		cmocka_unit_test(test_image_without_entrypoint_or_cmd_has_none),
		cmocka_unit_test(test_bad_replies_are_protocol_errors),
		cmocka_unit_test(test_container_inspect_gives_pid_and_state),
		cmocka_unit_test(test_create_reply_gives_the_id),
		cmocka_unit_test(test_list_gives_names_and_labels),
		cmocka_unit_test(test_pull_stream_error_is_found),
		cmocka_unit_test(
			test_log_frames_are_joined_and_plain_text_kept),
		cmocka_unit_test(test_ports_are_normalised),
		cmocka_unit_test(test_create_request_carries_every_field),
		cmocka_unit_test(
			test_create_request_defaults_leave_fields_out),
		cmocka_unit_test(test_create_request_refuses_bad_fields),
		cmocka_unit_test(test_update_request_has_only_given_limits),
		cmocka_unit_test(test_commands_split_like_docker_py),
		cmocka_unit_test(test_sizes_parse_like_docker_py),
		cmocka_unit_test(test_create_reply_warnings_are_read),
		cmocka_unit_test(test_label_filter_is_json_or_null),
	};

	return cmocka_run_group_tests_name("docker_json", tests, NULL, NULL);
}
