/* Throughput between two nodes, as Mininet's iperf measures it: a server
 * in one node, a client in the other, and the two figures Mininet prints
 * (what the server received, what the client sent).
 *
 * The machine's programs run inside the nodes' network namespaces (as
 * pingall's ping), so that any container image can be measured:
 *   - TCP: iperf3 (its JSON report);
 *   - UDP: iperf 2, whose UDP mode has no control connection: on a lossy
 *     link a run always ends with figures (iperf3's TCP control channel
 *     would cross the loss and fail or hang).  The server's figure is
 *     what it received over the client's sending time; when the server
 *     received nothing (every datagram lost, or the link's ARP), it is 0.
 * Nothing is left running when a measure returns, also on error or
 * interruption. */
#ifndef EMU_IPERF_H
#define EMU_IPERF_H

#include <stdbool.h>

struct emu_err;
struct node;

#define IPERF_TCP_PORT 5201	/* iperf3's default */
#define IPERF_UDP_PORT 5001	/* iperf 2's default */

/* Measures from 'client' to 'server' for 'seconds' (0: 5): TCP, or UDP
 * at 'udp_bw' ("10M", iperf's -b) when not NULL.  Stores the rate the
 * server received in '*server_bps' and the rate the client sent in
 * '*client_bps' (bits/s).  Returns 0 or a negative errno (-EINTR when
 * interrupted), with the server's own words when it could not serve. */
int iperf_measure(struct node *client, struct node *server,
		  const char *udp_bw, unsigned int seconds,
		  double *server_bps, double *client_bps,
		  struct emu_err *err);

/* Pure helpers, for tests. */

/* True when 'bw' is a rate iperf takes: digits, a dot, a unit letter. */
bool iperf_rate_ok(const char *bw);

/* Reads the figures from the output of 'iperf3 -c ... -J' (warnings on
 * stderr may come first); sets '*refused' when the server did not listen
 * yet. */
int iperf3_parse(const char *text, double *server_bps, double *client_bps,
		 bool *refused, struct emu_err *err);

/* One report line of iperf 2's CSV output ("-y C"). */
struct iperf2_report {
	double seconds;		/* length of its interval */
	double bytes;		/* sent (client) or received (server) */
	double bps;		/* as iperf computed it */
};

/* Reads the last report line of the CSV text 'text' into '*r'; false when
 * there is none. */
bool iperf2_parse_csv(const char *text, struct iperf2_report *r);

#endif
