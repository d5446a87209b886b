/* cnemu.Node: a host, container, switch or controller of a Net, and
 * cnemu.Popen: a command running in a node, read line by line. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/cli/cli.h"
#include "base/err.h"
#include "emu/net.h"
#include "base/util.h"
#include "node/docker.h"
#include "node/node.h"
#include "lua/lcnemu.h"

#define L_POPEN_BUF 8192	/* longest line popen returns whole */
/* node:cmd() returns the whole output as a string: a command that floods
 * (yes) ends in an error at this size, not with all of memory taken. */
#define L_CMD_OUTPUT_MAX (64u << 20)	/* bytes */

/* A command started by node:popen(). */
struct l_popen {
	pid_t pid;		/* 0 once reaped */
	int fd;			/* its stdout and stderr; -1 at EOF */
	int status;		/* exit status once reaped; -1: unknown */
	size_t len;		/* bytes in 'buf' */
	char buf[L_POPEN_BUF];
};

void lnode_push(lua_State *L, int net_idx, struct node *node)
{
	struct lnode *ln;

	net_idx = lua_absindex(L, net_idx);
	lua_getiuservalue(L, net_idx, 1);
	lua_pushlightuserdata(L, node);
	if (lua_rawget(L, -2) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	ln = lua_newuserdatauv(L, sizeof(*ln), 1);
	ln->node = node;
	luaL_setmetatable(L, LNODE_META);
	lua_pushvalue(L, net_idx);
	lua_setiuservalue(L, -2, 1);
	lua_pushlightuserdata(L, node);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4);
	lua_remove(L, -2);
}

struct node *lnode_check(lua_State *L, int idx, struct net **net)
{
	struct lnode *ln = luaL_checkudata(L, idx, LNODE_META);
	struct lnet *owner;

	lua_getiuservalue(L, idx, 1);
	owner = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!owner || !owner->net)
		luaL_error(L, "the network of this node was destroyed");
	if (!ln->node)
		luaL_error(L, "the node was removed from its network");
	if (net)
		*net = owner->net;
	return ln->node;
}

static struct node *l_running_node(lua_State *L, const char *what,
				   struct net **net)
{
	struct node *node = lnode_check(L, 1, net);

	if (!node_is_running(node))
		luaL_error(L, "%s: '%s' is not running (start the network "
			      "first)", what, node_name(node));
	return node;
}

/* The interface named at 'arg' (nil: the node's first, or NULL when it
 * has none). */
static struct node_intf *l_intf_arg(lua_State *L, struct node *node, int arg,
				    const char *what)
{
	struct node_intf *intf;
	const char *name;

	if (lua_isnoneornil(L, arg))
		return node->n_intfs ? node->intfs[0] : NULL;
	if (luaL_testudata(L, arg, LINTF_META))
		return lintf_check(L, arg, NULL);
	name = lopt_checkstring(L, arg);
	intf = node_find_intf(node, name);
	if (!intf)
		luaL_error(L, "%s: '%s' has no interface '%s'", what,
			   node_name(node), name);
	return intf;
}

/* ---- commands ------------------------------------------------------- */

/* The command line of cmd(...) and popen(...): the arguments joined by
 * spaces, as Mininet's cmd(*args). */
