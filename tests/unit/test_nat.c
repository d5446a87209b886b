/* The NAT's iptables commands: Mininet's four rules, tagged, at the head
 * of their chains; and the rules of dead runs found in 'iptables -S'. */
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

static void test_saved_rules_of_a_run_become_deletions(void **state)
{
	char tag[32], **argv, *s;

	(void)state;
	assert_true(nat_parse_saved_rule(
		"filter",
		"-A FORWARD -d 10.0.0.0/8 -i nat0-eth0 -m comment --comment "
		"\"cnemu:cn4242\" -j DROP",
		tag, sizeof(tag), &argv));
	assert_string_equal(tag, "cn4242");
	s = join((const char *const *)argv);
	assert_string_equal(s, "iptables -w -t filter -D FORWARD -d "
			       "10.0.0.0/8 -i nat0-eth0 -m comment --comment "
			       "cnemu:cn4242 -j DROP");
	free(s);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);

	/* Not ours: no comment, another comment, a policy line. */
	assert_false(nat_parse_saved_rule("filter",
					  "-A FORWARD -o docker0 -j DOCKER",
					  tag, sizeof(tag), &argv));
	assert_null(argv);
	assert_false(nat_parse_saved_rule(
		"filter",
		"-A FORWARD -m comment --comment \"my cnemu:cn1 note\" -j "
		"ACCEPT",
		tag, sizeof(tag), &argv));
	assert_false(nat_parse_saved_rule(
		"filter", "-A FORWARD -m comment --comment \"cnemu:x1\" -j "
			  "ACCEPT",
		tag, sizeof(tag), &argv));
	assert_false(nat_parse_saved_rule("filter", "-P FORWARD DROP", tag,
					  sizeof(tag), &argv));
	assert_false(nat_parse_saved_rule("filter", "", tag, sizeof(tag),
					  &argv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_rules_are_mininets_at_the_head_of_their_chains),
		cmocka_unit_test(test_saved_rules_of_a_run_become_deletions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
