/* Link shaping parameters: what Mininet's TCLink takes (bw, delay, jitter,
 * loss, ...), as plain data with units in the names.
 *
 * A 'struct shaping' describes the egress of one link end.  It is used by
 * value: shaping_init() zeroes it (no shaping), shaping_set() and
 * shaping_parse_list() fill it from Mininet's keys and units, and nothing
 * in it needs releasing.  Making it real is link/tc.h (rate, and netem
 * where the kernel has it) and link/pump.h (impairments without netem). */
#ifndef LINK_SHAPING_H
#define LINK_SHAPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;

/* Limits of the values shaping_set() accepts. */
#define SHAPING_RATE_MIN_BPS 100000ULL		/* bw 0.1 Mbit/s */
#define SHAPING_RATE_MAX_BPS 10000000000ULL	/* bw 10000 Mbit/s */
#define SHAPING_TIME_MAX_US 60000000U		/* delay, jitter: 60 s */
#define SHAPING_QUEUE_DEFAULT_PKTS 1000U	/* netem's default limit */

struct shaping {
	uint64_t rate_bps;		/* bits/s; 0: no rate limit */
	uint32_t delay_us;		/* added one-way delay */
	uint32_t jitter_us;		/* delay varies uniformly +/- this */
	double loss_pct;		/* 0..100 % of frames dropped */
	double loss_corr_pct;		/* 0..100 %, netem's correlation */
	double duplicate_pct;		/* 0..100 % of frames sent twice */
	double corrupt_pct;		/* 0..100 % of frames with a bit
					   flipped */
	double reorder_pct;		/* 0..100 % of frames sent at once,
					   ahead of delayed ones */
	uint32_t reorder_gap;		/* reorder only every Nth frame;
					   0: 1 (every frame may) */
	uint32_t max_queue_pkts;	/* queue limit, packets; 0: default */
	bool use_tbf;			/* rate by TBF instead of HTB */
	bool use_htb;			/* rate by HTB (the default) */
};

/* Makes 's' describe no shaping at all. */
void shaping_init(struct shaping *s);

/* Sets the option 'key' of 's' from the text 'value', in Mininet's names
 * and units:
 *   bw              Mbit/s, 0.1..10000 ("10", "0.5")
 *   delay, jitter   a time: "10ms", "1.5ms", "250us", "1s"; a bare
 *                   number is milliseconds
 *   loss, loss_corr, duplicate, corrupt, reorder
 *                   percent 0..100 ("1", "0.5", "1%")
 *   gap             reorder gap, packets
 *   max_queue_size  packets, 1..1000000
 *   use_htb, use_tbf  boolean "1"/"true"/"yes"/"0"/"false"/"no"
 * The value "none" (Mininet's None) removes the option: back to no
 * limit, no delay, the default.
 * Returns 0, or -EINVAL with 'err' set ("unknown link option 'foo'",
 * "invalid delay 'abc': expected a time like 10ms", "loss 150 out of range
 * (0..100 %)"); 's' is unchanged on failure. */
int shaping_set(struct shaping *s, const char *key, const char *value,
		struct emu_err *err);

/* The 'i'th key shaping_set() takes ("bw", "delay", ...), or NULL past
 * the last (completion lists them). */
const char *shaping_key(size_t i);
/* Writes the value of the 'i'th key of 's' into 'buf' as shaping_set()
 * reads it back exactly ("10", "5000us", "1.5"; "" when unset).  Returns
 * the length like snprintf, or -1 past the last key. */
int shaping_get(const struct shaping *s, size_t i, char *buf, size_t size);

/* Sets the options of 's' from a comma-separated "key=value" list as the
 * command line's '--link tc,bw=10,delay=5ms' has after "tc,"; empty items
 * are skipped.  Returns 0 or -EINVAL with 'err' set; on failure 's' may
 * hold the items before the bad one. */
int shaping_parse_list(struct shaping *s, const char *list,
		       struct emu_err *err);

/* True when 's' limits the rate. */
bool shaping_has_rate(const struct shaping *s);

/* True when 's' asks for delay, jitter, loss, duplication, corruption or
 * reordering (what netem or the pump does). */
bool shaping_has_impairment(const struct shaping *s);

/* True when 's' shapes anything at all. */
bool shaping_is_set(const struct shaping *s);

/* Writes Mininet's summary of 's' into 'buf' ("10.00Mbit 5ms delay
 * 1.00000% loss"; "" for no shaping).  Returns the length it needed, like
 * snprintf. */
int shaping_format(const struct shaping *s, char *buf, size_t size);

/* Writes the time 'us' the way Mininet users write it ("5ms", "1.5ms",
 * "250us", "2s") into 'buf'.  Returns the length like snprintf. */
int shaping_format_time(uint32_t us, char *buf, size_t size);

/* A netem probability (0..UINT32_MAX) from a percentage, rounded as
 * iproute2's tc rounds it. */
uint32_t shaping_pct_to_prob(double pct);

#endif
