/* cnemu over the simulated three-machine Swarm (tests/cluster/): the
 * manager runs inside machine m1, the Swarm's manager, as a user runs it
 * there ('cnemu --cluster swarm ...').
 *
 * --plan lists the Swarm's machines, places the topology, prints it and
 * starts nothing; without a Swarm manager it says so in one line.
 *
 * The tests run in order on one bed (bringing it up costs seconds): the
 * first brings it up, the last removes it and checks it left nothing; the
 * group teardown removes it whatever failed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/bed.h"
#include "tests/lib/testlib.h"

#define IMAGE "cnemu/busybox:latest"

static char cwd[4096];
static bool bed_made;

static void need_bed(void)
{
	if (require_bed() || require_docker())
		return;
	if (sh("docker image inspect " IMAGE " >/dev/null 2>&1"))
		test_skip("no image " IMAGE " (make deps imports it)");
}

/* Runs "cnemu ARGS" inside machine 'i' from this checkout, stdout and
 * stderr together, then "exit=<status>". */
static char *cnemu_in(int i, const char *args)
{
	return bed_sh_out(i, "cd %s && %s %s 2>&1; echo \"exit=$?\"", cwd,
			  test_cnemu(), args);
}

/* The lines of 'out' that are not empty, not counting "exit=". */
static size_t count_lines(const char *out)
{
	size_t n = 0;

	for (const char *p = out; *p;) {
		const char *e = strchrnul(p, '\n');

		if (e > p && strncmp(p, "exit=", 5))
			n++;
		p = *e ? e + 1 : e;
	}
	return n;
}

/* What of a run is on machine 'i': containers, services, secrets of the
 * Swarm and cnemu's namespaces; "" when nothing. */
static char *run_objects(int i)
{
	return bed_sh_out(i, "docker ps -aq; "
			     "docker service ls -q 2>/dev/null; "
			     "docker secret ls -q 2>/dev/null; "
			     "ip netns list | grep ^cn || true");
}

static void expect_nothing_on_machines(void)
{
	for (int i = 1; i <= BED_MACHINES; i++) {
		char *left = run_objects(i);

		if (*left)
			fail_msg("machine m%d holds:\n%s", i, left);
		free(left);
	}
}

static void test_bed_comes_up(void **state)
{
	static const char *const images[] = { IMAGE, NULL };

	(void)state;
	need_bed();
	bed_made = true;
	assert_int_equal(bed_up(images), 0);
}

static void test_plan_places_a_tree_over_three_machines(void **state)
{
	char *out;

	(void)state;
	need_bed();
	out = cnemu_in(1, "--cluster swarm --plan --topo tree,depth=2,fanout=4"
			  " --switch lxbr --controller none");
	expect_status(out, test_exit_status(out), 0);
	expect_has(out, "*** Placement of 21 nodes over 3 machines");
	for (int i = 1; i <= BED_MACHINES; i++)
		expect_matches(out, i == 1 ? "^m1 +[0-9]+ " :
				    i == 2 ? "^m2 +[0-9]+ " : "^m3 +[0-9]+ ");
	expect_matches(out, "^h16 +m[123]$");
	expect_matches(out, "^\\*\\*\\* Cut links: [1-9][0-9]* ");
	expect_matches(out, "<-> m[123] +no rate +vni [0-9]+$");
	expect_lacks(out, "error");
	free(out);
	expect_nothing_on_machines();
}

static void test_plan_honours_pins_of_a_script(void **state)
{
	char *script, *out, *args;

	(void)state;
	need_bed();
	script = test_write_file(
		"tcl", ".lua",
		"local net = cnemu.Net{}\n"
		"local d1 = net:addDocker('d1', {ip = '10.0.0.251', "
		"dimage = '" IMAGE "', placement = 'm2'})\n"
		"local d2 = net:addDocker('d2', {ip = '10.0.0.252', "
		"dimage = '" IMAGE "', placement = 'm3'})\n"
		"local s1 = net:addSwitch('s1', {placement = 'm2'})\n"
		"local s2 = net:addSwitch('s2', {placement = 'm3'})\n"
		"net:addLink(d1, s1)\n"
		"net:addLink(s1, s2, {delay = '100ms', bw = 1})\n"
		"net:addLink(s2, d2)\n"
		"net:start()\n"
		"net:CLI()\n"
		"net:stop()\n");
	if (asprintf(&args, "--cluster swarm --plan --switch lxbr "
			    "--controller none %s", script) < 0)
		abort();
	out = cnemu_in(1, args);
	expect_status(out, test_exit_status(out), 0);
	expect_matches(out, "^d1 +m2  \\(placement m2\\)$");
	expect_matches(out, "^d2 +m3  \\(placement m3\\)$");
	expect_has(out, "*** Cut links: 1 ");
	expect_matches(out, "^s1-eth2 <-> s2-eth1  m2 <-> m3  1 Mbit/s  vni");
	free(out);
	free(args);
	expect_nothing_on_machines();

	/* A pin naming no machine: one line, the script's Net unmade. */
	sh("sed -i \"s/placement = 'm3'})/placement = 'm9'})/\" %s", script);
	if (asprintf(&args, "--cluster swarm --plan --switch lxbr "
			    "--controller none %s", script) < 0)
		abort();
	out = cnemu_in(1, args);
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "placement 'm9' names no machine");
	assert_int_equal(count_lines(out), 1);
	free(out);
	free(args);
	unlink(script);
	free(script);
	expect_nothing_on_machines();
}

static void test_plan_without_a_swarm_manager_says_so(void **state)
{
	char *out;

	(void)state;
	need_bed();
	/* m2 is a worker of the Swarm: no manager there. */
	out = cnemu_in(2, "--cluster swarm --plan --topo tree,depth=2");
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "cnemu: --plan: cannot list the Swarm's machines: ");
	expect_has(out, "not a swarm manager");
	assert_int_equal(count_lines(out), 1);
	free(out);
	/* No engine at all. */
	out = sh_out("DOCKER_HOST=unix:///run/tcl-%d.sock %s --cluster swarm "
		     "--plan --topo tree,depth=2 2>&1; echo \"exit=$?\"",
		     (int)getpid(), test_cnemu());
	expect_status(out, test_exit_status(out), 1);
	expect_has(out, "cannot reach the Docker engine");
	assert_int_equal(count_lines(out), 1);
	free(out);
}

static void test_bed_goes_down_leaving_nothing(void **state)
{
	char *left;

	(void)state;
	need_bed();
	assert_int_equal(bed_down(), 0);
	bed_made = false;
	left = bed_leftovers();
	if (*left)
		fail_msg("the bed left:\n%s", left);
	free(left);
}

static int group_setup(void **state)
{
	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (bed_made)
		bed_down();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bed_comes_up),
		cmocka_unit_test(test_plan_places_a_tree_over_three_machines),
		cmocka_unit_test(test_plan_honours_pins_of_a_script),
		cmocka_unit_test(test_plan_without_a_swarm_manager_says_so),
		cmocka_unit_test(test_bed_goes_down_leaving_nothing),
	};

	return cmocka_run_group_tests_name("cluster", tests, group_setup,
					   group_teardown);
}
