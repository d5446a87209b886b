/* The pump's queue logic against a fake clock: delay, jitter, loss,
 * duplication, corruption, reordering, the queue limit.  No sockets, no
 * threads, no sleeps. */
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

#include <cmocka.h>

#include "link/pump.h"
#include "link/shaping.h"

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
		free(frames[i]);
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
	struct pump_queue q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 1);
	pump_queue_init(&q, NULL, false);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(push_seq(&q, i, 100, &rng), 1);
	assert_int_equal(q.stats.delayed, 0);
	assert_int_equal(pump_queue_next_due(&q), 100);
	assert_int_equal(pump_queue_pop_due(&q, 100, out, 8), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(frame_seq(out[i]), i);
		assert_int_equal(out[i]->len, 64);
	}
	free_frames(out, 5);
	assert_int_equal(q.depth, 0);
	assert_int_equal(pump_queue_next_due(&q), UINT64_MAX);
	assert_int_equal(q.stats.received, 5);
}

static void test_delay_holds_frames_until_due(void **state)
{
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 1);
	shaping_init(&s);
	s.delay_us = 1000;
	pump_queue_init(&q, &s, false);
	push_seq(&q, 0, 0, &rng);
	push_seq(&q, 1, 10, &rng);
	push_seq(&q, 2, 20, &rng);
	assert_int_equal(q.stats.delayed, 3);
	assert_int_equal(q.stats.queue_depth, 3);
	assert_int_equal(pump_queue_next_due(&q), 1000);
	assert_int_equal(pump_queue_pop_due(&q, 999, out, 8), 0);
	assert_int_equal(pump_queue_pop_due(&q, 1000, out, 8), 1);
	assert_int_equal(frame_seq(out[0]), 0);
	free(out[0]);
	assert_int_equal(pump_queue_next_due(&q), 1010);
	/* 'max' is respected. */
	assert_int_equal(pump_queue_pop_due(&q, 5000, out, 1), 1);
	assert_int_equal(frame_seq(out[0]), 1);
	assert_int_equal(out[0]->due_us, 1010);
	free(out[0]);
	assert_int_equal(pump_queue_pop_due(&q, 5000, out, 8), 1);
	assert_int_equal(frame_seq(out[0]), 2);
	assert_int_equal(out[0]->due_us, 1020);
	free(out[0]);
	assert_int_equal(q.stats.queue_depth, 0);
}

/* Pushes 20000 frames 'gap_us' apart with delay 10 ms +/- 5 ms, pops them
 * all and checks order and bounds; returns the smallest and largest delay
 * of frames that were not held behind another. */
static void run_jitter(uint64_t gap_us, uint64_t *min_d, uint64_t *max_d,
		       unsigned int *clamped)
{
	static struct pump_frame *out[20000];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	uint64_t prev_due = 0;
	unsigned int n;

	pump_rng_seed(&rng, 7);
	shaping_init(&s);
	s.delay_us = 10000;
	s.jitter_us = 5000;
	s.max_queue_pkts = 20000;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 0; i < 20000; i++)
		push_seq(&q, i, i * gap_us, &rng);
	n = pop_all(&q, UINT64_MAX - 1, out, 20000);
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
	struct pump_queue q;
	struct pump_rng rng;
	unsigned int out;
	double rate;

	(void)state;
	pump_rng_seed(&rng, 11);
	shaping_init(&s);
	s.loss_pct = 10;
	pump_queue_init(&q, &s, false);
	out = push_and_drain(&q, N_BIG, &rng);
	rate = (double)q.stats.dropped_loss / N_BIG;
	/* Binomial sd is 0.095 %: 0.5 % is over five sd. */
	assert_true(rate > 0.095 && rate < 0.105);
	assert_int_equal(out + q.stats.dropped_loss, N_BIG);
	assert_int_equal(q.stats.received, N_BIG);

	s.loss_pct = 100;
	pump_queue_init(&q, &s, false);
	assert_int_equal(push_and_drain(&q, 1000, &rng), 0);
	assert_int_equal(q.stats.dropped_loss, 1000);

	s.loss_pct = 0.1;
	pump_queue_init(&q, &s, false);
	push_and_drain(&q, N_BIG, &rng);
	assert_true(q.stats.dropped_loss > 60 && q.stats.dropped_loss < 140);
}

