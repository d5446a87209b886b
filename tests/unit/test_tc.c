/* Qdisc requests of link/tc.c, built and parsed back: netem against what
 * iproute2's tc sends (fixtures captured with strace), HTB and TBF
 * contents.  No root, no sockets. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "base/err.h"
#include "link/shaping.h"
#include "link/tc.h"

/* ---- fixtures --------------------------------------------------------- */

/* Opens tests/unit/fixtures/'name', from the source tree's top (where make
 * runs) or next to build/tests/unit/ where this program lives. */
static FILE *fixture_open(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/unit/fixtures/%s", name);
	f = fopen(path, "r");
	if (f)
		return f;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(path, sizeof(path), "%s/../../../tests/unit/fixtures/%s",
			 exe, name);
		f = fopen(path, "r");
	}
	if (!f)
		fail_msg("cannot open fixture '%s'", name);
	return f;
}

/* Reads the hex bytes of a fixture ('#' lines are comments) into 'buf';
 * returns the count. */
static size_t fixture_read(const char *name, unsigned char *buf, size_t size)
{
	FILE *f = fixture_open(name);
	char line[512];
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (line[0] == '#')
			continue;
		for (;;) {
			unsigned long v = strtoul(p, &end, 16);

			if (end == p)
				break;
			assert_true(n < size);
			buf[n++] = (unsigned char)v;
			p = end;
		}
	}
	fclose(f);
	return n;
}

/* ---- parsing requests ------------------------------------------------- */

static struct nl_msg *msg_new(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	return msg;
}

/* Parses a tc request into its tcmsg and top-level attributes. */
static struct tcmsg *parse_tc(struct nlmsghdr *h, struct nlattr *tb[TCA_MAX + 1])
{
	assert_int_equal(nlmsg_parse(h, sizeof(struct tcmsg), tb, TCA_MAX,
				     NULL),
			 0);
	return nlmsg_data(h);
}

/* Parses the attributes nested in TCA_OPTIONS. */
static void parse_options(struct nlattr *opts, struct nlattr **tb, int max)
{
	assert_non_null(opts);
	assert_int_equal(nla_parse_nested(tb, max, opts, NULL), 0);
}

/* netem's TCA_OPTIONS: the struct, then attributes. */
static struct tc_netem_qopt *parse_netem(struct nlattr *opts,
					 struct nlattr *tb[TCA_NETEM_MAX + 1])
{
	int len = nla_len(opts);

	assert_true(len >= (int)sizeof(struct tc_netem_qopt));
	assert_int_equal(nla_parse(tb, TCA_NETEM_MAX,
				   (struct nlattr *)((char *)nla_data(opts) +
						     NLA_ALIGN(sizeof(struct tc_netem_qopt))),
				   len - (int)NLA_ALIGN(sizeof(struct tc_netem_qopt)),
				   NULL),
			 0);
	return nla_data(opts);
}

/* Compares one netem attribute of ours with tc's, byte for byte. */
static void assert_same_attr(struct nlattr *ours, struct nlattr *tcs,
			     const char *name)
{
	if (!ours && !tcs)
		return;
	if (!ours || !tcs)
		fail_msg("%s: present in %s only", name, ours ? "ours" : "tc's");
	assert_int_equal(nla_len(ours), nla_len(tcs));
	assert_memory_equal(nla_data(ours), nla_data(tcs), nla_len(ours));
}

/* Builds our netem for 's' on ifindex 1 under 1:1 and compares it,
 * attribute by attribute, with the fixture. */
