/* cnemu.Net: Mininet's and Containernet's Net over emu/net.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu/cli/cli.h"
#include "base/err.h"
#include "emu/net.h"
#include "emu/traffic.h"
#include "base/util.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/docker.h"
#include "node/host.h"
#include "node/node.h"
#include "lua/lcnemu.h"

#define L_CONSTRUCTOR_KEY "cnemu.Net.new"	/* registry */

/* The Lua side of a Net: its link defaults, for links that add their own
 * shaping keys (Mininet merges them).  Extends struct lnet. */
struct l_net {
	struct lnet base;
	struct shaping link;	/* cnemu.Net{link = ...} or --link */
	bool has_link;
};

struct lnet *lnet_test(lua_State *L, int idx)
{
	return luaL_testudata(L, idx, LNET_META);
}

static struct l_net *l_net_check(lua_State *L, int idx)
{
	struct l_net *ln = luaL_checkudata(L, idx, LNET_META);

	if (!ln->base.net)
		luaL_error(L, "the network was destroyed");
	return ln;
}

struct net *lnet_check(lua_State *L, int idx)
{
	return l_net_check(L, idx)->base.net;
}

struct lnet *lnet_push(lua_State *L, struct net *net, bool owned)
{
	struct l_net *ln = lua_newuserdatauv(L, sizeof(*ln), 2);

	memset(ln, 0, sizeof(*ln));
	ln->base.net = net;
	ln->base.owned = owned;
	shaping_init(&ln->link);
	luaL_setmetatable(L, LNET_META);
	lua_newtable(L);	/* Node userdata by node pointer */
	lua_setiuservalue(L, -2, 1);
	lua_newtable(L);	/* Link userdata by link pointer */
	lua_setiuservalue(L, -2, 2);
	return &ln->base;
}

/* Clears the userdata in the cache 'uv' of the Net at 'net_idx' whose
 * pointer is not among 'live'. */
