#include "tests/lib/runs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/testlib.h"

#define RUNS_LOCK "/run/cnemu/lock"

double test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool test_wait_idle(int timeout_ms)
{
	double deadline = test_now() + timeout_ms / 1000.0;
	int fd = open(RUNS_LOCK, O_RDONLY | O_CLOEXEC);
	bool free_now = true;

	if (fd < 0)
		return true;	/* no run ever took it */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (test_now() > deadline) {
			free_now = false;
			break;
		}
		usleep(100000);
	}
	close(fd);	/* releases it at once */
	return free_now;
}

static char *runs_vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

int test_run_start(struct test_run *r, const char *fmt, ...)
{
	int in[2], out[2];
	char *line, *cmd;
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->in_fd = r->out_fd = -1;
	r->status = -1;
	r->cap = 4096;
	r->out = calloc(1, r->cap);
	if (!r->out)
		abort();
	signal(SIGPIPE, SIG_IGN);	/* a dead run's stdin: not our end */
	va_start(ap, fmt);
	line = runs_vformat(fmt, ap);
	va_end(ap);
	if (asprintf(&cmd, "exec %s", line) < 0)
		abort();
	free(line);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		abort();
	r->pid = fork();
	if (r->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	close(in[0]);
	close(out[1]);
	if (r->pid < 0) {
		close(in[1]);
		close(out[0]);
		r->pid = 0;
		return -1;
	}
	r->in_fd = in[1];
	r->out_fd = out[0];
	fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* Waits up to 'timeout_ms' for output and appends what there is; false
 * once the output ended. */
static bool runs_read(struct test_run *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->out_fd, .events = POLLIN };
	ssize_t n;

	if (r->out_fd < 0)
		return false;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return true;
	for (;;) {
		if (r->cap - r->len < 4096) {
			r->out = realloc(r->out, r->cap *= 2);
			if (!r->out)
				abort();
		}
		n = read(r->out_fd, r->out + r->len, r->cap - r->len - 1);
		if (n > 0) {
			r->len += (size_t)n;
			r->out[r->len] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		close(r->out_fd);
		r->out_fd = -1;
		return false;
	}
}

bool test_run_expect(struct test_run *r, const char *text, int timeout_ms)
{
	double deadline = test_now() + timeout_ms / 1000.0;

	for (;;) {
		char *hit = strstr(r->out + r->seen, text);

		if (hit) {
			r->seen = (size_t)(hit - r->out) + strlen(text);
			return true;
		}
		if (test_now() > deadline || !runs_read(r, 50))
			return strstr(r->out + r->seen, text) != NULL;
	}
}

void test_run_send(struct test_run *r, const char *fmt, ...)
{
	va_list ap;
	char *line;
	size_t len, off = 0;

	va_start(ap, fmt);
	line = runs_vformat(fmt, ap);
	va_end(ap);
	len = strlen(line);
	line = realloc(line, len + 2);
	if (!line)
		abort();
	line[len++] = '\n';
	while (r->in_fd >= 0 && off < len) {
		ssize_t n = write(r->in_fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(line);
}

/* Reaps the run when it exited; true once it has. */
static bool runs_reap(struct test_run *r, bool block)
{
	int status;
	pid_t got;

	if (!r->pid || r->status >= 0)
		return true;
	do
		got = waitpid(r->pid, &status, block ? 0 : WNOHANG);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return false;
	if (got < 0)
		r->status = 255;	/* not ours to wait for any more */
	else
		r->status = WIFEXITED(status) ? WEXITSTATUS(status)
					      : 128 + WTERMSIG(status);
	return true;
}

int test_run_wait(struct test_run *r, int timeout_ms)
{
	double deadline = test_now() + timeout_ms / 1000.0;

	if (r->in_fd >= 0) {
		close(r->in_fd);
		r->in_fd = -1;
	}
	while (!runs_reap(r, false)) {
		if (test_now() > deadline)
			return -1;
		if (!runs_read(r, 50))
			usleep(20000);
	}
	/* What it printed last; children that outlive it (a leaked
	 * controller) may hold the pipe open, so not until EOF. */
	deadline = test_now() + 0.3;
	while (test_now() < deadline && runs_read(r, 20))
		;
	return r->status;
}

void test_run_kill(struct test_run *r, int sig)
{
	if (r->pid > 0 && r->status < 0)
		kill(r->pid, sig);
}

void test_run_end(struct test_run *r)
{
	bool killed = false;

	if (r->pid > 0 && r->status < 0) {
		test_run_kill(r, SIGTERM);
		if (test_run_wait(r, 30000) < 0) {
			test_run_kill(r, SIGKILL);
			runs_reap(r, true);
			killed = true;
		}
	}
	if (killed || (r->pid > 0 && r->status >= 128))
		sh("%s -c >/dev/null 2>&1", test_cnemu());
	if (r->in_fd >= 0)
		close(r->in_fd);
	if (r->out_fd >= 0)
		close(r->out_fd);
	free(r->out);
	memset(r, 0, sizeof(*r));
	r->in_fd = r->out_fd = -1;
	r->status = -1;
}

char *test_run_leftovers(pid_t pid, int wait_ms)
{
	double deadline = test_now() + wait_ms / 1000.0;
	int p = (int)pid;
	char *left;

	for (;;) {
		left = sh_out(
			"ip netns list 2>/dev/null | grep -E '^cn%d-' | "
			"sed 's/^/namespace /'; "
			"ip -o link show 2>/dev/null | "
			"grep -E 'alias cnemu:cn%d( |$)' | "
			"awk '{print \"link \" $2}'; "
			"[ -S /var/run/openvswitch/db.sock ] && "
			"ovs-vsctl --timeout=5 --bare --columns=name find "
			"bridge external_ids:cnemu-run=cn%d 2>/dev/null | "
			"sed '/^$/d; s/^/ovs-bridge /'; "
			"[ -S /var/run/docker.sock ] && timeout 10 docker ps "
			"-aq --filter label=cnemu.run=cn%d 2>/dev/null | "
			"sed 's/^/container /'; "
			"[ -e /run/cnemu/cn%d ] && echo 'run-dir "
			"/run/cnemu/cn%d'; "
			"pgrep -af '/run/cnemu/c[n]%d/' | "
			"sed 's/^/process /'; true",
			p, p, p, p, p, p, p);
		if (!*left || test_now() > deadline)
			return left;
		free(left);
		usleep(100000);
	}
}

void test_ovs_settle(void)
{
	/* ovs-vswitchd has applied every committed change once cur_cfg
	 * reaches next_cfg; a run's stop does not wait for it. */
	for (int i = 0; i < 300; i++) {
		char *out = sh_out("[ -S /var/run/openvswitch/db.sock ] || "
				   "exit 0; ovs-vsctl --timeout=5 get "
				   "Open_vSwitch . cur_cfg next_cfg | uniq | "
				   "wc -l");
		bool settled = atoi(out) <= 1;

		free(out);
		if (settled)
			return;
		usleep(100000);
	}
}

/* The lock files of /run/cnemu stay for good once a first run made them:
 * removing a lock file another process may be about to open races, so
 * they are the directory's furniture, not something a run left; so is the
 * template database the private OVS copies (one per schema version). */
#define RUN_DIR_LOCKS "lock\\|sysctl.lock\\|deps.lock\\|vswitch-[0-9-]*\\.db"

char *test_machine_state(void)
{
	test_ovs_settle();
	return sh_out(
		"{ ip netns list 2>/dev/null | awk '{print \"netns \" $1}'; "
		"ip -o link show 2>/dev/null | awk '{ n = $2; "
		"sub(/@.*/, \"\", n); sub(/:$/, \"\", n); a = \"\"; "
		"for (i = 3; i < NF; i++) if ($i == \"alias\") a = $(i + 1); "
		"if (a ~ /^cnemu:/ || "
		"n ~ /-eth[0-9]+$|^s[0-9]+$|^p[0-9]+[ab]$/) "
		"print \"link \" n \" \" a }'; "
		"[ -S /var/run/openvswitch/db.sock ] && ovs-vsctl --timeout=5 "
		"--format=csv --data=bare --no-headings "
		"--columns=name,external_ids list bridge 2>/dev/null | "
		"sed 's/^/ovs-bridge /'; "
		"[ -S /var/run/docker.sock ] && timeout 10 docker ps -a "
		"--filter label=cnemu.run --format "
		"'container {{.Names}} {{.Label \"cnemu.run\"}}' 2>/dev/null; "
		"ls /run/cnemu 2>/dev/null | grep -vx '%s' | "
		"sed 's/^/run-dir /'; } | sort", RUN_DIR_LOCKS);
}

/* True when 'line' names a run tag "cn<digits>" other than those of
 * 'pids'. */
static bool runs_foreign(const char *line, const pid_t *pids, size_t n)
{
	for (const char *p = line; (p = strstr(p, "cn")); p += 2) {
		char *end;
		long tag;
		size_t i;

		if (p > line && isalnum((unsigned char)p[-1]))
			continue;
		if (!isdigit((unsigned char)p[2]))
			continue;
		tag = strtol(p + 2, &end, 10);
		for (i = 0; i < n && (long)pids[i] != tag; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

char *test_state_diff(const char *before, const char *after,
		      const pid_t *pids, size_t n_pids)
{
	size_t len = 0, cap = strlen(after) + 1;
	char *diff = calloc(1, cap), *copy = strdup(after), *save = NULL;

	if (!diff || !copy)
		abort();
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		const char *hit = before;
		bool found = false;

		while ((hit = strstr(hit, line))) {
			if ((hit == before || hit[-1] == '\n') &&
			    (hit[n] == '\n' || !hit[n])) {
				found = true;
				break;
			}
			hit++;
		}
		if (found || runs_foreign(line, pids, n_pids))
			continue;
		len += (size_t)sprintf(diff + len, "%s\n", line);
	}
	free(copy);
	return diff;
}
