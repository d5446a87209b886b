/* node/docker.c against a real Docker engine: containers started
 * concurrently, their namespaces, the image command held back until
 * ready, limits in the cgroups, stop, cleanup by label, and the time of
 * ten containers started together or one by one.
 *
 * Everything made here is named tdk-<pid>.* and labelled cnemu.test=tdk;
 * the run tags are tdk-<pid>, tdk-<pid>-dead and tdk-<pid>-live.  Setup
 * and teardown remove every container labelled cnemu.test=tdk.  The tests
 * look inside with /proc, nsenter and the docker CLI (cnemu itself uses
 * neither). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"
#include "node/docker.h"
#include "node/docker_api.h"
#include "node/node.h"
#include "tests/lib/testlib.h"

#define IMAGE "cnemu/busybox:latest"
#define N_BENCH 10

static char tag[32], dead_tag[40], live_tag[40];
static char vol_dir[64];		/* a test's volume; "": none */
static const char *const test_labels[] = { "cnemu.test=tdk" };

static void remove_ours(void)
{
	sh("ids=$(docker ps -aq --filter label=cnemu.test=tdk 2>/dev/null); "
	   "[ -z \"$ids\" ] || docker rm -f -v $ids >/dev/null 2>&1; true");
}

/* Skips the test (skip() in a cmocka setup counts as an error) when there
 * is no engine or no image. */
static void need_docker(void)
{
	if (require_docker())
		return;
	if (sh("docker image inspect " IMAGE " >/dev/null 2>&1"))
		test_skip("no image " IMAGE " (make deps imports it)");
}

static int setup(void **state)
{
	(void)state;
	snprintf(tag, sizeof(tag), "tdk-%d", (int)getpid());
	snprintf(dead_tag, sizeof(dead_tag), "%s-dead", tag);
	snprintf(live_tag, sizeof(live_tag), "%s-live", tag);
	remove_ours();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_ours();
	if (*vol_dir)
		sh("rm -rf %s", vol_dir);
	*vol_dir = '\0';
	return 0;
}

static struct node *make(const char *name, const char *dcmd)
{
	struct docker_opts o = { .dimage = IMAGE, .dcmd = dcmd,
				 .labels = test_labels, .n_labels = 1,
				 .run_tag = tag };
	struct emu_err err = { 0 };
	struct node *n = docker_create(NULL, name, &o, &err);

	if (!n)
		fail_msg("docker_create: %s", err.msg);
	return n;
}

static void start(struct node **nodes, size_t n)
{
	struct emu_err err = { 0 };

	if (nodes[0]->ops->start(nodes, n, &err))
		fail_msg("start: %s", err.msg);
}

static void ready(struct node *node)
{
	struct emu_err err = { 0 };

	if (node->ops->ready(node, &err))
		fail_msg("ready: %s", err.msg);
}

static void stop(struct node **nodes, size_t n)
{
	nodes[0]->ops->stop(nodes, n);
}

static void destroy(struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		node_destroy(nodes[i]);
}

static char *read_file(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *read_file(const char *fmt, ...)
{
	char path[512], *buf = xcalloc(1, 4096);
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "re");
	if (!f) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	fclose(f);
	return buf;
}

static char *comm(pid_t pid)
{
	return read_file("/proc/%d/comm", (int)pid);
}

static bool file_in(pid_t pid, const char *path)
{
	char p[256];

	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, path);
	return access(p, F_OK) == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Names of the interfaces in the network namespace of 'pid'. */
static char *links_of(pid_t pid)
{
	char *dev = read_file("/proc/%d/net/dev", (int)pid), *out, *line;
	size_t len = 0;

	assert_non_null(dev);
	out = xcalloc(1, strlen(dev) + 1);
	line = strchr(dev, '\n');
	line = line ? strchr(line + 1, '\n') : NULL;	/* 2 header lines */
	while (line && *++line) {
		char *colon = strchr(line, ':');

		if (!colon)
			break;
		while (*line == ' ')
			line++;
		len += (size_t)sprintf(out + len, "%s%.*s", len ? " " : "",
				       (int)(colon - line), line);
		line = strchr(colon, '\n');
	}
	free(dev);
	return out;
}

