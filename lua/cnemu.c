/* The 'cnemu' Lua module and the state scripts run in: module table,
 * options tables, signals, os.exit(), the CLI's 'lua' command. */
#include "lua/script.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "base/err.h"
#include "base/log.h"
#include "emu/net.h"
#include "base/proc.h"
#include "base/util.h"
#include "link/shaping.h"
#include "lua/lcnemu.h"
#include "node/docker_json.h"

EMU_LOG_MODULE(lua);

#define L_SCRIPT_KEY "cnemu.script"	/* registry: the struct script */
#define L_VERSION "0.1"

struct script {
	lua_State *L;
	struct net_opts defaults;	/* strings below, owned */
	bool has_defaults;
	char *switch_kind, *switch_args, *controller, *ipbase, *link_engine;
	char *cluster;
	struct shaping link;		/* defaults.link_defaults */
	int net_ref;			/* registry: the CLI's 'net' */
	int exit_status;		/* os.exit()'s */
	bool exiting;			/* os.exit() unwinds the script */
	script_instead_fn *instead;	/* --graph, --plan: what net:start()
					   does in its place */
	void *instead_aux;
	bool did_instead;		/* net:start() called it */
};

/* Raised through the script by os.exit() (compared by address). */
static char l_exit_sentinel;

/* The signal that asked the running script to stop; 0: none. */
static volatile sig_atomic_t l_signal;
/* The state of the running script, for the signal handler. */
static lua_State *volatile l_hooked;

static struct script *l_script(lua_State *L)
{
	struct script *s;

	lua_getfield(L, LUA_REGISTRYINDEX, L_SCRIPT_KEY);
	s = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return s;
}

const struct net_opts *lcnemu_defaults(lua_State *L)
{
	struct script *s = l_script(L);

	return s && s->has_defaults ? &s->defaults : NULL;
}

bool lcnemu_interrupted(void)
{
	return l_signal != 0;
}

volatile sig_atomic_t *lcnemu_stop_flag(void)
{
	return &l_signal;
}

int lcnemu_raise(lua_State *L, const struct emu_err *err)
{
	return luaL_error(L, "%s",
			  err->msg[0] ? err->msg : strerror(-err->code));
}

/* ---- options tables ------------------------------------------------- */

static const char *l_type_of_field(lua_State *L)
{
	return luaL_typename(L, -1);
}

void lopt_check_keys(lua_State *L, int idx, const char *what,
		     const char *const *keys)
{
	if (lua_isnoneornil(L, idx))
		return;
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		luaL_error(L, "%s: options must be a table, not %s", what,
			   luaL_typename(L, idx));
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *key;
		size_t i;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: option names must be strings, not "
				      "%s", what, luaL_typename(L, -1));
		key = lua_tostring(L, -1);
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i]) {
			luaL_Buffer b;

			luaL_buffinit(L, &b);
			for (i = 0; keys[i]; i++) {
				if (i)
					luaL_addstring(&b, ", ");
				luaL_addstring(&b, keys[i]);
			}
			luaL_pushresult(&b);
			luaL_error(L, "%s: unknown option '%s' (known: %s)",
				   what, key, lua_tostring(L, -1));
		}
	}
}

/* Pushes the field 'key' of the options table 'idx' (nil when there is no
 * table). */
static int l_field(lua_State *L, int idx, const char *key)
{
	if (lua_isnoneornil(L, idx)) {
		lua_pushnil(L);
		return LUA_TNIL;
	}
	return lua_getfield(L, idx, key);
}

/* Raises when the string at 'idx' holds a NUL byte: C would cut it there
 * ("h1\0x" would become "h1"). */
static const char *l_whole(lua_State *L, int idx, const char *what,
			   const char *key)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);

	if (s && strlen(s) != len)
		luaL_error(L, "%s: option '%s' holds a NUL byte", what, key);
	return s;
}

const char *lopt_checkstring(lua_State *L, int arg)
{
	size_t len;
	const char *s = luaL_checklstring(L, arg, &len);

	if (strlen(s) != len)
		luaL_argerror(L, arg, "string holds a NUL byte");
	return s;
}

const char *lopt_optstring(lua_State *L, int arg, const char *def)
{
	return lua_isnoneornil(L, arg) ? def : lopt_checkstring(L, arg);
}

