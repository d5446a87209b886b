/* 'cnemu -c': removes what runs that died left behind, found by their
 * tags — named namespaces "<tag>-*" that the run's directory notes (same
 * device and inode), root-namespace links whose alias is "cnemu:<tag>",
 * OVS bridges with external_ids:cnemu-run, labelled Docker containers,
 * controller processes by the identities the run noted (pid, start time,
 * executable), a NAT's iptables rules (those its run directory notes,
 * with the comment "cnemu:<tag>"), CPU-limited hosts' cgroups (those
 * it notes, "<tag>-<host>"), run directories, the links
 * "<tag>-<name>.sock" to controller sockets in OVS's run directory that
 * lead into a dead run's directory, now gone — and nothing else.
 * A run that still lives is left alone; containers made with keep = true (label
 * cnemu.keep=true) are stopped and kept unless CLEANUP_KEPT; the
 * machine's sysctls come back once no run relies on them. */
#ifndef EMU_CLEANUP_H
#define EMU_CLEANUP_H

#include <stdio.h>

struct emu_err;

enum cleanup_flags {
	CLEANUP_KEPT = 1 << 0,	/* remove kept containers too (-c --all) */
};

/* What cleanup removed, kept and left alone. */
struct cleanup_counts {
	unsigned int namespaces, links, bridges, containers, processes, dirs;
	unsigned int kept;	/* kept containers left in place */
	unsigned int foreign;	/* "<tag>-*" namespaces the run did not
				   note: left alone */
	unsigned int rules;	/* a NAT's iptables rules */
	unsigned int cgroups;	/* CPU-limited hosts' cgroups */
	unsigned int sockets;	/* links to controller sockets in OVS's run
				   directory */
};

/* Removes the leftovers of dead runs; reports each kind of object on
 * 'out' (may be NULL), each kept container it removes by name.  Returns
 * 0 or a negative errno when a part could not be reached (the rest is
 * still cleaned). */
int cleanup_dead_runs(enum cleanup_flags flags,
		      struct cleanup_counts *counts, FILE *out,
		      struct emu_err *err);

#endif
