/* base/file.c: whole-file replacement and the one-number files of
 * /proc/sys and the run's notes, in a directory of the test's own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"

static char dir[] = "/tmp/cnemu-test-file.XXXXXX";
static char path[64];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/n", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_numbers_are_written_and_read_back(void **state)
{
	long v = 7;

	(void)state;
	assert_int_equal(file_read_long(path, &v), -ENOENT);
	assert_int_equal(v, 0);
	assert_int_equal(file_write_long(path, -1234567890123L), 0);
	assert_int_equal(file_read_long(path, &v), 0);
	assert_int_equal(v, -1234567890123L);
	assert_int_equal(file_replace(path, "not a number\n"), 0);
	v = 7;
	assert_int_equal(file_read_long(path, &v), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(file_replace(path, "1\n"), 0);
	assert_int_equal(file_read_long(path, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(file_write_long("/nonexistent-dir/n", 1), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_are_written_and_read_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
