/* emu/attach.c: CLIs attached to a lab over its unix socket, each with a
 * session of its own, one command at a time, answers ended by NUL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/err.h"
#include "emu/attach.h"

struct lab {
	int sessions;		/* made */
	int ended;		/* freed */
	int commands;
};

/* The lab's side: numbers each client's session, echoes its lines. */
static bool lab_run(void *aux, const char *line, FILE *out, void **session)
{
	struct lab *lab = aux;

	if (!*session) {
		int *id = malloc(sizeof(*id));

		*id = ++lab->sessions;
		*session = id;
	}
	lab->commands++;
	if (!strcmp(line, "bye"))
		return false;
	fprintf(out, "session %d ran '%s'\n", *(int *)*session, line);
	return true;
}

static void lab_end(void *aux, void *session)
{
	((struct lab *)aux)->ended++;
	free(session);
}

static char *sock_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/test_attach-%d.sock", (int)getpid());
	return path;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock_path());
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends 'line' and reads 'answers' answers, each up to its NUL, into
 * 'buf'. */
static void ask_n(int fd, const char *line, char *buf, size_t size,
		  int answers)
{
	size_t len = 0;
	int nuls = 0;

	assert_int_equal(send(fd, line, strlen(line), 0), (ssize_t)strlen(line));
	while (nuls < answers) {
		ssize_t n = recv(fd, buf + len, size - len - 1, 0);

		assert_true(n > 0);
		for (ssize_t i = 0; i < n; i++)
			nuls += !buf[len + (size_t)i];
		len += (size_t)n;
	}
}

static void ask(int fd, const char *line, char *buf, size_t size)
{
	ask_n(fd, line, buf, size, 1);
}

static void test_each_client_has_its_own_session(void **state)
{
	struct lab lab = { 0 };
	struct emu_err err;
	struct attach *a;
	struct stat st;
	char buf[256];
	int x, y;

	(void)state;
	emu_err_clear(&err);
	a = attach_listen(sock_path(), lab_run, lab_end, &lab, &err);
	assert_non_null(a);
	assert_int_equal(stat(sock_path(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	x = raw_connect();
	y = raw_connect();
	ask(x, "nodes\n", buf, sizeof(buf));
	assert_string_equal(buf, "session 1 ran 'nodes'\n");
	ask(y, "net\n", buf, sizeof(buf));
	assert_string_equal(buf, "session 2 ran 'net'\n");
	/* Two lines at once: two answers, in order. */
	ask_n(x, "a\nb\n", buf, sizeof(buf), 2);
	assert_string_equal(buf, "session 1 ran 'a'\n");
	assert_string_equal(buf + strlen(buf) + 1, "session 1 ran 'b'\n");
	assert_int_equal(attach_count(a), 2);
	close(x);
	close(y);
	attach_close(a);
	assert_int_equal(access(sock_path(), F_OK), -1);
	assert_int_equal(lab.sessions, 2);
	assert_int_equal(lab.ended, 2);
	assert_int_equal(lab.commands, 4);
}

static void test_client_sends_lines_and_detaches_at_exit(void **state)
{
	struct lab lab = { 0 };
	char *text = NULL;
	size_t len = 0;
	struct emu_err err;
	struct attach *a;
	FILE *in, *out;

	(void)state;
	a = attach_listen(sock_path(), lab_run, lab_end, &lab, NULL);
	assert_non_null(a);
	in = fmemopen("pingall\nh1 ping -c1 h2\nexit\nnot sent\n", 37, "r");
	out = open_memstream(&text, &len);
	emu_err_clear(&err);
	assert_int_equal(attach_client(sock_path(), in, out, false, NULL, &err),
			 0);
	fclose(out);
	fclose(in);
	assert_string_equal(text, "session 1 ran 'pingall'\n"
				  "session 1 ran 'h1 ping -c1 h2'\n");
	free(text);
	/* 'exit' detaches the client only: the lab serves the next. */
	in = fmemopen("dump\n", 5, "r");
	text = NULL;
	out = open_memstream(&text, &len);
	assert_int_equal(attach_client(sock_path(), in, out, false, NULL, &err),
			 0);
	fclose(out);
	fclose(in);
	assert_string_equal(text, "session 2 ran 'dump'\n");
	free(text);
	attach_close(a);
	assert_int_equal(lab.ended, 2);
}

static void test_run_may_detach_a_client(void **state)
{
	struct lab lab = { 0 };
	struct attach *a;
	char buf[64];
	int fd;

	(void)state;
	a = attach_listen(sock_path(), lab_run, lab_end, &lab, NULL);
	fd = raw_connect();
	ask(fd, "bye\n", buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0);	/* closed */
	close(fd);
	attach_close(a);
	assert_int_equal(lab.ended, 1);
}

static void test_no_lab_there_is_one_line(void **state)
{
	struct emu_err err;

	(void)state;
	emu_err_clear(&err);
	unlink(sock_path());
	assert_int_equal(attach_client(sock_path(), stdin, stdout, false,
				       NULL, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "cannot attach to '"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_client_has_its_own_session),
		cmocka_unit_test(test_client_sends_lines_and_detaches_at_exit),
		cmocka_unit_test(test_run_may_detach_a_client),
		cmocka_unit_test(test_no_lab_there_is_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
