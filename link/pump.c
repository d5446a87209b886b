#include "link/pump.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/util.h"
#include "link/pump_frame.h"
#include "link/pump_queue.h"

EMU_LOG_MODULE(pump);

#define VNET_LEN sizeof(struct virtio_net_hdr)
#define VLAN_LEN 4

/* ------------------------------------------------------------------ */
/* The pump: sockets and its thread                                    */

#define PUMP_BATCH 64			/* frames per recvmmsg/sendmmsg */
#define PUMP_RX_ROUNDS 4		/* batches read per wake-up */
#define PUMP_HEADROOM VLAN_LEN		/* to put a VLAN tag back */
#define PUMP_FRAME_MAX (65536 + 256)	/* a GSO super-frame and headers */
#define PUMP_SOCKBUF (16 << 20)		/* socket buffers, bytes */
#define PUMP_EV_WAKE UINT64_MAX		/* epoll data of the eventfd */
#define PUMP_LATE_MAX_US 2000		/* most a wake-up is assumed late */
#define PUMP_EARLY_MAX_US 500		/* most the thread wakes early and
					   polls: a core spins meanwhile */
#define PUMP_AGE_MAX_NS 1000000000LL	/* a receive time older than this
					   is not believed */

struct pump_end {
	int fd;				/* its AF_PACKET socket */
	char ifname[IFNAMSIZ];
};

struct pump_link {
	int id;
	struct pump_end ends[2];	/* a, b */
	struct pump_queue *queues[2];	/* [0]: a to b, [1]: b to a */
	struct pump_dir_stats io[2];	/* the reader's and sender's counts:
					   received (only those the queue
					   never saw), sent, errors */
	struct pump_rng rng;
	struct log_rl rl;		/* for per-frame warnings */
};

struct pump {
	pthread_mutex_t lock;		/* guards everything below */
	pthread_t thread;
	bool running;			/* the thread was started */
	bool stop;			/* asks the thread to end */
	int epfd;			/* all link sockets, the eventfd */
	int evfd;			/* wakes the thread on changes */
	uint64_t late_us;		/* how late timed wake-ups come, on
					   average, microseconds */
	uint64_t late_dev_us;		/* their mean deviation from it */
	struct pump_link **links;	/* by id; NULL: deleted */
	size_t n_links, cap_links;

	/* Used by the thread only. */
	struct mmsghdr rx_msgs[PUMP_BATCH];
	struct iovec rx_iovs[PUMP_BATCH];
	unsigned char *rx_bufs;		/* PUMP_BATCH buffers */
	char rx_cmsgs[PUMP_BATCH][CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
				  CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_ll rx_addrs[PUMP_BATCH];
	struct mmsghdr tx_msgs[PUMP_BATCH];
	struct iovec tx_iovs[PUMP_BATCH];
};

#define PUMP_RX_BUF (PUMP_HEADROOM + VNET_LEN + PUMP_FRAME_MAX)

static struct pump_link *pump_link_get(struct pump *p, int id)
{
	if (id < 0 || (size_t)id >= p->n_links)
		return NULL;
	return p->links[id];
}

/* Puts back the VLAN tag that the kernel took out of the frame at
 * '*data' of '*len' bytes into the packet's metadata 'mh' (veth offloads
 * it), growing the frame into the headroom. */
static void rx_restore_vlan(unsigned char **data, size_t *len,
			    const struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		const struct tpacket_auxdata *aux;

		if (c->cmsg_level != SOL_PACKET ||
		    c->cmsg_type != PACKET_AUXDATA)
			continue;
		aux = (const void *)CMSG_DATA(c);
		if (aux->tp_status & TP_STATUS_VLAN_VALID)
			pump_frame_insert_vlan(
				data, len,
				aux->tp_status & TP_STATUS_VLAN_TPID_VALID
					? aux->tp_vlan_tpid
					: 0,
				aux->tp_vlan_tci);
		return;
	}
}

/* When the frame of 'mh' reached its socket, on now_us()'s clock, 'now'
 * and 'real' (CLOCK_REALTIME) being the present: the kernel's receive
 * time, so that how late the thread woke up to read it is not added to
 * the link's delay; 'now' when the kernel gave none, or one that cannot
 * be (in the future, or older than PUMP_AGE_MAX_NS). */
static uint64_t rx_arrival(const struct msghdr *mh, uint64_t now,
			   const struct timespec *real)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		struct timespec ts;
		long long age;

		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		age = (long long)(real->tv_sec - ts.tv_sec) * 1000000000LL +
		      (real->tv_nsec - ts.tv_nsec);
		if (age < 0 || age > PUMP_AGE_MAX_NS ||
		    (uint64_t)(age / 1000) > now)
			return now;
		return now - (uint64_t)(age / 1000);
	}
	return now;
}