int lopt_shaping(lua_State *L, int idx, const char *what, struct shaping *s,
		 struct emu_err *err)
{
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *text;
		int ret;

		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: option names must be strings", what);
		/* false removes the option, as Mininet's None */
		text = lua_isboolean(L, -1) && !lua_toboolean(L, -1)
			       ? "none"
			       : lopt_tostring(L, -1);
		if (!text)
			luaL_error(L, "%s: option '%s' must be a number or a "
				      "string, not %s",
				   what, lua_tostring(L, -2),
				   luaL_typename(L, -1));
		ret = shaping_set(s, lua_tostring(L, -2), text, err);
		if (ret) {
			lua_pop(L, 2);
			return ret;
		}
		lua_pop(L, 1);
	}
	return 0;
}

const char *lopt_tostring(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
	case LUA_TNUMBER:
		return lua_tostring(L, idx);
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "1" : "0";
	default:
		return NULL;
	}
}

const char *lopt_string(lua_State *L, int idx, const char *what,
			const char *key)
{
	int t;

	idx = lua_absindex(L, idx);
	t = l_field(L, idx, key);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (t != LUA_TSTRING && t != LUA_TNUMBER)
		luaL_error(L, "%s: option '%s' must be a string, not %s", what,
			   key, l_type_of_field(L));
	return l_whole(L, -1, what, key);
}

