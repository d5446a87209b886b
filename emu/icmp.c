#include "emu/icmp.h"

#include <string.h>
#include <sys/socket.h>

/* Types of echo messages (RFC 792, RFC 4443). */
enum {
	ICMP4_ECHO_REPLY = 0,
	ICMP4_ECHO_REQUEST = 8,
	ICMP6_ECHO_REQUEST_TYPE = 128,
	ICMP6_ECHO_REPLY_TYPE = 129,
};

uint16_t icmp_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t icmp_build_echo(unsigned char buf[ICMP_ECHO_LEN], int family,
		       uint16_t id, uint16_t seq)
{
	uint16_t sum;

	memset(buf, 0, ICMP_ECHO_LEN);
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST_TYPE
				    : ICMP4_ECHO_REQUEST;
	buf[4] = (unsigned char)(id >> 8);
	buf[5] = (unsigned char)id;
	buf[6] = (unsigned char)(seq >> 8);
	buf[7] = (unsigned char)seq;
	memcpy(buf + 8, "cnemu pingall\0\0", 16);
	if (family != AF_INET6) {	/* the kernel sums ICMPv6 */
		sum = icmp_checksum(buf, ICMP_ECHO_LEN);
		buf[2] = (unsigned char)(sum >> 8);
		buf[3] = (unsigned char)sum;
	}
	return ICMP_ECHO_LEN;
}

bool icmp_parse_reply(const unsigned char *buf, size_t len, int family,
		      uint16_t *id, uint16_t *seq)
{
	unsigned int want = ICMP6_ECHO_REPLY_TYPE;

	if (family == AF_INET) {
		size_t ihl;

		if (len < 20 || buf[0] >> 4 != 4)
			return false;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < 20 || len < ihl)
			return false;
		buf += ihl;
		len -= ihl;
		want = ICMP4_ECHO_REPLY;
	}
	if (len < 8 || buf[0] != want || buf[1] != 0)
		return false;
	*id = (uint16_t)(buf[4] << 8 | buf[5]);
	*seq = (uint16_t)(buf[6] << 8 | buf[7]);
	return true;
}
