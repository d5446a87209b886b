/* The simulated three-machine Swarm (tests/cluster/up.sh, down.sh) for
 * the integration tests: machines m1..m3, each a network namespace with
 * its own dockerd, on the underlay 192.168.250.0/24, m1 the manager.
 *
 * Tests use the bed named "cnemu-tbed" (not a user's "cnemu-bed") and run
 * under the machine lock, so one bed at a time.  A test that calls
 * bed_up() calls bed_down() in its teardown, whatever state it failed
 * in. */
#ifndef TESTS_LIB_BED_H
#define TESTS_LIB_BED_H

#include <stddef.h>

#define BED_MACHINES 3
/* The tests' bed (CNEMU_BED of the scripts). */
#define BED_NAME "cnemu-tbed"

/* 0 when what the bed needs is there (root, dockerd, nsenter, unshare,
 * the scripts), else skips with the reason (a failure under
 * CNEMU_TEST_STRICT=1). */
int require_bed(void);

/* Brings the bed up with the host engine's images 'images' (NULL-ended;
 * NULL: none) loaded into every machine.  Returns 0, or -1 after printing
 * the scripts' output. */
int bed_up(const char *const *images);
/* Removes the bed (also a half-made one).  Returns 0, or -1 after
 * printing what could not be removed. */
int bed_down(void);

/* Kills machine 'i''s dockerd with SIGKILL (its containerd dies with it;
 * the containers' shims and tasks stay), as a machine's engine is lost.
 * Returns 0, or -1 when it does not run. */
int bed_kill_dockerd(int i);
/* Starts the killed dockerd of machine 'i' again and waits until the
 * Swarm has the machine Ready (up.sh --restart).  Returns 0, or -1 after
 * printing the script's output. */
int bed_restart(int i);

/* "unix:///run/cnemu-tbed/mI/run/docker.sock", for machine 'i' (1..3);
 * borrowed, valid until the next call. */
const char *bed_docker_host(int i);
/* "192.168.250.I". */
const char *bed_addr(int i);
/* The directory holding up.sh, down.sh, enter.sh ($CNEMU_BED_DIR,
 * default tests/cluster). */
const char *bed_dir(void);

/* Runs the shell line made from 'fmt' inside machine 'i' (its network,
 * mount and UTS namespaces) and returns its stdout (caller frees). */
char *bed_sh_out(int i, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What of the bed is on the machine, one line per object: namespaces,
 * directories, cgroups, mounts, processes.  "" when nothing; caller
 * frees. */
char *bed_leftovers(void);

#endif
