#include "emu/traffic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/util.h"
#include "emu/icmp.h"
#include "emu/iperf.h"
#include "emu/net.h"
#include "node/host.h"
#include "node/node.h"

EMU_LOG_MODULE(traffic);

/* Pings awaiting their replies at once in a test that is not 'full'
 * (at most 65536: the slot is the echo's sequence number). */
#define TRAFFIC_PING_IN_FLIGHT 256

struct node **traffic_pick_hosts(const struct net *net,
				 enum traffic_pick pick, size_t *n,
				 struct emu_err *err)
{
	size_t n_nodes, k = 0;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct node **hosts = xcalloc(n_nodes + 1, sizeof(*hosts));

	for (size_t i = 0; i < n_nodes; i++)
		if (node_role(nodes[i]) == NODE_HOST)
			hosts[k++] = nodes[i];
	*n = k;
	if (pick == TRAFFIC_ALL_HOSTS)
		return hosts;
	if (k < 2) {
		free(hosts);
		*n = 0;
		emu_err_set(err, -EINVAL,
			    "the network has fewer than two hosts");
		return NULL;
	}
	if (pick == TRAFFIC_FIRST_LAST)
		hosts[1] = hosts[k - 1];
	hosts[2] = NULL;
	*n = 2;
	return hosts;
}

static bool traffic_interrupted(const struct traffic_ping_opts *opts)
{
	return opts->interrupt && *opts->interrupt;
}

/* ---- ping ----------------------------------------------------------- */