static const char *l_command_line(lua_State *L, const char *what)
{
	int n = lua_gettop(L);
	luaL_Buffer b;

	if (n < 2)
		luaL_error(L, "%s: a command is expected", what);
	luaL_buffinit(L, &b);
	for (int i = 2; i <= n; i++) {
		int t = lua_type(L, i);

		if (t != LUA_TSTRING && t != LUA_TNUMBER)
			luaL_error(L, "%s: argument #%d must be a string, not "
				      "%s", what, i - 1, luaL_typename(L, i));
		if (i > 2)
			luaL_addchar(&b, ' ');
		lua_pushvalue(L, i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	return lua_tostring(L, -1);
}

/* Ends the child 'pid' at once and reaps it. */
static void l_kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Reaps 'pid'; returns its exit status (128 + signal), -1 when it cannot
 * be known (another wait took it).  A stop request kills it. */
static int l_reap(lua_State *L, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (lcnemu_interrupted()) {
			l_kill_child(pid);
			luaL_error(L, "interrupted");
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

/* Starts "/bin/sh -c 'line'" in 'node' with its output on a pipe whose
 * read end goes to '*fd' (-1 for none: output to /dev/null, in the
 * background). */
static pid_t l_spawn(lua_State *L, struct node *node, const char *line,
		     int *fd, bool background)
{
	char *argv[] = { "/bin/sh", "-c", (char *)line, NULL };
	struct node_exec_opts opts = { .background = background };
	struct emu_err err = { 0 };
	int pipefd[2] = { -1, -1 };
	pid_t pid;

	if (fd) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			luaL_error(L, "cannot make a pipe: %s",
				   strerror(errno));
		opts.stdout_to = opts.stderr_to = NODE_FD(pipefd[1]);
	}
	fflush(stdout);
	pid = node_spawn(node, argv, &opts, &err);
	if (fd)
		close(pipefd[1]);
	if (pid < 0) {
		if (fd)
			close(pipefd[0]);
		lcnemu_raise(L, &err);
	}
	if (fd)
		*fd = pipefd[0];
	return pid;
}

/* node:cmd(...): runs the line in the node and returns its output (stdout
 * and stderr) and exit status; with a trailing '&' it runs in the
 * background (killed when the node stops) and returns "" and its pid. */
static int l_node_cmd(lua_State *L)
{
	struct node *node = l_running_node(L, "cmd", NULL);
	const char *text = l_command_line(L, "cmd");
	char *line = xstrdup(text), buf[4096];
	size_t total = 0;
	luaL_Buffer b;
	pid_t pid;
	ssize_t n;
	int fd;

	if (cli_strip_background(line)) {
		lua_pushstring(L, line);
		free(line);
		pid = l_spawn(L, node, lua_tostring(L, -1), NULL, true);
		lua_pushliteral(L, "");
		lua_pushinteger(L, pid);
		return 2;
	}
	text = lua_pushstring(L, line);	/* stays on the stack */
	free(line);
	pid = l_spawn(L, node, text, &fd, false);
	luaL_buffinit(L, &b);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0 && (total += (size_t)n) > L_CMD_OUTPUT_MAX) {
			close(fd);
			l_kill_child(pid);
			return luaL_error(L, "cmd: output of '%s' exceeds %d "
					     "MiB (popen reads it line by line)",
					  text, (int)(L_CMD_OUTPUT_MAX >> 20));
		}
		if (n > 0) {
			luaL_addlstring(&b, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR) {
			if (!lcnemu_interrupted())
				continue;
			close(fd);
			l_kill_child(pid);
			return luaL_error(L, "interrupted");
		}
		break;
	}
	close(fd);
	luaL_pushresult(&b);
	lua_pushinteger(L, l_reap(L, pid));
	return 2;
}

/* node:cmdPrint(...): Mininet's cmdPrint: cmd(...), its output printed
 * as well as returned. */
static int l_node_cmd_print(lua_State *L)
{
	size_t len;
	const char *out;

	lua_pushcfunction(L, l_node_cmd);
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 2);
	out = lua_tolstring(L, -2, &len);
	fwrite(out, 1, len, stdout);
	fflush(stdout);
	return 2;
}

/* node:popen(...): a Popen whose call (or lines()) gives the output line
 * by line, nil at the end. */
static int l_node_popen(lua_State *L)
{
	struct node *node = l_running_node(L, "popen", NULL);
	const char *line = l_command_line(L, "popen");
	struct l_popen *p;
	int fd;

	p = lua_newuserdatauv(L, sizeof(*p), 0);
	p->pid = 0;
	p->fd = -1;
	p->status = -1;
	p->len = 0;
	luaL_setmetatable(L, LPOPEN_META);
	p->pid = l_spawn(L, node, line, &fd, false);
	p->fd = fd;
	return 1;
}

static struct l_popen *l_popen_check(lua_State *L)
{
	return luaL_checkudata(L, 1, LPOPEN_META);
}

/* Closes the read end and reaps the process (killing it first when
 * 'kill_it'). */
static void l_popen_finish(lua_State *L, struct l_popen *p, bool kill_it)
{
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	if (!p->pid)
		return;
	if (kill_it) {
		bool reaped = false;

		kill(p->pid, SIGTERM);
		for (int i = 0; i < 50 && !reaped; i++) {
			pid_t r = waitpid(p->pid, NULL, WNOHANG);

			reaped = r == p->pid || (r < 0 && errno == ECHILD);
			if (!reaped)
				usleep(10000);
		}
		if (!reaped)
			l_kill_child(p->pid);
		p->status = -1;
		p->pid = 0;
		return;
	}
	{
		pid_t pid = p->pid;

		p->pid = 0;
		p->status = l_reap(L, pid);
	}
}

/* The next line (without its newline), or nil at the end. */
static int l_popen_next(lua_State *L)
{
	struct l_popen *p = l_popen_check(L);

	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		ssize_t n;

		if (nl || (p->fd < 0 && p->len) || p->len == sizeof(p->buf)) {
			size_t len = nl ? (size_t)(nl - p->buf) : p->len;
			size_t used = nl ? len + 1 : len;

			lua_pushlstring(L, p->buf, len);
			memmove(p->buf, p->buf + used, p->len - used);
			p->len -= used;
			return 1;
		}
		if (p->fd < 0) {
			l_popen_finish(L, p, false);
			lua_pushnil(L);
			return 1;
		}
		n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len);
		if (n > 0) {
			p->len += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			if (lcnemu_interrupted()) {
				l_popen_finish(L, p, true);
				return luaL_error(L, "interrupted");
			}
		} else {
			close(p->fd);
			p->fd = -1;
		}
	}
}

