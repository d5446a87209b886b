#include "link/tc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/nlconn.h"
#include "base/util.h"

EMU_LOG_MODULE(tc);

#define ETH_OVERHEAD 18		/* Ethernet header and a VLAN tag */

/* ---- units ------------------------------------------------------------ */

/* tc's tc_core_init(): microseconds to scheduler ticks. */
static double tick_in_usec(void)
{
	static double tick;
	unsigned int t2us, us2t, clock_res;
	FILE *f;

	if (tick > 0)
		return tick;
	tick = 1000.0 / 64;	/* every kernel since 2.6.32 */
	f = fopen("/proc/net/psched", "re");
	if (!f)
		return tick;
	if (fscanf(f, "%08x%08x%08x", &t2us, &us2t, &clock_res) == 3 && us2t) {
		/* tc's compatibility hack for nanosecond clocks. */
		if (clock_res == 1000000000)
			t2us = us2t;
		tick = (double)t2us / us2t * ((double)clock_res / 1000000);
	}
	fclose(f);
	return tick;
}

uint32_t shaping_us_to_ticks(double us)
{
	double t = (double)(unsigned int)us * tick_in_usec();

	return t >= UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* tc_calc_xmittime(): ticks to send 'bytes' at 'rate' bytes/s. */
static uint32_t xmit_ticks(uint64_t rate_Bps, uint32_t bytes)
{
	return shaping_us_to_ticks(1e6 * ((double)bytes / (double)rate_Bps));
}

static uint32_t clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t shaping_burst_bytes(uint64_t rate_bps, unsigned int mtu)
{
	uint64_t frame = (mtu ? mtu : 1500) + ETH_OVERHEAD;
	uint64_t burst = rate_bps / 8 / 100;	/* 10 ms */

	if (burst < 2 * frame)
		burst = 2 * frame;
	return clamp_u32(burst);
}

uint32_t shaping_tbf_limit_bytes(const struct shaping *s, unsigned int mtu)
{
	uint64_t frame = (mtu ? mtu : 1500) + ETH_OVERHEAD;
	uint64_t limit, queue;

	if (s->max_queue_pkts)
		return clamp_u32((uint64_t)s->max_queue_pkts * frame);
	/* As many full frames as HTB's pfifo and netem hold by default: a
	 * short queue makes TCP lose throughput at low rates; at high rates
	 * at least 100 ms of rate. */
	limit = SHAPING_QUEUE_DEFAULT_PKTS * frame;
	queue = shaping_burst_bytes(s->rate_bps, mtu) + s->rate_bps / 8 / 10;
	if (limit < queue)
		limit = queue;
	return clamp_u32(limit);
}

static void fill_ratespec(struct tc_ratespec *r, uint64_t rate_Bps)
{
	memset(r, 0, sizeof(*r));
	/* As tc_calc_rtable() for its default mtu of 2047: the kernel
	 * only reads rate, overhead, mpu and linklayer, and with a known
	 * linklayer it wants no rate table. */
	r->cell_log = 3;
	r->cell_align = -1;
	r->linklayer = TC_LINKLAYER_ETHERNET;
	r->rate = rate_Bps >= UINT32_MAX ? UINT32_MAX : (uint32_t)rate_Bps;
}

/* ---- building requests ------------------------------------------------ */

static struct tcmsg *put_tcmsg(struct nl_msg *msg, int type, int flags,
			       int ifindex, uint32_t parent, uint32_t handle)
{
	struct nlmsghdr *h;
	struct tcmsg *t;

	h = nlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, type, sizeof(*t),
		      NLM_F_REQUEST | flags);
	if (!h)
		return NULL;
	t = nlmsg_data(h);
	memset(t, 0, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	t->tcm_handle = handle;
	return t;
}

/* Opens TCA_OPTIONS as tc's addattr_nest() does (no NLA_F_NESTED). */
static struct nlattr *options_start(struct nl_msg *msg)
{
	struct nlattr *start = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));

	if (nla_put(msg, TCA_OPTIONS, 0, NULL) < 0)
		return NULL;
	return start;
}

static void options_end(struct nl_msg *msg, struct nlattr *start)
{
	start->nla_len = (char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)start;
}

