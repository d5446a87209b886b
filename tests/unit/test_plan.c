/* The address plan: host IPs, MACs, dpids, interface names, name rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "topo/plan.h"

static void test_default_base_gives_10_0_0_n_slash_8(void **state)
{
	struct plan_net net;
	char ip[32];

	(void)state;
	assert_int_equal(plan_parse_net("10.0.0.0/8", &net, NULL), 0);
	assert_int_equal(plan_host_ip(&net, 1, ip, sizeof(ip), NULL), 0);
	assert_string_equal(ip, "10.0.0.1/8");
	assert_int_equal(plan_host_ip(&net, 256, ip, sizeof(ip), NULL), 0);
	assert_string_equal(ip, "10.0.1.0/8");
}

static void test_bare_ipbase_means_slash_8_and_is_masked(void **state)
{
	struct plan_net net;
	char ip[32];

	(void)state;
	assert_int_equal(plan_parse_net("192.168.7.9/24", &net, NULL), 0);
	assert_int_equal(plan_host_ip(&net, 3, ip, sizeof(ip), NULL), 0);
	assert_string_equal(ip, "192.168.7.3/24");
	assert_int_equal(plan_parse_net("172.16.0.0", &net, NULL), 0);
	assert_int_equal(net.prefix, 8);
}

static void test_too_many_hosts_for_the_network_is_an_error(void **state)
{
	struct emu_err err = { 0 };
	struct plan_net net;
	char ip[32];

	(void)state;
	assert_int_equal(plan_parse_net("10.0.0.0/30", &net, NULL), 0);
	assert_int_equal(plan_host_ip(&net, 2, ip, sizeof(ip), NULL), 0);
	assert_int_equal(plan_host_ip(&net, 3, ip, sizeof(ip), &err),
			 -ERANGE);
	assert_non_null(strstr(err.msg, "too many hosts for 10.0.0.0/30"));
}

static void test_bad_addresses_are_refused(void **state)
{
	struct emu_err err = { 0 };
	struct plan_net net;
	uint32_t a;

	(void)state;
	assert_int_equal(plan_parse_ip("10.0.0.300", &a, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid IPv4 address '10.0.0.300'");
	assert_int_equal(plan_parse_ip("10.0.0", &a, NULL, NULL), -EINVAL);
	assert_int_equal(plan_parse_ip("10.0.0.1/33", &a, NULL, NULL),
			 -EINVAL);
	assert_int_equal(plan_parse_ip("10.0.0.1x", &a, NULL, NULL), -EINVAL);
	assert_int_equal(plan_parse_net("10.0.0.0/31", &net, NULL), -ERANGE);
	assert_int_equal(plan_parse_ip("1.2.3.4/16", &a, NULL, NULL), 0);
	assert_int_equal(a, 0x01020304);
}

static void test_mac_follows_the_host_number(void **state)
{
	char mac[18];
	uint8_t b[6];

	(void)state;
	plan_mac_from_index(1, mac, sizeof(mac));
	assert_string_equal(mac, "00:00:00:00:00:01");
	plan_mac_from_index(300, mac, sizeof(mac));
	assert_string_equal(mac, "00:00:00:00:01:2c");
	assert_int_equal(plan_parse_mac(mac, b, NULL), 0);
	assert_int_equal(b[5], 0x2c);
	assert_int_equal(plan_parse_mac("00:00:00:00:01", b, NULL), -EINVAL);
	assert_int_equal(plan_parse_mac("zz:00:00:00:00:01", b, NULL),
			 -EINVAL);
}

/* Found by tests/fuzz/fuzz_plan.c: "aa:BB:+c:dd:ee:ff" was read as a MAC
 * (sscanf's %x takes a sign or a blank before the digits). */