/* p:lines(): the iterator of a generic for. */
static int l_popen_lines(lua_State *L)
{
	l_popen_check(L);
	lua_pushcfunction(L, l_popen_next);
	lua_pushvalue(L, 1);
	return 2;
}

/* p:read(): the rest of the output. */
static int l_popen_read(lua_State *L)
{
	luaL_Buffer b;

	l_popen_check(L);
	luaL_buffinit(L, &b);
	for (int first = 1;; first = 0) {
		lua_pushcfunction(L, l_popen_next);
		lua_pushvalue(L, 1);
		lua_call(L, 1, 1);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			break;
		}
		if (!first)
			luaL_addchar(&b, '\n');
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	return 1;
}

/* p:wait(): waits for the end (the output not read is dropped); returns
 * the exit status, nil when unknown. */
static int l_popen_wait(lua_State *L)
{
	struct l_popen *p = l_popen_check(L);

	l_popen_finish(L, p, false);
	if (p->status < 0)
		lua_pushnil(L);
	else
		lua_pushinteger(L, p->status);
	return 1;
}

/* p:kill(): ends the command. */
static int l_popen_kill(lua_State *L)
{
	l_popen_finish(L, l_popen_check(L), true);
	return 0;
}

static int l_popen_gc(lua_State *L)
{
	struct l_popen *p = l_popen_check(L);

	if (p->pid || p->fd >= 0)
		l_popen_finish(L, p, true);
	return 0;
}