const char *lopt_text(lua_State *L, int idx, const char *what,
		      const char *key)
{
	const char *text;

	idx = lua_absindex(L, idx);
	if (l_field(L, idx, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	text = lopt_tostring(L, -1);
	if (!text)
		luaL_error(L, "%s: option '%s' must be a number or a string, "
			      "not %s", what, key, l_type_of_field(L));
	if (lua_type(L, -1) == LUA_TBOOLEAN)
		lua_pop(L, 1);	/* "1" and "0" are static */
	else
		l_whole(L, -1, what, key);
	return text;
}

/* A size option: bytes as a number or docker-py's "512m"; 'def' when
 * absent. */
long long lopt_size(lua_State *L, int idx, const char *what,
		    const char *key, long long def)
{
	struct emu_err err = { 0 };
	long long bytes = def;
	int t = lua_getfield(L, idx, key);

	if (t == LUA_TNUMBER) {
		int ok;

		bytes = lua_tointegerx(L, -1, &ok);
		if (!ok || bytes < -1)
			luaL_error(L, "%s: option '%s' must be bytes or a "
				      "size like \"512m\"", what, key);
	} else if (t == LUA_TSTRING) {
		if (docker_json_parse_size(lua_tostring(L, -1), &bytes, &err))
			luaL_error(L, "%s: option '%s': %s", what, key,
				   err.msg);
	} else if (t != LUA_TNIL) {
		luaL_error(L, "%s: option '%s' must be a number or a string, "
			      "not %s", what, key, luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	return bytes;
}

bool lopt_bool(lua_State *L, int idx, const char *what, const char *key,
	       bool def)
{
	int t;
	bool v = def;

	idx = lua_absindex(L, idx);
	t = l_field(L, idx, key);
	if (t == LUA_TBOOLEAN)
		v = lua_toboolean(L, -1);
	else if (t != LUA_TNIL)
		luaL_error(L, "%s: option '%s' must be true or false, not %s",
			   what, key, l_type_of_field(L));
	lua_pop(L, 1);
	return v;
}

long long lopt_integer(lua_State *L, int idx, const char *what,
		       const char *key, long long min, long long max,
		       long long def)
{
	lua_Integer v;
	int ok, t;

	idx = lua_absindex(L, idx);
	t = l_field(L, idx, key);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return def;
	}
	v = lua_tointegerx(L, -1, &ok);
	if (!ok)
		luaL_error(L, "%s: option '%s' must be an integer, not %s",
			   what, key,
			   t == LUA_TSTRING ? lua_tostring(L, -1)
					    : l_type_of_field(L));
	if (v < min || v > max)
		luaL_error(L, "%s: option '%s' is %I, out of range (%I..%I)",
			   what, key, (lua_Integer)v, (lua_Integer)min,
			   (lua_Integer)max);
	lua_pop(L, 1);
	return v;
}

const char *const *lopt_strings(lua_State *L, int idx, const char *what,
				const char *key, bool kv, size_t *n)
{
	const char **ptrs;
	lua_Integer len;
	int vi, ki;

	*n = 0;
	idx = lua_absindex(L, idx);
	if (l_field(L, idx, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	vi = lua_gettop(L);
	if (!lua_istable(L, vi))
		luaL_error(L, "%s: option '%s' must be a table, not %s", what,
			   key, l_type_of_field(L));
	lua_newtable(L);
	ki = lua_gettop(L);
	len = (lua_Integer)lua_rawlen(L, vi);
	for (lua_Integer i = 1; i <= len; i++) {
		lua_rawgeti(L, vi, i);
		if (!lopt_tostring(L, -1) || lua_isboolean(L, -1))
			luaL_error(L, "%s: item %I of option '%s' must be a "
				      "string, not %s", what, i, key,
				   l_type_of_field(L));
		lua_rawseti(L, ki, (lua_Integer)++*n);
	}
	lua_pushnil(L);
	while (lua_next(L, vi)) {
		const char *v;

		if (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 &&
		    lua_tointeger(L, -2) <= len) {
			lua_pop(L, 1);
			continue;
		}
		if (!kv || lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: option '%s' must be a list", what,
				   key);
		v = lopt_tostring(L, -1);
		if (!v)
			luaL_error(L, "%s: value of '%s' in option '%s' must "
				      "be a string, not %s", what,
				   lua_tostring(L, -2), key,
				   l_type_of_field(L));
		lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), v);
		lua_rawseti(L, ki, (lua_Integer)++*n);
		lua_pop(L, 1);
	}
	ptrs = lua_newuserdatauv(L, (*n + 1) * sizeof(*ptrs), 0);
	for (size_t i = 0; i < *n; i++) {
		lua_rawgeti(L, ki, (lua_Integer)i + 1);
		ptrs[i] = lua_tostring(L, -1);	/* kept alive by 'ki' */
		lua_pop(L, 1);
	}
	ptrs[*n] = NULL;
	lua_setfield(L, ki, "ptrs");
	lua_remove(L, vi);	/* the keep table stays */
	return ptrs;
}

/* ---- module functions ---------------------------------------------- */

/* cnemu.sleep(seconds): sleeps, interruptibly. */
static int l_sleep(lua_State *L)
{
	double s = luaL_checknumber(L, 1);
	struct timespec ts;

	luaL_argcheck(L, s >= 0 && s <= 86400, 1, "seconds out of range");
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (lcnemu_interrupted())
			return luaL_error(L, "interrupted");
	return 0;
}

/* cnemu.now(): a monotonic clock in seconds, for timing in scripts. */
static int l_now(lua_State *L)
{
	lua_pushnumber(L, (double)now_us() / 1e6);
	return 1;
}

/* Writes the arguments (tostring'ed, no newline added, as Mininet's
 * info()) to stderr when the 'lua' module logs at 'level'. */
static int l_log_at(lua_State *L, enum log_level level)
{
	int n = lua_gettop(L);

	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);

		if (log_this_module.level >= level)
			fwrite(s, 1, len, stderr);
		lua_pop(L, 1);
	}
	return 0;
}

static int l_info(lua_State *L)
{
	return l_log_at(L, LOG_INFO);
}

static int l_debug(lua_State *L)
{
	return l_log_at(L, LOG_DBG);
}

static int l_warn(lua_State *L)
{
	return l_log_at(L, LOG_WARN);
}

static int l_error(lua_State *L)
{
	return l_log_at(L, LOG_ERR);
}

/* cnemu.setLogLevel("info"): Mininet's level names for every module. */
static int l_set_log_level(lua_State *L)
{
	static const char *const names[] = { "debug", "info", "output",
					     "warning", "warn", "error",
					     "critical", NULL };
	static const enum log_level levels[] = { LOG_DBG, LOG_INFO, LOG_INFO,
						 LOG_WARN, LOG_WARN, LOG_ERR,
						 LOG_ERR };

	log_set_default(levels[luaL_checkoption(L, 1, NULL, names)]);
	return 0;
}

int luaopen_cnemu(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "sleep", l_sleep },	      { "now", l_now },
		{ "info", l_info },
		{ "output", l_info },	      { "debug", l_debug },
		{ "warn", l_warn },	      { "error", l_error },
		{ "setLogLevel", l_set_log_level }, { NULL, NULL },
	};

	lnet_register(L);
	lnode_register(L);
	llink_register(L);
	lintf_register(L);
	luaL_newlib(L, fns);
	/* cnemu.Net is set by lnet_register() into the registry. */
	lua_getfield(L, LUA_REGISTRYINDEX, "cnemu.Net.new");
	lua_setfield(L, -2, "Net");
	lua_pushliteral(L, L_VERSION);
	lua_setfield(L, -2, "version");
	return 1;
}

