#include "topo/plan.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"

int plan_parse_ip(const char *s, uint32_t *addr, unsigned int *prefix,
		  struct emu_err *err)
{
	unsigned int parts[4], len = 32;
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		unsigned long v;
		char *end;

		if (!isdigit((unsigned char)*p))
			goto bad;
		v = strtoul(p, &end, 10);
		if (v > 255 || end - p > 3)
			goto bad;
		parts[i] = (unsigned int)v;
		p = end;
		if (i < 3 && *p++ != '.')
			goto bad;
	}
	if (*p == '/') {
		long v;

		if (str_to_long(p + 1, 0, 32, &v))
			goto bad;
		len = (unsigned int)v;
	} else if (*p) {
		goto bad;
	}
	*addr = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
	if (prefix)
		*prefix = len;
	return 0;
bad:
	return emu_err_set(err, -EINVAL, "invalid IPv4 address '%s'", s);
}

int plan_parse_host_ip(const char *s, unsigned int def_prefix,
		       uint32_t *addr, struct emu_err *err)
{
	unsigned int prefix = 0;
	const char *why = NULL;
	uint32_t a, host;

	if (plan_parse_ip(s, &a, &prefix, err))
		return -EINVAL;
	if (!strchr(s, '/'))
		prefix = def_prefix;
	host = prefix >= 32 ? 0 : a & (0xffffffffu >> prefix);
	if (a >> 24 == 0)
		why = "0.0.0.0/8 means this host";
	else if (a >> 24 == 127)
		why = "it is a loopback address";
	else if (a >> 28 == 14)
		why = "it is a multicast address";
	else if (a >> 28 == 15)
		why = "it is reserved or the broadcast address";
	else if (!prefix)
		why = "prefix length 0 would take every address";
	else if (prefix <= 30 && !host)
		why = "it is the address of its network";
	else if (prefix <= 30 && host == 0xffffffffu >> prefix)
		why = "it is the broadcast address of its network";
	if (why)
		return emu_err_set(err, -EINVAL,
				   "'%s' cannot be a host's address: %s", s,
				   why);
	*addr = a;
	return 0;
}

int plan_parse_net(const char *s, struct plan_net *net, struct emu_err *err)
{
	unsigned int prefix;
	uint32_t addr;
	int ret;

	ret = plan_parse_ip(s, &addr, &prefix, err);
	if (ret)
		return ret;
	if (!strchr(s, '/'))
		prefix = 8;
	if (prefix < 1 || prefix > 30)
		return emu_err_set(err, -ERANGE,
				   "invalid IP base '%s': prefix must be 1..30",
				   s);
	net->prefix = prefix;
	net->base = addr & (uint32_t)(0xffffffffULL << (32 - prefix));
	return 0;
}

int plan_host_ip(const struct plan_net *net, unsigned long index, char *buf,
		 size_t size, struct emu_err *err)
{
	unsigned long long room = (1ULL << (32 - net->prefix)) - 2;
	uint32_t a;

	if (index < 1 || index > room)
		return emu_err_set(err, -ERANGE,
				   "too many hosts for %u.%u.%u.%u/%u: host %lu "
				   "of at most %llu",
				   net->base >> 24, (net->base >> 16) & 255,
				   (net->base >> 8) & 255, net->base & 255,
				   net->prefix, index, room);
	a = net->base + (uint32_t)index;
	snprintf(buf, size, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255, net->prefix);
	return 0;
}

void plan_mac_from_index(unsigned long index, char *buf, size_t size)
{
	unsigned long long v = index & 0xffffffffffffULL;

	snprintf(buf, size, "%02llx:%02llx:%02llx:%02llx:%02llx:%02llx",
		 v >> 40, (v >> 32) & 255, (v >> 24) & 255, (v >> 16) & 255,
		 (v >> 8) & 255, v & 255);
}

int plan_parse_mac(const char *s, uint8_t mac[6], struct emu_err *err)
{
	unsigned int b[6];

	/* Digits checked first: %2x alone takes " f", "+f" or "-1". */
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			goto bad;
	if (s[17] || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2],
			    &b[3], &b[4], &b[5]) != 6)
		goto bad;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
bad:
	return emu_err_set(err, -EINVAL, "invalid MAC address '%s'", s);
}

int plan_dpid(const char *name, uint64_t *dpid, struct emu_err *err)
{
	const char *p = name;
	unsigned long long v;

	*dpid = 0;
	while (*p && !isdigit((unsigned char)*p))
		p++;
	if (!*p)
		return emu_err_set(err, -EINVAL, PLAN_DPID_ERROR);
	errno = 0;
	v = strtoull(p, NULL, 10);
	if (errno)
		return emu_err_set(err, -ERANGE,
				   "the number in '%s' does not fit a datapath "
				   "ID (16 hex digits)",
				   name);
	*dpid = v;
	return 0;
}

int plan_check_name(const char *name, size_t max, struct emu_err *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return emu_err_set(err, -EINVAL, "empty node name");
	/* The start of a long name only: the sentence must fit. */
	if (len > max)
		return emu_err_set(err, -ENAMETOOLONG,
				   "node name '%.32s%s' is too long (%zu "
				   "characters, at most %zu)",
				   name, len > 32 ? "..." : "", len, max);
	if (name[0] == '-' || name[0] == '.')
		return emu_err_set(err, -EINVAL,
				   "invalid node name '%s': must not start with "
				   "'%c'",
				   name, name[0]);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return emu_err_set(err, -EINVAL,
					   "invalid node name '%s': only "
					   "A-Z a-z 0-9 _ . - allowed",
					   name);
	return 0;
}

int plan_intf_name(const char *node, int port, char *buf, size_t size,
		   struct emu_err *err)
{
	int n = snprintf(buf, size, "%s-eth%d", node, port);

	if (n < 0 || (size_t)n >= size || n > PLAN_IFNAME_MAX)
		return emu_err_set(err, -ENAMETOOLONG,
				   "interface name '%s-eth%d' is longer than %d "
				   "characters",
				   node, port, PLAN_IFNAME_MAX);
	return 0;
}
