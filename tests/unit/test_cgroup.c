/* CPU-limited hosts without the machine: where the cgroup hierarchies
 * are, Mininet's CFS figures, and the --host option. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "node/cgroup.h"
#include "node/host.h"

static void test_v1_hierarchies_are_found_wherever_mounted(void **state)
{
	static const char mounts[] =
		"tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
		"cgroup /sys/fs/cgroup/cpu,cpuacct cgroup "
		"rw,nosuid,cpu,cpuacct 0 0\n"
		"cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
		"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
	struct cgroup_layout l;

	(void)state;
	assert_int_equal(cgroup_parse_mounts(mounts, &l, NULL), 0);
	assert_false(l.v2);
	assert_string_equal(l.cpu, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.cpuacct, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.cpuset, "/sys/fs/cgroup/cpuset");
}

static void test_v2_is_used_without_a_v1_cpu_hierarchy(void **state)
{
	static const char mounts[] =
		"cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n"
		"cgroup /sys/fs/cgroup/net_cls cgroup rw,net_cls 0 0\n";
	struct cgroup_layout l;
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(cgroup_parse_mounts(mounts, &l, NULL), 0);
	assert_true(l.v2);
	assert_string_equal(l.cpu, "/sys/fs/cgroup");
	assert_string_equal(l.cpuset, "/sys/fs/cgroup");
	assert_int_equal(cgroup_parse_mounts("proc /proc proc rw 0 0\n", &l,
					     &err),
			 -ENOENT);
	assert_string_equal(err.msg, "no cgroup hierarchy with the cpu "
				     "controller is mounted");
}

/* Mininet's cfsInfo: a fraction of the whole machine; at least 1 ms of
 * quota, the period growing to keep the fraction; -1 unlimited. */
static void test_cfs_figures_are_mininets(void **state)
{
	long quota, period;

	(void)state;
	cgroup_cfs_figures(0.2, 0, 2, &quota, &period);
	assert_int_equal(quota, 40000);
	assert_int_equal(period, 100000);
	cgroup_cfs_figures(0.5, 50000, 4, &quota, &period);
	assert_int_equal(quota, 100000);
	assert_int_equal(period, 50000);
	cgroup_cfs_figures(0.001, 100000, 2, &quota, &period);
	assert_int_equal(quota, 1000);
	assert_int_equal(period, 500000);
	cgroup_cfs_figures(-1, 0, 2, &quota, &period);
	assert_int_equal(quota, -1);
}

static void test_host_option_is_mininets(void **state)
{
	struct host_cpu cpu;
	struct emu_err err = { 0 };
	char *buf = NULL;

	(void)state;
	assert_int_equal(host_cpu_parse("proc", &cpu, &buf, NULL), 0);
	assert_false(cpu.limited);
	free(buf);
	assert_int_equal(host_cpu_parse("cfs", &cpu, &buf, NULL), 0);
	assert_true(cpu.limited);
	assert_false(cpu.rt);
	assert_true(cpu.cpu <= 0);
	free(buf);
	assert_int_equal(host_cpu_parse("rt,cpu=.2,period_us=50000,cores=0-1",
					&cpu, &buf, NULL),
			 0);
	assert_true(cpu.rt);
	assert_true(cpu.cpu > 0.199 && cpu.cpu < 0.201);
	assert_int_equal(cpu.period_us, 50000);
	assert_string_equal(cpu.cores, "0-1");
	free(buf);
	assert_int_equal(host_cpu_parse("cfs,cpu=2", &cpu, &buf, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "invalid cpu '2'"));
	free(buf);
	emu_err_clear(&err);
	assert_int_equal(host_cpu_parse("cfs,mem=1", &cpu, &buf, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "unknown option 'mem'"));
	free(buf);
	emu_err_clear(&err);
	assert_int_equal(host_cpu_parse("fast", &cpu, &buf, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "unknown host 'fast' (known: proc, cfs, rt)");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_v1_hierarchies_are_found_wherever_mounted),
		cmocka_unit_test(test_v2_is_used_without_a_v1_cpu_hierarchy),
		cmocka_unit_test(test_cfs_figures_are_mininets),
		cmocka_unit_test(test_host_option_is_mininets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
