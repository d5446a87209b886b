/* node/vswitch.c without root: the daemons' command lines keep every
 * socket, pid file and the database in the run's directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "node/vswitch.h"

static void test_ovsdb_server_listens_only_in_the_run_dir(void **state)
{
	char *argv[VSWITCH_ARGV_MAX], buf[VSWITCH_ARGV_BUF];
	int n;

	(void)state;
	n = vswitch_build_argv(VSWITCH_DBSERVER, "/run/cnemu/cn7/ovs", argv,
			       buf);
	assert_int_equal(n, 7);
	assert_string_equal(argv[0], "ovsdb-server");
	assert_string_equal(argv[1], "/run/cnemu/cn7/ovs/conf.db");
	assert_string_equal(argv[2], "--remote=punix:/run/cnemu/cn7/ovs/db.sock");
	assert_string_equal(argv[3],
			    "--unixctl=/run/cnemu/cn7/ovs/ovsdb-server.ctl");
	assert_string_equal(argv[4],
			    "--pidfile=/run/cnemu/cn7/ovs/ovsdb-server.pid");
	assert_string_equal(argv[5], "-vconsole:warn");
	assert_string_equal(argv[6], "-vsyslog:off");
	assert_null(argv[7]);
}

static void test_ovs_vswitchd_reads_the_run_database(void **state)
{
	char *argv[VSWITCH_ARGV_MAX], buf[VSWITCH_ARGV_BUF];
	int n;

	(void)state;
	n = vswitch_build_argv(VSWITCH_DAEMON, "/d", argv, buf);
	assert_int_equal(n, 6);
	assert_string_equal(argv[0], "ovs-vswitchd");
	assert_string_equal(argv[1], "unix:/d/db.sock");
	assert_string_equal(argv[2], "--unixctl=/d/ovs-vswitchd.ctl");
	assert_string_equal(argv[3], "--pidfile=/d/ovs-vswitchd.pid");
	/* No --remote, --detach or --mlockall: no listener on the machine,
	 * a child that ends with its run, memory the kernel may page. */
	for (int i = 0; i < n; i++) {
		assert_null(strstr(argv[i], "--remote"));
		assert_null(strstr(argv[i], "--detach"));
		assert_null(strstr(argv[i], "--mlockall"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovsdb_server_listens_only_in_the_run_dir),
		cmocka_unit_test(test_ovs_vswitchd_reads_the_run_database),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
