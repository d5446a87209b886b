#include "link/veth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "link/engine.h"
#include "link/nl.h"
#include "link/pump.h"
#include "link/tc.h"

EMU_LOG_MODULE(veth);

struct link {
	struct node_intf *intf1, *intf2; /* borrowed from the nodes */
	struct shaping shaping[2];	/* egress of end 1, end 2 */
	unsigned int mtu;		/* 0: kernel default */
	char *alias;			/* tag of root-side ends */
	uint32_t group;			/* group of root-side ends */
	struct link_engine *engine;	/* borrowed; NULL: none */
	const struct link_end_ops *ends;	/* borrowed */
	int pump_id;			/* its pump link; -1: none */
	char pump_a[16], pump_b[16];	/* pump-side ends; "" */
	bool shaped[2];			/* qdiscs set on an end */
	bool made;			/* the pair exists */
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
		link->group = opts->group;
		link->engine = opts->engine;
		link->ends = opts->ends;
	}
	link->pump_id = -1;
	link->up = true;
	return link;
}

static int link_nsfd(const struct link *link, const struct node_intf *intf)
{
	return link->ends->nsfd(intf);
}

static void link_fill_end(const struct link *link, struct nlsock_veth_end *end,
			  const struct node_intf *intf)
{
	end->name = intf->name;
	end->nsfd = link_nsfd(link, intf);
	end->mac = intf->mac[0] ? intf->mac : NULL;
	/* Only ends in the root namespace need a tag: the others go away
	 * with their node's namespace. */
	end->alias = end->nsfd < 0 ? link->alias : NULL;
	end->group = end->nsfd < 0 ? link->group : 0;
}

static bool link_needs_pump(const struct link *link, const struct shaping *s)
{
	return link->engine && link->engine->decided && !link->engine->netem &&
	       (shaping_has_impairment(&s[0]) ||
		shaping_has_impairment(&s[1]));
}

static int link_decide(struct link *link, const struct shaping *s,
		       struct emu_err *err)
{
	if (!shaping_has_impairment(&s[0]) && !shaping_has_impairment(&s[1]))
		return 0;
	if (!link->engine)
		return emu_err_set(err, -EOPNOTSUPP,
				   "link '%s'-'%s' cannot carry impairments",
				   link->ends->owner(link->intf1),
				   link->ends->owner(link->intf2));
	return link_engine_decide(link->engine, err);
}

/* Makes the two pairs of a pumped link and hands them to the pump. */
static int link_make_pumped(struct link *link, struct nlsock *nl,
			    const struct nlsock_veth_end *a,
			    const struct nlsock_veth_end *b,
			    struct emu_err *err)
{
	struct link_engine *e = link->engine;
	struct nlsock_veth_end pa = { .name = link->pump_a },
			   pb = { .name = link->pump_b };
	int fd, ret, id;

	fd = link_engine_pump(e, err);
	if (fd < 0)
		return fd;
	id = (int)e->next_id++;
	snprintf(link->pump_a, sizeof(link->pump_a), "p%da", id);
	snprintf(link->pump_b, sizeof(link->pump_b), "p%db", id);
	pa.nsfd = pb.nsfd = fd;
	ret = nlsock_add_veth(nl, a, &pa, link->mtu, err);
	if (ret)
		return ret;
	link->made = true;	/* from here, unmake removes what is made */
	ret = nlsock_add_veth(nl, &pb, b, link->mtu, err);
	if (ret) {
		link->pump_b[0] = '\0';
		return ret;
	}
	ret = pump_add_link(e->pump, fd, link->pump_a, link->pump_b,
			    &link->shaping[0], &link->shaping[1], err);
	if (ret < 0)
		return ret;
	link->pump_id = ret;
	log_dbg("'%s' <-> pump %d <-> '%s'", a->name, ret, b->name);
	return 0;
}

/* The end (0, 1) of 'link' that the pump can be spliced in beside on a
 * made link: a switch's, whose port is made again (a host's or container's
 * end is never replaced: it keeps its addresses, routes and settings);
 * -1 when neither end is a switch's. */