static void l_sweep_cache(lua_State *L, int net_idx, int uv, void **live,
			  size_t n)
{
	lua_getiuservalue(L, net_idx, uv);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		void *p = lua_touserdata(L, -2);
		size_t i;

		for (i = 0; i < n && live[i] != p; i++)
			;
		if (i == n) {
			/* struct lnode and struct llink start with it */
			*(void **)lua_touserdata(L, -1) = NULL;
			lua_pushvalue(L, -2);
			lua_pushnil(L);
			lua_rawset(L, -5);	/* allowed while traversing */
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

void lnet_sweep(lua_State *L, int net_idx)
{
	struct lnet *ln = lnet_test(L, net_idx);
	size_t n_nodes = 0, n_links = 0;
	struct node **nodes = NULL;
	struct link **links = NULL;

	if (!ln)
		return;
	net_idx = lua_absindex(L, net_idx);
	if (ln->net) {
		nodes = net_nodes(ln->net, &n_nodes);
		links = net_links(ln->net, &n_links);
	}
	l_sweep_cache(L, net_idx, 1, (void **)nodes, n_nodes);
	l_sweep_cache(L, net_idx, 2, (void **)links, n_links);
}

/* The node given at 'arg' of a call on the Net at 1: a Node of this Net
 * or a node name. */
static struct node *l_node_arg(lua_State *L, int arg, const char *what)
{
	struct net *net = lnet_check(L, 1), *owner;
	struct node *node;

	if (lua_type(L, arg) == LUA_TSTRING) {
		node = net_get(net, lopt_checkstring(L, arg));
		if (!node)
			luaL_error(L, "%s: no node '%s'", what,
				   lua_tostring(L, arg));
		return node;
	}
	if (!luaL_testudata(L, arg, LNODE_META))
		luaL_error(L, "%s: argument #%d must be a node or a node "
			      "name, not %s", what, arg - 1,
			   luaL_typename(L, arg));
	node = lnode_check(L, arg, &owner);
	if (owner != net)
		luaL_error(L, "%s: '%s' belongs to another network", what,
			   node_name(node));
	return node;
}

/* An array of the nodes in the list at 'arg' (nil: NULL), kept on the
 * stack. */
static struct node **l_node_list(lua_State *L, int arg, const char *what,
				 size_t *n)
{
	struct node **nodes;
	lua_Integer len;

	*n = 0;
	if (lua_isnoneornil(L, arg))
		return NULL;
	luaL_checktype(L, arg, LUA_TTABLE);
	len = (lua_Integer)lua_rawlen(L, arg);
	nodes = lua_newuserdatauv(L, (size_t)(len + 1) * sizeof(*nodes), 0);
	for (lua_Integer i = 1; i <= len; i++) {
		int top;

		lua_rawgeti(L, arg, i);
		top = lua_gettop(L);
		if (lua_type(L, top) != LUA_TSTRING &&
		    !luaL_testudata(L, top, LNODE_META))
			luaL_error(L, "%s: item %I of the list must be a node "
				      "or a node name, not %s", what, i,
				   luaL_typename(L, top));
		nodes[(*n)++] = l_node_arg(L, top, what);
		lua_settop(L, top - 1);
	}
	return nodes;
}

static int l_raise_prefixed(lua_State *L, const char *what,
			    const struct emu_err *err)
{
	return luaL_error(L, "%s: %s", what, err->msg);
}

/* Applies the shaping keys of the options table 'idx' to 's'; true when
 * there was any.  'skip' names the table's other keys. */
static bool l_shaping_opts(lua_State *L, int idx, const char *what,
			   const char *const *skip, struct shaping *s)
{
	struct emu_err err = { 0 };
	bool any = false;

	if (lua_isnoneornil(L, idx))
		return false;
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *key, *text;
		size_t i;

		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: option names must be strings", what);
		key = lua_tostring(L, -2);
		for (i = 0; skip && skip[i] && strcmp(skip[i], key); i++)
			;
		if (skip && skip[i]) {
			lua_pop(L, 1);
			continue;
		}
		text = lopt_tostring(L, -1);
		if (!text)
			luaL_error(L, "%s: option '%s' must be a number or a "
				      "string, not %s", what, key,
				   luaL_typename(L, -1));
		if (shaping_set(s, key, text, &err))
			l_raise_prefixed(L, what, &err);
		any = true;
		lua_pop(L, 1);
	}
	return any;
}

/* ---- cnemu.Net{...} ------------------------------------------------- */

/* The kind of 'role' whose Mininet class is 'name' (node/kinds.h), else
 * 'name' itself: a kind's own name. */
static const char *l_kind_of_class(enum node_role role, const char *name)
{
	const struct node_kind *k = node_kind_find_class(role, name);

	return k ? k->name : name;
}

static const char *l_switch_kind(const char *name)
{
	return l_kind_of_class(NODE_SWITCH, name);
}

/* The Net option 'link': "tc" (Mininet's TCLink: no defaults), "tc,bw=10,
 * delay=5ms" as --link, or a table of TCLink options. */
static void l_net_link_opt(lua_State *L, struct l_net *ln)
{
	struct emu_err err = { 0 };
	const char *text;
	int t = lua_getfield(L, 1, "link");

	if (t == LUA_TTABLE) {
		shaping_init(&ln->link);
		ln->has_link = l_shaping_opts(L, -1, "Net: link", NULL,
					      &ln->link);
	} else if (t == LUA_TSTRING) {
		text = lua_tostring(L, -1);
		if (!strcmp(text, "tc") || !strcmp(text, "TCLink") ||
		    !strcmp(text, "default") || !strcmp(text, "Link"))
			; /* the class alone: defaults stay */
		else if (str_starts_with(text, "tc,")) {
			shaping_init(&ln->link);
			if (shaping_parse_list(&ln->link, text + 3, &err))
				l_raise_prefixed(L, "Net: link", &err);
			ln->has_link = true;
		} else {
			luaL_error(L, "Net: invalid link '%s': expected "
				      "\"tc\", \"tc,bw=10,delay=5ms\" or a "
				      "table", text);
		}
	} else if (t != LUA_TNIL) {
		luaL_error(L, "Net: option 'link' must be a string or a "
			      "table, not %s", luaL_typename(L, -1));
	}
	lua_pop(L, 1);
}

static int l_net_new(lua_State *L)
{
	static const char *const keys[] = { "switch",	   "controller",
					    "link",	   "ipBase",
					    "autoSetMacs", "autoStaticArp",
					    "topo",	   "host",
					    "cluster",	   "clusterLoss",
					    NULL };
	const struct net_opts *defaults = lcnemu_defaults(L);
	struct net_opts o = { 0 };
	struct emu_err err = { 0 };
	const char *sw, *topo;
	struct l_net *ln;
	struct net *net;
	int t;

	lua_settop(L, 1);	/* 1: the options (or nil) */
	lopt_check_keys(L, 1, "Net", keys);
	if (defaults)
		o = *defaults;
	ln = (struct l_net *)lnet_push(L, NULL, true);	/* 2: the Net */
	if (defaults && defaults->link_defaults) {
		ln->link = *defaults->link_defaults;
		ln->has_link = true;
	}
	sw = lopt_string(L, 1, "Net", "switch");
	if (sw && strchr(sw, ',')) {
		const char *comma = strchr(sw, ',');

		lua_pushlstring(L, sw, (size_t)(comma - sw));
		o.switch_kind = l_switch_kind(lua_tostring(L, -1));
		o.switch_args = comma + 1;
	} else if (sw) {
		o.switch_kind = l_switch_kind(sw);
		o.switch_args = NULL;
	}
	t = lua_isnil(L, 1) ? LUA_TNIL : lua_getfield(L, 1, "controller");
	if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		o.controller = "none";	/* Mininet's controller=None */
	else if (t == LUA_TSTRING)
		o.controller = lua_tostring(L, -1);
	else if (t != LUA_TNIL)
		luaL_error(L, "Net: option 'controller' must be a string or "
			      "false, not %s", luaL_typename(L, -1));
	if (!lua_isnil(L, 1))
		l_net_link_opt(L, ln);
	o.link_defaults = ln->has_link ? &ln->link : NULL;
	if (lopt_string(L, 1, "Net", "ipBase"))
		o.ipbase = lua_tostring(L, -1);
	o.auto_mac = lopt_bool(L, 1, "Net", "autoSetMacs", o.auto_mac);
	o.auto_arp = lopt_bool(L, 1, "Net", "autoStaticArp", o.auto_arp);
	if (lopt_string(L, 1, "Net", "host"))
		o.host = lua_tostring(L, -1);
	if (lopt_string(L, 1, "Net", "cluster"))
		o.cluster = lua_tostring(L, -1);
	if (lopt_string(L, 1, "Net", "clusterLoss") &&
	    net_cluster_loss_parse(lua_tostring(L, -1), &o.cluster_loss))
		luaL_error(L, "Net: unknown clusterLoss '%s' (known: %s)",
			   lua_tostring(L, -1), NET_CLUSTER_LOSSES);
	topo = lopt_string(L, 1, "Net", "topo");
	net = net_create(&o, &err);
	if (!net)
		return l_raise_prefixed(L, "Net", &err);
	ln->base.net = net;	/* the userdata owns it from here on */
	if (topo && net_build(net, topo, &err)) {
		ln->base.net = NULL;
		net_destroy(net);
		return l_raise_prefixed(L, "Net: topo", &err);
	}
	lua_pushvalue(L, 2);
	return 1;
}

/* ---- adding nodes and links ----------------------------------------- */

static int l_push_new_node(lua_State *L, struct node *node,
			   const struct emu_err *err)
{
	if (!node) {
		lnet_sweep(L, 1);
		return lcnemu_raise(L, err);
	}
	lnode_push(L, 1, node);
	return 1;
}

/* As l_push_new_node(), after pinning 'node' to the machine
 * 'placement' (the option of that name, read before the node was added;
 * a node it does not fit is removed again). */
static int l_push_placed_node(lua_State *L, struct node *node,
			      const char *placement, struct emu_err *err)
{
	struct net *net = lnet_check(L, 1);

	if (node && placement &&
	    net_set_placement(net, node, placement, err)) {
		net_remove_node(net, node, NULL);
		node = NULL;
	}
	return l_push_new_node(L, node, err);
}

/* Mininet's cores: "0-1", a core number or a list of them; NULL when
 * absent.  The text stays on the stack. */
static const char *l_cores(lua_State *L, int idx, const char *what)
{
	char buf[256];
	size_t len = 0;
	int t = lua_isnoneornil(L, idx) ? LUA_TNIL
					 : lua_getfield(L, idx, "cores");

	if (t == LUA_TNIL)
		return NULL;
	if (t == LUA_TSTRING || t == LUA_TNUMBER)
		return lua_tostring(L, -1);
	if (t != LUA_TTABLE)
		luaL_error(L, "%s: option 'cores' must be \"0-1\", a number or "
			      "a list of them",
			   what);
	buf[0] = '\0';
	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
		int isnum;
		lua_Integer core = lua_tointegerx(L, -1, &isnum);

		lua_pop(L, 1);
		if (!isnum || core < 0 || len > sizeof(buf) - 24)
			luaL_error(L, "%s: option 'cores' lists core numbers",
				   what);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld",
					i > 1 ? "," : "", (long long)core);
	}
	lua_pop(L, 1);
	lua_pushstring(L, buf);
	return lua_tostring(L, -1);
}

