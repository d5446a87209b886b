#include "link/pump_frame.h"

#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define VNET_LEN sizeof(struct virtio_net_hdr)
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5	/* newer than Debian 12's headers */
#endif
#define VLAN_LEN 4

static uint16_t get_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Adds 'len' bytes at 'p' to the one's complement sum 'sum' (big-endian
 * 16-bit words; 'p' starts a word). */
static uint64_t csum_add(uint64_t sum, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Offset of the network header of the Ethernet frame 'f', past any VLAN
 * tags, and its ethertype. */
static size_t eth_l3(const unsigned char *f, size_t len, uint16_t *type)
{
	size_t off = 14;

	if (len < 14) {
		*type = 0;
		return len;
	}
	*type = get_be16(f + 12);
	while ((*type == ETH_P_8021Q || *type == ETH_P_8021AD) &&
	       off + 4 <= len) {
		*type = get_be16(f + off + 2);
		off += 4;
	}
	return off;
}

void pump_frame_finish_csum(unsigned char *data, size_t len)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)data;
	unsigned char *f = data + VNET_LEN;
	size_t flen = len - VNET_LEN;
	size_t start = vh->csum_start, field = start + vh->csum_offset;
	uint16_t csum;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return;
	vh->flags &= ~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (start >= flen || field + 2 > flen)
		return;
	csum = csum_fold(csum_add(0, f + start, flen - start));
	put_be16(f + field, csum ? csum : 0xffff);
}

struct pump_frame *pump_frame_create(const void *data, size_t len)
{
	struct pump_frame *fr = xmalloc(sizeof(*fr) + len);

	fr->next = NULL;
	fr->due_us = 0;
	fr->len = (uint32_t)len;
	if (data)
		memcpy(fr->data, data, len);
	return fr;
}

void pump_frame_destroy(struct pump_frame *fr)
{
	free(fr);
}

void pump_frame_destroy_list(struct pump_frame *fr)
{
	while (fr) {
		struct pump_frame *next = fr->next;

		free(fr);
		fr = next;
	}
}

struct pump_frame *pump_frame_segment(const unsigned char *data, size_t len)
{
	const struct virtio_net_hdr *vh = (const void *)data;
	const unsigned char *f = data + VNET_LEN;
	size_t flen = len - VNET_LEN, l3, l4 = vh->csum_start, hdrs, payload;
	unsigned int gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	unsigned int mss = vh->gso_size, nseg;
	struct pump_frame *head = NULL, **tailp = &head;
	bool v4, tcp = gso == VIRTIO_NET_HDR_GSO_TCPV4 ||
		       gso == VIRTIO_NET_HDR_GSO_TCPV6;
	uint16_t type, ip_id = 0;
	uint32_t seq = 0;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !mss ||
	    (!tcp && gso != VIRTIO_NET_HDR_GSO_UDP_L4))
		return NULL;
	l3 = eth_l3(f, flen, &type);
	if (type == ETH_P_IP && l3 + 20 <= flen)
		v4 = true;
	else if (type == ETH_P_IPV6 && l3 + 40 <= flen)
		v4 = false;
	else
		return NULL;
	if (l4 < l3 + (v4 ? 20 : 40) || l4 + (tcp ? 20 : 8) > flen)
		return NULL;
	hdrs = l4 + (tcp ? (size_t)(f[l4 + 12] >> 4) * 4 : 8);
	if (hdrs > flen || hdrs < l4 + (tcp ? 20 : 8))
		return NULL;
	payload = flen - hdrs;
	nseg = (unsigned int)((payload + mss - 1) / mss);
	if (v4)
		ip_id = get_be16(f + l3 + 4);
	if (tcp)
		seq = get_be32(f + l4 + 4);
	for (unsigned int i = 0; i < nseg; i++) {
		size_t chunk = payload - (size_t)i * mss;
		size_t l4len;
		struct pump_frame *fr;
		unsigned char *s;
		uint64_t sum;

		if (chunk > mss)
			chunk = mss;
		l4len = hdrs - l4 + chunk;
		fr = pump_frame_create(NULL, VNET_LEN + hdrs + chunk);
		memset(fr->data, 0, VNET_LEN);
		s = fr->data + VNET_LEN;
		memcpy(s, f, hdrs);
		memcpy(s + hdrs, f + hdrs + (size_t)i * mss, chunk);
		if (v4) {
			size_t ihl = (size_t)(s[l3] & 0xf) * 4;

			put_be16(s + l3 + 2, (uint16_t)(hdrs - l3 + chunk));
			put_be16(s + l3 + 4, (uint16_t)(ip_id + i));
			put_be16(s + l3 + 10, 0);
			put_be16(s + l3 + 10,
				 csum_fold(csum_add(0, s + l3, ihl)));
			sum = csum_add(0, s + l3 + 12, 8);
		} else {
			put_be16(s + l3 + 4,
				 (uint16_t)(hdrs - l3 - 40 + chunk));
			sum = csum_add(0, s + l3 + 8, 32);
		}
		sum += (tcp ? IPPROTO_TCP : IPPROTO_UDP) + l4len;
		if (tcp) {
			put_be32(s + l4 + 4, seq + (uint32_t)(i * mss));
			if (i > 0)
				s[l4 + 13] &= ~0x80;		/* CWR */
			if (i + 1 < nseg)
				s[l4 + 13] &= ~(0x01 | 0x08); /* FIN PSH */
			put_be16(s + l4 + 16, 0);
			put_be16(s + l4 + 16,
				 csum_fold(csum_add(sum, s + l4, l4len)));
		} else {
			uint16_t c;

			put_be16(s + l4 + 4, (uint16_t)l4len);
			put_be16(s + l4 + 6, 0);
			c = csum_fold(csum_add(sum, s + l4, l4len));
			put_be16(s + l4 + 6, c ? c : 0xffff);
		}
		*tailp = fr;
		tailp = &fr->next;
	}
	return head;
}

void pump_frame_corrupt(unsigned char *data, size_t len, bool vnet,
			uint32_t pick, uint32_t bit)
{
	size_t off = vnet ? VNET_LEN : 0, start;

	if (len <= off)
		return;
	if (vnet)
		pump_frame_finish_csum(data, len);
	/* Keep the Ethernet header so that the frame still reaches its
	 * receiver, which then sees a bad checksum, as on a real wire. */
	start = len - off > 14 ? off + 14 : off;
	data[start + pick % (len - start)] ^= (unsigned char)(1u << (bit % 8));
}

void pump_frame_insert_vlan(unsigned char **data, size_t *len, uint16_t tpid,
			    uint16_t tci)
{
	struct virtio_net_hdr *vh;
	unsigned char *d;

	if (*len < VNET_LEN + 12)
		return;
	d = *data - VLAN_LEN;
	memmove(d, *data, VNET_LEN + 12);
	put_be16(d + VNET_LEN + 12, tpid ? tpid : ETH_P_8021Q);
	put_be16(d + VNET_LEN + 14, tci);
	vh = (struct virtio_net_hdr *)d;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vh->csum_start += VLAN_LEN;
	if (vh->hdr_len)
		vh->hdr_len += VLAN_LEN;
	*data = d;
	*len += VLAN_LEN;
}
