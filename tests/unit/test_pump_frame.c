/* The pump's frame handling on frames built byte by byte as the kernel
 * hands them over on AF_PACKET with PACKET_VNET_HDR: GSO segmentation of
 * TCP and UDP over IPv4 and IPv6 (every segment's lengths, ids, sequence
 * numbers, flags and checksums recomputed from scratch), partial
 * checksums, corruption, VLAN tags.  No sockets, no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "link/pump_frame.h"
#include "tests/lib/frames.h"

#define VL sizeof(struct virtio_net_hdr)
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_ECE 0x40
#define TCP_CWR 0x80

static unsigned int get16(const unsigned char *p)
{
	return (unsigned int)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Builds the GSO frame of 'spec', segments it and checks every segment
 * against what the kernel's GSO makes of it.  Returns the number of
 * segments. */
static unsigned int check_segments(const struct test_frame_spec *spec)
{
	static unsigned char buf[70000];
	static const unsigned char no_vnet[VL];
	struct test_frame_layout lay;
	const unsigned char *in = buf + VL;
	size_t len = test_frame_build(buf, sizeof(buf), spec, &lay);
	size_t mss = spec->gso_size, payload = spec->payload;
	unsigned int want = (unsigned int)((payload + mss - 1) / mss), n = 0;
	bool tcp = spec->proto == IPPROTO_TCP;
	struct pump_frame *segs, *fr;

	assert_true(len > 0);
	segs = pump_frame_segment(buf, len);
	assert_non_null(segs);
	for (fr = segs; fr; fr = fr->next, n++) {
		const unsigned char *f = fr->data + VL;
		size_t left = payload - n * mss;
		size_t chunk = left < mss ? left : mss;
		size_t l4len = lay.hdrs - lay.l4 + chunk;

		assert_true(n < want);
		assert_int_equal(fr->len, VL + lay.hdrs + chunk);
		/* A wire frame: no GSO, no checksum left to the receiver. */
		assert_memory_equal(fr->data, no_vnet, VL);
		/* Ethernet and VLAN tag as they were. */
		assert_memory_equal(f, in, lay.l3);
		if (spec->ipv6) {
			assert_int_equal(get16(f + lay.l3 + 4),
					 lay.l4 - lay.l3 - 40 + l4len);
			/* Version, class, flow, next header, hop limit,
			 * addresses, extension headers: unchanged. */
			assert_memory_equal(f + lay.l3, in + lay.l3, 4);
			assert_memory_equal(f + lay.l3 + 6, in + lay.l3 + 6,
					    lay.l4 - lay.l3 - 6);
		} else {
			assert_int_equal(get16(f + lay.l3 + 2),
					 lay.l4 - lay.l3 + l4len);
			assert_int_equal(get16(f + lay.l3 + 4), 0x1234 + n);
			assert_int_equal(test_csum(f + lay.l3, lay.l4 - lay.l3,
						   0),
					 0);
			/* Flags (DF), TTL, protocol, addresses, options. */
			assert_memory_equal(f + lay.l3 + 6, in + lay.l3 + 6, 4);
			assert_memory_equal(f + lay.l3 + 12, in + lay.l3 + 12,
					    lay.l4 - lay.l3 - 12);
		}
		assert_int_equal(test_frame_l4_check(f, lay.hdrs + chunk, &lay,
						     spec->ipv6, spec->proto),
				 0);
		/* Ports. */
		assert_memory_equal(f + lay.l4, in + lay.l4, 4);
		if (tcp) {
			uint8_t flags = spec->tcp_flags;

			assert_int_equal(get32(f + lay.l4 + 4),
					 (uint32_t)(spec->seq + n * mss));
			assert_memory_equal(f + lay.l4 + 8, in + lay.l4 + 8, 5);
			if (n > 0)
				flags &= (uint8_t)~TCP_CWR;
			if (n + 1 < want)
				flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
			assert_int_equal(f[lay.l4 + 13], flags);
			assert_memory_equal(f + lay.l4 + 14, in + lay.l4 + 14,
					    2);
			assert_memory_equal(f + lay.l4 + 20, in + lay.l4 + 20,
					    lay.hdrs - lay.l4 - 20);
		} else {
			assert_int_equal(get16(f + lay.l4 + 4), l4len);
			/* 0 would mean "no checksum". */
			assert_int_not_equal(get16(f + lay.l4 + 6), 0);
		}
		for (size_t i = 0; i < chunk; i++)
			assert_int_equal(f[lay.hdrs + i],
					 test_frame_payload_byte(n * mss + i));
	}
	assert_int_equal(n, want);
	pump_frame_destroy_list(segs);
	return n;
}

