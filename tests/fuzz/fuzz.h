/* Helpers shared by the libFuzzer targets of tests/fuzz/: turning the
 * fuzzer's bytes into C strings, and invariants that abort (so that
 * libFuzzer keeps the input as a crash) with a line saying what broke.
 *
 * A target is one fuzz_<parsers>.c with LLVMFuzzerTestOneInput(), linked
 * with the library objects it needs, built with the same sanitizers;
 * 'make fuzz' builds and runs them all (scripts/run-fuzz.sh). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "link/shaping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with "invariant broken: <what>" unless 'cond'. */
#define fuzz_check(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);     \
	} while (0)

__attribute__((noreturn, format(printf, 4, 5))) static inline void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: invariant broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* A NUL-terminated copy of 'data' (caller frees); a NUL inside ends the
 * string early, as it would for any caller. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Checks what every failed parser call must leave: a negative errno and
 * a non-empty, NUL-terminated sentence. */
static inline void fuzz_check_err(const struct emu_err *err, int ret)
{
	fuzz_check(ret < 0, "ret %d", ret);
	fuzz_check(err->code == ret, "code %d, ret %d", err->code, ret);
	fuzz_check(memchr(err->msg, '\0', sizeof(err->msg)) != NULL,
		   "unterminated message");
	fuzz_check(err->msg[0] != '\0', "empty message for %d", ret);
}

/* Checks that 's' holds only values shaping_set() accepts, that
 * shaping_format() never writes past the size it is given, and that each
 * time it writes reads back as the same time. */
static inline void fuzz_check_shaping(const struct shaping *s)
{
	const double *pcts[] = { &s->loss_pct, &s->loss_corr_pct,
				 &s->duplicate_pct, &s->corrupt_pct,
				 &s->reorder_pct };
	const uint32_t times[] = { s->delay_us, s->jitter_us };
	char *buf;
	int len;

	fuzz_check(!s->rate_bps || (s->rate_bps >= SHAPING_RATE_MIN_BPS &&
				    s->rate_bps <= SHAPING_RATE_MAX_BPS),
		   "rate %llu", (unsigned long long)s->rate_bps);
	fuzz_check(s->delay_us <= SHAPING_TIME_MAX_US, "delay %u", s->delay_us);
	fuzz_check(s->jitter_us <= SHAPING_TIME_MAX_US, "jitter %u",
		   s->jitter_us);
	for (size_t i = 0; i < ARRAY_SIZE(pcts); i++)
		fuzz_check(*pcts[i] >= 0 && *pcts[i] <= 100, "pct[%zu] %g", i,
			   *pcts[i]);
	fuzz_check(s->reorder_gap <= 1000000, "gap %u", s->reorder_gap);
	fuzz_check(s->max_queue_pkts <= 1000000, "queue %u", s->max_queue_pkts);
	fuzz_check(shaping_has_rate(s) == !!s->rate_bps, "has_rate");

	/* Each size from 0 to the whole text, in a buffer of exactly that
	 * size so that AddressSanitizer sees a byte too many. */
	len = shaping_format(s, NULL, 0);
	fuzz_check(len >= 0 && len < 1024, "format length %d", len);
	fuzz_check(!len == !(shaping_has_rate(s) || shaping_has_impairment(s)),
		   "format length %d", len);
	for (size_t size = 0; size <= (size_t)len + 1; size++) {
		buf = xmalloc(size ? size : 1);
		fuzz_check(shaping_format(s, size ? buf : NULL, size) == len,
			   "format length at size %zu", size);
		if (size)
			fuzz_check(strlen(buf) == (size_t)len ||
					   strlen(buf) == size - 1,
				   "text '%s' at size %zu", buf, size);
		free(buf);
	}

	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		struct shaping back;
		char t[32];

		shaping_init(&back);
		len = shaping_format_time(times[i], t, sizeof(t));
		fuzz_check(len > 0 && (size_t)len < sizeof(t), "time %u",
			   times[i]);
		fuzz_check(!shaping_set(&back, "delay", t, NULL) &&
				   back.delay_us == times[i],
			   "time %u written '%s' reads %u", times[i], t,
			   back.delay_us);
	}
}

#endif
