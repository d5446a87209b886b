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
 * This file is the I/O: sockets, the namespace, the thread and its
 * clock.  What happens to a frame on its way is link/pump_queue.h (the
 * impairment model, one queue per direction) and link/pump_frame.h
 * (checksums, GSO segmentation, corruption), both pure code that tests
 * drive with a fake clock and hand-built frames. */
#ifndef LINK_PUMP_H
#define LINK_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/pump_queue.h"
#include "link/shaping.h"

struct emu_err;
struct pump;

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

#endif
