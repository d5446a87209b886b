#include "cluster/plan.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/kinds.h"
#include "node/node.h"
#include "topo/index.h"

/* How many rounds of moves and swaps the refinement makes at most. */
#define PLAN_ROUNDS 50
/* Swaps are tried between boundary nodes only while there are at most so
 * many of them (the pairs grow with the square). */
#define PLAN_SWAP_MAX 2000

/* The Net as a weighted graph, in node indexes (net_nodes() order). */
struct p_graph {
	size_t n, n_m;			/* nodes, machines */
	unsigned int *weight;		/* 1; controllers 0 */
	size_t *start;			/* CSR: node u's edges are
					   [start[u], start[u + 1]) */
	size_t *to;			/* the edge's other node */
	uint64_t *ew;			/* the edge's weight, Mbit/s */
	uint64_t *deg;			/* the sum of u's edge weights */
	unsigned char *allowed;		/* [u * n_m + m]: u may go on m */
	double *share;			/* [m]: its part of the nodes */
	double *target;			/* [m]: share times the weight */
	double *cap;			/* [m]: the most it takes */
	double *load;			/* [m]: the weight placed there */
	size_t *at;			/* [u]: u's machine; SIZE_MAX: none */
};

static void p_graph_release(struct p_graph *g)
{
	free(g->weight);
	free(g->start);
	free(g->to);
	free(g->ew);
	free(g->deg);
	free(g->allowed);
	free(g->share);
	free(g->target);
	free(g->cap);
	free(g->load);
	free(g->at);
}

uint64_t plan_link_mbit(const struct net *net, size_t i)
{
	size_t n;
	struct link *link = net_links(net, &n)[i];
	uint64_t best = 0;

	for (int end = 0; end < 2; end++) {
		uint64_t bps = link_shaping(link, end)->rate_bps;
		uint64_t mbit = bps ? (bps + 999999) / 1000000
				    : PLAN_UNSHAPED_MBIT;

		if (mbit > best)
			best = mbit;
	}
	return best;
}

/* The index of the node at an end of 'link', through 'names'. */
static size_t p_end(const struct topo_index *names, const struct link *link,
		    int end)
{
	const struct node_intf *intf = end ? link_intf2(link)
					   : link_intf1(link);

	return (size_t)(uintptr_t)topo_index_find(names,
						  node_name(intf->node)) - 1;
}

/* "m1, m2, m3": the machines' names, for a message (a static buffer,
 * cut short past 200 characters). */
static const char *p_names(const struct plan_machine *m, size_t n)
{
	static char buf[200];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? ", " : "", m[i].name);
	return buf;
}

/* A copy of the 'n' elements of 'size' at 'p'. */
static void *p_dup(const void *p, size_t n, size_t size)
{
	void *copy = xcalloc(n + 1, size);

	memcpy(copy, p, n * size);
	return copy;
}

bool plan_pin_matches(const char *pin, const struct plan_machine *m)
{
	if (!strcmp(m->name, pin))
		return true;
	for (size_t j = 0; strchr(pin, '=') && j < m->n_labels; j++)
		if (!strcmp(m->labels[j], pin))
			return true;
	return false;
}

/* Which machines node 'node' may go on: those its pin names, else all.
 * -EINVAL when the pin names none. */
static int p_allow(struct p_graph *g, size_t u, const struct node *node,
		   const struct plan_machine *m, struct emu_err *err)
{
	const char *pin = node_placement(node);
	unsigned char *row = &g->allowed[u * g->n_m];
	bool any = false;

	if (!pin) {
		memset(row, 1, g->n_m);
		return 0;
	}
	for (size_t i = 0; i < g->n_m; i++) {
		row[i] = plan_pin_matches(pin, &m[i]);
		any |= row[i];
	}
	if (any)
		return 0;
	return emu_err_set(err, -EINVAL,
			   "'%s': placement '%s' names no machine of the "
			   "cluster (%s)",
			   node_name(node), pin, p_names(m, g->n_m));
}

/* Each machine's share of the nodes: the mean of its parts of the
 * cluster's cores and of its memory (what is known of them), and the
 * room that gives it. */
