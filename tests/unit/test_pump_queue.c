/* The pump's impairment model against a fake clock and fixed seeds:
 * delay, jitter, loss, duplication, corruption, reordering, the queue
 * limit.  No sockets, no threads, no sleeps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "link/pump_queue.h"
#include "link/shaping.h"
#include "tests/lib/frames.h"

#define N_BIG 100000

/* A 64-byte frame whose bytes 14..17 hold 'seq'. */
static void make_frame(unsigned char *buf, uint32_t seq)
{
	memset(buf, 0, 64);
	memset(buf, 0xaa, 12);
	buf[12] = 0x88;		/* some ethertype */
	buf[13] = 0xb5;
	memcpy(buf + 14, &seq, sizeof(seq));
}

static uint32_t frame_seq(const struct pump_frame *fr)
{
	uint32_t seq;

	memcpy(&seq, fr->data + 14, sizeof(seq));
	return seq;
}

static int push_seq(struct pump_queue *q, uint32_t seq, uint64_t now,
		    struct pump_rng *rng)
{
	unsigned char buf[64];

	make_frame(buf, seq);
	return pump_queue_push(q, buf, sizeof(buf), now, rng);
}

/* Pops everything due at 'now' into 'out' (the caller frees). */
static unsigned int pop_all(struct pump_queue *q, uint64_t now,
			    struct pump_frame **out, unsigned int max)
{
	unsigned int n = 0, got;

	while ((got = pump_queue_pop_due(q, now, out + n, max - n)) > 0)
		n += got;
	return n;
}

static void free_frames(struct pump_frame **frames, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pump_frame_destroy(frames[i]);
}

/* Pushes 'n' frames one microsecond apart, then pops them all; returns how
 * many came out. */
static unsigned int push_and_drain(struct pump_queue *q, unsigned int n,
				   struct pump_rng *rng)
{
	struct pump_frame *out[64];
	unsigned int total = 0, got;

	for (unsigned int i = 0; i < n; i++) {
		push_seq(q, i, i, rng);
		while ((got = pump_queue_pop_due(q, UINT64_MAX - 1, out,
						 64)) > 0) {
			total += got;
			free_frames(out, got);
		}
	}
	return total;
}

static void test_rng_is_seedable_and_spread(void **state)
{
	struct pump_rng a, b, c;
	double sum = 0;
	bool differ = false;

	(void)state;
	pump_rng_seed(&a, 42);
	pump_rng_seed(&b, 42);
	pump_rng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint32_t x = pump_rng_u32(&a);

		assert_int_equal(x, pump_rng_u32(&b));
		differ |= x != pump_rng_u32(&c);
		sum += x / 4294967296.0;
	}
	assert_true(differ);
	assert_true(sum / 1000 > 0.45 && sum / 1000 < 0.55);
	pump_rng_seed(&a, 0);	/* no stuck zero state */
	assert_true(pump_rng_u32(&a) || pump_rng_u32(&a));
}

static void test_no_shaping_releases_at_once_in_order(void **state)
{
	struct pump_frame *out[8];
	struct pump_queue *q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 1);
	q = pump_queue_create(NULL, false);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(push_seq(q, i, 100, &rng), 1);
	assert_int_equal(pump_queue_stats(q)->delayed, 0);
	assert_int_equal(pump_queue_next_due(q), 100);
	assert_int_equal(pump_queue_pop_due(q, 100, out, 8), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(frame_seq(out[i]), i);
		assert_int_equal(out[i]->len, 64);
	}
	free_frames(out, 5);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 0);
	assert_int_equal(pump_queue_next_due(q), UINT64_MAX);
	assert_int_equal(pump_queue_stats(q)->received, 5);
	pump_queue_destroy(q);
}