static int l_net_add_host(lua_State *L)
{
	static const char *const keys[] = { "ip",    "mac",	  "defaultRoute",
					    "cls",   "cpu",	  "sched",
					    "period_us", "cores", "placement",
					    NULL };
	const char *w = "addHost", *cls, *sched, *placement;
	char known[64];
	struct net *net = lnet_check(L, 1);
	const char *name = lopt_checkstring(L, 2);
	struct net_host_opts ho = { 0 };
	struct emu_err err = { 0 };
	struct host_cpu cpu = { 0 };
	bool limited;

	lopt_check_keys(L, 3, w, keys);
	placement = lopt_string(L, 3, w, "placement");
	ho.ip = lopt_string(L, 3, w, "ip");
	ho.mac = lopt_string(L, 3, w, "mac");
	ho.default_route = lopt_string(L, 3, w, "defaultRoute");
	/* Mininet's CPULimitedHost: cls, or any of its options. */
	cls = lopt_string(L, 3, w, "cls");
	if (cls && node_kind_find_class(NODE_HOST, cls) !=
			   node_kind_default(NODE_HOST))
		return luaL_error(L, "%s: unknown cls '%s' (known: %s)", w, cls,
				  node_kind_classes(node_kind_default(NODE_HOST),
						    known, sizeof(known)));
	sched = lopt_string(L, 3, w, "sched");
	if (sched && strcmp(sched, "cfs") && strcmp(sched, "rt"))
		return luaL_error(L, "%s: unknown sched '%s' (known: cfs, rt)",
				  w, sched);
	cpu.rt = sched && !strcmp(sched, "rt");
	if (!lua_isnoneornil(L, 3) &&
	    lua_getfield(L, 3, "cpu") != LUA_TNIL) {
		cpu.cpu = luaL_checknumber(L, -1);
		if (!(cpu.cpu > 0 && cpu.cpu <= 1) && cpu.cpu != -1)
			return luaL_error(L, "%s: option 'cpu' must be a "
					     "fraction of the machine in (0, "
					     "1], or -1",
					  w);
	}
	cpu.period_us = (unsigned int)lopt_integer(L, 3, w, "period_us",
						   1000, 1000000, 0);
	cpu.cores = l_cores(L, 3, w);
	limited = (cls && !strcmp(cls, "CPULimitedHost")) || sched ||
		  cpu.cpu || cpu.period_us || cpu.cores;
	if (limited) {
		cpu.limited = true;
		ho.cpu = &cpu;
	}
	return l_push_placed_node(L, net_add_host(net, name, &ho, &err),
				  placement, &err);
}

/* Mininet's addNAT([name[, {ip, subnet, connect}]]): 'connect' a switch
 * (a node or a name) or false; a table alone is the options. */
static int l_net_add_nat(lua_State *L)
{
	static const char *const keys[] = { "ip", "subnet", "connect",
					    "inNamespace", NULL };
	const char *w = "addNAT";
	struct net *net = lnet_check(L, 1);
	struct net_nat_opts no = { 0 };
	struct emu_err err = { 0 };
	const char *name = NULL;
	int t;

	if (lua_istable(L, 2)) {
		lua_settop(L, 2);
		lua_pushnil(L);
		lua_insert(L, 2);
	}
	lua_settop(L, 3);
	if (!lua_isnil(L, 2))
		name = lopt_checkstring(L, 2);
	lopt_check_keys(L, 3, w, keys);
	no.ip = lopt_string(L, 3, w, "ip");
	no.subnet = lopt_string(L, 3, w, "subnet");
	if (lopt_bool(L, 3, w, "inNamespace", false))
		return luaL_error(L, "%s: inNamespace = true is not supported: "
				     "the NAT is in the machine's namespace",
				  w);
	t = lua_isnil(L, 3) ? LUA_TNIL : lua_getfield(L, 3, "connect");
	if (t == LUA_TBOOLEAN)
		no.no_connect = !lua_toboolean(L, -1);
	else if (t != LUA_TNIL)
		no.connect = l_node_arg(L, lua_gettop(L), w);
	return l_push_new_node(L, net_add_nat(net, name, &no, &err), &err);
}

/* Containernet's port_bindings = {[80] = 8080, ["53/udp"] = 5353,
 * [443] = {"127.0.0.1", 8443}}: an array kept on the stack. */