/* Reads what waits on end 'dir' of 'l' into the queue of that direction. */
static void pump_rx(struct pump *p, struct pump_link *l, int dir)
{
	struct pump_queue *q = l->queues[dir];
	int fd = l->ends[dir].fd;

	for (int round = 0; round < PUMP_RX_ROUNDS; round++) {
		struct timespec real;
		uint64_t now;
		int n;

		for (int i = 0; i < PUMP_BATCH; i++) {
			struct msghdr *mh = &p->rx_msgs[i].msg_hdr;

			p->rx_iovs[i].iov_base =
				p->rx_bufs + (size_t)i * PUMP_RX_BUF +
				PUMP_HEADROOM;
			p->rx_iovs[i].iov_len = VNET_LEN + PUMP_FRAME_MAX;
			memset(mh, 0, sizeof(*mh));
			mh->msg_iov = &p->rx_iovs[i];
			mh->msg_iovlen = 1;
			mh->msg_name = &p->rx_addrs[i];
			mh->msg_namelen = sizeof(p->rx_addrs[i]);
			mh->msg_control = p->rx_cmsgs[i];
			mh->msg_controllen = sizeof(p->rx_cmsgs[i]);
		}
		n = recvmmsg(fd, p->rx_msgs, PUMP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_warn_rl(&l->rl, "'%s': cannot read: %s",
					    l->ends[dir].ifname,
					    strerror(errno));
			return;
		}
		now = now_us();
		clock_gettime(CLOCK_REALTIME, &real);
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &p->rx_msgs[i].msg_hdr;
			unsigned char *data = p->rx_iovs[i].iov_base;
			size_t len = p->rx_msgs[i].msg_len;

			/* Our own sends, where PACKET_IGNORE_OUTGOING is
			 * missing. */
			if (p->rx_addrs[i].sll_pkttype == PACKET_OUTGOING)
				continue;
			if ((mh->msg_flags & MSG_TRUNC) || len < VNET_LEN) {
				l->io[dir].received++;
				l->io[dir].errors++;
				log_warn_rl(&l->rl,
					    "'%s': dropped a truncated frame",
					    l->ends[dir].ifname);
				continue;
			}
			rx_restore_vlan(&data, &len, mh);
			pump_queue_push(q, data, len, rx_arrival(mh, now, &real),
					&l->rng);
		}
		if (n < PUMP_BATCH)
			return;
	}
}

/* Sends the frames of direction 'dir' of 'l' due at 'now' out of its
 * egress end. */