static void test_delay_holds_frames_until_due(void **state)
{
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 1);
	shaping_init(&s);
	s.delay_us = 1000;
	q = pump_queue_create(&s, false);
	push_seq(q, 0, 0, &rng);
	push_seq(q, 1, 10, &rng);
	push_seq(q, 2, 20, &rng);
	assert_int_equal(pump_queue_stats(q)->delayed, 3);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 3);
	assert_int_equal(pump_queue_next_due(q), 1000);
	assert_int_equal(pump_queue_pop_due(q, 999, out, 8), 0);
	assert_int_equal(pump_queue_pop_due(q, 1000, out, 8), 1);
	assert_int_equal(frame_seq(out[0]), 0);
	pump_frame_destroy(out[0]);
	assert_int_equal(pump_queue_next_due(q), 1010);
	/* 'max' is respected. */
	assert_int_equal(pump_queue_pop_due(q, 5000, out, 1), 1);
	assert_int_equal(frame_seq(out[0]), 1);
	assert_int_equal(out[0]->due_us, 1010);
	pump_frame_destroy(out[0]);
	assert_int_equal(pump_queue_pop_due(q, 5000, out, 8), 1);
	assert_int_equal(frame_seq(out[0]), 2);
	assert_int_equal(out[0]->due_us, 1020);
	pump_frame_destroy(out[0]);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 0);
	pump_queue_destroy(q);
}

/* Pushes 20000 frames 'gap_us' apart with delay 10 ms +/- 5 ms, pops them
 * all and checks order and bounds; returns the smallest and largest delay
 * of frames that were not held behind another. */
static void run_jitter(uint64_t gap_us, uint64_t *min_d, uint64_t *max_d,
		       unsigned int *clamped)
{
	static struct pump_frame *out[20000];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	uint64_t prev_due = 0;
	unsigned int n;

	pump_rng_seed(&rng, 7);
	shaping_init(&s);
	s.delay_us = 10000;
	s.jitter_us = 5000;
	s.max_queue_pkts = 20000;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 0; i < 20000; i++)
		push_seq(q, i, i * gap_us, &rng);
	n = pop_all(q, UINT64_MAX - 1, out, 20000);
	assert_int_equal(n, 20000);
	*min_d = UINT64_MAX;
	*max_d = 0;
	*clamped = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = out[i]->due_us - i * gap_us;

		/* Never reordered: the frames leave as they came. */
		assert_int_equal(frame_seq(out[i]), i);
		assert_true(out[i]->due_us >= prev_due);
		/* delay - jitter at least; above delay + jitter only when
		 * held behind the frame ahead. */
		assert_true(d >= 5000);
		if (i && out[i]->due_us == prev_due) {
			(*clamped)++;
		} else {
			assert_true(d < 15000);
			*min_d = d < *min_d ? d : *min_d;
			*max_d = d > *max_d ? d : *max_d;
		}
		prev_due = out[i]->due_us;
	}
	free_frames(out, n);
	pump_queue_destroy(q);
}

static void test_jitter_stays_in_bounds_and_in_order(void **state)
{
	uint64_t min_d, max_d;
	unsigned int clamped;

	(void)state;
	/* Frames far apart never meet: the whole spread shows. */
	run_jitter(20000, &min_d, &max_d, &clamped);
	assert_int_equal(clamped, 0);
	assert_true(min_d < 5010);
	assert_true(max_d > 14990);
	/* Frames 50 us apart: early draws wait for the frame ahead. */
	run_jitter(50, &min_d, &max_d, &clamped);
	assert_true(clamped > 0);
	assert_true(max_d > 14900);
}