static struct docker_api_port *l_port_bindings(lua_State *L, int idx,
					       size_t *n)
{
	const char *what = "addDocker";
	struct docker_api_port *ports;
	size_t cap = 0;
	int vi, keep;

	*n = 0;
	if (lua_getfield(L, idx, "port_bindings") == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	vi = lua_gettop(L);
	if (!lua_istable(L, vi))
		luaL_error(L, "%s: option 'port_bindings' must be a table, "
			      "not %s", what, luaL_typename(L, vi));
	lua_pushnil(L);
	while (lua_next(L, vi)) {
		cap++;
		lua_pop(L, 1);
	}
	lua_newtable(L);	/* keeps the port texts */
	keep = lua_gettop(L);
	ports = lua_newuserdatauv(L, (cap + 1) * sizeof(*ports), 0);
	memset(ports, 0, (cap + 1) * sizeof(*ports));
	lua_rawseti(L, keep, 0);
	lua_pushnil(L);
	while (lua_next(L, vi)) {
		struct docker_api_port *p = &ports[(*n)++];
		lua_Integer hp;
		int ok;

		lua_pushvalue(L, -2);	/* never convert lua_next's key */
		if (lua_type(L, -1) != LUA_TNUMBER &&
		    lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: port_bindings keys must be ports",
				   what);
		p->port = lua_tostring(L, -1);
		lua_rawseti(L, keep, (lua_Integer)*n);
		if (lua_istable(L, -1)) {	/* {host_ip, host_port} */
			lua_rawgeti(L, -1, 1);
			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, "%s: port_bindings values are "
					      "ports or {ip, port}", what);
			p->host_ip = lua_tostring(L, -1);
			lua_rawseti(L, keep, -(lua_Integer)*n);
			lua_rawgeti(L, -1, 2);
		} else {
			lua_pushvalue(L, -1);
		}
		hp = lua_tointegerx(L, -1, &ok);
		if (!ok || hp < 0 || hp > 65535)
			luaL_error(L, "%s: invalid host port for '%s' in "
				      "port_bindings", what, p->port);
		p->host_port = (unsigned int)hp;
		lua_pop(L, 2);
	}
	lua_remove(L, vi);	/* the keep table stays */
	return ports;
}

static int l_net_add_docker(lua_State *L)
{
	static const char *const keys[] = {
		"dimage",	"dcmd",	       "ip",
		"mac",		"volumes",     "environment",
		"ports",	"port_bindings", "publish_all_ports",
		"mem_limit",	"memswap_limit", "cpu_quota",
		"cpu_period",	"cpu_shares",  "cpuset_cpus",
		"privileged",	"hostname",    "dns",
		"labels",	"keep",	       "network_mode",
		"placement",	NULL,
	};
	const char *w = "addDocker", *placement;
	struct net *net = lnet_check(L, 1);
	const char *name = lopt_checkstring(L, 2);
	struct docker_opts d = { 0 };
	struct emu_err err = { 0 };

	luaL_checktype(L, 3, LUA_TTABLE);
	lopt_check_keys(L, 3, w, keys);
	placement = lopt_string(L, 3, w, "placement");
	d.dimage = lopt_string(L, 3, w, "dimage");
	if (!d.dimage)
		return luaL_error(L, "%s: option 'dimage' is required", w);
	d.dcmd = lopt_string(L, 3, w, "dcmd");
	d.ip = lopt_string(L, 3, w, "ip");
	d.mac = lopt_string(L, 3, w, "mac");
	d.volumes = lopt_strings(L, 3, w, "volumes", false, &d.n_volumes);
	d.environment = lopt_strings(L, 3, w, "environment", true,
				     &d.n_environment);
	d.ports = lopt_strings(L, 3, w, "ports", false, &d.n_ports);
	d.port_bindings = l_port_bindings(L, 3, &d.n_port_bindings);
	d.publish_all_ports = lopt_bool(L, 3, w, "publish_all_ports", false);
	d.mem_limit = lopt_size(L, 3, w, "mem_limit", 0);
	d.memswap_limit = lopt_size(L, 3, w, "memswap_limit", 0);
	d.cpu_quota = lopt_integer(L, 3, w, "cpu_quota", -1, 1000000000, 0);
	d.cpu_period = lopt_integer(L, 3, w, "cpu_period", 0, 1000000, 0);
	d.cpu_shares = lopt_integer(L, 3, w, "cpu_shares", 0, 262144, 0);
	d.cpuset_cpus = lopt_string(L, 3, w, "cpuset_cpus");
	d.privileged = lopt_bool(L, 3, w, "privileged", false);
	d.hostname = lopt_string(L, 3, w, "hostname");
	d.dns = lopt_strings(L, 3, w, "dns", false, &d.n_dns);
	d.labels = lopt_strings(L, 3, w, "labels", true, &d.n_labels);
	d.keep = lopt_bool(L, 3, w, "keep", false);
	d.network_mode = lopt_string(L, 3, w, "network_mode");
	return l_push_placed_node(L, net_add_docker(net, name, &d, &err),
				  placement, &err);
}

static int l_net_add_switch(lua_State *L)
{
	static const char *const keys[] = { "cls", "dpid", "stp",
					    "controller", "placement", NULL };
	const char *w = "addSwitch", *placement;
	struct net *net = lnet_check(L, 1);
	const char *name = lopt_checkstring(L, 2);
	struct net_switch_opts so = { 0 };
	struct emu_err err = { 0 };
	int t;

	lopt_check_keys(L, 3, w, keys);
	placement = lopt_string(L, 3, w, "placement");
	so.kind = lopt_string(L, 3, w, "cls");
	if (so.kind)
		so.kind = l_switch_kind(so.kind);
	t = lua_isnoneornil(L, 3) ? LUA_TNIL : lua_getfield(L, 3, "dpid");
	if (t == LUA_TSTRING) {
		/* Mininet's dpid: hex digits */
		const char *s = lua_tostring(L, -1);
		char *end;

		errno = 0;
		so.dpid = strtoull(s, &end, 16);
		if (!*s || *end || errno || strlen(s) > 16)
			luaL_error(L, "%s: invalid dpid '%s': expected up to "
				      "16 hex digits", w, s);
	} else if (t == LUA_TNUMBER) {
		lua_Integer v = lua_tointeger(L, -1);

		if (!lua_isinteger(L, -1) || v < 0)
			luaL_error(L, "%s: invalid dpid: expected a positive "
				      "integer or hex digits", w);
		so.dpid = (uint64_t)v;
	} else if (t != LUA_TNIL) {
		luaL_error(L, "%s: option 'dpid' must be a string or a "
			      "number, not %s", w, luaL_typename(L, -1));
	}
	so.stp = lopt_bool(L, 3, w, "stp", false);
	t = lua_isnoneornil(L, 3) ? LUA_TNIL
				  : lua_getfield(L, 3, "controller");
	if (t == LUA_TUSERDATA && luaL_testudata(L, -1, LNODE_META)) {
		struct net *owner;

		so.controller = node_name(lnode_check(L, -1, &owner));
	} else if (t == LUA_TSTRING) {
		so.controller = lua_tostring(L, -1);
	} else if (t != LUA_TNIL) {
		luaL_error(L, "%s: option 'controller' must be a controller "
			      "or its name, not %s", w, luaL_typename(L, -1));
	}
	return l_push_placed_node(L, net_add_switch(net, name, &so, &err),
				  placement, &err);
}

