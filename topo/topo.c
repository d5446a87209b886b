#include "topo/topo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "topo/plan.h"

/* Node names must leave room for "-eth<port>" within IFNAMSIZ: Mininet's
 * names are short, and a longer one is refused here, before anything is
 * made. */
#define TOPO_NAME_MAX 10

void topo_init(struct topo *t)
{
	memset(t, 0, sizeof(*t));
}

void topo_release(struct topo *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->links);
	topo_index_release(&t->names);
	topo_init(t);
}

int topo_find(const struct topo *t, const char *name)
{
	uintptr_t i = (uintptr_t)topo_index_find(&t->names, name);

	return i ? (int)(i - 1) : -1;
}

size_t topo_count(const struct topo *t, enum topo_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		n += t->nodes[i].kind == kind;
	return n;
}

int topo_add_node(struct topo *t, enum topo_kind kind, const char *name,
		  struct emu_err *err)
{
	struct topo_node *node;
	int ret;

	ret = plan_check_name(name, TOPO_NAME_MAX, err);
	if (ret)
		return ret;
	if (topo_find(t, name) >= 0)
		return emu_err_set(err, -EEXIST, "duplicate node name '%s'",
				   name);
	xgrow((void **)&t->nodes, &t->cap_nodes, t->n_nodes + 1,
	      sizeof(*t->nodes));
	node = &t->nodes[t->n_nodes];
	node->name = xstrdup(name);
	node->kind = kind;
	node->dpid = 0;		/* the Net derives it (or says why not) */
	if (kind == TOPO_SWITCH)
		plan_dpid(name, &node->dpid, NULL);
	topo_index_add(&t->names, node->name,
		       (void *)(uintptr_t)(t->n_nodes + 1));
	return (int)t->n_nodes++;
}

int topo_add_link(struct topo *t, size_t a, size_t b, int port_a, int port_b,
		  struct emu_err *err)
{
	struct topo_link *link;

	if (a >= t->n_nodes || b >= t->n_nodes)
		return emu_err_set(err, -ENOENT, "link to a node that does not "
				   "exist");
	if (a == b)
		return emu_err_set(err, -EINVAL, "link from '%s' to itself",
				   t->nodes[a].name);
	xgrow((void **)&t->links, &t->cap_links, t->n_links + 1,
	      sizeof(*t->links));
	link = &t->links[t->n_links++];
	link->a = a;
	link->b = b;
	link->port_a = port_a;
	link->port_b = port_b;
	return 0;
}

/* The arguments of a built-in: positional numbers and key=value pairs. */
struct topo_args {
	const char *spec;
	long pos[4];
	size_t n_pos;
	const char *keys[4];
	long vals[4];
	size_t n_kv;
};

/* Parses the arguments after the name: 'rest' is NULL without a comma;
 * an empty argument ("single,", "linear,,3") is refused. */
static int topo_parse_args(char *rest, const char *spec, struct topo_args *a,
			   struct emu_err *err)
{
	char *arg;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	while ((arg = strsep(&rest, ","))) {
		char *eq = strchr(arg, '=');
		long v;

		if (!*arg)
			return emu_err_set(err, -EINVAL,
					   "empty argument in topology '%s'",
					   spec);
		if (eq == arg)
			return emu_err_set(err, -EINVAL,
					   "invalid argument '%s' in topology "
					   "'%s': a name must stand before '='",
					   arg, spec);
		if (str_to_long(eq ? eq + 1 : arg, 0, 1000000, &v))
			return emu_err_set(err, -EINVAL,
					   "invalid argument '%s' in topology "
					   "'%s': expected a number",
					   arg, spec);
		if (!eq) {
			if (a->n_pos == ARRAY_SIZE(a->pos))
				goto too_many;
			a->pos[a->n_pos++] = v;
			continue;
		}
		if (a->n_kv == ARRAY_SIZE(a->keys))
			goto too_many;
		*eq = '\0';
		a->keys[a->n_kv] = arg;
		a->vals[a->n_kv++] = v;
	}
	return 0;
too_many:
	return emu_err_set(err, -E2BIG, "too many arguments in topology '%s'",
			   spec);
}

/* Reads argument 'key' or positional 'index' into '*out' (left alone when
 * neither is given); it must lie in [min, max]. */
static int topo_arg(struct topo_args *a, const char *key, size_t index,
		    long min, long max, long *out, struct emu_err *err)
{
	for (size_t i = 0; i < a->n_kv; i++) {
		if (!strcmp(a->keys[i], key)) {
			*out = a->vals[i];
			a->keys[i] = "";	/* consumed */
			goto check;
		}
	}
	if (index < a->n_pos)
		*out = a->pos[index];
check:
	if (*out < min || *out > max)
		return emu_err_set(err, -ERANGE,
				   "%s %ld out of range (%ld..%ld) in topology "
				   "'%s'",
				   key, *out, min, max, a->spec);
	return 0;
}