static void test_loss_rate_is_within_tolerance(void **state)
{
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	unsigned int out;
	double rate;

	(void)state;
	pump_rng_seed(&rng, 11);
	shaping_init(&s);
	s.loss_pct = 10;
	q = pump_queue_create(&s, false);
	out = push_and_drain(q, N_BIG, &rng);
	rate = (double)pump_queue_stats(q)->dropped_loss / N_BIG;
	/* Binomial sd is 0.095 %: 0.5 % is over five sd. */
	assert_true(rate > 0.095 && rate < 0.105);
	assert_int_equal(out + pump_queue_stats(q)->dropped_loss, N_BIG);
	assert_int_equal(pump_queue_stats(q)->received, N_BIG);

	s.loss_pct = 100;
	pump_queue_destroy(q);
	q = pump_queue_create(&s, false);
	assert_int_equal(push_and_drain(q, 1000, &rng), 0);
	assert_int_equal(pump_queue_stats(q)->dropped_loss, 1000);

	s.loss_pct = 0.1;
	pump_queue_destroy(q);
	q = pump_queue_create(&s, false);
	push_and_drain(q, N_BIG, &rng);
	assert_in_range(pump_queue_stats(q)->dropped_loss, 61, 139);
	pump_queue_destroy(q);
}

/* Mean length of runs of consecutive losses over N_BIG frames. */
static double mean_loss_run(double loss, double corr, uint64_t seed)
{
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	struct pump_frame *out[4];
	uint64_t runs = 0, lost = 0;
	bool in_run = false;

	pump_rng_seed(&rng, seed);
	shaping_init(&s);
	s.loss_pct = loss;
	s.loss_corr_pct = corr;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 0; i < N_BIG; i++) {
		uint64_t before = pump_queue_stats(q)->dropped_loss;
		unsigned int n;

		push_seq(q, i, i, &rng);
		n = pump_queue_pop_due(q, i, out, 4);
		free_frames(out, n);
		if (pump_queue_stats(q)->dropped_loss > before) {
			lost++;
			if (!in_run)
				runs++;
			in_run = true;
		} else {
			in_run = false;
		}
	}
	pump_queue_destroy(q);
	return runs ? (double)lost / runs : 0;
}

static void test_loss_correlation_makes_losses_bursty(void **state)
{
	double plain, corr;

	(void)state;
	plain = mean_loss_run(20, 0, 5);
	corr = mean_loss_run(20, 90, 5);
	/* Independent 20 % losses come in runs of 1.25 on average. */
	assert_true(plain > 1.2 && plain < 1.3);
	assert_true(corr > 2 * plain);
}

static void test_duplicate_sends_copies(void **state)
{
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	unsigned int total;

	(void)state;
	pump_rng_seed(&rng, 3);
	shaping_init(&s);
	s.duplicate_pct = 100;
	s.delay_us = 100;
	q = pump_queue_create(&s, false);
	assert_int_equal(push_seq(q, 9, 0, &rng), 2);
	assert_int_equal(pump_queue_stats(q)->duplicated, 1);
	assert_int_equal(pump_queue_pop_due(q, 100, out, 8), 2);
	assert_int_equal(frame_seq(out[0]), 9);
	assert_int_equal(frame_seq(out[1]), 9);
	assert_memory_equal(out[0]->data, out[1]->data, 64);
	free_frames(out, 2);

	s.duplicate_pct = 10;
	s.delay_us = 0;
	pump_queue_destroy(q);
	q = pump_queue_create(&s, false);
	total = push_and_drain(q, N_BIG, &rng);
	assert_int_equal(total, N_BIG + pump_queue_stats(q)->duplicated);
	assert_in_range(pump_queue_stats(q)->duplicated, 9501, 10499);
	pump_queue_destroy(q);
}

static void test_queue_overflow_drops_new_frames(void **state)
{
	struct pump_frame *out[32];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 4);
	shaping_init(&s);
	s.delay_us = 1000;
	s.max_queue_pkts = 10;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 0; i < 15; i++)
		push_seq(q, i, 0, &rng);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 10);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 10);
	assert_int_equal(pump_queue_stats(q)->dropped_queue, 5);
	n = pump_queue_pop_due(q, 1000, out, 32);
	assert_int_equal(n, 10);
	/* The first ten made it; the late ones were dropped. */
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(frame_seq(out[i]), i);
	free_frames(out, n);
	assert_int_equal(push_seq(q, 99, 1000, &rng), 1);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 1);
	/* Frees the frame still queued (ASan would see a leak). */
	pump_queue_destroy(q);
}

