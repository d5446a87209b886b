#include "topo/graph.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"
#include "topo/plan.h"

/* OpenFlow 1.0 port numbers above this are reserved (OFPP_MAX). */
#define TOPO_GRAPH_PORT_MAX 0xfeff

struct topo_graph_switch {
	uint64_t dpid;
	char *name;		/* NULL: none given */
	bool remote;		/* served by another controller */
};

struct topo_graph_link {
	uint64_t dpid[2];
	int port[2];
	bool down[2];		/* that end's port reported down */
	bool off;		/* set down by the run */
	bool tree;		/* on the spanning tree (last compute) */
};

/* One direction of an up link, for the searches: from 'from' (switch
 * index) through its port 'port' to 'to', arriving at 'to_port'. */
struct topo_graph_edge {
	size_t from, to;
	int port, to_port;
	size_t link;		/* index into 'links' */
};

struct topo_graph {
	struct topo_graph_switch *switches;	/* sorted by dpid */
	size_t n_switches, cap_switches;
	struct topo_graph_link *links;
	size_t n_links, cap_links;
	struct topo_graph_host *hosts;
	size_t n_hosts, cap_hosts;
	/* From the last compute, for 'n_computed' switches: */
	size_t n_computed;
	int *next;		/* [from * n + to]: port, 0 self, -1 none */
	int *hops;		/* [from * n + to]: links, -1 unreachable */
};

struct topo_graph *topo_graph_create(void)
{
	return xcalloc(1, sizeof(struct topo_graph));
}

void topo_graph_destroy(struct topo_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_switches; i++)
		free(g->switches[i].name);
	free(g->switches);
	free(g->links);
	free(g->hosts);
	free(g->next);
	free(g->hops);
	free(g);
}

