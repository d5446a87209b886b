#include "tests/lib/frames.h"

#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5	/* newer than Debian 12's headers */
#endif

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t sum_words(const unsigned char *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t test_csum(const unsigned char *p, size_t len, uint32_t sum)
{
	return (uint16_t)~fold(sum_words(p, len, sum));
}

unsigned char test_frame_payload_byte(size_t i)
{
	/* Not periodic in any segment size a test uses. */
	return (unsigned char)(i * 7 + 1 + i / 253);
}

/* The pseudo-header sum of the frame 'f' for 'l4len' bytes of 'proto'. */
static uint32_t pseudo_sum(const unsigned char *f, size_t l3, bool ipv6,
			   int proto, size_t l4len)
{
	uint32_t sum;

	if (ipv6)
		sum = sum_words(f + l3 + 8, 32, 0);
	else
		sum = sum_words(f + l3 + 12, 8, 0);
	return sum + (uint32_t)proto + (uint32_t)(l4len >> 16) +
	       (uint32_t)(l4len & 0xffff);
}

size_t test_frame_build(unsigned char *buf, size_t size,
			const struct test_frame_spec *spec,
			struct test_frame_layout *layout)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	unsigned char *f = buf + sizeof(*vh);
	bool tcp = spec->proto == IPPROTO_TCP;
	size_t l3 = spec->vlan ? 18 : 14;
	size_t l4 = l3 + (spec->ipv6 ? 40 : 20) + spec->ip_extra;
	size_t l4hdr = tcp ? 20 + spec->tcp_opts : 8;
	size_t hdrs = l4 + l4hdr, l4len = l4hdr + spec->payload;
	size_t len = sizeof(*vh) + hdrs + spec->payload;

	if (len > size)
		return 0;
	memset(buf, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (spec->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, 42);
	}
	put16(f + l3 - 2, spec->ipv6 ? 0x86dd : 0x0800);
	if (spec->ipv6) {
		unsigned char next = (unsigned char)spec->proto;

		f[l3] = 0x60;
		put16(f + l3 + 4, (unsigned int)(l4 - l3 - 40 + l4len));
		f[l3 + 7] = 64;
		/* 2001:db8::1 to 2001:db8::2 */
		memcpy(f + l3 + 8, "\x20\x01\x0d\xb8", 4);
		f[l3 + 23] = 1;
		memcpy(f + l3 + 24, "\x20\x01\x0d\xb8", 4);
		f[l3 + 39] = 2;
		/* Hop-by-hop first, then destination options; each holds one
		 * PadN option filling it to 8 bytes. */
		for (size_t off = spec->ip_extra; off >= 8; off -= 8) {
			unsigned char *x = f + l3 + 40 + off - 8;

			x[0] = next;
			x[2] = 1;	/* PadN */
			x[3] = 4;
			next = off == 8 ? 0 : 60;
		}
		f[l3 + 6] = next;
	} else {
		f[l3] = (unsigned char)(0x45 + spec->ip_extra / 4);
		put16(f + l3 + 2, (unsigned int)(l4 - l3 + l4len));
		put16(f + l3 + 4, 0x1234);
		f[l3 + 6] = 0x40;	/* DF */
		f[l3 + 8] = 64;
		f[l3 + 9] = (unsigned char)spec->proto;
		memcpy(f + l3 + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		memset(f + l3 + 20, 1, spec->ip_extra);	/* NOPs */
		put16(f + l3 + 10, test_csum(f + l3, l4 - l3, 0));
	}
	put16(f + l4, 12345);
	put16(f + l4 + 2, 80);
	if (tcp) {
		put32(f + l4 + 4, spec->seq);
		put32(f + l4 + 8, 0x0badcafe);
		f[l4 + 12] = (unsigned char)(l4hdr / 4 << 4);
		f[l4 + 13] = spec->tcp_flags;
		put16(f + l4 + 14, 501);
		memset(f + l4 + 20, 1, spec->tcp_opts);	/* NOPs */
	} else {
		put16(f + l4 + 4, (unsigned int)l4len);
	}
	for (size_t i = 0; i < spec->payload; i++)
		f[hdrs + i] = test_frame_payload_byte(i);
	put16(f + l4 + (tcp ? 16 : 6),
	      fold(pseudo_sum(f, l3, spec->ipv6, spec->proto, l4len)));

	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l4;
	vh->csum_offset = tcp ? 16 : 6;
	if (spec->gso_size) {
		vh->gso_type = !tcp	     ? VIRTIO_NET_HDR_GSO_UDP_L4
			       : spec->ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6
					    : VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = spec->gso_size;
		vh->hdr_len = (uint16_t)hdrs;
	}
	if (layout) {
		layout->l3 = l3;
		layout->l4 = l4;
		layout->hdrs = hdrs;
	}
	return len;
}

uint16_t test_frame_l4_check(const unsigned char *f, size_t len,
			     const struct test_frame_layout *layout,
			     bool ipv6, int proto)
{
	size_t l4len = len - layout->l4;

	return test_csum(f + layout->l4, l4len,
			 pseudo_sum(f, layout->l3, ipv6, proto, l4len));
}

int test_bit_diff(const unsigned char *a, const unsigned char *b, size_t len,
		  size_t *first)
{
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		if (a[i] == b[i])
			continue;
		if (!bits)
			*first = i;
		bits += __builtin_popcount(a[i] ^ b[i]);
	}
	return bits;
}
