/* libFuzzer target: the built-in controller's topology file
 * (topo_graph_parse(), topo/graph.c), and the paths, tree and flood ports
 * computed from what it reads.
 *
 * The input is the text of a file.  A file that parses must write back
 * (topo_graph_format()) as a text that parses to the same text; failures
 * name the line; next hops lead to their destination in 'hops' steps;
 * a broadcast never leaves where it entered. */
#include "tests/fuzz/fuzz.h"

#include <errno.h>

#include "topo/graph.h"

/* The graph's searches are quadratic in switches: keep inputs quick. */
#define FUZZ_GRAPH_MAX_SWITCHES 64

/* The switch that port 'port' of 'from' leads to, by the links of the
 * file text 'text'; 0 for none. */
static uint64_t fuzz_follow(uint64_t from, int port, const char *text)
{
	const char *line = text;

	while ((line = strstr(line, "\nlink "))) {
		unsigned long long d1, d2;
		int p1, p2;

		line++;
		if (sscanf(line, "link %llx %d %llx %d", &d1, &p1, &d2,
			   &p2) != 4)
			continue;
		if (d1 == from && p1 == port)
			return d2;
		if (d2 == from && p2 == port)
			return d1;
	}
	return 0;
}

static void fuzz_check_paths(struct topo_graph *g, const char *text)
{
	size_t n = topo_graph_n_switches(g);
	int ports[8], out[8];

	topo_graph_compute(g);
	for (size_t i = 0; i < n; i++) {
		uint64_t from = topo_graph_dpid(g, i);

		if (i)
			fuzz_check(topo_graph_dpid(g, i - 1) < from,
				   "switches out of order");
		for (size_t j = 0; j < n; j++) {
			uint64_t to = topo_graph_dpid(g, j), at = from;
			int hops = topo_graph_hops(g, from, to);
			int port = topo_graph_next_port(g, from, to);

			fuzz_check(hops == topo_graph_hops(g, to, from),
				   "hops not symmetric");
			fuzz_check((hops < 0) == (port < 0) &&
					   (hops == 0) == (port == 0),
				   "hops %d, port %d", hops, port);
			/* Walk the next hops: 'hops' links to 'to'. */
			for (int k = 0; k < hops; k++) {
				port = topo_graph_next_port(g, at, to);
				fuzz_check(port > 0 && topo_graph_is_link_port(
							       g, at, port),
					   "next port %d", port);
				at = fuzz_follow(at, port, text);
				fuzz_check(at && topo_graph_hops(g, at, to) ==
							 hops - k - 1,
					   "hop %d to %016llx", k,
					   (unsigned long long)to);
			}
			fuzz_check(hops < 0 || at == to, "path ends elsewhere");
		}
		for (int p = 0; p < 8; p++)
			ports[p] = p + 1;
		for (int in = 0; in <= 8; in++) {
			size_t k = topo_graph_flood_ports(g, from, ports, 8, in,
							  out);

			fuzz_check(k <= 8, "%zu flood ports", k);
			for (size_t m = 0; m < k; m++)
				fuzz_check(out[m] != in,
					   "floods back out of port %d", in);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *out, *again;
	struct topo_graph *g = topo_graph_create(), *g2;
	struct emu_err err = { 0 };
	int ret;

	ret = topo_graph_parse(g, text, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!strncmp(err.msg, "line ", 5), "'%s' names no line",
			   err.msg);
		goto out;
	}
	out = topo_graph_format(g);
	g2 = topo_graph_create();
	emu_err_clear(&err);
	fuzz_check(!topo_graph_parse(g2, out, &err),
		   "written file does not parse: %s", err.msg);
	again = topo_graph_format(g2);
	fuzz_check(!strcmp(out, again), "reads back as\n%s\nnot\n%s", again,
		   out);
	if (topo_graph_n_switches(g) <= FUZZ_GRAPH_MAX_SWITCHES)
		fuzz_check_paths(g, out);
	free(again);
	free(out);
	topo_graph_destroy(g2);
out:
	topo_graph_destroy(g);
	free(text);
	return 0;
}
