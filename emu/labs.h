/* The labs running on the machine, seen from any terminal: 'cnemu list',
 * 'cnemu stop LAB' and 'cnemu attach LAB'.  Reads what each live run's directory says
 * (emu/run.h); changes nothing but the run it is asked to stop. */
#ifndef EMU_LABS_H
#define EMU_LABS_H

#include <stdbool.h>
#include <stdio.h>

struct emu_err;

/* Prints the live labs on 'out', oldest first: a table (name, pid, owner
 * uid, nodes, started, script) or, with 'json', a JSON array of objects
 * with those keys.  Returns how many or a negative errno. */
int labs_list(FILE *out, bool json, struct emu_err *err);

/* Stops the live lab 'name' as Ctrl-C would (SIGTERM to its main process,
 * checked against the identity its run noted) and waits up to
 * 'timeout_ms' until its run is gone; then SIGKILL, and what it left is
 * for 'cnemu -c'.  0, or -ENOENT (no such lab, with the names that are
 * running), -ETIMEDOUT, or another negative errno, with 'err' set. */
int labs_stop(const char *name, int timeout_ms, struct emu_err *err);

/* In a run's directory: the socket of CLIs attaching (emu/attach.h). */
#define LABS_CLI_SOCKET "cli.sock"

/* A CLI on the live lab 'name' over its socket: lines from 'in' (readline
 * with the history ~/.cnemu_history-<name> when 'in' is a terminal),
 * answers on 'out', until EOF or exit, which detach (the lab runs on).
 * 0, or a negative errno with 'err' set. */
int labs_attach(const char *name, FILE *in, FILE *out, struct emu_err *err);

#endif
