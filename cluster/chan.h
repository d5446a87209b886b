/* The authenticated channel between a cluster run's manager (or a
 * 'cnemu --agent-exec' relay) and the agent of a machine: TCP carrying
 * length-prefixed JSON frames.
 *
 * Both sides hold the run's key (32 random bytes).  Before anything else
 * each proves it to the other with an HMAC-SHA256 challenge-response
 * over two fresh nonces (the connecting side first sends its nonce, the
 * accepting side answers with its own and its proof, the connecting side
 * with its proof); a wrong key closes the connection before any frame is
 * read.  Every frame after that carries an HMAC-SHA256, under a key
 * derived from the run's key and both nonces, over its direction, its
 * sequence number (counted by both sides, never sent) and its payload: a
 * frame changed, replayed, reordered, reflected back or taken from
 * another connection fails, and the channel is then unusable.
 *
 * On the wire a frame is: length of what follows (4 bytes, big-endian),
 * the HMAC (32 bytes), the JSON text (at most CHAN_MAX_FRAME bytes).
 *
 * A 'struct chan' is owned by whoever connected or accepted it and is
 * closed with chan_close().  One thread at a time sends on it, one
 * receives. */
#ifndef CLUSTER_CHAN_H
#define CLUSTER_CHAN_H

#include <stddef.h>

#include <jansson.h>

struct emu_err;
struct chan;

/* The agents' TCP port on their machine's underlay address. */
#define CHAN_PORT 6690
/* The largest JSON text a frame carries, in bytes. */
#define CHAN_MAX_FRAME (64u << 20)
/* The length of a run's key, in bytes. */
#define CHAN_KEY_LEN 32
/* How long a handshake may take, in milliseconds. */
#define CHAN_HANDSHAKE_MS 5000

/* Connects to 'addr' (IPv4 or IPv6 literal, or a host name) port 'port'
 * and runs the handshake with the key 'key' ('klen' bytes).  Returns 0
 * with '*out' the caller's, or a negative errno (-EACCES: the peer does
 * not hold the key, or refused ours). */
int chan_connect(const char *addr, int port, const void *key, size_t klen,
		 struct chan **out, struct emu_err *err);

/* Listens on 'addr' ("0.0.0.0", "::", an address of the machine) port
 * 'port' (0: any free one), close-on-exec.  Returns the socket, or a
 * negative errno.  '*bound' (may be NULL) gets the port listened on. */
int chan_listen(const char *addr, int port, int *bound, struct emu_err *err);

/* Accepts one connection on 'listen_fd' and runs the handshake (at most
 * CHAN_HANDSHAKE_MS).  Returns 0 with '*out' the caller's, or a negative
 * errno; a peer without the key is -EACCES and is disconnected. */
int chan_accept(int listen_fd, const void *key, size_t klen,
		struct chan **out, struct emu_err *err);

/* Sends 'msg' as one frame; 'msg' stays the caller's. */
int chan_send(struct chan *c, json_t *msg, struct emu_err *err);

/* Receives one frame into '*msg' (a new reference), waiting at most
 * 'timeout_ms' (< 0: without limit) for it to begin.  Returns 0,
 * -ETIMEDOUT when nothing came, -ECONNRESET when the peer closed,
 * -EBADMSG when the frame fails its authentication or is not a JSON
 * object, or another negative errno. */
int chan_recv(struct chan *c, json_t **msg, int timeout_ms,
	      struct emu_err *err);

/* The connection's socket: readable when a frame begins (for poll()). */
int chan_fd(const struct chan *c);

/* The peer's address as text ("192.168.250.2:41234"). */
const char *chan_peer(const struct chan *c);

/* Closes the connection and frees 'c' (NULL accepted). */
void chan_close(struct chan *c);

/* Puts the bytes 'buf' ('len') into 'msg' under 'key' as base64 text
 * (JSON strings carry no arbitrary bytes). */
void chan_put_bytes(json_t *msg, const char *key, const void *buf,
		    size_t len);
/* The bytes under 'key' of 'msg' into '*buf' (the caller frees; '*len'
 * bytes).  Returns 0, or -EBADMSG when absent or not base64. */
int chan_get_bytes(const json_t *msg, const char *key, unsigned char **buf,
		   size_t *len);

/* Reads the run's key from 'path' (the Swarm secret's file, or one the
 * manager wrote): exactly CHAN_KEY_LEN bytes.  Returns 0 or a negative
 * errno with a sentence naming 'path'. */
int chan_read_key(const char *path, unsigned char key[CHAN_KEY_LEN],
		  struct emu_err *err);

#endif