/* ---- running code ---------------------------------------------------- */

/* Stops the running script at its next instruction: a signal asked, or
 * os.exit() unwinds through a pcall of the script's. */
static void l_hook(lua_State *L, lua_Debug *ar)
{
	struct script *s = l_script(L);
	lua_Debug here;

	(void)ar;
	if (s && s->exiting) {
		lua_pushlightuserdata(L, &l_exit_sentinel);
		lua_error(L);
	}
	if (!l_signal)
		return;
	/* Level 0 is the Lua function the hook interrupted. */
	if (lua_getstack(L, 0, &here) && lua_getinfo(L, "Sl", &here) &&
	    here.currentline > 0)
		lua_pushfstring(L, "%s:%d: interrupted", here.short_src,
				here.currentline);
	else
		lua_pushliteral(L, "interrupted");
	lua_error(L);
}

static void l_on_signal(int sig)
{
	l_signal = sig;
	if (l_hooked)
		lua_sethook(l_hooked, l_hook, LUA_MASKCOUNT, 1);
}

/* Ends the running script with 'status' (unwinding through its pcalls);
 * never returns. */
static int l_exit_script(lua_State *L, int status)
{
	struct script *s = l_script(L);

	s->exit_status = status & 0xff;
	s->exiting = true;
	lua_sethook(L, l_hook, LUA_MASKCOUNT, 1);
	lua_pushlightuserdata(L, &l_exit_sentinel);
	return lua_error(L);
}

/* os.exit([status]): ends the script, not the process, so that its Nets
 * are stopped and removed. */
static int l_os_exit(lua_State *L)
{
	if (lua_isboolean(L, 1))
		return l_exit_script(L, lua_toboolean(L, 1) ? 0 : 1);
	return l_exit_script(L, (int)luaL_optinteger(L, 1, 0));
}

int lcnemu_start_instead(lua_State *L, struct net *net)
{
	struct script *s = l_script(L);
	struct emu_err err = { 0 };

	if (!s || !s->instead)
		return 0;
	if (s->instead(s->instead_aux, net, &err))
		return lcnemu_raise(L, &err);
	s->did_instead = true;
	return l_exit_script(L, 0);
}

/* Starts "/bin/sh -c 'cmd'" with the signals a shell expects; 'fd' (>= 0)
 * becomes its descriptor 'target'.  Returns its pid or -1 (errno). */
