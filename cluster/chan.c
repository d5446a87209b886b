#include "cluster/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/util.h"

#define MAC_LEN 32		/* HMAC-SHA256 */
#define NONCE_LEN 32
#define MAGIC "CNEMU-CHAN-1"	/* the connecting side's first bytes */
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define BEAT_TEXT "{\"op\":\"beat\"}"

struct chan {
	int fd;
	unsigned char key[MAC_LEN];	/* the frames' key, from both nonces */
	bool dialer;			/* this side connected */
	uint64_t seq_out, seq_in;	/* frames sent, received */
	bool broken;			/* a frame failed: nothing more */
	char peer[INET6_ADDRSTRLEN + 8];
	pthread_mutex_t send_lock;	/* 'seq_out', 'sent_us' and the
					   socket's writes */
	/* The heartbeat (chan_start_beat()). */
	bool beating;
	pthread_t beat;
	pthread_cond_t wake;		/* chan_close() ends the beat */
	bool beat_stop;			/* under 'send_lock' */
	int beat_ms, silent_ms;
	unsigned long long sent_us;	/* a frame last went out, us */
	_Atomic unsigned long long heard_us;	/* the peer's bytes last
						   came, us */
	_Atomic uint64_t rx_bytes;	/* read from the socket, bytes */
	uint64_t seen_bytes;		/* read + queued at the beat's last
					   look, bytes */
};

/* HMAC-SHA256 under 'key' of the concatenation of 'n' buffers. */
static void mac_of(const void *key, size_t klen, const void *const bufs[],
		   const size_t lens[], size_t n, unsigned char out[MAC_LEN])
{
	unsigned char *cat;
	size_t total = 0, off = 0;
	unsigned int olen = MAC_LEN;

	for (size_t i = 0; i < n; i++)
		total += lens[i];
	cat = xmalloc(total ? total : 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(cat + off, bufs[i], lens[i]);
		off += lens[i];
	}
	HMAC(EVP_sha256(), key, (int)klen, cat, total, out, &olen);
	free(cat);
}

/* The proof of the side named 'who' ("agent" or "dialer") over both
 * nonces: each side signs a different string, so that a proof cannot be
 * sent back to the side that made it. */
static void proof_of(const void *key, size_t klen, const char *who,
		     const unsigned char *nonce_d, const unsigned char *nonce_a,
		     unsigned char out[MAC_LEN])
{
	const void *bufs[] = { who, nonce_d, nonce_a };
	const size_t lens[] = { strlen(who), NONCE_LEN, NONCE_LEN };

	mac_of(key, klen, bufs, lens, 3, out);
}

/* Writes all of 'buf' or fails. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* SO_SNDTIMEO of a beating channel: the peer took
			 * nothing for its silence's time */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads exactly 'len' bytes before 'deadline_us' (0: no limit).
 * -ECONNRESET when the peer closed, -ETIMEDOUT. */
