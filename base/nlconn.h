/* The one netlink transport of cnemu (as iproute2's rtnl_talk): a socket
 * of one netlink protocol bound to one network namespace, which sends a
 * request at a time and reads its answers to the end: data messages to a
 * parser, then the ack, the error or the end of a dump.
 *
 * It carries requests built by anyone (libnl-3's nl_msg in link/nl.c and
 * link/tc.c, libmnl's buffers elsewhere): only the 'struct nlmsghdr' is
 * handed over.  The transport itself is libmnl: its socket, its walk over
 * a datagram's messages and its attribute parser for the kernel's
 * extended ack, which is asked for on every socket (NETLINK_EXT_ACK) and
 * kept short (NETLINK_CAP_ACK: errors do not echo the request).
 *
 * A 'struct nlconn' is the caller's (nlconn_close()); it serves one thread
 * at a time.  Errors: nlconn_talk() returns the kernel's negative errno
 * and keeps its text, which nlconn_fail() puts after the errno's:
 * "cannot add netem on 'h1-eth0': No such file or directory (Specified
 * qdisc kind is unknown)".  The text is read from the
 * kernel's answer in one place, nlconn_read_reply(), which is a pure
 * function over a buffer so tests feed it captured answers. */
#ifndef BASE_NLCONN_H
#define BASE_NLCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;
struct nlconn;
struct nlmsghdr;

/* Opens a socket of the netlink 'protocol' (NETLINK_ROUTE,
 * NETLINK_SOCK_DIAG, ...) inside the namespace 'nsfd' (-1: the caller's;
 * see base/netns.h), where it stays.  Returns NULL with 'err' set. */
struct nlconn *nlconn_open(int nsfd, int protocol, struct emu_err *err);
void nlconn_close(struct nlconn *c);	/* accepts NULL */

/* The socket's fd (for ioctls such as SIOCGSKNS); still the conn's. */
int nlconn_fd(const struct nlconn *c);

/* Sends 'req' (its flags get NLM_F_REQUEST and NLM_F_ACK, its sequence
 * number the conn's next) and reads its answers until its ack, error or
 * NLMSG_DONE, handing each data message to 'parse' (NULL: none expected).
 * 'parse' returns 0 to go on or a negative errno, which ends the request
 * and is returned.  Returns 0, the kernel's negative errno (its text then
 * in nlconn_ext_ack()), -EINTR when a dump changed under it (the kernel's
 * NLM_F_DUMP_INTR: read it again), or the errno of a failed send/recv. */
int nlconn_talk(struct nlconn *c, struct nlmsghdr *req,
		int (*parse)(const struct nlmsghdr *h, void *aux), void *aux);

/* The kernel's extended-ack text for the last request ("": none), without
 * its full stop. */
const char *nlconn_ext_ack(const struct nlconn *c);

/* Sets 'err' to "<fmt...>: <strerror(code)>" followed by " (<text>)" when
 * the kernel said something about the last request of 'c' (NULL: never),
 * and returns 'code'. */
int nlconn_fail(const struct nlconn *c, int code, struct emu_err *err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* What the answers to one request said so far. */
struct nlconn_reply {
	bool done;		/* its ack, error or NLMSG_DONE came */
	bool interrupted;	/* a dump message had NLM_F_DUMP_INTR */
	int error;		/* kernel's negative errno, 0: none */
	char ext[160];		/* kernel's extended-ack text, "": none */
};

/* Empties 'r' for a new request. */
void nlconn_reply_init(struct nlconn_reply *r);

/* Reads the 'len' bytes of netlink messages in 'buf' (one datagram) that
 * answer the request numbered 'seq': messages of other numbers (left over
 * from an earlier request) are skipped; data messages go to 'parse' (may
 * be NULL); NLMSG_ERROR and NLMSG_DONE end the request, with the errno
 * and the extended-ack text (NLMSGERR_ATTR_MSG) they carry.  Returns 0,
 * what 'parse' returned when negative, or -EBADMSG for a message too
 * short for what it claims to be. */
int nlconn_read_reply(struct nlconn_reply *r, const void *buf, size_t len,
		      uint32_t seq,
		      int (*parse)(const struct nlmsghdr *h, void *aux),
		      void *aux);

#endif