static void p_shares(struct p_graph *g, const struct plan_machine *m)
{
	double cores = 0, mem = 0, total = 0;
	size_t u;

	for (size_t i = 0; i < g->n_m; i++) {
		cores += m[i].cores;
		mem += (double)m[i].mem_bytes;
	}
	for (u = 0; u < g->n; u++)
		total += g->weight[u];
	for (size_t i = 0; i < g->n_m; i++) {
		double parts = 0, s = 0;

		if (cores > 0) {
			s += m[i].cores / cores;
			parts++;
		}
		if (mem > 0) {
			s += (double)m[i].mem_bytes / mem;
			parts++;
		}
		g->share[i] = parts ? s / parts : 1.0 / (double)g->n_m;
		g->target[i] = g->share[i] * total;
		g->cap[i] = ceil(g->target[i] * (100 + PLAN_SLACK_PCT) / 100);
		if (g->cap[i] < ceil(g->target[i] - 1e-9))
			g->cap[i] = ceil(g->target[i] - 1e-9);
	}
}

/* Builds the graph of 'net': nodes, links as edges weighted by their
 * bandwidth, pins as allowed machines. */
static int p_graph_build(struct p_graph *g, const struct net *net,
			 const struct plan_machine *m, size_t n_m,
			 struct emu_err *err)
{
	struct topo_index names;
	struct node **nodes;
	size_t n_links, *fill;
	int ret = 0;

	memset(g, 0, sizeof(*g));
	nodes = net_nodes(net, &g->n);
	net_links(net, &n_links);
	g->n_m = n_m;
	g->weight = xcalloc(g->n + 1, sizeof(*g->weight));
	g->start = xcalloc(g->n + 1, sizeof(*g->start));
	g->to = xcalloc(2 * n_links + 1, sizeof(*g->to));
	g->ew = xcalloc(2 * n_links + 1, sizeof(*g->ew));
	g->deg = xcalloc(g->n + 1, sizeof(*g->deg));
	g->allowed = xcalloc(g->n * n_m + 1, 1);
	g->share = xcalloc(n_m, sizeof(*g->share));
	g->target = xcalloc(n_m, sizeof(*g->target));
	g->cap = xcalloc(n_m, sizeof(*g->cap));
	g->load = xcalloc(n_m, sizeof(*g->load));
	g->at = xcalloc(g->n + 1, sizeof(*g->at));
	topo_index_init(&names);
	for (size_t u = 0; u < g->n; u++) {
		topo_index_add(&names, node_name(nodes[u]),
			       (void *)(uintptr_t)(u + 1));
		g->weight[u] = node_role(nodes[u]) != NODE_CONTROLLER;
		g->at[u] = SIZE_MAX;
		if (!ret)
			ret = p_allow(g, u, nodes[u], m, err);
	}
	/* edges: counted, then filled in node order */
	for (size_t i = 0; i < n_links; i++) {
		struct link *link = net_links(net, &n_links)[i];

		g->start[p_end(&names, link, 0) + 1]++;
		g->start[p_end(&names, link, 1) + 1]++;
	}
	for (size_t u = 0; u < g->n; u++)
		g->start[u + 1] += g->start[u];
	fill = p_dup(g->start, g->n + 1, sizeof(*fill));
	for (size_t i = 0; i < n_links; i++) {
		struct link *link = net_links(net, &n_links)[i];
		size_t a = p_end(&names, link, 0), b = p_end(&names, link, 1);
		uint64_t w = plan_link_mbit(net, i);

		g->to[fill[a]] = b;
		g->ew[fill[a]++] = w;
		g->to[fill[b]] = a;
		g->ew[fill[b]++] = w;
		g->deg[a] += w;
		g->deg[b] += w;
	}
	free(fill);
	topo_index_release(&names);
	p_shares(g, m);
	return ret;
}

static size_t p_n_allowed(const struct p_graph *g, size_t u, size_t *which)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n_m; i++) {
		if (g->allowed[u * g->n_m + i]) {
			*which = i;
			k++;
		}
	}
	return k;
}

static void p_put(struct p_graph *g, size_t u, size_t m)
{
	if (g->at[u] != SIZE_MAX)
		g->load[g->at[u]] -= g->weight[u];
	g->at[u] = m;
	g->load[m] += g->weight[u];
}

