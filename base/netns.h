/* Network namespaces: opening a named one, entering one and coming back,
 * running a function or opening a socket inside one.  Every part of cnemu
 * that acts in another node's namespace goes through here.
 *
 * A namespace is given by an open fd of /run/netns/NAME or
 * /proc/PID/ns/net ('nsfd'), which stays the caller's; -1 means the
 * calling thread's own namespace, and then nothing is entered.  setns()
 * moves only the calling thread: other threads stay where they are, and a
 * socket keeps the namespace it was made in however often its thread
 * moves afterwards (so a socket opened inside by netns_socket() serves
 * from anywhere).
 *
 * One failure behaviour for all of cnemu.  Entering returns a negative
 * errno with a sentence in 'err' ("cannot enter network namespace:
 * Operation not permitted"); nothing has changed then.  Coming back to
 * the namespace the thread was in (netns_leave) aborts the process when
 * the kernel refuses it: the thread holds that namespace open and was in
 * it a moment ago, so this does not happen short of a kernel fault, and
 * going on would create, change or delete the interfaces, addresses and
 * qdiscs of another node or of the host in place of the caller's: worse
 * than stopping. */
#ifndef BASE_NETNS_H
#define BASE_NETNS_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;

/* Where named namespaces are mounted, as iproute2 does (so 'ip netns
 * exec' finds them). */
#define NETNS_RUN_DIR "/run/netns"

/* Opens the named namespace NETNS_RUN_DIR/'name' (read-only, close on
 * exec).  Returns the fd (the caller's to close) or a negative errno:
 * "cannot open namespace 'h1': No such file or directory". */
int netns_open(const char *name, struct emu_err *err);

/* Makes the named namespace NETNS_RUN_DIR/'ns_name' (on the file
 * netns_reserve() gave it, if any) and returns an open fd of it, or a
 * negative errno.  The run of this process notes it
 * (run_note_netns()), so that 'cnemu -c' knows it for its own.  Threads
 * may make namespaces at once: each unshares in itself. */
int netns_create(const char *ns_name, struct emu_err *err);
/* Takes the names 'names' for netns_create() of each, at once: makes one
 * file and gives it every name (hard links), noted by the run as
 * netns_create() notes them.  A file system may make files slowly: ext4
 * skips, one by one, the inodes freed in the last seconds (10 000 files
 * right after a run removed 10 000 took 3.2 s here, links 0.07 s).  0, or
 * a negative errno with 'err' set and none of the names taken. */
int netns_reserve(char *const *names, size_t n, struct emu_err *err);
/* Removes the named namespace 'ns_name' (unmount and unlink); the kernel
 * frees it once nothing uses it.  Missing is not an error. */
int netns_delete(const char *ns_name);

/* Opens the calling thread's own network namespace, for netns_leave() to
 * return to.  Returns the fd or a negative errno. */
int netns_open_current(struct emu_err *err);

/* Moves the calling thread into 'nsfd' (-1: stays, '*saved' = -1),
 * keeping an fd of the namespace it was in in '*saved' for
 * netns_leave().  Returns 0, or a negative errno with '*saved' = -1 and
 * the thread where it was. */
int netns_enter(int nsfd, int *saved, struct emu_err *err);

/* Returns the calling thread to 'saved' (from netns_enter() or
 * netns_open_current(); -1: nothing to do) and closes it.  Aborts when
 * the kernel refuses (see above). */
void netns_leave(int saved);

/* Runs 'fn(aux, err)' with the calling thread inside 'nsfd' (-1: where it
 * is) and brings it back.  Returns what 'fn' returned, or the negative
 * errno of entering (then 'fn' did not run). */
int netns_run(int nsfd, int (*fn)(void *aux, struct emu_err *err), void *aux,
	      struct emu_err *err);

/* socket(2) made inside 'nsfd' (-1: the caller's): its ioctls and binds
 * act there.  Close on exec is added to 'type'.  Returns the fd or a
 * negative errno. */
int netns_socket(int nsfd, int domain, int type, int protocol,
		 struct emu_err *err);

/* True when the namespace open as 'nsfd' is the host's: the one the
 * process (its main thread) lives in, or pid 1's.  True as well when
 * that cannot be told. */
bool netns_is_host(int nsfd);

#endif