int shaping_build_htb_qdisc(struct nl_msg *msg, int ifindex, int flags)
{
	struct tc_htb_glob glob = {
		.version = 3,		/* TC_HTB_PROTOVER */
		.rate2quantum = 10,
		.defcls = SHAPING_CLASS_HANDLE & 0xffff,
	};
	struct nlattr *opts;

	if (!put_tcmsg(msg, RTM_NEWQDISC, flags, ifindex, TC_H_ROOT,
		       SHAPING_ROOT_HANDLE) ||
	    nla_put_string(msg, TCA_KIND, "htb") < 0 ||
	    !(opts = options_start(msg)) ||
	    nla_put(msg, TCA_HTB_INIT, sizeof(glob), &glob) < 0)
		return -EMSGSIZE;
	options_end(msg, opts);
	return 0;
}

int shaping_build_htb_class(struct nl_msg *msg, int ifindex,
			    const struct shaping *s, unsigned int mtu,
			    int flags)
{
	uint64_t rate = s->rate_bps / 8;
	uint32_t burst = shaping_burst_bytes(s->rate_bps, mtu);
	struct tc_htb_opt opt;
	struct nlattr *opts;
	uint64_t quantum = rate / 10;

	if (!rate)
		return -EINVAL;
	memset(&opt, 0, sizeof(opt));
	fill_ratespec(&opt.rate, rate);
	fill_ratespec(&opt.ceil, rate);
	opt.buffer = xmit_ticks(rate, burst);
	opt.cbuffer = opt.buffer;
	/* One class: the quantum only matters for the kernel's warning
	 * about it; keep it in the range HTB likes. */
	if (quantum < 1000)
		quantum = 1000;
	if (quantum > 200000)
		quantum = 200000;
	opt.quantum = (uint32_t)quantum;
	if (!put_tcmsg(msg, RTM_NEWTCLASS, flags, ifindex, SHAPING_ROOT_HANDLE,
		       SHAPING_CLASS_HANDLE) ||
	    nla_put_string(msg, TCA_KIND, "htb") < 0 ||
	    !(opts = options_start(msg)) ||
	    nla_put(msg, TCA_HTB_PARMS, sizeof(opt), &opt) < 0)
		return -EMSGSIZE;
	if (rate >= UINT32_MAX &&
	    (nla_put_u64(msg, TCA_HTB_RATE64, rate) < 0 ||
	     nla_put_u64(msg, TCA_HTB_CEIL64, rate) < 0))
		return -EMSGSIZE;
	options_end(msg, opts);
	return 0;
}

int shaping_build_tbf(struct nl_msg *msg, int ifindex,
		      const struct shaping *s, unsigned int mtu, int flags)
{
	uint64_t rate = s->rate_bps / 8;
	uint32_t burst = shaping_burst_bytes(s->rate_bps, mtu);
	struct tc_tbf_qopt opt;
	struct nlattr *opts;

	if (!rate)
		return -EINVAL;
	memset(&opt, 0, sizeof(opt));
	fill_ratespec(&opt.rate, rate);
	opt.limit = shaping_tbf_limit_bytes(s, mtu);
	opt.buffer = xmit_ticks(rate, burst);
	if (!put_tcmsg(msg, RTM_NEWQDISC, flags, ifindex, TC_H_ROOT,
		       SHAPING_ROOT_HANDLE) ||
	    nla_put_string(msg, TCA_KIND, "tbf") < 0 ||
	    !(opts = options_start(msg)) ||
	    nla_put(msg, TCA_TBF_PARMS, sizeof(opt), &opt) < 0 ||
	    nla_put_u32(msg, TCA_TBF_BURST, burst) < 0)
		return -EMSGSIZE;
	if (rate >= UINT32_MAX && nla_put_u64(msg, TCA_TBF_RATE64, rate) < 0)
		return -EMSGSIZE;
	options_end(msg, opts);
	return 0;
}

int shaping_build_pfifo(struct nl_msg *msg, int ifindex, uint32_t parent,
			uint32_t limit_pkts, int flags)
{
	struct tc_fifo_qopt opt = { .limit = limit_pkts };

	if (!put_tcmsg(msg, RTM_NEWQDISC, flags, ifindex, parent,
		       SHAPING_FIFO_HANDLE) ||
	    nla_put_string(msg, TCA_KIND, "pfifo") < 0 ||
	    nla_put(msg, TCA_OPTIONS, sizeof(opt), &opt) < 0)
		return -EMSGSIZE;
	return 0;
}

