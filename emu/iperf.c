#include "emu/iperf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "node/node.h"

EMU_LOG_MODULE(iperf);

#define IPERF_DEFAULT_S 5
/* How long the UDP server waits past the client's time for the end of the
 * stream, whose last datagrams may all be lost. */
#define IPERF_UDP_GRACE_S 3
/* How long a server may take to listen. */
#define IPERF_LISTEN_WAIT_MS 5000
/* How long a server may take to end once its client is done. */
#define IPERF_END_WAIT_MS 2000

bool iperf_rate_ok(const char *bw)
{
	size_t n = strspn(bw, "0123456789.");

	return n > 0 && (!bw[n] || (strchr("kKmMgG", bw[n]) && !bw[n + 1]));
}

int iperf3_parse(const char *text, double *server_bps, double *client_bps,
		 bool *refused, struct emu_err *err)
{
	const char *start = strchr(text, '{');
	json_t *root, *end, *sent, *recv, *e;
	json_error_t jerr;
	int ret = 0;

	*refused = false;
	root = start ? json_loads(start, JSON_DISABLE_EOF_CHECK, &jerr) : NULL;
	if (!root)
		return emu_err_set(err, -EIO, "cannot read iperf3's output: %s",
				   start ? jerr.text : "no JSON");
	e = json_object_get(root, "error");
	end = json_object_get(root, "end");
	sent = json_object_get(end, "sum_sent");
	recv = json_object_get(end, "sum_received");
	if (json_is_string(e)) {
		const char *msg = json_string_value(e);

		*refused = strstr(msg, "unable to connect") != NULL;
		ret = emu_err_set(err, strstr(msg, "interrupt") ? -EINTR : -EIO,
				  "iperf3: %s", msg);
	} else if (!sent || !recv) {
		ret = emu_err_set(err, -EIO, "iperf3 gave no summary");
	} else {
		*server_bps = json_number_value(
			json_object_get(recv, "bits_per_second"));
		*client_bps = json_number_value(
			json_object_get(sent, "bits_per_second"));
	}
	json_decref(root);
	return ret;
}

/* Parses one CSV line of 'len' bytes; true when it is a report:
 * time,src,sport,dst,dport,id,A-B,bytes,bps[,jitter,lost,total,...]. */
static bool iperf2_parse_line(const char *line, size_t len,
			      struct iperf2_report *r)
{
	char buf[512], *fields[9], *save = NULL, *a, *b, *end;
	size_t n = 0;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (char *f = strtok_r(buf, ",", &save); f && n < 9;
	     f = strtok_r(NULL, ",", &save))
		fields[n++] = f;
	if (n < 9)
		return false;
	a = fields[6];
	b = strchr(a, '-');
	if (!b)
		return false;
	*b++ = '\0';
	r->seconds = strtod(b, &end) - strtod(a, NULL);
	if (end == b || *end)
		return false;
	r->bytes = strtod(fields[7], &end);
	if (end == fields[7] || *end)
		return false;
	r->bps = strtod(fields[8], &end);
	return end != fields[8] && !*end;
}

bool iperf2_parse_csv(const char *text, struct iperf2_report *r)
{
	bool found = false;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		struct iperf2_report one;

		if (iperf2_parse_line(p, len, &one)) {
			*r = one;
			found = true;
		}
		p += len + (p[len] == '\n');
	}
	return found;
}

/* A server or client running in a node, its output (stdout and stderr)
 * on a pipe. */
struct iperf_proc {
	struct node *node;
	pid_t pid;		/* 0 once reaped */
	int status;		/* its wait status once reaped */
	int fd;			/* -1 at the end of its output */
	char *out;		/* all it printed, '\0'-ended */
	size_t len, cap;
};

static int iperf_proc_start(struct iperf_proc *p, struct node *node,
			    char *const argv[], struct emu_err *err)
{
	struct node_exec_opts opts = { .net_only = true };
	int pipefd[2];

	memset(p, 0, sizeof(*p));
	p->node = node;
	p->fd = -1;
	p->cap = 1024;
	p->out = xcalloc(1, p->cap);
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return emu_err_set(err, -errno, "cannot make a pipe: %s",
				   strerror(errno));
	opts.stdout_to = opts.stderr_to = NODE_FD(pipefd[1]);
	p->pid = node_spawn(node, argv, &opts, err);
	close(pipefd[1]);
	if (p->pid < 0) {
		int ret = p->pid;

		close(pipefd[0]);
		p->pid = 0;
		return ret;
	}
	p->fd = pipefd[0];
	return 0;
}