static int l_popen_index(lua_State *L)
{
	struct l_popen *p = l_popen_check(L);
	const char *key = lopt_checkstring(L, 2);

	if (!strcmp(key, "pid")) {
		if (p->pid)
			lua_pushinteger(L, p->pid);
		else
			lua_pushnil(L);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	return 1;
}

/* ---- addresses ------------------------------------------------------ */

static int l_node_ip(lua_State *L)
{
	struct node *node = lnode_check(L, 1, NULL);
	struct node_intf *intf;
	char buf[64];

	if (lua_isnoneornil(L, 2)) {
		if (node_ip(node, buf, sizeof(buf)))
			lua_pushstring(L, buf);
		else
			lua_pushnil(L);
		return 1;
	}
	intf = l_intf_arg(L, node, 2, "IP");
	if (intf->ip[0])
		lua_pushlstring(L, intf->ip, strcspn(intf->ip, "/"));
	else
		lua_pushnil(L);
	return 1;
}

static int l_node_mac(lua_State *L)
{
	struct node *node = lnode_check(L, 1, NULL);
	struct node_intf *intf = l_intf_arg(L, node, 2, "MAC");
	char buf[32];

	if (!intf) {
		if (node->default_mac)
			lua_pushstring(L, node->default_mac);
		else
			lua_pushnil(L);
	} else if (net_intf_mac(intf, buf, sizeof(buf))) {
		lua_pushstring(L, buf);
	} else {
		lua_pushnil(L);
	}
	return 1;
}

/* node:setCPUFrac(f[, sched]): Mininet's CPULimitedHost.setCPUFrac. */
static int l_node_set_cpu_frac(lua_State *L)
{
	struct net *net;
	struct node *node = lnode_check(L, 1, &net);
	double f = luaL_checknumber(L, 2);
	const char *sched = lopt_optstring(L, 3, NULL);
	struct emu_err err = { 0 };

	if (net_set_cpu_frac(net, node, f, sched, &err))
		return luaL_error(L, "setCPUFrac: %s", err.msg);
	return 0;
}

/* node:setCPUs(cores): Mininet's setCPUs; "0-1", a core or a list. */
static int l_node_set_cpus(lua_State *L)
{
	struct net *net;
	struct node *node = lnode_check(L, 1, &net);
	struct emu_err err = { 0 };
	const char *cores;
	char buf[256];

	if (lua_istable(L, 2)) {
		size_t len = 0;

		buf[0] = '\0';
		for (lua_Integer i = 1; lua_rawgeti(L, 2, i) != LUA_TNIL; i++) {
			lua_Integer core = luaL_checkinteger(L, -1);

			lua_pop(L, 1);
			luaL_argcheck(L, core >= 0 && len < sizeof(buf) - 24,
				      2, "core numbers expected");
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%lld", i > 1 ? "," : "",
						(long long)core);
		}
		cores = buf;
	} else {
		cores = lopt_checkstring(L, 2);
	}
	if (net_set_cpus(net, node, cores, &err))
		return luaL_error(L, "setCPUs: %s", err.msg);
	return 0;
}

/* node:setIP(ip[, prefixLen][, intf]): Mininet's setIP. */
static int l_node_set_ip(lua_State *L)
{
	struct net *net;
	struct node *node = lnode_check(L, 1, &net);
	const char *ip = lopt_checkstring(L, 2);
	const char *intf = NULL;
	struct emu_err err = { 0 };

	if (lua_type(L, 3) == LUA_TSTRING && lua_isnoneornil(L, 4)) {
		intf = lua_tostring(L, 3);
	} else {
		intf = lopt_optstring(L, 4, NULL);
		if (!lua_isnoneornil(L, 3)) {
			lua_Integer len = luaL_checkinteger(L, 3);

			luaL_argcheck(L, len >= 0 && len <= 32, 3,
				      "prefix length out of range (0..32)");
			if (!strchr(ip, '/'))
				ip = lua_pushfstring(L, "%s/%I", ip, len);
		}
	}
	if (net_set_ip(net, node, intf, ip, &err))
		return luaL_error(L, "setIP: %s", err.msg);
	return 0;
}

