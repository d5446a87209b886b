/* Commands in nodes and containers, and the traffic tools, end to end: a
 * real cnemu runs Lua scripts on Linux bridges with containers through
 * Docker.
 *   - a container's background command, popen and the CLI's '&' return
 *     at once with the command's own pid;
 *   - iperf with a container on either side, and iperfudp on links with
 *     10 % and 50 % loss, give figures every time;
 *   - commands in a container run with the image's Env plus the node's
 *     environment, its WorkingDir and User (as docker exec);
 *   - a container's own process finds its name and fails other lookups at
 *     once (no resolver timeout in the emulated network);
 *   - network modes that share another namespace are refused, and the
 *     machine's namespace is left as it was.
 * The test image cnemu-test/exec:<pid> (busybox with glibc's getent, ENV,
 * WORKDIR and USER) is built locally and removed at the end; scripts are
 * /tmp/texec-<pid>-<n>.lua. */
#include "tests/lib/testlib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/runs.h"

#define BUSYBOX "cnemu/busybox:latest"
#define RUN_MS 240000		/* a script ends within this */

static char image[64];		/* the test image; "": not built */
static char build_dir[] = "/tmp/texec.XXXXXX";
static struct test_run run;	/* the script in progress */

/* Builds the test image from the machine's busybox image and getent with
 * its two libraries. */
