/* The command line, the CLI and the Lua face as Mininet's users meet them:
 * truthful messages after a dead run and for a second Net, signals during
 * the CLI, Mininet's options and commands. */
#include "tests/lib/testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define WAIT_MS 30000

/* Runs cnemu with 'args' (stdin from /dev/null unless 'args' redirects);
 * '*out' gets stdout and stderr (caller frees).  Returns the status. */
static int cnemu(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int cnemu(char **out, const char *fmt, ...)
{
	char args[1024], *o, *st;
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	o = sh_out("%s %s 2>&1 </dev/null; echo \"status=$?\"", test_cnemu(),
		   args);
	st = strrchr(o, '=');
	status = st ? atoi(st + 1) : -1;
	if (out)
		*out = o;
	else
		free(o);
	return status;
}

static void expect_in(const char *out, const char *text)
{
	if (!strstr(out, text))
		fail_msg("expected '%s' in:\n%s", text, out);
}

static int teardown(void **state)
{
	struct test_run *r = *state;

	if (r) {
		test_run_end(r);
		free(r);
	}
	*state = NULL;
	return 0;
}

static struct test_run *new_run(void **state)
{
	struct test_run *r = calloc(1, sizeof(*r));

	*state = r;
	return r;
}

/* After a run was killed, a new one clashed with its names and said only
 * "(one of the names is taken): File exists". */
static void test_clash_with_a_dead_run_says_run_cnemu_c(void **state)
{
	struct test_run *r = new_run(state);
	char *out;

	if (require_ovs())
		return;
	assert_int_equal(test_run_start(r, "%s --topo minimal --switch ovs "
					   "--controller none", test_cnemu()),
			 0);
	assert_true(test_run_expect(r, "*** Started in", WAIT_MS));
	test_run_kill(r, SIGKILL);
	assert_int_equal(test_run_wait(r, WAIT_MS), 128 + SIGKILL);
	assert_int_equal(cnemu(&out, "--topo minimal --switch ovs "
				     "--controller none --test none"),
			 1);
	expect_in(out, "a dead run left it: run cnemu -c");
	free(out);
	/* test_run_end() runs cnemu -c */
}

/* A second Net of one script was refused as "another cnemu run is active
 * (pid <its own pid>)". */
static void test_second_net_of_a_script_says_so(void **state)
{
	char *script, *out;

	(void)state;
	if (require_root())
		return;
	script = test_write_file("tcmdline", ".lua",
		"local a = cnemu.Net{switch = 'lxbr'}\n"
		"a:addHost('h1')\n"
		"a:start()\n"
		"local b = cnemu.Net{switch = 'lxbr'}\n"
		"b:addHost('h2')\n"
		"b:start()\n");
	assert_int_equal(cnemu(&out, "%s", script), 1);
	expect_in(out, ":6: another Net of this script is running: stop it "
		       "first");
	assert_null(strstr(out, "another cnemu run is active"));
	free(out);
	unlink(script);
	free(script);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_clash_with_a_dead_run_says_run_cnemu_c, teardown),
		cmocka_unit_test(test_second_net_of_a_script_says_so),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