static int l_node_set_mac(lua_State *L)
{
	struct net *net;
	struct node *node = lnode_check(L, 1, &net);
	const char *mac = lopt_checkstring(L, 2);
	const char *intf = lopt_optstring(L, 3, NULL);
	struct emu_err err = { 0 };

	if (net_set_mac(net, node, intf, mac, &err))
		return luaL_error(L, "setMAC: %s", err.msg);
	return 0;
}

/* node:setDefaultRoute(route): Mininet's: "via GW", "dev IFNAME", a bare
 * gateway, or an interface (its name or Intf). */
static int l_node_set_default_route(lua_State *L)
{
	struct net *net;
	struct node *node = lnode_check(L, 1, &net);
	struct emu_err err = { 0 };
	const char *route;

	if (luaL_testudata(L, 2, LINTF_META))
		route = lintf_check(L, 2, NULL)->name;
	else
		route = lopt_checkstring(L, 2);
	if (net_set_default_route(net, node, route, &err))
		return luaL_error(L, "setDefaultRoute: %s", err.msg);
	return 0;
}

/* node:intf([name]): Mininet's intf(): the Intf named, or the node's
 * default (first) one; nil when it has none. */
static int l_node_intf(lua_State *L)
{
	struct node *node = lnode_check(L, 1, NULL);
	struct node_intf *intf = l_intf_arg(L, node, 2, "intf");

	if (!intf)
		lua_pushnil(L);
	else
		lintf_push(L, 1, intf);
	return 1;
}

static int l_node_intfs(lua_State *L)
{
	struct node *node = lnode_check(L, 1, NULL);

	lua_createtable(L, (int)node->n_intfs, 0);
	for (size_t i = 0; i < node->n_intfs; i++) {
		lua_pushstring(L, node->intfs[i]->name);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* ---- containers ----------------------------------------------------- */

static struct node *l_docker_node(lua_State *L, const char *what)
{
	struct node *node = lnode_check(L, 1, NULL);

	if (!node_is_docker(node))
		luaL_error(L, "%s: '%s' is not a container", what,
			   node_name(node));
	return node;
}

/* node:updateCpuLimit{cpu_quota =, cpu_period =, cpu_shares =, cores =}:
 * an absent key stays as it is; cpu_quota = -1 removes the limit. */
static int l_node_update_cpu(lua_State *L)
{
	static const char *const keys[] = { "cpu_quota", "cpu_period",
					    "cpu_shares", "cores", NULL };
	const char *w = "updateCpuLimit";
	struct node *node = l_docker_node(L, w);
	struct emu_err err = { 0 };
	long long quota, period, shares;
	const char *cores;

	luaL_checktype(L, 2, LUA_TTABLE);
	lopt_check_keys(L, 2, w, keys);
	quota = lopt_integer(L, 2, w, "cpu_quota", -1, 1000000000, 0);
	period = lopt_integer(L, 2, w, "cpu_period", 1, 1000000, 0);
	shares = lopt_integer(L, 2, w, "cpu_shares", 1, 262144, 0);
	cores = lopt_string(L, 2, w, "cores");
	if (docker_update_cpu(node, quota, period, shares, cores, &err))
		return luaL_error(L, "%s: %s", w, err.msg);
	return 0;
}


static int l_node_update_memory(lua_State *L)
{
	static const char *const keys[] = { "mem_limit", "memswap_limit",
					    NULL };
	const char *w = "updateMemoryLimit";
	struct node *node = l_docker_node(L, w);
	struct emu_err err = { 0 };
	long long mem, swap;

	luaL_checktype(L, 2, LUA_TTABLE);
	lopt_check_keys(L, 2, w, keys);
	mem = lopt_size(L, 2, w, "mem_limit", 0);
	swap = lopt_size(L, 2, w, "memswap_limit", 0);
	if (docker_update_memory(node, mem, swap, &err))
		return luaL_error(L, "%s: %s", w, err.msg);
	return 0;
}

/* ---- Mininet's sendCmd, waitOutput, monitor ------------------------- */

/* The registry's table of the commands sendCmd() started: Node userdata
 * -> Popen (weak keys). */
#define L_SENT_KEY "cnemu.sent"

/* Pushes the Popen of the node at 1 that sendCmd() started, or nil. */
static int l_sent_push(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, L_SENT_KEY) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_createtable(L, 0, 1);
		lua_pushliteral(L, "k");
		lua_setfield(L, -2, "__mode");
		lua_setmetatable(L, -2);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, L_SENT_KEY);
	}
	lua_pushvalue(L, 1);
	lua_rawget(L, -2);
	lua_remove(L, -2);
	return lua_type(L, -1);
}