static pid_t l_shell_spawn(const char *cmd, int fd, int target)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (fd >= 0 && dup2(fd, target) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Waits for the shell 'pid' as system() and pclose() do, but a stop
 * request ends it: SIGTERM, SIGKILL after PROC_GRACE_MS, where they
 * would wait whatever comes.  Returns its wait status. */
static int l_shell_wait(pid_t pid)
{
	int status = 0;

	for (;;) {
		if (lcnemu_interrupted())
			return proc_end_child(pid, false, SIGTERM,
					      PROC_GRACE_MS);
		if (waitpid(pid, &status, 0) == pid)
			return status;
		if (errno != EINTR)
			return 0;
	}
}

/* os.execute([command]) as Lua's own, through l_shell_wait(). */
static int l_os_execute(lua_State *L)
{
	const char *cmd = luaL_optstring(L, 1, NULL);
	pid_t pid;

	if (!cmd) {
		lua_pushboolean(L, access("/bin/sh", X_OK) == 0);
		return 1;
	}
	pid = l_shell_spawn(cmd, -1, -1);
	if (pid < 0)
		return luaL_fileresult(L, 0, NULL);
	return luaL_execresult(L, l_shell_wait(pid));
}

/* The shells of io.popen() streams still open, by stream. */
struct l_popen_shell {
	FILE *f;
	pid_t pid;
	struct l_popen_shell *next;
};
static struct l_popen_shell *l_popen_shells;

/* The 'closef' of io.popen() streams (file:close(), garbage): closes the
 * stream, then waits for its shell through l_shell_wait(). */
static int l_io_pclose(lua_State *L)
{
	luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
	struct l_popen_shell **link = &l_popen_shells, *sh;
	pid_t pid = -1;

	while ((sh = *link) && sh->f != p->f)
		link = &sh->next;
	if (sh) {
		pid = sh->pid;
		*link = sh->next;
		free(sh);
	}
	fclose(p->f);
	if (pid < 0)
		return luaL_execresult(L, -1);
	return luaL_execresult(L, l_shell_wait(pid));
}

/* io.popen(prog [, mode]) as Lua's own, its shell ended as os.execute's
 * when the script is stopped. */
static int l_io_popen(lua_State *L)
{
	const char *cmd = luaL_checkstring(L, 1);
	const char *mode = luaL_optstring(L, 2, "r");
	bool reading = !strcmp(mode, "r");
	struct l_popen_shell *sh;
	luaL_Stream *p;
	int fds[2];
	pid_t pid;

	luaL_argcheck(L, reading || !strcmp(mode, "w"), 2, "invalid mode");
	p = lua_newuserdatauv(L, sizeof(*p), 0);
	p->closef = NULL;	/* a closed file until it is open */
	luaL_setmetatable(L, LUA_FILEHANDLE);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return luaL_fileresult(L, 0, cmd);
	pid = l_shell_spawn(cmd, fds[reading ? 1 : 0], reading ? 1 : 0);
	close(fds[reading ? 1 : 0]);
	if (pid < 0) {
		close(fds[reading ? 0 : 1]);
		return luaL_fileresult(L, 0, cmd);
	}
	p->f = fdopen(fds[reading ? 0 : 1], mode);
	if (!p->f) {
		close(fds[reading ? 0 : 1]);
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return luaL_fileresult(L, 0, cmd);
	}
	p->closef = l_io_pclose;
	sh = xcalloc(1, sizeof(*sh));
	sh->f = p->f;
	sh->pid = pid;
	sh->next = l_popen_shells;
	l_popen_shells = sh;
	return 1;
}

/* True when 'msg' starts with a position "file:line:". */
static bool l_has_position(const char *msg)
{
	for (const char *p = msg; *p && *p != '\n'; p++) {
		const char *d = p + 1;

		if (*p != ':' || !isdigit((unsigned char)*d))
			continue;
		while (isdigit((unsigned char)*d))
			d++;
		if (*d == ':')
			return true;
	}
	return false;
}

/* The message handler of pcalls: the message, with the position of the
 * innermost Lua code in front when it has none (an error raised inside a
 * binding: "attempt to index a userdata value"), so that every error says
 * its file:line (a traceback at the 'lua' module's dbg level). */
static int l_msgh(lua_State *L)
{
	lua_Debug ar;

	if (lua_touserdata(L, 1) == &l_exit_sentinel)
		return 1;
	if (lua_type(L, 1) != LUA_TSTRING) {
		if (!luaL_callmeta(L, 1, "__tostring") ||
		    lua_type(L, -1) != LUA_TSTRING)
			lua_pushfstring(L, "(error object is a %s value)",
					luaL_typename(L, 1));
		lua_replace(L, 1);
	}
	for (int level = 1; !l_has_position(lua_tostring(L, 1)) &&
			    lua_getstack(L, level, &ar);
	     level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
			continue;
		lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline,
				lua_tostring(L, 1));
		lua_replace(L, 1);
	}
	if (log_this_module.level >= LOG_DBG) {
		luaL_traceback(L, L, lua_tostring(L, 1), 1);
		log_dbg("%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_settop(L, 1);
	return 1;
}

static const int l_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* What l_catch_signals() replaced, for l_release_signals(). */
struct l_caught {
	struct sigaction old[3];	/* of l_signals */
	lua_State *hooked;		/* l_hooked before */
};

/* Makes SIGINT, SIGTERM and SIGHUP stop the code running in 'L' at its
 * next instruction (with an "interrupted" error) until
 * l_release_signals(); nests. */
static void l_catch_signals(lua_State *L, struct l_caught *c)
{
	struct sigaction sa = { .sa_handler = l_on_signal };

	l_signal = 0;
	c->hooked = l_hooked;
	l_hooked = L;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read returns EINTR. */
	for (size_t i = 0; i < ARRAY_SIZE(l_signals); i++)
		sigaction(l_signals[i], &sa, &c->old[i]);
}

static void l_release_signals(lua_State *L, const struct l_caught *c)
{
	l_hooked = c->hooked;
	lua_sethook(L, NULL, 0, 0);
	for (size_t i = 0; i < ARRAY_SIZE(l_signals); i++)
		sigaction(l_signals[i], &c->old[i], NULL);
}

/* Hands 'sig' (0: none), which stopped Lua code, on to the handler that
 * l_catch_signals() replaced, when it is a function (main's, which stops
 * the run and gives its exit status). */
static void l_pass_signal(const struct l_caught *c, int sig)
{
	for (size_t i = 0; sig && i < ARRAY_SIZE(l_signals); i++)
		if (l_signals[i] == sig &&
		    c->old[i].sa_handler != SIG_DFL &&
		    c->old[i].sa_handler != SIG_IGN &&
		    !(c->old[i].sa_flags & SA_SIGINFO))
			c->old[i].sa_handler(sig);
}

/* Calls the chunk under 'nargs' arguments on top of the stack with the
 * signals stopping it; '*net' gets a Net it returned. */
static int l_run(struct script *s, int nargs, struct net **net,
		 struct emu_err *err)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs, status, ret = 0;
	struct l_caught caught;
	struct lnet *ln;

	if (net)
		*net = NULL;
	lua_pushcfunction(L, l_msgh);
	lua_insert(L, base);
	s->exiting = false;
	l_catch_signals(L, &caught);
	status = lua_pcall(L, nargs, 1, base);
	l_release_signals(L, &caught);
	l_pass_signal(&caught, l_signal);
	if (s->exiting) {
		s->exiting = false;
		ret = s->exit_status;
	} else if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);

		ret = emu_err_set(err, l_signal ? -EINTR : -EINVAL, "%s",
				  msg ? msg : "error");
	} else if (l_signal) {
		ret = emu_err_set(err, -EINTR, "interrupted (%s)",
				  strsignal(l_signal));
	} else if ((ln = lnet_test(L, -1)) && ln->net) {
		if (net)
			*net = ln->net;
		luaL_unref(L, LUA_REGISTRYINDEX, s->net_ref);
		lua_pushvalue(L, -1);
		s->net_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_settop(L, base - 1);
	return ret;
}

