#include "emu/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/err.h"
#include "base/listener.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(attach);

#define ATTACH_MAX_CLIENTS 64
#define ATTACH_LINE_MAX 65536	/* bytes of one command line */
#define ATTACH_PROMPT "cnemu> "

struct attach_client {
	int fd;
	char *buf;		/* what came, up to a newline */
	size_t len, cap;
	void *session;		/* the 'run' callback's */
};

struct attach {
	struct listener listener;
	pthread_mutex_t lock;	/* one command at a time */
	attach_run_fn run;
	attach_end_fn end;
	void *aux;
	struct attach_client clients[ATTACH_MAX_CLIENTS];
	int n_clients;		/* read by attach_count() */
};

void attach_lock(struct attach *a)
{
	if (a)
		pthread_mutex_lock(&a->lock);
}

void attach_unlock(struct attach *a)
{
	if (a)
		pthread_mutex_unlock(&a->lock);
}

int attach_count(struct attach *a)
{
	return __atomic_load_n(&a->n_clients, __ATOMIC_RELAXED);
}

static void attach_drop(struct attach *a, int i)
{
	struct attach_client *c = &a->clients[i];

	if (c->session && a->end) {
		attach_lock(a);
		a->end(a->aux, c->session);
		attach_unlock(a);
	}
	close(c->fd);
	free(c->buf);
	a->clients[i] = a->clients[--a->n_clients];
	__atomic_store_n(&a->n_clients, a->n_clients, __ATOMIC_RELAXED);
}

/* Writes all of 'buf'; false when the client went. */
static bool attach_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Runs one line of client 'c'; false when it detaches or went.  What
 * the command prints goes straight to the client's socket (commands run
 * in nodes write to its descriptor), then the NUL. */
static bool attach_serve_line(struct attach *a, struct attach_client *c,
			      const char *line)
{
	int fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 3);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool keep;

	if (!out) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	attach_lock(a);
	keep = a->run(a->aux, line, out, &c->session);
	attach_unlock(a);
	keep = !fclose(out) && attach_write_all(c->fd, "", 1) && keep;
	return keep;
}

/* Reads what client 'i' sent and runs its complete lines; false when it
 * is to be dropped. */
static bool attach_read(struct attach *a, int i)
{
	struct attach_client *c = &a->clients[i];
	char *nl;
	ssize_t n;

	xgrow((void **)&c->buf, &c->cap, c->len + 4097, 1);
	n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		if (!attach_serve_line(a, c, c->buf))
			return false;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	return c->len < ATTACH_LINE_MAX;
}

static void attach_accept(struct attach *a)
{
	int fd = accept4(a->listener.listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (a->n_clients == ATTACH_MAX_CLIENTS) {
		static const char full[] = "error: too many CLIs attached\n";

		attach_write_all(fd, full, sizeof(full));	/* with NUL */
		close(fd);
		return;
	}
	a->clients[a->n_clients] = (struct attach_client){ .fd = fd };
	__atomic_store_n(&a->n_clients, a->n_clients + 1, __ATOMIC_RELAXED);
}

static void *attach_main(void *arg)
{
	struct attach *a = arg;
	struct pollfd fds[ATTACH_MAX_CLIENTS + 2];

	for (;;) {
		int n = a->n_clients;

		fds[0] = (struct pollfd){ .fd = a->listener.stop_fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = a->listener.listen_fd,
					  .events = POLLIN };
		for (int i = 0; i < n; i++)
			fds[i + 2] = (struct pollfd){ .fd = a->clients[i].fd,
						      .events = POLLIN };
		if (poll(fds, (nfds_t)n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("attached CLIs: poll: %s", strerror(errno));
			break;
		}
		if (fds[0].revents)
			break;
		/* Backwards: a dropped client takes the last one's place. */
		for (int i = n - 1; i >= 0; i--)
			if (fds[i + 2].revents && !attach_read(a, i))
				attach_drop(a, i);
		if (fds[1].revents)
			attach_accept(a);
	}
	while (a->n_clients)
		attach_drop(a, a->n_clients - 1);
	return NULL;
}

struct attach *attach_listen(const char *path, attach_run_fn run,
			     attach_end_fn end, void *aux,
			     struct emu_err *err)
{
	struct attach *a = xcalloc(1, sizeof(*a));

	listener_init(&a->listener);
	a->run = run;
	a->end = end;
	a->aux = aux;
	pthread_mutex_init(&a->lock, NULL);
	if (listener_start(&a->listener, path, attach_main, a, err)) {
		attach_close(a);
		return NULL;
	}
	return a;
}

void attach_close(struct attach *a)
{
	if (!a)
		return;
	listener_release(&a->listener);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* ---- the client ---------------------------------------------------- */

static int attach_connect(const char *path, struct emu_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return emu_err_set(err, -errno, "cannot make a socket: %s",
				   strerror(errno));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(fd);
		return emu_err_set(err, ret, "cannot attach to '%s': %s", path,
				   strerror(-ret));
	}
	return fd;
}

/* Prints the answer to one command (up to its NUL) on 'out'; false when
 * the lab went. */
static bool attach_print_answer(int fd, FILE *out)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		char *end;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		end = memchr(buf, '\0', (size_t)n);
		fwrite(buf, 1, end ? (size_t)(end - buf) : (size_t)n, out);
		if (end) {
			fflush(out);
			return true;
		}
	}
}

/* The next line from 'in', without its newline (caller frees); NULL at
 * EOF. */
static char *attach_next_line(FILE *in, bool interactive)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (interactive)
		return readline(ATTACH_PROMPT);
	n = getline(&line, &cap, in);
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static bool attach_is_exit(const char *line)
{
	size_t a = strspn(line, " \t"), n = strcspn(line + a, " \t");

	return (n == 4 && !strncmp(line + a, "exit", 4)) ||
	       (n == 4 && !strncmp(line + a, "quit", 4));
}

int attach_client(const char *path, FILE *in, FILE *out, bool interactive,
		  const char *history, struct emu_err *err)
{
	int fd = attach_connect(path, err), ret = 0;
	char *line;

	if (fd < 0)
		return fd;
	if (interactive) {
		rl_instream = in;
		rl_outstream = out;
		using_history();
		if (history)
			read_history(history);
	}
	while ((line = attach_next_line(in, interactive))) {
		if (interactive && line[strspn(line, " \t")])
			add_history(line);
		if (attach_is_exit(line)) {
			free(line);
			break;
		}
		if (!attach_write_all(fd, line, strlen(line)) ||
		    !attach_write_all(fd, "\n", 1) ||
		    !attach_print_answer(fd, out)) {
			ret = emu_err_set(err, -ECONNRESET,
					  "the lab went away (stopped)");
			free(line);
			break;
		}
		free(line);
	}
	if (interactive && history)
		write_history(history);
	close(fd);
	return ret;
}
