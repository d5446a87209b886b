#include "emu/traffic.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "emu/iperf.h"
#include "emu/net.h"
#include "node/host.h"
#include "node/node.h"

EMU_LOG_MODULE(traffic);

/* Pings running at once in a test that is not 'full'. */
#define TRAFFIC_PING_PARALLEL 32

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

/* The argv of "ping -c1 -W<timeout> <dst's IP>" in 'ip' and 'wait';
 * false when 'dst' has no IP. */
static bool traffic_ping_argv(const struct node *dst, double timeout_s,
			      char ip[64], char wait[16], char *argv[6])
{
	if (!node_ip(dst, ip, 64))
		return false;
	snprintf(wait, 16, "%g", timeout_s);
	argv[0] = "ping";
	argv[1] = "-c1";
	argv[2] = "-W";
	argv[3] = wait;
	argv[4] = ip;
	argv[5] = NULL;
	return true;
}

/* One ping of a pair, running. */
struct traffic_ping_job {
	pid_t pid;
	size_t src, dst;	/* indices into the host list */
};

/* Starts the ping from 'src' to 'dst'; returns its pid, or a negative
 * errno (the pair then counts as not answering). */
static pid_t traffic_ping_spawn(struct node *src, const struct node *dst,
				double timeout_s, struct emu_err *err)
{
	char ip[64], wait[16], *argv[6];
	/* The machine's ping: any image answers. */
	struct node_exec_opts opts = { .net_only = true };

	if (!traffic_ping_argv(dst, timeout_s, ip, wait, argv))
		return emu_err_set(err, -EDESTADDRREQ, "'%s' has no IP",
				   node_name(dst));
	return node_spawn(src, argv, &opts, err);
}

/* Pings every pair, TRAFFIC_PING_PARALLEL at a time. */
static int traffic_ping_many(struct node *const *hosts, size_t n,
			     const struct traffic_ping_opts *opts,
			     struct traffic_ping *res, struct emu_err *err)
{
	struct traffic_ping_job jobs[TRAFFIC_PING_PARALLEL];
	size_t n_jobs = 0, next = 0, total = n * n;
	int ret = 0;

	while ((next < total || n_jobs) && !ret) {
		while (next < total && n_jobs < TRAFFIC_PING_PARALLEL) {
			size_t s = next / n, d = next % n;
			pid_t pid;

			next++;
			if (s == d)
				continue;
			pid = traffic_ping_spawn(hosts[s], hosts[d],
						 opts->timeout_s, err);
			if (pid < 0)
				continue;	/* counts as lost */
			jobs[n_jobs++] = (struct traffic_ping_job){ pid, s, d };
		}
		/* Reap only our pings: a node's background processes are its
		 * own to reap. */
		for (size_t j = 0; j < n_jobs;) {
			int status;
			pid_t pid = waitpid(jobs[j].pid, &status, WNOHANG);

			if (pid == 0) {
				j++;
				continue;
			}
			if (pid > 0 && WIFEXITED(status) &&
			    !WEXITSTATUS(status))
				res->ok[jobs[j].src * n + jobs[j].dst] = 1;
			jobs[j] = jobs[--n_jobs];
		}
		if (traffic_interrupted(opts) ||
		    (n_jobs &&
		     (next >= total || n_jobs == TRAFFIC_PING_PARALLEL) &&
		     usleep(1000) < 0 && errno == EINTR))
			ret = emu_err_set(err, -EINTR, "ping interrupted");
	}
	for (size_t j = 0; j < n_jobs; j++) {
		kill(jobs[j].pid, SIGKILL);
		waitpid(jobs[j].pid, NULL, 0);
	}
	return ret;
}

/* Pings 'dst' once from 'src' and reads the round trip into 'rtt'.
 * Returns 1 when the reply came, 0 when not, or a negative errno. */
static int traffic_ping_one(struct node *src, const struct node *dst,
			    double timeout_s, double rtt[4],
			    struct emu_err *err)
{
	char ip[64], wait[16], *argv[6], *out = NULL;
	struct node_exec_opts opts = { .net_only = true };
	int ret;

	if (!traffic_ping_argv(dst, timeout_s, ip, wait, argv))
		return 0;
	ret = node_capture(src, argv, &opts, &out, err);
	if (ret >= 0)
		ret = ret == 0 && traffic_parse_rtt(out, rtt);
	free(out);
	return ret;
}

/* Pings every pair one after the other, with round-trip times. */
static int traffic_ping_each(struct node *const *hosts, size_t n,
			     const struct traffic_ping_opts *opts,
			     struct traffic_ping *res, struct emu_err *err)
{
	for (size_t s = 0; s < n; s++)
		for (size_t d = 0; d < n; d++) {
			int ret;

			if (d == s)
				continue;
			ret = traffic_ping_one(hosts[s], hosts[d],
					       opts->timeout_s,
					       &res->rtt_ms[(s * n + d) * 4],
					       err);
			if (ret < 0)
				return ret;
			res->ok[s * n + d] = ret > 0;
			if (traffic_interrupted(opts))
				return emu_err_set(err, -EINTR,
						   "ping interrupted");
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
	ret = o.full ? traffic_ping_each(hosts, n, &o, res, err)
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
