#include "cluster/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <openssl/crypto.h>

#include "base/err.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/run.h"
#include "base/util.h"
#include "cluster/chan.h"
#include "cluster/part.h"
#include "cluster/swarm.h"
#include "emu/net.h"
#include "link/nl.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/docker_api.h"
#include "node/node.h"

EMU_LOG_MODULE(agent);

#define AGENT_VERSION 1
#define AGENT_FIRST_FRAME_MS 5000	/* a new connection's first request */
#define AGENT_MAX_EXECS 256		/* commands relayed at once */
#define AGENT_ENGINE_CHECK_MS 1000	/* the machine's engine, while a part
					   runs */

struct agent {
	unsigned char key[CHAN_KEY_LEN];
	char addr[INET6_ADDRSTRLEN];
	int port;
	int listen_fd;
	struct chan *mgr;		/* the manager's connection; NULL */
	struct net *net;		/* this machine's part; NULL */
	unsigned long long lost_us;	/* when the manager went; 0 */
	int linger_ms;
	pid_t execs[AGENT_MAX_EXECS];	/* children serving 'exec' */
	size_t n_execs;
	char *service, *secret;		/* the run's, from the manager's
					   hello; NULL */
	char *run;			/* the manager's run tag, from its
					   hello; NULL */
	char *engine;			/* the machine's Docker socket */
	unsigned int underlay_mtu;	/* of the cuts' device, once known;
					   0 */
	unsigned long long engine_checked_us;
};

int agent_parse_addr(const char *s, char *host, size_t size, int *port,
		     struct emu_err *err)
{
	const char *colon, *end = s + strlen(s), *h = s;
	struct in6_addr a6;
	long p = CHAN_PORT;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			goto bad;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon)
			goto bad;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL;	/* a bare IPv6 address */
		hlen = (size_t)((colon ? colon : end) - s);
	}
	if (colon && str_to_long(colon + 1, 1, 65535, &p) < 0)
		goto bad;
	if (!hlen || hlen >= size)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (strchr(host, ':') && inet_pton(AF_INET6, host, &a6) != 1)
		goto bad;
	*port = (int)p;
	return 0;
bad:
	return emu_err_set(err, -EINVAL,
			   "invalid address '%s' (ADDR, ADDR:PORT or "
			   "[IPv6]:PORT)",
			   s);
}

/* The MTU of the device holding the address 'addr' in this namespace;
 * 0 when none holds it. */
static unsigned int underlay_mtu(const char *addr)
{
	struct ifaddrs *ifs, *i;
	char buf[INET6_ADDRSTRLEN];
	struct nlsock *nl;
	int mtu = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf));
		if (strcmp(buf, addr))
			continue;
		nl = nlsock_open(-1, NULL);
		if (nl) {
			mtu = nlsock_mtu(nl, i->ifa_name);
			nlsock_close(nl);
		}
		break;
	}
	freeifaddrs(ifs);
	return mtu > 0 ? (unsigned int)mtu : 0;
}

/* Sends 'msg' (taking it); a failure closes nothing here, the next
 * receive finds the channel broken. */
static void send_new(struct chan *c, json_t *msg)
{
	struct emu_err err = { 0 };

	if (chan_send(c, msg, &err))
		log_warn("%s", err.msg);
	json_decref(msg);
}

static json_t *answer_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *answer_err(const struct emu_err *err)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error",
			 err->msg[0] ? err->msg : "failed");
}

static void agent_stop_part(struct agent *a, const char *why)
{
	if (!a->net)
		return;
	log_info("*** Removing this machine's part (%s)", why);
	net_destroy(a->net);
	a->net = NULL;
	a->lost_us = 0;
}

/* Once the manager is gone for good: the run's service (which runs this
 * agent on every machine) and its secret go too.  Only the engine of a
 * Swarm manager can remove them; the others' engines refuse, quietly. */
static void agent_remove_run(struct agent *a)
{
	struct emu_err err = { 0 };

	if (!a->service)
		return;
	if (swarm_delete_service(a->service, &err)) {
		log_dbg("%s", err.msg);
		return;
	}
	log_info("*** Removed the run's service '%s'", a->service);
	emu_err_clear(&err);
	if (a->secret && swarm_remove_secret(a->secret, &err))
		log_warn("%s", err.msg);
}

