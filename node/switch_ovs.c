#include "node/switch_ovs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "link/nl.h"
#include "link/veth.h"
#include "node/node.h"
#include "node/ovs.h"
#include "topo/plan.h"

EMU_LOG_MODULE(ovs_switch);

struct ovs_sw {
	struct node node;
	uint64_t dpid;		/* as the Net derived it; never 0 */
	bool standalone;	/* no controller, fail_mode standalone */
	bool stp;
};

/* The run's OVSDB connection (its own OVS, started on first use); NULL
 * with 'err' set. */
static struct ovs_switch_db *ovs_sw_db(struct node_ctx *ctx,
				       struct emu_err *err)
{
	return ctx->ovs_db(ctx->owner, err);
}

#define OVS_SW_RXBUF (8 << 20)	/* bytes: about 0.3 s at 100 Mbit/s */

/* With the userspace datapath, grows ovs-vswitchd's receive buffers of
 * the ports of 'nodes' (or only 'intf' when not NULL): see
 * ovs_switch_grow_rx_buffers().  Failing only costs frames under load:
 * said once as a warning. */
static void ovs_sw_grow_buffers(struct ovs_switch_db *db, struct node **nodes,
				size_t n, const struct node_intf *intf)
{
	static bool warned;
	struct emu_err err = { 0 };
	struct nlsock *nl, *tmp;
	int *ifindexes;
	size_t k = 0;

	if (!n || !nodes[0]->ctx->ovs_userspace)
		return;
	for (size_t i = 0; i < n; i++)
		k += nodes[i]->n_intfs;
	ifindexes = xcalloc(k ? k : 1, sizeof(*ifindexes));
	k = 0;
	/* The ports are where ovs-vswitchd runs: the switches' namespace. */
	nl = tmp = nlsock_open(nodes[0]->nsfd, &err);
	for (size_t i = 0; nl && i < n; i++)
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			if (!intf || nodes[i]->intfs[j] == intf)
				ifindexes[k++] = nlsock_ifindex(
					nl, nodes[i]->intfs[j]->name);
	if ((!nl || ovs_switch_grow_rx_buffers(db, ifindexes, k, OVS_SW_RXBUF,
					       &err) < 0) &&
	    !warned) {
		warned = true;
		log_warn("%s: OVS ports may drop frames under load", err.msg);
	}
	nlsock_close(tmp);
	free(ifindexes);
}

/* Writes 'value' to the IPv4 setting 'key' of the interface 'ifname' of
 * the root namespace. */
static int ovs_sw_set_conf(const char *ifname, const char *key,
			   const char *value, struct emu_err *err)
{
	char path[128];
	FILE *f;

	errno = 0;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname,
		 key);
	f = fopen(path, "w");
	if (!f || fputs(value, f) < 0 || fclose(f)) {
		int ret = errno ? -errno : -EIO;

		return emu_err_set(err, ret, "cannot write %s: %s", path,
				   strerror(-ret));
	}
	return 0;
}

/* The userspace datapath leaves its ports in the machine's IP stack too
 * (the kernel datapath takes them out): a port must neither answer ARP
 * for the machine's addresses (a NAT's, say, which the hosts would then
 * reach through the port rather than through the NAT's interface) nor
 * forward what it receives. */
static int ovs_sw_fence_port(const struct node_intf *intf,
			     struct emu_err *err)
{
	int ret = ovs_sw_set_conf(intf->name, "arp_ignore", "8", err);

	if (!ret)
		ret = ovs_sw_set_conf(intf->name, "forwarding", "0", err);
	return ret;
}

/* The userspace datapath computes no checksums that a veth left to the
 * hardware: turn TX checksum offload off on both ends of 'intf' (and
 * fence the port off the machine's IP stack). */
