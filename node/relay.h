/* A relay from a unix socket to a TCP address, for remote controllers:
 * a run's switches live in its switch namespace, where the machine's
 * addresses (127.0.0.1 above all) do not reach, so its OVS connects to a
 * unix socket instead and the relay, in the machine's namespace, opens a
 * TCP connection to the controller for each connection it accepts and
 * copies both ways.
 *
 * relay_start() listens (the socket made anew, mode 0600) and serves from
 * a thread of its own; a connection whose TCP side cannot be made is
 * closed (OVS tries again).  relay_stop() closes everything, removes the
 * socket and frees. */
#ifndef NODE_RELAY_H
#define NODE_RELAY_H

struct emu_err;
struct relay;

/* Relays connections at the unix socket 'path' to 'ip':'port'.  NULL with
 * 'err' set when it cannot listen. */
struct relay *relay_start(const char *path, const char *ip, int port,
			  struct emu_err *err);
/* Accepts NULL. */
void relay_stop(struct relay *r);

#endif
