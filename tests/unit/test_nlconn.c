/* Unit tests of base/nlconn.h: reading the kernel's answers to one
 * request (acks, errors with their extended-ack text, dumps and their end)
 * from canned datagrams, and one real exchange that needs no root. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "base/err.h"
#include "base/nlconn.h"

/* ---- answers captured from the kernel --------------------------------- */

/* Captured from Linux 6.18 in a fresh namespace without sch_netem, on a
 * socket with NETLINK_EXT_ACK: the answers to RTM_NEWQDISC of netem on lo
 * (seq 7, NETLINK_CAP_ACK: only the request's header comes back; seq 10,
 * no NETLINK_CAP_ACK: the whole request comes back before the text), to
 * RTM_SETLINK lo up (seq 8) and the end of an RTM_GETLINK dump (seq 9). */
static const unsigned char netem_unknown_capped[] = {
	0x48, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x07, 0x00, 0x00, 0x00,
	0x9e, 0x7f, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0x4c, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x05, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x01, 0x00, 0x53, 0x70, 0x65, 0x63, 0x69, 0x66, 0x69, 0x65,
	0x64, 0x20, 0x71, 0x64, 0x69, 0x73, 0x63, 0x20, 0x6b, 0x69, 0x6e, 0x64,
	0x20, 0x69, 0x73, 0x20, 0x75, 0x6e, 0x6b, 0x6e, 0x6f, 0x77, 0x6e, 0x00,
};
static const unsigned char setlink_ack[] = {
	0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
	0x9e, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
	0x13, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const unsigned char getlink_done[] = {
	0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00,
	0x9e, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const unsigned char netem_unknown_uncapped[] = {
	0x84, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x00,
	0x9e, 0x7f, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0x4c, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x05, 0x05, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x00,
	0x6e, 0x65, 0x74, 0x65, 0x6d, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x02, 0x00,
	0xe8, 0x03, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x01, 0x00, 0x53, 0x70, 0x65, 0x63, 0x69, 0x66, 0x69, 0x65,
	0x64, 0x20, 0x71, 0x64, 0x69, 0x73, 0x63, 0x20, 0x6b, 0x69, 0x6e, 0x64,
	0x20, 0x69, 0x73, 0x20, 0x75, 0x6e, 0x6b, 0x6e, 0x6f, 0x77, 0x6e, 0x00,
};

/* ---- helpers ------------------------------------------------------------ */

/* Appends to 'buf' (at '*len') a message of 'type' and 'flags' numbered
 * 'seq' with 'payload' of 'size' bytes; returns it. */
static struct nlmsghdr *put_msg(char *buf, size_t *len, uint16_t type,
				uint16_t flags, uint32_t seq,
				const void *payload, size_t size)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf + *len);

	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	if (size)
		memcpy(mnl_nlmsg_put_extra_header(h, size), payload, size);
	*len += h->nlmsg_len;
	return h;
}

static struct nlmsghdr *put_link(char *buf, size_t *len, uint32_t seq,
				 int ifindex, uint16_t flags)
{
	struct ifinfomsg ifi = { .ifi_index = ifindex };

	return put_msg(buf, len, RTM_NEWLINK, NLM_F_MULTI | flags, seq, &ifi,
		       sizeof(ifi));
}

/* A parser that notes the ifindex of each link and fails when told to. */
struct seen {
	int ifindexes[8];	/* of the first links */
	int n;			/* links seen */
	int fail_at;	/* 1-based message that fails; 0: none */
};

static int note_link(const struct nlmsghdr *h, void *aux)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct seen *seen = aux;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (seen->n + 1 == seen->fail_at)
		return -ENOMEM;
	if ((size_t)seen->n < sizeof(seen->ifindexes) / sizeof(int))
		seen->ifindexes[seen->n] = ifi->ifi_index;
	seen->n++;
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

/* Reads the one datagram 'buf' into 'r' (kept from before) as answers to
 * request 'seq', and checks what it said: ended or not, errno, text. */
