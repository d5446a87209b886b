/* emu/guard.c: what a lab needs against what the machine has, and the
 * one line that refuses a lab that does not fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "emu/guard.h"

static const struct guard_have plenty = { 64ULL << 20, 1 << 20, 1 << 20 };

static void test_need_grows_with_every_kind_of_object(void **state)
{
	struct guard_needs n = { 0 };
	unsigned long long base = guard_need_kb(&n);

	(void)state;
	n.hosts = 100;
	assert_true(guard_need_kb(&n) > base);
	base = guard_need_kb(&n);
	n.containers = 1;
	assert_true(guard_need_kb(&n) > base);
	base = guard_need_kb(&n);
	n.ovs = true;
	assert_true(guard_need_kb(&n) > base);
	assert_true(guard_need_tasks(&n) > 64);
	assert_true(guard_need_fds(&n) > 64 + 100);
}

static void test_a_small_lab_fits(void **state)
{
	struct guard_needs n = { .hosts = 4, .switches = 2, .links = 5,
				 .ovs = true };
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	assert_int_equal(guard_check("class", &n, &plenty, &err), 0);
	assert_false(emu_err_is_set(&err));
}

static void test_too_little_memory_is_one_line_naming_the_lab(void **state)
{
	struct guard_needs n = { .hosts = 10, .containers = 100, .links = 110 };
	struct guard_have h = plenty;
	struct emu_err err;

	(void)state;
	h.mem_kb = 512 << 10;
	emu_err_clear(&err);
	assert_int_equal(guard_check("class", &n, &h, &err), -ENOMEM);
	assert_string_equal(err.msg,
			    "lab 'class' does not fit: it needs about 3.2 GB "
			    "of memory (10 hosts, 100 containers, 110 links), "
			    "the machine has 512 MB available");
	assert_null(strchr(err.msg, '\n'));
}

static void test_descriptors_and_tasks_are_checked_too(void **state)
{
	struct guard_needs n = { .hosts = 1000 };
	struct guard_have h = plenty;
	struct emu_err err;

	(void)state;
	h.fds = 1024;
	emu_err_clear(&err);
	assert_int_equal(guard_check("big", &n, &h, &err), -EMFILE);
	assert_string_equal(err.msg,
			    "lab 'big' does not fit: it needs about 1064 file "
			    "descriptors, the limit is 1024 (ulimit -Hn)");
	h = plenty;
	h.tasks = 10;
	emu_err_clear(&err);
	assert_int_equal(guard_check("big", &n, &h, &err), -EAGAIN);
	assert_non_null(strstr(err.msg, "the kernel allows 10 more"));
	/* Unknown (0) is no limit. */
	h = (struct guard_have){ 0 };
	assert_int_equal(guard_check("big", &n, &h, NULL), 0);
}

static void test_this_machine_can_be_read(void **state)
{
	struct guard_have h;

	(void)state;
	assert_int_equal(guard_read_machine(&h), 0);
	assert_true(h.mem_kb > 0);
	assert_true(h.tasks > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_grows_with_every_kind_of_object),
		cmocka_unit_test(test_a_small_lab_fits),
		cmocka_unit_test(
			test_too_little_memory_is_one_line_naming_the_lab),
		cmocka_unit_test(test_descriptors_and_tasks_are_checked_too),
		cmocka_unit_test(test_this_machine_can_be_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
