#include "node/relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/listener.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(relay);

#define RELAY_MAX_PAIRS 256

/* One relayed connection: the OVS side and the controller side. */
struct relay_pair {
	int fds[2];
};

struct relay {
	struct listener listener;
	struct sockaddr_in to;
	struct relay_pair pairs[RELAY_MAX_PAIRS];
	int n_pairs;
};

static void relay_drop(struct relay *r, int i)
{
	close(r->pairs[i].fds[0]);
	close(r->pairs[i].fds[1]);
	r->pairs[i] = r->pairs[--r->n_pairs];
}

/* Copies what 'from' has to 'to'; false when either side ended. */
static bool relay_copy(int from, int to)
{
	char buf[65536];
	ssize_t n = recv(from, buf, sizeof(buf), 0), off = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	while (off < n) {
		ssize_t w = send(to, buf + off, (size_t)(n - off),
				 MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static void relay_accept(struct relay *r)
{
	int in = accept4(r->listener.listen_fd, NULL, NULL, SOCK_CLOEXEC), out;

	if (in < 0)
		return;
	out = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->n_pairs == RELAY_MAX_PAIRS || out < 0 ||
	    connect(out, (struct sockaddr *)&r->to, sizeof(r->to)) < 0) {
		log_dbg("cannot reach the controller: %s", strerror(errno));
		close(in);
		if (out >= 0)
			close(out);
		return;
	}
	r->pairs[r->n_pairs++] = (struct relay_pair){ { in, out } };
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct pollfd fds[2 + 2 * RELAY_MAX_PAIRS];

	for (;;) {
		int n = r->n_pairs;

		fds[0] = (struct pollfd){ .fd = r->listener.stop_fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = r->listener.listen_fd,
					  .events = POLLIN };
		for (int i = 0; i < n; i++)
			for (int k = 0; k < 2; k++)
				fds[2 + 2 * i + k] = (struct pollfd){
					.fd = r->pairs[i].fds[k],
					.events = POLLIN
				};
		if (poll(fds, (nfds_t)(2 + 2 * n), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		for (int i = n - 1; i >= 0; i--) {
			bool ok = true;

			for (int k = 0; k < 2 && ok; k++)
				if (fds[2 + 2 * i + k].revents)
					ok = relay_copy(r->pairs[i].fds[k],
							r->pairs[i].fds[!k]);
			if (!ok)
				relay_drop(r, i);
		}
		if (fds[1].revents)
			relay_accept(r);
	}
	while (r->n_pairs)
		relay_drop(r, r->n_pairs - 1);
	return NULL;
}

struct relay *relay_start(const char *path, const char *ip, int port,
			  struct emu_err *err)
{
	struct relay *r = xcalloc(1, sizeof(*r));

	listener_init(&r->listener);
	r->to.sin_family = AF_INET;
	r->to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &r->to.sin_addr) != 1) {
		emu_err_set(err, -EINVAL, "invalid controller address '%s'", ip);
		free(r);
		return NULL;
	}
	if (listener_start(&r->listener, path, relay_main, r, err)) {
		free(r);
		return NULL;
	}
	return r;
}

void relay_stop(struct relay *r)
{
	if (!r)
		return;
	listener_release(&r->listener);
	free(r);
}