static int read_full(int fd, void *buf, size_t len,
		     unsigned long long deadline_us)
{
	char *p = buf;

	while (len) {
		ssize_t r;

		if (deadline_us) {
			unsigned long long now = now_us();
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int n;

			if (now >= deadline_us)
				return -ETIMEDOUT;
			n = poll(&pfd, 1, (int)((deadline_us - now + 999) / 1000));
			if (n < 0 && errno != EINTR)
				return -errno;
			if (n <= 0)
				continue;
		}
		r = recv(fd, p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECONNRESET ? -ECONNRESET : -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static void peer_name(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			port = ntohs(s4->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			port = ntohs(s6->sin6_port);
		}
	}
	snprintf(buf, size, "%s:%d", host, port);
}

static struct chan *chan_new(int fd, bool dialer, const void *key,
			     size_t klen, const unsigned char *nonce_d,
			     const unsigned char *nonce_a)
{
	struct chan *c = xcalloc(1, sizeof(*c));
	int one = 1;

	c->fd = fd;
	c->dialer = dialer;
	pthread_mutex_init(&c->send_lock, NULL);
	proof_of(key, klen, "frames", nonce_d, nonce_a, c->key);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_name(fd, c->peer, sizeof(c->peer));
	return c;
}

/* The dialer's half of the handshake on the connected 'fd'. */
static int handshake_dial(int fd, const void *key, size_t klen,
			  struct chan **out, struct emu_err *err)
{
	unsigned long long deadline = now_us() + CHAN_HANDSHAKE_MS * 1000ull;
	unsigned char hello[MAGIC_LEN + NONCE_LEN];
	unsigned char nonce_a[NONCE_LEN], proof[MAC_LEN], want[MAC_LEN];
	unsigned char *nonce_d = hello + MAGIC_LEN;
	unsigned char answer[NONCE_LEN + MAC_LEN];
	int rc;

	memcpy(hello, MAGIC, MAGIC_LEN);
	if (RAND_bytes(nonce_d, NONCE_LEN) != 1)
		return emu_err_set(err, -EIO, "cannot draw a random nonce");
	rc = write_all(fd, hello, sizeof(hello));
	if (rc == 0)
		rc = read_full(fd, answer, sizeof(answer), deadline);
	if (rc == -ECONNRESET)
		return emu_err_set(err, -EACCES,
				   "the agent closed the connection during "
				   "the handshake (not the run's key?)");
	if (rc < 0)
		return emu_err_set(err, rc, "handshake: %s", strerror(-rc));
	memcpy(nonce_a, answer, NONCE_LEN);
	proof_of(key, klen, "agent", nonce_d, nonce_a, want);
	if (CRYPTO_memcmp(want, answer + NONCE_LEN, MAC_LEN) != 0)
		return emu_err_set(err, -EACCES,
				   "the agent does not hold the run's key");
	proof_of(key, klen, "dialer", nonce_d, nonce_a, proof);
	rc = write_all(fd, proof, sizeof(proof));
	if (rc < 0)
		return emu_err_set(err, rc, "handshake: %s", strerror(-rc));
	*out = chan_new(fd, true, key, klen, nonce_d, nonce_a);
	return 0;
}

/* The accepting side's half on the accepted 'fd'. */
static int handshake_accept(int fd, const void *key, size_t klen,
			    struct chan **out, struct emu_err *err)
{
	unsigned long long deadline = now_us() + CHAN_HANDSHAKE_MS * 1000ull;
	unsigned char hello[MAGIC_LEN + NONCE_LEN];
	unsigned char answer[NONCE_LEN + MAC_LEN];
	unsigned char *nonce_d = hello + MAGIC_LEN, *nonce_a = answer;
	unsigned char proof[MAC_LEN], want[MAC_LEN];
	int rc;

	rc = read_full(fd, hello, sizeof(hello), deadline);
	if (rc < 0)
		return emu_err_set(err, rc, "handshake: %s", strerror(-rc));
	if (memcmp(hello, MAGIC, MAGIC_LEN) != 0)
		return emu_err_set(err, -EPROTO,
				   "handshake: not a cnemu channel");
	if (RAND_bytes(nonce_a, NONCE_LEN) != 1)
		return emu_err_set(err, -EIO, "cannot draw a random nonce");
	proof_of(key, klen, "agent", nonce_d, nonce_a, answer + NONCE_LEN);
	rc = write_all(fd, answer, sizeof(answer));
	if (rc == 0)
		rc = read_full(fd, proof, sizeof(proof), deadline);
	if (rc == -ECONNRESET)
		return emu_err_set(err, -EACCES,
				   "the peer closed the connection during the "
				   "handshake (not the run's key?)");
	if (rc < 0)
		return emu_err_set(err, rc, "handshake: %s", strerror(-rc));
	proof_of(key, klen, "dialer", nonce_d, nonce_a, want);
	if (CRYPTO_memcmp(want, proof, MAC_LEN) != 0)
		return emu_err_set(err, -EACCES,
				   "the peer does not hold the run's key");
	*out = chan_new(fd, false, key, klen, nonce_d, nonce_a);
	return 0;
}

int chan_connect(const char *addr, int port, const void *key, size_t klen,
		 struct chan **out, struct emu_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char service[16];
	int fd = -1, rc, e = ECONNREFUSED;

	*out = NULL;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(addr, service, &hints, &res);
	if (rc)
		return emu_err_set(err, -EHOSTUNREACH, "cannot resolve '%s': %s",
				   addr, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return emu_err_set(err, -e, "cannot connect to %s:%d: %s", addr,
				   port, strerror(e));
	rc = handshake_dial(fd, key, klen, out, err);
	if (rc < 0) {
		close(fd);
		emu_err_prefix(err, "%s:%d: ", addr, port);
	}
	return rc;
}

int chan_listen(const char *addr, int port, int *bound, struct emu_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST };
	struct addrinfo *res;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char service[16];
	int fd, one = 1, rc;

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(addr, service, &hints, &res);
	if (rc)
		return emu_err_set(err, -EINVAL, "bad listen address '%s': %s",
				   addr, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		rc = -errno;
		goto fail;
	}
	freeaddrinfo(res);
	if (bound) {
		getsockname(fd, (struct sockaddr *)&ss, &sl);
		*bound = ntohs(ss.ss_family == AF_INET6
				       ? ((struct sockaddr_in6 *)&ss)->sin6_port
				       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	return fd;
fail:
	freeaddrinfo(res);
	if (fd >= 0)
		close(fd);
	return emu_err_set(err, rc, "cannot listen on %s:%d: %s", addr, port,
			   strerror(-rc));
}

int chan_accept(int listen_fd, const void *key, size_t klen,
		struct chan **out, struct emu_err *err)
{
	char peer[INET6_ADDRSTRLEN + 8];
	int fd, rc;

	*out = NULL;
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return emu_err_set(err, -errno, "cannot accept: %s",
				   strerror(errno));
	rc = handshake_accept(fd, key, klen, out, err);
	if (rc < 0) {
		peer_name(fd, peer, sizeof(peer));
		emu_err_prefix(err, "%s: ", peer);
		close(fd);
	}
	return rc;
}

/* The MAC of a frame: direction (who sent it), sequence number, text. */
static void frame_mac(const struct chan *c, bool from_dialer, uint64_t seq,
		      const char *text, size_t len, unsigned char out[MAC_LEN])
{
	unsigned char head[9];
	const void *bufs[] = { head, text };
	const size_t lens[] = { sizeof(head), len };

	head[0] = from_dialer ? 'D' : 'A';
	for (int i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)(seq >> (56 - 8 * i));
	mac_of(c->key, sizeof(c->key), bufs, lens, 2, out);
}

/* Sends the frame 'text' ('len' bytes, at most CHAN_MAX_FRAME), with
 * 'send_lock' held. */
static int chan_write_frame(struct chan *c, const char *text, size_t len)
{
	unsigned char head[4 + MAC_LEN];
	size_t wire = len + MAC_LEN;
	int rc;

	head[0] = (unsigned char)(wire >> 24);
	head[1] = (unsigned char)(wire >> 16);
	head[2] = (unsigned char)(wire >> 8);
	head[3] = (unsigned char)wire;
	frame_mac(c, c->dialer, c->seq_out, text, len, head + 4);
	rc = write_all(c->fd, head, sizeof(head));
	if (rc == 0)
		rc = write_all(c->fd, text, len);
	if (rc == 0) {
		c->seq_out++;
		c->sent_us = now_us();
	}
	return rc;
}

int chan_send(struct chan *c, json_t *msg, struct emu_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (c->broken)
		return emu_err_set(err, -EPIPE, "%s: the channel is broken",
				   c->peer);
	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return emu_err_set(err, -EINVAL, "cannot encode a frame");
	len = strlen(text);
	if (len > CHAN_MAX_FRAME) {
		free(text);
		return emu_err_set(err, -EMSGSIZE,
				   "frame of %zu bytes is over %u", len,
				   CHAN_MAX_FRAME);
	}
	pthread_mutex_lock(&c->send_lock);
	rc = chan_write_frame(c, text, len);
	pthread_mutex_unlock(&c->send_lock);
	free(text);
	if (rc < 0) {
		c->broken = true;
		return emu_err_set(err, rc, "cannot send to %s: %s", c->peer,
				   strerror(-rc));
	}
	return 0;
}

/* Waits until a frame begins on 'c', at most until 'until_us' (0: no
 * limit), or on a beating channel until its peer is silent.  Returns 0,
 * -ETIMEDOUT or -EHOSTDOWN. */
static int chan_wait(struct chan *c, unsigned long long until_us)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		unsigned long long now = now_us();
		int slice = c->beating ? c->beat_ms : -1, n;

		if (until_us) {
			int left = now >= until_us
					   ? 0
					   : (int)((until_us - now + 999) / 1000);

			if (slice < 0 || left < slice)
				slice = left;
		}
		n = poll(&pfd, 1, slice);
		if (n > 0 || (n < 0 && errno != EINTR))
			return 0;	/* a failed poll: the read says why */
		if (chan_is_silent(c))
			return -EHOSTDOWN;
		if (until_us && now_us() >= until_us)
			return -ETIMEDOUT;
	}
}

/* Reads the frame that begins on 'c' into '*msg'. */
static int chan_read_frame(struct chan *c, json_t **msg, struct emu_err *err)
{
	unsigned char head[4 + MAC_LEN], want[MAC_LEN];
	unsigned long long deadline;
	json_error_t jerr;
	char *text;
	size_t len;
	int rc;

	/* Once a frame has begun, the rest of it must follow soon. */
	deadline = now_us() + CHAN_HANDSHAKE_MS * 1000ull;
	rc = read_full(c->fd, head, 4, deadline);
	if (rc < 0)
		goto fail;
	len = (size_t)head[0] << 24 | (size_t)head[1] << 16 |
	      (size_t)head[2] << 8 | head[3];
	if (len < MAC_LEN || len - MAC_LEN > CHAN_MAX_FRAME) {
		c->broken = true;
		return emu_err_set(err, -EBADMSG, "%s: frame of bad length %zu",
				   c->peer, len);
	}
	rc = read_full(c->fd, head + 4, MAC_LEN, deadline);
	if (rc < 0)
		goto fail;
	len -= MAC_LEN;
	text = xmalloc(len + 1);
	rc = read_full(c->fd, text, len, deadline + len / 10);
	if (rc < 0) {
		free(text);
		goto fail;
	}
	atomic_fetch_add(&c->rx_bytes, sizeof(head) + len);
	c->heard_us = now_us();
	text[len] = '\0';
	frame_mac(c, !c->dialer, c->seq_in, text, len, want);
	if (CRYPTO_memcmp(want, head + 4, MAC_LEN) != 0) {
		free(text);
		c->broken = true;
		return emu_err_set(err, -EBADMSG,
				   "%s: frame %llu fails its authentication "
				   "(changed, replayed or out of order)",
				   c->peer, (unsigned long long)c->seq_in);
	}
	c->seq_in++;
	*msg = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!*msg || !json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		c->broken = true;
		return emu_err_set(err, -EBADMSG, "%s: frame is not a JSON "
				   "object", c->peer);
	}
	return 0;
fail:
	c->broken = true;
	if (rc == -ECONNRESET)
		return emu_err_set(err, rc, "%s closed the connection",
				   c->peer);
	return emu_err_set(err, rc, "cannot receive from %s: %s", c->peer,
			   strerror(-rc));
}

static bool chan_is_beat(const json_t *msg)
{
	const char *op = json_string_value(json_object_get(msg, "op"));

	return op && !strcmp(op, "beat");
}

int chan_recv(struct chan *c, json_t **msg, int timeout_ms,
	      struct emu_err *err)
{
	unsigned long long until = 0;
	int rc;

	*msg = NULL;
	if (c->broken)
		return emu_err_set(err, -EPIPE, "%s: the channel is broken",
				   c->peer);
	if (timeout_ms >= 0)	/* 0 stays a limit: now */
		until = now_us() + (unsigned long long)timeout_ms * 1000 + 1;
	for (;;) {
		rc = chan_wait(c, until);
		if (rc == -ETIMEDOUT)
			return emu_err_set(err, rc,
					   "%s: nothing came within %d ms",
					   c->peer, timeout_ms);
		if (rc == -EHOSTDOWN) {
			c->broken = true;
			return emu_err_set(err, rc,
					   "%s has been silent for %d s",
					   c->peer, c->silent_ms / 1000);
		}
		rc = chan_read_frame(c, msg, err);
		if (rc || !chan_is_beat(*msg))
			return rc;
		json_decref(*msg);
		*msg = NULL;
	}
}

/* Notes when the peer's bytes last came: read by chan_recv() or queued
 * in the socket (a peer heard while this side is busy elsewhere). */
static void chan_note_heard(struct chan *c)
{
	int queued = 0;
	uint64_t total;

	if (ioctl(c->fd, FIONREAD, &queued) < 0)
		return;
	total = atomic_load(&c->rx_bytes) + (uint64_t)queued;
	if (total != c->seen_bytes) {
		c->seen_bytes = total;
		c->heard_us = now_us();
	}
}

/* The beat's thread: looks four times a beat, sends a beat when nothing
 * went out for a beat's time; ends at chan_close() or when a send
 * fails. */
static void *chan_beat_main(void *arg)
{
	struct chan *c = arg;
	long tick_ns = (long)c->beat_ms * 1000000L / 4;

	pthread_mutex_lock(&c->send_lock);
	while (!c->beat_stop) {
		struct timespec ts;

		chan_note_heard(c);
		if (now_us() - c->sent_us >= c->beat_ms * 1000ull &&
		    chan_write_frame(c, BEAT_TEXT, strlen(BEAT_TEXT)) < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (ts.tv_nsec + tick_ns) / 1000000000L;
		ts.tv_nsec = (ts.tv_nsec + tick_ns) % 1000000000L;
		pthread_cond_timedwait(&c->wake, &c->send_lock, &ts);
	}
	pthread_mutex_unlock(&c->send_lock);
	return NULL;
}

int chan_start_beat(struct chan *c, int beat_ms, int silent_ms,
		    struct emu_err *err)
{
	struct timeval tv = { .tv_sec = silent_ms / 1000,
			      .tv_usec = silent_ms % 1000 * 1000 };
	pthread_condattr_t ca;
	int rc;

	if (c->beating)
		return 0;
	if (beat_ms <= 0 || silent_ms <= beat_ms)
		return emu_err_set(err, -EINVAL, "bad heartbeat %d ms, silence "
				   "%d ms", beat_ms, silent_ms);
	c->beat_ms = beat_ms;
	c->silent_ms = silent_ms;
	c->heard_us = now_us();
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&c->beat, NULL, chan_beat_main, c);
	if (rc) {
		pthread_cond_destroy(&c->wake);
		return emu_err_set(err, -rc, "cannot start the heartbeat of "
				   "%s: %s", c->peer, strerror(rc));
	}
	c->beating = true;
	return 0;
}

bool chan_is_silent(const struct chan *c)
{
	return c->beating &&
	       now_us() - c->heard_us > c->silent_ms * 1000ull;
}

int chan_fd(const struct chan *c)
{
	return c->fd;
}

const char *chan_peer(const struct chan *c)
{
	return c->peer;
}

void chan_close(struct chan *c)
{
	if (!c)
		return;
	if (c->beating) {
		shutdown(c->fd, SHUT_RDWR);	/* a beat blocked in send() */
		pthread_mutex_lock(&c->send_lock);
		c->beat_stop = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->send_lock);
		pthread_join(c->beat, NULL);
		pthread_cond_destroy(&c->wake);
	}
	pthread_mutex_destroy(&c->send_lock);
	close(c->fd);
	OPENSSL_cleanse(c->key, sizeof(c->key));
	free(c);
}