/* An address pinged, from a host's IP; family 0: the host has none. */
struct traffic_addr {
	int family;		/* AF_INET, AF_INET6 or 0 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Reads the IP of 'node' into 'a'; false when it has none. */
static bool traffic_addr_of(const struct node *node, struct traffic_addr *a)
{
	char ip[64];

	memset(a, 0, sizeof(*a));
	if (!node_ip(node, ip, sizeof(ip)))
		return false;
	if (inet_pton(AF_INET, ip, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &a->v6) == 1)
		a->family = AF_INET6;
	return a->family != 0;
}

/* True when 'sa' (from recvfrom) is the address 'a'. */
static bool traffic_addr_is(const struct traffic_addr *a,
			    const struct sockaddr_storage *sa)
{
	if (a->family != sa->ss_family)
		return false;
	if (a->family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		       a->v4.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &a->v6,
		       sizeof(a->v6));
}

/* A host sending pings: its raw ICMP sockets, opened at its first ping
 * of a family and closed after its last reply or timeout. */
struct traffic_pinger {
	int fds[2];		/* IPv4, IPv6; -1: not open */
	size_t in_flight;	/* its pings awaiting a reply */
};

/* One ping in flight; its index is the echo's sequence number. */
struct traffic_ping_slot {
	size_t src, dst;	/* indices into the host list */
	unsigned long long deadline_us;
	bool used;
};

/* The state of one pingall. */
struct traffic_pingall {
	struct node *const *hosts;
	size_t n;
	struct traffic_addr *addrs;	/* [n] */
	struct traffic_pinger *pingers;	/* [n] */
	struct traffic_ping_slot slots[TRAFFIC_PING_IN_FLIGHT];
	uint16_t free_slots[TRAFFIC_PING_IN_FLIGHT];
	size_t n_free;
	size_t next;		/* next pair, s * n + d */
	uint16_t id;		/* the echo id of this test */
};

/* Opens the raw socket of 'family' of host 's' in its namespace, with a
 * filter that lets only echo replies through. */
static int traffic_pinger_open(struct traffic_pingall *pa, size_t s,
			       int family)
{
	struct traffic_pinger *p = &pa->pingers[s];
	int *fd = &p->fds[family == AF_INET6];
	int nsfd, ret;

	if (*fd >= 0)
		return *fd;
	nsfd = node_open_ns(pa->hosts[s], "net");
	if (nsfd < 0 && nsfd != -ENOENT)
		return nsfd;	/* -ENOENT: a host in the root namespace */
	ret = netns_socket(nsfd, family, SOCK_RAW | SOCK_NONBLOCK,
			   family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			   NULL);
	if (nsfd >= 0)
		close(nsfd);
	if (ret < 0)
		return ret;
	if (family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(ret, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	} else {
		struct icmp_filter f = { ~(1U << ICMP_ECHOREPLY) };

		setsockopt(ret, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	}
	*fd = ret;
	return ret;
}

/* Closes the sockets of host 's' once all its pings are sent and
 * none awaits a reply. */
static void traffic_pinger_done(struct traffic_pingall *pa, size_t s)
{
	struct traffic_pinger *p = &pa->pingers[s];

	if (p->in_flight || pa->next < (s + 1) * pa->n)
		return;
	for (int f = 0; f < 2; f++)
		if (p->fds[f] >= 0) {
			close(p->fds[f]);
			p->fds[f] = -1;
		}
}

static void traffic_slot_release(struct traffic_pingall *pa, uint16_t seq)
{
	struct traffic_ping_slot *slot = &pa->slots[seq];

	slot->used = false;
	pa->free_slots[pa->n_free++] = seq;
	pa->pingers[slot->src].in_flight--;
	traffic_pinger_done(pa, slot->src);
}

/* Sends the ping of pair 'next' from a free slot; a pair that cannot be
 * pinged counts as lost. */
static void traffic_ping_send(struct traffic_pingall *pa,
			      unsigned long long deadline_us)
{
	size_t s = pa->next / pa->n, d = pa->next % pa->n;
	const struct traffic_addr *a = &pa->addrs[d];
	unsigned char msg[ICMP_ECHO_LEN];
	struct sockaddr_storage to = { 0 };
	socklen_t to_len;
	uint16_t seq;
	int fd;

	pa->next++;
	if (s != d && a->family && node_is_running(pa->hosts[s]) &&
	    (fd = traffic_pinger_open(pa, s, a->family)) >= 0) {
		if (a->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&to;

			sin->sin_family = AF_INET;
			sin->sin_addr = a->v4;
			to_len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = a->v6;
			to_len = sizeof(*sin6);
		}
		seq = pa->free_slots[--pa->n_free];
		icmp_build_echo(msg, a->family, pa->id, seq);
		if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to,
			   to_len) == (ssize_t)sizeof(msg)) {
			pa->slots[seq] = (struct traffic_ping_slot){
				s, d, deadline_us, true };
			pa->pingers[s].in_flight++;
		} else {
			pa->free_slots[pa->n_free++] = seq;
		}
	}
	if (d == pa->n - 1)
		traffic_pinger_done(pa, s);
}

/* Reads the replies waiting on 'fd', a socket of 'family' of host 's'. */
static void traffic_ping_receive(struct traffic_pingall *pa, size_t s,
				 int fd, int family, struct traffic_ping *res)
{
	unsigned char buf[1500];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	ssize_t len;
	uint16_t id, seq;

	while ((len = recvfrom(fd, buf, sizeof(buf), 0,
			       (struct sockaddr *)&from, &from_len)) >= 0) {
		struct traffic_ping_slot *slot;

		from_len = sizeof(from);
		if (!icmp_parse_reply(buf, (size_t)len, family, &id, &seq) ||
		    id != pa->id || seq >= TRAFFIC_PING_IN_FLIGHT)
			continue;
		slot = &pa->slots[seq];
		if (!slot->used || slot->src != s ||
		    !traffic_addr_is(&pa->addrs[slot->dst], &from))
			continue;
		res->ok[slot->src * pa->n + slot->dst] = 1;
		traffic_slot_release(pa, seq);
	}
}

/* Waits up to the first deadline (at most 100 ms, to see an interrupt)
 * for replies and reads them; releases the pings whose time is up. */
static void traffic_ping_wait(struct traffic_pingall *pa,
			      struct pollfd *pfds, size_t *owners,
			      struct traffic_ping *res)
{
	unsigned long long now = now_us(), first = now + 100000;
	size_t n_pfds = 0;
	int ms;

	for (size_t i = 0; i < TRAFFIC_PING_IN_FLIGHT; i++)
		if (pa->slots[i].used && pa->slots[i].deadline_us < first)
			first = pa->slots[i].deadline_us;
	for (size_t s = 0; s < pa->n; s++)
		for (int f = 0; f < 2; f++)
			if (pa->pingers[s].fds[f] >= 0) {
				pfds[n_pfds] = (struct pollfd){
					pa->pingers[s].fds[f], POLLIN, 0 };
				owners[n_pfds++] = s;
			}
	ms = first > now ? (int)((first - now + 999) / 1000) : 0;
	if (poll(pfds, n_pfds, ms) > 0)
		for (size_t i = 0; i < n_pfds; i++)
			if (pfds[i].revents & POLLIN)
				traffic_ping_receive(pa, owners[i], pfds[i].fd,
						     pa->pingers[owners[i]]
								     .fds[1] ==
							     pfds[i].fd
						     ? AF_INET6
						     : AF_INET,
						     res);
	now = now_us();
	for (uint16_t i = 0; i < TRAFFIC_PING_IN_FLIGHT; i++)
		if (pa->slots[i].used && pa->slots[i].deadline_us <= now)
			traffic_slot_release(pa, i);	/* lost */
}

/* Pings every pair from cnemu's own raw sockets in the hosts'
 * namespaces, TRAFFIC_PING_IN_FLIGHT at a time, each waiting up to the
 * timeout for its reply as 'ping -c1 -W' does. */
static int traffic_ping_many(struct node *const *hosts, size_t n,
			     const struct traffic_ping_opts *opts,
			     struct traffic_ping *res, struct emu_err *err)
{
	struct traffic_pingall *pa = xcalloc(1, sizeof(*pa));
	struct pollfd *pfds = xcalloc(2 * n + 1, sizeof(*pfds));
	size_t *owners = xcalloc(2 * n + 1, sizeof(*owners));
	unsigned long long timeout_us =
		(unsigned long long)(opts->timeout_s * 1e6);
	int ret = 0;

