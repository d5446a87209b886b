/* Helpers for tests that drive cnemu as a process: start it with its stdin
 * and output on pipes, wait for what it prints, stop or kill it, and find
 * what a run left on the machine by its tag "cn<pid>".
 *
 * A struct test_run is the test's (by value, zeroed or from
 * test_run_start()); test_run_end() stops a run that still lives and
 * frees what the struct holds, so a teardown can call it whatever state
 * the test failed in. */
#ifndef TESTS_LIB_RUNS_H
#define TESTS_LIB_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct test_run {
	pid_t pid;		/* cnemu's (its tag is "cn<pid>"); 0: none */
	int in_fd;		/* its stdin; -1 once closed */
	int out_fd;		/* its stdout and stderr; -1 after EOF */
	char *out;		/* all it printed so far, '\0'-ended */
	size_t len, cap;
	size_t seen;		/* test_run_expect() searches from here */
	int status;		/* once reaped, exit status (128 + signal);
				   -1 */
};

/* Seconds on the monotonic clock. */
double test_now(void);

/* Waits up to 'timeout_ms' until no cnemu run holds the machine-wide lock
 * (other runs on a shared machine); true when it is free. */
bool test_wait_idle(int timeout_ms);

/* Starts the shell line made from 'fmt' with "exec " in front, so that the
 * pid is cnemu's when the line ends by running it (also through
 * "unshare ... sh -c '... exec cnemu'").  Returns 0 or -1. */
int test_run_start(struct test_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reads its output until 'text' appears after what earlier calls matched,
 * for up to 'timeout_ms'; true when it did (the search then goes on after
 * it).  False at a timeout or when the output ended first. */
bool test_run_expect(struct test_run *r, const char *text, int timeout_ms);

/* Writes the line made from 'fmt' (a newline is added) to its stdin. */
void test_run_send(struct test_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Closes its stdin and waits up to 'timeout_ms' for it to exit, reading
 * its output.  Returns its exit status (128 + signal when killed), or -1
 * when it still runs. */
int test_run_wait(struct test_run *r, int timeout_ms);

/* Sends 'sig' to it when it lives. */
void test_run_kill(struct test_run *r, int sig);

/* For teardowns: a run still alive gets SIGTERM (its own clean stop) and
 * after 30 s SIGKILL, then 'cnemu -c'; closes the pipes and frees the
 * output.  Accepts a zeroed struct; can be called twice. */
void test_run_end(struct test_run *r);

/* What of the run 'cn<pid>' is still on the machine, one object a line:
 * namespaces "cn<pid>-*", root-namespace links with the alias
 * "cnemu:cn<pid>", OVS bridges with external_ids:cnemu-run=cn<pid>,
 * containers labelled cnemu.run=cn<pid>, /run/cnemu/cn<pid>, the links
 * "cn<pid>-*.sock" in OVS's run directory, processes whose command line
 * names that directory.  Retries for up to 'wait_ms'
 * while anything is left (the kernel frees the veths of deleted
 * namespaces asynchronously).  "" when nothing; the caller frees. */
char *test_run_leftovers(pid_t pid, int wait_ms);

/* One line per cnemu-like object on the machine: namespaces, root links
 * (name and alias), OVS bridges (name and run tag), containers labelled
 * cnemu.run, entries of /run/cnemu.  Sorted; the caller frees. */
char *test_machine_state(void);
/* Waits (up to 30 s) until ovs-vswitchd has applied what OVSDB holds: the
 * bridges of a stopped run go after its stop returns. */
void test_ovs_settle(void);

/* The lines of 'after' missing from 'before' that do not name a run tag
 * "cn<digits>" other than those of 'pids' (runs of other users of the
 * machine); "" when none.  The caller frees. */
char *test_state_diff(const char *before, const char *after,
		      const pid_t *pids, size_t n_pids);

#endif
