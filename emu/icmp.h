/* ICMP echo messages of pingall, built and read without I/O: the request
 * a raw socket sends (ICMPv4 or ICMPv6) and the reply it reads back, so
 * that every ordered pair of hosts is pinged from cnemu itself, many at
 * once, without a ping process per pair (emu/traffic.c).
 *
 * A request carries an 'id' (the same for one test) and a 'seq' (which
 * ping it is); a reply is matched by both and by the address it came
 * from.  An IPv4 raw socket reads the IP header before the ICMP message;
 * an IPv6 one reads the ICMPv6 message alone, and the kernel fills in its
 * checksum. */
#ifndef EMU_ICMP_H
#define EMU_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of an echo request: the 8 of the header and 16 of payload. */
#define ICMP_ECHO_LEN 24

/* The Internet checksum of 'len' bytes at 'data' (RFC 1071). */
uint16_t icmp_checksum(const void *data, size_t len);

/* Writes an echo request of 'family' (AF_INET, AF_INET6) with 'id' and
 * 'seq' into 'buf' (room for ICMP_ECHO_LEN); returns its length. */
size_t icmp_build_echo(unsigned char buf[ICMP_ECHO_LEN], int family,
		       uint16_t id, uint16_t seq);

/* Reads what a raw socket of 'family' received ('len' bytes at 'buf'):
 * true when it is a whole echo reply, with its 'id' and 'seq' (a request,
 * an error or a truncated message: false). */
bool icmp_parse_reply(const unsigned char *buf, size_t len, int family,
		      uint16_t *id, uint16_t *seq);

#endif
