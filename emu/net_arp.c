#include "emu/net_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/run.h"
#include "base/util.h"
#include "link/nl.h"
#include "link/veth.h"

EMU_LOG_MODULE(net);

/* The first interface of 'node' with an address, or NULL. */
static struct node_intf *net_first_addressed(const struct node *node)
{
	for (size_t i = 0; i < node->n_intfs; i++)
		if (node->intfs[i]->ip[0] && node->intfs[i]->link &&
		    link_is_made(node->intfs[i]->link))
			return node->intfs[i];
	return NULL;
}

/* The address and MAC of a host's first addressed interface. */
struct net_arp_entry {
	struct node_intf *intf;
	char ip[64], mac[18];
};

/* Mininet's --arp: every host gets a permanent ARP entry for every other
 * host's first address, so that no ARP crosses the network. */
int net_static_arp(struct net *net, struct emu_err *err)
{
	struct net_arp_entry *e = xcalloc(net->n_nodes, sizeof(*e));
	int ret = 0;

	for (size_t i = 0; i < net->n_nodes; i++) {
		struct node *h = net->nodes[i];

		e[i].intf = node_role(h) == NODE_HOST ? net_first_addressed(h)
						      : NULL;
		if (!e[i].intf ||
		    !net_intf_mac(e[i].intf, e[i].mac, sizeof(e[i].mac))) {
			e[i].intf = NULL;
			continue;
		}
		snprintf(e[i].ip, sizeof(e[i].ip), "%.*s",
			 (int)strcspn(e[i].intf->ip, "/"), e[i].intf->ip);
	}
	for (size_t i = 0; i < net->n_nodes && !ret; i++) {
		struct nlsock *nl;

		if (!e[i].intf || net->nodes[i]->nsfd < 0)
			continue;
		nl = nlsock_open(net->nodes[i]->nsfd, err);
		if (!nl) {
			ret = err ? err->code : -EIO;
			break;
		}
		for (size_t j = 0; j < net->n_nodes && !ret; j++)
			if (j != i && e[j].intf)
				ret = nlsock_add_neigh(nl, e[i].intf->name,
						       e[j].ip, e[j].mac, err);
		nlsock_close(nl);
	}
	free(e);
	return ret;
}

static const char *const net_neigh_files[2] = {
	"/proc/sys/net/ipv4/neigh/default/gc_thresh2",
	"/proc/sys/net/ipv4/neigh/default/gc_thresh3",
};

/* The kernel's ARP table is one for all namespaces, capped at gc_thresh3
 * entries (1024 by default): a pingall among N hosts needs about N*N.
 * Raise the caps for the run when they are too low; the machine's values
 * come back when the last run relying on them is gone (run_close()). */
void net_raise_neigh_limits(struct net *net)
{
	long hosts = (long)net_count_role(net, NODE_HOST);
	long want = 2 * hosts * hosts;

	if (want > 1L << 18)
		want = 1L << 18;
	for (int i = 0; i < 2; i++) {
		long before = run_raise_sysctl(net->run, net_neigh_files[i],
					       want);

		if (before > 0)
			log_info("*** Raised %s from %ld to %ld for %ld hosts",
				 strrchr(net_neigh_files[i], '/') + 1, before,
				 want, hosts);
	}
}
