#include "link/pump_queue.h"

#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "link/shaping.h"

/* One direction of a pump link: the impairments and the frames waiting. */
struct pump_queue {
	struct pump_frame *head, *tail;	/* ordered by due_us */
	uint32_t depth;			/* frames queued */
	uint32_t limit;			/* max frames queued */
	uint32_t delay_us, jitter_us;
	uint32_t loss, dup, corrupt, reorder;	/* netem probabilities */
	uint32_t loss_rho;		/* netem correlation of loss */
	uint32_t loss_last;		/* correlation state */
	uint32_t gap;			/* reorder gap, 0: no reordering */
	uint32_t counter;		/* frames since the last reordering */
	bool vnet;			/* frames start with virtio_net_hdr */
	struct pump_dir_stats stats;	/* queue_depth kept up to date */
};

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */

/* Random numbers                                                      */

void pump_rng_seed(struct pump_rng *rng, uint64_t seed)
{
	/* splitmix64 of the seed, so that small seeds give good states and
	 * the state is never 0 (xorshift's fixed point). */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	rng->state = z ? z : 0x2545f4914f6cdd1dULL;
}

uint32_t pump_rng_u32(struct pump_rng *rng)
{
	uint64_t x = rng->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng->state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

/* netem's get_crandom(): a random number correlated with the last one by
 * 'rho' (0: none). */
static uint32_t crandom(uint32_t *last, uint32_t rho, struct pump_rng *rng)
{
	uint64_t value, r;

	if (!rho)
		return pump_rng_u32(rng);
	value = pump_rng_u32(rng);
	r = (uint64_t)rho + 1;
	*last = (uint32_t)((value * ((1ULL << 32) - r) + (uint64_t)*last * r) >>
			   32);
	return *last;
}

/* ------------------------------------------------------------------ */
/* The queue                                                           */

struct pump_queue *pump_queue_create(const struct shaping *s, bool vnet)
{
	struct pump_queue *q = xcalloc(1, sizeof(*q));

	q->vnet = vnet;
	pump_queue_set_shaping(q, s);
	return q;
}

void pump_queue_destroy(struct pump_queue *q)
{
	if (!q)
		return;
	pump_frame_destroy_list(q->head);
	free(q);
}

void pump_queue_set_shaping(struct pump_queue *q, const struct shaping *s)
{
	struct shaping none;

	if (!s) {
		shaping_init(&none);
		s = &none;
	}
	q->delay_us = s->delay_us;
	q->jitter_us = s->jitter_us;
	q->loss = shaping_pct_to_prob(s->loss_pct);
	q->loss_rho = shaping_pct_to_prob(s->loss_corr_pct);
	q->dup = shaping_pct_to_prob(s->duplicate_pct);
	q->corrupt = shaping_pct_to_prob(s->corrupt_pct);
	q->reorder = shaping_pct_to_prob(s->reorder_pct);
	/* tc: a reorder probability without a gap means gap 1. */
	q->gap = q->reorder ? (s->reorder_gap ? s->reorder_gap : 1) : 0;
	q->limit = s->max_queue_pkts ? s->max_queue_pkts
				     : SHAPING_QUEUE_DEFAULT_PKTS;
}

/* netem's tabledist() without a table: uniform in delay +/- jitter. */
static uint64_t queue_delay(struct pump_queue *q, struct pump_rng *rng)
{
	uint64_t span = 2 * (uint64_t)q->jitter_us;
	int64_t d = q->delay_us;

	if (span)
		d += (int64_t)(pump_rng_u32(rng) % span) - q->jitter_us;
	return d > 0 ? (uint64_t)d : 0;
}

/* Queues the frames of the list 'fr' (all at 'due', or at once ahead of
 * the queue when 'ahead'); the list fits the limit. */
static void queue_insert(struct pump_queue *q, struct pump_frame *fr,
			 uint64_t due, bool ahead)
{
	struct pump_frame *last = fr;
	unsigned int n = 1;

	while (last->next) {
		last = last->next;
		n++;
	}
	if (ahead) {
		/* Keep the queue sorted: never later than the head. */
		if (q->head && q->head->due_us < due)
			due = q->head->due_us;
		for (struct pump_frame *x = fr; x; x = x->next)
			x->due_us = due;
		last->next = q->head;
		q->head = fr;
		if (!q->tail)
			q->tail = last;
	} else {
		/* In order: a frame never leaves before the one ahead. */
		if (q->tail && q->tail->due_us > due)
			due = q->tail->due_us;
		for (struct pump_frame *x = fr; x; x = x->next)
			x->due_us = due;
		if (q->tail)
			q->tail->next = fr;
		else
			q->head = fr;
		q->tail = last;
	}
	q->depth += n;
	q->stats.queue_depth = q->depth;
}

/* Corrupts the frame 'fr'; a GSO super-frame is first cut into wire
 * frames of which the first is corrupted, as netem does.  Returns the
 * resulting list, or NULL when the frame had to be dropped. */
static struct pump_frame *queue_corrupt(struct pump_queue *q,
					struct pump_frame *fr,
					struct pump_rng *rng)
{
	uint32_t pick, bit;

	if (q->vnet && fr->len >= sizeof(struct virtio_net_hdr) &&
	    ((struct virtio_net_hdr *)fr->data)->gso_type !=
		    VIRTIO_NET_HDR_GSO_NONE) {
		struct pump_frame *segs = pump_frame_segment(fr->data, fr->len);

		pump_frame_destroy(fr);
		if (!segs) {
			/* XXX: GSO kinds other than TCP and UDP_L4 are not
			 * split; such a frame is lost rather than delivered
			 * silently damaged. */
			return NULL;
		}
		fr = segs;
	}
	pick = pump_rng_u32(rng);
	bit = pump_rng_u32(rng);
	pump_frame_corrupt(fr->data, fr->len, q->vnet, pick, bit);
	return fr;
}

static int queue_push_one(struct pump_queue *q, const void *data, size_t len,
			  uint64_t now_us, struct pump_rng *rng, bool may_dup,
			  int *copies)
{
	struct pump_frame *fr;
	uint64_t due;
	unsigned int n = 1;
	bool ahead;

	/* netem_enqueue(): duplicate first, then loss takes one copy. */
	*copies = 1;
	if (may_dup && q->dup && q->dup >= pump_rng_u32(rng))
		(*copies)++;
	if (q->loss && q->loss >= crandom(&q->loss_last, q->loss_rho, rng)) {
		q->stats.dropped_loss++;
		if (--(*copies) == 0)
			return 0;
	}

	fr = pump_frame_create(data, len);
	if (q->corrupt && q->corrupt >= pump_rng_u32(rng)) {
		q->stats.corrupted++;
		fr = queue_corrupt(q, fr, rng);
		if (!fr)
			return 0;
		for (struct pump_frame *x = fr->next; x; x = x->next)
			n++;
	}
	if (q->depth + n > q->limit) {
		q->stats.dropped_queue += n;
		pump_frame_destroy_list(fr);
		return 0;
	}

	ahead = q->gap && q->counter + 1 >= q->gap &&
		q->reorder >= pump_rng_u32(rng);
	if (ahead) {
		q->counter = 0;
		q->stats.reordered++;
		due = now_us;
	} else {
		q->counter++;
		due = now_us + queue_delay(q, rng);
	}
	queue_insert(q, fr, due, ahead);
	if (fr->due_us > now_us)
		q->stats.delayed += n;
	return (int)n;
}

int pump_queue_push(struct pump_queue *q, const void *data, size_t len,
		    uint64_t now_us, struct pump_rng *rng)
{
	int copies, queued;

	q->stats.received++;
	queued = queue_push_one(q, data, len, now_us, rng, true, &copies);
	if (copies > 1) {
		/* The copy goes through the queue on its own, as netem
		 * re-enqueues it at the root, without duplicating again. */
		q->stats.duplicated++;
		queued += queue_push_one(q, data, len, now_us, rng, false,
					 &copies);
	}
	return queued;
}

unsigned int pump_queue_pop_due(struct pump_queue *q, uint64_t now_us,
				struct pump_frame **out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && q->head && q->head->due_us <= now_us) {
		struct pump_frame *fr = q->head;

		q->head = fr->next;
		if (!q->head)
			q->tail = NULL;
		fr->next = NULL;
		out[n++] = fr;
	}
	q->depth -= n;
	q->stats.queue_depth = q->depth;
	return n;
}

uint64_t pump_queue_next_due(const struct pump_queue *q)
{
	return q->head ? q->head->due_us : UINT64_MAX;
}

const struct pump_dir_stats *pump_queue_stats(const struct pump_queue *q)
{
	return &q->stats;
}