static void test_segment_tcpv4_like_the_kernel(void **state)
{
	struct test_frame_spec s = {
		.proto = IPPROTO_TCP, .payload = 4000, .gso_size = 1448,
		.tcp_opts = 12, .seq = 0x01000000,
		.tcp_flags = TCP_CWR | TCP_ACK | TCP_PSH | TCP_FIN,
	};

	(void)state;
	assert_int_equal(check_segments(&s), 3);
	/* IPv4 options and a VLAN tag move the headers. */
	s.ip_extra = 8;
	s.vlan = true;
	assert_int_equal(check_segments(&s), 3);
}

static void test_segment_tcpv6_sets_payload_length_and_seq(void **state)
{
	struct test_frame_spec s = {
		.ipv6 = true, .proto = IPPROTO_TCP, .payload = 5000,
		.gso_size = 1428, .tcp_opts = 12,
		.seq = 0xfffff000,	/* wraps within the frame */
		.tcp_flags = TCP_CWR | TCP_ECE | TCP_ACK | TCP_PSH,
	};

	(void)state;
	assert_int_equal(check_segments(&s), 4);
	s.vlan = true;
	assert_int_equal(check_segments(&s), 4);
}

static void test_segment_tcpv6_with_extension_headers(void **state)
{
	struct test_frame_spec s = {
		.ipv6 = true, .proto = IPPROTO_TCP, .payload = 3000,
		.gso_size = 1000, .ip_extra = 16,
		.tcp_flags = TCP_ACK | TCP_PSH | TCP_FIN,
	};

	(void)state;
	/* Exactly three full segments: FIN and PSH only on the last. */
	assert_int_equal(check_segments(&s), 3);
	s.ip_extra = 8;
	s.vlan = true;
	assert_int_equal(check_segments(&s), 3);
}

static void test_segment_udpv4_gso_sets_lengths_ids_checksums(void **state)
{
	struct test_frame_spec s = {
		.proto = IPPROTO_UDP, .payload = 6001, .gso_size = 1472,
	};

	(void)state;
	assert_int_equal(check_segments(&s), 5);
	/* Odd segment sizes: checksums over odd lengths. */
	s.gso_size = 999;
	s.ip_extra = 4;
	s.vlan = true;
	assert_int_equal(check_segments(&s), 7);
}

static void test_segment_udpv6_gso_with_extension_headers(void **state)
{
	struct test_frame_spec s = {
		.ipv6 = true, .proto = IPPROTO_UDP, .payload = 9000,
		.gso_size = 1452,
	};

	(void)state;
	assert_int_equal(check_segments(&s), 7);
	s.ip_extra = 16;
	s.gso_size = 1001;
	assert_int_equal(check_segments(&s), 9);
	s.ip_extra = 8;
	s.vlan = true;
	s.payload = 60000;	/* the size UDP_SEGMENT allows */
	s.gso_size = 1400;
	assert_int_equal(check_segments(&s), 43);
}

static void test_segment_of_less_than_one_mss_is_one_frame(void **state)
{
	struct test_frame_spec s = {
		.ipv6 = true, .proto = IPPROTO_UDP, .payload = 100,
		.gso_size = 1400,
	};

	(void)state;
	assert_int_equal(check_segments(&s), 1);
	s.proto = IPPROTO_TCP;
	s.tcp_flags = TCP_CWR | TCP_ACK | TCP_PSH | TCP_FIN;
	assert_int_equal(check_segments(&s), 1);
}

static void test_segment_accepts_the_ecn_gso_flag(void **state)
{
	static unsigned char buf[8192];
	struct test_frame_spec s = {
		.proto = IPPROTO_TCP, .payload = 3000, .gso_size = 1460,
		.tcp_flags = TCP_CWR | TCP_ACK,
	};
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	struct pump_frame *segs;
	size_t len = test_frame_build(buf, sizeof(buf), &s, NULL);

	(void)state;
	vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	segs = pump_frame_segment(buf, len);
	assert_non_null(segs);
	assert_non_null(segs->next);
	assert_non_null(segs->next->next);
	assert_null(segs->next->next->next);
	pump_frame_destroy_list(segs);
}

