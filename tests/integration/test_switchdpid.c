/* Mininet's mininet/test/test_switchdpidassignment.py in Lua, run by a
 * real cnemu: the dpid a switch gets from its name or its 'dpid' option,
 * as the script sees it (switch.dpid, 16 hex digits) and as the started
 * switch reports it (OVS's datapath_id), and Mininet's error for a name
 * without digits.  Mininet runs the cases for OVSSwitch and OVSUser (the
 * userspace datapath); cnemu's "ovs" is the one OVS switch kind and takes
 * the userspace datapath where the kernel has no openvswitch module, so
 * the cases run for "ovs" and for Linux bridges ("lxbr": the dpid exists
 * for the script only).  IVSSwitch and UserSwitch have no counterpart.
 * Beyond Mininet: "s0" (dpid 0 in Mininet, which OVS replaces) works
 * under the builtin controller (Containernet's testDockerMultipleInterfaces
 * names its switches s0 and s1). */
#include "tests/lib/testlib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUSY "another cnemu run is active"

/* What a case's script ends with: OVS's own dpid of switch 's' must be
 * s.dpid (in the run's own OVS: the shell's parent is cnemu). */
#define CHECK_OVS_DPID                                                         \
	"local function ovs_dpid(s)\n"                                         \
	"  local f = io.popen('ovs-vsctl --db=unix:/run/cnemu/cn$PPID/ovs/"    \
	"db.sock get bridge ' .. s.name .. ' datapath_id')\n"                  \
	"  local d = f:read('a'):gsub('[\"%s]', '')\n"                         \
	"  f:close()\n"                                                        \
	"  return d\n"                                                         \
	"end\n"

/* Runs cnemu '--switch kind script' with 'script' (Lua) written to a
 * file; returns the output (caller frees), the exit status in
 * '*status'. */
static char *run_script(const char *kind, const char *script, int *status)
{
	char *path = test_write_file("tdpid", ".lua", script);
	char *out = NULL, *st;

	for (int tries = 0; tries < 100; tries++) {
		free(out);
		out = sh_out("timeout 120 %s --switch %s %s </dev/null 2>&1; "
			     "echo \"exit=$?\"",
			     test_cnemu(), kind, path);
		if (!strstr(out, BUSY))
			break;
		sleep(3);
	}
	unlink(path);
	free(path);
	st = strrchr(out, '=');
	*status = st ? atoi(st + 1) : -1;
	return out;
}

/* Runs 'body' (after "local net = cnemu.Net{}") for OVS and Linux
 * bridges; it must print "ok" ('ovs_dpid(s)' reads OVS's dpid). */
static void expect_ok(const char *body)
{
	static const char *const kinds[] = { "ovs", "lxbr" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		bool ovs = !strcmp(kinds[i], "ovs");
		char script[2048];
		int status;
		char *out;

		snprintf(script, sizeof(script),
			 "%slocal OVS = %s\nlocal net = cnemu.Net{}\n%s"
			 "print('ok')\nnet:stop()\n",
			 CHECK_OVS_DPID, ovs ? "true" : "false", body);
		out = run_script(kinds[i], script, &status);
		if (status != 0 || !strstr(out, "\nok\n"))
			fail_msg("--switch %s: exit %d:\n%s\n--- script:\n%s",
				 kinds[i], status, out, script);
		free(out);
	}
}

static void test_default_dpid(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	/* switch.defaultDpid() == switch.dpid: s1 -> 1 */
	expect_ok("local s = net:addSwitch('s1')\n"
		  "assert(s.dpid == '0000000000000001', s.dpid)\n"
		  "net:start()\n"
		  "assert(not OVS or ovs_dpid(s) == s.dpid, ovs_dpid(s))\n");
}

static void test_actual_dpid_assignment(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	/* dpid = '%016x' % 0xABCD given: that one */
	expect_ok("local dpid = string.format('%016x', 0xABCD)\n"
		  "local s = net:addSwitch('s1', {dpid = dpid})\n"
		  "assert(s.dpid == dpid, s.dpid)\n"
		  "net:start()\n"
		  "assert(not OVS or ovs_dpid(s) == dpid, ovs_dpid(s))\n");
}

static void test_default_dpid_assignment_failure(void **state)
{
	static const char *const kinds[] = { "ovs", "lxbr" };

	(void)state;
	if (require_ovs())
		return;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int status;
		char *out = run_script(kinds[i],
				       "local net = cnemu.Net{}\n"
				       "net:addSwitch('A')\n",
				       &status);

		if (status != 1 ||
		    !strstr(out, ".lua:2: switch 'A': Unable to derive "
				 "default datapath ID - please either specify "
				 "a dpid or use a canonical switch name such "
				 "as s23."))
			fail_msg("--switch %s: exit %d:\n%s", kinds[i], status,
				 out);
		free(out);
	}
}

static void test_default_dpid_len(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	/* 16 digits: zeros, then the hex of the name's first number */
	expect_ok("local s = net:addSwitch('s123')\n"
		  "assert(s.dpid == string.format('%016x', 123), s.dpid)\n"
		  "net:start()\n"
		  "assert(not OVS or ovs_dpid(s) == s.dpid, ovs_dpid(s))\n");
}

static void test_switch_s0_forwards_under_the_controller(void **state)
{
	(void)state;
	if (require_ovs())
		return;
	expect_ok("local s0 = net:addSwitch('s0')\n"
		  "local s1 = net:addSwitch('s1')\n"
		  "local h1 = net:addHost('h1')\n"
		  "local h2 = net:addHost('h2')\n"
		  "net:addLink(h1, s0)\n"
		  "net:addLink(s0, s1)\n"
		  "net:addLink(s1, h2)\n"
		  "assert(s0.dpid ~= '0000000000000000' and s0.dpid ~= s1.dpid)\n"
		  "net:start()\n"
		  "assert(not OVS or ovs_dpid(s0) == s0.dpid, ovs_dpid(s0))\n"
		  "assert(net:pingAll() == 0, 'pingAll dropped')\n");
}

static int teardown(void **state)
{
	(void)state;
	if (geteuid() == 0)
		sh("%s -c >/dev/null 2>&1", test_cnemu());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_dpid),
		cmocka_unit_test(test_actual_dpid_assignment),
		cmocka_unit_test(test_default_dpid_assignment_failure),
		cmocka_unit_test(test_default_dpid_len),
		cmocka_unit_test(test_switch_s0_forwards_under_the_controller),
	};

	return cmocka_run_group_tests_name("switchdpid", tests, NULL,
					   teardown);
}