static void expect_reply(struct nlconn_reply *r, const void *buf, size_t len,
			 uint32_t seq, bool done, int error, const char *ext)
{
	assert_int_equal(nlconn_read_reply(r, buf, len, seq, NULL, NULL), 0);
	assert_int_equal(r->done, done);
	assert_int_equal(r->error, error);
	assert_string_equal(r->ext, ext);
}

static void test_capped_error_gives_the_errno_and_the_kernel_s_text(
	void **state)
{
	struct nlconn_reply r;

	(void)state;
	nlconn_reply_init(&r);
	expect_reply(&r, netem_unknown_capped, sizeof(netem_unknown_capped), 7,
		     true, -ENOENT, "Specified qdisc kind is unknown");
}

static void test_uncapped_error_finds_the_text_after_the_echoed_request(
	void **state)
{
	struct nlconn_reply r;

	(void)state;
	nlconn_reply_init(&r);
	expect_reply(&r, netem_unknown_uncapped,
		     sizeof(netem_unknown_uncapped), 10, true, -ENOENT,
		     "Specified qdisc kind is unknown");
}

static void test_ack_ends_the_request_without_error_or_text(void **state)
{
	struct nlconn_reply r;

	(void)state;
	nlconn_reply_init(&r);
	expect_reply(&r, setlink_ack, sizeof(setlink_ack), 8, true, 0, "");
}

static void test_answers_to_an_earlier_request_are_skipped(void **state)
{
	struct nlconn_reply r;

	(void)state;
	nlconn_reply_init(&r);
	/* The error of request 7 arrives while 8 is awaited. */
	expect_reply(&r, netem_unknown_capped, sizeof(netem_unknown_capped), 8,
		     false, 0, "");
	expect_reply(&r, setlink_ack, sizeof(setlink_ack), 8, true, 0, "");
}

static void test_dump_gives_each_message_to_the_parser_until_done(
	void **state)
{
	char buf[512];
	size_t len = 0;
	struct seen seen = { 0 };
	struct nlconn_reply r;

	(void)state;
	put_link(buf, &len, 9, 1, 0);
	put_link(buf, &len, 3, 5, 0);	/* an earlier dump's leftover */
	put_link(buf, &len, 9, 2, 0);
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, buf, len, 9, note_link, &seen),
			 0);
	assert_false(r.done);	/* more datagrams to come */
	assert_int_equal(nlconn_read_reply(&r, getlink_done,
					   sizeof(getlink_done), 9, note_link,
					   &seen),
			 0);
	assert_true(r.done);
	assert_int_equal(r.error, 0);
	assert_false(r.interrupted);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ifindexes[0], 1);
	assert_int_equal(seen.ifindexes[1], 2);
}

static void test_dump_that_changed_under_it_is_read_to_its_end_and_marked(
	void **state)
{
	char buf[512];
	size_t len = 0;
	struct seen seen = { 0 };
	struct nlconn_reply r;

	(void)state;
	put_link(buf, &len, 9, 1, NLM_F_DUMP_INTR);
	put_link(buf, &len, 9, 2, 0);
	memcpy(buf + len, getlink_done, sizeof(getlink_done));
	len += sizeof(getlink_done);
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, buf, len, 9, note_link, &seen),
			 0);
	assert_true(r.done);
	assert_true(r.interrupted);
	assert_int_equal(seen.n, 2);
}

static void test_parser_error_ends_the_request_with_it(void **state)
{
	char buf[512];
	size_t len = 0;
	struct seen seen = { .fail_at = 2 };
	struct nlconn_reply r;

	(void)state;
	put_link(buf, &len, 9, 1, 0);
	put_link(buf, &len, 9, 2, 0);
	put_link(buf, &len, 9, 3, 0);
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, buf, len, 9, note_link, &seen),
			 -ENOMEM);
	assert_int_equal(seen.n, 1);
}