static int ovs_sw_fix_offload(struct node_intf *intf, struct emu_err *err)
{
	struct node_intf *peer;
	int ret;

	if (!intf->node->ctx->ovs_userspace || !intf->link)
		return 0;
	if (intf->node->nsfd < 0) {
		ret = ovs_sw_fence_port(intf, err);
		if (ret)
			return ret;
	}
	peer = link_intf1(intf->link) == intf ? link_intf2(intf->link)
					      : link_intf1(intf->link);
	ret = nlsock_set_tx_csum(intf->node->nsfd, intf->name, false, err);
	if (!ret)
		ret = nlsock_set_tx_csum(peer->node->nsfd, peer->name, false,
					 err);
	return ret;
}

static void ovs_sw_fill_spec(struct ovs_sw *sw, struct ovs_switch_spec *spec,
			     struct ovs_switch_port *ports)
{
	const char *const *targets =
		sw->node.ctx->switch_targets(sw->node.ctx->owner,
					    &sw->node);

	memset(spec, 0, sizeof(*spec));
	spec->name = sw->node.name;
	spec->dpid = sw->dpid;
	spec->userspace = sw->node.ctx->ovs_userspace;
	spec->stp = sw->stp;
	if (sw->standalone || !targets) {
		spec->fail_mode = "standalone";
	} else {
		spec->fail_mode = "secure";
		spec->controllers = targets;
		spec->protocols = "OpenFlow10,OpenFlow13";
	}
	for (size_t i = 0; i < sw->node.n_intfs; i++) {
		ports[i].name = sw->node.intfs[i]->name;
		ports[i].ofport = sw->node.intfs[i]->port;
	}
	spec->ports = ports;
	spec->n_ports = sw->node.n_intfs;
}

/* The switches of a private OVS (node/vswitch.h) live in the switch
 * namespace of the run, where its ovs-vswitchd runs: their ports are made
 * there. */
static int ovs_sw_enter_ns(struct node **nodes, size_t n, struct emu_err *err)
{
	int fd = nodes[0]->ctx->ovs_nsfd(nodes[0]->ctx->owner);

	for (size_t i = 0; i < n && fd >= 0; i++) {
		if (nodes[i]->nsfd >= 0)
			continue;
		nodes[i]->nsfd = dup(fd);
		if (nodes[i]->nsfd < 0)
			return emu_err_set(err, -errno, "cannot dup: %s",
					   strerror(errno));
	}
	return 0;
}

/* Before the links are made: an earlier run's removal that ovs-vswitchd
 * is still applying to names of these switches or of their ports is waited
 * for (the stop does not wait for it). */
static int ovs_sw_prepare(struct node **nodes, size_t n, struct emu_err *err)
{
	struct ovs_switch_db *db;
	const char **names;
	size_t k = 0;
	int ret;

	if (!n)
		return 0;
	db = ovs_sw_db(nodes[0]->ctx, err);
	if (!db)
		return err ? err->code : -ECONNREFUSED;
	ret = ovs_sw_enter_ns(nodes, n, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		k += 1 + nodes[i]->n_intfs;
	names = xcalloc(k, sizeof(*names));
	k = 0;
	for (size_t i = 0; i < n; i++) {
		names[k++] = nodes[i]->name;
		for (size_t j = 0; j < nodes[i]->n_intfs; j++)
			names[k++] = nodes[i]->intfs[j]->name;
	}
	ret = ovs_switch_wait_removed(db, names, k, err);
	free(names);
	return ret;
}

static int ovs_sw_start(struct node **nodes, size_t n, struct emu_err *err)
{
	struct ovs_switch_spec *specs = xcalloc(n, sizeof(*specs));
	struct ovs_switch_port **ports = xcalloc(n, sizeof(*ports));
	struct ovs_switch_db *db;
	struct emu_err local;
	int ret = 0;

	err = emu_err_sink(err, &local);
	db = ovs_sw_db(nodes[0]->ctx, err);
	if (!db) {
		ret = emu_err_code(err, -ECONNREFUSED);
		goto out;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct ovs_sw *sw = container_of(nodes[i], struct ovs_sw, node);

		ports[i] = xcalloc(sw->node.n_intfs, sizeof(**ports));
		ovs_sw_fill_spec(sw, &specs[i], ports[i]);
		for (size_t j = 0; j < sw->node.n_intfs && !ret; j++)
			ret = ovs_sw_fix_offload(sw->node.intfs[j], err);
	}
	if (ret)
		goto out;
	/* Mark them first: a transaction that fails part way may still have
	 * made some bridges, and stop removes by tag. */
	for (size_t i = 0; i < n; i++)
		nodes[i]->running = true;
	ret = ovs_switch_add_bridges(db, specs, n, nodes[0]->ctx->run_tag,
				     err);
	if (!ret)
		ovs_sw_grow_buffers(db, nodes, n, NULL);
out:
	for (size_t i = 0; i < n; i++)
		free(ports[i]);
	free(ports);
	free(specs);
	return ret;
}

static int ovs_sw_attach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct ovs_switch_port port = { intf->name, intf->port };
	struct ovs_switch_db *db;
	struct emu_err local;
	int ret;

	err = emu_err_sink(err, &local);
	db = ovs_sw_db(node->ctx, err);
	if (!db)
		return emu_err_code(err, -ECONNREFUSED);
	ret = ovs_sw_fix_offload(intf, err);
	if (!ret)
		ret = ovs_switch_add_port(db, node->name, &port, err);
	if (!ret)
		ovs_sw_grow_buffers(db, &node, 1, intf);
	return ret;
}