static void test_default_queue_limit_is_netems_1000(void **state)
{
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 4);
	shaping_init(&s);
	s.delay_us = 1000;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 0; i < 1200; i++)
		push_seq(q, i, 0, &rng);
	assert_int_equal(pump_queue_stats(q)->queue_depth, 1000);
	assert_int_equal(pump_queue_stats(q)->dropped_queue, 200);
	pump_queue_destroy(q);
}

static void test_reorder_sends_every_gap_th_frame_ahead(void **state)
{
	struct pump_frame *out[16];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 5);
	shaping_init(&s);
	s.delay_us = 10000;
	s.reorder_pct = 100;
	s.reorder_gap = 5;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 1; i <= 10; i++)
		push_seq(q, i, i, &rng);
	assert_int_equal(pump_queue_stats(q)->reordered, 2);
	/* Frames 5 and 10 skip the delay, ahead of the others. */
	n = pump_queue_pop_due(q, 10, out, 16);
	assert_int_equal(n, 2);
	assert_int_equal(frame_seq(out[0]), 10);
	assert_int_equal(frame_seq(out[1]), 5);
	free_frames(out, n);
	n = pump_queue_pop_due(q, 20000, out, 16);
	assert_int_equal(n, 8);
	for (uint32_t i = 0, want = 1; i < n; i++, want++) {
		if (want == 5)
			want++;
		assert_int_equal(frame_seq(out[i]), want);
	}
	free_frames(out, n);
	pump_queue_destroy(q);
}

static void test_reorder_rate_follows_probability(void **state)
{
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 6);
	shaping_init(&s);
	s.delay_us = 10;
	s.reorder_pct = 25;	/* gap 0 means 1: any frame may go */
	q = pump_queue_create(&s, false);
	push_and_drain(q, N_BIG, &rng);
	assert_in_range(pump_queue_stats(q)->reordered, 24001, 25999);
	pump_queue_destroy(q);
}

static void test_set_shaping_keeps_queued_frames(void **state)
{
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 8);
	shaping_init(&s);
	s.delay_us = 1000;
	q = pump_queue_create(&s, false);
	push_seq(q, 1, 0, &rng);
	s.delay_us = 0;
	pump_queue_set_shaping(q, &s);
	push_seq(q, 2, 10, &rng);
	/* The new frame waits behind the old one: nothing lost, no
	 * overtaking. */
	assert_int_equal(pump_queue_pop_due(q, 999, out, 8), 0);
	assert_int_equal(pump_queue_pop_due(q, 1000, out, 8), 2);
	assert_int_equal(frame_seq(out[0]), 1);
	assert_int_equal(frame_seq(out[1]), 2);
	free_frames(out, 2);
	push_seq(q, 3, 2000, &rng);
	assert_int_equal(pump_queue_pop_due(q, 2000, out, 8), 1);
	pump_frame_destroy(out[0]);
	pump_queue_destroy(q);
}

static void test_corrupt_flips_one_bit_after_ethernet_header(void **state)
{
	struct pump_frame *out[4];
	unsigned char orig[64];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	size_t where = 0;

	(void)state;
	pump_rng_seed(&rng, 9);
	shaping_init(&s);
	s.corrupt_pct = 100;
	q = pump_queue_create(&s, false);
	for (uint32_t i = 0; i < 200; i++) {
		make_frame(orig, i);
		assert_int_equal(pump_queue_push(q, orig, 64, 0, &rng), 1);
		assert_int_equal(pump_queue_pop_due(q, 0, out, 4), 1);
		assert_int_equal(test_bit_diff(orig, out[0]->data, 64, &where),
				 1);
		assert_true(where >= 14);
		pump_frame_destroy(out[0]);
	}
	assert_int_equal(pump_queue_stats(q)->corrupted, 200);
	pump_queue_destroy(q);
}

/* ---- frames with a virtio_net_hdr ------------------------------------- */