/* Sets (the value on top, popped) or clears (nil) the node's sent
 * command. */
static void l_sent_set(lua_State *L)
{
	l_sent_push(L);
	lua_pop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, L_SENT_KEY);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, -3);
	lua_rawset(L, -3);
	lua_pop(L, 2);
}

/* The Popen sendCmd() started in the node at 1, left on the stack;
 * raises when there is none. */
static struct l_popen *l_sent_check(lua_State *L, const char *what)
{
	struct node *node = lnode_check(L, 1, NULL);

	if (l_sent_push(L) == LUA_TNIL)
		luaL_error(L, "%s: no command sent to '%s' (sendCmd first)",
			   what, node_name(node));
	return lua_touserdata(L, -1);
}

/* node:sendCmd(...): starts the command and returns at once; its output
 * comes from monitor() and waitOutput(). */
static int l_node_send_cmd(lua_State *L)
{
	struct node *node = lnode_check(L, 1, NULL);

	if (l_sent_push(L) != LUA_TNIL)
		return luaL_error(L, "sendCmd: '%s' is still waiting for the "
				     "output of an earlier command "
				     "(waitOutput first)",
				  node_name(node));
	lua_pop(L, 1);
	l_node_popen(L);	/* the Popen on top */
	l_sent_set(L);
	return 0;
}

/* node:waitOutput(): the whole output of the sent command once it ended,
 * and its exit status. */
static int l_node_wait_output(lua_State *L)
{
	int top;

	l_sent_check(L, "waitOutput");
	top = lua_gettop(L);
	lua_pushcfunction(L, l_popen_read);
	lua_pushvalue(L, top);
	lua_call(L, 1, 1);
	lua_pushcfunction(L, l_popen_wait);
	lua_pushvalue(L, top);
	lua_call(L, 1, 1);
	lua_pushnil(L);
	l_sent_set(L);
	return 2;
}

/* node:monitor([timeoutms]): what the sent command printed since, waiting
 * up to 'timeoutms' (nil: until it prints or ends) for something; "" at
 * the timeout.  Once its output ended, the command is reaped and the node
 * may take the next sendCmd(). */
static int l_node_monitor(lua_State *L)
{
	struct l_popen *p = l_sent_check(L, "monitor");
	int timeout = lua_isnoneornil(L, 2) ? -1
					    : (int)luaL_checkinteger(L, 2);
	struct pollfd pfd;
	ssize_t n;

	if (!p->len && p->fd >= 0) {
		pfd.fd = p->fd;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, timeout) < 0) {
			if (errno != EINTR || lcnemu_interrupted())
				return luaL_error(L, "monitor: %s",
						  lcnemu_interrupted()
							  ? "interrupted"
							  : strerror(errno));
		}
		if (pfd.revents) {
			n = read(p->fd, p->buf, sizeof(p->buf));
			if (n > 0) {
				p->len = (size_t)n;
			} else {
				close(p->fd);
				p->fd = -1;
			}
		}
	}
	lua_pushlstring(L, p->buf, p->len);
	p->len = 0;
	if (p->fd < 0) {	/* ended: reaped, the node is free again */
		l_popen_finish(L, p, false);
		lua_pushnil(L);
		l_sent_set(L);
	}
	return 1;
}

