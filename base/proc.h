/* Processes known by more than their number.  A pid alone names whatever
 * process has it now: after the one we started died, the kernel may give
 * the number to any other.  A 'struct proc_id' adds what a later process
 * with the same pid cannot share — the start time (clock ticks after
 * boot) and the executable — and every signal goes through a pidfd
 * opened and checked against it, so it can only reach that process.
 *
 * Identities are plain values, written to and read from files of a run's
 * directory as one line "<pid> <start> <exe>". */
#ifndef EMU_PROC_H
#define EMU_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct emu_err;

/* How long a process is given between SIGTERM and SIGKILL when cnemu ends
 * it (commands in nodes at stop, os.execute() interrupted). */
#define PROC_GRACE_MS 2000

struct proc_id {
	pid_t pid;
	unsigned long long start;	/* clock ticks after boot */
	char exe[PATH_MAX];		/* /proc/<pid>/exe, without a
					   " (deleted)" suffix; "": none */
};

/* Where the machine's processes, the containers of its Docker engine
 * among them, are seen by their pids: "/proc", or where the machine's
 * /proc is bound when cnemu runs in a pid namespace of its own (a
 * cluster's agent in its container, cluster/agent.c, sets it once at
 * start).  Container pids from the engine are read under it. */
const char *proc_machine_root(void);
void proc_set_machine_root(const char *dir);

/* Reads the identity of the live process 'pid' into 'id'; 0 or a negative
 * errno (-ESRCH: no such process). */
int proc_id_of(pid_t pid, struct proc_id *id);

/* This process's pid as the machine numbers it: getpid(), or read under
 * proc_machine_root() in a pid namespace of its own.  A run's tag and the
 * identity in its directory use it, so that runs in containers (the
 * agents of cluster runs, each pid 1 in its own) and on the machine
 * never share a tag, and any of them tells a live run from a dead one. */
pid_t proc_machine_pid(void);
/* proc_id_of() for the process 'pid' of the machine (proc_machine_pid()
 * numbering), read under proc_machine_root(). */
int proc_machine_id_of(pid_t pid, struct proc_id *id);
/* True while the process of the machine that 'id' names lives. */
bool proc_machine_id_alive(const struct proc_id *id);

/* Formats 'id' as "<pid> <start> <exe>" into 'buf'. */
void proc_id_format(const struct proc_id *id, char *buf, size_t size);
/* Parses a line that proc_id_format() made; 0 or -EINVAL. */
int proc_id_parse(const char *line, struct proc_id *id);

/* Writes the identity of the live process 'pid' to the file 'path' (made
 * anew, mode 0644); 0 or a negative errno with 'err' set. */
int proc_id_save(const char *path, pid_t pid, struct emu_err *err);
/* Writes the identity 'id' to the file 'path', as proc_id_save(). */
int proc_id_write(const char *path, const struct proc_id *id,
		  struct emu_err *err);
/* Reads an identity that proc_id_save() wrote; 0 or a negative errno. */
int proc_id_load(const char *path, struct proc_id *id);

/* Opens a pidfd of the process 'id' names, checked after the open against
 * its start time and executable.  Returns the fd (the caller closes it)
 * or -ESRCH when that process is gone, whoever has its pid now. */
int proc_id_open(const struct proc_id *id);
/* True while the process 'id' names lives. */
bool proc_id_alive(const struct proc_id *id);
/* Ends the process 'id' names, if it lives: SIGTERM, then SIGKILL after
 * 'grace_ms'.  Returns 0 when it was signalled, -ESRCH when it was gone,
 * or a negative errno. */
int proc_id_end(const struct proc_id *id, int grace_ms);

/* Sends 'sig' to the process of 'pidfd'; 0 or a negative errno. */
int proc_pidfd_signal(int pidfd, int sig);
/* Opens a pidfd of 'pid' as it is now; an fd or a negative errno. */
int proc_pidfd_open(pid_t pid);

/* Waits up to 'timeout_ms' (< 0: for ever) for the child 'pid' to end,
 * reaping it; an interrupted wait goes on.  Returns true and its wait
 * status in '*status' (may be NULL) once it ended. */
bool proc_wait_child(pid_t pid, int timeout_ms, int *status);
/* Ends the child 'pid' of this process and reaps it: 'sig' (SIGTERM
 * or SIGINT) to it, or to its group when 'group', then SIGKILL after
 * 'grace_ms'.  Returns its wait status. */
int proc_end_child(pid_t pid, bool group, int sig, int grace_ms);

#endif