/* Mean length of runs of consecutive losses over N_BIG frames. */
static double mean_loss_run(double loss, double corr, uint64_t seed)
{
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	struct pump_frame *out[4];
	uint64_t runs = 0, lost = 0;
	bool in_run = false;

	pump_rng_seed(&rng, seed);
	shaping_init(&s);
	s.loss_pct = loss;
	s.loss_corr_pct = corr;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 0; i < N_BIG; i++) {
		uint64_t before = q.stats.dropped_loss;
		unsigned int n;

		push_seq(&q, i, i, &rng);
		n = pump_queue_pop_due(&q, i, out, 4);
		free_frames(out, n);
		if (q.stats.dropped_loss > before) {
			lost++;
			if (!in_run)
				runs++;
			in_run = true;
		} else {
			in_run = false;
		}
	}
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
	struct pump_queue q;
	struct pump_rng rng;
	unsigned int total;

	(void)state;
	pump_rng_seed(&rng, 3);
	shaping_init(&s);
	s.duplicate_pct = 100;
	s.delay_us = 100;
	pump_queue_init(&q, &s, false);
	assert_int_equal(push_seq(&q, 9, 0, &rng), 2);
	assert_int_equal(q.stats.duplicated, 1);
	assert_int_equal(pump_queue_pop_due(&q, 100, out, 8), 2);
	assert_int_equal(frame_seq(out[0]), 9);
	assert_int_equal(frame_seq(out[1]), 9);
	assert_memory_equal(out[0]->data, out[1]->data, 64);
	free_frames(out, 2);

	s.duplicate_pct = 10;
	s.delay_us = 0;
	pump_queue_init(&q, &s, false);
	total = push_and_drain(&q, N_BIG, &rng);
	assert_int_equal(total, N_BIG + q.stats.duplicated);
	assert_true(q.stats.duplicated > 9500 && q.stats.duplicated < 10500);
}

static void test_queue_overflow_drops_new_frames(void **state)
{
	struct pump_frame *out[32];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 4);
	shaping_init(&s);
	s.delay_us = 1000;
	s.max_queue_pkts = 10;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 0; i < 15; i++)
		push_seq(&q, i, 0, &rng);
	assert_int_equal(q.depth, 10);
	assert_int_equal(q.stats.queue_depth, 10);
	assert_int_equal(q.stats.dropped_queue, 5);
	n = pump_queue_pop_due(&q, 1000, out, 32);
	assert_int_equal(n, 10);
	/* The first ten made it; the late ones were dropped. */
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(frame_seq(out[i]), i);
	free_frames(out, n);
	assert_int_equal(push_seq(&q, 99, 1000, &rng), 1);
	pump_queue_release(&q);
	assert_int_equal(q.depth, 0);
}

static void test_default_queue_limit_is_netems_1000(void **state)
{
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 4);
	shaping_init(&s);
	s.delay_us = 1000;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 0; i < 1200; i++)
		push_seq(&q, i, 0, &rng);
	assert_int_equal(q.depth, 1000);
	assert_int_equal(q.stats.dropped_queue, 200);
	pump_queue_release(&q);
}

static void test_reorder_sends_every_gap_th_frame_ahead(void **state)
{
	struct pump_frame *out[16];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 5);
	shaping_init(&s);
	s.delay_us = 10000;
	s.reorder_pct = 100;
	s.reorder_gap = 5;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 1; i <= 10; i++)
		push_seq(&q, i, i, &rng);
	assert_int_equal(q.stats.reordered, 2);
	/* Frames 5 and 10 skip the delay, ahead of the others. */
	n = pump_queue_pop_due(&q, 10, out, 16);
	assert_int_equal(n, 2);
	assert_int_equal(frame_seq(out[0]), 10);
	assert_int_equal(frame_seq(out[1]), 5);
	free_frames(out, n);
	n = pump_queue_pop_due(&q, 20000, out, 16);
	assert_int_equal(n, 8);
	for (uint32_t i = 0, want = 1; i < n; i++, want++) {
		if (want == 5)
			want++;
		assert_int_equal(frame_seq(out[i]), want);
	}
	free_frames(out, n);
}

static void test_reorder_rate_follows_probability(void **state)
{
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 6);
	shaping_init(&s);
	s.delay_us = 10;
	s.reorder_pct = 25;	/* gap 0 means 1: any frame may go */
	pump_queue_init(&q, &s, false);
	push_and_drain(&q, N_BIG, &rng);
	assert_true(q.stats.reordered > 24000 && q.stats.reordered < 26000);
}

