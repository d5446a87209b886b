/* pingall's ICMP echo messages: the requests built and the replies read,
 * byte by byte as the wire and the kernel's raw sockets carry them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>

#include "emu/icmp.h"

/* The checksum of RFC 1071's example, and of an odd length. */
static void test_checksum_follows_rfc_1071(void **state)
{
	static const unsigned char rfc[] = { 0x00, 0x01, 0xf2, 0x03,
					     0xf4, 0xf5, 0xf6, 0xf7 };
	static const unsigned char odd[] = { 0x01, 0x02, 0x03 };

	(void)state;
	assert_int_equal(icmp_checksum(rfc, sizeof(rfc)), (uint16_t)~0xddf2);
	/* 0x0102 + 0x0300 */
	assert_int_equal(icmp_checksum(odd, sizeof(odd)), (uint16_t)~0x0402);
}

/* An IPv4 request: type 8, code 0, id and seq in network order, and a
 * checksum over the whole message that sums to zero. */
static void test_ipv4_request_has_type_8_and_a_valid_checksum(void **state)
{
	unsigned char buf[ICMP_ECHO_LEN];

	(void)state;
	assert_int_equal(icmp_build_echo(buf, AF_INET, 0x1234, 0xabcd),
			 ICMP_ECHO_LEN);
	assert_int_equal(buf[0], 8);
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[4], 0x12);
	assert_int_equal(buf[5], 0x34);
	assert_int_equal(buf[6], 0xab);
	assert_int_equal(buf[7], 0xcd);
	assert_int_equal(icmp_checksum(buf, sizeof(buf)), 0);
}

/* An IPv6 request: type 128, the checksum left to the kernel. */
static void test_ipv6_request_has_type_128_and_no_checksum(void **state)
{
	unsigned char buf[ICMP_ECHO_LEN];

	(void)state;
	icmp_build_echo(buf, AF_INET6, 7, 9);
	assert_int_equal(buf[0], 128);
	assert_int_equal(buf[2], 0);
	assert_int_equal(buf[3], 0);
	assert_int_equal(buf[5], 7);
	assert_int_equal(buf[7], 9);
}

/* What an IPv4 raw socket reads: a 20-byte header (or longer, with
 * options), then the reply. */
static size_t ipv4_packet(unsigned char *pkt, unsigned int ihl_words,
			  unsigned char type, uint16_t id, uint16_t seq)
{
	size_t ihl = ihl_words * 4;

	memset(pkt, 0, ihl);
	pkt[0] = (unsigned char)(0x40 | ihl_words);
	pkt[9] = 1;	/* ICMP */
	icmp_build_echo(pkt + ihl, AF_INET, id, seq);
	pkt[ihl] = type;
	return ihl + ICMP_ECHO_LEN;
}

static void test_ipv4_reply_is_read_after_the_ip_header(void **state)
{
	unsigned char pkt[64];
	uint16_t id = 0, seq = 0;
	size_t len;

	(void)state;
	len = ipv4_packet(pkt, 5, 0, 0x4242, 255);
	assert_true(icmp_parse_reply(pkt, len, AF_INET, &id, &seq));
	assert_int_equal(id, 0x4242);
	assert_int_equal(seq, 255);
	/* with IP options: a 24-byte header */
	len = ipv4_packet(pkt, 6, 0, 1, 2);
	assert_true(icmp_parse_reply(pkt, len, AF_INET, &id, &seq));
	assert_int_equal(id, 1);
	assert_int_equal(seq, 2);
}

/* A request another host sends, an error, a truncated message or a
 * header that is not IPv4 is no reply. */
static void test_ipv4_non_replies_are_refused(void **state)
{
	unsigned char pkt[64];
	uint16_t id, seq;
	size_t len;

	(void)state;
	len = ipv4_packet(pkt, 5, 8, 1, 2);
	assert_false(icmp_parse_reply(pkt, len, AF_INET, &id, &seq));
	len = ipv4_packet(pkt, 5, 3, 1, 2);	/* unreachable */
	assert_false(icmp_parse_reply(pkt, len, AF_INET, &id, &seq));
	len = ipv4_packet(pkt, 5, 0, 1, 2);
	assert_false(icmp_parse_reply(pkt, 27, AF_INET, &id, &seq));
	assert_false(icmp_parse_reply(pkt, 12, AF_INET, &id, &seq));
	pkt[0] = 0x65;
	assert_false(icmp_parse_reply(pkt, len, AF_INET, &id, &seq));
	pkt[0] = 0x4f;	/* a header longer than the packet */
	assert_false(icmp_parse_reply(pkt, 40, AF_INET, &id, &seq));
}

/* What an IPv6 raw socket reads: the ICMPv6 message alone. */
static void test_ipv6_reply_is_read_without_header(void **state)
{
	unsigned char msg[ICMP_ECHO_LEN];
	uint16_t id = 0, seq = 0;

	(void)state;
	icmp_build_echo(msg, AF_INET6, 0x0102, 0x0304);
	assert_false(icmp_parse_reply(msg, sizeof(msg), AF_INET6, &id, &seq));
	msg[0] = 129;
	assert_true(icmp_parse_reply(msg, sizeof(msg), AF_INET6, &id, &seq));
	assert_int_equal(id, 0x0102);
	assert_int_equal(seq, 0x0304);
	assert_false(icmp_parse_reply(msg, 7, AF_INET6, &id, &seq));
	msg[1] = 1;	/* a code an echo reply never has */
	assert_false(icmp_parse_reply(msg, sizeof(msg), AF_INET6, &id, &seq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_follows_rfc_1071),
		cmocka_unit_test(test_ipv4_request_has_type_8_and_a_valid_checksum),
		cmocka_unit_test(test_ipv6_request_has_type_128_and_no_checksum),
		cmocka_unit_test(test_ipv4_reply_is_read_after_the_ip_header),
		cmocka_unit_test(test_ipv4_non_replies_are_refused),
		cmocka_unit_test(test_ipv6_reply_is_read_without_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