static void pump_tx(struct pump *p, struct pump_link *l, int dir,
		    uint64_t now)
{
	struct pump_queue *q = l->queues[dir];
	struct pump_end *end = &l->ends[!dir];
	struct pump_dir_stats *io = &l->io[dir];
	struct pump_frame *frames[PUMP_BATCH];
	unsigned int n;

	while ((n = pump_queue_pop_due(q, now, frames, PUMP_BATCH)) > 0) {
		unsigned int done = 0;

		for (unsigned int i = 0; i < n; i++) {
			p->tx_iovs[i].iov_base = frames[i]->data;
			p->tx_iovs[i].iov_len = frames[i]->len;
			memset(&p->tx_msgs[i], 0, sizeof(p->tx_msgs[i]));
			p->tx_msgs[i].msg_hdr.msg_iov = &p->tx_iovs[i];
			p->tx_msgs[i].msg_hdr.msg_iovlen = 1;
		}
		while (done < n) {
			int r = sendmmsg(end->fd, p->tx_msgs + done, n - done,
					 MSG_DONTWAIT);

			if (r > 0) {
				done += (unsigned int)r;
				io->sent += (unsigned int)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			/* The frame at 'done' failed: count it, go on. */
			io->errors++;
			log_warn_rl(&l->rl, "'%s': cannot send a frame: %s",
				    end->ifname, strerror(errno));
			done++;
		}
		for (unsigned int i = 0; i < n; i++)
			pump_frame_destroy(frames[i]);
		if (n < PUMP_BATCH)
			break;
	}
}

/* The earliest due time of all queues, or UINT64_MAX. */
static uint64_t pump_next_due(struct pump *p)
{
	uint64_t next = UINT64_MAX;

	/* XXX: linear in the number of links; a heap would do for
	 * hundreds of impaired links. */
	for (size_t i = 0; i < p->n_links; i++) {
		struct pump_link *l = p->links[i];

		if (!l)
			continue;
		for (int d = 0; d < 2; d++) {
			uint64_t due = pump_queue_next_due(l->queues[d]);

			if (due < next)
				next = due;
		}
	}
	return next;
}

/* How long to sleep (microseconds) before the frame due at 'next', or 0
 * to poll without sleeping; UINT64_MAX: nothing is due. */
static uint64_t pump_sleep_for(struct pump *p, uint64_t next, uint64_t now)
{
	uint64_t wait, early;

	if (next == UINT64_MAX)
		return UINT64_MAX;
	wait = next > now ? next - now : 0;
	/* Timer wake-ups come late (100-300 us in virtual machines, more
	 * under load): wake earlier by their average and twice their
	 * deviation, so that most frames leave on time, and poll for the
	 * rest. */
	early = p->late_us + 2 * p->late_dev_us;
	if (early > PUMP_EARLY_MAX_US)
		early = PUMP_EARLY_MAX_US;
	return wait > early ? wait - early : 0;
}

/* Learns from a timed wake-up 'late' microseconds late, as TCP learns
 * a round trip: a moving average and a moving mean deviation. */
static void pump_learn_late(struct pump *p, uint64_t late)
{
	uint64_t dev = late > p->late_us ? late - p->late_us
					 : p->late_us - late;

	p->late_dev_us = (p->late_dev_us * 3 + dev) / 4;
	p->late_us = (p->late_us * 7 + late) / 8;
}

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	struct epoll_event evs[64];

	/* The default 50 us timer slack would show in every RTT. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		uint64_t now = now_us();
		uint64_t sleep = pump_sleep_for(p, pump_next_due(p), now);
		struct timespec ts, *tsp = NULL;
		int n;

		if (sleep != UINT64_MAX) {
			ts.tv_sec = (time_t)(sleep / 1000000);
			ts.tv_nsec = (long)(sleep % 1000000) * 1000;
			tsp = &ts;
		}
		pthread_mutex_unlock(&p->lock);
		n = epoll_pwait2(p->epfd, evs, (int)ARRAY_SIZE(evs), tsp, NULL);
		pthread_mutex_lock(&p->lock);
		if (n == 0 && sleep && sleep != UINT64_MAX) {
			/* A timed sleep ran out: learn how late it woke. */
			uint64_t woke = now_us(), late = woke - now - sleep;

			if (woke < now + sleep)
				late = 0;
			if (late > PUMP_LATE_MAX_US)
				late = PUMP_LATE_MAX_US;
			pump_learn_late(p, late);
		}
		for (int i = 0; i < n; i++) {
			uint64_t data = evs[i].data.u64;
			struct pump_link *l;

			if (data == PUMP_EV_WAKE) {
				uint64_t v;

				/* Only wakes us; nothing to do if it fails. */
				if (read(p->evfd, &v, sizeof(v)) < 0)
					v = 0;
				continue;
			}
			l = pump_link_get(p, (int)(data >> 1));
			if (l)
				pump_rx(p, l, (int)(data & 1));
		}
		now = now_us();
		for (size_t i = 0; i < p->n_links; i++) {
			struct pump_link *l = p->links[i];

			if (!l)
				continue;
			pump_tx(p, l, 0, now);
			pump_tx(p, l, 1, now);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void pump_wake(struct pump *p)
{
	uint64_t one = 1;

	if (write(p->evfd, &one, sizeof(one)) < 0)
		log_dbg("cannot wake the pump thread: %s", strerror(errno));
}

struct pump *pump_create(struct emu_err *err)
{
	struct pump *p = xcalloc(1, sizeof(*p));
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = PUMP_EV_WAKE };

	pthread_mutex_init(&p->lock, NULL);
	p->evfd = -1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		emu_err_set(err, -errno, "cannot create the pump: %s",
			    strerror(errno));
		goto fail;
	}
	p->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->evfd < 0) {
		emu_err_set(err, -errno, "cannot create the pump: %s",
			    strerror(errno));
		goto fail;
	}
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->evfd, &ev) < 0) {
		emu_err_set(err, -errno, "cannot create the pump: %s",
			    strerror(errno));
		goto fail;
	}
	p->rx_bufs = xmalloc((size_t)PUMP_BATCH * PUMP_RX_BUF);
	return p;

fail:
	if (p->evfd >= 0)
		close(p->evfd);
	if (p->epfd >= 0)
		close(p->epfd);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return NULL;
}