int shaping_build_netem(struct nl_msg *msg, int ifindex, uint32_t parent,
			const struct shaping *s)
{
	struct tc_netem_qopt opt;
	struct nlattr *opts;

	memset(&opt, 0, sizeof(opt));
	opt.latency = shaping_us_to_ticks(s->delay_us);
	opt.jitter = shaping_us_to_ticks(s->jitter_us);
	opt.limit = s->max_queue_pkts ? s->max_queue_pkts
				      : SHAPING_QUEUE_DEFAULT_PKTS;
	opt.loss = shaping_pct_to_prob(s->loss_pct);
	opt.duplicate = shaping_pct_to_prob(s->duplicate_pct);
	if (s->reorder_pct > 0)
		opt.gap = s->reorder_gap ? s->reorder_gap : 1;

	if (!put_tcmsg(msg, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		       ifindex, parent, SHAPING_NETEM_HANDLE) ||
	    nla_put_string(msg, TCA_KIND, "netem") < 0)
		return -EMSGSIZE;
	/* netem's TCA_OPTIONS is the struct followed by attributes. */
	opts = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	if (nla_put(msg, TCA_OPTIONS, sizeof(opt), &opt) < 0)
		return -EMSGSIZE;
	if (s->loss_corr_pct > 0) {
		struct tc_netem_corr corr = {
			.loss_corr = shaping_pct_to_prob(s->loss_corr_pct),
		};

		if (nla_put(msg, TCA_NETEM_CORR, sizeof(corr), &corr) < 0)
			return -EMSGSIZE;
	}
	if (s->reorder_pct > 0) {
		struct tc_netem_reorder r = {
			.probability = shaping_pct_to_prob(s->reorder_pct),
		};

		if (nla_put(msg, TCA_NETEM_REORDER, sizeof(r), &r) < 0)
			return -EMSGSIZE;
	}
	if (s->corrupt_pct > 0) {
		struct tc_netem_corrupt c = {
			.probability = shaping_pct_to_prob(s->corrupt_pct),
		};

		if (nla_put(msg, TCA_NETEM_CORRUPT, sizeof(c), &c) < 0)
			return -EMSGSIZE;
	}
	options_end(msg, opts);
	return 0;
}

/* RTM_DELQDISC of the qdisc 'handle' (0: whatever is there) at 'parent'. */
static int build_del(struct nl_msg *msg, int ifindex, uint32_t parent,
		     uint32_t handle)
{
	return put_tcmsg(msg, RTM_DELQDISC, 0, ifindex, parent, handle)
		       ? 0
		       : -EMSGSIZE;
}

int shaping_build_del_root(struct nl_msg *msg, int ifindex)
{
	return build_del(msg, ifindex, TC_H_ROOT, 0);
}

/* ---- talking to the kernel -------------------------------------------- */

/* A route socket in the namespace of one interface. */
struct tcconn {
	struct nlconn *nl;
	int ifindex;
	unsigned int mtu;
	const char *ifname;
};

/* Opens the socket in the namespace 'nsfd' (-1: the caller's) and finds
 * 'ifname' and its MTU there. */
static int conn_open(struct tcconn *c, int nsfd, const char *ifname,
		     struct emu_err *err)
{
	struct emu_err local;
	int ret = 0, ctl;
	struct ifreq ifr;