/* Keeps the run's service and secret names of the manager's hello. */
static void agent_keep_names(struct agent *a, const json_t *hello)
{
	const char *svc = json_string_value(json_object_get(hello, "service"));
	const char *sec = json_string_value(json_object_get(hello, "secret"));
	const char *run = json_string_value(json_object_get(hello, "run"));

	free(a->service);
	free(a->secret);
	free(a->run);
	a->service = svc ? xstrdup(svc) : NULL;
	a->secret = sec ? xstrdup(sec) : NULL;
	a->run = run && run_tag_valid(run) ? xstrdup(run) : NULL;
}

/* The lab of this machine's part is named after the manager's run and
 * the machine ("cn4242-m2" in 'cnemu list' there); its objects carry the
 * tag of this agent's own pid on the machine (proc_machine_pid()), which
 * no other run there has. */
static void agent_name_lab(const struct agent *a)
{
	char host[64] = "", name[RUN_NAME_MAX + 1];
	int n;

	if (!a->run)
		return;
	gethostname(host, sizeof(host) - 1);
	n = snprintf(name, sizeof(name), "%s-%s", a->run, host);
	if (n > 0 && (size_t)n < sizeof(name) && run_name_valid(name))
		run_set_lab(name, false, NULL);
}

/* ---- requests on the manager's connection ---------------------------- */

static json_t *do_hello(struct agent *a)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	return json_pack("{s:b, s:i, s:s, s:s, s:i}", "ok", 1, "version",
			 AGENT_VERSION, "hostname", host, "addr", a->addr,
			 "mtu", (int)underlay_mtu(a->addr));
}

static json_t *do_build(struct agent *a, json_t *req)
{
	json_t *part = json_object_get(req, "part"), *cut;
	struct emu_err err = { 0 };
	struct net_opts no;
	unsigned int mtu;
	size_t lowered;

	if (a->net) {
		emu_err_set(&err, -EBUSY, "this machine already runs a part "
			    "(stop it first)");
		return answer_err(&err);
	}
	if (!json_is_object(part)) {
		emu_err_set(&err, -EINVAL, "build: no 'part' object");
		return answer_err(&err);
	}
	cut = json_array_get(json_object_get(part, "cuts"), 0);
	if (cut) {
		const char *local = json_string_value(json_object_get(cut,
								      "local"));

		mtu = local ? underlay_mtu(local) : 0;
		a->underlay_mtu = mtu;
		lowered = mtu ? part_fit_mtu(part, mtu) : 0;
		if (lowered)
			log_info("*** Underlay MTU %u < %d: the links of this "
				 "machine get MTU %u (%zu lowered)",
				 mtu, PART_UNDERLAY_MTU_MIN,
				 mtu - PART_VXLAN_OVERHEAD, lowered);
	}
	agent_name_lab(a);
	if (part_net_opts(part, &no, &err) ||
	    !(a->net = net_create(&no, &err)))
		return answer_err(&err);
	if (part_build_net(a->net, part, &err) || net_start(a->net, &err) ||
	    part_make_tunnels(a->net, part, &err)) {
		net_destroy(a->net);
		a->net = NULL;
		return answer_err(&err);
	}
	log_info("*** This machine's part runs");
	return answer_ok();
}

/* add_node {node}, add_link {link}, add_cut {cut}: the item 'key' of a
 * part, made at once in the running part by 'add' (a link or cut gets
 * the part's MTU, part_fit_mtu(), under the list name 'list'). */
static json_t *do_add(struct agent *a, json_t *req, const char *key,
		      const char *list,
		      int (*add)(struct net *, const json_t *,
				 struct emu_err *))
{
	json_t *item = json_object_get(req, key);
	const char *local = json_string_value(json_object_get(item, "local"));
	struct emu_err err = { 0 };

	if (!a->net)
		emu_err_set(&err, -ENETDOWN, "no part runs on this machine");
	else if (!json_is_object(item))
		emu_err_set(&err, -EINVAL, "no '%s' object", key);
	if (err.code)
		return answer_err(&err);
	if (local && !a->underlay_mtu)
		a->underlay_mtu = underlay_mtu(local);
	if (list && a->underlay_mtu) {
		json_t *part = json_pack("{s:[O]}", list, item);

		part_fit_mtu(part, a->underlay_mtu);
		json_decref(part);
	}
	return add(a->net, item, &err) ? answer_err(&err) : answer_ok();
}

