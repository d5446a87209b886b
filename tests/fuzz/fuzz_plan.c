/* libFuzzer target: the address plan's parsers (topo/plan.c): IPv4
 * addresses and networks (--ipbase, a host's ip=), MACs (mac=, the
 * controller's topology file) and node names.
 *
 * The input is one string given to each parser.  What a parser accepts
 * must be what its format says, written back the plan's way it must read
 * back the same, and the addresses it plans must lie in the network. */
#include "tests/fuzz/fuzz.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "topo/plan.h"

/* True when 's' is exactly "hh:hh:hh:hh:hh:hh" in hex digits. */
static bool fuzz_is_mac_text(const char *s)
{
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return s[17] == '\0';
}

static void fuzz_ip(const char *s)
{
	struct emu_err err = { 0 };
	unsigned int prefix = 99;
	struct plan_net net;
	uint32_t addr, back;
	char text[32];
	int ret;

	ret = plan_parse_ip(s, &addr, &prefix, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
	} else {
		fuzz_check(prefix <= 32, "prefix %u", prefix);
		snprintf(text, sizeof(text), "%u.%u.%u.%u", addr >> 24,
			 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
		fuzz_check(!plan_parse_ip(text, &back, NULL, NULL) &&
				   back == addr,
			   "'%s' read as '%s'", s, text);
	}

	emu_err_clear(&err);
	ret = plan_parse_net(s, &net, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		return;
	}
	fuzz_check(net.prefix >= 1 && net.prefix <= 30, "prefix %u",
		   net.prefix);
	fuzz_check(!(net.base & ~(uint32_t)(0xffffffffULL << (32 - net.prefix))),
		   "base %08x not masked to /%u", net.base, net.prefix);
	/* The first and the last host of the network, and one past it. */
	{
		unsigned long room = (1UL << (32 - net.prefix)) - 2;
		unsigned long idx[] = { 1, room, room + 1 };

		for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
			emu_err_clear(&err);
			ret = plan_host_ip(&net, idx[i], text, sizeof(text),
					   &err);
			if (idx[i] > room) {
				fuzz_check(ret == -ERANGE, "host %lu of %lu",
					   idx[i], room);
				continue;
			}
			fuzz_check(!ret && !plan_parse_ip(text, &addr, &prefix,
							  NULL),
				   "host %lu: '%s'", idx[i], text);
			fuzz_check(prefix == net.prefix &&
					   addr - net.base == idx[i],
				   "host %lu of %08x/%u is '%s'", idx[i],
				   net.base, net.prefix, text);
		}
	}
}

static void fuzz_mac(const char *s)
{
	struct emu_err err = { 0 };
	uint8_t mac[6], back[6];
	char text[18];
	int ret;

	ret = plan_parse_mac(s, mac, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		return;
	}
	fuzz_check(fuzz_is_mac_text(s), "'%s' taken for a MAC", s);
	snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	fuzz_check(!strcasecmp(text, s), "'%s' read as '%s'", s, text);
	fuzz_check(!plan_parse_mac(text, back, NULL) &&
			   !memcmp(mac, back, sizeof(mac)),
		   "'%s' reads back differently", text);
}

static void fuzz_name(const char *s)
{
	struct emu_err err = { 0 };
	char intf[PLAN_IFNAME_MAX + 1];
	uint64_t dpid;
	int ret;

	ret = plan_check_name(s, 10, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		return;
	}
	fuzz_check(strlen(s) >= 1 && strlen(s) <= 10, "'%s'", s);
	/* Names of 10 leave room for "-eth<port>" up to port 9. */
	fuzz_check(!plan_intf_name(s, 9, intf, sizeof(intf), NULL) &&
			   strlen(intf) <= PLAN_IFNAME_MAX,
		   "'%s': no room for its interfaces", s);
	fuzz_check(strlen(s) < 10 ||
			   plan_intf_name(s, 10, intf, sizeof(intf), NULL) ==
				   -ENAMETOOLONG,
		   "'%s-eth10' is longer than IFNAMSIZ allows", s);
	ret = plan_dpid(s, &dpid, NULL);
	fuzz_check(ret == -EINVAL ? !strpbrk(s, "0123456789")
				  : ret == 0 || ret == -ERANGE,
		   "'%s': dpid error %d", s, ret);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	fuzz_ip(s);
	fuzz_mac(s);
	fuzz_name(s);
	free(s);
	return 0;
}
