/* node/ovs.c against the real ovsdb-server and ovs-vswitchd (userspace
 * datapath).  Needs root and a reachable ovsdb-server ('make deps');
 * otherwise the OVS tests skip with the reason, or fail with
 * CNEMU_TEST_STRICT=1.  Everything made here is named tovs*: veth pairs
 * tovs-a0/tovs-a1, tovs-b0/tovs-b1, tovs-c0/tovs-c1, bridges tovs0, tovs1;
 * teardown removes them also after a failure. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"
#include "node/ovs.h"
#include "tests/lib/testlib.h"

static const char *not_ready;	/* why the OVS tests skip; NULL: they run */
static char run_tag[64];	/* "tovs-<pid>" */

/* The output of a shell command without its trailing newline. */
static char *sh_line(const char *cmd)
{
	char *out = sh_out("%s", cmd);

	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void assert_sh_out(const char *want, const char *cmd)
{
	char *got = sh_line(cmd);

	if (strcmp(got, want))
		fail_msg("'%s' printed '%s', want '%s'", cmd, got, want);
	free(got);
}

static long sh_long(const char *cmd)
{
	char *out = sh_line(cmd);
	long v = strtol(out, NULL, 10);

	free(out);
	return v;
}

static void clean_machine(void)
{
	sh("ovs-vsctl --timeout=10 --if-exists del-br tovs0 -- --if-exists "
	   "del-br tovs1");
	sh("for l in tovs-a0 tovs-b0 tovs-c0; do ip link del $l 2>/dev/null; "
	   "done");
}

/* Finds out once whether the OVS tests can run. */
static int group_setup(void **state)
{
	static char reason[300];
	struct ovs_switch_db *db;
	struct emu_err err;

	(void)state;
	snprintf(run_tag, sizeof(run_tag), "tovs-%d", (int)getpid());
	emu_err_clear(&err);
	if (geteuid() != 0) {
		not_ready = "not running as root";
	} else if (!(db = ovs_switch_connect(NULL, 2000, &err))) {
		snprintf(reason, sizeof(reason), "%s", err.msg);
		not_ready = reason;
	} else {
		ovs_switch_disconnect(db);
		if (sh("ovs-vsctl --version >/dev/null 2>&1"))
			not_ready = "no ovs-vsctl to check the results with";
	}
	return 0;
}

/* Per OVS test: three veth pairs and a connection in '*state' (NULL when
 * the tests cannot run: cmocka 1.1 turns a skip in a setup into an error,
 * so the test body skips, through OVS_TEST_START). */
static int ovs_setup(void **state)
{
	struct ovs_switch_db *db;
	struct emu_err err;

	*state = NULL;
	if (not_ready)
		return 0;
	clean_machine();
	if (sh("ip link add tovs-a0 type veth peer name tovs-a1 && "
	       "ip link add tovs-b0 type veth peer name tovs-b1 && "
	       "ip link add tovs-c0 type veth peer name tovs-c1 && "
	       "for l in a0 a1 b0 b1 c0 c1; do ip link set tovs-$l up; "
	       "done"))
		return -1;
	emu_err_clear(&err);
	db = ovs_switch_connect(NULL, 5000, &err);
	if (!db) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = db;
	return 0;
}

static int ovs_teardown(void **state)
{
	if (not_ready)
		return 0;
	if (*state)
		ovs_switch_del_tagged(*state, run_tag, NULL, NULL, NULL);
	ovs_switch_disconnect(*state);
	clean_machine();
	return 0;
}

#define OVS_TEST_START()                                                  \
	do {                                                                   \
		if (not_ready) {                                               \
			test_skip(not_ready);                                  \
			return;                                                \
		}                                                              \
	} while (0)

static void test_connect_to_missing_socket_fails_fast(void **state)
{
	const char *remote = "unix:/run/cnemu/tovs-missing.sock";
	unsigned long long start = now_us();
	struct ovs_switch_db *db;
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	db = ovs_switch_connect(remote, 3000, &err);
	assert_null(db);
	assert_true(now_us() - start < 1000000ULL);
	assert_int_equal(err.code, -ENOENT);
	assert_string_equal(err.msg,
			    "cannot reach ovsdb-server at "
			    "unix:/run/cnemu/tovs-missing.sock: No such file "
			    "or directory (start it with 'make deps')");
}

/* The probe asks the kernel for the ovs_datapath family (which loads the
 * module where one is installed); afterwards the module is there iff the
 * probe said so. */
static void test_kernel_datapath_matches_loaded_module(void **state)
{
	bool kernel = ovs_switch_kernel_datapath();

	(void)state;
	assert_int_equal(kernel, access("/sys/module/openvswitch", F_OK) == 0);
	assert_int_equal(ovs_switch_kernel_datapath(), kernel);
}

static const struct ovs_switch_port tovs0_ports[] = {
	{ "tovs-a0", 5 },
	{ "tovs-b0", 0 },
};

static const char *const tovs0_ctls[] = { "tcp:127.0.0.1:1", NULL };

static const struct ovs_switch_spec tovs0_spec = {
	.name = "tovs0",
	.dpid = 0xabc,
	.userspace = true,
	.fail_mode = "secure",
	.controllers = tovs0_ctls,
	.protocols = "OpenFlow10,OpenFlow13",
	.ports = tovs0_ports,
	.n_ports = 2,
};

static void add_tovs0(struct ovs_switch_db *db)
{
	struct emu_err err;

	emu_err_clear(&err);
	if (ovs_switch_add_bridges(db, &tovs0_spec, 1, run_tag, &err))
		fail_msg("%s", err.msg);
}

static void test_add_bridges_creates_tagged_bridge_with_ofports(void **state)
{
	struct ovs_switch_db *db = *state;
	struct emu_err err;
	char *cmd;

	OVS_TEST_START();

	add_tovs0(db);
	/* Every port has its ofport when the call returns. */
	assert_sh_out("5", "ovs-vsctl get interface tovs-a0 ofport");
	assert_true(sh_long("ovs-vsctl get interface tovs-b0 ofport") > 0);
	assert_sh_out("65534", "ovs-vsctl get interface tovs0 ofport");
	cmd = xasprintf("ovs-vsctl get bridge tovs0 external_ids:cnemu-run | "
			"tr -d '\"'");
	assert_sh_out(run_tag, cmd);
	free(cmd);
	assert_sh_out("\"0000000000000abc\"",
		      "ovs-vsctl get bridge tovs0 other_config:datapath-id");
	assert_sh_out("netdev", "ovs-vsctl get bridge tovs0 datapath_type");
	assert_sh_out("secure", "ovs-vsctl get-fail-mode tovs0");
	assert_sh_out("[OpenFlow10, OpenFlow13]",
		      "ovs-vsctl get bridge tovs0 protocols");
	assert_sh_out("false", "ovs-vsctl get bridge tovs0 stp_enable");
	assert_sh_out("tcp:127.0.0.1:1", "ovs-vsctl get-controller tovs0");

	emu_err_clear(&err);
	assert_int_equal(ovs_switch_del_tagged(db, run_tag, NULL, NULL, &err),
			 1);
	assert_int_equal(sh("ovs-vsctl br-exists tovs0 2>/dev/null"), 2);
	assert_sh_out("", "ovs-vsctl --columns=name find interface "
			  "name=tovs-a0");
}

static void test_add_bridges_refuses_existing_bridge(void **state)
{
	struct ovs_switch_db *db = *state;
	struct ovs_switch_spec spec = { .name = "tovs0", .userspace = true };
	struct emu_err err;

	OVS_TEST_START();

	add_tovs0(db);
	emu_err_clear(&err);
	assert_int_equal(ovs_switch_add_bridges(db, &spec, 1, run_tag, &err),
			 -EEXIST);
	assert_string_equal(err.msg,
			    "cannot add bridge 'tovs0': it already exists");

	/* A port already on a bridge cannot go on another one. */
	spec.name = "tovs1";
	spec.ports = tovs0_ports;
	spec.n_ports = 1;
	emu_err_clear(&err);
	assert_int_equal(ovs_switch_add_bridges(db, &spec, 1, run_tag, &err),
			 -EEXIST);
	assert_string_equal(err.msg, "cannot add port 'tovs-a0' to 'tovs1': "
				     "it is already on bridge 'tovs0'");
	assert_int_equal(sh("ovs-vsctl br-exists tovs1 2>/dev/null"), 2);
}

static void test_add_bridges_reports_port_error_and_rolls_back(void **state)
{
	static const struct ovs_switch_port ports[] = {
		{ "tovs-c0", 0 },
		{ "tovs-nodev", 0 },
	};
	struct ovs_switch_spec specs[] = {
		{ .name = "tovs0", .userspace = true },
		{ .name = "tovs1", .userspace = true, .ports = ports,
		  .n_ports = 2 },
	};
	struct ovs_switch_db *db = *state;
	struct emu_err err;

	OVS_TEST_START();

	emu_err_clear(&err);
	assert_int_equal(ovs_switch_add_bridges(db, specs, 2, run_tag, &err),
			 -ENODEV);
	assert_non_null(strstr(err.msg, "cannot add port 'tovs-nodev' to "
					"'tovs1': "));
	assert_non_null(strstr(err.msg, "tovs-nodev"));
	/* Both bridges of the failed call are gone again. */
	assert_int_equal(sh("ovs-vsctl br-exists tovs0 2>/dev/null"), 2);
	assert_int_equal(sh("ovs-vsctl br-exists tovs1 2>/dev/null"), 2);
}

static void test_add_port_and_del_port_at_runtime(void **state)
{
	static const struct ovs_switch_port port = { "tovs-c0", 7 };
	static const struct ovs_switch_port bad = { "tovs-nodev", 0 };
	struct ovs_switch_db *db = *state;
	struct emu_err err;

	OVS_TEST_START();

	add_tovs0(db);
	emu_err_clear(&err);
	if (ovs_switch_add_port(db, "tovs0", &port, &err))
		fail_msg("%s", err.msg);
	assert_sh_out("7", "ovs-vsctl get interface tovs-c0 ofport");
	assert_sh_out("tovs0", "ovs-vsctl port-to-br tovs-c0");

	assert_int_equal(ovs_switch_del_port(db, "tovs0", "tovs-c0", &err), 0);
	assert_int_equal(sh("ovs-vsctl port-to-br tovs-c0 >/dev/null 2>&1"), 1);
	assert_int_equal(ovs_switch_del_port(db, "tovs0", "tovs-c0", &err),
			 -ENOENT);
	assert_string_equal(err.msg, "cannot remove port 'tovs-c0' from "
				     "'tovs0': no such port");

	/* A port ovs-vswitchd cannot open is reported and taken back. */
	emu_err_clear(&err);
	assert_int_equal(ovs_switch_add_port(db, "tovs0", &bad, &err),
			 -ENODEV);
	assert_non_null(strstr(err.msg, "cannot add port 'tovs-nodev' to "
					"'tovs0': "));
	assert_int_equal(
		sh("ovs-vsctl port-to-br tovs-nodev >/dev/null 2>&1"), 1);
	assert_sh_out("5", "ovs-vsctl get interface tovs-a0 ofport");
}

static void test_set_controllers_replaces_targets_and_fail_mode(void **state)
{
	static const char *const ctls[] = { "tcp:127.0.0.1:2",
					    "tcp:127.0.0.1:3", NULL };
	struct ovs_switch_db *db = *state;
	struct emu_err err;

	OVS_TEST_START();

	add_tovs0(db);
	emu_err_clear(&err);
	if (ovs_switch_set_controllers(db, "tovs0", ctls, "standalone", &err))
		fail_msg("%s", err.msg);
	assert_sh_out("standalone", "ovs-vsctl get-fail-mode tovs0");
	assert_sh_out("tcp:127.0.0.1:2",
		      "ovs-vsctl get-controller tovs0 | sort | head -1");
	assert_sh_out("tcp:127.0.0.1:3",
		      "ovs-vsctl get-controller tovs0 | sort | tail -1");
	/* The replaced Controller row is gone, not just unreferenced. */
	assert_sh_out("", "ovs-vsctl --columns=target find controller "
			  "target='\"tcp:127.0.0.1:1\"'");

	if (ovs_switch_set_controllers(db, "tovs0", NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_sh_out("", "ovs-vsctl get-controller tovs0");
	assert_sh_out("", "ovs-vsctl get-fail-mode tovs0");
}

static void test_del_bridges_removes_named_and_skips_missing(void **state)
{
	static const char *const names[] = { "tovs0", "tovs-none", "tovs1" };
	struct ovs_switch_db *db = *state;
	struct emu_err err;

	OVS_TEST_START();
	add_tovs0(db);
	assert_int_equal(sh("ovs-vsctl add-br tovs1 -- set bridge tovs1 "
			    "datapath_type=netdev"),
			 0);
	emu_err_clear(&err);
	assert_int_equal(ovs_switch_del_bridges(db, names, 3, &err), 2);
	assert_int_equal(sh("ovs-vsctl br-exists tovs0 2>/dev/null"), 2);
	assert_int_equal(sh("ovs-vsctl br-exists tovs1 2>/dev/null"), 2);
	assert_sh_out("", "ovs-vsctl --columns=name find port name=tovs-b0");
	assert_int_equal(ovs_switch_del_bridges(db, names, 3, &err), 0);
}

/* Only our own tags count as dead: other runs on this machine are alive. */
static bool tovs_tag_is_dead(const char *tag, void *aux)
{
	int *calls = aux;

	(*calls)++;
	return str_starts_with(tag, "tovs-");
}

static void test_del_tagged_spares_untagged_bridge(void **state)
{
	struct ovs_switch_db *db = *state;
	struct emu_err err;
	int calls = 0;

	OVS_TEST_START();

	add_tovs0(db);
	assert_int_equal(sh("ovs-vsctl add-br tovs1 -- set bridge tovs1 "
			    "datapath_type=netdev"),
			 0);
	emu_err_clear(&err);
	assert_true(ovs_switch_del_tagged(db, NULL, tovs_tag_is_dead, &calls,
					  &err) >= 1);
	assert_true(calls >= 1);
	assert_int_equal(sh("ovs-vsctl br-exists tovs0 2>/dev/null"), 2);
	assert_int_equal(sh("ovs-vsctl br-exists tovs1 2>/dev/null"), 0);

	/* Neither a tag nor a test: nothing to go by. */
	assert_int_equal(ovs_switch_del_tagged(db, NULL, NULL, NULL, &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_to_missing_socket_fails_fast),
		cmocka_unit_test(test_kernel_datapath_matches_loaded_module),
		cmocka_unit_test_setup_teardown(
			test_add_bridges_creates_tagged_bridge_with_ofports,
			ovs_setup, ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_add_bridges_refuses_existing_bridge, ovs_setup,
			ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_add_bridges_reports_port_error_and_rolls_back,
			ovs_setup, ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_add_port_and_del_port_at_runtime, ovs_setup,
			ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_set_controllers_replaces_targets_and_fail_mode,
			ovs_setup, ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_del_bridges_removes_named_and_skips_missing,
			ovs_setup, ovs_teardown),
		cmocka_unit_test_setup_teardown(
			test_del_tagged_spares_untagged_bridge, ovs_setup,
			ovs_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