static int link_splice_end(const struct link *link)
{
	if (link->ends->is_switch(link->intf2))
		return 1;
	if (link->ends->is_switch(link->intf1))
		return 0;
	return -1;
}

/* A link without a switch end has no place where the pump could go later:
 * where the engine is the pump, it is made with the pump from the start,
 * forwarding unimpaired until impairments are set. */
static bool link_premakes_pump(const struct link *link)
{
	return link->engine && link_splice_end(link) < 0 &&
	       link->engine->want != LINK_ENGINE_NETEM &&
	       !link_engine_decide(link->engine, NULL) && !link->engine->netem;
}

int link_make(struct link *link, struct nlsock *nl, struct emu_err *err)
{
	struct nlsock_veth_end a, b;
	int ret;

	ret = link_decide(link, link->shaping, err);
	if (ret)
		return ret;
	link_fill_end(link, &a, link->intf1);
	link_fill_end(link, &b, link->intf2);
	if (link_needs_pump(link, link->shaping) || link_premakes_pump(link))
		return link_make_pumped(link, nl, &a, &b, err);
	ret = nlsock_add_veth(nl, &a, &b, link->mtu, err);
	if (ret)
		return ret;
	link->made = true;
	log_dbg("made veth '%s' <-> '%s'", a.name, b.name);
	return 0;
}

int link_config_intf(struct nlsock *nl, const struct node_intf *intf,
		     struct emu_err *err)
{
	int ret = 0;