static void compare_netem_with_fixture(const struct shaping *s,
				       const char *fixture)
{
	unsigned char buf[1024];
	size_t n = fixture_read(fixture, buf, sizeof(buf));
	struct nlmsghdr *theirs = (struct nlmsghdr *)buf;
	struct nl_msg *msg = msg_new();
	struct nlmsghdr *ours;
	struct nlattr *ta[TCA_MAX + 1], *oa[TCA_MAX + 1];
	struct nlattr *tn[TCA_NETEM_MAX + 1], *on[TCA_NETEM_MAX + 1];
	struct tc_netem_qopt *tq, *oq;
	struct tcmsg *tt, *ot;

	assert_int_equal(theirs->nlmsg_len, n);
	assert_int_equal(shaping_build_netem(msg, 1, SHAPING_CLASS_HANDLE, s),
			 0);
	ours = nlmsg_hdr(msg);
	assert_int_equal(ours->nlmsg_type, theirs->nlmsg_type);
	assert_int_equal(ours->nlmsg_type, RTM_NEWQDISC);
	/* tc 'add' says EXCL; we replace so that a running link changes. */
	assert_int_equal(ours->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);

	tt = parse_tc(theirs, ta);
	ot = parse_tc(ours, oa);
	assert_memory_equal(ot, tt, sizeof(*tt));
	assert_int_equal(ot->tcm_handle, 0x00100000);
	assert_int_equal(ot->tcm_parent, 0x00010001);
	assert_string_equal(nla_get_string(oa[TCA_KIND]), "netem");
	assert_string_equal(nla_get_string(oa[TCA_KIND]),
			    nla_get_string(ta[TCA_KIND]));

	tq = parse_netem(ta[TCA_OPTIONS], tn);
	oq = parse_netem(oa[TCA_OPTIONS], on);
	assert_int_equal(oq->latency, tq->latency);
	assert_int_equal(oq->jitter, tq->jitter);
	assert_int_equal(oq->limit, tq->limit);
	assert_int_equal(oq->loss, tq->loss);
	assert_int_equal(oq->gap, tq->gap);
	assert_int_equal(oq->duplicate, tq->duplicate);
	for (int i = 0; i <= TCA_NETEM_MAX; i++) {
		char name[32];

		snprintf(name, sizeof(name), "TCA_NETEM attribute %d", i);
		assert_same_attr(on[i], tn[i], name);
	}
	/* And so the whole of TCA_OPTIONS, in tc's order. */
	assert_int_equal(nla_len(oa[TCA_OPTIONS]), nla_len(ta[TCA_OPTIONS]));
	assert_memory_equal(nla_data(oa[TCA_OPTIONS]), nla_data(ta[TCA_OPTIONS]),
			    nla_len(ta[TCA_OPTIONS]));
	nlmsg_free(msg);
}

/* ---- netem ------------------------------------------------------------ */

static void test_netem_matches_tc_delay_jitter_loss(void **state)
{
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.delay_us = 10000;
	s.jitter_us = 2000;
	s.loss_pct = 1;
	compare_netem_with_fixture(&s, "netem_delay10ms_2ms_loss1.hex");
}

static void test_netem_matches_tc_with_every_impairment(void **state)
{
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.delay_us = 10000;
	s.jitter_us = 2000;
	s.loss_pct = 1;
	s.loss_corr_pct = 30;
	s.duplicate_pct = 2;
	s.corrupt_pct = 0.5;
	s.reorder_pct = 25;
	s.reorder_gap = 5;
	s.max_queue_pkts = 500;
	compare_netem_with_fixture(&s, "netem_full.hex");
}

static void test_netem_ticks_follow_psched(void **state)
{
	(void)state;
	/* 64 ns ticks: 10 ms is 156250 ticks, as tc computed. */
	assert_int_equal(shaping_us_to_ticks(10000), 156250);
	assert_int_equal(shaping_us_to_ticks(2000), 31250);
	assert_int_equal(shaping_us_to_ticks(0), 0);
}

