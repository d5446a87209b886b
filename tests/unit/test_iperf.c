/* The pure side of emu/iperf.c: rates iperf takes, iperf3's JSON and
 * iperf 2's CSV reports as the tools print them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "emu/iperf.h"

static void test_rates_are_digits_and_one_unit(void **state)
{
	(void)state;
	assert_true(iperf_rate_ok("10M"));
	assert_true(iperf_rate_ok("1.5g"));
	assert_true(iperf_rate_ok("500000"));
	assert_false(iperf_rate_ok(""));
	assert_false(iperf_rate_ok("M"));
	assert_false(iperf_rate_ok("10MB"));
	assert_false(iperf_rate_ok("10 M"));
	assert_false(iperf_rate_ok("-b"));
}

static void test_iperf2_client_and_server_reports(void **state)
{
	/* iperf 2.1.8, -y C: the client's line, then (-u) a server's line
	 * with jitter, lost, total, percent and out-of-order; warnings and
	 * errors in between are not reports. */
	static const char client[] =
		"read failed: Connection refused\n"
		"19700101000000,10.0.0.1,54760,10.0.0.2,5001,1,0.0-1.0,"
		"1315650,10504694,0.000,0,-1,-0.000,0\n";
	static const char server[] =
		"20261204163646,10.0.0.1,59775,10.0.0.2,5001,1,0.0-6.2,"
		"635040,815977,316.270,460,894,51.454,2\n"
		"[  6] WARNING: ack of last datagram failed.\n";
	struct iperf2_report r;

	(void)state;
	assert_true(iperf2_parse_csv(client, &r));
	assert_float_equal(r.seconds, 1.0, 1e-9);
	assert_float_equal(r.bytes, 1315650, 1e-9);
	assert_float_equal(r.bps, 10504694, 1e-9);
	assert_true(iperf2_parse_csv(server, &r));
	assert_float_equal(r.seconds, 6.2, 1e-9);
	assert_float_equal(r.bytes, 635040, 1e-9);
}

static void test_iperf2_output_without_a_report(void **state)
{
	struct iperf2_report r;

	(void)state;
	assert_false(iperf2_parse_csv("", &r));
	assert_false(iperf2_parse_csv("connect failed: Network is "
				      "unreachable\n", &r));
	/* Nine fields, but no interval. */
	assert_false(iperf2_parse_csv("a,b,c,d,e,f,g,h,i\n", &r));
	assert_false(iperf2_parse_csv("1,2,3,4,5,6,0.0-x,7,8\n", &r));
}

static void test_iperf3_json_figures_and_errors(void **state)
{
	static const char ok[] =
		"warning: something\n{\"end\": {\"sum_sent\": "
		"{\"bits_per_second\": 2e6}, \"sum_received\": "
		"{\"bits_per_second\": 1e6}}}";
	static const char refused[] =
		"{\"error\": \"error - unable to connect to server: "
		"Connection refused\"}";
	struct emu_err err = { 0 };
	double s = 0, c = 0;
	bool r;

	(void)state;
	assert_int_equal(iperf3_parse(ok, &s, &c, &r, &err), 0);
	assert_float_equal(s, 1e6, 1e-9);
	assert_float_equal(c, 2e6, 1e-9);
	assert_false(r);
	assert_int_equal(iperf3_parse(refused, &s, &c, &r, &err), -EIO);
	assert_true(r);
	assert_string_equal(err.msg, "iperf3: error - unable to connect to "
				     "server: Connection refused");
	emu_err_clear(&err);
	assert_int_equal(iperf3_parse("iperf3: killed", &s, &c, &r, &err),
			 -EIO);
	assert_string_equal(err.msg, "cannot read iperf3's output: no JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_are_digits_and_one_unit),
		cmocka_unit_test(test_iperf2_client_and_server_reports),
		cmocka_unit_test(test_iperf2_output_without_a_report),
		cmocka_unit_test(test_iperf3_json_figures_and_errors),
	};

	return cmocka_run_group_tests_name("iperf", tests, NULL, NULL);
}
