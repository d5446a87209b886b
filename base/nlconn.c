#include "base/nlconn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nlconn {
	struct mnl_socket *sk;
	uint32_t seq;			/* of the last request */
	struct nlconn_reply reply;	/* to the last request */
};

/* ---- reading answers -------------------------------------------------- */

void nlconn_reply_init(struct nlconn_reply *r)
{
	memset(r, 0, sizeof(*r));
}

static int keep_ext_attr(const struct nlattr *a, void *data)
{
	struct nlconn_reply *r = data;
	const char *text = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);

	if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG)
		return MNL_CB_OK;
	n = strnlen(text, n);
	if (n >= sizeof(r->ext))
		n = sizeof(r->ext) - 1;
	memcpy(r->ext, text, n);
	/* The kernel's sentences end with a full stop; ours go on. */
	while (n && (r->ext[n - 1] == '.' || r->ext[n - 1] == '\n'))
		n--;
	r->ext[n] = '\0';
	return MNL_CB_OK;
}

/* Keeps the NLMSGERR_ATTR_MSG of 'h' (an NLMSG_ERROR or NLMSG_DONE),
 * whose TLVs start 'off' bytes into its payload. */
static void keep_ext(struct nlconn_reply *r, const struct nlmsghdr *h,
		     size_t off)
{
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_ALIGN(off) >= mnl_nlmsg_get_payload_len(h))
		return;
	mnl_attr_parse(h, (unsigned int)off, keep_ext_attr, r);
}

static int read_error(struct nlconn_reply *r, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(h) < sizeof(*e))
		return -EBADMSG;
	r->done = true;
	r->error = e->error > 0 ? -e->error : e->error;
	/* Unless capped, the request comes back before the TLVs. */
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	keep_ext(r, h, off);
	return 0;
}

/* The end of a dump: may carry the dump's errno and its text. */
static void read_done(struct nlconn_reply *r, const struct nlmsghdr *h)
{
	int error;

	r->done = true;
	if (mnl_nlmsg_get_payload_len(h) < sizeof(error))
		return;
	memcpy(&error, mnl_nlmsg_get_payload(h), sizeof(error));
	if (error < 0) {
		r->error = error;
		keep_ext(r, h, sizeof(error));
	}
}

int nlconn_read_reply(struct nlconn_reply *r, const void *buf, size_t len,
		      uint32_t seq,
		      int (*parse)(const struct nlmsghdr *h, void *aux),
		      void *aux)
{
	const struct nlmsghdr *h = buf;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;
	int ret;

	for (; !r->done && mnl_nlmsg_ok(h, left);
	     h = mnl_nlmsg_next(h, &left)) {
		if (h->nlmsg_seq != seq)
			continue;	/* an earlier request's */
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			r->interrupted = true;
		switch (h->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		case NLMSG_ERROR:
			ret = read_error(r, h);
			if (ret < 0)
				return ret;
			break;
		case NLMSG_DONE:
			read_done(r, h);
			break;
		default:
			if (parse && (ret = parse(h, aux)) < 0)
				return ret;
		}
	}
	/* A message cut short in the datagram. */
	if (!r->done && left >= (int)sizeof(struct nlmsghdr) &&
	    !mnl_nlmsg_ok(h, left))
		return -EBADMSG;
	return 0;
}

/* ---- the socket ------------------------------------------------------- */

struct nlconn *nlconn_open(int nsfd, int protocol, struct emu_err *err)
{
	struct nlconn *c;
	int fd, one = 1;

	fd = netns_socket(nsfd, AF_NETLINK, SOCK_RAW, protocol, err);
	if (fd < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->sk = mnl_socket_fdopen(fd);
	if (!c->sk) {
		emu_err_set(err, -errno, "cannot open netlink socket: %s",
			    strerror(errno));
		close(fd);
		free(c);
		return NULL;
	}
	if (mnl_socket_bind(c->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		emu_err_set(err, -errno, "cannot bind netlink socket: %s",
			    strerror(errno));
		nlconn_close(c);
		return NULL;
	}
	/* Errors carry the kernel's text, and not the request back. */
	mnl_socket_setsockopt(c->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(c->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	return c;
}

void nlconn_close(struct nlconn *c)
{
	if (!c)
		return;
	mnl_socket_close(c->sk);
	free(c);
}

int nlconn_fd(const struct nlconn *c)
{
	return mnl_socket_get_fd(c->sk);
}

int nlconn_talk(struct nlconn *c, struct nlmsghdr *req,
		int (*parse)(const struct nlmsghdr *h, void *aux), void *aux)
{
	/* As libmnl advises: a dump's datagrams are sized to fit it. */
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	nlconn_reply_init(&c->reply);
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++c->seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(c->sk, req, req->nlmsg_len) < 0)
		return -errno;
	while (!c->reply.done) {
		n = mnl_socket_recvfrom(c->sk, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = nlconn_read_reply(&c->reply, buf, (size_t)n, c->seq,
					parse, aux);
		if (ret < 0)
			return ret;
	}
	if (c->reply.error)
		return c->reply.error;
	return c->reply.interrupted ? -EINTR : 0;
}

const char *nlconn_ext_ack(const struct nlconn *c)
{
	return c->reply.ext;
}

int nlconn_fail(const struct nlconn *c, int code, struct emu_err *err,
		const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c && c->reply.ext[0])
		return emu_err_set(err, code, "%s: %s (%s)", what,
				   strerror(-code), c->reply.ext);
	return emu_err_set(err, code, "%s: %s", what, strerror(-code));
}
