/* Frames as the pump handles them: checksums, GSO segmentation,
 * corruption, VLAN tags.  Pure code over buffers (no sockets, no
 * threads), so that tests can build real frames and check every byte.
 *
 * A frame given to these functions starts with a struct virtio_net_hdr
 * when the caller says 'vnet' (as AF_PACKET hands it over with
 * PACKET_VNET_HDR: host byte order, csum_start counted from the Ethernet
 * header), then the Ethernet frame, with VLAN tags in the frame.
 *
 * A struct pump_frame is one frame held by the pump: the caller of
 * pump_frame_create() or pump_frame_segment() owns it (and the list it
 * heads) and frees it with pump_frame_destroy() or
 * pump_frame_destroy_list(). */
#ifndef LINK_PUMP_FRAME_H
#define LINK_PUMP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame held by the pump: 'len' bytes at 'data', released at 'due_us'. */
struct pump_frame {
	struct pump_frame *next;	/* the next in its list or queue */
	uint64_t due_us;	/* monotonic time to send it, microseconds */
	uint32_t len;		/* bytes in 'data' */
	unsigned char data[];	/* virtio_net_hdr first when the queue
				   has 'vnet', then the Ethernet frame */
};

/* Returns a new frame holding a copy of the 'len' bytes at 'data' (NULL:
 * left uninitialised), with 'next' NULL and 'due_us' 0. */
struct pump_frame *pump_frame_create(const void *data, size_t len);

/* Frees 'fr' alone; accepts NULL. */
void pump_frame_destroy(struct pump_frame *fr);

/* Frees 'fr' and every frame after it in its list; accepts NULL. */
void pump_frame_destroy_list(struct pump_frame *fr);

/* Finishes the partial checksum that the virtio_net_hdr at the head of
 * 'data' ('len' bytes) asks for (VIRTIO_NET_HDR_F_NEEDS_CSUM), as the
 * kernel's skb_checksum_help() does, and clears the flag. */
void pump_frame_finish_csum(unsigned char *data, size_t len);

/* Splits the TCP or UDP GSO super-frame 'data' of 'len' bytes
 * (virtio_net_hdr first: GSO_TCPV4, GSO_TCPV6 or GSO_UDP_L4, over IPv4 or
 * IPv6 with extension headers, VLAN tags allowed) into wire-sized frames
 * of at most 'gso_size' payload bytes, as the kernel's GSO would: IP
 * lengths, IPv4 ids and header checksums, TCP sequence numbers and flags,
 * UDP lengths and complete L4 checksums, each frame with an empty
 * virtio_net_hdr.  Returns the list (the caller owns it), or NULL when
 * the frame is not one this knows how to split. */
struct pump_frame *pump_frame_segment(const unsigned char *data, size_t len);

/* Flips one bit of the frame 'data' of 'len' bytes after the Ethernet
 * header, so that the frame still reaches its receiver, which sees a bad
 * checksum as on a real wire: the byte 'pick' modulo the bytes there, the
 * bit 'bit' modulo 8.  With 'vnet', a partial checksum is finished first
 * (pump_frame_finish_csum()) so that the receiver notices. */
void pump_frame_corrupt(unsigned char *data, size_t len, bool vnet,
			uint32_t pick, uint32_t bit);

/* Puts back the VLAN tag 'tpid' (0: 802.1Q) 'tci' that the kernel took
 * out of the frame at '*data' of '*len' bytes (virtio_net_hdr first) into
 * the packet's metadata: the frame grows by 4 bytes into the room that
 * must be there before '*data', and its virtio_net_hdr offsets follow. */
void pump_frame_insert_vlan(unsigned char **data, size_t *len, uint16_t tpid,
			    uint16_t tci);

#endif