/* The weight of u's edges to each machine, into 'conn' (n_m). */
static void p_conn(const struct p_graph *g, size_t u, uint64_t *conn)
{
	memset(conn, 0, g->n_m * sizeof(*conn));
	for (size_t e = g->start[u]; e < g->start[u + 1]; e++)
		if (g->at[g->to[e]] != SIZE_MAX)
			conn[g->at[g->to[e]]] += g->ew[e];
}

/* How full machine 'm' is for its share (a machine of no share is full
 * as soon as it holds anything). */
static double p_fill(const struct p_graph *g, size_t m)
{
	if (g->share[m] > 0)
		return g->load[m] / g->share[m];
	return g->load[m] > 0 ? INFINITY : 0;
}

static bool p_room(const struct p_graph *g, size_t u, size_t m)
{
	return g->load[m] + g->weight[u] <= g->cap[m] + 1e-9;
}

/* Grows machine 'm''s region from what it holds: each step takes the
 * unplaced node with the most edge weight into the region less that
 * leading elsewhere (leaves before the switches that lead on), else, with
 * none linked to it, the unplaced node of the largest degree; until the
 * region is as near its target as it gets. */
static void p_grow(struct p_graph *g, size_t m, uint64_t *in)
{
	memset(in, 0, g->n * sizeof(*in));
	for (size_t u = 0; u < g->n; u++)
		if (g->at[u] == m)
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++)
				in[g->to[e]] += g->ew[e];
	for (;;) {
		size_t best = SIZE_MAX;
		double best_gain = -INFINITY;
		bool linked = false;

		for (size_t u = 0; u < g->n; u++) {
			double gain;

			if (g->at[u] != SIZE_MAX || !g->weight[u] ||
			    !g->allowed[u * g->n_m + m])
				continue;
			if (in[u] > 0) {
				gain = 2.0 * (double)in[u] - (double)g->deg[u];
				if (!linked || gain > best_gain) {
					best = u;
					best_gain = gain;
				}
				linked = true;
			} else if (!linked && (double)g->deg[u] > best_gain) {
				best = u;
				best_gain = (double)g->deg[u];
			}
		}
		if (best == SIZE_MAX ||
		    g->load[m] + g->weight[best] / 2.0 > g->target[m])
			return;
		p_put(g, best, m);
		for (size_t e = g->start[best]; e < g->start[best + 1]; e++)
			in[g->to[e]] += g->ew[e];
	}
}

/* Places what the regions left: each on the allowed machine with room it
 * has most edge weight to, ties to the emptiest; without room anywhere,
 * on the emptiest it may go on. */
static void p_place_rest(struct p_graph *g, uint64_t *conn)
{
	for (size_t u = 0; u < g->n; u++) {
		size_t best = SIZE_MAX;
		bool room = false;

		if (g->at[u] != SIZE_MAX)
			continue;
		if (!g->weight[u]) {	/* a controller: the first allowed */
			for (best = 0; !g->allowed[u * g->n_m + best]; best++)
				;
			p_put(g, u, best);
			continue;
		}
		p_conn(g, u, conn);
		for (size_t i = 0; i < g->n_m; i++) {
			bool r = p_room(g, u, i);

			if (!g->allowed[u * g->n_m + i] || (room && !r))
				continue;
			if (best == SIZE_MAX || (r && !room) ||
			    conn[i] > conn[best] ||
			    (conn[i] == conn[best] &&
			     p_fill(g, i) < p_fill(g, best)))
				best = i;
			room |= r;
		}
		p_put(g, u, best);
	}
}

/* Moves single nodes to the machine that lowers the cut most, within
 * the room of each; true when any moved. */
static bool p_moves(struct p_graph *g, uint64_t *conn)
{
	bool moved = false;

	for (size_t u = 0; u < g->n; u++) {
		size_t from = g->at[u], best = from;
		int64_t best_gain = 0;

		if (!g->weight[u])
			continue;
		p_conn(g, u, conn);
		for (size_t i = 0; i < g->n_m; i++) {
			int64_t gain = (int64_t)conn[i] - (int64_t)conn[from];

			if (i != from && g->allowed[u * g->n_m + i] &&
			    p_room(g, u, i) && gain > best_gain) {
				best = i;
				best_gain = gain;
			}
		}
		if (best != from) {
			p_put(g, u, best);
			moved = true;
		}
	}
	return moved;
}