static int build_image(void)
{
	snprintf(image, sizeof(image), "cnemu-test/exec:%d", (int)getpid());
	if (!mkdtemp(build_dir))
		return -1;
	if (sh("cd %s && cp -L /usr/bin/getent "
	       "/lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 . "
	       "&& printf 'hosts: files dns\\n' > nsswitch.conf && "
	       "printf '%%s\\n' 'FROM " BUSYBOX "' "
	       "'COPY getent /usr/bin/getent' "
	       "'COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6' "
	       "'COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2' "
	       "'COPY nsswitch.conf /etc/nsswitch.conf' "
	       "'ENV FOO=image BAR=fromimage' 'WORKDIR /work' "
	       "'USER 1000:1000' > Dockerfile && "
	       "DOCKER_BUILDKIT=0 docker build -q -t %s . >/dev/null 2>&1",
	       build_dir, image)) {
		*image = '\0';
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	run.in_fd = run.out_fd = -1;
	run.status = -1;
	if (geteuid() || sh("timeout 10 docker info >/dev/null 2>&1") ||
	    sh("docker image inspect " BUSYBOX " >/dev/null 2>&1"))
		return 0;	/* each test says why it skips */
	if (build_image())
		printf("cannot build the test image in %s\n", build_dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (*image)
		sh("docker rmi -f %s >/dev/null 2>&1", image);
	sh("rm -rf %s", build_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_run_end(&run);
	return 0;
}

/* Skips without root, Docker or the test image. */
static bool need_image(void)
{
	if (require_root() || require_docker())
		return false;
	if (!*image) {
		test_skip("the test image could not be built from " BUSYBOX);
		return false;
	}
	return true;
}

/* Runs cnemu with 'args' on the script 'lua' (then 'input' on its
 * stdin), checks that it exits 'want' and leaves nothing; returns its
 * output (owned by 'run'). */
static const char *run_script(const char *args, const char *lua,
			      const char *input, int want)
{
	char *path = test_write_file("texec", ".lua", lua), *left;
	pid_t pid;
	int status;

	test_wait_idle(60000);
	if (test_run_start(&run, "%s --switch lxbr %s %s", test_cnemu(),
			   args ? args : "", path))
		fail_msg("cannot start cnemu");
	if (input)
		test_run_send(&run, "%s", input);
	pid = run.pid;
	status = test_run_wait(&run, RUN_MS);
	unlink(path);
	free(path);
	if (status != want)
		fail_msg("cnemu exited %d, not %d:\n%s", status, want, run.out);
	left = test_run_leftovers(pid, 5000);
	if (*left)
		fail_msg("the run left:\n%s\n%s", left, run.out);
	free(left);
	return run.out;
}

static void assert_has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("expected '%s' in:\n%s", want, out);
}

/* The number after 'key' in 'out'; fails when there is none. */
static double figure(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	if (!p)
		fail_msg("no '%s' in:\n%s", key, out);
	return atof(p + strlen(key));
}

/* d1 (the busybox image) and h1 on s1. */
#define TOPO_D1_H1                                                         \
	"local net = cnemu.Net{}\n"                                        \
	"local d1 = net:addDocker('d1', {ip = '10.0.0.251', dimage = '"    \
	BUSYBOX "'})\n"                                                     \
	"local h1 = net:addHost('h1', {ip = '10.0.0.1'})\n"               \
	"local s1 = net:addSwitch('s1')\n"                                 \
	"net:addLink(d1, s1)\n"                                            \
	"net:addLink(h1, s1)\n"

static void test_background_and_popen_in_a_container_return_at_once(
	void **state)
{
	const char *out, *nspid;

	(void)state;
	if (require_root() || require_docker())
		return;
	out = run_script(
		NULL,
		TOPO_D1_H1
		"net:start()\n"
		"local t0 = cnemu.now()\n"
		"local _, pid = d1:cmd('sleep 5 &')\n"
		"print(string.format('bg-seconds=%.3f', cnemu.now() - t0))\n"
		"local st = io.open('/proc/' .. pid .. '/status'):read('a')\n"
		"print('bg-nspid=' .. st:match('NSpid:%s*([^\\n]*)'))\n"
		"t0 = cnemu.now()\n"
		"local p = d1:popen('echo one; sleep 3; echo two')\n"
		"local first = p()\n"
		"print(string.format('popen-first=%s after %.3f', first, "
		"cnemu.now() - t0))\n"
		"print('popen-second=' .. p())\n"
		"local q = d1:popen('sleep 30')\n"
		"local qpid = q.pid\n"
		"q:kill()\n"
		"print('killed-gone=' .. tostring(io.open('/proc/' .. qpid .. "
		"'/comm') == nil))\n"
		"return net\n",
		/* The CLI's '&' in a container, then a command after it. */
		"d1 sleep 8 &\nlua cli_t0 = cnemu.now()\n"
		"d1 echo after-bg\n"
		"lua print(string.format('cli-seconds=%.3f', cnemu.now() - "
		"cli_t0))\n",
		0);
	if (figure(out, "bg-seconds=") >= 0.5)
		fail_msg("d1:cmd('sleep 5 &') took %.3f s:\n%s",
			 figure(out, "bg-seconds="), out);
	/* The command itself, in the container's pid namespace (a pid
	 * there too), not a process of cnemu's in between. */
	nspid = strstr(out, "bg-nspid=");
	if (!nspid || !memchr(nspid, '\t', strcspn(nspid, "\n")))
		fail_msg("the pid is not the command's:\n%s", out);
	assert_has(out, "popen-first=one after ");
	if (figure(out, "popen-first=one after ") >= 1.0)
		fail_msg("popen did not stream:\n%s", out);
	assert_has(out, "popen-second=two");
	assert_has(out, "killed-gone=true");
	assert_has(out, "after-bg");
	if (figure(out, "cli-seconds=") >= 1.0)
		fail_msg("the CLI waited for 'd1 sleep 8 &':\n%s", out);
}

static void test_iperf_with_a_container_on_either_side(void **state)
{
	const char *out, *p;
	int n = 0;

	(void)state;
	if (require_root() || require_docker())
		return;
	/* The image has neither iperf3 nor iperf: the machine's run in the
	 * container's network namespace. */
	out = run_script(NULL,
			 TOPO_D1_H1
			 "net:start()\n"
			 "print(net:iperf({h1, d1}, {seconds = 1}))\n"
			 "print(net:iperf({d1, h1}, {seconds = 1}))\n"
			 "print(net:iperf({d1, h1}, {seconds = 1, l4Type = "
			 "'UDP'}))\n"
			 "net:stop()\n",
			 NULL, 0);
	for (p = out; (p = strstr(p, "*** Results: ['")); p++)
		n++;
	if (n != 3)
		fail_msg("expected 3 results:\n%s", out);
	if (strstr(out, "error"))
		fail_msg("an error:\n%s", out);
}

static void test_iperfudp_on_lossy_links_gives_figures_every_time(
	void **state)
{
	const char *out, *p;
	int n = 0;

	(void)state;
	if (require_root())
		return;
	/* Mininet's intfoptions example (static ARP, as its
	 * autoStaticArp): 20 runs on a 10 % and on a 50 % link.  Both ends
	 * of a link lose (TCLink), so 50 % leaves about a quarter of the
	 * stream's end exchange. */
	out = run_script(
		"--arp",
		"local net = cnemu.Net{}\n"
		"local h1 = net:addHost('h1')\n"
		"local h2 = net:addHost('h2')\n"
		"local h3 = net:addHost('h3')\n"
		"local s1 = net:addSwitch('s1')\n"
		"net:addLink(h1, s1, {loss = 10})\n"
		"net:addLink(h3, s1, {loss = 50})\n"
		"net:addLink(h2, s1)\n"
		"net:start()\n"
		"for _, src in ipairs({h1, h3}) do\n"
		"  for i = 1, 20 do\n"
		"    local s, c = net:iperf({src, h2}, {l4Type = 'UDP', "
		"seconds = 1})\n"
		"    print(string.format('RATIO %s %.3f', src.name, s / c))\n"
		"  end\n"
		"end\n"
		"net:stop()\n",
		NULL, 0);
	for (p = out; (p = strstr(p, "RATIO ")); p++) {
		bool lossy10 = !strncmp(p, "RATIO h1 ", 9);
		double ratio = atof(p + 9);

		/* 20 x 895 datagrams: well inside these bounds */
		if (lossy10 ? ratio < 0.8 || ratio > 0.97
			    : ratio < 0.3 || ratio > 0.7)
			fail_msg("received/sent %.3f on the %s link:\n%s",
				 ratio, lossy10 ? "10 %" : "50 %", out);
		n++;
	}
	if (n != 40)
		fail_msg("%d of 40 runs gave figures:\n%s", n, out);
}

static void test_commands_run_with_the_image_env_workdir_and_user(
	void **state)
{
	char lua[1024];
	const char *out;

	(void)state;
	if (!need_image())
		return;
	snprintf(lua, sizeof(lua),
		 "local net = cnemu.Net{}\n"
		 "local d1 = net:addDocker('d1', {dimage = '%s', "
		 "environment = {FOO = 'node', BAZ = 'z'}})\n"
		 "net:addLink(d1, net:addSwitch('s1'))\n"
		 "net:start()\n"
		 "io.write('CMD ', (d1:cmd('echo $FOO $BAR $BAZ; pwd; id -u; "
		 "id -g')))\n"
		 "io.write('POPEN ', d1:popen('echo $FOO:$(pwd):$(id -u)'):read(),"
		 " '\\n')\n"
		 "return net\n",
		 image);
	out = run_script(NULL, lua, "d1 echo CLI $FOO $PWD $(id -u)\n", 0);
	assert_has(out, "CMD node fromimage z\n/work\n1000\n1000\n");
	assert_has(out, "POPEN node:/work:1000\n");
	assert_has(out, "CLI node /work 1000\n");
}

static void test_image_process_finds_its_name_and_fails_lookups_at_once(
	void **state)
{
	char lua[1536];
	const char *out;

	(void)state;
	if (!need_image())
		return;
	/* The image's command looks names up, as Python's http.server
	 * (getfqdn) does, before it serves. */
	snprintf(lua, sizeof(lua),
		 "local net = cnemu.Net{}\n"
		 "local d1 = net:addDocker('d1', {ip = '10.0.0.251', "
		 "dimage = '%s', dcmd = \"sh -c 'getent hosts 10.0.0.1; "
		 "getent hosts $(hostname) > /tmp/me; touch /tmp/up; "
		 "exec sleep 1000'\"})\n"
		 "local h1 = net:addHost('h1', {ip = '10.0.0.1'})\n"
		 "local s1 = net:addSwitch('s1')\n"
		 "net:addLink(d1, s1)\n"
		 "net:addLink(h1, s1)\n"
		 "net:start()\n"
		 "local t0 = cnemu.now()\n"
		 "while select(2, d1:cmd('test -e /tmp/up')) ~= 0 and "
		 "cnemu.now() - t0 < 30 do cnemu.sleep(0.02) end\n"
		 "print(string.format('up-after=%%.3f', cnemu.now() - t0))\n"
		 "io.write('ME ', (d1:cmd('cat /tmp/me')))\n"
		 "t0 = cnemu.now()\n"
		 "d1:cmd('getent hosts example.org')\n"
		 "print(string.format('lookup=%%.3f', cnemu.now() - t0))\n"
		 "net:stop()\n",
		 image);
	out = run_script(NULL, lua, NULL, 0);
	assert_has(out, "ME 10.0.0.251      d1\n");
	if (figure(out, "up-after=") > 1.0 || figure(out, "lookup=") > 0.5)
		fail_msg("lookups time out in the container:\n%s", out);
}

static void test_modes_sharing_a_namespace_are_refused_untouched(
	void **state)
{
	static const char *const modes[] = { "host", "container:cnemu-x" };
	char lua[512], *after;
	const char *out;

	(void)state;
	if (require_root() || require_docker())
		return;
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		snprintf(lua, sizeof(lua),
			 "local net = cnemu.Net{}\n"
			 "local d1 = net:addDocker('d1', {ip = "
			 "'10.251.0.1/16', dimage = '" BUSYBOX
			 "', network_mode = '%s'})\n"
			 "net:addLink(d1, net:addSwitch('s1'))\n"
			 "net:start()\n",
			 modes[i]);
		out = run_script(NULL, lua, NULL, 1);
		assert_has(out, "network_mode '");
		assert_has(out, "' is refused: the container would share ");
		test_run_end(&run);
	}
	after = sh_out("ip -o addr show; ip route show; ip -o link show");
	if (strstr(after, "d1-eth0") || strstr(after, "10.251."))
		fail_msg("the machine's namespace was configured:\n%s", after);
	free(after);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_background_and_popen_in_a_container_return_at_once),
		T(test_iperf_with_a_container_on_either_side),
		T(test_iperfudp_on_lossy_links_gives_figures_every_time),
		T(test_commands_run_with_the_image_env_workdir_and_user),
		T(test_image_process_finds_its_name_and_fails_lookups_at_once),
		T(test_modes_sharing_a_namespace_are_refused_untouched),
	};

	return cmocka_run_group_tests_name("exec", tests, group_setup,
					   group_teardown);
}
