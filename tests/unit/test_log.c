/* Unit tests of emu/log.c: level specs and rate limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "emu/log.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_limit_counts_what_it_held_back),
		cmocka_unit_test(test_zeroed_rate_limit_waits_five_seconds),
		cmocka_unit_test(test_level_specs_name_known_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
