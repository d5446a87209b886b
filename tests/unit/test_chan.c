/* cluster/chan.c over the loopback: the handshake both ways, a wrong key
 * refused on both sides, frames changed or replayed refused, frames of
 * many megabytes, the heartbeat (beats skipped, a peer that stops
 * beating found silent; short beats here, tenths of a second). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/util.h"
#include "cluster/chan.h"

static const unsigned char key_a[CHAN_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char key_b[CHAN_KEY_LEN] = "0123456789abcdef0123456789abcdX";

/* The accepting side, run in a thread while the test connects. */
struct acceptor {
	int listen_fd;
	const unsigned char *key;
	struct chan *chan;
	int rc;
	struct emu_err err;
	pthread_t thread;
};

static void *accept_main(void *arg)
{
	struct acceptor *a = arg;

	a->rc = chan_accept(a->listen_fd, a->key, CHAN_KEY_LEN, &a->chan,
			    &a->err);
	return NULL;
}

static int start_acceptor(struct acceptor *a, const unsigned char *key)
{
	int port;

	memset(a, 0, sizeof(*a));
	a->key = key;
	a->listen_fd = chan_listen("127.0.0.1", 0, &port, NULL);
	assert_true(a->listen_fd >= 0);
	assert_int_equal(pthread_create(&a->thread, NULL, accept_main, a), 0);
	return port;
}

static void join_acceptor(struct acceptor *a)
{
	pthread_join(a->thread, NULL);
	close(a->listen_fd);
}

/* A connected pair under 'key'. */
static void connect_pair(struct chan **dialer, struct chan **agent)
{
	struct acceptor a;
	struct emu_err err = { 0 };
	int port = start_acceptor(&a, key_a);

	assert_int_equal(chan_connect("127.0.0.1", port, key_a, CHAN_KEY_LEN,
				      dialer, &err),
			 0);
	join_acceptor(&a);
	assert_int_equal(a.rc, 0);
	*agent = a.chan;
}

static void test_handshake_then_frames_both_ways(void **state)
{
	struct chan *d, *ag;
	json_t *msg, *got;
	struct emu_err err = { 0 };

	(void)state;
	connect_pair(&d, &ag);
	for (int i = 0; i < 3; i++) {
		msg = json_pack("{s:s, s:i}", "op", "hello", "n", i);
		assert_int_equal(chan_send(d, msg, &err), 0);
		json_decref(msg);
		assert_int_equal(chan_recv(ag, &got, 1000, &err), 0);
		assert_string_equal(json_string_value(json_object_get(got,
								      "op")),
				    "hello");
		assert_int_equal(json_integer_value(json_object_get(got, "n")),
				 i);
		assert_int_equal(chan_send(ag, got, &err), 0);
		json_decref(got);
		assert_int_equal(chan_recv(d, &got, 1000, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(got, "n")),
				 i);
		json_decref(got);
	}
	/* Nothing more: a timeout, then the peer's close. */
	assert_int_equal(chan_recv(d, &got, 10, &err), -ETIMEDOUT);
	assert_null(got);
	chan_close(ag);
	err.code = 0;
	assert_int_equal(chan_recv(d, &got, 1000, &err), -ECONNRESET);
	chan_close(d);
}

static void test_wrong_key_is_refused_on_both_sides(void **state)
{
	struct acceptor a;
	struct chan *d = NULL;
	struct emu_err err = { 0 };
	int port;

	(void)state;
	port = start_acceptor(&a, key_a);
	assert_int_equal(chan_connect("127.0.0.1", port, key_b, CHAN_KEY_LEN,
				      &d, &err),
			 -EACCES);
	assert_null(d);
	assert_non_null(strstr(err.msg, "run's key"));
	join_acceptor(&a);
	assert_int_equal(a.rc, -EACCES);
	assert_null(a.chan);
}

/* The bytes of one frame 'd' sent, read off the agent's socket raw. */
static size_t capture_frame(struct chan *d, struct chan *ag, json_t *msg,
			    unsigned char *buf, size_t size)
{
	ssize_t n;

	assert_int_equal(chan_send(d, msg, NULL), 0);
	usleep(20000);
	n = recv(chan_fd(ag), buf, size, MSG_DONTWAIT);
	assert_true(n > 36);
	return (size_t)n;
}

