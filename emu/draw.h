/* Drawing a topology with graphviz's library: hosts, containers,
 * switches and controllers with their names and IPs, links with their
 * shaping as edge labels, links that are down dashed.
 *
 * net_draw() reads the Net as it is (started or only described) and
 * writes one file; it changes nothing on the machine. */
#ifndef EMU_DRAW_H
#define EMU_DRAW_H

struct emu_err;
struct net;

/* Draws 'net' into 'path', in the format its extension names: ".svg",
 * ".png" or ".pdf" (laid out by dot), or ".dot" (the graph itself).
 * Returns 0 or a negative errno with 'err' set. */
int net_draw(struct net *net, const char *path, struct emu_err *err);

#endif
