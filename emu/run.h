/* A run: the tag every object of one cnemu process carries ("cn<pid>"),
 * its directory /run/cnemu/<tag>/ (lock, the identity of its main
 * process, the namespaces it made, the sysctls it relies on, controller
 * files) and the machine-wide lock that keeps a second run from clashing
 * with the first on interface names.
 *
 * run_open() takes the lock or fails with a sentence naming the run that
 * holds it; run_close() removes the directory and releases the lock.  No
 * child of the process ever holds the locks (they are closed in every
 * fork), and a run whose main process is gone counts as dead even when
 * something still holds its lock.  One run per process at most. */
#ifndef EMU_RUN_H
#define EMU_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct run;

#define RUN_DIR "/run/cnemu"
/* In a run's directory: "path value" lines, the sysctls the run raised
 * (or relies on being raised) and the machine's values before. */
#define RUN_SYSCTL_FILE "sysctl.saved"
/* In RUN_DIR: "path value" lines, the machine's own values of the sysctls
 * runs raised, kept until no run directory relies on them. */
#define RUN_SYSCTL_ORIG "sysctl.orig"
/* In a run's directory: "name dev ino" lines, the named namespaces the
 * run made, so that 'cnemu -c' takes only those for its own. */
#define RUN_NETNS_FILE "netns"

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
/* True when the run 'tag' is over: its lock is free, or the main process
 * its directory names is gone (whoever holds the lock). */
bool run_is_dead(const char *tag);

/* Notes in the directory of this process's run that the named namespace
 * 'name' (open as 'nsfd') is the run's; with 'nsfd' -1, that the run takes
 * the name and is about to make it.  On disk when it returns.  Does
 * nothing when the process has no run.  0 or a negative errno with 'err'
 * set. */
int run_note_netns(const char *name, int nsfd, struct emu_err *err);

/* What /run/netns/<name> is to the run 'tag'. */
enum run_netns {
	RUN_NETNS_FOREIGN,	/* not the run's: leave it alone */
	RUN_NETNS_OWN,		/* a namespace the run noted (same device
				   and inode), neither the machine's own
				   namespace nor this process's */
	RUN_NETNS_UNMOUNTED,	/* the empty file the run made for a name
				   it noted, with no namespace mounted on
				   it (the run died in between) */
};
enum run_netns run_netns_owner(const char *tag, const char *name);

/* Raises the sysctl 'path' (under /proc/sys/net/ipv4/neigh/default/) to
 * at least 'want' for 'run'.  The machine's value is kept in
 * RUN_DIR/RUN_SYSCTL_ORIG until the last run that relies on the raise is
 * gone (run_restore_sysctls()).  Returns the value before when it wrote
 * one, 0 when it did not need to, or a negative errno. */
long run_raise_sysctl(struct run *run, const char *path, long want);
/* Takes the sysctls that the dead run 'tag' noted into RUN_SYSCTL_ORIG
 * (where no value for them is kept yet), for its directory to go. */
void run_adopt_sysctls(const char *tag);
/* Puts back the machine's values of RUN_SYSCTL_ORIG once no run
 * directory relies on them any more, and forgets them. */
void run_restore_sysctls(void);

#endif