/* Starts the thread with every signal blocked (they belong to the main
 * thread). */
static int pump_start(struct pump *p, struct emu_err *err)
{
	sigset_t all, old;
	int ret;

	if (p->running)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&p->thread, NULL, pump_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return emu_err_set(err, -ret,
				   "cannot start the pump thread: %s",
				   strerror(ret));
	pthread_setname_np(p->thread, "cnemu-pump");
	p->running = true;
	return 0;
}

/* Sets 'ifname' up through the socket 'fd' of its namespace. */
static int pump_if_up(int fd, const char *ifname, struct emu_err *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return emu_err_set(err, -errno, "cannot find '%s': %s", ifname,
				   strerror(errno));
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return emu_err_set(err, -errno, "cannot set '%s' up: %s",
				   ifname, strerror(errno));
	return 0;
}

/* Turns IPv6 off on 'ifname' of the current namespace, so that the pump
 * namespace sends no router solicitations or DAD probes into the link. */
static void pump_if_no_ipv6(const char *ifname)
{
	char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6",
			       ifname);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			log_dbg("'%s': cannot turn IPv6 off: %s", ifname,
				strerror(errno));
		close(fd);
	}
	free(path);
}

static void pump_sockbuf(int fd, int force, int plain)
{
	int size = PUMP_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size));
}

/* Opens the AF_PACKET socket of 'ifname' in the current namespace. */
static int pump_open_end(const char *ifname, struct emu_err *err)
{
	/* Options the pump cannot do without, then nice-to-haves of newer
	 * kernels (outgoing frames are also skipped by their packet type;
	 * the qdisc bypass only saves time). */
	static const struct {
		int opt;
		const char *name;
		bool needed;
	} opts[] = {
		{ PACKET_VNET_HDR, "PACKET_VNET_HDR", true },
		{ PACKET_AUXDATA, "PACKET_AUXDATA", true },
		{ PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING", false },
		{ PACKET_QDISC_BYPASS, "PACKET_QDISC_BYPASS", false },
	};
	struct sockaddr_ll sll;
	int fd, one = 1, ret;
	unsigned int ifindex;

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return emu_err_set(err, -errno, "cannot find '%s': %s", ifname,
				   strerror(errno));
	/* Protocol 0 until bound: no frames of other interfaces queue up. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return emu_err_set(err, -errno,
				   "cannot open a packet socket: %s",
				   strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (!setsockopt(fd, SOL_PACKET, opts[i].opt, &one, sizeof(one)))
			continue;
		if (!opts[i].needed) {
			log_dbg("'%s': no %s: %s", ifname, opts[i].name,
				strerror(errno));
			continue;
		}
		ret = emu_err_set(err, -errno, "'%s': cannot set %s: %s",
				  ifname, opts[i].name, strerror(errno));
		goto fail;
	}
	/* The frames' receive times (rx_arrival()); without them a frame
	 * waits its delay from when the thread read it. */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		log_dbg("'%s': no SO_TIMESTAMPNS: %s", ifname,
			strerror(errno));
	pump_sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	pump_sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		ret = emu_err_set(err, -errno,
				  "cannot bind a packet socket to '%s': %s",
				  ifname, strerror(errno));
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return ret;
}

/* Opens both ends of 'l' inside the namespace 'nsfd' (-1: the caller's),
 * setting them up on the way. */
static int pump_open_ends(struct pump_link *l, int nsfd, struct emu_err *err)
{
	int oldns, ctl = -1, ret;

	ret = netns_enter(nsfd, &oldns, err);
	if (ret < 0)
		return ret;
	ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0) {
		ret = emu_err_set(err, -errno, "cannot open a socket: %s",
				  strerror(errno));
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		pump_if_no_ipv6(l->ends[i].ifname);
		ret = pump_if_up(ctl, l->ends[i].ifname, err);
		if (ret)
			goto out;
		ret = pump_open_end(l->ends[i].ifname, err);
		if (ret < 0)
			goto out;
		l->ends[i].fd = ret;
		ret = 0;
	}
out:
	if (ctl >= 0)
		close(ctl);
	netns_leave(oldns);
	return ret;
}

static void pump_link_free(struct pump_link *l)
{
	for (int i = 0; i < 2; i++) {
		if (l->ends[i].fd >= 0)
			close(l->ends[i].fd);
		pump_queue_destroy(l->queues[i]);
	}
	free(l);
}

