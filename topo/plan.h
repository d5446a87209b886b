/* The address plan of Mininet: host IPs from a base, MACs from IPs, dpids
 * from switch names, interface names from node names and ports, and the
 * rules names must follow.  Pure functions, no state. */
#ifndef TOPO_PLAN_H
#define TOPO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;

/* An IPv4 network such as Mininet's default 10.0.0.0/8. */
struct plan_net {
	uint32_t base;		/* host byte order, masked to 'prefix' */
	unsigned int prefix;	/* 1..30 */
};

/* Longest interface name the kernel takes (IFNAMSIZ - 1). */
#define PLAN_IFNAME_MAX 15

/* Parses "10.0.0.0/8" (a bare address means /8, as Mininet's --ipbase). */
int plan_parse_net(const char *s, struct plan_net *net, struct emu_err *err);

/* Writes the 'index'th host address (1-based) of 'net' as "a.b.c.d/prefix"
 * into 'buf'.  -ERANGE when the network has no room for it. */
int plan_host_ip(const struct plan_net *net, unsigned long index, char *buf,
		 size_t size, struct emu_err *err);

/* Parses "a.b.c.d" or "a.b.c.d/len" strictly (each part 0..255). */
int plan_parse_ip(const char *s, uint32_t *addr, unsigned int *prefix,
		  struct emu_err *err);

/* Writes the MAC Mininet derives from a host's IP, 00:00:0a:00:00:01 style
 * for --mac: the low 48 bits of the address (so 10.0.0.1 gives
 * 00:00:00:00:00:01 with the 10.0.0.0/8 base, as Mininet). */
void plan_mac_from_index(unsigned long index, char *buf, size_t size);

/* Parses the address of a host's interface, "a.b.c.d[/len]" ('def_prefix'
 * when without a length), refusing what no host can have: 0.0.0.0/8,
 * loopback, multicast, reserved and broadcast addresses, the network's own
 * address and its broadcast (prefixes up to /30), and prefix length 0. */
int plan_parse_host_ip(const char *s, unsigned int def_prefix,
		       uint32_t *addr, struct emu_err *err);

/* Parses "aa:bb:cc:dd:ee:ff". */
int plan_parse_mac(const char *s, uint8_t mac[6], struct emu_err *err);

/* Mininet's words when a switch name has no number and no dpid is given
 * (its own test suite looks for them). */
#define PLAN_DPID_ERROR                                                       \
	"Unable to derive default datapath ID - please either specify a "    \
	"dpid or use a canonical switch name such as s23."

/* The dpid Mininet gives a switch: the value of the first decimal number
 * in its name ("s1" → 1, "s10" → 0xa, "s0" → 0) into '*dpid'.  -EINVAL
 * with PLAN_DPID_ERROR when the name has no digit, -ERANGE when the
 * number is beyond 64 bits ('*dpid' is then 0). */
int plan_dpid(const char *name, uint64_t *dpid, struct emu_err *err);

/* Checks a node name: 1 to 'max' characters of [A-Za-z0-9_.-], not
 * starting with '-' or '.'. */
int plan_check_name(const char *name, size_t max, struct emu_err *err);

/* Writes "<node>-eth<port>" into 'buf'; -ENAMETOOLONG past IFNAMSIZ. */
int plan_intf_name(const char *node, int port, char *buf, size_t size,
		   struct emu_err *err);

#endif
