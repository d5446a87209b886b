/* cnemu.Link: a link of a Net, its two interfaces and its shaping. */
#include <string.h>

#include "base/err.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/node.h"
#include "lua/lcnemu.h"

void llink_push(lua_State *L, int net_idx, struct link *link)
{
	struct llink *ll;

	net_idx = lua_absindex(L, net_idx);
	lua_getiuservalue(L, net_idx, 2);
	lua_pushlightuserdata(L, link);
	if (lua_rawget(L, -2) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	ll = lua_newuserdatauv(L, sizeof(*ll), 1);
	ll->link = link;
	luaL_setmetatable(L, LLINK_META);
	lua_pushvalue(L, net_idx);
	lua_setiuservalue(L, -2, 1);
	lua_pushlightuserdata(L, link);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4);
	lua_remove(L, -2);
}

struct link *llink_check(lua_State *L, int idx, struct net **net)
{
	struct llink *ll = luaL_checkudata(L, idx, LLINK_META);
	struct lnet *owner;

	lua_getiuservalue(L, idx, 1);
	owner = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!owner || !owner->net)
		luaL_error(L, "the network of this link was destroyed");
	if (!ll->link)
		luaL_error(L, "the link was removed from its network");
	if (net)
		*net = owner->net;
	return ll->link;
}

/* link:config{bw =, delay =, jitter =, loss =, ...}: changes the given
 * TCLink options on both ends, the others stay (as the CLI's 'set
 * link'); at once on a running link.  'bw = false' (or "none") removes
 * an option. */
static int l_link_config(lua_State *L)
{
	struct net *net;
	struct link *link = llink_check(L, 1, &net);
	struct emu_err err = { 0 };
	struct shaping s[2];

	luaL_checktype(L, 2, LUA_TTABLE);
	s[0] = *link_shaping(link, 0);
	s[1] = *link_shaping(link, 1);
	for (int e = 0; e < 2; e++)
		if (lopt_shaping(L, 2, "config", &s[e], &err))
			return luaL_error(L, "config: %s", err.msg);
	if (net_set_link_shaping(net, link, &s[0], &s[1], &err))
		return luaL_error(L, "config: %s", err.msg);
	return 0;
}

static int l_link_tostring(lua_State *L)
{
	struct llink *ll = luaL_checkudata(L, 1, LLINK_META);

	/* Mininet's str(link) */
	if (!ll->link)
		lua_pushliteral(L, "<removed link>");
	else
		lua_pushfstring(L, "%s<->%s", link_intf1(ll->link)->name,
				link_intf2(ll->link)->name);
	return 1;
}

/* __index: intf1, intf2 (Intf objects; tostring() gives the name),
 * node1, node2, then the methods. */
static int l_link_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);

	if (key && (!strcmp(key, "intf1") || !strcmp(key, "intf2"))) {
		struct link *link = llink_check(L, 1, NULL);
		struct node_intf *intf = key[4] == '1' ? link_intf1(link)
						       : link_intf2(link);

		lua_getiuservalue(L, 1, 1);
		lnode_push(L, -1, intf->node);
		lintf_push(L, -1, intf);
		return 1;
	}
	if (key && (!strcmp(key, "node1") || !strcmp(key, "node2"))) {
		struct link *link = llink_check(L, 1, NULL);

		lua_getiuservalue(L, 1, 1);
		lnode_push(L, -1, key[4] == '1' ? link_intf1(link)->node
						: link_intf2(link)->node);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	return 1;
}

void llink_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "config", l_link_config },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, LLINK_META);
	lua_pushcfunction(L, l_link_tostring);
	lua_setfield(L, -2, "__tostring");
	luaL_newlib(L, methods);
	lua_pushcclosure(L, l_link_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}