/* The index of switch 'dpid' or -1. */
static long topo_graph_find(const struct topo_graph *g, uint64_t dpid)
{
	size_t lo = 0, hi = g->n_switches;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->switches[mid].dpid == dpid)
			return (long)mid;
		if (g->switches[mid].dpid < dpid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int topo_graph_add_switch(struct topo_graph *g, uint64_t dpid,
			  const char *name, struct emu_err *err)
{
	size_t i = 0;

	if (!dpid)
		return emu_err_set(err, -EINVAL, "switch without dpid");
	if (topo_graph_find(g, dpid) >= 0)
		return emu_err_set(err, -EEXIST, "duplicate switch %016" PRIx64,
				   dpid);
	xgrow((void **)&g->switches, &g->cap_switches, g->n_switches + 1,
	      sizeof(*g->switches));
	while (i < g->n_switches && g->switches[i].dpid < dpid)
		i++;
	memmove(&g->switches[i + 1], &g->switches[i],
		(g->n_switches - i) * sizeof(*g->switches));
	g->switches[i].dpid = dpid;
	g->switches[i].name = name && *name ? xstrdup(name) : NULL;
	g->switches[i].remote = false;
	g->n_switches++;
	return 0;
}

int topo_graph_set_remote(struct topo_graph *g, uint64_t dpid, bool remote,
			  struct emu_err *err)
{
	long i = topo_graph_find(g, dpid);

	if (i < 0)
		return emu_err_set(err, -ENOENT, "unknown switch %016" PRIx64,
				   dpid);
	g->switches[i].remote = remote;
	return 0;
}

/* The link and end (0 or 1) at 'port' of 'dpid', or NULL. */
static struct topo_graph_link *topo_graph_link_at(const struct topo_graph *g,
						  uint64_t dpid, int port,
						  int *end)
{
	for (size_t i = 0; i < g->n_links; i++) {
		for (int e = 0; e < 2; e++) {
			if (g->links[i].dpid[e] != dpid ||
			    g->links[i].port[e] != port)
				continue;
			if (end)
				*end = e;
			return &g->links[i];
		}
	}
	return NULL;
}

static int topo_graph_check_end(const struct topo_graph *g, uint64_t dpid,
				int port, struct emu_err *err)
{
	if (topo_graph_find(g, dpid) < 0)
		return emu_err_set(err, -ENOENT, "unknown switch %016" PRIx64,
				   dpid);
	if (port < 1 || port > TOPO_GRAPH_PORT_MAX)
		return emu_err_set(err, -ERANGE,
				   "invalid port %d of switch %016" PRIx64,
				   port, dpid);
	return 0;
}

int topo_graph_add_link(struct topo_graph *g, uint64_t dpid1, int port1,
			uint64_t dpid2, int port2, struct emu_err *err)
{
	uint64_t dpids[2] = { dpid1, dpid2 };
	int ports[2] = { port1, port2 };
	struct topo_graph_link *link;

	for (int e = 0; e < 2; e++) {
		int ret = topo_graph_check_end(g, dpids[e], ports[e], err);

		if (ret)
			return ret;
		if (topo_graph_link_at(g, dpids[e], ports[e], NULL))
			return emu_err_set(err, -EEXIST,
					   "port %d of switch %016" PRIx64
					   " is in two links",
					   ports[e], dpids[e]);
	}
	if (dpid1 == dpid2 && port1 == port2)
		return emu_err_set(err, -EINVAL,
				   "link from port %d of switch %016" PRIx64
				   " to itself",
				   port1, dpid1);
	xgrow((void **)&g->links, &g->cap_links, g->n_links + 1,
	      sizeof(*g->links));
	link = &g->links[g->n_links++];
	memset(link, 0, sizeof(*link));
	for (int e = 0; e < 2; e++) {
		link->dpid[e] = dpids[e];
		link->port[e] = ports[e];
	}
	return 0;
}

int topo_graph_add_host(struct topo_graph *g, const uint8_t mac[6],
			uint64_t dpid, int port, struct emu_err *err)
{
	struct topo_graph_host *h = NULL;
	int ret = topo_graph_check_end(g, dpid, port, err);

	if (ret)
		return ret;
	for (size_t i = 0; i < g->n_hosts && !h; i++)
		if (!memcmp(g->hosts[i].mac, mac, 6))
			h = &g->hosts[i];
	if (!h) {
		xgrow((void **)&g->hosts, &g->cap_hosts, g->n_hosts + 1,
		      sizeof(*g->hosts));
		h = &g->hosts[g->n_hosts++];
		memcpy(h->mac, mac, 6);
	}
	h->dpid = dpid;
	h->port = port;
	return 0;
}

static bool topo_graph_link_up(const struct topo_graph_link *link)
{
	return !link->down[0] && !link->down[1] && !link->off;
}

int topo_graph_set_link_off(struct topo_graph *g, uint64_t dpid, int port,
			    bool off, struct emu_err *err)
{
	struct topo_graph_link *link = topo_graph_link_at(g, dpid, port, NULL);

	if (!link)
		return emu_err_set(err, -ENOENT,
				   "no link at port %d of switch %016" PRIx64,
				   port, dpid);
	link->off = off;
	return 0;
}

bool topo_graph_set_port_up(struct topo_graph *g, uint64_t dpid, int port,
			    bool up)
{
	int end;
	struct topo_graph_link *link = topo_graph_link_at(g, dpid, port, &end);
	bool was;

	if (!link)
		return false;
	was = topo_graph_link_up(link);
	link->down[end] = !up;
	return was != topo_graph_link_up(link);
}

bool topo_graph_set_switch_down(struct topo_graph *g, uint64_t dpid)
{
	bool changed = false;

	if (topo_graph_is_remote(g, dpid))
		return false;
	for (size_t i = 0; i < g->n_links; i++) {
		struct topo_graph_link *l = &g->links[i];
		bool was = topo_graph_link_up(l);

		for (int e = 0; e < 2; e++)
			if (l->dpid[e] == dpid)
				l->down[e] = true;
		changed |= was != topo_graph_link_up(l);
	}
	return changed;
}

/* Parses a dpid: 1 to 16 hexadecimal digits, "0x" allowed, not 0. */
static int topo_graph_parse_dpid(const char *s, uint64_t *dpid)
{
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (!*s || strlen(s) > 16 || strspn(s, "0123456789abcdefABCDEF") !=
						     strlen(s))
		return -EINVAL;
	*dpid = strtoull(s, &end, 16);
	return *end || !*dpid ? -EINVAL : 0;
}

static int topo_graph_parse_port(const char *s, int *port)
{
	long v;

	if (str_to_long(s, 1, TOPO_GRAPH_PORT_MAX, &v))
		return -EINVAL;
	*port = (int)v;
	return 0;
}

/* Parses the words of one line. */
static int topo_graph_parse_line(struct topo_graph *g, char **w, size_t n,
				 struct emu_err *err)
{
	uint64_t d1, d2;
	uint8_t mac[6];
	int p1, p2, ret;

	if (!strcmp(w[0], "switch") || !strcmp(w[0], "remote")) {
		if (n < 2 || n > 3)
			return emu_err_set(err, -EINVAL,
					   "expected '%s <dpid> [<name>]'",
					   w[0]);
		if (topo_graph_parse_dpid(w[1], &d1))
			return emu_err_set(err, -EINVAL, "invalid dpid '%s'",
					   w[1]);
		ret = topo_graph_add_switch(g, d1, n == 3 ? w[2] : NULL, err);
		if (!ret && w[0][0] == 'r')
			ret = topo_graph_set_remote(g, d1, true, err);
		return ret;
	}
	if (!strcmp(w[0], "link")) {
		if (n != 5 && (n != 6 || strcmp(w[5], "down")))
			return emu_err_set(err, -EINVAL,
					   "expected 'link <dpid1> <port1> "
					   "<dpid2> <port2> [down]'");
		if (topo_graph_parse_dpid(w[1], &d1) ||
		    topo_graph_parse_dpid(w[3], &d2))
			return emu_err_set(err, -EINVAL, "invalid dpid '%s'",
					   topo_graph_parse_dpid(w[1], &d1)
						   ? w[1]
						   : w[3]);
		if (topo_graph_parse_port(w[2], &p1) ||
		    topo_graph_parse_port(w[4], &p2))
			return emu_err_set(err, -EINVAL, "invalid port '%s'",
					   topo_graph_parse_port(w[2], &p1)
						   ? w[2]
						   : w[4]);
		ret = topo_graph_add_link(g, d1, p1, d2, p2, err);
		if (!ret && n == 6)
			ret = topo_graph_set_link_off(g, d1, p1, true, err);
		return ret;
	}
	if (!strcmp(w[0], "host")) {
		if (n != 4)
			return emu_err_set(err, -EINVAL,
					   "expected 'host <mac> <dpid> "
					   "<port>'");
		ret = plan_parse_mac(w[1], mac, err);
		if (ret)
			return ret;
		if (topo_graph_parse_dpid(w[2], &d1))
			return emu_err_set(err, -EINVAL, "invalid dpid '%s'",
					   w[2]);
		if (topo_graph_parse_port(w[3], &p1))
			return emu_err_set(err, -EINVAL, "invalid port '%s'",
					   w[3]);
		return topo_graph_add_host(g, mac, d1, p1, err);
	}
	return emu_err_set(err, -EINVAL, "unknown item '%s'", w[0]);
}

int topo_graph_parse(struct topo_graph *g, const char *text,
		     struct emu_err *err)
{
	char *copy = xstrdup(text), *save_line = NULL;
	unsigned int lineno = 0;
	int ret = 0;

	/* strtok_r would skip empty lines and miscount: split by hand. */
	for (char *line = copy; line && !ret; line = save_line) {
		char *w[6], *save = NULL;
		size_t n = 0;

		save_line = strchr(line, '\n');
		if (save_line)
			*save_line++ = '\0';
		lineno++;
		line[strcspn(line, "#")] = '\0';
		for (char *t = strtok_r(line, " \t\r", &save); t;
		     t = strtok_r(NULL, " \t\r", &save)) {
			if (n == ARRAY_SIZE(w)) {
				ret = emu_err_set(err, -EINVAL,
						  "too many words");
				break;
			}
			w[n++] = t;
		}
		if (!ret && n)
			ret = topo_graph_parse_line(g, w, n, err);
		if (ret)
			emu_err_prefix(err, "line %u: ", lineno);
	}
	free(copy);
	return ret;
}

int topo_graph_load(struct topo_graph *g, const char *path,
		    struct emu_err *err)
{
	size_t len = 0, cap = 4096, n;
	char *text;
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return emu_err_set(err, -errno, "cannot open '%s': %s", path,
				   strerror(errno));
	text = xmalloc(cap);
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 1024)
			text = xrealloc(text, cap *= 2);
	}
	text[len] = '\0';
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (ret)
		emu_err_set(err, ret, "cannot read '%s'", path);
	else
		ret = topo_graph_parse(g, text, err);
	if (ret)
		emu_err_prefix(err, "%s: ", path);
	free(text);
	return ret;
}

