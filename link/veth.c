#include "link/veth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/err.h"
#include "emu/log.h"
#include "emu/util.h"
#include "link/nl.h"
#include "node/node.h"

EMU_LOG_MODULE(veth);

struct link {
	struct node_intf *intf1, *intf2;	/* borrowed from the nodes */
	struct shaping shaping[2];		/* egress of end 1, end 2 */
	unsigned int mtu;			/* 0: kernel default */
	char *alias;				/* tag of root-side ends */
	bool made;				/* the pair exists */
	bool up;
};

struct link *link_create(struct node_intf *intf1, struct node_intf *intf2,
			 const struct link_opts *opts)
{
	struct link *link = xcalloc(1, sizeof(*link));

	link->intf1 = intf1;
	link->intf2 = intf2;
	intf1->link = intf2->link = link;
	shaping_init(&link->shaping[0]);
	shaping_init(&link->shaping[1]);
	if (opts) {
		if (opts->shaping1)
			link->shaping[0] = *opts->shaping1;
		if (opts->shaping2)
			link->shaping[1] = *opts->shaping2;
		link->mtu = opts->mtu;
		link->alias = xstrdup(opts->alias);
	}
	link->up = true;
	return link;
}

static void link_fill_end(struct nl_veth_end *end,
			  const struct node_intf *intf, const char *alias)
{
	end->name = intf->name;
	end->nsfd = intf->node->nsfd;
	end->mac = intf->mac[0] ? intf->mac : NULL;
	/* Only ends in the root namespace need a tag: the others go away
	 * with their node's namespace. */
	end->alias = intf->node->nsfd < 0 ? alias : NULL;
}

int link_make(struct link *link, struct nlsock *nl, struct emu_err *err)
{
	struct nl_veth_end a, b;
	int ret;

	link_fill_end(&a, link->intf1, link->alias);
	link_fill_end(&b, link->intf2, link->alias);
	ret = nlsock_add_veth(nl, &a, &b, link->mtu, err);
	if (ret)
		return ret;
	link->made = true;
	log_dbg("made veth '%s' <-> '%s'", a.name, b.name);
	return 0;
}

struct node_intf *link_intf1(const struct link *link)
{
	return link->intf1;
}

struct node_intf *link_intf2(const struct link *link)
{
	return link->intf2;
}

const struct shaping *link_shaping(const struct link *link, int end)
{
	return &link->shaping[end ? 1 : 0];
}

bool link_is_up(const struct link *link)
{
	return link->up;
}

bool link_is_made(const struct link *link)
{
	return link->made;
}

/* Opens a route socket in the namespace of 'intf'. */
static struct nlsock *link_open_nl(const struct node_intf *intf,
				   struct emu_err *err)
{
	return nlsock_open(intf->node->nsfd, err);
}

int link_set_up(struct link *link, bool up, struct emu_err *err)
{
	struct node_intf *ends[2] = { link->intf1, link->intf2 };

	for (int i = 0; i < 2; i++) {
		struct nlsock *nl = link_open_nl(ends[i], err);
		int ret;

		if (!nl)
			return err ? err->code : -EIO;
		ret = nlsock_set_up(nl, ends[i]->name, up, err);
		nlsock_close(nl);
		if (ret)
			return ret;
		ends[i]->up = up;
	}
	link->up = up;
	return 0;
}

/* True when the end of 'intf' can still be found: in its node's namespace,
 * or in the root namespace for switches. */
static bool link_end_reachable(const struct node_intf *intf)
{
	return intf->node->nsfd >= 0 ||
	       (!intf->node->pid && node_role(intf->node) == NODE_SWITCH);
}

void link_forget(struct link *link)
{
	link->made = false;
}

void link_unmake(struct link *link)
{
	struct nlsock *nl;

	if (link->made) {
		/* Deleting one end takes the peer along.  An end whose host
		 * has lost its namespace went away with it; never look for it
		 * by name in the root namespace. */
		struct node_intf *end = link_end_reachable(link->intf1)
						? link->intf1
						: link->intf2;

		if (link_end_reachable(end) && (nl = link_open_nl(end, NULL))) {
			nlsock_del_link(nl, end->name, NULL);
			nlsock_close(nl);
		}
	}
	link->made = false;
}

void link_destroy(struct link *link)
{
	if (!link)
		return;
	link_unmake(link);
	if (link->intf1)
		link->intf1->link = NULL;
	if (link->intf2)
		link->intf2->link = NULL;
	free(link->alias);
	free(link);
}

int link_shape(struct link *link, struct emu_err *err)
{
	/* XXX: wired to link/tc.c and link/pump.c next. */
	if (shaping_is_set(&link->shaping[0]) ||
	    shaping_is_set(&link->shaping[1]))
		return emu_err_set(err, -EOPNOTSUPP,
				   "link '%s'-'%s': shaping is not wired yet",
				   link->intf1->node->name,
				   link->intf2->node->name);
	return 0;
}

int link_set_shaping(struct link *link, const struct shaping *shaping1,
		     const struct shaping *shaping2, struct emu_err *err)
{
	if (shaping1)
		link->shaping[0] = *shaping1;
	if (shaping2)
		link->shaping[1] = *shaping2;
	return link->made ? link_shape(link, err) : 0;
}
