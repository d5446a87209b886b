/* node/relay.c: what OVS sends to the unix socket reaches the TCP
 * controller and back; a controller that is not there closes the
 * connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/err.h"
#include "node/relay.h"

static const char *sock_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/test_relay-%d.sock", (int)getpid());
	return path;
}

/* A TCP listener on 127.0.0.1; its port in '*port'. */
static int tcp_listener(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int unix_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock_path());
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_bytes_go_both_ways(void **state)
{
	struct emu_err err;
	struct relay *r;
	struct stat st;
	char buf[16] = "";
	int port, lfd = tcp_listener(&port), ovs, ctl;

	(void)state;
	emu_err_clear(&err);
	r = relay_start(sock_path(), "127.0.0.1", port, &err);
	assert_non_null(r);
	assert_int_equal(stat(sock_path(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ovs = unix_connect();
	ctl = accept(lfd, NULL, NULL);
	assert_true(ctl >= 0);
	assert_int_equal(write(ovs, "hello", 5), 5);
	assert_int_equal(read(ctl, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(write(ctl, "flows", 5), 5);
	assert_int_equal(read(ovs, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "flows", 5);
	/* The controller hangs up: so does the relay. */
	close(ctl);
	assert_int_equal(read(ovs, buf, sizeof(buf)), 0);
	close(ovs);
	close(lfd);
	relay_stop(r);
	assert_int_equal(access(sock_path(), F_OK), -1);
}

static void test_no_controller_closes_the_connection(void **state)
{
	struct relay *r;
	char buf[4];
	int port, lfd = tcp_listener(&port), ovs;

	(void)state;
	close(lfd);	/* nothing listens there now */
	r = relay_start(sock_path(), "127.0.0.1", port, NULL);
	assert_non_null(r);
	ovs = unix_connect();
	assert_int_equal(read(ovs, buf, sizeof(buf)), 0);
	close(ovs);
	relay_stop(r);
}

static void test_bad_address_is_refused(void **state)
{
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	assert_null(relay_start(sock_path(), "10.0.0.256", 6653, &err));
	assert_string_equal(err.msg, "invalid controller address '10.0.0.256'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_go_both_ways),
		cmocka_unit_test(test_no_controller_closes_the_connection),
		cmocka_unit_test(test_bad_address_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
