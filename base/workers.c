#include "base/workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/log.h"

struct workers_job {
	size_t n;
	int (*fn)(void *aux, size_t i, struct emu_err *err);
	void *aux;
	atomic_size_t next;	/* the next index to take */
	atomic_size_t done;	/* how many are finished */
	atomic_bool failed;	/* an item failed: take no more */
	pthread_mutex_t lock;	/* guards 'err' */
	struct emu_err err;	/* the first failure */
};

/* Runs the job's function on the next item; false when none is left or
 * one failed. */
static bool workers_take_one(struct workers_job *job)
{
	struct emu_err err = { 0 };
	size_t i;

	if (atomic_load(&job->failed))
		return false;
	i = atomic_fetch_add(&job->next, 1);
	if (i >= job->n)
		return false;
	if (job->fn(job->aux, i, &err)) {
		pthread_mutex_lock(&job->lock);
		if (!job->err.code)
			job->err = err;
		pthread_mutex_unlock(&job->lock);
		atomic_store(&job->failed, true);
	}
	atomic_fetch_add(&job->done, 1);
	return true;
}

static void *workers_loop(void *arg)
{
	while (workers_take_one(arg))
		;
	return NULL;
}

int workers_run(size_t n, size_t max_threads, size_t per_thread,
		int (*fn)(void *aux, size_t i, struct emu_err *err), void *aux,
		struct emu_err *err)
{
	struct workers_job job = { .n = n, .fn = fn, .aux = aux };
	pthread_t threads[WORKERS_MAX - 1];
	size_t n_threads = 0, stepped = 0, done;

	pthread_mutex_init(&job.lock, NULL);
	if (max_threads > WORKERS_MAX)
		max_threads = WORKERS_MAX;
	while (n_threads + 1 < max_threads &&
	       (n_threads + 1) * per_thread < n &&
	       !pthread_create(&threads[n_threads], NULL, workers_loop, &job))
		n_threads++;
	while (workers_take_one(&job)) {
		done = atomic_load(&job.done);
		log_progress_step(done - stepped);
		stepped = done;
	}
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	log_progress_step(atomic_load(&job.done) - stepped);
	pthread_mutex_destroy(&job.lock);
	if (job.err.code && err && !err->code)
		*err = job.err;
	return job.err.code;
}