/* remove_link {link}: the link of the part whose end 1 is the request's
 * 'node1' and 'intf1'. */
static json_t *do_remove_link(struct agent *a, json_t *req)
{
	json_t *l = json_object_get(req, "link");
	const char *n1 = json_string_value(json_object_get(l, "node1"));
	const char *i1 = json_string_value(json_object_get(l, "intf1"));
	struct node *node = a->net && n1 ? net_get(a->net, n1) : NULL;
	struct emu_err err = { 0 };
	struct link **links;
	size_t n;

	links = a->net ? net_links(a->net, &n) : NULL;
	for (size_t i = 0; node && i1 && links && i < n; i++) {
		const struct node_intf *e[2] = { link_intf1(links[i]),
						 link_intf2(links[i]) };

		for (int k = 0; k < 2; k++)
			if (e[k]->node == node && !strcmp(e[k]->name, i1))
				return net_remove_link(a->net, links[i], &err)
					       ? answer_err(&err)
					       : answer_ok();
	}
	emu_err_set(&err, -ENOENT, "no link of '%s' at '%s' on this machine",
		    n1 ? n1 : "", i1 ? i1 : "");
	return answer_err(&err);
}

/* remove_node {node}, remove_cut {vni}. */
static json_t *do_remove(struct agent *a, json_t *req, bool cut)
{
	const char *name = json_string_value(json_object_get(req, "node"));
	json_int_t vni = json_integer_value(json_object_get(req, "vni"));
	struct node *node = a->net && name ? net_get(a->net, name) : NULL;
	struct emu_err err = { 0 };
	int ret;

	if (!a->net)
		ret = emu_err_set(&err, -ENETDOWN, "no part runs on this "
				  "machine");
	else if (cut)
		ret = part_remove_cut(a->net, (uint32_t)vni, &err);
	else if (!node)
		ret = emu_err_set(&err, -ENOENT, "no node '%s' on this machine",
				  name ? name : "");
	else
		ret = net_remove_node(a->net, node, &err);
	return ret ? answer_err(&err) : answer_ok();
}

/* The links a request names: 'node1' and 'node2', or 'node1' and the
 * tunnel end of the cut 'vni'; '*swap' when node1 is their end 2. */
static struct link **request_links(struct agent *a, json_t *req, size_t *n,
				   bool *swap, struct emu_err *err)
{
	const char *n1 = json_string_value(json_object_get(req, "node1"));
	const char *n2 = json_string_value(json_object_get(req, "node2"));
	json_int_t vni = json_integer_value(json_object_get(req, "vni"));
	char tun[16];
	struct node *x, *y;
	struct link **links;

	*n = 0;
	if (!a->net) {
		emu_err_set(err, -ENETDOWN, "no part runs on this machine");
		return NULL;
	}
	if (!n2 && vni > 0) {
		snprintf(tun, sizeof(tun), "vx%u", (unsigned int)vni);
		n2 = tun;
	}
	if (!n1 || !n2) {
		emu_err_set(err, -EINVAL, "'node1' and 'node2' or 'vni' are "
			    "needed");
		return NULL;
	}
	x = net_get(a->net, n1);
	y = net_get(a->net, n2);
	if (!x || !y) {
		emu_err_set(err, -ENOENT, "no node '%s' on this machine",
			    x ? n2 : n1);
		return NULL;
	}
	links = net_links_between(a->net, x, y, n);
	if (!*n) {
		free(links);
		emu_err_set(err, -ENOENT, "'%s' and '%s' are not linked", n1,
			    n2);
		return NULL;
	}
	*swap = link_intf1(links[0])->node != x;
	return links;
}

/* A request's shaping 'key' into 's': NULL when absent. */
static const struct shaping *request_shaping(json_t *req, const char *key,
					     struct shaping *s,
					     struct emu_err *err, int *ret)
{
	json_t *o = json_object_get(req, key);
	const char *k;
	json_t *v;

	if (!o)
		return NULL;
	shaping_init(s);
	if (!json_is_object(o)) {
		*ret = emu_err_set(err, -EINVAL, "'%s' is not an object", key);
		return NULL;
	}
	/* Mininet's keys and units, as 'set link' takes them. */
	json_object_foreach(o, k, v) {
		if (!json_is_string(v)) {
			*ret = emu_err_set(err, -EINVAL, "'%s.%s' is not a "
					   "string", key, k);
			return NULL;
		}
		if ((*ret = shaping_set(s, k, json_string_value(v), err)))
			return NULL;
	}
	return s;
}