	err = emu_err_sink(err, &local);
	memset(c, 0, sizeof(*c));
	c->ifname = ifname;
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		return emu_err_set(err, -EINVAL, "invalid interface name '%s'",
				   ifname ? ifname : "");
	/* A socket answers ioctls in the namespace it was made in. */
	ctl = netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0, err);
	if (ctl < 0)
		return ctl;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(ctl, SIOCGIFINDEX, &ifr) < 0 || ifr.ifr_ifindex <= 0) {
		ret = emu_err_set(err, -ENODEV, "cannot find '%s': %s", ifname,
				  strerror(ENODEV));
		goto out;
	}
	c->ifindex = ifr.ifr_ifindex;
	c->mtu = 1500;
	if (ioctl(ctl, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		c->mtu = (unsigned int)ifr.ifr_mtu;
	c->nl = nlconn_open(nsfd, NETLINK_ROUTE, err);
	if (!c->nl)
		ret = emu_err_code(err, -EIO);
out:
	close(ctl);
	return ret;
}

static void conn_close(struct tcconn *c)
{
	nlconn_close(c->nl);
	c->nl = NULL;
}

/* Sends 'msg' (freed here) and waits for its ack.  Returns 0 or the
 * kernel's negative errno, its text then in nlconn_ext_ack(). */
static int conn_talk(struct tcconn *c, struct nl_msg *msg)
{
	int ret = nlconn_talk(c->nl, nlmsg_hdr(msg), NULL, NULL);

	nlmsg_free(msg);
	return ret;
}

/* Sets 'err' to "cannot <what> on '<ifname>': <strerror>[ (<kernel>)]". */
static int conn_fail(const struct tcconn *c, int code, const char *what,
		     struct emu_err *err)
{
	return nlconn_fail(c->nl, code, err, "cannot %s on '%s'", what,
			   c->ifname);
}

static struct nl_msg *msg_new(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		abort();	/* out of memory, as xmalloc */
	return msg;
}

/* Deletes the qdisc 'handle' at 'parent'; a missing one is not an
 * error. */
static int conn_del(struct tcconn *c, uint32_t parent, uint32_t handle,
		    struct emu_err *err)
{
	struct nl_msg *msg = msg_new();
	int ret;

	build_del(msg, c->ifindex, parent, handle);
	ret = conn_talk(c, msg);
	if (ret == -ENOENT || ret == -EINVAL)
		return 0;
	if (ret)
		return conn_fail(c, ret, "remove qdisc", err);
	return 0;
}

static int rate_htb(struct tcconn *c, const struct shaping *s, bool leaf,
		    struct emu_err *err)
{
	struct nl_msg *msg;
	bool created = false;
	int ret;

	for (int attempt = 0; attempt < 2; attempt++) {
		msg = msg_new();
		shaping_build_htb_qdisc(msg, c->ifindex,
					NLM_F_CREATE | NLM_F_EXCL);
		ret = conn_talk(c, msg);
		if (ret && ret != -EEXIST)
			return conn_fail(c, ret, "add htb", err);
		created = !ret;
		/* Changes the class in place when our HTB is there. */
		msg = msg_new();
		shaping_build_htb_class(msg, c->ifindex, s, c->mtu,
					NLM_F_CREATE | NLM_F_REPLACE);
		ret = conn_talk(c, msg);
		if (!ret)
			break;
		if (created || attempt)
			return conn_fail(c, ret, "set htb rate", err);
		/* Another root qdisc is in the way: replace it. */
		ret = conn_del(c, TC_H_ROOT, 0, err);
		if (ret)
			return ret;
	}
	if (!leaf)
		return 0;
	if (!s->max_queue_pkts)
		return conn_del(c, SHAPING_CLASS_HANDLE, SHAPING_FIFO_HANDLE,
				err);
	msg = msg_new();
	shaping_build_pfifo(msg, c->ifindex, SHAPING_CLASS_HANDLE,
			    s->max_queue_pkts, NLM_F_CREATE | NLM_F_REPLACE);
	ret = conn_talk(c, msg);
	if (ret)
		return conn_fail(c, ret, "set queue limit", err);
	return 0;
}

static int rate_tbf(struct tcconn *c, const struct shaping *s, bool leaf,
		    struct emu_err *err)
{
	int ret = 0;

	(void)leaf;	/* TBF's own byte limit holds the queue */
	for (int attempt = 0; attempt < 2; attempt++) {
		struct nl_msg *msg = msg_new();

		shaping_build_tbf(msg, c->ifindex, s, c->mtu,
				  NLM_F_CREATE | NLM_F_REPLACE);
		ret = conn_talk(c, msg);
		if (!ret)
			return 0;
		if (attempt || ret != -EINVAL)
			break;
		/* Root 1: is of another kind (HTB): replace it. */
		ret = conn_del(c, TC_H_ROOT, 0, err);
		if (ret)
			return ret;
	}
	return conn_fail(c, ret, "set tbf rate", err);
}

/* The qdiscs that make a rate, one row each.  'leaf' says whether the
 * queue limit is theirs to set (it is netem's when netem is below). */
static const struct rate_qdisc {
	const char *kind;
	int (*apply)(struct tcconn *c, const struct shaping *s, bool leaf,
		     struct emu_err *err);
} rate_qdiscs[] = {
	{ "htb", rate_htb },
	{ "tbf", rate_tbf },
};

static int apply_rate(struct tcconn *c, const struct shaping *s, bool leaf,
		      struct emu_err *err)
{
	/* Mininet's choice: TBF when asked for, else HTB. */
	const char *kind = s->use_tbf ? "tbf" : "htb";

	if (!shaping_has_rate(s))
		/* Only our own rate qdisc goes; a netem root stays. */
		return conn_del(c, TC_H_ROOT, SHAPING_ROOT_HANDLE, err);
	for (size_t i = 0; i < ARRAY_SIZE(rate_qdiscs); i++)
		if (!strcmp(rate_qdiscs[i].kind, kind))
			return rate_qdiscs[i].apply(c, s, leaf, err);
	return emu_err_set(err, -EINVAL, "no rate qdisc '%s'", kind);
}

static int apply_netem(struct tcconn *c, uint32_t parent,
		       const struct shaping *s, struct emu_err *err)
{
	struct nl_msg *msg = msg_new();
	int ret;

	shaping_build_netem(msg, c->ifindex, parent, s);
	ret = conn_talk(c, msg);
	if (ret == -ENOENT && (strstr(nlconn_ext_ack(c->nl), "kind is unknown") ||
			       !shaping_kernel_has_netem()))
		return emu_err_set(err, -ENOENT,
				   "cannot add netem on '%s': kernel has no sch_netem",
				   c->ifname);
	if (ret)
		return conn_fail(c, ret, "add netem", err);
	return 0;
}

int shaping_apply_rate(int nsfd, const char *ifname, const struct shaping *s,
		       struct emu_err *err)
{
	struct tcconn c;
	int ret = conn_open(&c, nsfd, ifname, err);

	if (!ret)
		ret = apply_rate(&c, s, true, err);
	conn_close(&c);
	return ret;
}

int shaping_apply_netem(int nsfd, const char *ifname, uint32_t parent,
			const struct shaping *s, struct emu_err *err)
{
	struct tcconn c;
	int ret = conn_open(&c, nsfd, ifname, err);

	if (!ret)
		ret = apply_netem(&c, parent, s, err);
	conn_close(&c);
	return ret;
}

int shaping_apply(int nsfd, const char *ifname, const struct shaping *s,
		  bool netem, struct emu_err *err)
{
	bool impaired = netem && shaping_has_impairment(s);
	uint32_t parent = shaping_has_rate(s) ? SHAPING_CLASS_HANDLE
					      : TC_H_ROOT;
	struct tcconn c;
	int ret = conn_open(&c, nsfd, ifname, err);

	if (ret)
		goto out;
	ret = apply_rate(&c, s, !impaired, err);
	if (ret)
		goto out;
	if (impaired)
		ret = apply_netem(&c, parent, s, err);
	else if (netem)
		/* Impairments were taken away: so goes their netem. */
		ret = conn_del(&c, parent, SHAPING_NETEM_HANDLE, err);
out:
	conn_close(&c);
	return ret;
}

int shaping_clear(int nsfd, const char *ifname, struct emu_err *err)
{
	struct tcconn c;
	int ret = conn_open(&c, nsfd, ifname, err);

	if (!ret)
		ret = conn_del(&c, TC_H_ROOT, 0, err);
	conn_close(&c);
	return ret;
}

/* ---- probing for netem ------------------------------------------------ */

/* In a thread of its own, so that the namespace it makes is only its own
 * and goes away with it: tries netem on that namespace's loopback. */
static void *netem_probe(void *arg)
{
	struct shaping s;
	struct tcconn c;
	struct nl_msg *msg;
	bool *has = arg;

	*has = false;
	if (unshare(CLONE_NEWNET) < 0)
		return NULL;
	if (conn_open(&c, -1, "lo", NULL))
		return NULL;
	shaping_init(&s);
	s.delay_us = 1000;
	msg = msg_new();
	shaping_build_netem(msg, c.ifindex, TC_H_ROOT, &s);
	*has = conn_talk(&c, msg) == 0;
	conn_close(&c);
	return NULL;
}

static bool builtin_has_netem(void)
{
	struct utsname u;
	char line[256], *path;
	bool found = false;
	FILE *f;

	if (uname(&u) < 0)
		return false;
	path = xasprintf("/lib/modules/%s/modules.builtin", u.release);
	f = fopen(path, "re");
	free(path);
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/sch_netem.ko") != NULL;
	fclose(f);
	return found;
}

static bool netem_known, netem_has;
static pthread_mutex_t netem_lock = PTHREAD_MUTEX_INITIALIZER;

bool shaping_kernel_has_netem(void)
{
	pthread_t t;
	bool has = false;

	pthread_mutex_lock(&netem_lock);
	if (netem_known)
		goto out;
	if (access("/sys/module/sch_netem", F_OK) == 0 || builtin_has_netem())
		has = true;
	else if (geteuid() == 0 && !pthread_create(&t, NULL, netem_probe, &has))
		pthread_join(t, NULL);
	netem_has = has;
	netem_known = true;
	log_dbg("kernel %s sch_netem", has ? "has" : "has no");
out:
	has = netem_has;
	pthread_mutex_unlock(&netem_lock);
	return has;
}