int script_run_file(struct script *s, const char *path, char *const *args,
		    int n_args, struct net **net, struct emu_err *err)
{
	lua_State *L = s->L;
	int st;

	lua_createtable(L, n_args, 2);
	lua_pushliteral(L, "cnemu");
	lua_rawseti(L, -2, -1);
	lua_pushstring(L, path);
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < n_args; i++) {
		lua_pushstring(L, args[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
	st = luaL_loadfile(L, path);
	if (st != LUA_OK) {
		int code = st == LUA_ERRFILE ? -ENOENT : -EINVAL;

		if (net)
			*net = NULL;
		emu_err_set(err, code, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return code;
	}
	luaL_checkstack(L, n_args, "too many arguments");
	for (int i = 0; i < n_args; i++)
		lua_pushstring(L, args[i]);
	return l_run(s, n_args, net, err);
}

int script_run_chunk(struct script *s, const char *code, const char *name,
		     struct net **net, struct emu_err *err)
{
	lua_State *L = s->L;
	char *chunkname = xasprintf("@%s", name);
	int st = luaL_loadbuffer(L, code, strlen(code), chunkname);

	free(chunkname);
	if (st != LUA_OK) {
		if (net)
			*net = NULL;
		emu_err_set(err, -EINVAL, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return -EINVAL;
	}
	return l_run(s, 0, net, err);
}

/* __index of the environment of the CLI's Lua lines: globals, then the
 * nodes of the Net in upvalue 1 by name. */
static int l_cli_env_index(lua_State *L)
{
	struct lnet *ln = lnet_test(L, lua_upvalueindex(1));
	struct node *node;

	lua_pushglobaltable(L);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, -2) != LUA_TNIL)
		return 1;
	if (!ln || !ln->net || lua_type(L, 2) != LUA_TSTRING)
		return 1;
	node = net_get(ln->net, lua_tostring(L, 2));
	if (!node)
		return 1;
	lnode_push(L, lua_upvalueindex(1), node);
	return 1;
}

int lcnemu_run_cli_code(lua_State *L, int net_idx, const char *code,
			struct emu_err *err)
{
	int top = lua_gettop(L), env, base, st, n;
	char *expr;

	if (net_idx)
		net_idx = lua_absindex(L, net_idx);
	lua_newtable(L);
	env = lua_gettop(L);
	if (net_idx) {
		lua_pushvalue(L, net_idx);
		lua_setfield(L, env, "net");
	}
	lua_createtable(L, 0, 2);
	if (net_idx)
		lua_pushvalue(L, net_idx);
	else
		lua_pushnil(L);
	lua_pushcclosure(L, l_cli_env_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushglobaltable(L);
	lua_setfield(L, -2, "__newindex");
	lua_setmetatable(L, env);
	lua_pushcfunction(L, l_msgh);
	base = lua_gettop(L);
	/* An expression prints its values, as Lua's own prompt does. */
	expr = xasprintf("return %s;", code);
	st = luaL_loadbuffer(L, expr, strlen(expr), "=lua");
	free(expr);
	if (st != LUA_OK) {
		lua_pop(L, 1);
		st = luaL_loadbuffer(L, code, strlen(code), "=lua");
	}
	if (st == LUA_OK) {
		struct l_caught caught;

		lua_pushvalue(L, env);
		lua_setupvalue(L, -2, 1);	/* _ENV */
		/* 'while true do end' ends on Ctrl-C, SIGTERM and SIGHUP */
		l_catch_signals(L, &caught);
		st = lua_pcall(L, 0, LUA_MULTRET, base);
		l_release_signals(L, &caught);
		/* Ctrl-C ends the line; the others also stop the CLI */
		if (l_signal != SIGINT)
			l_pass_signal(&caught, l_signal);
	}
	if (st != LUA_OK) {
		int code = l_signal ? -EINTR : -EINVAL;

		emu_err_set(err, code, "%s", lua_tostring(L, -1));
		lua_settop(L, top);
		return code;
	}
	n = lua_gettop(L) - base;
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, base + i, &len);

		if (i > 1)
			fputc('\t', stdout);
		fwrite(s, 1, len, stdout);
		lua_pop(L, 1);
	}
	if (n)
		fputc('\n', stdout);
	fflush(stdout);
	lua_settop(L, top);
	return 0;
}

int script_cli_hook(void *aux, const char *code, struct emu_err *err)
{
	struct script *s = aux;
	lua_State *L = s->L;
	int ret;

	if (s->net_ref != LUA_NOREF && s->net_ref != LUA_REFNIL)
		lua_rawgeti(L, LUA_REGISTRYINDEX, s->net_ref);
	else
		lua_pushnil(L);
	ret = lcnemu_run_cli_code(L, lua_isnil(L, -1) ? 0 : -1, code, err);
	lua_pop(L, 1);
	return ret;
}

void script_set_net(struct script *s, struct net *net)
{
	lua_State *L = s->L;

	lnet_push(L, net, false);
	lua_pushvalue(L, -1);
	lua_setglobal(L, "net");
	luaL_unref(L, LUA_REGISTRYINDEX, s->net_ref);
	s->net_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* ---- the state -------------------------------------------------------- */

static void l_copy_defaults(struct script *s, const struct net_opts *d)
{
	s->has_defaults = true;
	s->defaults = *d;
	s->defaults.switch_kind = s->switch_kind = xstrdup(d->switch_kind);
	s->defaults.switch_args = s->switch_args = xstrdup(d->switch_args);
	s->defaults.controller = s->controller = xstrdup(d->controller);
	s->defaults.ipbase = s->ipbase = xstrdup(d->ipbase);
	s->defaults.link_engine = s->link_engine = xstrdup(d->link_engine);
	s->defaults.cluster = s->cluster = xstrdup(d->cluster);
	if (d->link_defaults) {
		s->link = *d->link_defaults;
		s->defaults.link_defaults = &s->link;
	}
}

struct script *script_create(const struct net_opts *defaults)
{
	struct script *s = xcalloc(1, sizeof(*s));
	lua_State *L = luaL_newstate();

	if (!L)
		abort();
	s->L = L;
	s->net_ref = LUA_NOREF;
	if (defaults)
		l_copy_defaults(s, defaults);
	lua_pushlightuserdata(L, s);
	lua_setfield(L, LUA_REGISTRYINDEX, L_SCRIPT_KEY);
	luaL_openlibs(L);
	luaL_requiref(L, "cnemu", luaopen_cnemu, 1);
	lua_pop(L, 1);
	lua_getglobal(L, "os");
	lua_pushcfunction(L, l_os_exit);
	lua_setfield(L, -2, "exit");
	lua_pushcfunction(L, l_os_execute);
	lua_setfield(L, -2, "execute");
	lua_pop(L, 1);
	lua_getglobal(L, "io");
	lua_pushcfunction(L, l_io_popen);
	lua_setfield(L, -2, "popen");
	lua_pop(L, 1);
	return s;
}

void script_destroy(struct script *s)
{
	if (!s)
		return;
	/* Runs every Net's __gc: stops and removes what the scripts made. */
	lua_close(s->L);
	free(s->switch_kind);
	free(s->switch_args);
	free(s->controller);
	free(s->ipbase);
	free(s->link_engine);
	free(s->cluster);
	free(s);
}

void script_set_instead(struct script *s, script_instead_fn *fn, void *aux)
{
	s->instead = fn;
	s->instead_aux = aux;
}

bool script_did_instead(const struct script *s)
{
	return s->did_instead;
}

int script_build_topo(struct script *s, const char *path, const char *spec,
		      struct net *net, struct emu_err *err)
{
	lua_State *L = s->L;
	char *copy = xstrdup(spec), *rest = copy, *name, *arg;
	int ret, nargs = 1, kv = 0, top = lua_gettop(L);

	name = strsep(&rest, ",");
	ret = script_run_file(s, path, NULL, 0, NULL, err);
	if (ret > 0)
		ret = emu_err_set(err, -EINVAL, "%s: os.exit() while defining "
				  "topologies", path);
	if (ret)
		goto out;
	if (lua_getglobal(L, "topos") != LUA_TTABLE) {
		lua_settop(L, top);
		ret = emu_err_set(err, -EINVAL, "%s: defines no table 'topos' "
				  "(topos = { name = function(net, ...) ... "
				  "end })", path);
		goto out;
	}
	if (lua_getfield(L, -1, name) == LUA_TNIL) {
		lua_settop(L, top);
		ret = 0;	/* not one of its topologies */
		goto out;
	}
	lua_remove(L, -2);
	if (!lua_isfunction(L, -1)) {
		lua_settop(L, top);
		ret = emu_err_set(err, -EINVAL, "%s: topos.%s is not a "
				  "function", path, name);
		goto out;
	}
	script_set_net(s, net);
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->net_ref);
	/* "name,3,k=2": fn(net, 3, {k = 2}), numbers as numbers */
	while ((arg = strsep(&rest, ","))) {
		char *eq = strchr(arg, '=');
		const char *v = eq ? eq + 1 : arg;

		if (!*arg || eq == arg) {
			lua_settop(L, top);
			ret = emu_err_set(err, -EINVAL, "invalid argument '%s' "
					  "in topology '%s'", arg, spec);
			goto out;
		}
		if (eq && !kv++) {
			lua_newtable(L);
			nargs++;
		}
		if (eq)
			lua_pushlstring(L, arg, (size_t)(eq - arg));
		if (!lua_stringtonumber(L, v))
			lua_pushstring(L, v);
		if (eq) {
			lua_settable(L, -3);
		} else if (kv) {
			lua_settop(L, top);
			ret = emu_err_set(err, -EINVAL, "'%s' after key=value "
					  "arguments in topology '%s'", arg,
					  spec);
			goto out;
		} else {
			nargs++;
		}
	}
	ret = l_run(s, nargs, NULL, err);
	if (ret > 0)
		ret = emu_err_set(err, -EINVAL, "topos.%s: os.exit()", name);
	if (!ret)
		ret = 1;
out:
	free(copy);
	return ret;
}