char *topo_graph_format(const struct topo_graph *g)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		abort();
	fprintf(f, "# cnemu topology: %zu switches, %zu links, %zu hosts\n",
		g->n_switches, g->n_links, g->n_hosts);
	for (size_t i = 0; i < g->n_switches; i++)
		fprintf(f, "%s %016" PRIx64 "%s%s\n",
			g->switches[i].remote ? "remote" : "switch",
			g->switches[i].dpid,
			g->switches[i].name ? " " : "",
			g->switches[i].name ? g->switches[i].name : "");
	for (size_t i = 0; i < g->n_links; i++) {
		const struct topo_graph_link *l = &g->links[i];

		fprintf(f, "link %016" PRIx64 " %d %016" PRIx64 " %d%s\n",
			l->dpid[0], l->port[0], l->dpid[1], l->port[1],
			l->off ? " down" : "");
	}
	for (size_t i = 0; i < g->n_hosts; i++) {
		const struct topo_graph_host *h = &g->hosts[i];

		fprintf(f,
			"host %02x:%02x:%02x:%02x:%02x:%02x %016" PRIx64
			" %d\n",
			h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4],
			h->mac[5], h->dpid, h->port);
	}
	if (fclose(f))
		abort();
	return text;
}

int topo_graph_save(const struct topo_graph *g, const char *path,
		    struct emu_err *err)
{
	char *text = topo_graph_format(g);
	char *tmp = xasprintf("%s.tmp", path);
	size_t len = strlen(text);
	FILE *f = fopen(tmp, "w");
	int ret = 0;

