/* The pure part of the traffic tests: result tallies, ping's round-trip
 * line and Mininet's output lines.  Stands on base/ alone (the fuzz
 * targets link it by itself). */
#include "emu/traffic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void traffic_ping_alloc(struct traffic_ping *res, size_t n_hosts, bool full)
{
	size_t pairs = n_hosts * n_hosts;

	memset(res, 0, sizeof(*res));
	res->n_hosts = n_hosts;
	res->full = full;
	res->names = xcalloc(n_hosts + 1, sizeof(*res->names));
	res->ok = xcalloc(pairs + 1, sizeof(*res->ok));
	if (full)
		res->rtt_ms = xcalloc(pairs * 4 + 1, sizeof(*res->rtt_ms));
}

void traffic_ping_release(struct traffic_ping *res)
{
	free(res->names);
	free(res->ok);
	free(res->rtt_ms);
	memset(res, 0, sizeof(*res));
}

void traffic_ping_tally(struct traffic_ping *res)
{
	size_t n = res->n_hosts;

	res->sent = res->received = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t d = 0; d < n; d++) {
			if (s == d)
				continue;
			res->sent++;
			res->received += res->ok[s * n + d] != 0;
		}
}

unsigned int traffic_ping_dropped(const struct traffic_ping *res)
{
	if (!res->sent)
		return 0;
	return (res->sent - res->received) * 100 / res->sent;
}

bool traffic_parse_rtt(const char *out, double rtt[4])
{
	const char *p = strstr(out, "min/avg/max");

	rtt[3] = 0;
	if (!p || !(p = strchr(p, '=')))
		return false;
	return sscanf(p + 1, "%lf/%lf/%lf/%lf", &rtt[0], &rtt[1], &rtt[2],
		      &rtt[3]) >= 3;
}

void traffic_print_ping_head(FILE *out)
{
	fprintf(out, "*** Ping: testing ping reachability\n");
	fflush(out);
}

/* Mininet's results of pingAllFull: each pair's count and times. */
static void traffic_print_rtts(FILE *out, const struct traffic_ping *res)
{
	size_t n = res->n_hosts;

	fprintf(out, "*** Results: \n");
	for (size_t s = 0; s < n; s++)
		for (size_t d = 0; d < n; d++) {
			const double *r = &res->rtt_ms[(s * n + d) * 4];

			if (d == s)
				continue;
			fprintf(out, " %s->%s: 1/%d, ", res->names[s],
				res->names[d], res->ok[s * n + d] != 0);
			fprintf(out, "rtt min/avg/max/mdev "
				"%0.3f/%0.3f/%0.3f/%0.3f ms\n",
				r[0], r[1], r[2], r[3]);
		}
}

void traffic_print_ping(FILE *out, const struct traffic_ping *res)
{
	size_t n = res->n_hosts;

	for (size_t s = 0; s < n; s++) {
		fprintf(out, "%s ->", res->names[s]);
		for (size_t d = 0; d < n; d++)
			if (d != s)
				fprintf(out, " %s", res->ok[s * n + d]
							    ? res->names[d]
							    : "X");
		fprintf(out, "\n");
	}
	if (res->full && res->rtt_ms)
		traffic_print_rtts(out, res);
	else
		fprintf(out, "*** Results: %u%% dropped (%u/%u received)\n",
			traffic_ping_dropped(res), res->received, res->sent);
	fflush(out);
}

void traffic_print_iperf_head(FILE *out, const char *udp_bw,
			      const char *client, const char *server)
{
	fprintf(out, "*** Iperf: testing %s bandwidth between %s and %s\n",
		udp_bw ? "UDP" : "TCP", client, server);
	fflush(out);
}

void traffic_print_iperf(FILE *out, const struct traffic_iperf *res)
{
	char server[48], client[48];

	traffic_format_rate(res->server_bps, server, sizeof(server));
	traffic_format_rate(res->client_bps, client, sizeof(client));
	if (res->udp_bw)
		fprintf(out, "*** Results: ['%s', '%s', '%s']\n", res->udp_bw,
			server, client);
	else
		fprintf(out, "*** Results: ['%s', '%s']\n", server, client);
	fflush(out);
}

void traffic_print_cpu(FILE *out, const double *pcts, size_t n)
{
	fprintf(out, "*** Results: [");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%.4f", i ? ", " : "", pcts[i]);
	fprintf(out, "]\n");
	fflush(out);
}

int traffic_format_rate(double bps, char *buf, size_t size)
{
	static const char *const units[] = { "bits/sec", "Kbits/sec",
					     "Mbits/sec", "Gbits/sec",
					     "Tbits/sec" };
	size_t u = 0;
	int prec;

	while (bps >= 1000 && u + 1 < ARRAY_SIZE(units)) {
		bps /= 1000;
		u++;
	}
	prec = bps < 9.995 ? 2 : bps < 99.95 ? 1 : 0;
	return snprintf(buf, size, "%.*f %s", prec, bps, units[u]);
}
