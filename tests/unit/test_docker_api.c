/* The transport of node/docker_api.c where no engine is needed: which
 * hosts it accepts, what it says when the engine is not there, what it
 * refuses before sending anything, what it does with an engine's
 * refusal (against a scripted engine on a unix socket of the test's
 * own).  The requests themselves run against a real engine in
 * tests/integration/test_docker.c. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

/* A scripted engine: answers each request (one a connection) with the
 * next of 'replies' (whole HTTP responses), then with 404. */
struct fake_engine {
	char path[64];
	int fd;
	const char *const *replies;
	size_t n_replies;
	size_t n_requests;	/* answered so far */
	char last[128];		/* request line of the last one */
	pthread_t thread;
};

static void *fake_engine_run(void *aux)
{
	static const char gone[] =
		"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
		"Content-Length: 28\r\nConnection: close\r\n\r\n"
		"{\"message\":\"No such thing\"}\n";
	struct fake_engine *e = aux;
	int c;

	while ((c = accept(e->fd, NULL, NULL)) >= 0) {
		char req[4096];
		size_t len = 0;
		ssize_t n;
		const char *reply;

		while (len < sizeof(req) - 1 &&
		       (n = read(c, req + len, sizeof(req) - 1 - len)) > 0) {
			len += (size_t)n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[len] = '\0';
		snprintf(e->last, sizeof(e->last), "%.*s",
			 (int)strcspn(req, "\r"), req);
		reply = e->n_requests < e->n_replies ? e->replies[e->n_requests]
						     : gone;
		e->n_requests++;
		if (write(c, reply, strlen(reply)) < 0)
			(void)0;
		close(c);
	}
	return NULL;
}

static void fake_engine_start(struct fake_engine *e,
			      const char *const *replies, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(e, 0, sizeof(*e));
	e->replies = replies;
	e->n_replies = n;
	snprintf(e->path, sizeof(e->path), "/tmp/cnemu-tda-%d.sock",
		 (int)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", e->path);
	unlink(e->path);
	e->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(e->fd >= 0);
	assert_int_equal(bind(e->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(e->fd, 8), 0);
	assert_int_equal(pthread_create(&e->thread, NULL, fake_engine_run, e),
			 0);
}

static void fake_engine_stop(struct fake_engine *e)
{
	shutdown(e->fd, SHUT_RDWR);	/* accept() returns */
	pthread_join(e->thread, NULL);
	close(e->fd);
	unlink(e->path);
}

#define REMOVING                                                             \
	"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"       \
	"Content-Length: 67\r\nConnection: close\r\n\r\n"                    \
	"{\"message\":\"removal of container 0123abcd is already in "          \
	"progress\"}\n"

/* A dead run's container that the engine is still removing (its stop's
 * request): a forced removal waits for that one, then finds it gone. */
static void test_forced_remove_waits_for_a_removal_under_way(void **state)
{
	static const char *const replies[] = { REMOVING, REMOVING, REMOVING };
	struct emu_err err = { 0 };
	struct fake_engine e;
	struct docker_api *api;
	char host[80];

	(void)state;
	fake_engine_start(&e, replies, 3);
	snprintf(host, sizeof(host), "unix://%s", e.path);
	api = docker_api_open(host, &err);
	assert_non_null(api);
	assert_int_equal(docker_api_remove(api, "0123abcd", true, true, &err),
			 0);
	assert_int_equal(e.n_requests, 4);	/* 409 three times, 404 */
	assert_non_null(strstr(e.last, "DELETE /v"));
	assert_non_null(strstr(e.last, "/containers/0123abcd?force=1&v=1"));
	/* Without force a 409 means the container runs: said at once. */
	e.n_requests = 0;
	assert_int_equal(docker_api_remove(api, "0123abcd", false, false,
					   &err),
			 -EEXIST);
	assert_int_equal(e.n_requests, 1);
	assert_non_null(strstr(err.msg, "already in progress"));
	docker_api_close(api);
	fake_engine_stop(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_must_be_a_unix_socket),
		cmocka_unit_test(test_missing_engine_names_the_socket),
		cmocka_unit_test(test_list_refuses_a_label_json_cannot_carry),
		cmocka_unit_test(
			test_forced_remove_waits_for_a_removal_under_way),
	};

	return cmocka_run_group_tests_name("docker_api", tests, NULL, NULL);
}