static void test_replayed_frame_is_refused(void **state)
{
	struct chan *d, *ag;
	unsigned char buf[512];
	json_t *msg = json_pack("{s:s}", "op", "stop"), *got;
	struct emu_err err = { 0 };
	size_t n;

	(void)state;
	connect_pair(&d, &ag);
	n = capture_frame(d, ag, msg, buf, sizeof(buf));
	/* The frame once as sent, then once more: the copy fails. */
	assert_int_equal(send(chan_fd(d), buf, n, 0), (ssize_t)n);
	assert_int_equal(send(chan_fd(d), buf, n, 0), (ssize_t)n);
	assert_int_equal(chan_recv(ag, &got, 1000, &err), 0);
	json_decref(got);
	assert_int_equal(chan_recv(ag, &got, 1000, &err), -EBADMSG);
	assert_null(got);
	assert_non_null(strstr(err.msg, "authentication"));
	/* The channel stays refused afterwards. */
	assert_int_equal(chan_recv(ag, &got, 10, NULL), -EPIPE);
	json_decref(msg);
	chan_close(d);
	chan_close(ag);
}

static void test_changed_frame_is_refused(void **state)
{
	struct chan *d, *ag;
	unsigned char buf[512];
	json_t *msg = json_pack("{s:s, s:s}", "op", "exec", "cmd", "true"),
	       *got;
	struct emu_err err = { 0 };
	size_t n;

	(void)state;
	connect_pair(&d, &ag);
	n = capture_frame(d, ag, msg, buf, sizeof(buf));
	buf[n - 3] ^= 0x01;	/* "true" -> "trte" */
	assert_int_equal(send(chan_fd(d), buf, n, 0), (ssize_t)n);
	assert_int_equal(chan_recv(ag, &got, 1000, &err), -EBADMSG);
	assert_null(got);
	json_decref(msg);
	chan_close(d);
	chan_close(ag);
}

static void test_frame_sent_back_to_its_sender_is_refused(void **state)
{
	struct chan *d, *ag;
	unsigned char buf[512];
	json_t *msg = json_pack("{s:s}", "op", "hello"), *got;
	size_t n;

	(void)state;
	connect_pair(&d, &ag);
	/* The dialer's frame 0, reflected to the dialer as the agent's 0. */
	n = capture_frame(d, ag, msg, buf, sizeof(buf));
	assert_int_equal(send(chan_fd(ag), buf, n, 0), (ssize_t)n);
	assert_int_equal(chan_recv(d, &got, 1000, NULL), -EBADMSG);
	json_decref(msg);
	chan_close(d);
	chan_close(ag);
}

/* Sends a frame of 'len' bytes from a thread while the test reads it. */
struct sender {
	struct chan *c;
	json_t *msg;
	int rc;
};

static void *send_main(void *arg)
{
	struct sender *s = arg;

	s->rc = chan_send(s->c, s->msg, NULL);
	return NULL;
}

static void test_large_frames_pass_and_oversized_are_refused(void **state)
{
	struct chan *d, *ag;
	struct sender s;
	pthread_t t;
	size_t len = 12u << 20;
	char *big = malloc(len + 1);
	json_t *got;

	(void)state;
	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	big[len] = '\0';
	connect_pair(&d, &ag);
	s.c = d;
	s.msg = json_pack("{s:s}", "data", big);
	assert_int_equal(pthread_create(&t, NULL, send_main, &s), 0);
	assert_int_equal(chan_recv(ag, &got, 5000, NULL), 0);
	pthread_join(t, NULL);
	assert_int_equal(s.rc, 0);
	assert_int_equal(json_string_length(json_object_get(got, "data")),
			 len);
	assert_memory_equal(json_string_value(json_object_get(got, "data")),
			    big, len);
	json_decref(got);
	json_decref(s.msg);
	free(big);

	/* A length over the limit is refused before anything is read. */
	{
		unsigned char head[4] = { 0x7f, 0xff, 0xff, 0xff };
		struct emu_err err = { 0 };

		assert_int_equal(send(chan_fd(d), head, 4, 0), 4);
		assert_int_equal(chan_recv(ag, &got, 1000, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "bad length"));
	}
	chan_close(d);
	chan_close(ag);
}

static void test_not_a_channel_is_refused(void **state)
{
	struct acceptor a;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char junk[64];
	int fd;

	(void)state;
	start_acceptor(&a, key_a);
	getsockname(a.listen_fd, (struct sockaddr *)&ss, &sl);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	memset(junk, 'G', sizeof(junk));
	assert_int_equal(send(fd, junk, sizeof(junk), 0), sizeof(junk));
	join_acceptor(&a);
	assert_int_equal(a.rc, -EPROTO);
	/* The agent answered nothing and closed (a reset: junk was left
	 * unread). */
	assert_true(recv(fd, junk, sizeof(junk), 0) <= 0);
	close(fd);
}

