/* cnemu.Intf: an interface of a node (Mininet's Intf): its name, node and
 * link, its addresses, and config{} shaping its end of the link. */
#include <string.h>

#include "base/err.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/node.h"
#include "lua/lcnemu.h"
#include "topo/plan.h"

/* The interface is found again by name at each use: it goes away with
 * its link, and the name then says what is gone. */
struct lintf {
	char name[PLAN_IFNAME_MAX + 1];
};

void lintf_push(lua_State *L, int node_idx, const struct node_intf *intf)
{
	struct lintf *li;

	node_idx = lua_absindex(L, node_idx);
	li = lua_newuserdatauv(L, sizeof(*li), 1);
	snprintf(li->name, sizeof(li->name), "%s", intf->name);
	luaL_setmetatable(L, LINTF_META);
	lua_pushvalue(L, node_idx);
	lua_setiuservalue(L, -2, 1);
}

struct node_intf *lintf_check(lua_State *L, int idx, struct net **net)
{
	struct lintf *li = luaL_checkudata(L, idx, LINTF_META);
	struct node_intf *intf;
	struct node *node;

	idx = lua_absindex(L, idx);
	lua_getiuservalue(L, idx, 1);
	node = lnode_check(L, -1, net);
	lua_pop(L, 1);
	intf = node_find_intf(node, li->name);
	if (!intf)
		luaL_error(L, "interface '%s' was removed from '%s'", li->name,
			   node_name(node));
	return intf;
}

/* intf:config{bw =, delay =, ...}: Mininet's TCIntf.config: shapes the
 * egress of this end only (the other end keeps its shaping); false
 * removes an option. */
static int l_intf_config(lua_State *L)
{
	struct net *net;
	struct node_intf *intf = lintf_check(L, 1, &net);
	struct emu_err err = { 0 };
	struct shaping s[2];
	int end;

	luaL_checktype(L, 2, LUA_TTABLE);
	if (!intf->link)
		return luaL_error(L, "config: '%s' has no link to shape",
				  intf->name);
	end = link_intf1(intf->link) == intf ? 0 : 1;
	s[0] = *link_shaping(intf->link, 0);
	s[1] = *link_shaping(intf->link, 1);
	if (lopt_shaping(L, 2, "config", &s[end], &err))
		return luaL_error(L, "config: %s", err.msg);
	if (net_set_link_shaping(net, intf->link, &s[0], &s[1], &err))
		return luaL_error(L, "config: %s", err.msg);
	return 0;
}

static int l_intf_ip(lua_State *L)
{
	struct node_intf *intf = lintf_check(L, 1, NULL);

	if (intf->ip[0])
		lua_pushlstring(L, intf->ip, strcspn(intf->ip, "/"));
	else
		lua_pushnil(L);
	return 1;
}

static int l_intf_mac(lua_State *L)
{
	struct node_intf *intf = lintf_check(L, 1, NULL);
	char buf[32];

	if (net_intf_mac(intf, buf, sizeof(buf)))
		lua_pushstring(L, buf);
	else
		lua_pushnil(L);
	return 1;
}

static int l_intf_tostring(lua_State *L)
{
	struct lintf *li = luaL_checkudata(L, 1, LINTF_META);

	/* Mininet's str(intf): the name */
	lua_pushstring(L, li->name);
	return 1;
}

/* "dev " .. intf: the name, as with a string. */
static int l_intf_concat(lua_State *L)
{
	for (int i = 1; i <= 2; i++)
		if (luaL_testudata(L, i, LINTF_META)) {
			lua_pushstring(L, ((struct lintf *)lua_touserdata(
						   L, i))->name);
			lua_replace(L, i);
		}
	lua_concat(L, 2);
	return 1;
}

static int l_intf_eq(lua_State *L)
{
	struct lintf *a = luaL_checkudata(L, 1, LINTF_META);
	struct lintf *b = luaL_checkudata(L, 2, LINTF_META);
	bool same;

	lua_getiuservalue(L, 1, 1);
	lua_getiuservalue(L, 2, 1);
	same = lua_rawequal(L, -1, -2) && !strcmp(a->name, b->name);
	lua_pushboolean(L, same);
	return 1;
}

/* __index: name, node, link, then the methods. */
static int l_intf_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);

	if (key && !strcmp(key, "name")) {
		lua_pushstring(L, lintf_check(L, 1, NULL)->name);
		return 1;
	}
	if (key && !strcmp(key, "node")) {
		lintf_check(L, 1, NULL);
		lua_getiuservalue(L, 1, 1);
		return 1;
	}
	if (key && !strcmp(key, "link")) {
		struct node_intf *intf = lintf_check(L, 1, NULL);

		if (!intf->link) {
			lua_pushnil(L);
			return 1;
		}
		lua_getiuservalue(L, 1, 1);	/* the node */
		lua_getiuservalue(L, -1, 1);	/* its net */
		llink_push(L, -1, intf->link);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	return 1;
}

void lintf_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "config", l_intf_config },
		{ "IP", l_intf_ip },
		{ "MAC", l_intf_mac },
		{ NULL, NULL },
	};
	static const luaL_Reg meta[] = {
		{ "__tostring", l_intf_tostring },
		{ "__concat", l_intf_concat },
		{ "__eq", l_intf_eq },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, LINTF_META);
	luaL_setfuncs(L, meta, 0);
	luaL_newlib(L, methods);
	lua_pushcclosure(L, l_intf_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}
