/* cluster/agent.c without root: the addresses --listen and --agent-exec
 * take. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "cluster/agent.h"
#include "cluster/chan.h"

static void expect_addr(const char *s, const char *host, int port)
{
	char buf[64];
	int p = -1;

	assert_int_equal(agent_parse_addr(s, buf, sizeof(buf), &p, NULL), 0);
	assert_string_equal(buf, host);
	assert_int_equal(p, port);
}

static void expect_bad(const char *s)
{
	struct emu_err err = { 0 };
	char buf[64];
	int p;

	assert_int_equal(agent_parse_addr(s, buf, sizeof(buf), &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, s));
}

static void test_addresses_with_and_without_port(void **state)
{
	(void)state;
	expect_addr("192.168.250.1", "192.168.250.1", CHAN_PORT);
	expect_addr("192.168.250.1:7000", "192.168.250.1", 7000);
	expect_addr("m1", "m1", CHAN_PORT);
	expect_addr("fc00::1", "fc00::1", CHAN_PORT);
	expect_addr("[fc00::1]:7001", "fc00::1", 7001);
	expect_addr("[fc00::1]", "fc00::1", CHAN_PORT);
	expect_bad("");
	expect_bad(":80");
	expect_bad("10.0.0.1:");
	expect_bad("10.0.0.1:0");
	expect_bad("10.0.0.1:65536");
	expect_bad("10.0.0.1:http");
	expect_bad("[fc00::1");
	expect_bad("[fc00::1]x");
	expect_bad("[zz::1]:80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses_with_and_without_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
