/* Traffic tests between the hosts of a Net, as Mininet runs them: ping
 * reachability (pingall, pingpair, their 'full' forms with round-trip
 * times), throughput (iperf over TCP or UDP, emu/iperf.h) and the CPU
 * limit test.  One implementation for every face: the CLI and the Lua
 * binding pick the hosts here, run a test here, and print its result
 * with the printers here, which write Mininet's lines.
 *
 * A test fills a result struct the caller owns (x_release() frees what
 * it holds); results borrow the hosts' names, valid while the hosts are
 * in the Net.  pingall's echo requests are cnemu's own, sent from raw
 * ICMP sockets opened in the hosts' network namespaces (emu/icmp.h), many
 * at once and with no process per pair; the 'full' pings and iperf run
 * the machine's programs (ping, iperf3, iperf) inside those namespaces.
 * Either way any container image is measured, and nothing is left
 * running when a test returns.
 *
 * emu/traffic.c runs the tests; emu/traffic_print.c holds the pure part
 * (tallies, parsers, Mininet's lines) and stands on base/ alone. */
#ifndef EMU_TRAFFIC_H
#define EMU_TRAFFIC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct emu_err;
struct net;
struct node;

/* How long a ping waits for its reply by default: long enough for one
 * ARP retry (the kernel's is 1 s), as a freshly made OVS userspace
 * datapath may lose the very first frames. */
#define TRAFFIC_PING_TIMEOUT_S 2.0
/* How long iperf measures by default, as Mininet's. */
#define TRAFFIC_IPERF_SECONDS 5
/* Mininet's default udpBw. */
#define TRAFFIC_UDP_BW "10M"

/* Which hosts a test takes when the user names none. */
enum traffic_pick {
	TRAFFIC_ALL_HOSTS,	/* pingall: every host */
	TRAFFIC_FIRST_TWO,	/* pingpair: the first two hosts */
	TRAFFIC_FIRST_LAST,	/* iperf: the first and the last host */
};

/* The hosts of 'net' (in order of addition) that 'pick' takes; '*n' gets
 * their count.  Returns an array the caller frees (the nodes are lent),
 * or NULL with 'err' set when a pair is asked of fewer than two hosts. */
struct node **traffic_pick_hosts(const struct net *net,
				 enum traffic_pick pick, size_t *n,
				 struct emu_err *err);

/* ---- ping ----------------------------------------------------------- */

struct traffic_ping_opts {
	double timeout_s;	/* each ping's wait; 0:
				   TRAFFIC_PING_TIMEOUT_S */
	bool full;		/* one ping at a time, with round-trip times
				   (pingallfull); else many at once, each
				   waiting up to the timeout as 'ping -c1
				   -W' does */
	volatile sig_atomic_t *interrupt;	/* when it becomes non-zero
						   the test ends with
						   -EINTR; NULL: none */
};

/* What a ping test found between every ordered pair of its hosts. */
struct traffic_ping {
	const char **names;	/* the hosts' names, borrowed */
	size_t n_hosts;
	bool full;		/* round-trip times were measured */
	unsigned char *ok;	/* [s * n_hosts + d]: 'd' answered 's' */
	double *rtt_ms;		/* [(s * n_hosts + d) * 4]: min, avg, max,
				   mdev in ms; NULL unless 'full' */
	unsigned int sent, received;	/* pings, from traffic_ping_tally() */
};

/* Pings between every ordered pair of the 'n' 'hosts' ('opts' NULL:
 * defaults) and fills '*res' (release it, also after a failure).  A host
 * without an IP counts as not answering.  Returns 0, or a negative errno
 * (-EINTR when interrupted) with 'err' set. */
int traffic_ping(struct net *net, struct node *const *hosts, size_t n,
		 const struct traffic_ping_opts *opts, struct traffic_ping *res,
		 struct emu_err *err);

/* Sizes '*res' for 'n_hosts' hosts, every pair unanswered (round-trip
 * times too when 'full'); the names are left for the caller to lend. */
void traffic_ping_alloc(struct traffic_ping *res, size_t n_hosts, bool full);
/* Frees what '*res' holds and zeroes it. */
void traffic_ping_release(struct traffic_ping *res);
/* Counts the pings sent (every ordered pair) and received into 'res'. */
void traffic_ping_tally(struct traffic_ping *res);
/* The percentage of pings dropped, rounded down as Mininet's (0..100;
 * 0 when none was sent). */
unsigned int traffic_ping_dropped(const struct traffic_ping *res);
/* Reads "rtt min/avg/max/mdev = a/b/c/d ms" (iputils) or busybox's
 * "round-trip min/avg/max = a/b/c ms" from ping's output into 'rtt'
 * (mdev 0 when absent); false when there is none. */
bool traffic_parse_rtt(const char *out, double rtt[4]);

/* ---- iperf ---------------------------------------------------------- */

/* What an iperf run measured: Mininet's two figures. */
struct traffic_iperf {
	const char *client, *server;	/* names, borrowed */
	const char *udp_bw;	/* "10M": UDP at that rate; NULL: TCP */
	double server_bps;	/* what the server received, bits/s */
	double client_bps;	/* what the client sent, bits/s */
};

/* Measures from 'client' to 'server' for 'seconds' (0:
 * TRAFFIC_IPERF_SECONDS): TCP, or UDP at 'udp_bw' (borrowed, iperf's -b)
 * when not NULL.  Fills '*res'.  Returns 0 or a negative errno (-EINTR
 * when interrupted) with 'err' set. */
int traffic_iperf(struct net *net, struct node *client, struct node *server,
		  const char *udp_bw, unsigned int seconds,
		  struct traffic_iperf *res, struct emu_err *err);

/* ---- CPU limits ----------------------------------------------------- */

/* Mininet's runCpuLimitTest: runs ceil(cores x 'cpu') busy loops in every
 * running CPU-limited host for 'seconds' and stores in 'pcts' (room for
 * 'cap'; 'seconds' per such host, host after host) the share of the
 * whole machine each host used in each second, in percent, read from its
 * cgroup.  Returns the number of figures or a negative errno (-EINVAL:
 * no CPU-limited host, or no room). */
int traffic_cpu_limit(struct net *net, double cpu, unsigned int seconds,
		      double *pcts, size_t cap, struct emu_err *err);

/* ---- Mininet's lines (emu/traffic_print.c) -------------------------- */

/* "*** Ping: testing ping reachability", before the pings run. */
void traffic_print_ping_head(FILE *out);
/* A row per host ("h1 -> h2 X"), then "*** Results: 0% dropped (6/6
 * received)", or with round-trip times the 'full' results. */
void traffic_print_ping(FILE *out, const struct traffic_ping *res);
/* "*** Iperf: testing TCP bandwidth between h1 and h2", before the
 * measure ('udp_bw' NULL: TCP). */
void traffic_print_iperf_head(FILE *out, const char *udp_bw,
			      const char *client, const char *server);
/* "*** Results: ['9.58 Mbits/sec', '9.60 Mbits/sec']" (UDP: the rate
 * asked first). */
void traffic_print_iperf(FILE *out, const struct traffic_iperf *res);
/* "*** Results: [12.5012, 9.9980]" of the CPU limit test. */
void traffic_print_cpu(FILE *out, const double *pcts, size_t n);
/* Writes 'bps' as iperf does ("941 Mbits/sec", "9.57 Gbits/sec") into
 * 'buf'.  Returns the length like snprintf. */
int traffic_format_rate(double bps, char *buf, size_t size);

#endif