static int l_net_add_controller(lua_State *L)
{
	static const char *const keys[] = { "cls", "controller", "mode", "ip",
					    "port", NULL };
	const char *w = "addController";
	struct net *net = lnet_check(L, 1);
	const char *name = lopt_optstring(L, 2, "c0");
	struct controller_opts co = { 0 };
	struct emu_err err = { 0 };
	const char *cls, *alias;

	lopt_check_keys(L, 3, w, keys);
	cls = lopt_string(L, 3, w, "cls");
	alias = lopt_string(L, 3, w, "controller");
	if (cls && alias)
		return luaL_error(L, "%s: give 'cls' or 'controller', not "
				     "both", w);
	co.kind = cls ? cls : alias;
	if (co.kind)
		co.kind = l_kind_of_class(NODE_CONTROLLER, co.kind);
	co.mode = lopt_string(L, 3, w, "mode");
	co.ip = lopt_string(L, 3, w, "ip");
	co.port = (int)lopt_integer(L, 3, w, "port", 1, 65535, 0);
	return l_push_new_node(L, net_add_controller(net, name, &co, &err),
			       &err);
}

/* The per-end table 'params1' or 'params2' of addLink at 'idx': its ip
 * and mac, and shaping keys on top of 's'. */
static bool l_link_params(lua_State *L, int idx, const char *key,
			  const char **ip, const char **mac, struct shaping *s)
{
	static const char *const own[] = { "ip", "mac", NULL };
	char what[32];
	bool any;
	int t = lua_isnoneornil(L, idx) ? LUA_TNIL
					: lua_getfield(L, idx, key);

	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return false;
	}
	snprintf(what, sizeof(what), "addLink: %s", key);
	if (t != LUA_TTABLE)
		luaL_error(L, "%s must be a table, not %s", what,
			   luaL_typename(L, -1));
	*ip = lopt_string(L, -1, what, "ip");
	if (*ip)
		lua_insert(L, -2);	/* keep the table on top */
	*mac = lopt_string(L, -1, what, "mac");
	if (*mac)
		lua_insert(L, -2);
	any = l_shaping_opts(L, -1, what, own, s);
	lua_pop(L, 1);
	return any;
}

static int l_net_add_link(lua_State *L)
{
	static const char *const own[] = {
		"intfName1", "intfName2", "port1", "port2", "params1",
		"params2",   "addr1",     "addr2", "mtu",   "cls",
		NULL,
	};
	const char *w = "addLink";
	struct l_net *ln = l_net_check(L, 1);
	struct node *a = l_node_arg(L, 2, w), *b = l_node_arg(L, 3, w);
	struct net_link_opts lo = { .port1 = -1, .port2 = -1 };
	struct shaping base, s[2];
	struct emu_err err = { 0 };
	const char *cls;
	bool any, any1, any2;
	struct link *link;

	if (!lua_isnoneornil(L, 4))
		luaL_checktype(L, 4, LUA_TTABLE);
	base = ln->link;
	if (!ln->has_link)
		shaping_init(&base);
	any = l_shaping_opts(L, 4, w, own, &base);
	s[0] = s[1] = base;
	lo.intf1 = lopt_string(L, 4, w, "intfName1");
	lo.intf2 = lopt_string(L, 4, w, "intfName2");
	lo.port1 = (int)lopt_integer(L, 4, w, "port1", 0, 65535, -1);
	lo.port2 = (int)lopt_integer(L, 4, w, "port2", 0, 65535, -1);
	lo.mac1 = lopt_string(L, 4, w, "addr1");
	lo.mac2 = lopt_string(L, 4, w, "addr2");
	lo.mtu = (unsigned int)lopt_integer(L, 4, w, "mtu", 68, 65535, 0);
	cls = lopt_string(L, 4, w, "cls");
	if (cls && strcmp(cls, "TCLink") && strcmp(cls, "tc") &&
	    strcmp(cls, "Link") && strcmp(cls, "default"))
		return luaL_error(L, "%s: unknown link class '%s' (known: "
				     "TCLink, Link)", w, cls);
	any1 = l_link_params(L, 4, "params1", &lo.ip1, &lo.mac1, &s[0]);
	any2 = l_link_params(L, 4, "params2", &lo.ip2, &lo.mac2, &s[1]);
	if (any || any1 || any2 || ln->has_link) {
		lo.shaping1 = &s[0];
		lo.shaping2 = &s[1];
	}
	link = net_add_link(ln->base.net, a, b, &lo, &err);
	if (!link) {
		lnet_sweep(L, 1);
		return lcnemu_raise(L, &err);
	}
	llink_push(L, 1, link);
	return 1;
}

/* ---- looking up ----------------------------------------------------- */

static int l_net_get(lua_State *L)
{
	int n = lua_gettop(L);

	lnet_check(L, 1);
	luaL_argcheck(L, n >= 2, 2, "node name expected");
	for (int i = 2; i <= n; i++) {
		lopt_checkstring(L, i);
		lnode_push(L, 1, l_node_arg(L, i, "get"));
	}
	return n - 1;
}

/* Pushes the list of the Net's nodes of 'role' (-1: all). */
static int l_push_nodes(lua_State *L, int role)
{
	size_t n, k = 0;
	struct node **nodes = net_nodes(lnet_check(L, 1), &n);

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		if (role >= 0 && node_role(nodes[i]) != (enum node_role)role)
			continue;
		lnode_push(L, 1, nodes[i]);
		lua_rawseti(L, -2, (lua_Integer)++k);
	}
	return 1;
}

static int l_net_hosts(lua_State *L)
{
	return l_push_nodes(L, NODE_HOST);
}

static int l_net_switches(lua_State *L)
{
	return l_push_nodes(L, NODE_SWITCH);
}

static int l_net_controllers(lua_State *L)
{
	return l_push_nodes(L, NODE_CONTROLLER);
}

static int l_net_nodes(lua_State *L)
{
	return l_push_nodes(L, -1);
}