static void test_set_shaping_keeps_queued_frames(void **state)
{
	struct pump_frame *out[8];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;

	(void)state;
	pump_rng_seed(&rng, 8);
	shaping_init(&s);
	s.delay_us = 1000;
	pump_queue_init(&q, &s, false);
	push_seq(&q, 1, 0, &rng);
	s.delay_us = 0;
	pump_queue_set_shaping(&q, &s);
	push_seq(&q, 2, 10, &rng);
	/* The new frame waits behind the old one: nothing lost, no
	 * overtaking. */
	assert_int_equal(pump_queue_pop_due(&q, 999, out, 8), 0);
	assert_int_equal(pump_queue_pop_due(&q, 1000, out, 8), 2);
	assert_int_equal(frame_seq(out[0]), 1);
	assert_int_equal(frame_seq(out[1]), 2);
	free_frames(out, 2);
	push_seq(&q, 3, 2000, &rng);
	assert_int_equal(pump_queue_pop_due(&q, 2000, out, 8), 1);
	free(out[0]);
}

/* Counts the bits that differ between 'a' and 'b'; 'first' gets the
 * offset of the first difference. */
static int bit_diff(const unsigned char *a, const unsigned char *b, size_t len,
		    size_t *first)
{
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		if (a[i] == b[i])
			continue;
		if (!bits)
			*first = i;
		bits += __builtin_popcount(a[i] ^ b[i]);
	}
	return bits;
}

static void test_corrupt_flips_one_bit_after_ethernet_header(void **state)
{
	struct pump_frame *out[4];
	unsigned char orig[64];
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	size_t where = 0;

	(void)state;
	pump_rng_seed(&rng, 9);
	shaping_init(&s);
	s.corrupt_pct = 100;
	pump_queue_init(&q, &s, false);
	for (uint32_t i = 0; i < 200; i++) {
		make_frame(orig, i);
		assert_int_equal(pump_queue_push(&q, orig, 64, 0, &rng), 1);
		assert_int_equal(pump_queue_pop_due(&q, 0, out, 4), 1);
		assert_int_equal(bit_diff(orig, out[0]->data, 64, &where), 1);
		assert_true(where >= 14);
		free(out[0]);
	}
	assert_int_equal(q.stats.corrupted, 200);
}

/* ---- frames with a virtio_net_hdr ------------------------------------- */

