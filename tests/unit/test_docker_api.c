/* The transport of node/docker_api.c where no engine is needed: which
 * hosts it accepts, what it says when the engine is not there, what it
 * refuses before sending anything.  The requests themselves run against a
 * real engine in tests/integration/test_docker.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "node/docker_api.h"

static void test_host_must_be_a_unix_socket(void **state)
{
	struct emu_err err = { 0 };
	struct docker_api *api;

	(void)state;
	api = docker_api_open("unix:///tmp/x.sock", NULL);
	assert_non_null(api);
	assert_string_equal(docker_api_socket(api), "/tmp/x.sock");
	docker_api_close(api);
	api = docker_api_open("tcp://127.0.0.1:2375", &err);
	assert_null(api);
	assert_int_equal(err.code, -EPROTONOSUPPORT);
	assert_non_null(strstr(err.msg, "only unix sockets"));
}

static void test_missing_engine_names_the_socket(void **state)
{
	struct emu_err err = { 0 };
	struct docker_api *api;

	(void)state;
	api = docker_api_connect("unix:///nonexistent/cnemu-test.sock", &err);
	assert_null(api);
	assert_int_equal(err.code, -ENOENT);
	assert_string_equal(err.msg,
			    "cannot reach the Docker engine at "
			    "/nonexistent/cnemu-test.sock: No such file or "
			    "directory (start dockerd, e.g. with 'make "
			    "deps')");
}

static void test_list_refuses_a_label_json_cannot_carry(void **state)
{
	struct emu_err err = { 0 };
	struct docker_api_entry *entries;
	struct docker_api *api;
	size_t n;

	(void)state;
	api = docker_api_open("unix:///nonexistent/cnemu-test.sock", NULL);
	assert_non_null(api);
	/* Refused before any request (it aborted the program once). */
	assert_int_equal(docker_api_list(api, "cnemu.run=\xff", true,
					 &entries, &n, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "cannot list containers: label "
				     "'cnemu.run=\xff' is not UTF-8");
	assert_null(entries);
	assert_int_equal(n, 0);
	docker_api_close(api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_must_be_a_unix_socket),
		cmocka_unit_test(test_missing_engine_names_the_socket),
		cmocka_unit_test(test_list_refuses_a_label_json_cannot_carry),
	};

	return cmocka_run_group_tests_name("docker_api", tests, NULL, NULL);
}
