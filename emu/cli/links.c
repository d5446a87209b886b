/* Changing links: 'link A B up|down' and 'set link A B KEY=VALUE...',
 * both through the Net. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"

int cmd_link(struct cli *cli, int argc, char **argv,
	     struct emu_err *err)
{
	bool up = !strcmp(argv[3], "up");
	struct node *a, *b;

	(void)argc;
	if (!up && strcmp(argv[3], "down"))
		return emu_err_set(err, -EINVAL,
				   "link status must be up or down, not '%s'",
				   argv[3]);
	a = cli_node(cli, argv[1], err);
	b = a ? cli_node(cli, argv[2], err) : NULL;
	if (!b)
		return -ENOENT;
	return net_set_link_up(cli->net, a, b, up, err);
}

int cmd_set(struct cli *cli, int argc, char **argv,
	    struct emu_err *err)
{
	struct emu_err local;
	struct shaping s[2];
	struct link **links;
	char f[2][160];
	size_t n;
	int ret = 0;

	if (strcmp(argv[1], "link"))
		return emu_err_set(err, -EINVAL,
				   "cannot set '%s' (known: link)", argv[1]);
	if (!net_is_started(cli->net))
		return emu_err_set(err, -ENETDOWN,
				   "set needs a started network");
	err = emu_err_sink(err, &local);
	links = cli_links_between(cli, argv[2], argv[3], &n, err);
	if (!links)
		return emu_err_code(err, -ENOENT);
	for (size_t i = 0; i < n && !ret; i++) {
		struct node_intf *a = link_intf1(links[i]);
		struct node_intf *b = link_intf2(links[i]);

		s[0] = *link_shaping(links[i], 0);
		s[1] = *link_shaping(links[i], 1);
		for (int k = 4; k < argc && !ret; k++) {
			char *key = xstrdup(argv[k]), *eq = strchr(key, '=');

			if (!eq)
				ret = emu_err_set(err, -EINVAL,
						  "expected KEY=VALUE, not "
						  "'%s'",
						  argv[k]);
			else
				*eq = '\0';
			for (int e = 0; e < 2 && !ret; e++)
				ret = shaping_set(&s[e], key, eq + 1, err);
			free(key);
		}
		if (!ret)
			ret = net_set_link_shaping(cli->net, links[i], &s[0],
						   &s[1], err);
		if (ret)
			break;
		shaping_format(&s[0], f[0], sizeof(f[0]));
		shaping_format(&s[1], f[1], sizeof(f[1]));
		fprintf(cli->out, "%s<->%s (%s) (%s)\n", a->name, b->name,
			f[0], f[1]);
	}
	free(links);
	return ret;
}