int pump_add_link(struct pump *p, int nsfd, const char *ifname_a,
		  const char *ifname_b, const struct shaping *a_to_b,
		  const struct shaping *b_to_a, struct emu_err *err)
{
	struct pump_link *l;
	const char *names[2] = { ifname_a, ifname_b };
	uint64_t seed;
	int ret;

	for (int i = 0; i < 2; i++) {
		if (!names[i] || !*names[i] || strlen(names[i]) >= IFNAMSIZ)
			return emu_err_set(err, -EINVAL,
					   "invalid pump interface name '%s'",
					   names[i] ? names[i] : "");
	}
	l = xcalloc(1, sizeof(*l));
	for (int i = 0; i < 2; i++) {
		l->ends[i].fd = -1;
		snprintf(l->ends[i].ifname, IFNAMSIZ, "%s", names[i]);
	}
	l->queues[0] = pump_queue_create(a_to_b, true);
	l->queues[1] = pump_queue_create(b_to_a, true);
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = now_us() ^ (uint64_t)(uintptr_t)l;
	pump_rng_seed(&l->rng, seed);

	ret = pump_open_ends(l, nsfd, err);
	if (ret)
		goto fail;

	pthread_mutex_lock(&p->lock);
	ret = pump_start(p, err);
	if (ret) {
		pthread_mutex_unlock(&p->lock);
		goto fail;
	}
	l->id = (int)p->n_links;
	xgrow((void **)&p->links, &p->cap_links, p->n_links + 1,
	      sizeof(*p->links));
	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = {
			.events = EPOLLIN,
			.data.u64 = (uint64_t)l->id << 1 | (uint64_t)i,
		};

		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, l->ends[i].fd, &ev) <
		    0) {
			ret = emu_err_set(err, -errno,
					  "cannot watch '%s': %s",
					  l->ends[i].ifname, strerror(errno));
			pthread_mutex_unlock(&p->lock);
			goto fail;	/* closing the fds unwatches them */
		}
	}
	p->links[p->n_links++] = l;
	pthread_mutex_unlock(&p->lock);
	pump_wake(p);
	log_dbg("link %d: '%s' <-> '%s'", l->id, ifname_a, ifname_b);
	return l->id;

fail:
	emu_err_prefix(err, "pump '%s' <-> '%s': ", ifname_a, ifname_b);
	pump_link_free(l);
	return ret;
}

int pump_set_shaping(struct pump *p, int id, const struct shaping *a_to_b,
		     const struct shaping *b_to_a, struct emu_err *err)
{
	struct pump_link *l;

	pthread_mutex_lock(&p->lock);
	l = pump_link_get(p, id);
	if (!l) {
		pthread_mutex_unlock(&p->lock);
		return emu_err_set(err, -ENOENT, "no pump link %d", id);
	}
	if (a_to_b)
		pump_queue_set_shaping(l->queues[0], a_to_b);
	if (b_to_a)
		pump_queue_set_shaping(l->queues[1], b_to_a);
	pthread_mutex_unlock(&p->lock);
	pump_wake(p);
	return 0;
}

/* The counters of direction 'dir' of 'l': the queue's and the I/O's. */
static void link_dir_stats(const struct pump_link *l, int dir,
			   struct pump_dir_stats *out)
{
	*out = *pump_queue_stats(l->queues[dir]);
	out->received += l->io[dir].received;
	out->sent = l->io[dir].sent;
	out->errors = l->io[dir].errors;
}

int pump_stats(struct pump *p, int id, struct pump_stats *out)
{
	struct pump_link *l;

	pthread_mutex_lock(&p->lock);
	l = pump_link_get(p, id);
	if (l) {
		link_dir_stats(l, 0, &out->a_to_b);
		link_dir_stats(l, 1, &out->b_to_a);
	}
	pthread_mutex_unlock(&p->lock);
	return l ? 0 : -ENOENT;
}

void pump_del_link(struct pump *p, int id)
{
	struct pump_link *l;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	l = pump_link_get(p, id);
	if (l) {
		p->links[id] = NULL;
		for (int i = 0; i < 2; i++)
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, l->ends[i].fd, NULL);
		pump_link_free(l);
	}
	pthread_mutex_unlock(&p->lock);
	if (l)
		log_dbg("link %d deleted", id);
}

void pump_destroy(struct pump *p)
{
	if (!p)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_mutex_unlock(&p->lock);
		pump_wake(p);
		pthread_join(p->thread, NULL);
	}
	for (size_t i = 0; i < p->n_links; i++)
		if (p->links[i])
			pump_link_free(p->links[i]);
	free(p->links);
	close(p->evfd);
	close(p->epfd);
	free(p->rx_bufs);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