/* Takes what the process has printed so far. */
static void iperf_proc_drain(struct iperf_proc *p)
{
	while (p->fd >= 0) {
		ssize_t n;

		if (p->cap - p->len < 512)
			p->out = xrealloc(p->out, p->cap *= 2);
		n = read(p->fd, p->out + p->len, p->cap - p->len - 1);
		if (n > 0) {
			p->len += (size_t)n;
			p->out[p->len] = '\0';
		} else if (n == 0 || errno != EINTR) {
			if (n < 0 && errno == EAGAIN)
				return;
			close(p->fd);
			p->fd = -1;
		}
	}
}

/* Waits up to 'timeout_ms' for output of one of the 'n' processes and
 * takes it; -EINTR when a signal came, else 0. */
static int iperf_procs_wait(struct iperf_proc **procs, size_t n,
			    int timeout_ms)
{
	struct pollfd pfds[2];
	nfds_t k = 0;

	for (size_t i = 0; i < n && k < ARRAY_SIZE(pfds); i++)
		if (procs[i]->fd >= 0)
			pfds[k++] = (struct pollfd){ .fd = procs[i]->fd,
						     .events = POLLIN };
	if (!k) {
		struct timespec ts = { 0, (long)timeout_ms * 1000000L };

		return nanosleep(&ts, NULL) < 0 && errno == EINTR ? -EINTR
								 : 0;
	}
	if (poll(pfds, k, timeout_ms) < 0 && errno == EINTR)
		return -EINTR;
	for (size_t i = 0; i < n; i++)
		iperf_proc_drain(procs[i]);
	return 0;
}

/* Takes the process's output until its end, for up to 'timeout_ms';
 * -EINTR when a signal came, else 0. */
static int iperf_proc_read(struct iperf_proc *p, int timeout_ms)
{
	unsigned long long end = now_us() + (unsigned long long)timeout_ms *
						    1000ULL;

	while (p->fd >= 0) {
		unsigned long long now = now_us();
		int ret;

		if (now >= end)
			break;
		ret = iperf_procs_wait(&p, 1, (int)((end - now) / 1000) + 1);
		if (ret)
			return ret;
	}
	return 0;
}

/* True once the process has exited (it is then reaped). */
static bool iperf_proc_exited(struct iperf_proc *p)
{
	if (p->pid && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->pid = 0;
	return !p->pid;
}

/* Ends the process (SIGTERM, SIGKILL after 0.5 s) and frees its output. */
static void iperf_proc_release(struct iperf_proc *p)
{
	for (int i = 0; p->pid && i < 50; i++) {
		if (!i)
			kill(p->pid, SIGTERM);
		if (!iperf_proc_exited(p))
			usleep(10000);
	}
	if (p->pid) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->pid = 0;
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->out);
	p->out = NULL;
}

/* The last line of 'text' that is not empty, into 'buf'. */
static const char *iperf_last_line(const char *text, char *buf, size_t size)
{
	size_t len = strlen(text);

	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	for (size_t i = len; i > 0; i--) {
		if (text[i - 1] == '\n') {
			text += i;
			len -= i;
			break;
		}
	}
	snprintf(buf, size, "%.*s", (int)len, text);
	return buf;
}

/* The sentence for a server that exited before its client was done. */
static int iperf_server_error(struct iperf_proc *s, const char *tool,
			      struct emu_err *err)
{
	char line[200];

	if (WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGINT)
		return emu_err_set(err, -EINTR, "iperf interrupted");
	iperf_proc_read(s, 100);
	if (*iperf_last_line(s->out, line, sizeof(line)))
		return emu_err_set(err, -EIO,
				   "the %s server in '%s' exited: %s", tool,
				   node_name(s->node), line);
	return emu_err_set(err, -EIO,
			   "the %s server in '%s' exited (status %d)", tool,
			   node_name(s->node),
			   WIFEXITED(s->status) ? WEXITSTATUS(s->status)
						: 128 + WTERMSIG(s->status));
}

/* True when a line of 'text' (the rows of /proc/net/<proto>, IPv4 or 6)
 * has the local 'port' (TCP: listening). */
static bool iperf_table_has_port(const char *text, const char *proto,
				 unsigned int port)
{
	char want[16];

	snprintf(want, sizeof(want), ":%04X", port);
	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		char local[64], state[8];
		const char *at;

		if (sscanf(line, "%*s %63s %*s %7s", local, state) == 2) {
			at = strstr(local, want);
			if (at && !strcmp(at, want) &&
			    (strcmp(proto, "tcp") || !strcmp(state, "0A")))
				return true;
		}
		line = *end ? end + 1 : end;
	}
	return false;
}

