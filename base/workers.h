/* Work on many items at once: a few threads, each taking the next item by
 * index while the calling thread takes its share and draws the progress
 * line (base/log.h).  Used where the kernel's work per item waits more
 * than it computes (namespaces made and removed by the thousand). */
#ifndef BASE_WORKERS_H
#define BASE_WORKERS_H

#include <stddef.h>

struct emu_err;

#define WORKERS_MAX 17	/* threads, the calling one included */

/* Calls fn(aux, i, err) for each i in 0..n-1, in up to 'max_threads'
 * threads (this one included; at most WORKERS_MAX) but no more than one
 * thread per 'per_thread' items, and counts the items done on the progress
 * line.  Stops taking items at the first failure: 0, or its negative
 * errno with 'err' (may be NULL) set to the first failure's. */
int workers_run(size_t n, size_t max_threads, size_t per_thread,
		int (*fn)(void *aux, size_t i, struct emu_err *err), void *aux,
		struct emu_err *err);

#endif
