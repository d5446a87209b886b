/* Unit tests of base/log.c: level specs and rate limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(testlog);

static void test_rate_limit_counts_what_it_held_back(void **state)
{
	struct log_rl rl = { .interval_ms = 1000 };
	unsigned int held = 99;

	(void)state;
	assert_true(log_rl_allow(&rl, &held));
	assert_int_equal(held, 0);
	assert_false(log_rl_allow(&rl, &held));
	assert_false(log_rl_allow(&rl, &held));
	assert_false(log_rl_allow(&rl, &held));
	rl.last_us -= 1500000;	/* the interval has passed */
	assert_true(log_rl_allow(&rl, &held));
	assert_int_equal(held, 3);
	rl.last_us -= 1500000;
	assert_true(log_rl_allow(&rl, &held));
	assert_int_equal(held, 0);
}

static void test_zeroed_rate_limit_waits_five_seconds(void **state)
{
	struct log_rl rl = { 0 };
	unsigned int held;

	(void)state;
	assert_true(log_rl_allow(&rl, &held));
	rl.last_us -= 4900000;
	assert_false(log_rl_allow(&rl, &held));
	rl.last_us -= 200000;
	assert_true(log_rl_allow(&rl, &held));
	assert_int_equal(held, 1);
}

static void test_level_specs_name_known_modules(void **state)
{
	(void)state;
	assert_int_equal(log_configure("testlog:dbg"), 0);
	assert_int_equal(log_configure("dbg"), 0);
	assert_int_equal(log_configure("nosuchmodule:dbg"), -ENOENT);
	assert_int_equal(log_configure("testlog:loud"), -EINVAL);
	assert_int_equal(log_configure("info"), 0);
}

/* The modules are found in the linker's table, with no code run before
 * main(): both this file's and the library's own are there and take the
 * levels given. */
static void test_levels_reach_modules_of_the_static_table(void **state)
{
	(void)state;
	assert_int_equal(log_this_module.level, LOG_INFO);
	assert_int_equal(log_configure("testlog:dbg"), 0);
	assert_int_equal(log_this_module.level, LOG_DBG);
	assert_int_equal(log_configure("log:warn"), 0);
	assert_int_equal(log_configure("err"), 0);
	assert_int_equal(log_this_module.level, LOG_ERR);
	log_set_default(LOG_INFO);
	assert_int_equal(log_this_module.level, LOG_INFO);
}

static void test_lap_gives_seconds_and_restarts_the_clock(void **state)
{
	unsigned long long t = now_us() - 1500000;
	double s;

	(void)state;
	s = log_lap(&t);
	assert_true(s >= 1.5 && s < 2.5);
	assert_true(t >= now_us() - 1000000);
	assert_true(log_lap(&t) < 1.0);
}

static void test_progress_line_counts_rate_and_time_left(void **state)
{
	char buf[128];

	(void)state;
	/* 250 of 1000 in 0.5 s: 500/s, 750 left take 1.5 s */
	log_progress_format(buf, sizeof(buf), "Starting hosts", 250, 1000,
			    500000);
	assert_string_equal(buf, "*** Starting hosts: 250/1000 (25%), "
				 "500/s, 1.5 s left");
	/* 3000 of 10000 in 12 s: 250/s, 7000 left take 28 s */
	log_progress_format(buf, sizeof(buf), "Stopping hosts", 3000, 10000,
			    12000000);
	assert_string_equal(buf, "*** Stopping hosts: 3000/10000 (30%), "
				 "250/s, 28.0 s left");
}

static void test_progress_line_before_the_first_item_says_unknown(void **state)
{
	char buf[128];

	(void)state;
	log_progress_format(buf, sizeof(buf), "Making links", 0, 400, 300000);
	assert_string_equal(buf, "*** Making links: 0/400 (0%), ?/s, ? left");
	log_progress_format(buf, sizeof(buf), "Making links", 5, 400, 0);
	assert_string_equal(buf, "*** Making links: 5/400 (1%), ?/s, ? left");
}

static void test_progress_line_when_done_has_no_time_left(void **state)
{
	char buf[128];

	(void)state;
	log_progress_format(buf, sizeof(buf), "Making links", 400, 400,
			    2000000);
	assert_string_equal(buf, "*** Making links: 400/400 (100%), 200/s, "
				 "0.0 s left");
}

static void test_progress_line_is_truncated_to_the_buffer(void **state)
{
	char buf[16];
	int n;

	(void)state;
	n = log_progress_format(buf, sizeof(buf), "Starting hosts", 1, 2,
				1000000);
	assert_true(n > (int)sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "*** Starting ho");
}

/* Runs begin, 'n' steps of one item and end of a progress of 'total'
 * items with stderr on a new pseudo-terminal ('tty') or a pipe, and
 * returns what reached the other side, at most 'size' - 1 bytes. */
static void progress_capture(bool tty, size_t total, size_t n, char *out,
			     size_t size)
{
	int saved = dup(STDERR_FILENO), fds[2];
	size_t len = 0;
	ssize_t got;

	assert_true(saved >= 0);
	if (tty) {
		fds[0] = posix_openpt(O_RDWR | O_NOCTTY);
		assert_true(fds[0] >= 0);
		assert_int_equal(grantpt(fds[0]), 0);
		assert_int_equal(unlockpt(fds[0]), 0);
		fds[1] = open(ptsname(fds[0]), O_RDWR | O_NOCTTY);
		assert_true(fds[1] >= 0);
	} else {
		assert_int_equal(pipe(fds), 0);
	}
	/* fds[0] is read, fds[1] becomes stderr */
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	log_progress_begin("Starting hosts", total);
	for (size_t i = 0; i < n; i++)
		log_progress_step(1);
	log_progress_end();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while (len + 1 < size &&
	       (got = read(fds[0], out + len, size - 1 - len)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	close(fds[0]);
}

static void test_progress_is_drawn_and_erased_on_a_terminal(void **state)
{
	char out[512];

	(void)state;
	progress_capture(true, 1000, 3, out, sizeof(out));
	assert_non_null(strstr(out, "\r*** Starting hosts: 1/1000 (0%), "));
	/* erased at the end: the cursor back and the line cleared */
	assert_int_equal(strcmp(out + strlen(out) - 4, "\r\033[K"), 0);
}

static void test_progress_of_little_work_is_silent_on_a_terminal(
	void **state)
{
	char out[512];

	(void)state;
	progress_capture(true, LOG_PROGRESS_MIN - 1, LOG_PROGRESS_MIN - 1, out,
			 sizeof(out));
	assert_string_equal(out, "");
}

static void test_progress_is_silent_off_a_terminal(void **state)
{
	char out[512];

	(void)state;
	progress_capture(false, 100000, 50, out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_limit_counts_what_it_held_back),
		cmocka_unit_test(test_zeroed_rate_limit_waits_five_seconds),
		cmocka_unit_test(test_lap_gives_seconds_and_restarts_the_clock),
		cmocka_unit_test(test_progress_line_counts_rate_and_time_left),
		cmocka_unit_test(
			test_progress_line_before_the_first_item_says_unknown),
		cmocka_unit_test(test_progress_line_when_done_has_no_time_left),
		cmocka_unit_test(test_progress_line_is_truncated_to_the_buffer),
		cmocka_unit_test(test_progress_is_drawn_and_erased_on_a_terminal),
		cmocka_unit_test(
			test_progress_of_little_work_is_silent_on_a_terminal),
		cmocka_unit_test(test_progress_is_silent_off_a_terminal),
		cmocka_unit_test(test_level_specs_name_known_modules),
		cmocka_unit_test(test_levels_reach_modules_of_the_static_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