/* True when the server's network namespace has a socket on 'port' in
 * /proc/net/<proto> or <proto>6: read through the process here, or by a
 * 'cat' in the node on its machine in a cluster run (the process here is
 * only its relay). */
static bool iperf_port_bound(struct iperf_proc *s, const char *proto,
			     unsigned int port)
{
	char v4[64], v6[64], *text = NULL;
	char *argv[] = { "cat", v4, v6, NULL };
	struct node_exec_opts opts = { .net_only = true };
	bool found = false;

	if (node_is_relayed(s->node)) {
		snprintf(v4, sizeof(v4), "/proc/net/%s", proto);
		snprintf(v6, sizeof(v6), "/proc/net/%s6", proto);
		found = node_capture(s->node, argv, &opts, &text, NULL) >= 0 &&
			text && iperf_table_has_port(text, proto, port);
		free(text);
		return found;
	}
	for (int i = 0; i < 2 && !found; i++) {
		int fd;

		snprintf(v4, sizeof(v4), "/proc/%d/net/%s%s", (int)s->pid,
			 proto, i ? "6" : "");
		fd = open(v4, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		found = fd_read_all(fd, &text, NULL) == 0 &&
			iperf_table_has_port(text, proto, port);
		free(text);
		text = NULL;
		close(fd);
	}
	return found;
}

/* Waits until the server listens on 'port' ("tcp" or "udp" 'proto'). */
static int iperf_wait_listen(struct iperf_proc *s, const char *tool,
			     const char *proto, unsigned int port,
			     struct emu_err *err)
{
	struct timespec ts = { 0, 1000000 };

	for (int waited_ms = 0; waited_ms < IPERF_LISTEN_WAIT_MS;) {
		if (iperf_proc_exited(s))
			return iperf_server_error(s, tool, err);
		if (iperf_port_bound(s, proto, port))
			return 0;
		if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
			return emu_err_set(err, -EINTR, "iperf interrupted");
		waited_ms += (int)(ts.tv_nsec / 1000000);
		if (ts.tv_nsec < 32000000)
			ts.tv_nsec *= 2;
	}
	return emu_err_set(err, -ETIMEDOUT,
			   "the %s server in '%s' does not listen on port %u",
			   tool, node_name(s->node), port);
}

static int iperf_tcp(struct node *client, struct node *server,
		     const char *ip, unsigned int seconds, double *server_bps,
		     double *client_bps, struct emu_err *err)
{
	char port[16], secs[16], *out = NULL;
	char *srv_argv[] = { "iperf3", "-s", "-1", "-p", port, NULL };
	char *cli_argv[] = { "iperf3", "-c", (char *)ip, "-p", port,
			     "-t", secs, "-J", NULL };
	struct node_exec_opts opts = { .net_only = true };
	struct iperf_proc s;
	bool refused;
	int ret;

	snprintf(port, sizeof(port), "%d", IPERF_TCP_PORT);
	snprintf(secs, sizeof(secs), "%u", seconds);
	ret = iperf_proc_start(&s, server, srv_argv, err);
	if (!ret)
		ret = iperf_wait_listen(&s, "iperf3", "tcp", IPERF_TCP_PORT,
					err);
	if (!ret) {
		/* Its exit status is in the JSON too. */
		ret = node_capture(client, cli_argv, &opts, &out, err);
		if (ret == 128 + SIGINT)
			ret = emu_err_set(err, -EINTR, "iperf interrupted");
		else if (ret > 0)
			ret = 0;
	}
	if (!ret)
		ret = iperf3_parse(out, server_bps, client_bps, &refused, err);
	free(out);
	iperf_proc_release(&s);
	return ret;
}

/* Runs the UDP client 'c' to its end while the server 's' reports: once
 * the server has its figures, the client's wait for their echo (lost
 * on a lossy link: 2 s) is cut short with SIGINT, on which iperf 2
 * prints its own report and exits. */
static int iperf_udp_run(struct iperf_proc *c, struct iperf_proc *s,
			 unsigned int seconds, struct emu_err *err)
{
	unsigned long long limit = now_us() + (seconds + IPERF_UDP_GRACE_S) *
						      1000000ULL +
				   IPERF_END_WAIT_MS * 1000ULL;
	struct iperf_proc *both[2] = { c, s };
	unsigned long long int_at = 0;

	while (!iperf_proc_exited(c) || c->fd >= 0) {
		if (iperf_procs_wait(both, 2, 20))
			return emu_err_set(err, -EINTR, "iperf interrupted");
		if (c->pid && s->fd < 0 && !int_at) {
			kill(c->pid, SIGINT);
			int_at = now_us();
		}
		if (c->pid && ((int_at && now_us() - int_at > 1000000ULL) ||
			       now_us() > limit))
			kill(c->pid, SIGKILL);
	}
	if (!int_at && WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGINT)
		return emu_err_set(err, -EINTR, "iperf interrupted");
	return 0;
}

static int iperf_udp(struct node *client, struct node *server,
		     const char *ip, const char *bw, unsigned int seconds,
		     double *server_bps, double *client_bps,
		     struct emu_err *err)
{
	char port[16], secs[16], bound[16], line[200];
	char *srv_argv[] = { "iperf", "-s", "-u", "-p", port, "-P", "1",
			     "-t", bound, "-y", "C", NULL };
	char *cli_argv[] = { "iperf", "-c", (char *)ip, "-u", "-p", port,
			     "-b", (char *)bw, "-t", secs, "-y", "C", NULL };
	struct iperf2_report sent, got;
	struct iperf_proc s, c = { .fd = -1 };
	unsigned long long t0 = now_us();
	int ret;

	snprintf(port, sizeof(port), "%d", IPERF_UDP_PORT);
	snprintf(secs, sizeof(secs), "%u", seconds);
	/* The server ends after one stream, or at this bound when the
	 * stream's end never reached it. */
	snprintf(bound, sizeof(bound), "%u", seconds + IPERF_UDP_GRACE_S);
	ret = iperf_proc_start(&s, server, srv_argv, err);
	if (!ret)
		ret = iperf_wait_listen(&s, "iperf", "udp", IPERF_UDP_PORT,
					err);
	if (!ret)
		ret = iperf_proc_start(&c, client, cli_argv, err);
	if (!ret)
		ret = iperf_udp_run(&c, &s, seconds, err);
	log_dbg("udp: client done after %llu ms", (now_us() - t0) / 1000);
	if (!ret && !iperf2_parse_csv(c.out, &sent))
		ret = emu_err_set(err, -EIO, "iperf gave no report: %s",
				  iperf_last_line(c.out, line, sizeof(line)));
	if (!ret) {
		/* Until the server's own bound, and a little more. */
		unsigned long long end = t0 + (seconds + IPERF_UDP_GRACE_S) *
						      1000000ULL;
		unsigned long long now = now_us();

		ret = iperf_proc_read(&s, IPERF_END_WAIT_MS +
						  (end > now ? (int)((end - now) /
								   1000)
							     : 0));
		if (ret)
			emu_err_set(err, ret, "iperf interrupted");
	}
	if (!ret) {
		*client_bps = sent.bps;
		/* What arrived over the time it was sent: the server's own
		 * interval runs to the stream's end, or to its bound when
		 * the end was lost. */
		if (!iperf2_parse_csv(s.out, &got))
			got.bytes = 0;	/* every datagram was lost */
		*server_bps = sent.seconds > 0 ? got.bytes * 8 / sent.seconds
					       : got.bps;
		log_dbg("udp: %.0f bytes sent, %.0f received in %.2f s; "
			"server done after %llu ms",
			sent.bytes, got.bytes, sent.seconds,
			(now_us() - t0) / 1000);
	}
	iperf_proc_release(&c);
	iperf_proc_release(&s);
	return ret;
}

int iperf_measure(struct node *client, struct node *server,
		  const char *udp_bw, unsigned int seconds,
		  double *server_bps, double *client_bps,
		  struct emu_err *err)
{
	char ip[64];

	if (udp_bw && !iperf_rate_ok(udp_bw))
		return emu_err_set(err, -EINVAL,
				   "invalid UDP bandwidth '%s': expected a "
				   "rate like 10M",
				   udp_bw);
	if (!node_ip(server, ip, sizeof(ip)))
		return emu_err_set(err, -EDESTADDRREQ, "'%s' has no IP",
				   node_name(server));
	if (!seconds)
		seconds = IPERF_DEFAULT_S;
	if (udp_bw)
		return iperf_udp(client, server, ip, udp_bw, seconds,
				 server_bps, client_bps, err);
	return iperf_tcp(client, server, ip, seconds, server_bps, client_bps,
			 err);
}