static int topo_args_done(const struct topo_args *a, size_t max_pos,
			  struct emu_err *err)
{
	if (a->n_pos > max_pos)
		return emu_err_set(err, -E2BIG,
				   "too many arguments in topology '%s'",
				   a->spec);
	for (size_t i = 0; i < a->n_kv; i++)
		if (*a->keys[i])
			return emu_err_set(err, -EINVAL,
					   "unknown argument '%s' in topology "
					   "'%s'",
					   a->keys[i], a->spec);
	return 0;
}

/* Adds "<prefix><number><suffix>"; returns its index or a negative errno. */
static int topo_add_numbered(struct topo *t, enum topo_kind kind,
			     const char *fmt, long n, long m,
			     struct emu_err *err)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, n, m);
	return topo_add_node(t, kind, name, err);
}

#define TOPO_MAX_NODES 100000

/* Mininet's LinearTopo(k, n): k switches in a row, n hosts on each; hosts
 * are h<i> when n is 1, h<i>s<j> otherwise. */
static int topo_linear(struct topo *t, struct topo_args *a,
		       struct emu_err *err)
{
	long k = 2, n = 1;
	int sw, prev = -1, h, ret;

	if ((ret = topo_arg(a, "k", 0, 1, TOPO_MAX_NODES, &k, err)) ||
	    (ret = topo_arg(a, "n", 1, 1, TOPO_MAX_NODES, &n, err)) ||
	    (ret = topo_args_done(a, 2, err)))
		return ret;
	if (k * n > TOPO_MAX_NODES)
		return emu_err_set(err, -E2BIG,
				   "topology '%s' is too large (more than %d "
				   "hosts)",
				   a->spec, TOPO_MAX_NODES);
	for (long i = 1; i <= k; i++) {
		sw = topo_add_numbered(t, TOPO_SWITCH, "s%ld", i, 0, err);
		if (sw < 0)
			return sw;
		for (long j = 1; j <= n; j++) {
			h = n == 1 ? topo_add_numbered(t, TOPO_HOST, "h%ld", i,
						       0, err)
				   : topo_add_numbered(t, TOPO_HOST, "h%lds%ld",
						       j, i, err);
			if (h < 0)
				return h;
			if ((ret = topo_add_link(t, h, sw, -1, -1, err)))
				return ret;
		}
		if (prev >= 0 && (ret = topo_add_link(t, sw, prev, -1, -1, err)))
			return ret;
		prev = sw;
	}
	return 0;
}

/* Mininet's SingleSwitchTopo(k) and SingleSwitchReversedTopo(k): the
 * reversed one gives host i switch port k - i + 1. */
