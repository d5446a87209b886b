/* Frames built byte by byte as the kernel hands them to an AF_PACKET
 * socket with PACKET_VNET_HDR (a struct virtio_net_hdr first, then the
 * Ethernet frame), and checksums recomputed from scratch, for the tests of
 * the pump's frame handling and queue.  Independent of link/: nothing
 * here calls the code under test. */
#ifndef TESTS_FRAMES_H
#define TESTS_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What test_frame_build() makes.  Zero means: IPv4, no tag, no options. */
struct test_frame_spec {
	bool ipv6;
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	bool vlan;		/* an 802.1Q tag (VID 42) in the frame */
	size_t ip_extra;	/* bytes of IPv4 options (a multiple of 4) or
				   of IPv6 extension headers, hop-by-hop
				   then destination options (a multiple of
				   8, at most 16) */
	size_t tcp_opts;	/* bytes of TCP options (a multiple of 4) */
	size_t payload;		/* bytes after the TCP or UDP header */
	uint16_t gso_size;	/* 0: no GSO; else payload bytes per segment
				   (gso_type from ipv6 and proto) */
	uint8_t tcp_flags;	/* TCP flags byte */
	uint32_t seq;		/* TCP sequence number */
};

/* The offsets of a built frame, counted from its Ethernet header. */
struct test_frame_layout {
	size_t l3;		/* the IP header */
	size_t l4;		/* the TCP or UDP header */
	size_t hdrs;		/* the payload */
};

/* Writes the frame of 'spec' into 'buf' (room for 'size' bytes): the
 * virtio_net_hdr with NEEDS_CSUM (and GSO when 'gso_size'), Ethernet, IP
 * with a correct header checksum and id 0x1234, TCP or UDP whose checksum
 * field holds the pseudo-header sum (CHECKSUM_PARTIAL), payload bytes
 * test_frame_payload_byte(0..).  Fills 'layout' (may be NULL).  Returns
 * the length, virtio_net_hdr included. */
size_t test_frame_build(unsigned char *buf, size_t size,
			const struct test_frame_spec *spec,
			struct test_frame_layout *layout);

/* The byte at offset 'i' of a built frame's payload. */
unsigned char test_frame_payload_byte(size_t i);

/* The Internet checksum of 'len' bytes at 'p' added to 'sum': 0 when the
 * bytes carry a correct checksum. */
uint16_t test_csum(const unsigned char *p, size_t len, uint32_t sum);

/* Recomputes the TCP or UDP checksum of the Ethernet frame 'f' of 'len'
 * bytes with the IPv4 or IPv6 pseudo-header of 'layout': 0 when the
 * checksum stored in the frame is right. */
uint16_t test_frame_l4_check(const unsigned char *f, size_t len,
			     const struct test_frame_layout *layout,
			     bool ipv6, int proto);

/* Counts the bits that differ between the 'len' bytes at 'a' and 'b';
 * 'first' gets the offset of the first difference. */
int test_bit_diff(const unsigned char *a, const unsigned char *b, size_t len,
		  size_t *first);

#endif
