/* Attaching to a running lab: a CLI on a lab that runs in another process
 * ('cnemu attach LAB'), over the unix socket <run dir>/cli.sock, which
 * only its owner may use (mode 0600 in a directory only root enters).
 *
 * The lab's side: attach_listen() starts a thread that accepts any number
 * of clients at once.  A client sends command lines; each line runs
 * through the 'run' callback (with a FILE for what it prints and the
 * client's own session pointer, which the callback may set on the first
 * line and 'end' frees when the client goes), and the client gets back
 * what the command printed and then one NUL byte, the end of the answer.
 * One command runs at a time: the thread holds attach_lock() while it
 * runs one, and so must the lab's own CLI around each of its commands.
 * attach_close() disconnects every client, stops the thread, removes the
 * socket and frees.
 *
 * The client's side: attach_client() reads lines (with readline and its
 * own history file when interactive), sends each, prints the answer, and
 * returns at EOF, 'exit' or 'quit' (which only detach: the lab runs on),
 * or when the lab goes away. */
#ifndef EMU_ATTACH_H
#define EMU_ATTACH_H

#include <stdbool.h>
#include <stdio.h>

struct emu_err;
struct attach;

/* Runs 'line' for a client, printing on 'out'; '*session' is the
 * client's (NULL at first).  Returns true to keep the client, false to
 * detach it (its 'exit'). */
typedef bool (*attach_run_fn)(void *aux, const char *line, FILE *out,
			      void **session);
/* Frees a client's session (not called for NULL). */
typedef void (*attach_end_fn)(void *aux, void *session);

/* Listens on 'path' (made anew, mode 0600) and serves clients from a
 * thread of its own.  NULL with 'err' set when it cannot. */
struct attach *attach_listen(const char *path, attach_run_fn run,
			     attach_end_fn end, void *aux,
			     struct emu_err *err);
/* Disconnects the clients, stops the thread, removes the socket, frees
 * (accepts NULL).  Not while holding attach_lock(). */
void attach_close(struct attach *a);

/* Held while a command runs: the lab's own CLI takes it around each of
 * its commands (accepts NULL: nothing to hold). */
void attach_lock(struct attach *a);
void attach_unlock(struct attach *a);

/* How many clients are attached now. */
int attach_count(struct attach *a);

/* The client: connects to 'path', then reads lines from 'in' (with
 * readline and the history file 'history' (NULL: none) when
 * 'interactive'), sends each and prints the answer on 'out', until EOF,
 * 'exit'/'quit' or the lab goes.  0, or a negative errno with 'err' set
 * (-ENOENT, -ECONNREFUSED: no lab listens there). */
int attach_client(const char *path, FILE *in, FILE *out, bool interactive,
		  const char *history, struct emu_err *err);

#endif
