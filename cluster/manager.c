#include "cluster/manager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "cluster/plan.h"
#include "cluster/swarm.h"

static int manager_by_hostname(const void *a, const void *b)
{
	const struct plan_machine *x = a, *y = b;

	return strcmp(x->name, y->name);
}

size_t manager_plan_machines(const struct swarm_machine *sm, size_t n,
			     struct plan_machine *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!sm[i].ready)
			continue;
		out[k++] = (struct plan_machine){
			.name = sm[i].hostname,
			.labels = (const char *const *)sm[i].labels,
			.n_labels = sm[i].n_labels,
			.cores = sm[i].cores,
			.mem_bytes = sm[i].mem_bytes,
		};
	}
	qsort(out, k, sizeof(*out), manager_by_hostname);
	return k;
}

int manager_print_plan(const struct net *net, FILE *f, struct emu_err *err)
{
	struct swarm_machine *sm = NULL;
	struct plan_machine *m;
	struct placement pl;
	size_t n = 0, k;
	int ret;

	ret = swarm_list_machines(&sm, &n, err);
	if (ret)
		return ret;
	m = xcalloc(n + 1, sizeof(*m));
	k = manager_plan_machines(sm, n, m);
	ret = plan_place(net, m, k, &pl, err);
	if (!ret)
		plan_print(f, net, m, k, &pl);
	placement_release(&pl);
	free(m);
	swarm_machines_free(sm, n);
	return ret;
}

