#include "emu/draw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "base/err.h"
#include "base/log.h"
#include "emu/net.h"
#include "base/util.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/docker.h"
#include "node/node.h"

EMU_LOG_MODULE(draw);

/* The last message graphviz reported (it has no error return to carry
 * it). */
static char draw_errmsg[200];

static int draw_on_error(char *msg)
{
	snprintf(draw_errmsg, sizeof(draw_errmsg), "%.*s",
		 (int)strcspn(msg, "\n"), msg);
	log_dbg("graphviz: %s", draw_errmsg);
	return 0;
}

/* How each kind of node looks. */
struct draw_style {
	char *shape, *style, *fill;
};

static const struct draw_style draw_host = { "box", "rounded,filled",
					       "#cfe2f3" };
static const struct draw_style draw_container = { "box3d", "filled",
						    "#fff2cc" };
static const struct draw_style draw_switch = { "box", "filled",
						 "#d9d9d9" };
static const struct draw_style draw_controller = { "diamond", "filled",
						     "#f4cccc" };

static const struct draw_style *draw_style_of(const struct node *node)
{
	switch (node_role(node)) {
	case NODE_HOST:
		return node_is_docker(node) ? &draw_container : &draw_host;
	case NODE_SWITCH:
		return &draw_switch;
	case NODE_CONTROLLER:
		return &draw_controller;
	}
	return &draw_host;
}

static void draw_add_node(Agraph_t *g, struct node *node)
{
	const struct draw_style *st = draw_style_of(node);
	Agnode_t *n = agnode(g, node->name, 1);
	char ip[64], *label;

	if (node_ip(node, ip, sizeof(ip)) && node_role(node) == NODE_HOST)
		label = xasprintf("%s\\n%s", node_name(node), ip);
	else
		label = xasprintf("%s", node_name(node));
	agsafeset(n, "label", label, "");
	agsafeset(n, "shape", st->shape, "ellipse");
	agsafeset(n, "style", st->style, "");
	agsafeset(n, "fillcolor", st->fill, "white");
	free(label);
}

/* The edge label of 'link': its shaping, once when both ends agree. */
static char *draw_link_label(const struct link *link)
{
	char a[160], b[160];

	shaping_format(link_shaping(link, 0), a, sizeof(a));
	shaping_format(link_shaping(link, 1), b, sizeof(b));
	if (!strcmp(a, b))
		return xstrdup(a);
	return xasprintf("%s: %s\\n%s: %s", link_intf1(link)->name,
			 a[0] ? a : "-", link_intf2(link)->name,
			 b[0] ? b : "-");
}

static void draw_add_link(Agraph_t *g, struct link *link)
{
	struct node_intf *i1 = link_intf1(link), *i2 = link_intf2(link);
	char *label = draw_link_label(link);
	Agnode_t *a, *b;
	Agedge_t *e;

	/* dot ranks an edge's tail above its head: switches above hosts */
	if (node_role(i1->node) == NODE_HOST &&
	    node_role(i2->node) != NODE_HOST) {
		struct node_intf *t = i1;

		i1 = i2;
		i2 = t;
	}
	a = agnode(g, i1->node->name, 0);
	b = agnode(g, i2->node->name, 0);
	if (!a || !b) {
		free(label);
		return;
	}
	e = agedge(g, a, b, NULL, 1);
	agsafeset(e, "label", label, "");
	agsafeset(e, "taillabel", i1->name, "");
	agsafeset(e, "headlabel", i2->name, "");
	if (!link_is_up(link))
		agsafeset(e, "style", "dashed", "");
	free(label);
}

/* The output format of 'path' from its extension; NULL when unknown. */
static const char *draw_format(const char *path)
{
	static const char *const formats[] = { "svg", "png", "pdf", "dot",
					       "gv" };
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(dot + 1, formats[i]))
			return formats[i];
	return NULL;
}

/* Writes 'g' to 'path': the graph itself without layout ('gvc' NULL),
 * else laid out and rendered as 'format'.  The file is opened here, not by
 * graphviz, whose gvRenderFilename() says nothing when it cannot open it. */
static int draw_write(GVC_t *gvc, Agraph_t *g, const char *format,
		      const char *path, struct emu_err *err)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return emu_err_set(err, -errno, "cannot write '%s': %s", path,
				   strerror(errno));
	if (gvc ? gvRender(gvc, g, format, f) : agwrite(g, f))
		ret = emu_err_set(err, -EIO, "cannot draw '%s': %s", path,
				  draw_errmsg[0] ? draw_errmsg
						 : "graphviz failed");
	if ((ferror(f) | fclose(f)) && !ret)
		ret = emu_err_set(err, errno ? -errno : -EIO,
				  "cannot write '%s': %s", path,
				  strerror(errno ? errno : EIO));
	return ret;
}

/* graphviz's one context for the process, made at the first drawing and
 * freed at exit: its pango plugin keeps a pointer to the last font name,
 * which lives in the context, so a second context after a freed one read
 * freed memory. */
static GVC_t *draw_gvc;

static void draw_free_context(void)
{
	gvFreeContext(draw_gvc);
}

static GVC_t *draw_context(void)
{
	if (!draw_gvc && (draw_gvc = gvContext()))
		atexit(draw_free_context);
	return draw_gvc;
}

int net_draw(struct net *net, const char *path, struct emu_err *err)
{
	const char *format = draw_format(path);
	struct node **nodes;
	struct link **links;
	size_t n_nodes, n_links;
	agusererrf old_errf;
	Agraph_t *g;
	GVC_t *gvc;
	int ret = 0;

	if (!format)
		return emu_err_set(err, -EINVAL,
				   "cannot tell the format of '%s' (use .svg, "
				   ".png, .pdf or .dot)",
				   path);
	draw_errmsg[0] = '\0';
	old_errf = agseterrf(draw_on_error);
	gvc = draw_context();
	g = agopen("cnemu", Agundirected, NULL);
	if (!gvc || !g) {
		ret = emu_err_set(err, -ENOMEM, "graphviz: cannot start: %s",
				  draw_errmsg);
		goto out;
	}
	agattr(g, AGRAPH, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "10");
	agattr(g, AGEDGE, "labelfontsize", "8");
	agattr(g, AGEDGE, "labelfontcolor", "gray40");
	nodes = net_nodes(net, &n_nodes);
	links = net_links(net, &n_links);
	for (size_t i = 0; i < n_nodes; i++)
		draw_add_node(g, nodes[i]);
	for (size_t i = 0; i < n_links; i++)
		draw_add_link(g, links[i]);
	if (!strcmp(format, "dot") || !strcmp(format, "gv")) {
		ret = draw_write(NULL, g, format, path, err);
		goto out;
	}
	if (gvLayout(gvc, g, "dot")) {
		ret = emu_err_set(err, -EIO, "graphviz: cannot lay out: %s",
				  draw_errmsg);
		goto out;
	}
	ret = draw_write(gvc, g, format, path, err);
	gvFreeLayout(gvc, g);
out:
	if (g)
		agclose(g);
	agseterrf(old_errf);
	return ret;
}
