/* The handlers' lookups: nodes and links by name, nodes in Mininet's
 * order, numbers in names, seconds. */
#include "emu/cli/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "link/veth.h"

/* The node named 'name', or NULL with 'err' set. */
struct node *cli_node(struct cli *cli, const char *name,
		      struct emu_err *err)
{
	struct node *node = net_get(cli->net, name);

	if (!node)
		emu_err_set(err, -ENOENT, "no node '%s'", name);
	return node;
}

/* The links between the nodes named 'a' and 'b' ('*n' gets their count;
 * caller frees), or NULL with 'err' set when there is none. */
struct link **cli_links_between(struct cli *cli, const char *a,
				const char *b, size_t *n,
				struct emu_err *err)
{
	struct node *na = cli_node(cli, a, err);
	struct node *nb = na ? cli_node(cli, b, err) : NULL;
	struct link **found;

	*n = 0;
	if (!nb)
		return NULL;
	found = net_links_between(cli->net, na, nb, n);
	if (!*n) {
		free(found);
		emu_err_set(err, -ENOENT, "'%s' and '%s' are not connected", a,
			    b);
		return NULL;
	}
	return found;
}

/* The nodes in Mininet's order: hosts, switches, controllers ('*n' gets
 * their count; caller frees). */
struct node **cli_nodes_by_role(struct cli *cli, size_t *n)
{
	static const enum node_role order[] = { NODE_HOST, NODE_SWITCH,
						NODE_CONTROLLER };
	size_t n_nodes, k = 0;
	struct node **nodes = net_nodes(cli->net, &n_nodes);
	struct node **sorted = xcalloc(n_nodes + 1, sizeof(*sorted));

	for (size_t r = 0; r < ARRAY_SIZE(order); r++)
		for (size_t i = 0; i < n_nodes; i++)
			if (node_role(nodes[i]) == order[r])
				sorted[k++] = nodes[i];
	*n = k;
	return sorted;
}

/* Compares names with their numbers as numbers: h2 before h10. */
int cli_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long x = strtoul(a, &ea, 10);
			unsigned long y = strtoul(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* The interface at the other end of 'intf''s link, or NULL. */
struct node_intf *cli_peer(const struct node_intf *intf)
{
	if (!intf->link)
		return NULL;
	return link_intf1(intf->link) == intf ? link_intf2(intf->link)
					      : link_intf1(intf->link);
}

/* Parses a timeout in seconds (0 < t <= 3600). */
int cli_parse_seconds(const char *s, double *out, struct emu_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 3600))
		return emu_err_set(err, -EINVAL,
				   "invalid timeout '%s': expected seconds "
				   "(0..3600)",
				   s);
	*out = v;
	return 0;
}