	if (!f) {
		ret = emu_err_set(err, -errno, "cannot create '%s': %s", tmp,
				  strerror(errno));
		goto out;
	}
	if (fwrite(text, 1, len, f) != len)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		emu_err_set(err, ret, "cannot write '%s': %s", path,
			    strerror(-ret));
		unlink(tmp);
	}
out:
	free(tmp);
	free(text);
	return ret;
}

/* Orders edges by their switch, then the neighbour's dpid, then the port:
 * the searches meet neighbours in that order, which makes ties fall the
 * same way on every run. */
static const struct topo_graph *topo_graph_sorting;

static int topo_graph_cmp_edge(const void *a, const void *b)
{
	const struct topo_graph_edge *x = a, *y = b;
	uint64_t dx = topo_graph_sorting->switches[x->to].dpid;
	uint64_t dy = topo_graph_sorting->switches[y->to].dpid;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->port - y->port;
}

/* The edges of the up links, both directions, sorted; 'first[i]' is the
 * first edge of switch 'i' ('first[n]' the total). */
static struct topo_graph_edge *topo_graph_edges(const struct topo_graph *g,
						size_t *first)
{
	size_t n = g->n_switches, k = 0;
	struct topo_graph_edge *e = xcalloc(2 * g->n_links + 1, sizeof(*e));

	for (size_t i = 0; i < g->n_links; i++) {
		const struct topo_graph_link *l = &g->links[i];
		size_t a, b;

		if (!topo_graph_link_up(l))
			continue;
		a = (size_t)topo_graph_find(g, l->dpid[0]);
		b = (size_t)topo_graph_find(g, l->dpid[1]);
		e[k++] = (struct topo_graph_edge){ a, b, l->port[0],
						   l->port[1], i };
		e[k++] = (struct topo_graph_edge){ b, a, l->port[1],
						   l->port[0], i };
	}
	topo_graph_sorting = g;
	qsort(e, k, sizeof(*e), topo_graph_cmp_edge);
	topo_graph_sorting = NULL;
	memset(first, 0, (n + 1) * sizeof(*first));
	for (size_t i = 0; i < k; i++)
		first[e[i].from + 1]++;
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	return e;
}

/* Breadth-first distances from 'src' into 'dist' (-1: unreachable). */
/* Breadth first from 'src' over the switches not yet reached ('dist' < 0;
 * the caller sets it to -1 for all first), recording hop counts in 'dist'
 * and, when 'links' is given, marking the links used as tree links. */
static void topo_graph_bfs(const struct topo_graph_edge *e,
			   const size_t *first, size_t src, int *dist,
			   size_t *queue, struct topo_graph_link *links)
{
	size_t head = 0, tail = 0;

	dist[src] = 0;
	queue[tail++] = src;
	while (head < tail) {
		size_t u = queue[head++];

		for (size_t k = first[u]; k < first[u + 1]; k++) {
			if (dist[e[k].to] >= 0)
				continue;
			dist[e[k].to] = dist[u] + 1;
			if (links)
				links[e[k].link].tree = true;
			queue[tail++] = e[k].to;
		}
	}
}