static json_t *do_set_link(struct agent *a, json_t *req)
{
	struct emu_err err = { 0 };
	struct shaping s1, s2;
	const struct shaping *p1, *p2;
	struct link **links;
	size_t n;
	bool swap;
	int ret = 0;

	links = request_links(a, req, &n, &swap, &err);
	if (!links)
		return answer_err(&err);
	p1 = request_shaping(req, "shaping1", &s1, &err, &ret);
	if (!ret)
		p2 = request_shaping(req, "shaping2", &s2, &err, &ret);
	for (size_t i = 0; !ret && i < n; i++)
		ret = net_set_link_shaping(a->net, links[i], swap ? p2 : p1,
					   swap ? p1 : p2, &err);
	free(links);
	return ret ? answer_err(&err) : answer_ok();
}

static json_t *do_link_up(struct agent *a, json_t *req)
{
	struct emu_err err = { 0 };
	struct link **links;
	size_t n;
	bool swap;
	int ret;

	links = request_links(a, req, &n, &swap, &err);
	if (!links)
		return answer_err(&err);
	ret = net_set_link_up(a->net, link_intf1(links[0])->node,
			      link_intf2(links[0])->node,
			      json_is_true(json_object_get(req, "up")), &err);
	free(links);
	return ret ? answer_err(&err) : answer_ok();
}

/* The average round trip to 'addr' of three pings, in ms; < 0: none. */
static double ping_rtt_ms(const char *addr)
{
	char cmd[128], line[256];
	double min, avg = -1;
	struct in6_addr a6;
	struct in_addr a4;
	FILE *p;

	if (inet_pton(AF_INET, addr, &a4) != 1 &&
	    inet_pton(AF_INET6, addr, &a6) != 1)
		return -1;
	snprintf(cmd, sizeof(cmd), "ping -c 3 -q %s 2>/dev/null", addr);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		/* iputils "rtt min/avg/max/mdev = a/b/c/d ms", busybox
		 * "round-trip min/avg/max = a/b/c ms" */
		char *eq = strstr(line, "min/avg/max");

		if (eq && (eq = strchr(eq, '=')) &&
		    sscanf(eq + 1, "%lf/%lf", &min, &avg) != 2)
			avg = -1;
	}
	pclose(p);
	return avg;
}

static json_t *do_rtt(json_t *req)
{
	const char *addr = json_string_value(json_object_get(req, "addr"));
	struct emu_err err = { 0 };
	double ms;

	if (!addr) {
		emu_err_set(&err, -EINVAL, "rtt: no 'addr'");
		return answer_err(&err);
	}
	ms = ping_rtt_ms(addr);
	if (ms < 0) {
		emu_err_set(&err, -EHOSTUNREACH, "no answer from %s", addr);
		return answer_err(&err);
	}
	return json_pack("{s:b, s:f}", "ok", 1, "rtt_ms", ms);
}

static json_t *do_topology(struct agent *a, json_t *req)
{
	const char *text = json_string_value(json_object_get(req, "topology"));
	struct emu_err err = { 0 };

	if (!a->net)
		emu_err_set(&err, -ENOENT, "this machine runs no part");
	else if (!text)
		emu_err_set(&err, -EINVAL, "topology: no 'topology' text");
	else
		net_set_controller_topology(a->net, text, &err);
	return err.code ? answer_err(&err) : answer_ok();
}

static json_t *agent_answer(struct agent *a, json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	struct emu_err err = { 0 };

	if (!op)
		op = "";
	log_dbg("request '%s'", op);
	if (!strcmp(op, "hello"))
		return do_hello(a);
	if (!strcmp(op, "build"))
		return do_build(a, req);
	if (!strcmp(op, "set_link"))
		return do_set_link(a, req);
	if (!strcmp(op, "link_up"))
		return do_link_up(a, req);
	if (!strcmp(op, "topology"))
		return do_topology(a, req);
	if (!strcmp(op, "rtt"))
		return do_rtt(req);
	if (!strcmp(op, "add_node"))
		return do_add(a, req, "node", NULL, part_add_node);
	if (!strcmp(op, "add_link"))
		return do_add(a, req, "link", "links", part_add_link);
	if (!strcmp(op, "add_cut"))
		return do_add(a, req, "cut", "cuts", part_add_cut);
	if (!strcmp(op, "remove_link"))
		return do_remove_link(a, req);
	if (!strcmp(op, "remove_node"))
		return do_remove(a, req, false);
	if (!strcmp(op, "remove_cut"))
		return do_remove(a, req, true);
	if (!strcmp(op, "stop")) {
		agent_stop_part(a, "the manager asked");
		return answer_ok();
	}
	emu_err_set(&err, -EINVAL, "unknown request '%s'", op);
	return answer_err(&err);
}