static void test_mac_is_exactly_six_pairs_of_hex_digits(void **state)
{
	struct emu_err err = { 0 };
	uint8_t b[6];

	(void)state;
	assert_int_equal(plan_parse_mac("aa:BB:+c:dd:ee:ff", b, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "invalid MAC address 'aa:BB:+c:dd:ee:ff'");
	assert_int_equal(plan_parse_mac("-1:00:00:00:00:01", b, NULL), -EINVAL);
	assert_int_equal(plan_parse_mac(" 1:00:00:00:00:01", b, NULL), -EINVAL);
	assert_int_equal(plan_parse_mac("00:00:00:00:00:01:", b, NULL),
			 -EINVAL);
	assert_int_equal(plan_parse_mac("00-00-00-00-00-01", b, NULL), -EINVAL);
	assert_int_equal(plan_parse_mac("aa:BB:0c:dd:ee:fF", b, NULL), 0);
	assert_int_equal(b[1], 0xbb);
	assert_int_equal(b[5], 0xff);
}

static void test_dpid_is_the_first_number_of_the_name(void **state)
{
	struct emu_err err = { 0 };
	uint64_t dpid;

	(void)state;
	assert_int_equal(plan_dpid("s1", &dpid, &err), 0);
	assert_int_equal(dpid, 1);
	assert_int_equal(plan_dpid("s10", &dpid, &err), 0);
	assert_int_equal(dpid, 10);
	assert_int_equal(plan_dpid("s123", &dpid, &err), 0);
	assert_int_equal(dpid, 0x7b);
	assert_int_equal(plan_dpid("core3x4", &dpid, &err), 0);
	assert_int_equal(dpid, 3);
	assert_int_equal(plan_dpid("s0", &dpid, &err), 0);
	assert_int_equal(dpid, 0);
}

static void test_dpid_of_a_name_without_digits_is_mininets_error(
	void **state)
{
	struct emu_err err = { 0 };
	uint64_t dpid = 5;

	(void)state;
	assert_int_equal(plan_dpid("A", &dpid, &err), -EINVAL);
	assert_int_equal(dpid, 0);
	assert_string_equal(err.msg, "Unable to derive default datapath ID - "
			    "please either specify a dpid or use a canonical "
			    "switch name such as s23.");
	emu_err_clear(&err);
	assert_int_equal(plan_dpid("s99999999999999999999", &dpid, &err),
			 -ERANGE);
	assert_non_null(strstr(err.msg, "does not fit a datapath ID"));
}

static void test_interface_names_follow_mininet(void **state)
{
	struct emu_err err = { 0 };
	char name[32];

	(void)state;
	assert_int_equal(plan_intf_name("h1", 0, name, sizeof(name), NULL), 0);
	assert_string_equal(name, "h1-eth0");
	assert_int_equal(plan_intf_name("s12", 3, name, sizeof(name), NULL), 0);
	assert_string_equal(name, "s12-eth3");
	assert_int_equal(plan_intf_name("abcdefghij", 10, name, sizeof(name),
					&err),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "longer than 15"));
}

static void test_names_allow_only_safe_characters(void **state)
{
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(plan_check_name("web-1.a_b", 10, NULL), 0);
	assert_int_equal(plan_check_name("h1;reboot", 10, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "only A-Z a-z 0-9 _ . - allowed"));
	assert_int_equal(plan_check_name("../x", 10, NULL), -EINVAL);
	assert_int_equal(plan_check_name("a/b", 10, NULL), -EINVAL);
	assert_int_equal(plan_check_name("-x", 10, NULL), -EINVAL);
	assert_int_equal(plan_check_name("", 10, NULL), -EINVAL);
	assert_int_equal(plan_check_name("abcdefghijk", 10, NULL),
			 -ENAMETOOLONG);
}

/* 0.0.0.0, broadcast, loopback, multicast and prefix 0 were taken as a
 * host's address. */
static void test_host_address_refuses_what_no_host_can_have(void **state)
{
	static const struct {
		const char *ip, *why;
	} bad[] = {
		{ "0.0.0.0", "means this host" },
		{ "0.1.2.3/8", "means this host" },
		{ "255.255.255.255", "broadcast" },
		{ "127.0.0.1", "loopback" },
		{ "224.0.0.1/24", "multicast" },
		{ "239.1.1.1", "multicast" },
		{ "240.0.0.1", "reserved" },
		{ "10.0.0.1/0", "prefix length 0" },
		{ "10.0.0.255/24", "broadcast address of its network" },
		{ "10.0.0.0/24", "address of its network" },
		{ "10.255.255.255", "broadcast address of its network" },
	};
	struct emu_err err = { 0 };
	uint32_t addr;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		emu_err_clear(&err);
		assert_int_equal(plan_parse_host_ip(bad[i].ip, 8, &addr, &err),
				 -EINVAL);
		if (!strstr(err.msg, bad[i].why) || !strstr(err.msg, bad[i].ip))
			fail_msg("%s: '%s'", bad[i].ip, err.msg);
	}
	assert_int_equal(plan_parse_host_ip("10.0.0.1", 8, &addr, NULL), 0);
	assert_int_equal(addr, 0x0a000001);
	/* what is a network's address at /8 is a host at /31 and /32 */
	assert_int_equal(plan_parse_host_ip("10.0.0.0/31", 8, &addr, NULL), 0);
	assert_int_equal(plan_parse_host_ip("10.0.0.255/32", 8, &addr, NULL),
			 0);
	assert_int_equal(plan_parse_host_ip("10.0.0.255", 16, &addr, NULL), 0);
	assert_int_equal(plan_parse_host_ip("10.0.0.256", 8, &addr, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_host_address_refuses_what_no_host_can_have),
		cmocka_unit_test(test_default_base_gives_10_0_0_n_slash_8),
		cmocka_unit_test(test_bare_ipbase_means_slash_8_and_is_masked),
		cmocka_unit_test(
			test_too_many_hosts_for_the_network_is_an_error),
		cmocka_unit_test(test_bad_addresses_are_refused),
		cmocka_unit_test(test_mac_follows_the_host_number),
		cmocka_unit_test(test_mac_is_exactly_six_pairs_of_hex_digits),
		cmocka_unit_test(test_dpid_is_the_first_number_of_the_name),
		cmocka_unit_test(
			test_dpid_of_a_name_without_digits_is_mininets_error),
		cmocka_unit_test(test_interface_names_follow_mininet),
		cmocka_unit_test(test_names_allow_only_safe_characters),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
