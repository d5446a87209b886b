/* Unit tests of base/netns.h that need no root: names refused before any
 * system call, a failed entry that changes nothing and says why, the
 * caller's own namespace (-1) entered by nobody, and the abort when the
 * thread cannot come back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/netns.h"

/* The lowest free fd: equal before and after a call that leaks none. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void test_open_refuses_names_that_are_not_one_file(void **state)
{
	static const char *const bad[] = { "", ".", "..", "../etc", "a/b" };
	struct emu_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		emu_err_clear(&err);
		assert_int_equal(netns_open(bad[i], &err), -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.msg, "invalid namespace name"));
	}
	emu_err_clear(&err);
	assert_int_equal(netns_open(NULL, &err), -EINVAL);
}

static void test_open_of_a_missing_namespace_names_it(void **state)
{
	char name[64], want[128];
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	snprintf(name, sizeof(name), "cnemu-unit-none-%d", (int)getpid());
	assert_int_equal(netns_open(name, &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot open namespace '%s': No such file or directory", name);
	assert_string_equal(err.msg, want);
}

static void test_entering_minus_one_stays_and_saves_nothing(void **state)
{
	int saved = 7;

	(void)state;
	assert_int_equal(netns_enter(-1, &saved, NULL), 0);
	assert_int_equal(saved, -1);
	netns_leave(saved);	/* nothing to do, no abort */
}

/* A file that is not a namespace: setns() refuses it without root. */
static void test_failed_entry_changes_nothing_and_says_why(void **state)
{
	struct stat before, after;
	struct emu_err err;
	int fd, saved = 7, free_fd;

	(void)state;
	emu_err_clear(&err);
	assert_int_equal(stat("/proc/thread-self/ns/net", &before), 0);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	free_fd = lowest_free_fd();
	assert_int_equal(netns_enter(fd, &saved, &err), -EINVAL);
	assert_int_equal(saved, -1);
	assert_string_equal(err.msg,
			    "cannot enter network namespace: Invalid argument");
	assert_int_equal(lowest_free_fd(), free_fd);	/* nothing leaked */
	assert_int_equal(stat("/proc/thread-self/ns/net", &after), 0);
	assert_true(before.st_ino == after.st_ino);
	close(fd);
}

struct call {
	int calls;
	int ret;
};

static int count_call(void *aux, struct emu_err *err)
{
	struct call *c = aux;

	c->calls++;
	if (c->ret)
		return emu_err_set(err, c->ret, "the function failed");
	return 0;
}

static void test_run_returns_what_the_function_returned(void **state)
{
	struct call c = { 0, -EEXIST };
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	assert_int_equal(netns_run(-1, count_call, &c, &err), -EEXIST);
	assert_int_equal(c.calls, 1);
	assert_string_equal(err.msg, "the function failed");
	c.ret = 0;
	assert_int_equal(netns_run(-1, count_call, &c, NULL), 0);
	assert_int_equal(c.calls, 2);
}

static void test_run_does_not_call_when_it_cannot_enter(void **state)
{
	struct call c = { 0, 0 };
	struct emu_err err;
	int fd;

	(void)state;
	emu_err_clear(&err);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(netns_run(fd, count_call, &c, &err), -EINVAL);
	assert_int_equal(c.calls, 0);
	assert_int_equal(err.code, -EINVAL);
	close(fd);
}

static void test_socket_in_own_namespace_is_close_on_exec(void **state)
{
	int fd;

	(void)state;
	fd = netns_socket(-1, AF_INET, SOCK_DGRAM, 0, NULL);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_int_equal(netns_socket(-1, AF_INET, SOCK_DGRAM, 255, NULL) < 0,
			 1);
}

static void test_own_namespace_is_the_host_s(void **state)
{
	int fd;

	(void)state;
	fd = netns_open_current(NULL);
	assert_true(fd >= 0);
	assert_true(netns_is_host(fd));
	close(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_false(netns_is_host(fd));
	close(fd);
	assert_true(netns_is_host(-1));	/* cannot tell: the worst */
}

/* The one failure that stops the process: the thread cannot come back. */
static void test_leaving_to_a_refused_namespace_aborts(void **state)
{
	int status, fd;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		/* Quiet: the log line goes to the test's log otherwise. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		netns_leave(fd);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_refuses_names_that_are_not_one_file),
		cmocka_unit_test(test_open_of_a_missing_namespace_names_it),
		cmocka_unit_test(test_entering_minus_one_stays_and_saves_nothing),
		cmocka_unit_test(test_failed_entry_changes_nothing_and_says_why),
		cmocka_unit_test(test_run_returns_what_the_function_returned),
		cmocka_unit_test(test_run_does_not_call_when_it_cannot_enter),
		cmocka_unit_test(test_socket_in_own_namespace_is_close_on_exec),
		cmocka_unit_test(test_own_namespace_is_the_host_s),
		cmocka_unit_test(test_leaving_to_a_refused_namespace_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