/* ---- exec: a child process per command -------------------------------- */

/* Relays the command 'pid' (its stdin 'in', stdout 'out', stderr 'errfd')
 * over 'c' until it ends; returns its exit status. */
static int relay_command(struct chan *c, pid_t pid, int in, int out,
			 int errfd)
{
	int fds[2] = { out, errfd }, status = 0;
	bool exited = false;
	char buf[65536];

	while (fds[0] >= 0 || fds[1] >= 0 || !exited) {
		struct pollfd p[3] = {
			{ .fd = chan_fd(c), .events = POLLIN },
			{ .fd = fds[0], .events = POLLIN },
			{ .fd = fds[1], .events = POLLIN },
		};
		int n = poll(p, 3, exited ? 50 : 200);

		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
		if (n <= 0) {
			/* Exited, and nothing more came: a background child
			 * of the command may hold its pipes; done. */
			if (exited)
				break;
			continue;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t r;
			json_t *m;

			if (fds[i] < 0 || !(p[1 + i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(fds[i], buf, sizeof(buf));
			if (r <= 0) {
				close(fds[i]);
				fds[i] = -1;
				continue;
			}
			m = json_pack("{s:s}", "op", i ? "stderr" : "stdout");
			chan_put_bytes(m, "data", buf, (size_t)r);
			send_new(c, m);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			json_t *m;
			const char *op;

			if (chan_recv(c, &m, 0, NULL)) {
				kill(pid, SIGKILL);	/* the caller went */
				continue;
			}
			op = json_string_value(json_object_get(m, "op"));
			if (op && !strcmp(op, "stdin") && in >= 0) {
				unsigned char *data;
				size_t len;

				if (!chan_get_bytes(m, "data", &data, &len)) {
					if (write(in, data, len) < 0) {
						close(in);
						in = -1;
					}
					free(data);
				}
			} else if (op && !strcmp(op, "eof") && in >= 0) {
				close(in);
				in = -1;
			} else if (op && !strcmp(op, "signal")) {
				kill(pid, (int)json_integer_value(
						  json_object_get(m, "sig")));
			}
			json_decref(m);
		}
	}
	if (!exited)
		waitpid(pid, &status, 0);
	if (in >= 0)
		close(in);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : WEXITSTATUS(status);
}

/* In the child: runs the request's command in its node and relays it. */
static int serve_exec(struct agent *a, struct chan *c, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "node"));
	json_t *jargv = json_object_get(req, "argv"), *v;
	struct node_exec_opts eo = { 0 };
	struct emu_err err = { 0 };
	int in[2], out[2], errp[2], status;
	struct node *node;
	char **argv;
	size_t i;
	pid_t pid;

	node = a->net && name ? net_get(a->net, name) : NULL;
	if (!node || !node_is_running(node))
		emu_err_set(&err, -ENOENT, "no running node '%s' on this "
			    "machine", name ? name : "");
	else if (!json_is_array(jargv) || !json_array_size(jargv))
		emu_err_set(&err, -EINVAL, "exec: no 'argv'");
	if (err.code) {
		send_new(c, answer_err(&err));
		return 1;
	}
	argv = xcalloc(json_array_size(jargv) + 1, sizeof(char *));
	json_array_foreach(jargv, i, v)
		argv[i] = (char *)(json_string_value(v) ? json_string_value(v)
							: "");
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(errp, O_CLOEXEC)) {
		emu_err_set(&err, -errno, "cannot make pipes: %s",
			    strerror(errno));
		send_new(c, answer_err(&err));
		return 1;
	}
	eo.stdin_from = NODE_FD(in[0]);
	eo.stdout_to = NODE_FD(out[1]);
	eo.stderr_to = NODE_FD(errp[1]);
	pid = node_spawn(node, argv, &eo, &err);
	free(argv);
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	if (pid < 0) {
		send_new(c, answer_err(&err));
		return 1;
	}
	send_new(c, answer_ok());
	signal(SIGPIPE, SIG_IGN);
	status = relay_command(c, pid, in[1], out[0], errp[0]);
	send_new(c, json_pack("{s:s, s:i}", "op", "exit", "status", status));
	return 0;
}