	pa->hosts = hosts;
	pa->n = n;
	pa->id = (uint16_t)getpid();
	pa->addrs = xcalloc(n + 1, sizeof(*pa->addrs));
	pa->pingers = xcalloc(n + 1, sizeof(*pa->pingers));
	for (size_t i = 0; i < n; i++) {
		traffic_addr_of(hosts[i], &pa->addrs[i]);
		pa->pingers[i].fds[0] = pa->pingers[i].fds[1] = -1;
	}
	for (size_t i = 0; i < TRAFFIC_PING_IN_FLIGHT; i++)
		pa->free_slots[pa->n_free++] =
			(uint16_t)(TRAFFIC_PING_IN_FLIGHT - 1 - i);
	while (pa->next < n * n || pa->n_free < TRAFFIC_PING_IN_FLIGHT) {
		unsigned long long deadline = now_us() + timeout_us;

		while (pa->next < n * n && pa->n_free)
			traffic_ping_send(pa, deadline);
		if (traffic_interrupted(opts)) {
			ret = emu_err_set(err, -EINTR, "ping interrupted");
			break;
		}
		if (pa->n_free < TRAFFIC_PING_IN_FLIGHT)
			traffic_ping_wait(pa, pfds, owners, res);
	}
	for (size_t s = 0; s < n; s++)
		for (int f = 0; f < 2; f++)
			if (pa->pingers[s].fds[f] >= 0)
				close(pa->pingers[s].fds[f]);
	free(pa->addrs);
	free(pa->pingers);
	free(pa);
	free(pfds);
	free(owners);
	return ret;
}

/* Reads the output of traffic_ping_from()'s shell: each ping's output
 * ends with a line "#<d> <its exit status>". */
static void traffic_read_from(const char *out, size_t n, size_t s,
			      struct traffic_ping *res)
{
	const char *block = out;

	for (const char *line = out; *line;) {
		const char *end = strchrnul(line, '\n');
		size_t d;
		int status;

		if (sscanf(line, "#%zu %d", &d, &status) == 2 && d < n) {
			res->ok[s * n + d] = status == 0;
			if (status == 0 && res->rtt_ms) {
				char *text = strndup(block,
						     (size_t)(line - block));

				traffic_parse_rtt(text,
						  &res->rtt_ms[(s * n + d) * 4]);
				free(text);
			}
			block = *end ? end + 1 : end;
		}
		line = *end ? end + 1 : end;
	}
}

/* Pings every other host with an IP from 'hosts[s]' with 'ping -c1 -W',
 * one after the other, by one shell run there: a cluster run's commands
 * cross the channel to the host's machine, and one command a source, not
 * one a pair, keeps pingall short (64 hosts: 345 s one a pair, 29 s one a
 * source; running a source's pings at once took 48 s: the cost is each
 * ping's process on the machines' cores).  A host on a lost machine is
 * not pinged: a loss. */
static int traffic_ping_from(struct net *net, struct node *const *hosts,
			     size_t n, size_t s,
			     const struct traffic_ping_opts *opts,
			     struct traffic_ping *res, struct emu_err *err)
{
	struct node_exec_opts eo = { .net_only = true };
	char *script = xstrdup(""), *out = NULL, ip[64];
	char *argv[] = { "sh", "-c", NULL, NULL };
	int ret;