static void test_netem_reorder_without_gap_gets_gap_1(void **state)
{
	struct nlattr *tb[TCA_MAX + 1], *nt[TCA_NETEM_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tc_netem_reorder *r;
	struct tc_netem_qopt *q;
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.delay_us = 10000;
	s.reorder_pct = 25;
	assert_int_equal(shaping_build_netem(msg, 3, TC_H_ROOT, &s), 0);
	assert_int_equal(parse_tc(nlmsg_hdr(msg), tb)->tcm_parent, TC_H_ROOT);
	q = parse_netem(tb[TCA_OPTIONS], nt);
	assert_int_equal(q->gap, 1);
	assert_int_equal(q->limit, 1000);
	assert_null(nt[TCA_NETEM_CORR]);
	assert_null(nt[TCA_NETEM_CORRUPT]);
	assert_non_null(nt[TCA_NETEM_REORDER]);
	r = nla_data(nt[TCA_NETEM_REORDER]);
	assert_int_equal(r->probability, 0x40000000);
	assert_int_equal(r->correlation, 0);
	nlmsg_free(msg);
}

/* ---- HTB -------------------------------------------------------------- */

static void test_htb_qdisc_is_root_1_default_class_1(void **state)
{
	struct nlattr *tb[TCA_MAX + 1], *ht[TCA_HTB_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tc_htb_glob *g;
	struct tcmsg *t;

	(void)state;
	assert_int_equal(shaping_build_htb_qdisc(msg, 7, NLM_F_CREATE |
							     NLM_F_EXCL),
			 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWQDISC);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	t = parse_tc(nlmsg_hdr(msg), tb);
	assert_int_equal(t->tcm_ifindex, 7);
	assert_int_equal(t->tcm_parent, TC_H_ROOT);
	assert_int_equal(t->tcm_handle, 0x00010000);
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "htb");
	parse_options(tb[TCA_OPTIONS], ht, TCA_HTB_MAX);
	assert_non_null(ht[TCA_HTB_INIT]);
	g = nla_data(ht[TCA_HTB_INIT]);
	/* As 'tc qdisc add ... htb default 1' sends it. */
	assert_int_equal(g->version, 3);
	assert_int_equal(g->rate2quantum, 10);
	assert_int_equal(g->defcls, 1);
	nlmsg_free(msg);
}

/* Builds the HTB class for 's' and returns its parameters in 'opt'. */
static void build_htb_class(const struct shaping *s, unsigned int mtu,
			    struct tc_htb_opt *opt,
			    struct nlattr **rate64)
{
	struct nlattr *tb[TCA_MAX + 1], *ht[TCA_HTB_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tcmsg *t;

	assert_int_equal(shaping_build_htb_class(msg, 4, s, mtu, NLM_F_CREATE |
								 NLM_F_REPLACE),
			 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWTCLASS);
	t = parse_tc(nlmsg_hdr(msg), tb);
	assert_int_equal(t->tcm_parent, 0x00010000);
	assert_int_equal(t->tcm_handle, 0x00010001);
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "htb");
	parse_options(tb[TCA_OPTIONS], ht, TCA_HTB_MAX);
	assert_non_null(ht[TCA_HTB_PARMS]);
	memcpy(opt, nla_data(ht[TCA_HTB_PARMS]), sizeof(*opt));
	/* Known link layer: the kernel needs no rate tables. */
	assert_null(ht[TCA_HTB_RTAB]);
	assert_null(ht[TCA_HTB_CTAB]);
	*rate64 = ht[TCA_HTB_RATE64] ? ht[TCA_HTB_RATE64] : NULL;
	assert_true(!ht[TCA_HTB_RATE64] == !ht[TCA_HTB_CEIL64]);
	nlmsg_free(msg);
}

static void test_htb_class_rate_equals_ceil_with_burst(void **state)
{
	struct tc_htb_opt opt;
	struct nlattr *rate64;
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.rate_bps = 10000000;
	build_htb_class(&s, 1500, &opt, &rate64);
	assert_null(rate64);
	assert_int_equal(opt.rate.rate, 1250000);	/* bytes/s */
	assert_int_equal(opt.ceil.rate, 1250000);
	assert_int_equal(opt.rate.linklayer, TC_LINKLAYER_ETHERNET);
	assert_int_equal(opt.ceil.linklayer, TC_LINKLAYER_ETHERNET);
	/* 10 ms of rate, 12500 bytes: 10000 us, 156250 ticks. */
	assert_int_equal(shaping_burst_bytes(s.rate_bps, 1500), 12500);
	assert_int_equal(opt.buffer, 156250);
	assert_int_equal(opt.cbuffer, 156250);
	assert_int_equal(opt.quantum, 125000);
	assert_int_equal(opt.prio, 0);
}

static void test_htb_class_low_rate_gets_two_frames_of_burst(void **state)
{
	struct tc_htb_opt opt;
	struct nlattr *rate64;
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.rate_bps = 100000;		/* bw=0.1 */
	build_htb_class(&s, 1500, &opt, &rate64);
	assert_int_equal(opt.rate.rate, 12500);
	assert_int_equal(shaping_burst_bytes(s.rate_bps, 1500), 2 * 1518);
	/* 3036 bytes at 12500 B/s: 242880 us. */
	assert_int_equal(opt.buffer, shaping_us_to_ticks(242880));
	assert_int_equal(opt.quantum, 1250);
}

static void test_htb_class_above_32_bits_uses_rate64(void **state)
{
	struct tc_htb_opt opt;
	struct nlattr *rate64;
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.rate_bps = 40000000000ULL;	/* 5e9 bytes/s */
	build_htb_class(&s, 1500, &opt, &rate64);
	assert_non_null(rate64);
	assert_int_equal(nla_get_u64(rate64), 5000000000ULL);
	assert_int_equal(opt.rate.rate, UINT32_MAX);
	assert_int_equal(opt.quantum, 200000);
}

static void test_htb_class_needs_a_rate(void **state)
{
	struct nl_msg *msg = msg_new();
	struct shaping s;

	(void)state;
	shaping_init(&s);
	assert_int_equal(shaping_build_htb_class(msg, 1, &s, 1500, 0), -EINVAL);
	nlmsg_free(msg);
}

/* ---- TBF, pfifo, delete ----------------------------------------------- */

static void test_tbf_carries_rate_burst_and_limit(void **state)
{
	struct nlattr *tb[TCA_MAX + 1], *bt[TCA_TBF_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tc_tbf_qopt *q;
	struct shaping s;
	struct tcmsg *t;

	(void)state;
	shaping_init(&s);
	s.rate_bps = 10000000;
	s.use_tbf = true;
	assert_int_equal(shaping_build_tbf(msg, 5, &s, 1500, NLM_F_CREATE |
							      NLM_F_REPLACE),
			 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWQDISC);
	t = parse_tc(nlmsg_hdr(msg), tb);
	assert_int_equal(t->tcm_parent, TC_H_ROOT);
	assert_int_equal(t->tcm_handle, 0x00010000);
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "tbf");
	parse_options(tb[TCA_OPTIONS], bt, TCA_TBF_MAX);
	assert_non_null(bt[TCA_TBF_PARMS]);
	q = nla_data(bt[TCA_TBF_PARMS]);
	assert_int_equal(q->rate.rate, 1250000);
	assert_int_equal(q->rate.linklayer, TC_LINKLAYER_ETHERNET);
	assert_int_equal(q->peakrate.rate, 0);
	assert_int_equal(q->buffer, 156250);
	/* 1000 full frames, like HTB's pfifo */
	assert_int_equal(q->limit, 1000 * 1518);
	assert_non_null(bt[TCA_TBF_BURST]);
	assert_int_equal(nla_get_u32(bt[TCA_TBF_BURST]), 12500);
	assert_null(bt[TCA_TBF_RTAB]);
	assert_null(bt[TCA_TBF_RATE64]);
	nlmsg_free(msg);
}

static void test_tbf_limit_from_max_queue_size(void **state)
{
	struct shaping s;

	(void)state;
	shaping_init(&s);
	s.rate_bps = 10000000;
	s.max_queue_pkts = 100;
	assert_int_equal(shaping_tbf_limit_bytes(&s, 1500), 100 * 1518);
	assert_int_equal(shaping_tbf_limit_bytes(&s, 9000), 100 * 9018);
	s.max_queue_pkts = 0;
	s.rate_bps = 1000000000;
	assert_int_equal(shaping_burst_bytes(s.rate_bps, 1500), 1250000);
	/* burst + 100 ms of rate, above 1000 frames */
	assert_int_equal(shaping_tbf_limit_bytes(&s, 1500),
			 1250000 + 12500000);
	s.rate_bps = 100000;
	assert_int_equal(shaping_tbf_limit_bytes(&s, 1500), 1000 * 1518);
}

static void test_pfifo_leaf_under_class(void **state)
{
	struct nlattr *tb[TCA_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tc_fifo_qopt *f;
	struct tcmsg *t;

	(void)state;
	assert_int_equal(shaping_build_pfifo(msg, 2, SHAPING_CLASS_HANDLE, 50,
					     NLM_F_CREATE | NLM_F_REPLACE),
			 0);
	t = parse_tc(nlmsg_hdr(msg), tb);
	assert_int_equal(t->tcm_parent, 0x00010001);
	assert_int_equal(t->tcm_handle, 0x00200000);
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "pfifo");
	assert_int_equal(nla_len(tb[TCA_OPTIONS]), sizeof(*f));
	f = nla_data(tb[TCA_OPTIONS]);
	assert_int_equal(f->limit, 50);
	nlmsg_free(msg);
}

static void test_del_root_names_no_handle(void **state)
{
	struct nlattr *tb[TCA_MAX + 1];
	struct nl_msg *msg = msg_new();
	struct tcmsg *t;

	(void)state;
	assert_int_equal(shaping_build_del_root(msg, 9), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELQDISC);
	t = parse_tc(nlmsg_hdr(msg), tb);
	assert_int_equal(t->tcm_ifindex, 9);
	assert_int_equal(t->tcm_parent, TC_H_ROOT);
	assert_int_equal(t->tcm_handle, 0);
	assert_null(tb[TCA_KIND]);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netem_matches_tc_delay_jitter_loss),
		cmocka_unit_test(test_netem_matches_tc_with_every_impairment),
		cmocka_unit_test(test_netem_ticks_follow_psched),
		cmocka_unit_test(test_netem_reorder_without_gap_gets_gap_1),
		cmocka_unit_test(test_htb_qdisc_is_root_1_default_class_1),
		cmocka_unit_test(test_htb_class_rate_equals_ceil_with_burst),
		cmocka_unit_test(test_htb_class_low_rate_gets_two_frames_of_burst),
		cmocka_unit_test(test_htb_class_above_32_bits_uses_rate64),
		cmocka_unit_test(test_htb_class_needs_a_rate),
		cmocka_unit_test(test_tbf_carries_rate_burst_and_limit),
		cmocka_unit_test(test_tbf_limit_from_max_queue_size),
		cmocka_unit_test(test_pfifo_leaf_under_class),
		cmocka_unit_test(test_del_root_names_no_handle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
