/* A run: the tag every object of one cnemu process carries ("cn<pid>"),
 * its directory /run/cnemu/<tag>/ (pid file, lock, controller pid files)
 * and the machine-wide lock that keeps a second run from clashing with
 * the first on interface names.
 *
 * run_open() takes the lock or fails with a sentence naming the run that
 * holds it; run_close() removes the directory and releases the lock. */
#ifndef EMU_RUN_H
#define EMU_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct run;

#define RUN_DIR "/run/cnemu"
/* In a run's directory: "path value" lines, the sysctls the run changed
 * and their values before, for 'cnemu -c' to restore. */
#define RUN_SYSCTL_FILE "sysctl.saved"

/* True when a live run holds the machine-wide lock. */
bool run_any_alive(void);

struct run *run_open(struct emu_err *err);
void run_close(struct run *run);	/* accepts NULL */

const char *run_tag(const struct run *run);
/* The run's directory, "/run/cnemu/<tag>". */
const char *run_dir(const struct run *run);

/* True when 'tag' looks like a run tag ("cn" and digits). */
bool run_tag_valid(const char *tag);
/* Copies the tag at the start of 'name' ("cn12-h1" gives "cn12") into
 * 'buf'; false when 'name' has none. */
bool run_tag_of(const char *name, char sep, char *buf, size_t size);
/* True when no live process holds the run 'tag' (its lock is free). */
bool run_is_dead(const char *tag);

#endif