static void agent_fork_exec(struct agent *a, struct chan *c, json_t *req)
{
	struct emu_err err = { 0 };
	pid_t pid;

	if (a->n_execs == AGENT_MAX_EXECS) {
		emu_err_set(&err, -EAGAIN, "%d commands run already",
			    AGENT_MAX_EXECS);
		send_new(c, answer_err(&err));
		return;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(a->listen_fd);
		if (a->mgr)
			close(chan_fd(a->mgr));
		_exit(serve_exec(a, c, req));
	}
	if (pid < 0) {
		emu_err_set(&err, -errno, "cannot fork: %s", strerror(errno));
		send_new(c, answer_err(&err));
		return;
	}
	a->execs[a->n_execs++] = pid;
}

static void agent_reap(struct agent *a)
{
	for (size_t i = 0; i < a->n_execs;)
		if (waitpid(a->execs[i], NULL, WNOHANG) == a->execs[i])
			a->execs[i] = a->execs[--a->n_execs];
		else
			i++;
}

/* ---- the machine's engine -------------------------------------------- */

/* True while something accepts connections on the Docker socket 'path':
 * a killed engine leaves its socket file refusing them (a busy one still
 * accepts). */
static bool engine_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return true;	/* cannot tell */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	alive = !connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		(errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return alive;
}

/* While a part runs, its machine's Docker engine is checked every
 * AGENT_ENGINE_CHECK_MS.  Gone (killed, stopped), the machine is lost:
 * its containers cannot be reached, its agent's task is orphaned.  The
 * agent tells the manager ("lost"), removes what it still can of its part
 * and ends; the engine, back, removes the agent's container and keeps
 * the part's stopped containers for 'cnemu -c --cluster swarm'.  Returns
 * true when the agent is to end. */
static bool agent_check_engine(struct agent *a)
{
	unsigned long long now = now_us();

	if (!a->net || !a->engine ||
	    now - a->engine_checked_us < AGENT_ENGINE_CHECK_MS * 1000ull)
		return false;
	a->engine_checked_us = now;
	if (engine_alive(a->engine))
		return false;
	log_warn("the machine's Docker engine at %s is gone", a->engine);
	if (a->mgr)
		send_new(a->mgr, json_pack("{s:s, s:s}", "op", "lost", "error",
					   "its Docker engine is gone"));
	agent_stop_part(a, "the machine's Docker engine is gone");
	return true;
}

/* The socket of the machine's engine, as the part's containers reach
 * it ($DOCKER_HOST or the default); NULL when it is no unix socket. */
static char *engine_socket(void)
{
	struct docker_api *api = docker_api_open(NULL, NULL);
	char *path = api ? xstrdup(docker_api_socket(api)) : NULL;

	docker_api_close(api);
	return path;
}

/* ---- the loop ---------------------------------------------------------- */

static void agent_accept(struct agent *a)
{
	struct emu_err err = { 0 };
	struct chan *c;
	json_t *req;
	const char *op;

	/* XXX the handshake and first request are read here, in the loop:
	 * a peer that stalls holds the manager's requests up to
	 * CHAN_HANDSHAKE_MS + AGENT_FIRST_FRAME_MS. */
	if (chan_accept(a->listen_fd, a->key, sizeof(a->key), &c, &err)) {
		log_warn("refused a connection: %s", err.msg);
		return;
	}
	if (chan_recv(c, &req, AGENT_FIRST_FRAME_MS, &err)) {
		log_warn("%s", err.msg);
		chan_close(c);
		return;
	}
	op = json_string_value(json_object_get(req, "op"));
	if (op && !strcmp(op, "exec")) {
		agent_fork_exec(a, c, req);
		chan_close(c);
	} else if (op && !strcmp(op, "hello")) {
		if (a->mgr)
			log_warn("a new manager at %s replaces %s",
				 chan_peer(c), chan_peer(a->mgr));
		chan_close(a->mgr);
		a->mgr = c;
		if (a->lost_us)
			log_info("*** The manager is back (%s)", chan_peer(c));
		a->lost_us = 0;
		agent_keep_names(a, req);
		send_new(c, do_hello(a));
		if (chan_start_beat(c, CHAN_BEAT_MS, CHAN_SILENT_MS, &err))
			log_warn("%s", err.msg);
	} else {
		emu_err_set(&err, -EPROTO, "a connection begins with 'hello' "
			    "or 'exec', not '%s'", op ? op : "");
		send_new(c, answer_err(&err));
		chan_close(c);
	}
	json_decref(req);
}

