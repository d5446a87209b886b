/* The NAT's iptables commands: Mininet's four rules, tagged, at the head
 * of their chains, and the same rules deleted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "node/nat.h"

/* The words of 'argv' joined by spaces. */
static char *join(const char *const *argv)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void test_rules_are_mininets_at_the_head_of_their_chains(void **state)
{
	static const char *const want[NAT_N_RULES] = {
		"iptables -w -t filter -I FORWARD 1 -i nat0-eth0 -d 10.0.0.0/8 "
		"-m comment --comment cnemu:cn7 -j DROP",
		"iptables -w -t filter -I FORWARD 2 -i nat0-eth0 -s 10.0.0.0/8 "
		"-m comment --comment cnemu:cn7 -j ACCEPT",
		"iptables -w -t filter -I FORWARD 3 -o nat0-eth0 -d 10.0.0.0/8 "
		"-m comment --comment cnemu:cn7 -j ACCEPT",
		"iptables -w -t nat -I POSTROUTING 1 -s 10.0.0.0/8 ! -d "
		"10.0.0.0/8 -m comment --comment cnemu:cn7 -j MASQUERADE",
	};
	const char *argv[NAT_ARGV_MAX];

	(void)state;
	for (size_t i = 0; i < NAT_N_RULES; i++) {
		size_t n = nat_rule_argv(i, true, "nat0-eth0", "10.0.0.0/8",
					 "cnemu:cn7", argv);
		char *s = join(argv);

		assert_true(n < NAT_ARGV_MAX);
		assert_null(argv[n]);
		assert_string_equal(s, want[i]);
		free(s);
	}
	nat_rule_argv(3, false, "nat0-eth0", "10.0.0.0/8", "cnemu:cn7", argv);
	{
		char *s = join(argv);

		assert_string_equal(s, "iptables -w -t nat -D POSTROUTING -s "
				       "10.0.0.0/8 ! -d 10.0.0.0/8 -m comment "
				       "--comment cnemu:cn7 -j MASQUERADE");
		free(s);
	}
}

/* Two labs' NATs must not route or masquerade each other's hosts. */
static void test_subnets_overlap_when_they_share_an_address(void **state)
{
	(void)state;
	assert_true(nat_subnets_overlap("10.0.0.0/8", "10.0.0.0/8"));
	assert_true(nat_subnets_overlap("10.0.0.0/8", "10.3.0.0/16"));
	assert_true(nat_subnets_overlap("10.3.0.0/16", "10.0.0.0/8"));
	assert_true(nat_subnets_overlap("10.3.0.7/16", "10.3.255.1/24"));
	assert_true(nat_subnets_overlap("0.0.0.0/0", "192.168.1.0/24"));
	assert_false(nat_subnets_overlap("10.0.0.0/16", "10.1.0.0/16"));
	assert_false(nat_subnets_overlap("10.0.0.0/8", "11.0.0.0/8"));
	assert_false(nat_subnets_overlap("192.168.1.0/24", "192.168.2.0/24"));
	/* Not an address: only the same text clashes. */
	assert_true(nat_subnets_overlap("x/8", "x/8"));
	assert_false(nat_subnets_overlap("x/8", "10.0.0.0/8"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_subnets_overlap_when_they_share_an_address),
		cmocka_unit_test(
			test_rules_are_mininets_at_the_head_of_their_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