static void test_corrupt_splits_gso_frame_like_netem(void **state)
{
	static unsigned char buf[4096];
	const struct test_frame_spec spec = {
		.proto = IPPROTO_TCP, .payload = 250, .gso_size = 100,
		.seq = 0x01000000, .tcp_flags = 0x80 | 0x10 | 0x08 | 0x01,
	};
	struct pump_frame *out[8], *segs, *seg;
	const size_t vl = sizeof(struct virtio_net_hdr);
	struct test_frame_layout lay;
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	size_t len;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 12);
	shaping_init(&s);
	s.corrupt_pct = 100;
	q = pump_queue_create(&s, true);
	len = test_frame_build(buf, sizeof(buf), &spec, &lay);
	assert_int_equal(pump_queue_push(q, buf, len, 0, &rng), 3);
	assert_int_equal(pump_queue_stats(q)->corrupted, 1);
	n = pump_queue_pop_due(q, 0, out, 8);
	assert_int_equal(n, 3);
	/* Cut as the frame module cuts it (its tests check the cuts);
	 * only the first of the wire frames is damaged, by one bit. */
	segs = pump_frame_segment(buf, len);
	seg = segs;
	for (unsigned int i = 0; i < n; i++, seg = seg->next) {
		const unsigned char *f = out[i]->data + vl;
		size_t where = 0;

		assert_non_null(seg);
		assert_int_equal(out[i]->len, seg->len);
		assert_int_equal(test_bit_diff(seg->data, out[i]->data,
					       seg->len, &where),
				 i == 0 ? 1 : 0);
		if (i == 0) {
			assert_true(where >= vl + 14);
			assert_true(test_csum(f + lay.l3, 20, 0) != 0 ||
				    test_frame_l4_check(f, out[i]->len - vl,
							&lay, false,
							IPPROTO_TCP) != 0);
		}
	}
	assert_null(seg);
	pump_frame_destroy_list(segs);
	free_frames(out, n);
	pump_queue_destroy(q);
}

static void test_corrupt_drops_a_gso_frame_it_cannot_split(void **state)
{
	static unsigned char buf[4096];
	const struct test_frame_spec spec = {
		.proto = IPPROTO_UDP, .payload = 250, .gso_size = 100,
	};
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue *q;
	struct pump_rng rng;
	size_t len;

	(void)state;
	pump_rng_seed(&rng, 13);
	shaping_init(&s);
	s.corrupt_pct = 100;
	q = pump_queue_create(&s, true);
	len = test_frame_build(buf, sizeof(buf), &spec, NULL);
	((struct virtio_net_hdr *)buf)->gso_type = VIRTIO_NET_HDR_GSO_UDP;
	/* Lost rather than delivered silently damaged. */
	assert_int_equal(pump_queue_push(q, buf, len, 0, &rng), 0);
	assert_int_equal(pump_queue_pop_due(q, 0, out, 8), 0);
	assert_int_equal(pump_queue_stats(q)->corrupted, 1);
	pump_queue_destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_is_seedable_and_spread),
		cmocka_unit_test(test_no_shaping_releases_at_once_in_order),
		cmocka_unit_test(test_delay_holds_frames_until_due),
		cmocka_unit_test(test_jitter_stays_in_bounds_and_in_order),
		cmocka_unit_test(test_loss_rate_is_within_tolerance),
		cmocka_unit_test(test_loss_correlation_makes_losses_bursty),
		cmocka_unit_test(test_duplicate_sends_copies),
		cmocka_unit_test(test_queue_overflow_drops_new_frames),
		cmocka_unit_test(test_default_queue_limit_is_netems_1000),
		cmocka_unit_test(test_reorder_sends_every_gap_th_frame_ahead),
		cmocka_unit_test(test_reorder_rate_follows_probability),
		cmocka_unit_test(test_set_shaping_keeps_queued_frames),
		cmocka_unit_test(test_corrupt_flips_one_bit_after_ethernet_header),
		cmocka_unit_test(test_corrupt_splits_gso_frame_like_netem),
		cmocka_unit_test(test_corrupt_drops_a_gso_frame_it_cannot_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