/* A dump the kernel could not finish ends in NLMSG_DONE carrying the
 * errno, and with NLM_F_ACK_TLVS the text after it. */
static void test_done_with_an_error_carries_it_and_its_text(void **state)
{
	static const char text[] = "Dump too big.";
	char buf[256], payload[64];
	int error = -EMSGSIZE;
	struct nlattr *a = (struct nlattr *)(payload + sizeof(error));
	size_t len = 0;
	struct nlconn_reply r;

	(void)state;
	memcpy(payload, &error, sizeof(error));
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = NLA_HDRLEN + sizeof(text);
	memcpy((char *)a + NLA_HDRLEN, text, sizeof(text));
	put_msg(buf, &len, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 9,
		payload, sizeof(error) + NLA_ALIGN(a->nla_len));
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, buf, len, 9, NULL, NULL), 0);
	assert_true(r.done);
	assert_int_equal(r.error, -EMSGSIZE);
	assert_string_equal(r.ext, "Dump too big");
}

static void test_messages_shorter_than_they_claim_are_refused(void **state)
{
	char buf[64];
	size_t len = 0;
	struct nlconn_reply r;

	(void)state;
	/* Cut inside the datagram. */
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, setlink_ack,
					   sizeof(setlink_ack) - 4, 8, NULL,
					   NULL),
			 -EBADMSG);
	assert_false(r.done);
	/* An error message without room for its struct nlmsgerr. */
	put_msg(buf, &len, NLMSG_ERROR, 0, 8, "\0\0\0\0", 4);
	nlconn_reply_init(&r);
	assert_int_equal(nlconn_read_reply(&r, buf, len, 8, NULL, NULL),
			 -EBADMSG);
}

static void test_failure_sentence_without_a_conn_has_no_kernel_text(
	void **state)
{
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	assert_int_equal(nlconn_fail(NULL, -EEXIST, &err, "cannot add '%s'",
				     "s1"),
			 -EEXIST);
	assert_string_equal(err.msg, "cannot add 's1': File exists");
}

/* A real exchange, allowed without root: the links of this namespace. */
static void test_talk_reads_a_dump_of_the_links_to_its_end(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen seen = { 0 };
	struct nlmsghdr *h;
	struct nlconn *c;

	(void)state;
	c = nlconn_open(-1, NETLINK_ROUTE, NULL);
	assert_non_null(c);
	for (int round = 0; round < 2; round++) {
		seen.n = 0;
		h = mnl_nlmsg_put_header(buf);
		h->nlmsg_type = RTM_GETLINK;
		h->nlmsg_flags = NLM_F_DUMP;
		mnl_nlmsg_put_extra_header(h, sizeof(struct ifinfomsg));
		assert_int_equal(nlconn_talk(c, h, note_link, &seen), 0);
		assert_true(seen.n >= 1);	/* lo at least */
		assert_string_equal(nlconn_ext_ack(c), "");
	}
	nlconn_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_capped_error_gives_the_errno_and_the_kernel_s_text),
		cmocka_unit_test(
			test_uncapped_error_finds_the_text_after_the_echoed_request),
		cmocka_unit_test(test_ack_ends_the_request_without_error_or_text),
		cmocka_unit_test(test_answers_to_an_earlier_request_are_skipped),
		cmocka_unit_test(
			test_dump_gives_each_message_to_the_parser_until_done),
		cmocka_unit_test(
			test_dump_that_changed_under_it_is_read_to_its_end_and_marked),
		cmocka_unit_test(test_parser_error_ends_the_request_with_it),
		cmocka_unit_test(test_done_with_an_error_carries_it_and_its_text),
		cmocka_unit_test(
			test_messages_shorter_than_they_claim_are_refused),
		cmocka_unit_test(
			test_failure_sentence_without_a_conn_has_no_kernel_text),
		cmocka_unit_test(test_talk_reads_a_dump_of_the_links_to_its_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
