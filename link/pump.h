/* The pump: a userspace delay line for links whose impairments (delay,
 * jitter, loss, duplication, corruption, reordering) cannot go to the
 * kernel because it has no sch_netem.
 *
 * An impaired link A <-> B is made as two veth pairs A <-> pa and
 * pb <-> B, with pa and pb in one namespace of the pump's.  The pump reads
 * every frame arriving at pa and writes it out of pb after applying the
 * a-to-b impairments, and the other way round (AF_PACKET sockets bound to
 * pa and pb, all ethertypes, batched with recvmmsg/sendmmsg).  Frames keep
 * their offload metadata (PACKET_VNET_HDR), so TSO/GSO super-frames and
 * partial checksums cross the pump untouched and no offload needs turning
 * off.  Rate is not the pump's business: HTB/TBF on the outer ends does it.
 *
 * Life cycle: pump_create() returns a pump owned by the caller (the Net);
 * its thread starts with the first link.  pump_add_link() attaches to two
 * existing interfaces and returns a link id; pump_set_shaping() changes
 * the impairments of a running link without losing queued frames;
 * pump_del_link() detaches (queued frames are dropped; the interfaces
 * stay, the Net removes them); pump_destroy() stops the thread and
 * detaches everything.  All functions may be called from any thread.
 *
 * The queue logic (struct pump_queue) is plain code over a caller's clock
 * and random generator, so that tests can drive it with a fake clock. */
#ifndef LINK_PUMP_H
#define LINK_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/shaping.h"

struct emu_err;
struct pump;

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

struct pump_stats {
	struct pump_dir_stats a_to_b;	/* read at end a, sent out of b */
	struct pump_dir_stats b_to_a;
};

/* Returns a new pump with no links and no thread yet, or NULL with 'err'
 * set.  Changes nothing on the machine. */
struct pump *pump_create(struct emu_err *err);

/* Attaches the pump to the interfaces 'ifname_a' and 'ifname_b' in the
 * namespace 'nsfd' (an open /run/netns/NAME or /proc/PID/ns/net; -1: the
 * caller's).  Sets both interfaces up and turns IPv6 off on them (so the
 * pump namespace sends nothing of its own), then forwards frames between
 * them through 'a_to_b' and 'b_to_a' (NULL: no impairment; only delay,
 * jitter, loss, loss_corr, duplicate, corrupt, reorder, gap and
 * max_queue_size are used).  Starts the pump thread if needed.  The
 * interfaces must have MTUs at least those of their peers.  Returns the
 * link id (>= 0) or a negative errno with 'err' set. */
int pump_add_link(struct pump *p, int nsfd, const char *ifname_a,
		  const char *ifname_b, const struct shaping *a_to_b,
		  const struct shaping *b_to_a, struct emu_err *err);

/* Changes the impairments of link 'id' (NULL leaves a direction as it
 * is).  Queued frames keep their release times.  Returns 0 or -ENOENT. */
int pump_set_shaping(struct pump *p, int id, const struct shaping *a_to_b,
		     const struct shaping *b_to_a, struct emu_err *err);

/* Fills 'out' with the counters of link 'id'.  Returns 0 or -ENOENT. */
int pump_stats(struct pump *p, int id, struct pump_stats *out);

/* Detaches link 'id', dropping its queued frames; the interfaces stay.
 * Unknown ids are ignored. */
void pump_del_link(struct pump *p, int id);

/* Stops the thread, detaches every link and frees 'p'; accepts NULL. */
void pump_destroy(struct pump *p);

/* --- The queue logic, exposed for tests. --- */

/* A small fast seedable generator (xorshift64*); never rand(). */
struct pump_rng {
	uint64_t state;
};

void pump_rng_seed(struct pump_rng *rng, uint64_t seed);
uint32_t pump_rng_u32(struct pump_rng *rng);

/* A queued frame: 'len' bytes at 'data', released at 'due_us'. */
struct pump_frame {
	struct pump_frame *next;
	uint64_t due_us;	/* monotonic time to send it, microseconds */
	uint32_t len;		/* bytes in 'data' */
	unsigned char data[];	/* virtio_net_hdr first when the queue
				   has 'vnet', then the Ethernet frame */
};

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

/* Sets up an empty 'q' applying 's' (NULL: none); 'vnet' says whether
 * frames begin with a struct virtio_net_hdr. */
void pump_queue_init(struct pump_queue *q, const struct shaping *s,
		     bool vnet);

/* Changes the impairments of 'q'; queued frames stay as they are. */
void pump_queue_set_shaping(struct pump_queue *q, const struct shaping *s);

/* Offers the frame 'data' of 'len' bytes, arrived at 'now_us', to 'q':
 * copies it, then, like netem, maybe duplicates it, maybe drops it (loss),
 * maybe corrupts it, drops it when the queue is full, and queues it to
 * leave at now + delay +/- jitter, never before the frame ahead of it, or
 * at once ahead of the others when chosen for reordering.  Returns the
 * number of frames queued (0 when dropped). */
int pump_queue_push(struct pump_queue *q, const void *data, size_t len,
		    uint64_t now_us, struct pump_rng *rng);

/* Moves up to 'max' frames due at 'now_us' from the head of 'q' into
 * 'out', in order; the caller frees them with free().  Returns how
 * many. */
unsigned int pump_queue_pop_due(struct pump_queue *q, uint64_t now_us,
				struct pump_frame **out, unsigned int max);

/* The due time of the head frame, or UINT64_MAX when 'q' is empty. */
uint64_t pump_queue_next_due(const struct pump_queue *q);

/* Frees every queued frame. */
void pump_queue_release(struct pump_queue *q);

/* Flips one random bit of the frame 'data' (after the Ethernet header;
 * with 'vnet', after first finishing a partial checksum so that the
 * receiver notices).  Exposed for tests. */
void pump_frame_corrupt(unsigned char *data, size_t len, bool vnet,
			struct pump_rng *rng);

#endif
