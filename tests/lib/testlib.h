/* Helpers shared by the tests: preconditions that skip (or fail under
 * CNEMU_TEST_STRICT=1), and shell commands for checking what a run left on
 * the machine (tests may use ip, ovs-vsctl and docker; cnemu may not). */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* In a cmocka test body (cmocka 1.1 reports a skip in a setup as an
 * error): skips with 'skipped: <reason>' on stdout, or
 * fails when CNEMU_TEST_STRICT=1.  Return value for a setup function. */
int test_skip(const char *reason);
/* In a test body: skips with 'reason' unless it is NULL. */
#define TEST_REQUIRE(reason)                                                   \
	do {                                                                   \
		if (reason) {                                                  \
			test_skip(reason);                                     \
			return;                                                \
		}                                                              \
	} while (0)
/* 0 when running as root, else skips. */
int require_root(void);
/* 0 when OVS's programs are there (a run starts its own), else skips. */
int require_ovs(void);
/* 0 when the Docker engine answers, else skips. */
int require_docker(void);

/* Runs the shell line made from 'fmt'; returns its exit status. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs the shell line and returns its stdout (caller frees). */
char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes 'text' to a new file /tmp/<prefix>-<pid>-<n><suffix>; returns its
 * path (caller frees and unlinks). */
char *test_write_file(const char *prefix, const char *suffix,
		      const char *text);

/* Copies the run tag of cnemu's "*** cnemu cn123: ..." line in 'out' into
 * 'tag' ("" when there is none). */
void test_run_tag(const char *out, char *tag, size_t size);

/* The cnemu binary under test (CNEMU, default ./cnemu). */
const char *test_cnemu(void);

/* Fail the test, showing 'out', unless it holds 'want' / does not hold
 * 'unwanted' / has a line matching the extended regex 'pattern'. */
void expect_has(const char *out, const char *want);
void expect_lacks(const char *out, const char *unwanted);
void expect_matches(const char *out, const char *pattern);
/* Fails the test, showing 'out', unless 'status' is 'want'. */
void expect_status(const char *out, int status, int want);

/* Runs "cnemu ARGS" ('args': shell words) with 'input' on stdin (NULL:
 * /dev/null), stdout and stderr together; waits (up to 5 minutes) while
 * another run holds the machine.  Returns its exit status and its output
 * in '*out' (NULL: dropped; caller frees). */
int test_cnemu_run(char **out, const char *input, const char *args);
/* The same without waiting: a run refused because another one holds the
 * machine returns at once (status 1). */
int test_cnemu_once(char **out, const char *input, const char *args);

/* The status of the last "exit=<n>" line in 'out' (the runners' shell
 * lines end with 'echo "exit=$?"'); -1 when there is none. */
int test_exit_status(const char *out);

/* The median of the "time=<ms> ms" lines of ping's output 'out', -1 when
 * it has none.  On a busy 2-core machine a few replies wait behind other
 * tasks for milliseconds; the median is what the link itself does. */
double test_ping_median(const char *out);

#endif