static void agent_serve_manager(struct agent *a)
{
	struct emu_err err = { 0 };
	json_t *req;
	int ret = chan_recv(a->mgr, &req, 0, &err);

	if (ret == -ETIMEDOUT)	/* its beats only */
		return;
	if (ret) {
		log_warn("the manager's connection is lost: %s", err.msg);
		chan_close(a->mgr);
		a->mgr = NULL;
		if (a->net || a->service) {
			a->lost_us = now_us();
			log_info("*** Waiting %d s for the manager before "
				 "removing this machine's part",
				 a->linger_ms / 1000);
		}
		return;
	}
	send_new(a->mgr, agent_answer(a, req));
	json_decref(req);
}

/* The userspace datapath of the run's private OVS opens /dev/net/tun
 * (a bridge's own port is a tap device), which a machine has and a
 * container's /dev does not: the agent makes it in its own /dev (Docker
 * lets every container use the tun device and keeps CAP_MKNOD).  A
 * machine without it runs Linux bridges still, hence only a warning. */
static void agent_make_tun(void)
{
	if (!access("/dev/net/tun", F_OK))
		return;
	if ((mkdir("/dev/net", 0755) && errno != EEXIST) ||
	    mknod("/dev/net/tun", S_IFCHR | 0600, makedev(10, 200)))
		log_warn("cannot make /dev/net/tun (%s): Open vSwitch "
			 "switches cannot start on this machine",
			 strerror(errno));
	else
		log_dbg("/dev/net/tun made");
}

/* In a Swarm service the agent's container has a pid namespace of its
 * own, /proc/sys read-only and no /dev/net/tun.  The machine's /proc is
 * bound at SWARM_AGENT_MACHINE_PROC: the containers of its part are
 * reached by their pids there (proc_machine_root()).  Its part writes
 * the sysctls of the namespaces it makes (IPv6 off in the switch
 * namespace, ...): its own mount namespace gets /proc/sys writable (it
 * holds CAP_SYS_ADMIN).  Outside a service: nothing to do. */
void agent_find_machine_proc(void)
{
	if (!access(SWARM_AGENT_MACHINE_PROC "/1", F_OK))
		proc_set_machine_root(SWARM_AGENT_MACHINE_PROC);
}

static int agent_in_container(struct emu_err *err)
{
	struct statvfs st;

	agent_find_machine_proc();
	if (strcmp(proc_machine_root(), "/proc"))
		agent_make_tun();
	if (statvfs("/proc/sys", &st) || !(st.f_flag & ST_RDONLY))
		return 0;
	if (mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL))
		return emu_err_set(err, -errno, "cannot make /proc/sys "
				   "writable: %s", strerror(errno));
	log_dbg("/proc/sys remounted writable");
	return 0;
}