void topo_graph_compute(struct topo_graph *g)
{
	size_t n = g->n_switches;
	size_t *first = xcalloc(n + 1, sizeof(*first));
	size_t *queue = xcalloc(n + 1, sizeof(*queue));
	int *dist = xcalloc(n + 1, sizeof(*dist));
	struct topo_graph_edge *e = topo_graph_edges(g, first);

	free(g->next);
	free(g->hops);
	g->n_computed = n;
	g->next = xcalloc(n * n + 1, sizeof(*g->next));
	g->hops = xcalloc(n * n + 1, sizeof(*g->hops));
	/* Paths: distances from each destination; each switch then leaves
	 * through its first edge (in sorted order) to a switch one hop
	 * nearer.  Every step gets nearer, so the paths to one destination
	 * form a tree and cannot loop. */
	for (size_t to = 0; to < n; to++) {
		for (size_t i = 0; i < n; i++)
			dist[i] = -1;
		topo_graph_bfs(e, first, to, dist, queue, NULL);
		for (size_t from = 0; from < n; from++) {
			int *next = &g->next[from * n + to];

			g->hops[from * n + to] = dist[from];
			*next = from == to ? 0 : -1;
			for (size_t k = first[from];
			     k < first[from + 1] && *next < 0 && dist[from] > 0;
			     k++)
				if (dist[e[k].to] == dist[from] - 1)
					*next = e[k].port;
		}
	}
	/* The spanning tree: breadth first from the lowest dpid of each
	 * connected part. */
	for (size_t i = 0; i < g->n_links; i++)
		g->links[i].tree = false;
	for (size_t i = 0; i < n; i++)
		dist[i] = -1;
	for (size_t root = 0; root < n; root++)
		if (dist[root] < 0)
			topo_graph_bfs(e, first, root, dist, queue, g->links);
	free(e);
	free(dist);
	free(queue);
	free(first);
}

size_t topo_graph_n_switches(const struct topo_graph *g)
{
	return g->n_switches;
}

uint64_t topo_graph_dpid(const struct topo_graph *g, size_t i)
{
	return i < g->n_switches ? g->switches[i].dpid : 0;
}

const char *topo_graph_name(const struct topo_graph *g, uint64_t dpid)
{
	long i = topo_graph_find(g, dpid);

	return i < 0 ? NULL : g->switches[i].name;
}

bool topo_graph_has_switch(const struct topo_graph *g, uint64_t dpid)
{
	return topo_graph_find(g, dpid) >= 0;
}

bool topo_graph_is_remote(const struct topo_graph *g, uint64_t dpid)
{
	long i = topo_graph_find(g, dpid);

	return i >= 0 && g->switches[i].remote;
}

size_t topo_graph_n_links(const struct topo_graph *g)
{
	return g->n_links;
}

size_t topo_graph_n_hosts(const struct topo_graph *g)
{
	return g->n_hosts;
}

const struct topo_graph_host *topo_graph_host(const struct topo_graph *g,
					      size_t i)
{
	return i < g->n_hosts ? &g->hosts[i] : NULL;
}

/* The index into the computed tables of 'from' and 'to', false if either
 * is unknown or came after the last compute. */
static bool topo_graph_pair(const struct topo_graph *g, uint64_t from,
			    uint64_t to, size_t *index)
{
	long f = topo_graph_find(g, from), t = topo_graph_find(g, to);

	if (f < 0 || t < 0 || g->n_computed != g->n_switches)
		return false;
	*index = (size_t)f * g->n_computed + (size_t)t;
	return true;
}

int topo_graph_next_port(const struct topo_graph *g, uint64_t from,
			 uint64_t to)
{
	size_t i;

	return topo_graph_pair(g, from, to, &i) ? g->next[i] : -1;
}

int topo_graph_hops(const struct topo_graph *g, uint64_t from, uint64_t to)
{
	size_t i;

	return topo_graph_pair(g, from, to, &i) ? g->hops[i] : -1;
}

bool topo_graph_is_link_port(const struct topo_graph *g, uint64_t dpid,
			     int port)
{
	return topo_graph_link_at(g, dpid, port, NULL) != NULL;
}

bool topo_graph_is_tree_port(const struct topo_graph *g, uint64_t dpid,
			     int port)
{
	const struct topo_graph_link *l = topo_graph_link_at(g, dpid, port,
							     NULL);

	return l && l->tree && topo_graph_link_up(l);
}

size_t topo_graph_flood_ports(const struct topo_graph *g, uint64_t dpid,
			      const int *ports, size_t n, int in_port,
			      int *out)
{
	size_t k = 0;

	if (topo_graph_is_link_port(g, dpid, in_port) &&
	    !topo_graph_is_tree_port(g, dpid, in_port))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (ports[i] == in_port)
			continue;
		if (topo_graph_is_link_port(g, dpid, ports[i]) &&
		    !topo_graph_is_tree_port(g, dpid, ports[i]))
			continue;
		out[k++] = ports[i];
	}
	return k;
}