static int topo_single_common(struct topo *t, struct topo_args *a, long k,
			      int reversed, struct emu_err *err)
{
	int sw, h, ret;

	if ((ret = topo_arg(a, "k", 0, 1, TOPO_MAX_NODES, &k, err)) ||
	    (ret = topo_args_done(a, 1, err)))
		return ret;
	sw = topo_add_node(t, TOPO_SWITCH, "s1", err);
	if (sw < 0)
		return sw;
	for (long i = 1; i <= k; i++) {
		h = topo_add_numbered(t, TOPO_HOST, "h%ld", i, 0, err);
		if (h < 0)
			return h;
		ret = topo_add_link(t, h, sw, 0, reversed ? (int)(k - i + 1)
							  : -1, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int topo_single(struct topo *t, struct topo_args *a,
		       struct emu_err *err)
{
	return topo_single_common(t, a, 2, 0, err);
}

static int topo_reversed(struct topo *t, struct topo_args *a,
			 struct emu_err *err)
{
	return topo_single_common(t, a, 2, 1, err);
}

static int topo_minimal(struct topo *t, struct topo_args *a,
			struct emu_err *err)
{
	int ret = topo_args_done(a, 0, err);

	return ret ? ret : topo_single_common(t, a, 2, 0, err);
}

struct topo_tree_state {
	struct topo *t;
	long hosts, switches;
};

/* Mininet's TreeTopo.addTree: switches numbered in preorder, hosts left
 * to right. */
static int topo_add_tree(struct topo_tree_state *st, long depth, long fanout,
			 struct emu_err *err)
{
	int node, child, ret;

	if (depth == 0)
		return topo_add_numbered(st->t, TOPO_HOST, "h%ld",
					 ++st->hosts, 0, err);
	node = topo_add_numbered(st->t, TOPO_SWITCH, "s%ld", ++st->switches, 0,
				 err);
	if (node < 0)
		return node;
	for (long i = 0; i < fanout; i++) {
		child = topo_add_tree(st, depth - 1, fanout, err);
		if (child < 0)
			return child;
		ret = topo_add_link(st->t, node, child, -1, -1, err);
		if (ret)
			return ret;
	}
	return node;
}

static int topo_tree(struct topo *t, struct topo_args *a, struct emu_err *err)
{
	struct topo_tree_state st = { .t = t };
	long depth = 1, fanout = 2, leaves = 1;
	int ret;

	if ((ret = topo_arg(a, "depth", 0, 1, 20, &depth, err)) ||
	    (ret = topo_arg(a, "fanout", 1, 1, TOPO_MAX_NODES, &fanout, err)) ||
	    (ret = topo_args_done(a, 2, err)))
		return ret;
	for (long i = 0; i < depth; i++) {
		leaves *= fanout;
		if (leaves > TOPO_MAX_NODES)
			return emu_err_set(err, -E2BIG,
					   "topology '%s' is too large (more "
					   "than %d hosts)",
					   a->spec, TOPO_MAX_NODES);
	}
	ret = topo_add_tree(&st, depth, fanout, err);
	return ret < 0 ? ret : 0;
}

/* Mininet's TorusTopo(x, y, n): an x-by-y grid of switches s<i>x<j>
 * wrapped at the edges, n hosts on each (h<i>x<j>, or h<i>x<j>-<k>). */
static int topo_torus(struct topo *t, struct topo_args *a, struct emu_err *err)
{
	long x = 3, y = 3, n = 1;
	int ret;

	if ((ret = topo_arg(a, "x", 0, 3, 1000, &x, err)) ||
	    (ret = topo_arg(a, "y", 1, 3, 1000, &y, err)) ||
	    (ret = topo_arg(a, "n", 2, 1, 100, &n, err)) ||
	    (ret = topo_args_done(a, 3, err)))
		return ret;
	if (x * y * n > TOPO_MAX_NODES)
		return emu_err_set(err, -E2BIG, "topology '%s' is too large",
				   a->spec);
	for (long i = 1; i <= x; i++) {
		for (long j = 1; j <= y; j++) {
			char name[80];
			int sw, h;

			sw = topo_add_numbered(t, TOPO_SWITCH, "s%ldx%ld", i,
					       j, err);
			if (sw < 0)
				return sw;
			t->nodes[sw].dpid = (uint64_t)(i * 256 + j);
			for (long k = 1; k <= n; k++) {
				if (n == 1)
					snprintf(name, sizeof(name),
						 "h%ldx%ld", i, j);
				else
					snprintf(name, sizeof(name),
						 "h%ldx%ld-%ld", i, j, k);
				h = topo_add_node(t, TOPO_HOST, name, err);
				if (h < 0)
					return h;
				ret = topo_add_link(t, h, sw, -1, -1, err);
				if (ret)
					return ret;
			}
		}
	}
	/* Switch (i, j) is node (i-1)*y*(n+1) + (j-1)*(n+1), hosts after it. */
	for (long i = 0; i < x; i++) {
		for (long j = 0; j < y; j++) {
			size_t sw1 = (size_t)((i * y + j) * (n + 1));
			size_t sw2 = (size_t)((i * y + (j + 1) % y) * (n + 1));
			size_t sw3 = (size_t)((((i + 1) % x) * y + j) * (n + 1));

			if ((ret = topo_add_link(t, sw1, sw2, -1, -1, err)) ||
			    (ret = topo_add_link(t, sw1, sw3, -1, -1, err)))
				return ret;
		}
	}
	return 0;
}

struct topo_builtin {
	const char *name;
	int (*build)(struct topo *t, struct topo_args *a, struct emu_err *err);
};

static const struct topo_builtin topo_builtins[] = {
	{ "minimal", topo_minimal },
	{ "single", topo_single },
	{ "reversed", topo_reversed },
	{ "linear", topo_linear },
	{ "tree", topo_tree },
	{ "torus", topo_torus },
};

const char *topo_builtin_names(void)
{
	return "minimal, single, reversed, linear, tree, torus";
}

int topo_build(struct topo *t, const char *spec, struct emu_err *err)
{
	char *copy = xstrdup(spec), *comma = strchr(copy, ',');
	const struct topo_builtin *b = NULL;
	struct topo_args args;
	int ret;

	if (comma)
		*comma = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(topo_builtins); i++)
		if (!strcmp(copy, topo_builtins[i].name))
			b = &topo_builtins[i];
	if (!b) {
		ret = emu_err_set(err, -ENOENT,
				  "unknown topology '%s' (known: %s)", copy,
				  topo_builtin_names());
		goto out;
	}
	ret = topo_parse_args(comma ? comma + 1 : NULL, spec, &args, err);
	if (!ret)
		ret = b->build(t, &args, err);
	if (ret)
		topo_release(t);
out:
	free(copy);
	return ret;
}
