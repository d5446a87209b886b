/* A unix socket served by a thread of its own: the listening socket
 * (made anew, mode 0600), an eventfd that asks the thread to end, and
 * the thread, which polls both (and whatever else it serves) and returns
 * once 'stop_fd' is readable.  Used by value: listener_init(), then
 * listener_start(); listener_release() stops the thread, closes and
 * removes the socket.  The thread runs with every signal blocked: they
 * belong to the main thread, and a write to a client that went fails
 * with EPIPE instead of killing the process. */
#ifndef BASE_LISTENER_H
#define BASE_LISTENER_H

#include <pthread.h>
#include <stdbool.h>

struct emu_err;

struct listener {
	char *path;		/* the socket's */
	int listen_fd;		/* -1 until started */
	int stop_fd;		/* readable: the thread is to end; -1 */
	pthread_t thread;
	bool started;
};

void listener_init(struct listener *l);
/* Listens on 'path' and runs 'main'('arg') in a thread.  0 or a negative
 * errno with 'err' set (nothing is left then). */
int listener_start(struct listener *l, const char *path,
		   void *(*main)(void *), void *arg, struct emu_err *err);
/* Ends the thread (waits for it), closes and removes the socket.  Safe
 * on an initialised listener that never started. */
void listener_release(struct listener *l);

#endif
