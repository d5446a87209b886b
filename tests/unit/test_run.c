/* emu/run.c without root: lab names, as --name takes them and as a
 * script or topology gives them by default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/run.h"

static void test_lab_names_are_short_and_plain(void **state)
{
	(void)state;
	assert_true(run_name_valid("lab"));
	assert_true(run_name_valid("class-7_b.2"));
	assert_true(run_name_valid("0"));
	assert_true(run_name_valid("abcdefghijabcdefghijabcdefghij12"));
	assert_false(run_name_valid("abcdefghijabcdefghijabcdefghij123"));
	assert_false(run_name_valid(""));
	assert_false(run_name_valid("-x"));
	assert_false(run_name_valid(".x"));
	assert_false(run_name_valid("a/b"));
	assert_false(run_name_valid("a b"));
	assert_false(run_name_valid("a\nb"));
}

static void expect_default(const char *from, const char *want)
{
	char buf[RUN_NAME_MAX + 1];

	run_default_name(from, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_true(run_name_valid(buf));
}

static void test_default_name_comes_from_script_or_topology(void **state)
{
	(void)state;
	expect_default("examples/containernet_example.lua",
		       "containernet_example");
	expect_default("/tmp/lab.lua", "lab");
	expect_default("single,3", "single-3");
	expect_default("tree,depth=2,fanout=3", "tree-depth-2-fanout-3");
	expect_default("minimal", "minimal");
	expect_default(NULL, "lab");
	expect_default("", "lab");
	expect_default("dir/", "lab");
	expect_default("--.lua", "lab");
	expect_default("a very long script name that goes on and on.lua",
		       "a-very-long-script-name-that-goe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_names_are_short_and_plain),
		cmocka_unit_test(
			test_default_name_comes_from_script_or_topology),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