	for (size_t d = 0; d < n; d++) {
		char *next;

		if (d == s || !node_ip(hosts[d], ip, sizeof(ip)) ||
		    net_node_is_lost(net, hosts[d]))
			continue;
		next = xasprintf("%sping -c1 -W %g %s; echo \"#%zu $?\"; ",
				 script, opts->timeout_s, ip, d);
		free(script);
		script = next;
	}
	argv[2] = script;
	ret = node_capture(hosts[s], argv, &eo, &out, err);
	if (ret >= 0) {
		traffic_read_from(out ? out : "", n, s, res);
		ret = 0;
	}
	free(out);
	free(script);
	return ret;
}

/* Pings every pair, one shell a source (traffic_ping_from()), with
 * round-trip times when 'res' has room for them; the pairs of a host on
 * a lost machine are losses. */
static int traffic_ping_by_source(struct net *net, struct node *const *hosts,
				  size_t n,
				  const struct traffic_ping_opts *opts,
				  struct traffic_ping *res,
				  struct emu_err *err)
{
	for (size_t s = 0; s < n; s++) {
		int ret = net_node_is_lost(net, hosts[s])
				  ? 0
				  : traffic_ping_from(net, hosts, n, s, opts,
						      res, err);

		if (ret < 0)
			return ret;
		if (traffic_interrupted(opts))
			return emu_err_set(err, -EINTR, "ping interrupted");
	}
	return 0;
}

int traffic_ping(struct net *net, struct node *const *hosts, size_t n,
		 const struct traffic_ping_opts *opts, struct traffic_ping *res,
		 struct emu_err *err)
{
	struct traffic_ping_opts o = { 0 };
	struct emu_err local;
	int ret;

	if (opts)
		o = *opts;
	if (o.timeout_s <= 0)
		o.timeout_s = TRAFFIC_PING_TIMEOUT_S;
	err = emu_err_sink(err, &local);
	traffic_ping_alloc(res, n, o.full);
	for (size_t i = 0; i < n; i++)
		res->names[i] = node_name(hosts[i]);
	/* A cluster run's hosts are on other machines: no raw socket of
	 * ours reaches their namespaces, a ping run there does. */
	ret = o.full || net_cluster(net)
		      ? traffic_ping_by_source(net, hosts, n, &o, res, err)
		      : traffic_ping_many(hosts, n, &o, res, err);
	traffic_ping_tally(res);
	net_check_nodes(net);	/* a host that died says so */
	if (ret)
		return ret;
	/* a pair that could not be pinged is a loss, not a failure */
	emu_err_clear(err);
	return 0;
}

/* ---- iperf ---------------------------------------------------------- */

int traffic_iperf(struct net *net, struct node *client, struct node *server,
		  const char *udp_bw, unsigned int seconds,
		  struct traffic_iperf *res, struct emu_err *err)
{
	(void)net;
	memset(res, 0, sizeof(*res));
	res->client = node_name(client);
	res->server = node_name(server);
	res->udp_bw = udp_bw;
	return iperf_measure(client, server, udp_bw,
			     seconds ? seconds : TRAFFIC_IPERF_SECONDS,
			     &res->server_bps, &res->client_bps, err);
}

/* ---- CPU limits ----------------------------------------------------- */

int traffic_cpu_limit(struct net *net, double cpu, unsigned int seconds,
		      double *pcts, size_t cap, struct emu_err *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n_loops = (size_t)ceil((double)cores * cpu), n_hosts = 0, k;
	char *argv[] = { "/bin/sh", "-c", "while true; do a=1; done", NULL };
	struct node_exec_opts eo = { 0 };
	size_t n_nodes;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct node **hosts = xcalloc(n_nodes + 1, sizeof(*hosts));
	pid_t *pids;
	long long *last;
	size_t n_pids = 0;
	int ret = 0;

	for (size_t i = 0; i < n_nodes; i++)
		if (node_is_running(nodes[i]) &&
		    host_cpu_usage_ns(nodes[i]) >= 0)
			hosts[n_hosts++] = nodes[i];
	if (!n_hosts || n_hosts * seconds > cap || !n_loops) {
		free(hosts);
		return emu_err_set(err, -EINVAL,
				   n_hosts ? "no room for the figures"
					   : "no running CPU-limited host");
	}
	log_info("*** Testing CPU %.0f%% bandwidth limit", cpu * 100);
	pids = xcalloc(n_hosts * n_loops, sizeof(*pids));
	last = xcalloc(n_hosts, sizeof(*last));
	for (size_t h = 0; h < n_hosts && !ret; h++)
		for (size_t j = 0; j < n_loops && !ret; j++) {
			pid_t pid = node_spawn(hosts[h], argv, &eo, err);

			if (pid < 0)
				ret = pid;
			else
				pids[n_pids++] = pid;
		}
	for (size_t h = 0; h < n_hosts; h++)
		last[h] = host_cpu_usage_ns(hosts[h]);
	for (unsigned int t = 0; t < seconds && !ret; t++) {
		sleep(1);
		for (size_t h = 0; h < n_hosts; h++) {
			long long now = host_cpu_usage_ns(hosts[h]);

			pcts[h * seconds + t] = (double)(now - last[h]) / 1e9 /
						(double)cores * 100;
			last[h] = now;
		}
	}
	for (size_t i = 0; i < n_pids; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	k = ret ? 0 : n_hosts * seconds;
	free(pids);
	free(last);
	free(hosts);
	return ret ? ret : (int)k;
}