static int ovs_sw_detach(struct node *node, struct node_intf *intf,
			 struct emu_err *err)
{
	struct ovs_switch_db *db;
	struct emu_err local;

	err = emu_err_sink(err, &local);
	db = ovs_sw_db(node->ctx, err);
	if (!db)
		return emu_err_code(err, -ECONNREFUSED);
	return ovs_switch_del_port(db, node->name, intf->name, err);
}

static void ovs_sw_stop(struct node **nodes, size_t n)
{
	const char **names = xcalloc(n, sizeof(*names));
	struct emu_err err = { 0 };
	struct ovs_switch_db *db;

	for (size_t i = 0; i < n; i++) {
		names[i] = nodes[i]->name;
		nodes[i]->running = false;
	}
	/* One transaction removes them all; only those of the run: a
	 * bridge of the same name that made start fail is someone else's.
	 * ovs-vswitchd applies it after we return (ovs_sw_prepare). */
	db = n ? ovs_sw_db(nodes[0]->ctx, &err) : NULL;
	if (n && (!db || ovs_switch_del_run_bridges(
				 db, nodes[0]->ctx->run_tag, names, n,
				 &err) < 0))
		log_warn("cannot remove OVS bridges: %s", err.msg);
	free(names);
}

/* Without ovs-vswitchd every OVS switch stops forwarding: said once for
 * all of them, and the run's OVS is started again.  The bridges stay in
 * its ovsdb, so the switch is not dead. */
static bool ovs_sw_check(struct node *node)
{
	node->ctx->ovs_check(node->ctx->owner);
	return true;
}

static void ovs_sw_free(struct node *node)
{
	free(container_of(node, struct ovs_sw, node));
}

static const struct node_ops ovs_sw_ops = {
	.kind = "ovs",
	.role = NODE_SWITCH,
	.start = ovs_sw_start,
	.attach = ovs_sw_attach,
	.detach = ovs_sw_detach,
	.check = ovs_sw_check,
	.prepare = ovs_sw_prepare,
	.stop = ovs_sw_stop,
	.free = ovs_sw_free,
};

struct node *ovs_switch_create(struct node_ctx *ctx, const char *name,
			       uint64_t dpid, bool standalone, bool stp)
{
	struct ovs_sw *sw = xcalloc(1, sizeof(*sw));

	node_init(&sw->node, &ovs_sw_ops, ctx, name, 1);
	sw->dpid = dpid;
	sw->standalone = standalone;
	sw->stp = stp;
	return &sw->node;
}