static uint16_t csum16(const unsigned char *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The L4 checksum of an IPv4 frame at 'f' (Ethernet first) with 'l4len'
 * bytes from offset 34; 0 when the stored checksum is right. */
static uint16_t l4_verify(const unsigned char *f, size_t l4len, int proto)
{
	uint32_t sum = 0;

	for (int i = 26; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	sum += (uint32_t)proto + (uint32_t)l4len;
	return csum16(f + 34, l4len, sum);
}

/* An IPv4 frame: 'vnet' header, Ethernet, IP (20), then 'l4hdr' bytes of
 * TCP (20) or UDP (8) header and 'payload' bytes of pattern; the L4
 * checksum holds the pseudo-header sum, as with CHECKSUM_PARTIAL. */
static size_t make_ip_frame(unsigned char *buf, int proto, size_t payload,
			    uint16_t gso_size)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	unsigned char *f = buf + sizeof(*vh);
	size_t l4hdr = proto == 6 ? 20 : 8, l4len = l4hdr + payload;
	uint32_t sum = 0;

	memset(buf, 0, sizeof(*vh) + 34 + l4len);
	memset(f, 0x02, 12);
	f[12] = 0x08;			/* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8);
	f[17] = (uint8_t)(20 + l4len);
	f[18] = 0x12;			/* id 0x1234 */
	f[19] = 0x34;
	f[22] = 64;
	f[23] = (uint8_t)proto;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f[24] = 0;
	f[25] = 0;
	{
		uint16_t c = csum16(f + 14, 20, 0);

		f[24] = c >> 8;
		f[25] = c & 0xff;
	}
	f[34] = 0x30;			/* ports */
	f[35] = 0x39;
	f[36] = 0x00;
	f[37] = 0x50;
	if (proto == 6) {
		f[38] = 0x01;		/* seq 0x01000000 */
		f[46] = 0x50;		/* doff 5 */
		f[47] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
	} else {
		f[38] = (uint8_t)(l4len >> 8);
		f[39] = (uint8_t)l4len;
	}
	for (size_t i = 0; i < payload; i++)
		f[34 + l4hdr + i] = (unsigned char)(i * 7 + 1);
	/* Pseudo-header sum, not inverted, in the checksum field. */
	for (int i = 26; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	sum += (uint32_t)proto + (uint32_t)l4len;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[34 + (proto == 6 ? 16 : 6)] = (uint8_t)(sum >> 8);
	f[34 + (proto == 6 ? 17 : 7)] = (uint8_t)sum;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = 34;
	vh->csum_offset = proto == 6 ? 16 : 6;
	if (gso_size) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = gso_size;
		vh->hdr_len = 54;
	}
	return sizeof(*vh) + 34 + l4len;
}

static void test_corrupt_finishes_partial_checksum_first(void **state)
{
	unsigned char buf[256], good[256];
	const size_t vl = sizeof(struct virtio_net_hdr);
	struct pump_rng rng;
	size_t len, where = 0;

	(void)state;
	pump_rng_seed(&rng, 10);
	for (int round = 0; round < 50; round++) {
		len = make_ip_frame(buf, 17, 100, 0);
		memcpy(good, buf, len);
		/* What the kernel would have sent: the full checksum. */
		{
			uint16_t c;

			good[vl + 40] = good[vl + 41] = 0;
			c = l4_verify(good + vl, 108, 17);
			good[vl + 40] = c >> 8;
			good[vl + 41] = c & 0xff;
			assert_int_equal(l4_verify(good + vl, 108, 17), 0);
		}
		pump_frame_corrupt(buf, len, true, &rng);
		/* The flag is gone: the receiver checks, and fails. */
		assert_int_equal(buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
		assert_int_equal(bit_diff(good + vl, buf + vl, len - vl, &where),
				 1);
		assert_true(where >= 14);
	}
}

static void test_corrupt_splits_gso_frame_like_netem(void **state)
{
	static unsigned char buf[4096];
	struct pump_frame *out[8];
	const size_t vl = sizeof(struct virtio_net_hdr);
	struct shaping s;
	struct pump_queue q;
	struct pump_rng rng;
	size_t len;
	unsigned int n;

	(void)state;
	pump_rng_seed(&rng, 12);
	shaping_init(&s);
	s.corrupt_pct = 100;
	pump_queue_init(&q, &s, true);
	len = make_ip_frame(buf, 6, 250, 100);
	assert_int_equal(pump_queue_push(&q, buf, len, 0, &rng), 3);
	n = pump_queue_pop_due(&q, 0, out, 8);
	assert_int_equal(n, 3);
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *f = out[i]->data + vl;
		size_t payload = i < 2 ? 100 : 50;
		size_t l4len = 20 + payload;
		uint32_t seq = (uint32_t)(f[38] << 24 | f[39] << 16 |
					  f[40] << 8 | f[41]);
		static const unsigned char none[10];

		assert_int_equal(out[i]->len, vl + 34 + l4len);
		/* A plain frame: no GSO, no checksum left to do. */
		assert_memory_equal(out[i]->data, none, vl);
		if (i == 0) {
			/* The corrupted one: some checksum must fail. */
			assert_true(csum16(f + 14, 20, 0) != 0 ||
				    l4_verify(f, l4len, 6) != 0);
			continue;
		}
		assert_int_equal(f[16] << 8 | f[17], 20 + l4len);
		assert_int_equal(f[18] << 8 | f[19], 0x1234 + i);
		assert_int_equal(csum16(f + 14, 20, 0), 0);
		assert_int_equal(l4_verify(f, l4len, 6), 0);
		assert_int_equal(seq, 0x01000000 + 100 * i);
		/* CWR only on the first; FIN and PSH only on the last. */
		assert_int_equal(f[47] & 0x80, 0);
		assert_int_equal(f[47] & 0x09, i == 2 ? 0x09 : 0);
		assert_memory_equal(f + 54, buf + vl + 54 + 100 * i, payload);
	}
	free_frames(out, n);
	assert_int_equal(q.stats.corrupted, 1);
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
		cmocka_unit_test(test_corrupt_finishes_partial_checksum_first),
		cmocka_unit_test(test_corrupt_splits_gso_frame_like_netem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