static char *docker_cli(const char *fmt, const char *name)
{
	char *out = sh_out(fmt, name);
	size_t n = strlen(out);

	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

/* Checks State.Running of our container 'name' as the engine has it. */
static void assert_running(const char *name, const char *want)
{
	char *s = sh_out("docker inspect -f '{{.State.Running}}' %s.%s", tag,
			 name);

	if (strcmp(s, want) && (strlen(s) != strlen(want) + 1 ||
				strncmp(s, want, strlen(want))))
		fail_msg("'%s.%s' running: '%s', want '%s'", tag, name, s,
			 want);
	free(s);
}

static void test_two_containers_start_with_only_lo_and_wait_for_ready(
	void **state)
{
	struct node *nodes[2];
	struct stat ours, theirs;
	char name[64], *s;
	pid_t p1, p2;

	(void)state;
	need_docker();
	nodes[0] = make("d1", "sh -c 'touch /tmp/ran; exec sleep 1000'");
	nodes[1] = make("d2", NULL);
	start(nodes, 2);
	for (int i = 0; i < 2; i++) {
		assert_true(node_is_running(nodes[i]));
		assert_true(nodes[i]->pid > 0);
		assert_true(nodes[i]->nsfd >= 0);
		assert_non_null(docker_id(nodes[i]));
		assert_int_equal(strlen(docker_id(nodes[i])), 64);
	}
	p1 = nodes[0]->pid;
	p2 = nodes[1]->pid;
	snprintf(name, sizeof(name), "%s.d1", tag);
	assert_string_equal(docker_container_name(nodes[0]), name);

	/* Its own network namespace, with nothing but lo. */
	assert_int_equal(stat("/proc/self/ns/net", &ours), 0);
	assert_int_equal(fstat(nodes[0]->nsfd, &theirs), 0);
	assert_true(ours.st_ino != theirs.st_ino);
	s = links_of(p1);
	assert_string_equal(s, "lo");
	free(s);
	s = links_of(p2);
	assert_string_equal(s, "lo");
	free(s);

	/* Labels and name as the engine has them. */
	s = docker_cli("docker inspect -f "
		       "'{{index .Config.Labels \"cnemu.run\"}} "
		       "{{index .Config.Labels \"cnemu.node\"}} "
		       "{{.HostConfig.NetworkMode}} {{.Config.Hostname}}' %s",
		       name);
	assert_non_null(strstr(s, " d1 none d1"));
	assert_true(str_starts_with(s, tag));
	free(s);

	/* Held back: cnemu-init waits, the command has not run. */
	sleep_ms(300);
	s = comm(p1);
	assert_string_equal(s, ".cnemu-init");
	free(s);
	assert_false(file_in(p1, "/tmp/ran"));
	assert_true(file_in(p1, "/.cnemu-init"));

	ready(nodes[0]);
	for (int i = 0; i < 100 && !file_in(p1, "/tmp/ran"); i++)
		sleep_ms(20);
	assert_true(file_in(p1, "/tmp/ran"));
	for (int i = 0; i < 100; i++) {
		s = comm(p1);
		if (!strcmp(s, "sleep"))
			break;
		free(s);
		s = NULL;
		sleep_ms(20);
	}
	assert_non_null(s);	/* sh went on to exec sleep */
	free(s);
	assert_int_equal(nodes[0]->pid, p1);	/* exec kept pid 1 */

	/* No dcmd: the image's /bin/sh stays up on its TTY. */
	ready(nodes[1]);
	sleep_ms(300);
	s = comm(p2);
	assert_string_equal(s, "sh");
	free(s);
	assert_running("d2", "true");

	/* Inside: its hostname, and /proc of its own pid namespace. */
	s = sh_out("nsenter -t %d -u -m -p hostname", (int)p1);
	assert_string_equal(s, "d1\n");
	free(s);
	s = sh_out("nsenter -t %d -m -p -n sh -c 'ip -o link | wc -l'",
		   (int)p1);
	assert_string_equal(s, "1\n");
	free(s);

	/* node_run() enters the container through node->pid: its hostname,
	 * its /proc (pid namespace), busybox's sh. */
	{
		struct emu_err err = { 0 };
		char *out = NULL;

		if (node_run(nodes[0], "hostname; cat /proc/1/comm; ls /sys "
				       "/proc/net/dev >/dev/null && echo ok",
			     &out, &err))
			fail_msg("node_run: %s", err.msg);
		assert_string_equal(out, "d1\nsleep\nok\n");
		free(out);
	}

	/* ready twice is harmless. */
	ready(nodes[0]);

	/* Killed behind cnemu's back: no longer alive, stop still cleans. */
	assert_true(docker_is_alive(nodes[1]));
	assert_int_equal(sh("docker kill %s.d2 >/dev/null", tag), 0);
	for (int i = 0; i < 100 && docker_is_alive(nodes[1]); i++)
		sleep_ms(20);
	assert_false(docker_is_alive(nodes[1]));
	assert_true(docker_is_alive(nodes[0]));

	stop(nodes, 2);
	assert_false(node_is_running(nodes[0]));
	assert_int_equal(nodes[0]->nsfd, -1);
	s = sh_out("docker ps -aq --filter name=%s.", tag);
	assert_string_equal(s, "");
	free(s);
	destroy(nodes, 2);
}

static void test_command_that_cannot_run_fails_at_ready(void **state)
{
	struct node *n = make("bad", "/no/such/program --now");
	struct emu_err err = { 0 };

	(void)state;
	need_docker();
	start(&n, 1);
	assert_int_equal(n->ops->ready(n, &err), -ECHILD);
	print_message("    error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "exited at once (status 127)"));
	assert_non_null(strstr(err.msg, "cannot run '/no/such/program'"));
	stop(&n, 1);
	destroy(&n, 1);
	assert_int_equal(sh("[ -z \"$(docker ps -aq --filter name=%s.bad)\" ]",
			    tag),
			 0);
}

static void test_missing_image_and_engine_say_so_in_one_line(void **state)
{
	struct docker_opts o = { .dimage = "tdk-no-such-image:1",
				 .labels = test_labels, .n_labels = 1,
				 .run_tag = tag };
	struct emu_err err = { 0 };
	struct node *n = docker_create(NULL, "x", &o, &err);
	const char *old = getenv("DOCKER_HOST");
	char *saved = old ? xstrdup(old) : NULL;

	(void)state;
	need_docker();
	assert_non_null(n);
	assert_int_equal(n->ops->start(&n, 1, &err), -ENOENT);
	print_message("    error: %s\n", err.msg);
	assert_true(str_starts_with(err.msg, "image 'tdk-no-such-image:1' is "
					     "not there and cannot be pulled"));
	assert_false(node_is_running(n));

	setenv("DOCKER_HOST", "unix:///nonexistent/tdk-docker.sock", 1);
	emu_err_clear(&err);
	assert_int_equal(n->ops->start(&n, 1, &err), -ENOENT);
	assert_string_equal(err.msg,
			    "cannot reach the Docker engine at "
			    "/nonexistent/tdk-docker.sock: No such file or "
			    "directory (start dockerd, e.g. with 'make "
			    "deps')");
	if (saved)
		setenv("DOCKER_HOST", saved, 1);
	else
		unsetenv("DOCKER_HOST");
	free(saved);
	node_destroy(n);
}

/* The cgroup v1 file 'file' of controller 'ctrl' of 'pid'; on cgroup v2
 * the file 'file2' (NULL: none). */
static char *cgroup_read(pid_t pid, const char *ctrl, const char *file,
			 const char *file2)
{
	char *cg = read_file("/proc/%d/cgroup", (int)pid), *line, *save = NULL;
	char *out = NULL;

	assert_non_null(cg);
	for (line = strtok_r(cg, "\n", &save); line && !out;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':')
						      : NULL;
		char ctrls[128], have[132], want[64];

		if (!c2)
			continue;
		snprintf(ctrls, sizeof(ctrls), "%.*s", (int)(c2 - c1 - 1),
			 c1 + 1);
		if (!*ctrls) {
			if (file2)
				out = read_file("/sys/fs/cgroup%s/%s", c2 + 1,
						file2);
			continue;
		}
		snprintf(have, sizeof(have), ",%s,", ctrls);
		snprintf(want, sizeof(want), ",%s,", ctrl);
		if (!strstr(have, want))
			continue;
		out = read_file("/sys/fs/cgroup/%s%s/%s", ctrls, c2 + 1, file);
		if (!out)
			out = read_file("/sys/fs/cgroup/%s%s/%s", ctrl, c2 + 1,
					file);
	}
	free(cg);
	return out;
}

static void assert_cgroup(pid_t pid, const char *ctrl, const char *file,
			  const char *want)
{
	char *v = cgroup_read(pid, ctrl, file, NULL);

	if (!v)
		fail_msg("no cgroup file %s of %s for pid %d", file, ctrl,
			 (int)pid);
	if (strcmp(v, want))
		fail_msg("%s: '%s', want '%s'", file, v, want);
	free(v);
}

static void test_limits_are_in_the_cgroup_and_update_at_runtime(
	void **state)
{
	struct docker_opts o = { .dimage = IMAGE, .labels = test_labels,
				 .n_labels = 1, .run_tag = tag,
				 .mem_limit = 64 << 20,
				 .cpu_quota = 50000, .cpu_period = 100000,
				 .cpu_shares = 512, .cpuset_cpus = "0" };
	struct emu_err err = { 0 };
	struct node *n = docker_create(NULL, "lim", &o, &err);
	char *v;

	(void)state;
	need_docker();
	assert_non_null(n);
	start(&n, 1);
	ready(n);
	v = cgroup_read(n->pid, "cpu", "cpu.cfs_quota_us", "cpu.max");
	if (v && strchr(v, ' ')) {
		free(v);
		stop(&n, 1);
		destroy(&n, 1);
		test_skip("cgroup v2: the checks here read cgroup v1 files");
		return;
	}
	free(v);
	assert_cgroup(n->pid, "cpu", "cpu.cfs_quota_us", "50000");
	assert_cgroup(n->pid, "cpu", "cpu.cfs_period_us", "100000");
	assert_cgroup(n->pid, "cpu", "cpu.shares", "512");
	assert_cgroup(n->pid, "cpuset", "cpuset.cpus", "0");
	assert_cgroup(n->pid, "memory", "memory.limit_in_bytes", "67108864");

	if (docker_update_cpu(n, 25000, 50000, 256, "1", &err))
		fail_msg("docker_update_cpu: %s", err.msg);
	assert_cgroup(n->pid, "cpu", "cpu.cfs_quota_us", "25000");
	assert_cgroup(n->pid, "cpu", "cpu.cfs_period_us", "50000");
	assert_cgroup(n->pid, "cpu", "cpu.shares", "256");
	assert_cgroup(n->pid, "cpuset", "cpuset.cpus", "1");
	/* -1: no quota; zeros leave the rest. */
	if (docker_update_cpu(n, -1, 0, 0, NULL, &err))
		fail_msg("docker_update_cpu: %s", err.msg);
	assert_cgroup(n->pid, "cpu", "cpu.cfs_quota_us", "-1");
	assert_cgroup(n->pid, "cpu", "cpu.shares", "256");

	if (docker_update_memory(n, 96 << 20, 0, &err))
		fail_msg("docker_update_memory: %s", err.msg);
	assert_cgroup(n->pid, "memory", "memory.limit_in_bytes", "100663296");
	/* Above the swap limit set at create (2 x 64m): swap is lifted. */
	if (docker_update_memory(n, 256 << 20, 0, &err))
		fail_msg("docker_update_memory: %s", err.msg);
	assert_cgroup(n->pid, "memory", "memory.limit_in_bytes", "268435456");

	assert_int_equal(docker_update_cpu(n, 5, 0, 0, NULL, &err), -EINVAL);
	assert_int_equal(docker_update_memory(n, 1 << 30, 1 << 20, NULL),
			 -EINVAL);
	stop(&n, 1);
	emu_err_clear(&err);
	assert_int_equal(docker_update_cpu(n, 1000, 0, 0, NULL, &err),
			 -ENETDOWN);
	destroy(&n, 1);
}

static void test_volume_environment_and_keep(void **state)
{
	static const char *const env[] = { "TDK_GREETING=hello there" };
	char *dir = vol_dir, vol[128], *s;
	const char *vols[1] = { vol };
	struct docker_opts o = { .dimage = IMAGE, .labels = test_labels,
				 .n_labels = 1, .run_tag = tag,
				 .environment = env, .n_environment = 1,
				 .volumes = vols, .n_volumes = 1,
				 .keep = true, .hostname = "kept-host",
				 .dcmd = "sh -c 'echo \"$TDK_GREETING\" > "
					 "/data/out; exec sleep 1000'" };
	struct emu_err err = { 0 };
	struct node *n;

	(void)state;
	need_docker();
	snprintf(vol_dir, sizeof(vol_dir), "/tmp/tdk-vol.XXXXXX");
	assert_non_null(mkdtemp(vol_dir));
	snprintf(vol, sizeof(vol), "%s:/data", dir);
	n = docker_create(NULL, "vol", &o, &err);
	assert_non_null(n);
	start(&n, 1);
	ready(n);
	s = NULL;
	for (int i = 0; i < 100; i++) {
		s = read_file("%s/out", dir);
		if (s && *s)
			break;
		free(s);
		s = NULL;
		sleep_ms(20);
	}
	assert_non_null(s);
	assert_string_equal(s, "hello there");
	free(s);
	s = sh_out("nsenter -t %d -u hostname", (int)n->pid);
	assert_string_equal(s, "kept-host\n");
	free(s);
	stop(&n, 1);
	/* Kept: stopped, still there. */
	assert_running("vol", "false");
	destroy(&n, 1);
}

static bool tdk_dead(const char *run, void *aux)
{
	/* Only our own dead run: other runs on this machine are alive. */
	return !strcmp(run, (const char *)aux);
}

static void test_cleanup_removes_only_labelled_dead_runs(void **state)
{
	struct emu_err err = { 0 };
	char *s;
	int n;

	(void)state;
	need_docker();
	assert_int_equal(sh("docker create --name %s.x --label cnemu.run=%s "
			    "--label cnemu.test=tdk --network none " IMAGE
			    " >/dev/null && "
			    "docker create --name %s.y --label cnemu.run=%s "
			    "--label cnemu.test=tdk --network none " IMAGE
			    " >/dev/null && "
			    "docker run -d --name %s.z --label cnemu.run=%s "
			    "--label cnemu.test=tdk --network none " IMAGE
			    " sleep 1000 >/dev/null && "
			    "docker run -d --name %s-nolabel "
			    "--label cnemu.test=tdk --network none " IMAGE
			    " sleep 1000 >/dev/null",
			    dead_tag, dead_tag, dead_tag, dead_tag, live_tag,
			    live_tag, tag),
			 0);
	n = docker_cleanup(NULL, tdk_dead, dead_tag, 0, NULL, NULL, &err);
	if (n < 0)
		fail_msg("docker_cleanup: %s", err.msg);
	assert_int_equal(n, 2);
	s = sh_out("docker ps -a --format '{{.Names}}' "
		   "--filter label=cnemu.test=tdk | sort | tr '\\n' ' '");
	{
		char want[256];

		snprintf(want, sizeof(want), "%s-live.z %s-nolabel ", tag, tag);
		assert_string_equal(s, want);
	}
	free(s);
	/* A named run goes whatever is_dead says; the unlabelled stays. */
	n = docker_cleanup(live_tag, NULL, NULL, 0, NULL, NULL, &err);
	assert_int_equal(n, 1);
	s = sh_out("docker ps -a --format '{{.Names}}' "
		   "--filter label=cnemu.test=tdk");
	assert_true(str_starts_with(s, tag));
	assert_non_null(strstr(s, "-nolabel"));
	assert_null(strchr(s, ' '));
	free(s);
	assert_int_equal(docker_cleanup(live_tag, NULL, NULL, 0, NULL, NULL, NULL), 0);
}

static double seconds_since(unsigned long long t0)
{
	return (double)(now_us() - t0) / 1e6;
}

static void test_ten_containers_start_faster_together(void **state)
{
	struct node *nodes[N_BENCH];
	unsigned long long t0;
	double together, one_by_one, stop_together, stop_one_by_one;
	char name[16];

	(void)state;
	need_docker();
	for (int i = 0; i < N_BENCH; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		nodes[i] = make(name, NULL);
	}
	t0 = now_us();
	start(nodes, N_BENCH);
	for (int i = 0; i < N_BENCH; i++)
		ready(nodes[i]);
	together = seconds_since(t0);
	t0 = now_us();
	stop(nodes, N_BENCH);
	stop_together = seconds_since(t0);

	t0 = now_us();
	for (int i = 0; i < N_BENCH; i++) {
		start(&nodes[i], 1);
		ready(nodes[i]);
	}
	one_by_one = seconds_since(t0);
	t0 = now_us();
	for (int i = 0; i < N_BENCH; i++)
		stop(&nodes[i], 1);
	stop_one_by_one = seconds_since(t0);
	destroy(nodes, N_BENCH);

	printf("    %d containers: start+ready %.2f s together, %.2f s one "
	       "by one (%.1fx); stop %.2f s together, %.2f s one by one\n",
	       N_BENCH, together, one_by_one, one_by_one / together,
	       stop_together, stop_one_by_one);
	fflush(stdout);
	assert_true(together < one_by_one);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_two_containers_start_with_only_lo_and_wait_for_ready),
		T(test_command_that_cannot_run_fails_at_ready),
		T(test_missing_image_and_engine_say_so_in_one_line),
		T(test_limits_are_in_the_cgroup_and_update_at_runtime),
		T(test_volume_environment_and_keep),
		T(test_cleanup_removes_only_labelled_dead_runs),
		T(test_ten_containers_start_faster_together),
	};

	return cmocka_run_group_tests_name("docker", tests, NULL, NULL);
}