static int l_net_links(lua_State *L)
{
	size_t n;
	struct link **links = net_links(lnet_check(L, 1), &n);

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		llink_push(L, 1, links[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* ---- running -------------------------------------------------------- */

static int l_net_start(lua_State *L)
{
	struct net *net = lnet_check(L, 1);
	struct emu_err err = { 0 };

	lcnemu_start_instead(L, net);	/* --graph, --plan: ends the script */
	if (net_start(net, &err))
		return lcnemu_raise(L, &err);
	return 0;
}

static int l_net_stop(lua_State *L)
{
	net_stop(lnet_check(L, 1));
	return 0;
}

/* The Net at 1, which must be started for 'what'. */
static struct net *l_started_net(lua_State *L, const char *what)
{
	struct net *net = lnet_check(L, 1);

	if (!net_is_started(net))
		luaL_error(L, "%s: the network is not started", what);
	return net;
}

static double l_timeout_arg(lua_State *L, int arg)
{
	double t = luaL_optnumber(L, arg, TRAFFIC_PING_TIMEOUT_S);

	luaL_argcheck(L, t > 0 && t <= 3600, arg, "timeout out of range "
						  "(0..3600 s)");
	return t;
}

/* Pushes Mininet's pingFull result: per ordered pair {src =, dst =,
 * sent =, received =, rttmin =, rttavg =, rttmax =, rttdev =} (ms). */
static void l_push_ping_full(lua_State *L, struct node *const *hosts,
			     const struct traffic_ping *res)
{
	static const char *const rtt_keys[] = { "rttmin", "rttavg", "rttmax",
						"rttdev" };
	size_t n = res->n_hosts;
	lua_Integer k = 0;

	lua_createtable(L, (int)(n * (n ? n - 1 : 0)), 0);
	for (size_t s = 0; s < n; s++)
		for (size_t d = 0; d < n; d++) {
			if (s == d)
				continue;
			lua_createtable(L, 0, 8);
			lnode_push(L, 1, hosts[s]);
			lua_setfield(L, -2, "src");
			lnode_push(L, 1, hosts[d]);
			lua_setfield(L, -2, "dst");
			lua_pushinteger(L, 1);
			lua_setfield(L, -2, "sent");
			lua_pushinteger(L, res->ok[s * n + d] != 0);
			lua_setfield(L, -2, "received");
			for (size_t i = 0; i < ARRAY_SIZE(rtt_keys); i++) {
				lua_pushnumber(L, res->rtt_ms[(s * n + d) * 4 +
							      i]);
				lua_setfield(L, -2, rtt_keys[i]);
			}
			lua_rawseti(L, -2, ++k);
		}
}

/* Pings among the 'n' 'hosts' (NULL: the hosts 'pick' takes), prints
 * Mininet's lines and pushes the percentage dropped, or with 'full' the
 * round-trip times of each pair (l_push_ping_full()). */
static int l_ping(lua_State *L, const char *what, struct node **hosts,
		  size_t n, enum traffic_pick pick, double timeout, bool full)
{
	struct traffic_ping_opts opts = { .timeout_s = timeout, .full = full };
	struct net *net = lnet_check(L, 1);
	struct emu_err err = { 0 };
	struct traffic_ping res;
	struct node **picked = NULL;
	int ret;

	if (!hosts) {
		hosts = picked = traffic_pick_hosts(net, pick, &n, &err);
		if (!hosts)
			return l_raise_prefixed(L, what, &err);
	}
	if (!net_is_started(net)) {
		free(picked);
		l_started_net(L, "ping");
	}
	fflush(stdout);
	traffic_print_ping_head(stdout);
	ret = traffic_ping(net, hosts, n, &opts, &res, &err);
	if (!ret) {
		traffic_print_ping(stdout, &res);
		if (full)
			l_push_ping_full(L, hosts, &res);
		else
			lua_pushinteger(L, traffic_ping_dropped(&res));
	}
	free(picked);
	traffic_ping_release(&res);
	if (ret)
		return lcnemu_raise(L, &err);
	return 1;
}

/* net:ping([hosts[, timeout]]): Mininet's loss in percent. */
static int l_net_ping(lua_State *L)
{
	size_t n;
	struct node **hosts;
	double timeout = l_timeout_arg(L, 3);

	lnet_check(L, 1);
	hosts = l_node_list(L, 2, "ping", &n);
	return l_ping(L, "ping", hosts, n, TRAFFIC_ALL_HOSTS, timeout, false);
}

/* net:pingFull([hosts[, timeout]]): Mininet's; one ping at a time, a list
 * of each pair's figures (l_push_ping_full()). */
static int l_net_ping_full(lua_State *L)
{
	size_t n;
	struct node **hosts;
	double timeout = l_timeout_arg(L, 3);

	lnet_check(L, 1);
	hosts = l_node_list(L, 2, "pingFull", &n);
	return l_ping(L, "pingFull", hosts, n, TRAFFIC_ALL_HOSTS, timeout,
		      true);
}

/* net:waitConnected([timeout]): Mininet's; true once every switch is
 * connected to its controllers and its flows are in place, false after
 * 'timeout' seconds (nil: until NET_CONNECT_IDLE_MS pass with no switch
 * getting ready, as start() waits) or before start. */
static int l_net_wait_connected(lua_State *L)
{
	struct net *net = lnet_check(L, 1);
	int ms = -1;

	if (!lua_isnoneornil(L, 2)) {
		lua_Number t = luaL_checknumber(L, 2);

		luaL_argcheck(L, t >= 0 && t <= 3600, 2,
			      "timeout out of range (0..3600 s)");
		ms = (int)(t * 1000);
	}
	lua_pushboolean(L, net_wait_connected(net, ms));
	return 1;
}

static int l_net_ping_all(lua_State *L)
{
	double timeout = l_timeout_arg(L, 2);

	lnet_check(L, 1);
	return l_ping(L, "pingAll", NULL, 0, TRAFFIC_ALL_HOSTS, timeout,
		      false);
}

static int l_net_ping_all_full(lua_State *L)
{
	double timeout = l_timeout_arg(L, 2);

	lnet_check(L, 1);
	return l_ping(L, "pingAllFull", NULL, 0, TRAFFIC_ALL_HOSTS, timeout,
		      true);
}

static int l_net_ping_pair(lua_State *L)
{
	lnet_check(L, 1);
	return l_ping(L, "pingPair", NULL, 0, TRAFFIC_FIRST_TWO,
		      TRAFFIC_PING_TIMEOUT_S, false);
}

static int l_net_ping_pair_full(lua_State *L)
{
	lnet_check(L, 1);
	return l_ping(L, "pingPairFull", NULL, 0, TRAFFIC_FIRST_TWO,
		      TRAFFIC_PING_TIMEOUT_S, true);
}

/* net:runCpuLimitTest(cpu[, duration]): Mininet's; returns the list of
 * percentages of the machine, host after host, second after second. */
static int l_net_run_cpu_limit_test(lua_State *L)
{
	struct net *net = lnet_check(L, 1);
	double cpu = luaL_checknumber(L, 2);
	lua_Integer seconds = luaL_optinteger(L, 3, 5);
	struct emu_err err = { 0 };
	size_t cap;
	double *pcts;
	int n;

	luaL_argcheck(L, cpu > 0 && cpu <= 1, 2, "a fraction in (0, 1]");
	luaL_argcheck(L, seconds >= 1 && seconds <= 3600, 3,
		      "1 to 3600 seconds");
	cap = net_nodes(net, &cap) ? cap * (size_t)seconds : 0;
	pcts = lua_newuserdatauv(L, (cap ? cap : 1) * sizeof(*pcts), 0);
	n = traffic_cpu_limit(net, cpu, (unsigned int)seconds, pcts, cap,
			      &err);
	if (n < 0)
		return luaL_error(L, "runCpuLimitTest: %s", err.msg);
	traffic_print_cpu(stdout, pcts, (size_t)n);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushnumber(L, pcts[i]);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/* net:iperf([{client, server}[, {l4Type =, udpBw =, seconds =}]]):
 * prints Mininet's lines, returns the server's and the client's rates in
 * bits/s. */
static int l_net_iperf(lua_State *L)
{
	static const char *const keys[] = { "l4Type", "udpBw", "seconds",
					    NULL };
	static const char *const types[] = { "TCP", "UDP", NULL };
	const char *w = "iperf", *l4, *udp_bw = NULL;
	struct net *net = lnet_check(L, 1);
	struct node **hosts, *pair[2] = { NULL, NULL };
	struct emu_err err = { 0 };
	struct traffic_iperf res;
	unsigned int seconds;
	size_t n;

	/* the list's array goes on the stack: after the options, not at 3
	 * ({h1, h2} alone made it look like a bad options table) */
	lua_settop(L, 3);
	lopt_check_keys(L, 3, w, keys);
	hosts = l_node_list(L, 2, w, &n);
	if (hosts && n != 2)
		return luaL_error(L, "%s: give two hosts {client, server}, "
				     "not %d", w, (int)n);
	if (hosts) {
		pair[0] = hosts[0];
		pair[1] = hosts[1];
	} else {
		hosts = traffic_pick_hosts(net, TRAFFIC_FIRST_LAST, &n, &err);
		if (!hosts)
			return l_raise_prefixed(L, w, &err);
		pair[0] = hosts[0];
		pair[1] = hosts[1];
		free(hosts);
	}
	l4 = lopt_string(L, 3, w, "l4Type");
	if (l4) {
		size_t i;

		for (i = 0; types[i] && strcmp(types[i], l4); i++)
			;
		if (!types[i])
			return luaL_error(L, "%s: invalid l4Type '%s' (known: "
					     "TCP, UDP)", w, l4);
		if (i == 1)
			udp_bw = TRAFFIC_UDP_BW;
	}
	if (lopt_string(L, 3, w, "udpBw")) {
		if (!udp_bw)
			return luaL_error(L, "%s: udpBw needs l4Type = \"UDP\"",
					  w);
		udp_bw = lua_tostring(L, -1);
	}
	seconds = (unsigned int)lopt_integer(L, 3, w, "seconds", 1, 3600,
					     TRAFFIC_IPERF_SECONDS);
	l_started_net(L, w);
	fflush(stdout);
	traffic_print_iperf_head(stdout, udp_bw, node_name(pair[0]),
				 node_name(pair[1]));
	if (traffic_iperf(net, pair[0], pair[1], udp_bw, seconds, &res, &err))
		return l_raise_prefixed(L, w, &err);
	traffic_print_iperf(stdout, &res);
	lua_pushnumber(L, res.server_bps);
	lua_pushnumber(L, res.client_bps);
	return 2;
}

/* The CLI's 'lua' command inside net:CLI(): the Net at 1 of 'L'. */
static int l_cli_lua(void *aux, const char *code, struct emu_err *err)
{
	return lcnemu_run_cli_code(aux, 1, code, err);
}

static int l_net_cli(lua_State *L)
{
	struct net *net = lnet_check(L, 1);
	struct emu_err err = { 0 };
	bool tty = isatty(STDIN_FILENO);
	struct cli *cli;
	int ret;

	lua_settop(L, 1);
	cli = cli_create(net, &err);
	if (!cli)
		return lcnemu_raise(L, &err);
	cli_set_lua_hook(cli, l_cli_lua, L);
	cli_set_stop_flag(cli, lcnemu_stop_flag());
	if (tty)
		fprintf(stderr, "*** Starting CLI:\n");
	fflush(stdout);
	ret = cli_run_attachable(cli, stdin, tty);
	cli_destroy(cli);
	lnet_sweep(L, 1);	/* the CLI may have removed nodes */
	if (ret)
		return luaL_error(L, "CLI: cannot read commands: %s",
				  strerror(-ret));
	return 0;
}

static int l_net_config_link_status(lua_State *L)
{
	static const char *const states[] = { "up", "down", NULL };
	const char *w = "configLinkStatus";
	struct net *net = lnet_check(L, 1);
	struct node *a = l_node_arg(L, 2, w), *b = l_node_arg(L, 3, w);
	bool up = luaL_checkoption(L, 4, NULL, states) == 0;
	struct emu_err err = { 0 };

	if (net_set_link_up(net, a, b, up, &err))
		return l_raise_prefixed(L, w, &err);
	return 0;
}

/* ---- removing ------------------------------------------------------- */

enum l_remove { L_REMOVE_ANY, L_REMOVE_DOCKER, L_REMOVE_HOST,
		L_REMOVE_SWITCH };

static int l_remove_node(lua_State *L, enum l_remove what, const char *w)
{
	struct net *net = lnet_check(L, 1);
	struct node *node = l_node_arg(L, 2, w);
	struct emu_err err = { 0 };
	const char *bad = NULL;

	if (what == L_REMOVE_DOCKER && !node_is_docker(node))
		bad = "a container";
	else if (what == L_REMOVE_HOST && node_role(node) != NODE_HOST)
		bad = "a host";
	else if (what == L_REMOVE_SWITCH && node_role(node) != NODE_SWITCH)
		bad = "a switch";
	if (bad)
		return luaL_error(L, "%s: '%s' is not %s", w, node_name(node),
				  bad);
	if (net_remove_node(net, node, &err)) {
		lnet_sweep(L, 1);
		return l_raise_prefixed(L, w, &err);
	}
	lnet_sweep(L, 1);
	return 0;
}

static int l_net_remove_docker(lua_State *L)
{
	return l_remove_node(L, L_REMOVE_DOCKER, "removeDocker");
}

static int l_net_remove_host(lua_State *L)
{
	return l_remove_node(L, L_REMOVE_HOST, "removeHost");
}

static int l_net_remove_switch(lua_State *L)
{
	return l_remove_node(L, L_REMOVE_SWITCH, "removeSwitch");
}

static int l_net_del_node(lua_State *L)
{
	return l_remove_node(L, L_REMOVE_ANY, "delNode");
}

/* net:removeLink(link) or net:removeLink(a, b): every link between. */
static int l_net_remove_link(lua_State *L)
{
	const char *w = "removeLink";
	struct net *net = lnet_check(L, 1), *owner;
	struct emu_err err = { 0 };
	struct link **links;
	size_t found = 0;
	int ret = 0;

	if (luaL_testudata(L, 2, LLINK_META)) {
		struct link *link = llink_check(L, 2, &owner);

		if (owner != net)
			return luaL_error(L, "%s: the link belongs to another "
					     "network", w);
		ret = net_remove_link(net, link, &err);
		found = 1;
	} else {
		struct node *a = l_node_arg(L, 2, w), *b = l_node_arg(L, 3, w);

		/* Backwards: a removal moves only the links after it. */
		links = net_links_between(net, a, b, &found);
		for (size_t i = found; i-- > 0 && !ret;)
			ret = net_remove_link(net, links[i], &err);
		free(links);
		if (!found)
			return luaL_error(L, "%s: '%s' and '%s' are not "
					     "connected", w, node_name(a),
					  node_name(b));
	}
	lnet_sweep(L, 1);
	if (ret)
		return l_raise_prefixed(L, w, &err);
	return 0;
}

/* ---- the metatable --------------------------------------------------- */

static int l_net_gc(lua_State *L)
{
	struct lnet *ln = luaL_checkudata(L, 1, LNET_META);
	struct net *net = ln->net;

	ln->net = NULL;
	if (net && ln->owned)
		net_destroy(net);
	return 0;
}

static int l_net_tostring(lua_State *L)
{
	struct lnet *ln = luaL_checkudata(L, 1, LNET_META);
	size_t n_nodes, n_links;

	if (!ln->net) {
		lua_pushliteral(L, "<Net (destroyed)>");
		return 1;
	}
	net_nodes(ln->net, &n_nodes);
	net_links(ln->net, &n_links);
	lua_pushfstring(L, "<Net %s: %d nodes, %d links, %s>",
			net_run_tag(ln->net), (int)n_nodes, (int)n_links,
			net_is_started(ln->net) ? "started" : "not started");
	return 1;
}

/* __index: the methods, then the nodes by name (nil when none). */
static int l_net_index(lua_State *L)
{
	struct net *net;
	struct node *node;

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	net = lnet_check(L, 1);
	if (lua_type(L, 2) != LUA_TSTRING)
		return 1;
	node = net_get(net, lua_tostring(L, 2));
	if (!node)
		return 1;
	lnode_push(L, 1, node);
	return 1;
}

void lnet_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "addHost", l_net_add_host },
		{ "addDocker", l_net_add_docker },
		{ "addNAT", l_net_add_nat },
		{ "addSwitch", l_net_add_switch },
		{ "addController", l_net_add_controller },
		{ "addLink", l_net_add_link },
		{ "get", l_net_get },
		{ "getNodeByName", l_net_get },
		{ "hosts", l_net_hosts },
		{ "switches", l_net_switches },
		{ "controllers", l_net_controllers },
		{ "nodes", l_net_nodes },
		{ "links", l_net_links },
		{ "start", l_net_start },
		{ "stop", l_net_stop },
		{ "ping", l_net_ping },
		{ "pingAll", l_net_ping_all },
		{ "waitConnected", l_net_wait_connected },
		{ "pingPair", l_net_ping_pair },
		{ "pingFull", l_net_ping_full },
		{ "pingAllFull", l_net_ping_all_full },
		{ "pingPairFull", l_net_ping_pair_full },
		{ "iperf", l_net_iperf },
		{ "runCpuLimitTest", l_net_run_cpu_limit_test },
		{ "CLI", l_net_cli },
		{ "configLinkStatus", l_net_config_link_status },
		{ "removeDocker", l_net_remove_docker },
		{ "removeHost", l_net_remove_host },
		{ "removeSwitch", l_net_remove_switch },
		{ "delNode", l_net_del_node },
		{ "removeLink", l_net_remove_link },
		{ "delLink", l_net_remove_link },
		{ NULL, NULL },
	};
	static const luaL_Reg meta[] = {
		{ "__gc", l_net_gc },
		{ "__close", l_net_gc },
		{ "__tostring", l_net_tostring },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, LNET_META);
	luaL_setfuncs(L, meta, 0);
	luaL_newlib(L, methods);
	lua_pushcclosure(L, l_net_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	lua_pushcfunction(L, l_net_new);
	lua_setfield(L, LUA_REGISTRYINDEX, L_CONSTRUCTOR_KEY);
}
