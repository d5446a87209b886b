/* Process identities: the line format, and that an identity names one
 * process only (a child that ended is gone, whoever gets its pid). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"

static void test_identity_line_reads_back(void **state)
{
	struct proc_id id = { .pid = 4242, .start = 123456789ULL }, back;
	char line[PATH_MAX + 64];

	(void)state;
	strcpy(id.exe, "/usr/lib/a dir/cnemu-controller");
	proc_id_format(&id, line, sizeof(line));
	assert_string_equal(line,
			    "4242 123456789 /usr/lib/a dir/cnemu-controller");
	assert_int_equal(proc_id_parse(line, &back), 0);
	assert_int_equal(back.pid, 4242);
	assert_true(back.start == 123456789ULL);
	assert_string_equal(back.exe, id.exe);
	/* A file's newline ends it; no executable is allowed. */
	assert_int_equal(proc_id_parse("7 9\n", &back), 0);
	assert_int_equal(back.pid, 7);
	assert_string_equal(back.exe, "");
}

static void test_bad_identity_lines_are_refused(void **state)
{
	static const char *const bad[] = { "", "x 1 /a", "12", "12 x /a",
					   "-3 1 /a", "0 1 /a", "12 1x /a",
					   "99999999999 1 /a" };
	struct proc_id id;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proc_id_parse(bad[i], &id), -EINVAL);
}

/* Field 22 of /proc/self/stat, read plainly (our name has no spaces). */
static unsigned long long start_from_stat(void)
{
	unsigned long long v = 0;
	char field[64];
	FILE *f = fopen("/proc/self/stat", "r");

	assert_non_null(f);
	for (int i = 1; i <= 22; i++)
		assert_int_equal(fscanf(f, "%63s", field), 1);
	fclose(f);
	sscanf(field, "%llu", &v);
	return v;
}

static void test_own_identity_lives_and_a_changed_one_does_not(void **state)
{
	struct proc_id id, other;
	char *big;

	(void)state;
	assert_int_equal(proc_id_of(getpid(), &id), 0);
	assert_true(id.start > 0);
	assert_true(id.start == start_from_stat());
	/* What changes in a process's life does not change who it is. */
	big = malloc(64 << 20);
	assert_non_null(big);
	memset(big, 1, 64 << 20);
	assert_true(proc_id_alive(&id));
	free(big);
	assert_non_null(strstr(id.exe, "test_proc"));
	assert_true(proc_id_alive(&id));
	/* Same pid, another start time: some other process. */
	other = id;
	other.start++;
	assert_false(proc_id_alive(&other));
	assert_int_equal(proc_id_open(&other), -ESRCH);
	/* Same pid and start, another program. */
	other = id;
	strcpy(other.exe, "/bin/true");
	assert_false(proc_id_alive(&other));
}

static void test_ended_child_is_gone_and_never_signalled(void **state)
{
	struct proc_id id;
	pid_t pid = fork();
	int status;

	(void)state;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(proc_id_of(pid, &id), 0);
	assert_true(proc_id_alive(&id));
	/* Ended through its identity: SIGTERM does it. */
	assert_int_equal(proc_id_end(&id, 1000), 0);
	assert_true(proc_wait_child(pid, 5000, &status));
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_false(proc_id_alive(&id));
	assert_int_equal(proc_id_end(&id, 0), -ESRCH);
}

static void test_child_ignoring_sigterm_is_killed_after_the_grace(
	void **state)
{
	int sync[2], status;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(sync), 0);
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	close(sync[1]);
	status = proc_end_child(pid, false, SIGTERM, 50);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

/* A machine's /proc as an agent in a container of its own sees it bound:
 * 'self' and one process, 4321, started at tick 777 from
 * /usr/local/bin/cnemu. */
static char *fake_machine_proc(void)
{
	char *dir = strdup("/tmp/cnemu-test-proc.XXXXXX"), path[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/self", dir);
	assert_int_equal(symlink("4321", path), 0);
	snprintf(path, sizeof(path), "%s/4321", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/4321/exe", dir);
	assert_int_equal(symlink("/usr/local/bin/cnemu", path), 0);
	snprintf(path, sizeof(path), "%s/4321/stat", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* pid (comm) state, then fields 4..21, then 22: the start */
	fprintf(f, "4321 (cnemu x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		   "777 0 0\n");
	fclose(f);
	return dir;
}

static void remove_fake_machine_proc(char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_machine_pid_is_own_pid_without_a_machine_proc(void **state)
{
	struct proc_id id, self;

	(void)state;
	proc_set_machine_root("/proc");
	assert_int_equal(proc_machine_pid(), getpid());
	assert_int_equal(proc_machine_id_of(getpid(), &id), 0);
	assert_int_equal(proc_id_of(getpid(), &self), 0);
	assert_int_equal(id.start, self.start);
	assert_true(proc_machine_id_alive(&id));
}

static void test_machine_pid_and_liveness_read_the_machine_proc(void **state)
{
	char *dir = fake_machine_proc();
	struct proc_id id;

	(void)state;
	proc_set_machine_root(dir);
	assert_int_equal(proc_machine_pid(), 4321);
	assert_int_equal(proc_machine_id_of(4321, &id), 0);
	assert_int_equal(id.start, 777);
	assert_string_equal(id.exe, "/usr/local/bin/cnemu");
	assert_true(proc_machine_id_alive(&id));
	/* Another process with that pid now, or none. */
	id.start = 778;
	assert_false(proc_machine_id_alive(&id));
	id.start = 777;
	id.pid = 4322;
	assert_false(proc_machine_id_alive(&id));
	proc_set_machine_root("/proc");
	remove_fake_machine_proc(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_line_reads_back),
		cmocka_unit_test(
			test_machine_pid_is_own_pid_without_a_machine_proc),
		cmocka_unit_test(
			test_machine_pid_and_liveness_read_the_machine_proc),
		cmocka_unit_test(test_bad_identity_lines_are_refused),
		cmocka_unit_test(
			test_own_identity_lives_and_a_changed_one_does_not),
		cmocka_unit_test(test_ended_child_is_gone_and_never_signalled),
		cmocka_unit_test(
			test_child_ignoring_sigterm_is_killed_after_the_grace),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
