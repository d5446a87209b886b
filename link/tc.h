/* Kernel queueing disciplines for link shaping, over rtnetlink (no 'tc'
 * child processes): HTB or TBF for the rate, netem for delay, jitter,
 * loss, duplication, corruption and reordering where the kernel has it.
 *
 * The layout on an interface is Mininet's, with its handles renamed:
 *   rate by HTB:  root 1: htb default 1, class 1:1 rate R ceil R,
 *                 leaf 10: netem (impairments) or 20: pfifo (queue limit)
 *   rate by TBF:  root 1: tbf rate R, leaf 10: netem (impairments)
 *   no rate:      root 10: netem, or nothing
 * Each shaping_apply*() call replaces what the previous one installed
 * (RTM_NEWQDISC/RTM_NEWTCLASS with NLM_F_REPLACE: a running link changes
 * in place).  The functions act on an interface inside the namespace
 * 'nsfd' (an open /run/netns/NAME or /proc/PID/ns/net; -1: the caller's);
 * each opens its own short-lived route socket there.
 *
 * The shaping_build_*() functions only build the requests, for tests. */
#ifndef LINK_TC_H
#define LINK_TC_H

#include <stdbool.h>
#include <stdint.h>

#include "link/shaping.h"

struct emu_err;
struct nl_msg;

/* The handles of the layout above. */
#define SHAPING_ROOT_HANDLE 0x00010000U		/* 1: */
#define SHAPING_CLASS_HANDLE 0x00010001U	/* 1:1 */
#define SHAPING_NETEM_HANDLE 0x00100000U	/* 10: */
#define SHAPING_FIFO_HANDLE 0x00200000U		/* 20: */

/* Makes the rate of 's' real on 'ifname': HTB (or TBF with use_tbf) at
 * the root, replacing whatever root qdisc was there; with max_queue_pkts
 * and HTB, a pfifo of that many packets under class 1:1 (TBF: a byte
 * limit of that many full frames).  No rate in 's' removes the root
 * qdisc.  Returns 0 or a negative errno with 'err' set. */
int shaping_apply_rate(int nsfd, const char *ifname, const struct shaping *s,
		       struct emu_err *err);

/* Installs (or changes) netem with the impairments of 's' under 'parent'
 * (TC_H_ROOT, or SHAPING_CLASS_HANDLE below a rate), handle 10:.  Where
 * the kernel has no sch_netem it fails with -ENOENT and "kernel has no
 * sch_netem". */
int shaping_apply_netem(int nsfd, const char *ifname, uint32_t parent,
			const struct shaping *s, struct emu_err *err);

/* The whole of 's' on 'ifname': rate as shaping_apply_rate(), and the
 * impairments by netem below it when 'netem' is true (else they are left
 * to the pump).  Returns 0 or a negative errno with 'err' set. */
int shaping_apply(int nsfd, const char *ifname, const struct shaping *s,
		  bool netem, struct emu_err *err);

/* Removes the root qdisc of 'ifname' (and so all shaping); no shaping is
 * not an error. */
int shaping_clear(int nsfd, const char *ifname, struct emu_err *err);

/* True when the running kernel can make netem qdiscs.  Decided once and
 * cached: /sys/module/sch_netem (a loaded module), then the kernel's
 * modules.builtin, then, as root, a real try on the loopback of a
 * throwaway namespace (which also loads an installed module). */
bool shaping_kernel_has_netem(void);

/* --- Building the requests (tests parse them back). --- */

/* The burst (bytes) used for 'rate_bps' on an interface of MTU 'mtu':
 * the larger of 10 ms worth of rate and two full frames, so that TCP
 * neither under-runs at high rates (timer granularity) nor overshoots
 * much at low ones. */
uint32_t shaping_burst_bytes(uint64_t rate_bps, unsigned int mtu);

/* TBF's byte limit for 's': max_queue_pkts full frames; by default the
 * larger of 1000 full frames (what HTB's pfifo and netem hold) and the
 * burst plus 100 ms worth of rate. */
uint32_t shaping_tbf_limit_bytes(const struct shaping *s, unsigned int mtu);

/* Converts microseconds to the kernel's packet scheduler ticks as tc does
 * (from /proc/net/psched). */
uint32_t shaping_us_to_ticks(double us);

/* Each fills the empty message 'msg' (from nlmsg_alloc()) with one
 * request for the interface 'ifindex'; returns 0 or -EMSGSIZE.  'flags'
 * are NLM_F_CREATE, NLM_F_REPLACE, NLM_F_EXCL as wanted (NLM_F_REQUEST is
 * always added, NLM_F_ACK when sent). */
int shaping_build_htb_qdisc(struct nl_msg *msg, int ifindex, int flags);
int shaping_build_htb_class(struct nl_msg *msg, int ifindex,
			    const struct shaping *s, unsigned int mtu,
			    int flags);
int shaping_build_tbf(struct nl_msg *msg, int ifindex,
		      const struct shaping *s, unsigned int mtu, int flags);
int shaping_build_pfifo(struct nl_msg *msg, int ifindex, uint32_t parent,
			uint32_t limit_pkts, int flags);
/* RTM_NEWQDISC (NLM_F_CREATE | NLM_F_REPLACE) of netem, handle 10:,
 * under 'parent', with what
 * 'tc qdisc add dev X parent P handle 10: netem delay D J loss L ...'
 * sends: struct tc_netem_qopt (latency and jitter in ticks, limit, loss,
 * gap, duplicate) then TCA_NETEM_CORR (when loss_corr is set),
 * TCA_NETEM_REORDER, TCA_NETEM_CORRUPT, all inside TCA_OPTIONS. */
int shaping_build_netem(struct nl_msg *msg, int ifindex, uint32_t parent,
			const struct shaping *s);
/* RTM_DELQDISC of the root qdisc. */
int shaping_build_del_root(struct nl_msg *msg, int ifindex);

#endif