int agent_run(const struct agent_opts *o, struct emu_err *err)
{
	struct agent a = { .listen_fd = -1 };
	int ret;

	a.linger_ms = o->linger_ms > 0 ? o->linger_ms : AGENT_LINGER_MS;
	if ((ret = agent_parse_addr(o->listen, a.addr, sizeof(a.addr), &a.port,
				    err)) ||
	    (ret = chan_read_key(o->key_file, a.key, err)) ||
	    (ret = agent_in_container(err)))
		return ret;
	a.listen_fd = chan_listen(a.addr, a.port, NULL, err);
	if (a.listen_fd < 0) {
		OPENSSL_cleanse(a.key, sizeof(a.key));
		return a.listen_fd;
	}
	log_info("*** Agent listening on %s port %d", a.addr, a.port);
	a.engine = engine_socket();
	while (!*o->stop && !agent_check_engine(&a)) {
		struct pollfd p[2] = {
			{ .fd = a.listen_fd, .events = POLLIN },
			{ .fd = a.mgr ? chan_fd(a.mgr) : -1, .events = POLLIN },
		};
		int timeout = a.n_execs ? 200 : 1000;

		if (a.lost_us) {
			unsigned long long gone = (now_us() - a.lost_us) / 1000;

			if (gone >= (unsigned long long)a.linger_ms) {
				agent_stop_part(&a, "the manager is gone");
				a.lost_us = 0;
				agent_remove_run(&a);
				continue;
			}
			if (a.linger_ms - (int)gone < timeout)
				timeout = a.linger_ms - (int)gone;
		}
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		agent_reap(&a);
		if (p[0].revents & POLLIN)
			agent_accept(&a);
		if (a.mgr && ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) ||
			      chan_is_silent(a.mgr)))
			agent_serve_manager(&a);
	}
	agent_stop_part(&a, "the agent stops");
	chan_close(a.mgr);
	close(a.listen_fd);
	for (size_t i = 0; i < a.n_execs; i++) {
		kill(a.execs[i], SIGKILL);
		waitpid(a.execs[i], NULL, 0);
	}
	OPENSSL_cleanse(a.key, sizeof(a.key));
	free(a.service);
	free(a.secret);
	free(a.run);
	free(a.engine);
	return 0;
}

/* ---- the relay: cnemu --agent-exec ------------------------------------ */

/* Writes all of 'buf' to 'fd' (a closed reader loses the rest). */
static void write_out(int fd, const unsigned char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

int agent_exec(const char *addr, const char *key_file, const char *node,
	       char *const argv[], volatile sig_atomic_t *stop,
	       struct emu_err *err)
{
	unsigned char key[CHAN_KEY_LEN];
	char host[INET6_ADDRSTRLEN + 2];
	struct chan *c;
	json_t *req, *args, *m;
	bool in_open = true, signalled = false;
	int port, ret, status = -1;
	char buf[65536];

	if ((ret = agent_parse_addr(addr, host, sizeof(host), &port, err)) ||
	    (ret = chan_read_key(key_file, key, err)))
		return ret;
	ret = chan_connect(host, port, key, sizeof(key), &c, err);
	OPENSSL_cleanse(key, sizeof(key));
	if (ret)
		return ret;
	args = json_array();
	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(args, json_string(argv[i]));
	req = json_pack("{s:s, s:s, s:o}", "op", "exec", "node", node, "argv",
			args);
	ret = chan_send(c, req, err);
	json_decref(req);
	if (!ret)
		ret = chan_recv(c, &m, CHAN_HANDSHAKE_MS, err);
	if (!ret) {
		if (!json_is_true(json_object_get(m, "ok")))
			ret = emu_err_set(err, -ENOENT, "%s: %s", addr,
					  json_string_value(json_object_get(
						  m, "error")) ?: "failed");
		json_decref(m);
	}
	while (!ret && status < 0) {
		struct pollfd p[2] = {
			{ .fd = chan_fd(c), .events = POLLIN },
			{ .fd = in_open ? 0 : -1, .events = POLLIN },
		};
		const char *op;

		if (*stop && !signalled) {
			send_new(c, json_pack("{s:s, s:i}", "op", "signal",
					      "sig", (int)*stop));
			signalled = true;
		}
		if (poll(p, 2, 200) <= 0)
			continue;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(0, buf, sizeof(buf));

			if (r <= 0) {
				in_open = false;
				send_new(c, json_pack("{s:s}", "op", "eof"));
			} else {
				m = json_pack("{s:s}", "op", "stdin");
				chan_put_bytes(m, "data", buf, (size_t)r);
				send_new(c, m);
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((ret = chan_recv(c, &m, 0, err)))
			break;
		op = json_string_value(json_object_get(m, "op"));
		if (op && (!strcmp(op, "stdout") || !strcmp(op, "stderr"))) {
			unsigned char *data;
			size_t len;

			if (!chan_get_bytes(m, "data", &data, &len)) {
				write_out(op[3] == 'o' ? 1 : 2, data, len);
				free(data);
			}
		} else if (op && !strcmp(op, "exit")) {
			status = (int)json_integer_value(json_object_get(
				m, "status"));
		}
		json_decref(m);
	}
	chan_close(c);
	return ret ? ret : status;
}
