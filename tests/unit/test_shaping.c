/* Link shaping parameters: Mininet's keys and units, errors, the summary
 * line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "link/shaping.h"

/* Sets 'key' to 'value' on a fresh shaping and expects success. */
static struct shaping set_ok(const char *key, const char *value)
{
	struct emu_err err = { 0 };
	struct shaping s;

	shaping_init(&s);
	if (shaping_set(&s, key, value, &err))
		fail_msg("%s=%s: %s", key, value, err.msg);
	return s;
}

/* Expects shaping_set to fail with exactly 'msg', leaving 's' alone. */
static void set_fails(const char *key, const char *value, const char *msg)
{
	struct emu_err err = { 0 };
	struct shaping s, before;

	shaping_init(&s);
	s.delay_us = 7;
	before = s;
	assert_int_equal(shaping_set(&s, key, value, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, msg);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void test_init_means_no_shaping(void **state)
{
	struct shaping s;

	(void)state;
	memset(&s, 0xff, sizeof(s));
	shaping_init(&s);
	assert_false(shaping_has_rate(&s));
	assert_false(shaping_has_impairment(&s));
	assert_false(shaping_is_set(&s));
}

/* 'set link h1 s1 bw=none' and link:config{bw = false}: bw=0 was out of
 * range and nothing removed a limit. */
static void test_none_removes_an_option(void **state)
{
	struct emu_err err = { 0 };
	struct shaping s, none;

	(void)state;
	shaping_init(&s);
	shaping_init(&none);
	assert_int_equal(shaping_parse_list(&s, "bw=10,delay=5ms,jitter=1ms,"
					    "loss=1,max_queue_size=50,"
					    "use_tbf=1,gap=3", &err), 0);
	assert_int_equal(shaping_set(&s, "bw", "none", &err), 0);
	assert_false(shaping_has_rate(&s));
	assert_int_equal(s.delay_us, 5000);
	assert_int_equal(shaping_parse_list(&s, "delay=none,jitter=None,"
					    "loss=NONE,max_queue_size=none,"
					    "use_tbf=none,gap=none", &err), 0);
	assert_memory_equal(&s, &none, sizeof(s));
	assert_false(shaping_is_set(&s));
	/* unknown keys stay errors */
	assert_int_equal(shaping_set(&s, "colour", "none", &err), -EINVAL);
}

static void test_bw_is_mbit_per_second(void **state)
{
	(void)state;
	assert_int_equal(set_ok("bw", "10").rate_bps, 10000000);
	assert_int_equal(set_ok("bw", "0.1").rate_bps, 100000);
	assert_int_equal(set_ok("bw", "2.5").rate_bps, 2500000);
	assert_int_equal(set_ok("bw", "10000").rate_bps, 10000000000ULL);
	assert_true(shaping_has_rate(&(struct shaping){ .rate_bps = 1 }));
}

static void test_bw_out_of_range_or_bad_is_refused(void **state)
{
	(void)state;
	set_fails("bw", "0", "bw 0 out of range (0.1..10000 Mbit/s)");
	set_fails("bw", "0.05", "bw 0.05 out of range (0.1..10000 Mbit/s)");
	set_fails("bw", "10001", "bw 10001 out of range (0.1..10000 Mbit/s)");
	set_fails("bw", "-1", "bw -1 out of range (0.1..10000 Mbit/s)");
	set_fails("bw", "fast", "invalid bw 'fast': expected Mbit/s like 10");
	set_fails("bw", "10Mbit", "invalid bw '10Mbit': expected Mbit/s like 10");
	set_fails("bw", "", "invalid bw '': expected Mbit/s like 10");
	set_fails("bw", "nan", "invalid bw 'nan': expected Mbit/s like 10");
}

static void test_delay_takes_tc_time_units(void **state)
{
	(void)state;
	assert_int_equal(set_ok("delay", "10ms").delay_us, 10000);
	assert_int_equal(set_ok("delay", "1.5ms").delay_us, 1500);
	assert_int_equal(set_ok("delay", "250us").delay_us, 250);
	assert_int_equal(set_ok("delay", "1s").delay_us, 1000000);
	assert_int_equal(set_ok("delay", "2sec").delay_us, 2000000);
	assert_int_equal(set_ok("delay", "3msec").delay_us, 3000);
	assert_int_equal(set_ok("delay", "0ms").delay_us, 0);
	assert_int_equal(set_ok("delay", "1500ns").delay_us, 2);
	assert_true(shaping_has_impairment(&(struct shaping){ .delay_us = 1 }));
}

static void test_bare_number_delay_is_milliseconds(void **state)
{
	(void)state;
	assert_int_equal(set_ok("delay", "5").delay_us, 5000);
	assert_int_equal(set_ok("delay", "0.25").delay_us, 250);
	assert_int_equal(set_ok("jitter", "2").jitter_us, 2000);
}

static void test_bad_delay_and_jitter_are_refused(void **state)
{
	(void)state;
	set_fails("delay", "abc", "invalid delay 'abc': expected a time like 10ms");
	set_fails("delay", "10 ms", "invalid delay '10 ms': expected a time like 10ms");
	set_fails("delay", "10m", "invalid delay '10m': expected a time like 10ms");
	set_fails("delay", "", "invalid delay '': expected a time like 10ms");
	set_fails("delay", "-5ms", "delay -5ms out of range (0..60s)");
	set_fails("delay", "61s", "delay 61s out of range (0..60s)");
	set_fails("jitter", "x", "invalid jitter 'x': expected a time like 10ms");
	assert_int_equal(set_ok("jitter", "1ms").jitter_us, 1000);
}

static void test_percentages_take_optional_percent_sign(void **state)
{
	(void)state;
	assert_true(set_ok("loss", "1").loss_pct == 1.0);
	assert_true(set_ok("loss", "0.5%").loss_pct == 0.5);
	assert_true(set_ok("loss", "100").loss_pct == 100.0);
	assert_true(set_ok("loss_corr", "25").loss_corr_pct == 25.0);
	assert_true(set_ok("duplicate", "2").duplicate_pct == 2.0);
	assert_true(set_ok("corrupt", "0.1").corrupt_pct == 0.1);
	assert_true(set_ok("reorder", "25%").reorder_pct == 25.0);
	assert_true(shaping_has_impairment(&(struct shaping){ .loss_pct = 1 }));
	assert_true(shaping_has_impairment(
		&(struct shaping){ .duplicate_pct = 1 }));
	assert_true(shaping_has_impairment(
		&(struct shaping){ .corrupt_pct = 1 }));
	assert_true(shaping_has_impairment(
		&(struct shaping){ .reorder_pct = 1 }));
	assert_true(shaping_has_impairment(
		&(struct shaping){ .jitter_us = 1 }));
	/* A correlation alone impairs nothing. */
	assert_false(shaping_has_impairment(
		&(struct shaping){ .loss_corr_pct = 1 }));
}

static void test_percentages_out_of_range_are_refused(void **state)
{
	(void)state;
	set_fails("loss", "150", "loss 150 out of range (0..100 %)");
	set_fails("loss", "-1", "loss -1 out of range (0..100 %)");
	set_fails("loss", "lots",
		  "invalid loss 'lots': expected a percentage like 1.5");
	set_fails("loss", "1%%",
		  "invalid loss '1%%': expected a percentage like 1.5");
	set_fails("loss_corr", "101", "loss_corr 101 out of range (0..100 %)");
	set_fails("duplicate", "200", "duplicate 200 out of range (0..100 %)");
	set_fails("corrupt", "x",
		  "invalid corrupt 'x': expected a percentage like 1.5");
	set_fails("reorder", "100.5", "reorder 100.5 out of range (0..100 %)");
}

static void test_gap_and_queue_size_are_packet_counts(void **state)
{
	(void)state;
	assert_int_equal(set_ok("gap", "5").reorder_gap, 5);
	assert_int_equal(set_ok("max_queue_size", "100").max_queue_pkts, 100);
	assert_true(shaping_is_set(&(struct shaping){ .max_queue_pkts = 1 }));
	set_fails("gap", "x", "invalid gap 'x': expected a number of packets");
	set_fails("gap", "-1", "gap -1 out of range (0..1000000 packets)");
	set_fails("max_queue_size", "0",
		  "max_queue_size 0 out of range (1..1000000 packets)");
	set_fails("max_queue_size", "1.5",
		  "invalid max_queue_size '1.5': expected a number of packets");
}

static void test_use_htb_and_use_tbf_are_booleans(void **state)
{
	(void)state;
	assert_true(set_ok("use_tbf", "1").use_tbf);
	assert_true(set_ok("use_tbf", "true").use_tbf);
	assert_true(set_ok("use_tbf", "True").use_tbf);
	assert_false(set_ok("use_tbf", "0").use_tbf);
	assert_false(set_ok("use_tbf", "false").use_tbf);
	assert_true(set_ok("use_htb", "yes").use_htb);
	set_fails("use_tbf", "maybe",
		  "invalid use_tbf 'maybe': expected true or false");
	set_fails("use_htb", "2", "invalid use_htb '2': expected true or false");
}

static void test_unknown_key_is_refused(void **state)
{
	(void)state;
	set_fails("foo", "1", "unknown link option 'foo'");
	set_fails("Delay", "1ms", "unknown link option 'Delay'");
	set_fails("speedup", "1", "unknown link option 'speedup'");
}

static void test_parse_list_sets_every_item(void **state)
{
	struct emu_err err = { 0 };
	struct shaping s;

	(void)state;
	shaping_init(&s);
	assert_int_equal(shaping_parse_list(&s,
					    "bw=10,delay=5ms,jitter=1ms,loss=1,"
					    "max_queue_size=50,use_tbf=1",
					    &err),
			 0);
	assert_int_equal(s.rate_bps, 10000000);
	assert_int_equal(s.delay_us, 5000);
	assert_int_equal(s.jitter_us, 1000);
	assert_true(s.loss_pct == 1.0);
	assert_int_equal(s.max_queue_pkts, 50);
	assert_true(s.use_tbf);
}

static void test_parse_list_skips_empty_items(void **state)
{
	struct emu_err err = { 0 };
	struct shaping s;

	(void)state;
	shaping_init(&s);
	assert_int_equal(shaping_parse_list(&s, ",bw=1,,", &err), 0);
	assert_int_equal(s.rate_bps, 1000000);
	assert_int_equal(shaping_parse_list(&s, "", &err), 0);
	assert_int_equal(shaping_parse_list(&s, NULL, &err), 0);
}

static void test_parse_list_reports_the_bad_item(void **state)
{
	struct emu_err err = { 0 };
	struct shaping s;

	(void)state;
	shaping_init(&s);
	assert_int_equal(shaping_parse_list(&s, "bw=10,foo=1", &err), -EINVAL);
	assert_string_equal(err.msg, "unknown link option 'foo'");
	emu_err_clear(&err);
	assert_int_equal(shaping_parse_list(&s, "bw=10,delay", &err), -EINVAL);
	assert_string_equal(err.msg,
			    "link option 'delay' needs a value (key=value)");
	emu_err_clear(&err);
	assert_int_equal(shaping_parse_list(&s, "delay=abc", &err), -EINVAL);
	assert_string_equal(err.msg,
			    "invalid delay 'abc': expected a time like 10ms");
}

static void test_format_is_mininets_summary(void **state)
{
	struct shaping s;
	char buf[128];

	(void)state;
	shaping_init(&s);
	s.rate_bps = 10000000;
	s.delay_us = 5000;
	s.loss_pct = 1;
	assert_int_equal(shaping_format(&s, buf, sizeof(buf)),
			 (int)strlen("10.00Mbit 5ms delay 1.00000% loss"));
	assert_string_equal(buf, "10.00Mbit 5ms delay 1.00000% loss");

	shaping_init(&s);
	s.delay_us = 1500;
	s.jitter_us = 250;
	s.duplicate_pct = 2;
	s.corrupt_pct = 0.5;
	s.reorder_pct = 25;
	shaping_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "1.5ms delay 250us jitter 2.00000% duplicate "
				 "0.50000% corrupt 25.00000% reorder");

	shaping_init(&s);
	assert_int_equal(shaping_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_format_truncates_like_snprintf(void **state)
{
	struct shaping s;
	char buf[8];

	(void)state;
	shaping_init(&s);
	s.rate_bps = 10000000;
	s.delay_us = 5000;
	assert_int_equal(shaping_format(&s, buf, sizeof(buf)),
			 (int)strlen("10.00Mbit 5ms delay"));
	assert_string_equal(buf, "10.00Mb");
}

static void test_format_time_picks_the_natural_unit(void **state)
{
	char buf[32];

	(void)state;
	shaping_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "0ms");
	shaping_format_time(10000, buf, sizeof(buf));
	assert_string_equal(buf, "10ms");
	shaping_format_time(1234, buf, sizeof(buf));
	assert_string_equal(buf, "1.234ms");
	shaping_format_time(999, buf, sizeof(buf));
	assert_string_equal(buf, "999us");
	shaping_format_time(2000000, buf, sizeof(buf));
	assert_string_equal(buf, "2s");
}

static void test_pct_to_prob_rounds_like_tc(void **state)
{
	(void)state;
	/* Values from 'tc qdisc add ... netem loss 1% 30% duplicate 2%
	 * corrupt 0.5% reorder 25%' under strace. */
	assert_int_equal(shaping_pct_to_prob(1), 0x028f5c29);
	assert_int_equal(shaping_pct_to_prob(30), 0x4ccccccc);
	assert_int_equal(shaping_pct_to_prob(2), 0x051eb852);
	assert_int_equal(shaping_pct_to_prob(0.5), 0x0147ae14);
	assert_int_equal(shaping_pct_to_prob(25), 0x40000000);
	assert_int_equal(shaping_pct_to_prob(0), 0);
	assert_int_equal(shaping_pct_to_prob(100), UINT32_MAX);
}

/* What shaping_get() writes, shaping_set() reads back into the same
 * struct: a shaping crosses a text protocol whole. */
static void test_get_then_set_gives_the_same_shaping(void **state)
{
	struct shaping a, b;
	char buf[64];

	(void)state;
	shaping_init(&a);
	assert_int_equal(shaping_parse_list(&a, "bw=12.5,delay=1.5ms,"
						"jitter=250us,loss=0.3,"
						"loss_corr=25,duplicate=1,"
						"corrupt=0.1,reorder=5,gap=3,"
						"max_queue_size=77,use_tbf=1",
					    NULL),
			 0);
	shaping_init(&b);
	b.delay_us = 999;	/* set to none when a has none */
	for (size_t i = 0; shaping_key(i); i++) {
		assert_true(shaping_get(&a, i, buf, sizeof(buf)) >= 0);
		assert_int_equal(shaping_set(&b, shaping_key(i),
					     buf[0] ? buf : "none", NULL),
				 0);
	}
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(shaping_get(&a, 1, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "1500us");
	shaping_init(&a);
	assert_int_equal(shaping_get(&a, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	for (b.delay_us = 0; shaping_key(b.delay_us); b.delay_us++)
		;
	assert_int_equal(shaping_get(&a, b.delay_us, buf, sizeof(buf)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_means_no_shaping),
		cmocka_unit_test(test_none_removes_an_option),
		cmocka_unit_test(test_bw_is_mbit_per_second),
		cmocka_unit_test(test_bw_out_of_range_or_bad_is_refused),
		cmocka_unit_test(test_delay_takes_tc_time_units),
		cmocka_unit_test(test_bare_number_delay_is_milliseconds),
		cmocka_unit_test(test_bad_delay_and_jitter_are_refused),
		cmocka_unit_test(test_percentages_take_optional_percent_sign),
		cmocka_unit_test(test_percentages_out_of_range_are_refused),
		cmocka_unit_test(test_gap_and_queue_size_are_packet_counts),
		cmocka_unit_test(test_use_htb_and_use_tbf_are_booleans),
		cmocka_unit_test(test_unknown_key_is_refused),
		cmocka_unit_test(test_parse_list_sets_every_item),
		cmocka_unit_test(test_parse_list_skips_empty_items),
		cmocka_unit_test(test_parse_list_reports_the_bad_item),
		cmocka_unit_test(test_format_is_mininets_summary),
		cmocka_unit_test(test_format_truncates_like_snprintf),
		cmocka_unit_test(test_format_time_picks_the_natural_unit),
		cmocka_unit_test(test_pct_to_prob_rounds_like_tc),
		cmocka_unit_test(test_get_then_set_gives_the_same_shaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
