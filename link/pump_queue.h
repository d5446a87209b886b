/* The pump's impairment model: one direction of a pump link as a queue of
 * frames that applies netem's delay, jitter, loss (with correlation),
 * duplication, corruption and reordering, and its queue limit.
 *
 * Plain code over a caller's clock ('now_us' arguments) and random
 * generator: no sockets, no threads, no time of its own, so that tests
 * drive it with a fake clock and a fixed seed.  pump_queue_create()
 * returns a queue the caller owns; pump_queue_destroy() frees it with
 * the frames still in it.  Frames taken out with pump_queue_pop_due()
 * become the caller's.  Not thread-safe: the pump calls it under its
 * lock. */
#ifndef LINK_PUMP_QUEUE_H
#define LINK_PUMP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/pump_frame.h"

struct shaping;
struct pump_queue;

/* A small fast seedable generator (xorshift64*); never rand().  Used by
 * value: pump_rng_seed() sets it up, nothing to release. */
struct pump_rng {
	uint64_t state;
};

void pump_rng_seed(struct pump_rng *rng, uint64_t seed);
uint32_t pump_rng_u32(struct pump_rng *rng);

/* Counters of one direction of a pump link. */
struct pump_dir_stats {
	uint64_t received;	/* frames read from the ingress end */
	uint64_t sent;		/* frames written to the egress end */
	uint64_t delayed;	/* frames held back for a later time */
	uint64_t dropped_loss;	/* frames dropped by 'loss' */
	uint64_t dropped_queue;	/* frames dropped: the queue was full */
	uint64_t duplicated;	/* extra copies made by 'duplicate' */
	uint64_t corrupted;	/* frames with a bit flipped by 'corrupt' */
	uint64_t reordered;	/* frames sent ahead by 'reorder' */
	uint64_t errors;	/* truncated reads, failed writes */
	uint32_t queue_depth;	/* frames queued now */
};

/* Returns an empty queue applying 's' (NULL: no impairment; delay,
 * jitter, loss, loss_corr, duplicate, corrupt, reorder, gap and
 * max_queue_size are used); 'vnet' says whether frames begin with a
 * struct virtio_net_hdr. */
struct pump_queue *pump_queue_create(const struct shaping *s, bool vnet);

/* Frees 'q' and the frames queued in it; accepts NULL. */
void pump_queue_destroy(struct pump_queue *q);

/* Changes the impairments of 'q'; queued frames keep their release
 * times. */
void pump_queue_set_shaping(struct pump_queue *q, const struct shaping *s);

/* Offers the frame 'data' of 'len' bytes, arrived at 'now_us', to 'q':
 * copies it, then, like netem, maybe duplicates it, maybe drops it (loss),
 * maybe corrupts it (a GSO super-frame is first split into wire frames,
 * of which the first is corrupted), drops it when the queue is full, and
 * queues it to leave at now + delay +/- jitter, never before the frame
 * ahead of it, or at once ahead of the others when chosen for
 * reordering.  Returns the number of frames queued (0 when dropped). */
int pump_queue_push(struct pump_queue *q, const void *data, size_t len,
		    uint64_t now_us, struct pump_rng *rng);

/* Moves up to 'max' frames due at 'now_us' from the head of 'q' into
 * 'out', in order; the caller frees them with pump_frame_destroy().
 * Returns how many. */
unsigned int pump_queue_pop_due(struct pump_queue *q, uint64_t now_us,
				struct pump_frame **out, unsigned int max);

/* The due time of the head frame, or UINT64_MAX when 'q' is empty. */
uint64_t pump_queue_next_due(const struct pump_queue *q);

/* The counters of what 'q' did: received, delayed, dropped, duplicated,
 * corrupted, reordered, queue_depth ('sent' and 'errors' are the
 * sender's, 0 here). */
const struct pump_dir_stats *pump_queue_stats(const struct pump_queue *q);

#endif