/* The weight of the edges between 'u' and 'v'. */
static uint64_t p_between(const struct p_graph *g, size_t u, size_t v)
{
	uint64_t w = 0;

	for (size_t e = g->start[u]; e < g->start[u + 1]; e++)
		if (g->to[e] == v)
			w += g->ew[e];
	return w;
}

/* Swaps two nodes of two machines when that lowers the cut (the balance
 * stays: both weigh 1); true when any were swapped. */
static bool p_swaps(struct p_graph *g, uint64_t *cu, uint64_t *cv)
{
	size_t *bound = xcalloc(g->n + 1, sizeof(*bound)), nb = 0;
	bool swapped = false;

	for (size_t u = 0; u < g->n; u++) {
		if (!g->weight[u])
			continue;
		for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
			if (g->at[g->to[e]] != g->at[u]) {
				bound[nb++] = u;
				break;
			}
		}
	}
	for (size_t i = 0; nb <= PLAN_SWAP_MAX && i < nb; i++) {
		size_t u = bound[i];

		p_conn(g, u, cu);
		for (size_t j = i + 1; j < nb; j++) {
			size_t v = bound[j], a = g->at[u], b = g->at[v];
			int64_t gain;

			if (a == b || !g->allowed[u * g->n_m + b] ||
			    !g->allowed[v * g->n_m + a])
				continue;
			p_conn(g, v, cv);
			gain = (int64_t)cu[b] - (int64_t)cu[a] +
			       (int64_t)cv[a] - (int64_t)cv[b] -
			       2 * (int64_t)p_between(g, u, v);
			if (gain <= 0)
				continue;
			g->at[u] = b;	/* equal weights: loads stay */
			g->at[v] = a;
			swapped = true;
			p_conn(g, u, cu);
		}
	}
	free(bound);
	return swapped;
}

int plan_place(const struct net *net, const struct plan_machine *m,
	       size_t n_machines, struct placement *out,
	       struct emu_err *err)
{
	struct p_graph g;
	uint64_t *scratch, *scratch2;
	size_t n_links, one;
	struct link **links;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!n_machines)
		return emu_err_set(err, -EINVAL,
				   "the cluster has no machine ready to run "
				   "nodes");
	ret = p_graph_build(&g, net, m, n_machines, err);
	if (ret) {
		p_graph_release(&g);
		return ret;
	}
	scratch = xcalloc(g.n + n_machines + 1, sizeof(*scratch));
	scratch2 = xcalloc(n_machines + 1, sizeof(*scratch2));
	for (size_t u = 0; u < g.n; u++)	/* pinned to one machine */
		if (p_n_allowed(&g, u, &one) == 1)
			p_put(&g, u, one);
	for (size_t i = 0; i < n_machines; i++)
		p_grow(&g, i, scratch);
	p_place_rest(&g, scratch);
	for (int r = 0; r < PLAN_ROUNDS; r++) {
		bool moved = p_moves(&g, scratch);

		if (!p_swaps(&g, scratch, scratch2) && !moved)
			break;
	}
	out->n_nodes = g.n;
	out->machine = p_dup(g.at, g.n, sizeof(*g.at));
	links = net_links(net, &n_links);
	out->n_links = n_links;
	out->cuts = xcalloc(n_links + 1, sizeof(*out->cuts));
	{
		struct topo_index names;
		struct node **nodes = net_nodes(net, &one);

		topo_index_init(&names);
		for (size_t u = 0; u < g.n; u++)
			topo_index_add(&names, node_name(nodes[u]),
				       (void *)(uintptr_t)(u + 1));
		for (size_t i = 0; i < n_links; i++) {
			size_t a = g.at[p_end(&names, links[i], 0)];
			size_t b = g.at[p_end(&names, links[i], 1)];

			if (a == b)
				continue;
			out->cuts[out->n_cuts] = (struct plan_cut){
				.link = i, .m1 = a, .m2 = b,
				.vni = PLAN_VNI_BASE + (uint32_t)out->n_cuts,
			};
			out->n_cuts++;
		}
		topo_index_release(&names);
	}
	free(scratch);
	free(scratch2);
	p_graph_release(&g);
	return 0;
}

