/* The cnemu Lua module's insides, shared by cnemu.c (the module, the
 * state, options tables), lnet.c (cnemu.Net), lnode.c (cnemu.Node,
 * cnemu.Popen) and llink.c (cnemu.Link).
 *
 * A Net userdata owns its struct net (or borrows it: the CLI's built-in
 * topology) and keeps, in its two user values, a table of the Node and of
 * the Link userdata made for it, keyed by the C pointer: one userdata per
 * node, so that '==' works.  Node and Link userdata hold borrowed
 * pointers and their Net userdata as user value; a pointer is cleared
 * when its object is removed (lnet_sweep()) and every call checks that
 * its Net still lives. */
#ifndef LUA_LCNEMU_H
#define LUA_LCNEMU_H

#include <signal.h>
#include <stdbool.h>

#include <lauxlib.h>
#include <lua.h>

struct emu_err;
struct link;
struct net;
struct net_opts;
struct node;

#define LNET_META "cnemu.Net"
#define LNODE_META "cnemu.Node"
#define LLINK_META "cnemu.Link"
#define LPOPEN_META "cnemu.Popen"
#define LINTF_META "cnemu.Intf"

struct lnet {
	struct net *net;	/* NULL once destroyed */
	bool owned;		/* destroyed with the userdata */
};

struct lnode {
	struct node *node;	/* borrowed; NULL once removed */
};

struct llink {
	struct link *link;	/* borrowed; NULL once removed */
};

/* Module entry: returns the 'cnemu' table. */
int luaopen_cnemu(lua_State *L);

/* cnemu.c: the state */

/* The Net defaults of the command line, or NULL. */
const struct net_opts *lcnemu_defaults(lua_State *L);
/* True once SIGINT, SIGTERM or SIGHUP asked the running script to stop;
 * blocking calls (cmd, popen, sleep) check it when a read is
 * interrupted. */
bool lcnemu_interrupted(void);
/* The flag behind lcnemu_interrupted(), for cli_set_stop_flag(). */
volatile sig_atomic_t *lcnemu_stop_flag(void);
/* net:start() under --graph or --plan: runs what script_set_instead()
 * gave on 'net' and ends the script (never returns); returns 0 when there
 * is nothing to run in its place. */
int lcnemu_start_instead(lua_State *L, struct net *net);
/* Raises 'err' as a Lua error at the caller's file:line; never returns. */
int lcnemu_raise(lua_State *L, const struct emu_err *err);
/* Runs 'code' in 'L' for the CLI's 'lua' command with 'net_idx' (0:
 * none) as 'net' and node names as variables; see script_cli_hook(). */
int lcnemu_run_cli_code(lua_State *L, int net_idx, const char *code,
			struct emu_err *err);

/* cnemu.c: options tables.  'what' names the call in messages
 * ("addHost"); 'idx' is the table (nil or none: empty).  A value given as
 * text stays on the stack until the binding returns, which keeps the
 * returned pointer valid; absent values push nothing. */

/* Raises "what: unknown option 'k' (known: a, b)" for a key of the table
 * at 'idx' not in the NULL-ended 'keys'. */
void lopt_check_keys(lua_State *L, int idx, const char *what,
		     const char *const *keys);
/* The string (or number) value of 'key'; NULL when absent. */
const char *lopt_string(lua_State *L, int idx, const char *what,
			const char *key);
/* The value of 'key' as text for shaping_set() and the like: a string, a
 * number, or a boolean as "1"/"0"; NULL when absent. */
const char *lopt_text(lua_State *L, int idx, const char *what,
		      const char *key);
/* A size of 'key': bytes as a number or docker-py's "512m"; 'def' when
 * absent. */
long long lopt_size(lua_State *L, int idx, const char *what,
		    const char *key, long long def);
/* The boolean value of 'key', 'def' when absent. */
bool lopt_bool(lua_State *L, int idx, const char *what, const char *key,
	       bool def);
/* The integer value of 'key' in [min, max], 'def' when absent. */
long long lopt_integer(lua_State *L, int idx, const char *what,
		       const char *key, long long min, long long max,
		       long long def);
/* The strings of the list under 'key' (with 'kv', a map's pairs too, as
 * "K=V"): an array of '*n' pointers, NULL when absent; leaves one table
 * on the stack that keeps them. */
const char *const *lopt_strings(lua_State *L, int idx, const char *what,
				const char *key, bool kv, size_t *n);
/* luaL_checkstring() and luaL_optstring() that refuse a string holding a
 * NUL byte (argument error). */
const char *lopt_checkstring(lua_State *L, int arg);
const char *lopt_optstring(lua_State *L, int arg, const char *def);
/* Applies the pairs of the table at 'idx' to 's' with shaping_set()
 * (false: "none", the option removed).  Returns 0 or a negative errno with
 * 'err' set; raises for keys or values of the wrong type. */
struct shaping;
int lopt_shaping(lua_State *L, int idx, const char *what, struct shaping *s,
		 struct emu_err *err);
/* Converts the value at 'idx' in place to text as lopt_text() does;
 * NULL for other types. */
const char *lopt_tostring(lua_State *L, int idx);

/* lnet.c */
void lnet_register(lua_State *L);
/* Pushes a new Net userdata for 'net'. */
struct lnet *lnet_push(lua_State *L, struct net *net, bool owned);
/* The Net at 'idx' (raises when it is not one or was destroyed). */
struct net *lnet_check(lua_State *L, int idx);
/* The Net userdata at 'idx' when it is one, else NULL (no raise). */
struct lnet *lnet_test(lua_State *L, int idx);
/* Clears the Node and Link userdata of the Net at 'net_idx' whose object
 * is gone (after removals). */
void lnet_sweep(lua_State *L, int net_idx);

/* lnode.c */
void lnode_register(lua_State *L);
/* Pushes the Node userdata of 'node' of the Net at 'net_idx'. */
void lnode_push(lua_State *L, int net_idx, struct node *node);
/* The node of the Node at 'idx'; '*net' gets its Net (may be NULL). */
struct node *lnode_check(lua_State *L, int idx, struct net **net);

/* llink.c */
void llink_register(lua_State *L);
void llink_push(lua_State *L, int net_idx, struct link *link);
struct link *llink_check(lua_State *L, int idx, struct net **net);

/* lintf.c */
struct node_intf;
void lintf_register(lua_State *L);
/* Pushes an Intf for 'intf' of the Node userdata at 'node_idx'. */
void lintf_push(lua_State *L, int node_idx, const struct node_intf *intf);
/* The interface of the Intf at 'idx' (raises when it or its node is
 * gone); '*net' gets its Net (may be NULL). */
struct node_intf *lintf_check(lua_State *L, int idx, struct net **net);

#endif
