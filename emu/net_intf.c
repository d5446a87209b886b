#include "emu/net_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"
#include "link/nl.h"
#include "link/veth.h"

/* Mininet's defaultRoute: "via GW", "dev IFNAME" or a bare gateway (an
 * interface of the node's name means "dev").  Replaces one there. */
static int net_add_default_route(struct nlsock *nl, struct node *node,
				 struct emu_err *err)
{
	const char *r = node->default_route;
	int ret;

	if (node_find_intf(node, r))
		ret = nlsock_replace_route(nl, "default", NULL, r, err);
	else if (str_starts_with(r, "dev "))
		ret = nlsock_replace_route(nl, "default", NULL, r + 4, err);
	else
		ret = nlsock_replace_route(nl, "default",
					   str_starts_with(r, "via ") ? r + 4
								       : r,
					   NULL, err);
	node->routed = !ret;
	return ret;
}

int net_set_default_route(struct net *net, struct node *node,
			  const char *route, struct emu_err *err)
{
	struct nlsock *nl;
	int ret;

	free(node->default_route);
	node->default_route = xstrdup(route);
	node->routed = false;
	if (!net->started || !node->running || node->nsfd < 0)
		return 0;	/* at start, once its interfaces are up */
	nl = nlsock_open(node->nsfd, err);
	if (!nl)
		return err ? err->code : -EIO;
	ret = net_add_default_route(nl, node, err);
	nlsock_close(nl);
	if (ret)
		emu_err_prefix(err, "'%s': ", node->name);
	return ret;
}

int net_config_node(struct net *net, struct node *node,
			   struct emu_err *err)
{
	struct nlsock *nl = net->root_nl;
	int ret = 0;

	if (node->nsfd >= 0) {
		nl = nlsock_open(node->nsfd, err);
		if (!nl)
			return err ? err->code : -EIO;
	}
	bool configured = false;

	for (size_t i = 0; i < node->n_intfs && !ret; i++) {
		struct node_intf *intf = node->intfs[i];

		if (!intf->link || !link_is_made(intf->link))
			continue;
		ret = link_config_intf(nl, intf, err);
		configured = true;
	}
	if (!ret && configured && node->default_route && !node->routed)
		ret = net_add_default_route(nl, node, err);
	if (nl != net->root_nl)
		nlsock_close(nl);
	if (ret)
		emu_err_prefix(err, "'%s': ", node->name);
	return ret;
}

/* The interface 'name' of 'node' (NULL: its first one, or NULL when it
 * has none yet); -ENOENT with 'err' set when it has no such one. */
static int net_node_intf(struct node *node, const char *name,
			 struct node_intf **intf, struct emu_err *err)
{
	*intf = name ? node_find_intf(node, name)
		     : node->n_intfs ? node->intfs[0] : NULL;
	if (name && !*intf)
		return emu_err_set(err, -ENOENT, "'%s' has no interface '%s'",
				   node->name, name);
	return 0;
}

/* Opens a route socket in the namespace of 'node' (the root socket for
 * switch ports in the root namespace: not to be closed). */
static struct nlsock *net_node_nl(struct net *net, struct node *node,
				  struct emu_err *err)
{
	return node->nsfd >= 0 ? nlsock_open(node->nsfd, err) : net->root_nl;
}

int net_set_ip(struct net *net, struct node *node, const char *intf_name,
	       const char *ip, struct emu_err *err)
{
	struct node_intf *intf;
	struct nlsock *nl;
	uint32_t addr;
	char *cidr;
	int ret;

	if (net_node_intf(node, intf_name, &intf, err) ||
	    plan_parse_host_ip(ip, net->ipbase.prefix, &addr, err))
		return err ? err->code : -EINVAL;
	cidr = strchr(ip, '/') ? xstrdup(ip)
			       : xasprintf("%s/%u", ip, net->ipbase.prefix);
	if (!intf) {
		/* No interface yet: the first link's gets it. */
		free(node->default_ip);
		node->default_ip = cidr;
		return 0;
	}
	ret = 0;
	if (intf->link && link_is_made(intf->link)) {
		nl = net_node_nl(net, node, err);
		if (!nl) {
			free(cidr);
			return err ? err->code : -EIO;
		}
		ret = nlsock_flush_addr4(nl, intf->name, err);
		if (!ret)
			ret = nlsock_add_addr(nl, intf->name, cidr, err);
		if (nl != net->root_nl)
			nlsock_close(nl);
	}
	if (!ret)
		snprintf(intf->ip, sizeof(intf->ip), "%s", cidr);
	free(cidr);
	return ret;
}

int net_set_mac(struct net *net, struct node *node, const char *intf_name,
		const char *mac, struct emu_err *err)
{
	struct node_intf *intf;
	struct nlsock *nl;
	uint8_t b[6];
	int ret = 0;

	if (net_node_intf(node, intf_name, &intf, err) ||
	    plan_parse_mac(mac, b, err))
		return err ? err->code : -EINVAL;
	if (!intf) {
		free(node->default_mac);
		node->default_mac = xstrdup(mac);
		return 0;
	}
	if (intf->link && link_is_made(intf->link)) {
		nl = net_node_nl(net, node, err);
		if (!nl)
			return err ? err->code : -EIO;
		ret = nlsock_set_mac(nl, intf->name, mac, err);
		if (nl != net->root_nl)
			nlsock_close(nl);
	}
	if (!ret)
		snprintf(intf->mac, sizeof(intf->mac), "%s", mac);
	return ret;
}

const char *net_intf_mac(const struct node_intf *intf, char *buf,
			 size_t size)
{
	struct ifreq ifr = { 0 };
	int nsfd, sock;
	unsigned char *m;

	if (intf->mac[0]) {
		snprintf(buf, size, "%s", intf->mac);
		return buf;
	}
	if (!intf->link || !link_is_made(intf->link))
		return NULL;
	/* A socket answers ioctls in the namespace it was made in. */
	nsfd = node_open_ns(intf->node, "net");
	sock = netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0, NULL);
	if (nsfd >= 0)
		close(nsfd);
	if (sock < 0)
		return NULL;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", intf->name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0) {
		close(sock);
		return NULL;
	}
	close(sock);
	m = (unsigned char *)ifr.ifr_hwaddr.sa_data;
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}
