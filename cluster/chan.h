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
 * A channel may beat (chan_start_beat()): a thread of its own sends a
 * beat frame whenever nothing was sent for a beat's time and notes when
 * the peer's bytes last came, read or not.  Beats are authenticated
 * frames like any other; chan_recv() skips them.  When both sides beat,
 * a peer that freezes without closing the connection (its process
 * stopped, its machine's network gone) is silent, and chan_recv() says
 * so, within the silence's time, also while the peer is busy answering
 * a long request: its beats go on meanwhile.
 *
 * A 'struct chan' is owned by whoever connected or accepted it and is
 * closed with chan_close().  One thread at a time sends on it, one
 * receives (the beat's thread apart). */
#ifndef CLUSTER_CHAN_H
#define CLUSTER_CHAN_H

#include <stdbool.h>
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

/* The heartbeat of the manager's channel to each agent: a beat every
 * CHAN_BEAT_MS; a peer heard from for CHAN_SILENT_MS is lost. */
#define CHAN_BEAT_MS 1000
#define CHAN_SILENT_MS 5000

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
 * 'timeout_ms' (< 0: without limit) for it to begin; the peer's beats
 * are skipped.  Returns 0, -ETIMEDOUT when nothing came, -ECONNRESET
 * when the peer closed, -EHOSTDOWN when the peer of a beating channel
 * was silent (chan_is_silent()), -EBADMSG when the frame fails its
 * authentication or is not a JSON object, or another negative errno.
 * After any but -ETIMEDOUT the channel receives nothing more. */
int chan_recv(struct chan *c, json_t **msg, int timeout_ms,
	      struct emu_err *err);

/* Starts the heartbeat of 'c' (once): a thread sends a beat whenever
 * nothing was sent for 'beat_ms' (CHAN_BEAT_MS), and the peer is silent
 * once nothing of it came for 'silent_ms' (CHAN_SILENT_MS).  A send then
 * fails when the peer takes nothing for 'silent_ms'.  Beats go on after
 * a receive failed (a peer that wakes up finds this side alive) until a
 * send fails or chan_close().  Returns 0 or a negative errno. */
int chan_start_beat(struct chan *c, int beat_ms, int silent_ms,
		    struct emu_err *err);

/* True when 'c' beats and nothing of its peer came for its silence's
 * time: the peer froze, or the network between the two is gone. */
bool chan_is_silent(const struct chan *c);

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