void placement_release(struct placement *p)
{
	free(p->machine);
	free(p->cuts);
	memset(p, 0, sizeof(*p));
}

/* "3.8 GiB", "512 MiB", "?" */
static const char *p_mem(uint64_t bytes, char *buf, size_t size)
{
	if (!bytes)
		snprintf(buf, size, "?");
	else if (bytes >= (1ull << 30))
		snprintf(buf, size, "%.1f GiB", (double)bytes / (1ull << 30));
	else
		snprintf(buf, size, "%llu MiB",
			 (unsigned long long)(bytes >> 20));
	return buf;
}

void plan_print(FILE *f, const struct net *net, const struct plan_machine *m,
		size_t n_machines, const struct placement *pl)
{
	size_t n_nodes, n_links, width = 4, mwidth = 7;
	struct node **nodes = net_nodes(net, &n_nodes);
	struct link **links = net_links(net, &n_links);
	uint64_t cut_mbit = 0;
	char mem[32];

	for (size_t i = 0; i < n_machines; i++)
		if (strlen(m[i].name) > mwidth)
			mwidth = strlen(m[i].name);
	fprintf(f, "*** Placement of %zu nodes over %zu machines: %zu of %zu "
		   "links cut\n",
		pl->n_nodes, n_machines, pl->n_cuts, pl->n_links);
	fprintf(f, "%-*s %5s %10s %6s %10s %8s %11s\n", (int)mwidth,
		"machine", "cores", "memory", "hosts", "containers",
		"switches", "controllers");
	for (size_t i = 0; i < n_machines; i++) {
		size_t count[4] = { 0 };	/* hosts, containers, ... */

		for (size_t u = 0; u < pl->n_nodes && u < n_nodes; u++) {
			if (pl->machine[u] != i)
				continue;
			if (node_role(nodes[u]) == NODE_SWITCH)
				count[2]++;
			else if (node_role(nodes[u]) == NODE_CONTROLLER)
				count[3]++;
			else if (node_has_caps(nodes[u], NODE_KIND_CONTAINER))
				count[1]++;
			else
				count[0]++;
		}
		fprintf(f, "%-*s %5u %10s %6zu %10zu %8zu %11zu\n",
			(int)mwidth, m[i].name, m[i].cores,
			p_mem(m[i].mem_bytes, mem, sizeof(mem)), count[0],
			count[1], count[2], count[3]);
	}
	for (size_t u = 0; u < n_nodes; u++)
		if (strlen(node_name(nodes[u])) > width)
			width = strlen(node_name(nodes[u]));
	fprintf(f, "*** Nodes\n%-*s machine\n", (int)width, "node");
	for (size_t u = 0; u < pl->n_nodes && u < n_nodes; u++)
		fprintf(f, "%-*s %s%s%s%s\n", (int)width, node_name(nodes[u]),
			m[pl->machine[u]].name,
			node_placement(nodes[u]) ? "  (placement " : "",
			node_placement(nodes[u]) ? node_placement(nodes[u])
						 : "",
			node_placement(nodes[u]) ? ")" : "");
	fprintf(f, "*** Cut links: %zu (a VXLAN tunnel each)\n", pl->n_cuts);
	for (size_t c = 0; c < pl->n_cuts; c++) {
		const struct plan_cut *cut = &pl->cuts[c];
		struct link *link = links[cut->link];
		uint64_t mbit = plan_link_mbit(net, cut->link);
		char bw[32];

		if (mbit >= PLAN_UNSHAPED_MBIT &&
		    !link_shaping(link, 0)->rate_bps &&
		    !link_shaping(link, 1)->rate_bps)
			snprintf(bw, sizeof(bw), "no rate");
		else
			snprintf(bw, sizeof(bw), "%llu Mbit/s",
				 (unsigned long long)mbit);
		cut_mbit += mbit;
		fprintf(f, "%s <-> %s  %s <-> %s  %s  vni %u\n",
			link_intf1(link)->name, link_intf2(link)->name,
			m[cut->m1].name, m[cut->m2].name, bw, cut->vni);
	}
	if (pl->n_cuts)
		fprintf(f, "*** Cut bandwidth: %llu Mbit/s (a link without a "
			   "rate counts %u)\n",
			(unsigned long long)cut_mbit, PLAN_UNSHAPED_MBIT);
}
