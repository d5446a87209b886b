/* A run: one lab, the tag every object of one cnemu process carries
 * ("cn<pid>"), its name (unique among the live runs of the machine) and
 * its directory /run/cnemu/<tag>/ (lock, the identity of its main
 * process, its lab file, the namespaces it made, the sysctls it relies
 * on, controller files, its private OVS).  Any number of runs live side
 * by side: what they make carries their tag or lives in their own
 * namespaces.
 *
 * run_open() takes the name that run_set_lab() gave (the machine-wide
 * lock RUN_DIR/lock is held only meanwhile) and the run's own lock;
 * run_close() removes the directory and releases the lock.  No child of
 * the process ever holds the locks (they are closed in every fork), and a
 * run whose main process is gone counts as dead even when something still
 * holds its lock.  One run per process at most. */
#ifndef BASE_RUN_H
#define BASE_RUN_H

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
/* In a run's directory: the directory of its private OVS
 * (node/vswitch.h). */
#define RUN_OVS_DIR "ovs"

/* In a run's directory: "key=value" lines, what 'cnemu list' shows. */
#define RUN_LAB_FILE "lab"
#define RUN_NAME_MAX 32

/* What the lab file of a run says. */
struct run_lab {
	char tag[24];			/* "cn<pid>" */
	long pid;			/* of its main process */
	char name[RUN_NAME_MAX + 16];
	char script[512];		/* "" for a --topo run */
	long uid;			/* who started it (sudo's caller) */
	long long started;		/* seconds since the epoch */
	long nodes;			/* 0 until started */
};

/* True when 'name' can name a lab: 1 to RUN_NAME_MAX letters, digits,
 * '_', '.', '-', starting with a letter or digit. */
bool run_name_valid(const char *name);
/* The default lab name for a script path or topology spec 'from'
 * ("examples/foo.lua" gives "foo", "single,3" gives "single-3"; NULL:
 * "lab") into 'buf'. */
void run_default_name(const char *from, char *buf, size_t size);
/* Sets the lab name (valid, see run_name_valid()) and script (NULL:
 * none) of the next run_open() of this process; with 'explicit', a name
 * taken by a live run is an error, else the run takes "<name>-2", ... */
void run_set_lab(const char *name, bool explicit, const char *script);

struct run *run_open(struct emu_err *err);
void run_close(struct run *run);	/* accepts NULL */

const char *run_tag(const struct run *run);
/* The lab's name. */
const char *run_name(const struct run *run);
/* Notes in the lab file that the run has 'nodes' nodes; 0 or a negative
 * errno. */
int run_note_nodes(struct run *run, long nodes);
/* Reads the lab file of the run 'tag' into 'lab'; 0 or a negative errno
 * (a run without one: -ENOENT). */
int run_read_lab(const char *tag, struct run_lab *lab);
/* Finds the live run named 'name'; 0 with 'lab' filled, or -ENOENT. */
int run_find_lab(const char *name, struct run_lab *lab);

/* In a run's directory: "what value" lines, what the run has of the
 * machine's own that no other run may have (published ports, NAT
 * subnets and interfaces). */
#define RUN_CLAIMS_FILE "claims"
/* Claims 'value' of the kind 'what' ("port", "nat-subnet") for the run of
 * this process: 0 (and noted in its claims) when no other live run
 * claimed a value of that kind that collides ('clash' says, NULL: the
 * same string); else -EADDRINUSE and "<desc> of lab 'B' clashes with lab
 * 'A' (pid N), which has <its value>".  Does nothing without a run. */
int run_claim(const char *what, const char *value,
	      bool (*clash)(const char *a, const char *b), const char *desc,
	      struct emu_err *err);
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
 * nothing when the process has no run.  Threads may call it at once.  0 or
 * a negative errno with 'err' set. */
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
