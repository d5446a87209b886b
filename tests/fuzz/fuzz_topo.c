/* libFuzzer target: the built-in topology strings of --topo
 * (topo_build(): "linear,4,2", "tree,depth=2,fanout=3", ...).
 *
 * The input is the string.  A topology that builds must be one the Net
 * can make: valid unique names with room for their interface names, links
 * between two different existing nodes, at most TOPO_MAX_NODES hosts; one
 * that fails leaves an empty model and a sentence. */
#include "tests/fuzz/fuzz.h"

#include "topo/plan.h"
#include "topo/topo.h"

/* topo.c's bound on the hosts of a built-in topology. */
#define FUZZ_TOPO_MAX_NODES 100000

static void fuzz_check_topo(const struct topo *t)
{
	char intf[PLAN_IFNAME_MAX + 1];
	size_t *degree;
	int last;

	fuzz_check(t->n_nodes > 0, "no nodes");
	fuzz_check(topo_count(t, TOPO_HOST) <= FUZZ_TOPO_MAX_NODES,
		   "%zu hosts", topo_count(t, TOPO_HOST));
	fuzz_check(topo_count(t, TOPO_HOST) + topo_count(t, TOPO_SWITCH) ==
			   t->n_nodes,
		   "node kinds");
	degree = xcalloc(t->n_nodes, sizeof(*degree));
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		fuzz_check(l->a < t->n_nodes && l->b < t->n_nodes &&
				   l->a != l->b,
			   "link %zu: %zu-%zu", i, l->a, l->b);
		degree[l->a]++;
		degree[l->b]++;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const char *name = t->nodes[i].name;

		fuzz_check(!plan_check_name(name, PLAN_IFNAME_MAX, NULL),
			   "name '%s'", name);
		fuzz_check(topo_find(t, name) == (int)i, "'%s' twice", name);
		/* Mininet numbers host ports from 0, switch ports from 1. */
		if (t->nodes[i].kind == TOPO_HOST)
			fuzz_check(degree[i] >= 1, "host '%s' unlinked", name);
		last = (int)degree[i] - (t->nodes[i].kind == TOPO_HOST);
		fuzz_check(!plan_intf_name(name, last, intf, sizeof(intf), NULL),
			   "'%s' has %zu ports", name, degree[i]);
	}
	free(degree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size);
	struct emu_err err = { 0 };
	struct topo t;
	int ret;

	topo_init(&t);
	ret = topo_build(&t, spec, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!t.n_nodes && !t.nodes && !t.n_links && !t.links,
			   "failed build left %zu nodes", t.n_nodes);
	} else {
		fuzz_check_topo(&t);
	}
	topo_release(&t);
	free(spec);
	return 0;
}