void chan_put_bytes(json_t *msg, const char *key, const void *buf,
		    size_t len)
{
	char *text = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)text, buf, (int)len);
	json_object_set_new(msg, key, json_string(text));
	free(text);
}

int chan_get_bytes(const json_t *msg, const char *key, unsigned char **buf,
		   size_t *len)
{
	const char *text = json_string_value(json_object_get(msg, key));
	size_t tlen;
	int n;

	*buf = NULL;
	*len = 0;
	if (!text)
		return -EBADMSG;
	tlen = strlen(text);
	if (tlen % 4)
		return -EBADMSG;
	*buf = xmalloc(tlen / 4 * 3 + 1);
	n = tlen ? EVP_DecodeBlock(*buf, (const unsigned char *)text,
				   (int)tlen)
		 : 0;
	if (n < 0) {
		free(*buf);
		*buf = NULL;
		return -EBADMSG;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (tlen && text[tlen - 1] == '=')
		n--;
	if (tlen > 1 && text[tlen - 2] == '=')
		n--;
	*len = (size_t)n;
	return 0;
}

int chan_read_key(const char *path, unsigned char key[CHAN_KEY_LEN],
		  struct emu_err *err)
{
	unsigned char buf[CHAN_KEY_LEN + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return emu_err_set(err, -errno, "cannot read key file '%s': %s",
				   path, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return emu_err_set(err, -errno, "cannot read key file '%s': %s",
				   path, strerror(errno));
	if (n != CHAN_KEY_LEN) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return emu_err_set(err, -EINVAL,
				   "key file '%s' does not hold exactly %d "
				   "bytes", path, CHAN_KEY_LEN);
	}
	memcpy(key, buf, CHAN_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
