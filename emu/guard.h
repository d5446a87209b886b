/* The resource guard: before a lab starts, what it will need (memory,
 * file descriptors, tasks) against what the machine has left, so that a
 * lab that cannot fit is refused with one line instead of dying half-way
 * (or taking the machine's other labs down with it).
 *
 * The estimate is plain arithmetic over counts (guard_need_*), the
 * machine's side is read from /proc (guard_read_machine()); the figures
 * per object are generous upper bounds of what make bench measured. */
#ifndef EMU_GUARD_H
#define EMU_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;

/* What a lab is made of. */
struct guard_needs {
	size_t hosts;		/* namespace hosts */
	size_t containers;	/* Docker containers */
	size_t switches;
	size_t links;
	size_t impaired_links;	/* with delay, loss, ...: maybe the pump's */
	bool ovs;		/* it starts its own OVS */
};

/* What the machine has left. */
struct guard_have {
	unsigned long long mem_kb;	/* MemAvailable */
	unsigned long long fds;		/* RLIMIT_NOFILE's hard limit (cnemu
					   raises its own to it) */
	unsigned long long tasks;	/* threads the kernel still allows:
					   kernel.threads-max (and pid_max)
					   minus those running */
};

/* Memory (kB), descriptors and tasks the lab 'n' needs. */
unsigned long long guard_need_kb(const struct guard_needs *n);
unsigned long long guard_need_fds(const struct guard_needs *n);
unsigned long long guard_need_tasks(const struct guard_needs *n);

/* 0 when 'n' fits in 'h'; else -ENOMEM (memory), -EMFILE (descriptors)
 * or -EAGAIN (tasks) with one sentence naming the lab 'lab', what it
 * needs and what there is. */
int guard_check(const char *lab, const struct guard_needs *n,
		const struct guard_have *h, struct emu_err *err);

/* Reads what the machine has left into 'h'; 0 or a negative errno. */
int guard_read_machine(struct guard_have *h);

#endif
