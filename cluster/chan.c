#include "cluster/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

struct chan {
	int fd;
	unsigned char key[MAC_LEN];	/* the frames' key, from both nonces */
	bool dialer;			/* this side connected */
	uint64_t seq_out, seq_in;	/* frames sent, received */
	bool broken;			/* a frame failed: nothing more */
	char peer[INET6_ADDRSTRLEN + 8];
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

int chan_send(struct chan *c, json_t *msg, struct emu_err *err)
{
	unsigned char head[4 + MAC_LEN];
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
	len += MAC_LEN;
	head[0] = (unsigned char)(len >> 24);
	head[1] = (unsigned char)(len >> 16);
	head[2] = (unsigned char)(len >> 8);
	head[3] = (unsigned char)len;
	len -= MAC_LEN;
	frame_mac(c, c->dialer, c->seq_out, text, len, head + 4);
	rc = write_all(c->fd, head, sizeof(head));
	if (rc == 0)
		rc = write_all(c->fd, text, len);
	free(text);
	if (rc < 0) {
		c->broken = true;
		return emu_err_set(err, rc, "cannot send to %s: %s", c->peer,
				   strerror(-rc));
	}
	c->seq_out++;
	return 0;
}

int chan_recv(struct chan *c, json_t **msg, int timeout_ms,
	      struct emu_err *err)
{
	unsigned char head[4 + MAC_LEN], want[MAC_LEN];
	unsigned long long deadline;
	json_error_t jerr;
	char *text;
	size_t len;
	int rc;

	*msg = NULL;
	if (c->broken)
		return emu_err_set(err, -EPIPE, "%s: the channel is broken",
				   c->peer);
	if (timeout_ms >= 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int n;

		do
			n = poll(&pfd, 1, timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n == 0)
			return emu_err_set(err, -ETIMEDOUT,
					   "%s: nothing came within %d ms",
					   c->peer, timeout_ms);
	}
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