static void test_key_file_must_hold_exactly_the_key(void **state)
{
	char path[] = "/tmp/cnemu-test-key-XXXXXX";
	unsigned char key[CHAN_KEY_LEN];
	struct emu_err err = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, key_a, 10), 10);
	assert_int_equal(chan_read_key(path, key, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(write(fd, key_a + 10, CHAN_KEY_LEN - 10),
			 CHAN_KEY_LEN - 10);
	assert_int_equal(chan_read_key(path, key, NULL), 0);
	assert_memory_equal(key, key_a, CHAN_KEY_LEN);
	close(fd);
	unlink(path);
	err.code = 0;
	assert_int_equal(chan_read_key(path, key, &err), -ENOENT);
}

static void test_bytes_go_through_json_as_base64(void **state)
{
	unsigned char all[256], *back;
	json_t *msg = json_object();
	size_t len;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t n = 0; n <= 5; n++) {
		chan_put_bytes(msg, "data", all + 250, n);
		assert_int_equal(chan_get_bytes(msg, "data", &back, &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, all + 250, n);
		free(back);
	}
	chan_put_bytes(msg, "data", all, sizeof(all));
	assert_int_equal(chan_get_bytes(msg, "data", &back, &len), 0);
	assert_int_equal(len, 256);
	assert_memory_equal(back, all, 256);
	free(back);
	json_object_set_new(msg, "data", json_string("abc"));
	assert_int_equal(chan_get_bytes(msg, "data", &back, &len), -EBADMSG);
	assert_int_equal(chan_get_bytes(msg, "none", &back, &len), -EBADMSG);
	json_decref(msg);
}

/* Both sides beat: nothing but beats comes, the peer is never silent;
 * a frame sent after them is the one received. */
static void test_beats_are_skipped_and_keep_a_quiet_peer_heard(void **state)
{
	struct emu_err err = { 0 };
	struct chan *d, *ag;
	json_t *got, *msg;

	(void)state;
	connect_pair(&d, &ag);
	assert_int_equal(chan_start_beat(d, 20, 200, &err), 0);
	assert_int_equal(chan_start_beat(ag, 20, 200, &err), 0);
	assert_int_equal(chan_recv(d, &got, 500, &err), -ETIMEDOUT);
	assert_null(got);
	assert_false(chan_is_silent(d));
	assert_int_equal(chan_recv(ag, &got, 0, &err), -ETIMEDOUT);
	msg = json_pack("{s:s}", "op", "answer");
	assert_int_equal(chan_send(ag, msg, &err), 0);
	json_decref(msg);
	assert_int_equal(chan_recv(d, &got, 1000, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "op")),
			    "answer");
	json_decref(got);
	chan_close(ag);
	chan_close(d);
}

/* The peer does not beat (as one frozen): within the silence's time,
 * chan_recv() says so, also while it waits for an answer, and the
 * channel receives nothing more. */
static void test_a_peer_that_stops_beating_is_silent(void **state)
{
	unsigned long long t0;
	struct emu_err err = { 0 };
	struct chan *d, *ag;
	json_t *got;

	(void)state;
	connect_pair(&d, &ag);
	assert_int_equal(chan_start_beat(d, 20, 200, &err), 0);
	t0 = now_us();
	assert_int_equal(chan_recv(d, &got, 5000, &err), -EHOSTDOWN);
	assert_true(now_us() - t0 < 1000 * 1000);
	assert_true(chan_is_silent(d));
	assert_non_null(strstr(err.msg, "has been silent"));
	assert_int_equal(chan_recv(d, &got, 0, &err), -EPIPE);
	/* The silent side still got this side's beats. */
	assert_int_equal(chan_recv(ag, &got, 0, &err), -ETIMEDOUT);
	chan_close(ag);
	chan_close(d);
}

static void test_a_heartbeat_needs_silence_longer_than_a_beat(void **state)
{
	struct emu_err err = { 0 };
	struct chan *d, *ag;

	(void)state;
	connect_pair(&d, &ag);
	assert_int_equal(chan_start_beat(d, 100, 100, &err), -EINVAL);
	assert_int_equal(chan_start_beat(d, 0, 100, &err), -EINVAL);
	assert_false(chan_is_silent(d));
	chan_close(ag);
	chan_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_then_frames_both_ways),
		cmocka_unit_test(test_wrong_key_is_refused_on_both_sides),
		cmocka_unit_test(test_replayed_frame_is_refused),
		cmocka_unit_test(test_changed_frame_is_refused),
		cmocka_unit_test(test_frame_sent_back_to_its_sender_is_refused),
		cmocka_unit_test(test_large_frames_pass_and_oversized_are_refused),
		cmocka_unit_test(test_not_a_channel_is_refused),
		cmocka_unit_test(test_key_file_must_hold_exactly_the_key),
		cmocka_unit_test(test_bytes_go_through_json_as_base64),
		cmocka_unit_test(
			test_beats_are_skipped_and_keep_a_quiet_peer_heard),
		cmocka_unit_test(test_a_peer_that_stops_beating_is_silent),
		cmocka_unit_test(
			test_a_heartbeat_needs_silence_longer_than_a_beat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