	if (intf->ip[0])
		ret = nlsock_add_addr(nl, intf->name, intf->ip, err);
	if (!ret)
		ret = nlsock_set_up(nl, intf->name, intf->up, err);
	return ret;
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

unsigned int link_mtu(const struct link *link)
{
	return link->mtu;
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
static struct nlsock *link_open_nl(const struct link *link,
				   const struct node_intf *intf,
				   struct emu_err *err)
{
	return nlsock_open(link_nsfd(link, intf), err);
}

#define LINK_UP_WAIT_MS 1000	/* most an 'up' waits for both carriers */

/* True when the pump's two ends of 'link' (if it has them) carry frames. */
static bool link_pump_running(const struct link *link)
{
	struct nlsock *nl = link->engine->pump_nl;

	if (link->pump_id < 0 || !nl)
		return true;
	return nlsock_is_running(nl, link->pump_a) &&
	       nlsock_is_running(nl, link->pump_b);
}

/* Waits until both ends of 'link' ('nl'/'ends') and the pump's ends
 * between them carry frames, as the kernel turns the carriers on a moment
 * after the administrative 'up' and gives a device its queue only then:
 * a ping sent at once was lost one time in two.  Gives up quietly after
 * LINK_UP_WAIT_MS (a switch's end may lag; the link is up all the same). */
static void link_wait_running(const struct link *link, struct nlsock *nl[2],
			      struct node_intf *ends[2])
{
	for (int ms = 0; ms < LINK_UP_WAIT_MS; ms++) {
		if (nlsock_is_running(nl[0], ends[0]->name) &&
		    nlsock_is_running(nl[1], ends[1]->name) &&
		    link_pump_running(link))
			return;
		usleep(1000);
	}
}

/* After the pump was spliced into the up link 'link': waits as
 * link_set_up() does for the new pair and the pump's ends to carry frames
 * (a Linux bridge forwards through its new port only from then on). */
static void link_wait_spliced(struct link *link)
{
	struct node_intf *ends[2] = { link->intf1, link->intf2 };
	struct nlsock *nl[2];

	if (!link->up)
		return;
	nl[0] = link_open_nl(link, ends[0], NULL);
	nl[1] = nl[0] ? link_open_nl(link, ends[1], NULL) : NULL;
	if (nl[1])
		link_wait_running(link, nl, ends);
	nlsock_close(nl[0]);
	nlsock_close(nl[1]);
}

int link_set_up(struct link *link, bool up, struct emu_err *err)
{
	struct node_intf *ends[2] = { link->intf1, link->intf2 };
	struct nlsock *nl[2] = { NULL, NULL };
	struct emu_err local;
	int ret = 0;

	err = emu_err_sink(err, &local);
	for (int i = 0; i < 2 && !ret; i++) {
		nl[i] = link_open_nl(link, ends[i], err);
		if (!nl[i])
			ret = emu_err_code(err, -EIO);
		else
			ret = nlsock_set_up(nl[i], ends[i]->name, up, err);
		if (!ret)
			ends[i]->up = up;
	}
	if (!ret) {
		link->up = up;
		if (up)
			link_wait_running(link, nl, ends);
	}
	nlsock_close(nl[0]);
	nlsock_close(nl[1]);
	return ret;
}

void link_forget(struct link *link)
{
	if (link->pump_id >= 0) {
		pump_del_link(link->engine->pump, link->pump_id);
		link->pump_id = -1;
	}
	link->pump_a[0] = link->pump_b[0] = '\0';
	link->shaped[0] = link->shaped[1] = false;
	link->made = false;
}

void link_unmake(struct link *link)
{
	struct nlsock *nl;

	if (link->pump_id >= 0) {
		pump_del_link(link->engine->pump, link->pump_id);
		link->pump_id = -1;
	}
	/* The pump-side pair p<id>b <-> end 2 goes with its own end. */
	if (link->made && link->pump_b[0] && link->engine->pump_nl)
		nlsock_del_link(link->engine->pump_nl, link->pump_b, NULL);
	link->pump_a[0] = link->pump_b[0] = '\0';
	if (link->made) {
		/* Deleting one end takes the peer along.  An end whose host
		 * has lost its namespace went away with it; never look for it
		 * by name in the root namespace. */
		struct node_intf *end = link->ends->reachable(link->intf1)
						? link->intf1
						: link->intf2;

		if (link->ends->reachable(end) &&
		    (nl = link_open_nl(link, end, NULL))) {
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

/* Sets the kernel's qdiscs of end 'i': rate (and netem where the engine
 * is netem), or none. */
static int link_shape_end(struct link *link, int i, struct emu_err *err)
{
	const struct node_intf *intf = i ? link->intf2 : link->intf1;
	const struct shaping *s = &link->shaping[i];
	bool netem = link->engine && link->engine->decided &&
		     link->engine->netem && shaping_has_impairment(s);
	int ret;

	if (!shaping_has_rate(s) && !netem) {
		if (!link->shaped[i])
			return 0;
		ret = shaping_clear(link_nsfd(link, intf), intf->name, err);
		link->shaped[i] = ret != 0;
		return ret;
	}
	ret = shaping_apply(link_nsfd(link, intf), intf->name, s, netem,
			    err);
	if (!ret)
		link->shaped[i] = true;
	return ret;
}

int link_shape(struct link *link, struct emu_err *err)
{
	int ret = link_decide(link, link->shaping, err);

	for (int i = 0; i < 2 && !ret; i++)
		ret = link_shape_end(link, i, err);
	if (!ret && link->pump_id >= 0)
		ret = pump_set_shaping(link->engine->pump, link->pump_id,
				       &link->shaping[0], &link->shaping[1],
				       err);
	if (ret)
		emu_err_prefix(err, "link '%s'-'%s': ", link->ends->owner(link->intf1),
			       link->ends->owner(link->intf2));
	return ret;
}

/* Moves the interface of 'intf' back from the socket's namespace into its
 * node's (-1: this process's). */
static void link_move_back(const struct link *link, struct nlsock *nl,
			   const struct node_intf *intf)
{
	int own = link_nsfd(link, intf), fd = own;

	if (fd < 0)
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		nlsock_move_link(nl, intf->name, fd, NULL);
	if (fd >= 0 && own < 0)
		close(fd);
}

/* Puts the pump into the made link 'link' beside its end 'r', a switch's
 * port: the port is detached, its interface moved into the pump's
 * namespace as the pump's end facing the other end (which stays as it is),
 * and a new pair made between the pump and a new port of the same name,
 * which is attached again.  On failure the old port is put back. */
static int link_splice_pump(struct link *link, int r, struct emu_err *err)
{
	struct link_engine *e = link->engine;
	struct node_intf *intf = r ? link->intf2 : link->intf1;
	bool attached = link->ends->is_attached(intf);
	char moved[16], fresh[16];
	struct nlsock_veth_end end, pend = { .name = fresh };
	struct nlsock *root = NULL, *nl = NULL;
	struct emu_err local;
	int fd, id, ret;

	err = emu_err_sink(err, &local);
	fd = link_engine_pump(e, err);
	if (fd < 0)
		return fd;
	root = nlsock_open(-1, err);
	nl = root ? link_open_nl(link, intf, err) : NULL;
	if (!nl) {
		nlsock_close(root);
		return emu_err_code(err, -EIO);
	}
	/* The pump's end 'a' always faces end 1. */
	id = (int)e->next_id++;
	snprintf(moved, sizeof(moved), "p%d%c", id, r ? 'a' : 'b');
	snprintf(fresh, sizeof(fresh), "p%d%c", id, r ? 'b' : 'a');
	pend.nsfd = fd;
	link_fill_end(link, &end, intf);
	ret = attached ? link->ends->detach(intf, err) : 0;
	if (ret)
		goto out;
	ret = nlsock_move_link(nl, intf->name, fd, err);
	if (ret)
		goto fail_attach;
	ret = nlsock_rename_link(e->pump_nl, intf->name, moved, err);
	if (ret)
		goto fail_move;
	ret = r ? nlsock_add_veth(root, &pend, &end, link->mtu, err)
		: nlsock_add_veth(root, &end, &pend, link->mtu, err);
	if (ret)
		goto fail_rename;
	snprintf(link->pump_a, sizeof(link->pump_a), "p%da", id);
	snprintf(link->pump_b, sizeof(link->pump_b), "p%db", id);
	link->shaped[r] = false;
	ret = link_config_intf(nl, intf, err);
	if (!ret && attached)
		ret = link->ends->attach(intf, err);
	if (!ret)
		ret = pump_add_link(e->pump, fd, link->pump_a, link->pump_b,
				    &link->shaping[0], &link->shaping[1], err);
	if (ret >= 0) {
		link->pump_id = ret;
		ret = 0;
		link_wait_spliced(link);
		log_dbg("'%s': pump %d spliced in beside '%s'",
			link->intf1->name, id, intf->name);
	}
	goto out;

fail_rename:
	nlsock_rename_link(e->pump_nl, moved, intf->name, NULL);
fail_move:
	link_move_back(link, e->pump_nl, intf);
	link_config_intf(nl, intf, NULL);
fail_attach:
	if (attached)
		link->ends->attach(intf, NULL);
out:
	nlsock_close(nl);
	nlsock_close(root);
	return ret;
}

int link_set_shaping(struct link *link, const struct shaping *shaping1,
		     const struct shaping *shaping2, struct emu_err *err)
{
	struct shaping old[2] = { link->shaping[0], link->shaping[1] };
	int ret;

	if (shaping1)
		link->shaping[0] = *shaping1;
	if (shaping2)
		link->shaping[1] = *shaping2;
	if (!link->made)
		return 0;
	ret = link_decide(link, link->shaping, err);
	if (!ret && link->pump_id < 0 && link_needs_pump(link, link->shaping)) {
		int r = link_splice_end(link);

		ret = r < 0 ? emu_err_set(err, -EOPNOTSUPP,
					  "link '%s'-'%s' has no place for "
					  "the pump",
					  link->ends->owner(link->intf1),
					  link->ends->owner(link->intf2))
			    : link_splice_pump(link, r, err);
	}
	if (!ret)
		ret = link_shape(link, err);
	if (ret) {
		link->shaping[0] = old[0];
		link->shaping[1] = old[1];
		if (link->made)
			link_shape(link, NULL);
	}
	return ret;
}
