/* A private Open vSwitch for one run: its own ovsdb-server (a database of
 * the vswitch schema in a directory of the run, reachable only through the
 * unix socket <dir>/db.sock, mode 0600) and its own ovs-vswitchd, both
 * inside a network namespace of the run.  The run's bridges and ports then
 * exist only there: the machine's OVS, 'ovs-vsctl', Mininet's 'mn -c' and
 * other runs never see them, and every run may name its switches and ports
 * as Mininet does (s1, s1-eth1).
 *
 * vswitch_start() makes the directory and the database (a copy of a
 * template made once per schema in the cache directory), starts both
 * daemons and returns once ovsdb-server answers on its socket;
 * ovs-vswitchd connects to it by itself, and callers wait for what it
 * applies (node/ovs.c waits for ofports).  OVS_RUNDIR of both daemons is
 * the directory, so ovs-vswitchd reaches unix socket controllers there and
 * keeps its management sockets (s1.mgmt) there.  Both daemons end when
 * the process that started them dies (PR_SET_PDEATHSIG), and their
 * identities are noted in the directory (VSWITCH_DB_ID, VSWITCH_D_ID) for
 * vswitch_remove_dir() after a run that died.
 *
 * vswitch_stop() ends both daemons, removes the directory with all in it
 * and frees.  The caller owns the struct vswitch. */
#ifndef NODE_VSWITCH_H
#define NODE_VSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct emu_err;
struct vswitch;

/* The vswitch schema of Debian's openvswitch-common. */
#define VSWITCH_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"
/* Identities ("pid start exe", base/proc.h) of the daemons, in the dir. */
#define VSWITCH_DB_ID "ovsdb-server.id"
#define VSWITCH_D_ID "ovs-vswitchd.id"

struct vswitch_opts {
	const char *dir;	/* made; holds the database, sockets, pid
				   and log files; removed at stop */
	int nsfd;		/* network namespace of both daemons; -1:
				   the caller's */
	const char *schema;	/* NULL: VSWITCH_SCHEMA */
	const char *cache_dir;	/* where the template database of the
				   schema is kept; NULL: made each time */
	int timeout_ms;		/* for ovsdb-server to answer; 0: 5000 */
};

/* Starts a private OVS as 'opts' says.  NULL on failure, with a sentence
 * naming the step (and the log file where a daemon wrote why); nothing
 * is left behind then. */
struct vswitch *vswitch_start(const struct vswitch_opts *opts,
			      struct emu_err *err);

/* Ends both daemons (SIGTERM, SIGKILL after a second), removes the
 * directory and frees 'vs'.  Accepts NULL. */
void vswitch_stop(struct vswitch *vs);

/* "unix:<dir>/db.sock": the remote to give ovs_switch_connect(). */
const char *vswitch_remote(const struct vswitch *vs);
/* The directory, which is the daemons' OVS_RUNDIR. */
const char *vswitch_dir(const struct vswitch *vs);
/* True while both daemons run; else false with what ended one in 'how'
 * ("ovs-vswitchd exited with status 1", "... killed by signal 9"). */
bool vswitch_check(struct vswitch *vs, char *how, size_t size);

/* Starts again the daemons of 'vs' that ended (vswitch_check() said so):
 * ovsdb-server on the same database, ovs-vswitchd, which makes again the
 * bridges and ports the database holds.  0 or a negative errno with 'err'
 * set. */
int vswitch_restart(struct vswitch *vs, struct emu_err *err);

/* After a run died: ends the daemons whose identities the directory
 * 'dir' notes (each through a pidfd checked against its start time and
 * executable, never a process that took the pid since) and removes the
 * directory.  Returns how many daemons it ended; a missing directory is
 * 0. */
int vswitch_remove_dir(const char *dir);

enum vswitch_daemon { VSWITCH_DBSERVER, VSWITCH_DAEMON, VSWITCH_N };

/* The pid of the daemon 'which'. */
pid_t vswitch_pid(const struct vswitch *vs, enum vswitch_daemon which);

/* The argument vector of daemon 'which' for the directory 'dir', into
 * 'argv' (room for VSWITCH_ARGV_MAX, NULL-ended); its strings are made in
 * 'buf' (VSWITCH_ARGV_BUF bytes).  Returns the number of arguments. */
#define VSWITCH_ARGV_MAX 12
#define VSWITCH_ARGV_BUF 2048
int vswitch_build_argv(enum vswitch_daemon which, const char *dir,
		       char *argv[], char *buf);

#endif
