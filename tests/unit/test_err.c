/* Unit tests of base/err.h: the sink that keeps a callee's errno when the
 * caller gave none, and the code read back from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"

/* A callee that reports its failure only in the sink (NULL return). */
static const char *find(const char *name, struct emu_err *err)
{
	if (!strcmp(name, "h1"))
		return "h1";
	emu_err_set(err, -ENOENT, "no node '%s'", name);
	return NULL;
}

/* A callee that fails without a sentence. */
static const char *find_quietly(const char *name, struct emu_err *err)
{
	(void)err;
	return strcmp(name, "h1") ? NULL : "h1";
}

/* A caller written as base/err.h says. */
static int use(const char *name,
	       const char *(*lookup)(const char *, struct emu_err *),
	       struct emu_err *err)
{
	struct emu_err local;

	err = emu_err_sink(err, &local);
	if (!lookup(name, err))
		return emu_err_code(err, -EINVAL);
	return 0;
}

static void test_a_null_sink_keeps_the_callee_errno(void **state)
{
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(use("h1", find, NULL), 0);
	assert_int_equal(use("h9", find, NULL), -ENOENT);
	assert_int_equal(use("h9", find, &err), -ENOENT);
	assert_string_equal(err.msg, "no node 'h9'");
}

static void test_a_failure_without_a_sentence_is_not_success(void **state)
{
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(use("h9", find_quietly, &err), -EINVAL);
	assert_int_equal(use("h9", find_quietly, NULL), -EINVAL);
	assert_int_equal(err.code, 0);
}

static void test_the_sink_is_the_caller_s_when_given(void **state)
{
	struct emu_err mine = { .code = -EIO }, local = { .code = -EPERM };

	(void)state;
	assert_ptr_equal(emu_err_sink(&mine, &local), &mine);
	assert_int_equal(local.code, -EPERM);
	assert_ptr_equal(emu_err_sink(NULL, &local), &local);
	assert_int_equal(local.code, 0);
	assert_int_equal(emu_err_code(&mine, -EINVAL), -EIO);
	assert_int_equal(emu_err_code(NULL, -EINVAL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_null_sink_keeps_the_callee_errno),
		cmocka_unit_test(
			test_a_failure_without_a_sentence_is_not_success),
		cmocka_unit_test(test_the_sink_is_the_caller_s_when_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
