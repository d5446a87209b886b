/* 'cnemu -c': removes what runs that died left behind, found by their
 * tags — named namespaces "<tag>-*", root-namespace links whose alias is
 * "cnemu:<tag>", OVS bridges with external_ids:cnemu-run, labelled Docker
 * containers, controller processes from pid files, iptables rules with
 * the comment "cnemu:<tag>" (a NAT's), run directories —
 * and nothing else.  A run that still lives is left alone. */
#ifndef EMU_CLEANUP_H
#define EMU_CLEANUP_H

#include <stdio.h>

struct emu_err;

/* What cleanup removed. */
struct cleanup_counts {
	unsigned int namespaces, links, bridges, containers, processes, dirs;
	unsigned int rules;	/* a NAT's iptables rules */
};

/* Removes the leftovers of dead runs; reports each kind of object on
 * 'out' (may be NULL).  Returns 0 or a negative errno when a part could
 * not be reached (the rest is still cleaned). */
int cleanup_dead_runs(struct cleanup_counts *counts, FILE *out,
		      struct emu_err *err);

#endif