/* ---- the metatables -------------------------------------------------- */

static int l_node_tostring(lua_State *L)
{
	struct lnode *ln = luaL_checkudata(L, 1, LNODE_META);

	/* Mininet's str(node): the name, so that print(h1) shows "h1". */
	if (!ln->node)
		lua_pushliteral(L, "<removed node>");
	else
		lua_pushstring(L, node_name(ln->node));
	return 1;
}

/* __index: the fields name, kind, placement, pid, dpid, then the
 * methods. */
static int l_node_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);
	struct node *node;

	if (key && !strcmp(key, "name")) {
		lua_pushstring(L, node_name(lnode_check(L, 1, NULL)));
		return 1;
	}
	if (key && !strcmp(key, "kind")) {
		lua_pushstring(L, node_kind(lnode_check(L, 1, NULL)));
		return 1;
	}
	if (key && !strcmp(key, "placement")) {
		lua_pushstring(L, node_placement(lnode_check(L, 1, NULL)));
		return 1;
	}
	if (key && !strcmp(key, "dpid")) {
		/* Mininet's: 16 hex digits, switches only. */
		struct net *net;
		uint64_t dpid;

		node = lnode_check(L, 1, &net);
		dpid = net_switch_dpid(net, node);
		if (dpid) {
			char hex[17];

			snprintf(hex, sizeof(hex), "%016" PRIx64, dpid);
			lua_pushstring(L, hex);
		} else {
			lua_pushnil(L);
		}
		return 1;
	}
	if (key && !strcmp(key, "waiting")) {
		/* Mininet's: a sendCmd() whose output is not all taken */
		lnode_check(L, 1, NULL);
		lua_pushboolean(L, l_sent_push(L) != LUA_TNIL);
		return 1;
	}
	if (key && !strcmp(key, "pid")) {
		node = lnode_check(L, 1, NULL);
		if (node->pid)
			lua_pushinteger(L, node->pid);
		else
			lua_pushnil(L);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	return 1;
}

void lnode_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "cmd", l_node_cmd },
		{ "cmdPrint", l_node_cmd_print },
		{ "sendCmd", l_node_send_cmd },
		{ "waitOutput", l_node_wait_output },
		{ "monitor", l_node_monitor },
		{ "popen", l_node_popen },
		{ "IP", l_node_ip },
		{ "MAC", l_node_mac },
		{ "setIP", l_node_set_ip },
		{ "setMAC", l_node_set_mac },
		{ "intf", l_node_intf },
		{ "setDefaultRoute", l_node_set_default_route },
		{ "defaultIntf", l_node_intf },
		{ "setCPUFrac", l_node_set_cpu_frac },
		{ "setCPUs", l_node_set_cpus },
		{ "intfs", l_node_intfs },
		{ "intfNames", l_node_intfs },
		{ "updateCpuLimit", l_node_update_cpu },
		{ "updateMemoryLimit", l_node_update_memory },
		{ NULL, NULL },
	};
	static const luaL_Reg popen_methods[] = {
		{ "lines", l_popen_lines },
		{ "read", l_popen_read },
		{ "wait", l_popen_wait },
		{ "kill", l_popen_kill },
		{ NULL, NULL },
	};
	static const luaL_Reg popen_meta[] = {
		{ "__call", l_popen_next },
		{ "__gc", l_popen_gc },
		{ "__close", l_popen_gc },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, LNODE_META);
	lua_pushcfunction(L, l_node_tostring);
	lua_setfield(L, -2, "__tostring");
	luaL_newlib(L, methods);
	lua_pushcclosure(L, l_node_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);

	luaL_newmetatable(L, LPOPEN_META);
	luaL_setfuncs(L, popen_meta, 0);
	luaL_newlib(L, popen_methods);
	lua_pushcclosure(L, l_popen_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}
