/* Lua topology scripts: a Lua 5.4 state with the 'cnemu' module (Net,
 * Node, Link over the Net API, Containernet's names), running a script
 * file, a chunk, or the CLI's 'lua CODE' lines.
 *
 * script_create() makes the state: the standard libraries, 'cnemu' as a
 * global and through require "cnemu", os.exit() ending the script without
 * leaving the process.  script_run_file() runs a script with its 'arg'
 * table; the Nets a script makes belong to the state, and
 * script_destroy() stops and removes every one of them (also those a
 * failed script left running).  While a script runs, SIGINT, SIGTERM and
 * SIGHUP stop it at the next Lua instruction with an "interrupted" error.
 * Messages of script errors start with the script's "file:line:". */
#ifndef LUA_SCRIPT_H
#define LUA_SCRIPT_H

#include <stdbool.h>

struct emu_err;
struct net;
struct net_opts;
struct script;

/* Returns a new state whose cnemu.Net{} takes its defaults from
 * 'defaults' (the command line's --switch, --controller, --link, ...;
 * copied; NULL: the Net's own).  Cannot fail (aborts on out-of-memory). */
struct script *script_create(const struct net_opts *defaults);
/* Closes the state: stops and destroys every Net its scripts made (a
 * borrowed one, script_set_net(), is left alone).  Accepts NULL. */
void script_destroy(struct script *s);

/* Runs the script 'path' with 'args' ('n_args' of them) as arg[1..n] and
 * as the chunk's '...'; arg[0] is 'path'.  When the script returns a Net,
 * '*net' gets it (borrowed: owned by the state; it may not be started),
 * else NULL.  Returns 0, the status os.exit() was given (> 0), or a
 * negative errno with 'err' set: -ENOENT when the file cannot be read,
 * -EINTR when a signal stopped it, -EINVAL for any other error, with
 * Lua's message ("topo.lua:12: addLink: no node 'h9'"). */
int script_run_file(struct script *s, const char *path, char *const *args,
		    int n_args, struct net **net, struct emu_err *err);
/* Runs the text 'code' as if it were the file 'name' (messages start
 * with "name:line:"); otherwise as script_run_file() without arguments. */
int script_run_chunk(struct script *s, const char *code, const char *name,
		     struct net **net, struct emu_err *err);

/* Makes the Net 'net', which the caller owns and destroys after
 * script_destroy(), the global 'net' and the network of the CLI's 'lua'
 * lines (the built-in topology). */
void script_set_net(struct script *s, struct net *net);

/* The CLI's 'lua CODE' command (a cli_lua_fn; 'aux' is the script): runs
 * 'code' with 'net' the network of the last script_run_*() or
 * script_set_net() and the node names as variables (Mininet's 'py');
 * an expression's values are printed.  Returns 0 or -EINVAL with 'err'
 * set to Lua's message. */
int script_cli_hook(void *aux, const char *code, struct emu_err *err);

/* What net:start() does in place of starting: --graph draws the Net,
 * --plan prints its placement over a cluster.  'fn' gets 'aux' and the
 * Net; 0 ends the script with status 0, starting nothing, an error is
 * raised as the script's.  'fn' NULL: net:start() starts again. */
typedef int script_instead_fn(void *aux, struct net *net,
			      struct emu_err *err);
void script_set_instead(struct script *s, script_instead_fn *fn, void *aux);
/* True when net:start() ran the function of script_set_instead(). */
bool script_did_instead(const struct script *s);

/* --custom: runs the file 'path', which defines a global table 'topos' of
 * functions, and when the name of 'spec' ("mytopo,3,k=2") is one of them,
 * calls it to describe its topology into 'net' (borrowed as with
 * script_set_net()) as topos.mytopo(net, 3, {k = 2}).  Returns 1 when it
 * did, 0 when 'spec' names none of them (a built-in one, then), or a
 * negative errno with 'err' set (Lua's file:line message). */
int script_build_topo(struct script *s, const char *path, const char *spec,
		      struct net *net, struct emu_err *err);

#endif