static void test_segment_refuses_what_it_cannot_split(void **state)
{
	static unsigned char buf[8192];
	struct test_frame_spec s = {
		.proto = IPPROTO_UDP, .payload = 3000, .gso_size = 1400,
	};
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	size_t len;

	(void)state;
	/* UFO (IP fragmentation): the kernel never hands it to AF_PACKET. */
	len = test_frame_build(buf, sizeof(buf), &s, NULL);
	vh->gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_null(pump_frame_segment(buf, len));
	/* GSO without a partial checksum. */
	len = test_frame_build(buf, sizeof(buf), &s, NULL);
	vh->flags = 0;
	assert_null(pump_frame_segment(buf, len));
	/* Headers cut short. */
	len = test_frame_build(buf, sizeof(buf), &s, NULL);
	assert_null(pump_frame_segment(buf, VL + 14 + 20 + 4));
	/* Not IP. */
	buf[VL + 12] = 0x88;
	buf[VL + 13] = 0xb5;
	assert_null(pump_frame_segment(buf, len));
}

static void test_finish_csum_completes_tcp_and_udp_over_ipv6(void **state)
{
	static unsigned char buf[4096];
	struct test_frame_layout lay;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			struct test_frame_spec s = {
				.ipv6 = v6, .payload = 1001, .ip_extra = 8,
				.proto = tcp ? IPPROTO_TCP : IPPROTO_UDP,
				.vlan = tcp,
			};
			size_t len = test_frame_build(buf, sizeof(buf), &s,
						      &lay);

			assert_int_not_equal(test_frame_l4_check(buf + VL,
								 len - VL, &lay,
								 s.ipv6,
								 s.proto),
					     0);
			pump_frame_finish_csum(buf, len);
			assert_int_equal(buf[0] &
						 VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 0);
			assert_int_equal(test_frame_l4_check(buf + VL, len - VL,
							     &lay, s.ipv6,
							     s.proto),
					 0);
		}
	}
}

static void test_corrupt_finishes_partial_checksum_first(void **state)
{
	unsigned char buf[256], good[256];
	struct test_frame_spec s = { .proto = IPPROTO_UDP, .payload = 100 };
	struct test_frame_layout lay;
	size_t len, where = 0;

	(void)state;
	for (uint32_t round = 0; round < 50; round++) {
		len = test_frame_build(buf, sizeof(buf), &s, &lay);
		memcpy(good, buf, len);
		/* What the kernel would have sent: the full checksum. */
		pump_frame_finish_csum(good, len);
		assert_int_equal(test_frame_l4_check(good + VL, len - VL, &lay,
						     false, s.proto),
				 0);
		pump_frame_corrupt(buf, len, true, round * 2654435761u,
				   round);
		/* The flag is gone: the receiver checks, and fails. */
		assert_int_equal(buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
		assert_int_equal(test_bit_diff(good + VL, buf + VL, len - VL,
					  &where),
				 1);
		assert_true(where >= 14);
	}
}

static void test_insert_vlan_moves_the_checksum_offsets(void **state)
{
	unsigned char room[4 + 256], tagged[256];
	struct test_frame_spec s = { .proto = IPPROTO_TCP, .payload = 50 };
	struct test_frame_layout lay;
	unsigned char *data = room + 4;
	size_t len, tlen;

	(void)state;
	len = test_frame_build(data, sizeof(room) - 4, &s, NULL);
	s.vlan = true;
	tlen = test_frame_build(tagged, sizeof(tagged), &s, &lay);
	pump_frame_insert_vlan(&data, &len, 0, 42);
	assert_ptr_equal(data, room);
	assert_int_equal(len, tlen);
	/* The same bytes as a frame built with the tag, offsets included. */
	assert_memory_equal(data, tagged, tlen);
	pump_frame_finish_csum(data, len);
	assert_int_equal(test_frame_l4_check(data + VL, len - VL, &lay, false,
					     s.proto),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_tcpv4_like_the_kernel),
		cmocka_unit_test(test_segment_tcpv6_sets_payload_length_and_seq),
		cmocka_unit_test(test_segment_tcpv6_with_extension_headers),
		cmocka_unit_test(test_segment_udpv4_gso_sets_lengths_ids_checksums),
		cmocka_unit_test(test_segment_udpv6_gso_with_extension_headers),
		cmocka_unit_test(test_segment_of_less_than_one_mss_is_one_frame),
		cmocka_unit_test(test_segment_accepts_the_ecn_gso_flag),
		cmocka_unit_test(test_segment_refuses_what_it_cannot_split),
		cmocka_unit_test(test_finish_csum_completes_tcp_and_udp_over_ipv6),
		cmocka_unit_test(test_corrupt_finishes_partial_checksum_first),
		cmocka_unit_test(test_insert_vlan_moves_the_checksum_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
