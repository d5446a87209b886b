/* Safety of cleanup and stop: 'cnemu -c' takes only what its runs made
 * and noted (a namespace merely named like a run's, a process that got a
 * dead controller's pid and a container made with keep = true survive
 * it), a run whose main process died is over whoever holds its lock, no
 * child of cnemu keeps the machine locked, the link a run gone with its
 * directory left to its controller's socket goes (and nothing named like
 * it that leads elsewhere), the ARP-cache limits come back
 * once the last run relying on them is gone, and a stop never waits for a
 * command that ignores SIGTERM.
 *
 * The "dead runs" are real ones: cnemu started by the test and killed
 * with SIGKILL.  What the tests make on their own is named "sfy*" or
 * carries their own processes; each teardown removes it. */
#include "tests/lib/testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.h"
#include "base/run.h"
#include "tests/lib/runs.h"

#define BUSYBOX "cnemu/busybox:latest"
#define SFY_START_MS 60000
#define SFY_STOP_MS 60000
/* A stop with a command ignoring SIGTERM takes the grace (2 s) and the
 * stop itself; 30 s when the command is waited for. */
#define SFY_STOP_BOUND_S 10.0

static const char *const neigh_files[2] = {
	"/proc/sys/net/ipv4/neigh/default/gc_thresh2",
	"/proc/sys/net/ipv4/neigh/default/gc_thresh3",
};

/* The topologies of the script, picked by its first argument.  Started,
 * they print SFY-STARTED on stderr and give the CLI to stdin (or run
 * what the variant says). */
static const char sfy_script[] =
	"local v = arg[1]\n"
	"local img = '" BUSYBOX "'\n"
	"local net = cnemu.Net{switch = 'lxbr', controller = false}\n"
	"local s = net:addSwitch('sfy1')\n"
	"net:addLink(net:addHost('h1'), s)\n"
	"if v == 'keep' then\n"
	"  net:addLink(net:addDocker('d1', {dimage = img, keep = true}), s)\n"
	"  net:addLink(net:addDocker('d2', {dimage = img}), s)\n"
	"elseif v == 'docker' then\n"
	"  net:addLink(net:addDocker('d1', {dimage = img}), s)\n"
	"end\n"
	"net:start()\n"
	"io.stderr:write('SFY-STARTED\\n')\n"
	"if v == 'keep' then\n"
	"  net:get('d1'):cmd('echo sfy-kept-data > /sfy-kept.txt')\n"
	"  io.stderr:write('SFY-WRITTEN\\n')\n"
	"elseif v == 'execute' then\n"
	"  os.execute('sleep 30')\n"
	"  io.stderr:write('SFY-EXECUTED\\n')\n"
	"  return\n"
	"end\n"
	"return net\n";

static char sfy_dir[] = "/tmp/sfy.XXXXXX";
static char sfy_path[64];
static struct test_run sfy_run;
/* A process of the test's own (a sleep), ended by the teardowns. */
static pid_t sfy_child;
/* A namespace the test attached, removed by the teardowns. */
static char sfy_netns[64];
/* The root namespace the test attached, removed by the teardowns. */
static char sfy_root_netns[64];
/* A run directory the test made, removed by the teardowns. */
static char sfy_run_dir[64];
/* A plain file the test made in /run/netns, removed by the teardowns. */
static char sfy_plain[96];
/* Files the test made in OVS's run directory ("cn<pid>-sfy*.sock"),
 * removed by the teardowns: 'sfy_ovs_glob' is their shell pattern. */
static char sfy_ovs_glob[96];
/* The containers of a run, removed by the teardowns: "cn<pid>". */
static char sfy_docker_tag[32];
/* Those of a second run. */
static char sfy_docker_tag2[32];
/* The ARP-cache limits before a test changed them; 0: not read. */
static long sfy_neigh[2];

static int sfy_group_setup(void **state)
{
	FILE *f;

	(void)state;
	if (!mkdtemp(sfy_dir))
		return -1;
	snprintf(sfy_path, sizeof(sfy_path), "%s/topo.lua", sfy_dir);
	f = fopen(sfy_path, "w");
	if (!f || fputs(sfy_script, f) < 0 || fclose(f))
		return -1;
	sfy_run.in_fd = sfy_run.out_fd = -1;
	sfy_run.status = -1;
	return 0;
}

static int sfy_group_teardown(void **state)
{
	(void)state;
	unlink(sfy_path);
	rmdir(sfy_dir);
	return 0;
}

/* A number of /proc/sys; 0 when unreadable. */
static long sfy_read_long(const char *path)
{
	long v;

	file_read_long(path, &v);
	return v;
}

static int sfy_teardown(void **state)
{
	(void)state;
	if (sfy_child > 0) {
		kill(sfy_child, SIGKILL);
		waitpid(sfy_child, NULL, 0);
		sfy_child = 0;
	}
	test_run_end(&sfy_run);
	if (sfy_netns[0]) {
		sh("ip netns delete %s 2>/dev/null", sfy_netns);
		sfy_netns[0] = '\0';
	}
	if (sfy_root_netns[0]) {
		/* unmounts the name only: nothing in it is touched */
		sh("ip netns delete %s 2>/dev/null", sfy_root_netns);
		sfy_root_netns[0] = '\0';
	}
	if (sfy_plain[0]) {
		unlink(sfy_plain);
		sfy_plain[0] = '\0';
	}
	if (sfy_run_dir[0]) {
		sh("rm -rf %s", sfy_run_dir);
		sfy_run_dir[0] = '\0';
	}
	if (sfy_ovs_glob[0]) {
		sh("rm -f %s", sfy_ovs_glob);
		sfy_ovs_glob[0] = '\0';
	}
	if (sfy_docker_tag2[0]) {
		sh("docker ps -aq --filter label=cnemu.run=%s | "
		   "xargs -r docker rm -f -v >/dev/null 2>&1",
		   sfy_docker_tag2);
		sfy_docker_tag2[0] = '\0';
	}
	if (sfy_docker_tag[0]) {
		sh("docker ps -aq --filter label=cnemu.run=%s | "
		   "xargs -r docker rm -f -v >/dev/null 2>&1",
		   sfy_docker_tag);
		sfy_docker_tag[0] = '\0';
		/* What the containers held up goes now. */
		sh("timeout 120 %s -c >/dev/null 2>&1", test_cnemu());
	}
	/* The machine's values, whatever state the test failed in. */
	for (int i = 0; i < 2; i++) {
		if (sfy_neigh[i] && sfy_read_long(neigh_files[i]) !=
					    sfy_neigh[i])
			file_write_long(neigh_files[i], sfy_neigh[i]);
		sfy_neigh[i] = 0;
	}
	return 0;
}

static bool sfy_have_docker(void)
{
	return !sh("timeout 10 docker info >/dev/null 2>&1") &&
	       !sh("docker image inspect " BUSYBOX " >/dev/null 2>&1");
}

/* Starts cnemu with 'args' and waits for 'started' in its output. */
static void sfy_start(struct test_run *r, const char *args,
		      const char *started)
{
	test_wait_idle(60000);
	if (test_run_start(r, "%s %s", test_cnemu(), args))
		fail_msg("cannot start cnemu");
	if (!test_run_expect(r, started, SFY_START_MS))
		fail_msg("'%s' did not start:\n%s", args, r->out);
}

/* Starts the script's 'variant'. */
static void sfy_start_script(const char *variant)
{
	char args[128];

	snprintf(args, sizeof(args), "%s %s", sfy_path, variant);
	sfy_start(&sfy_run, args, "SFY-STARTED");
}

/* Kills the run with SIGKILL: a dead run, as a crash leaves it. */
static void sfy_kill_run(void)
{
	test_run_kill(&sfy_run, SIGKILL);
	if (test_run_wait(&sfy_run, 10000) != 128 + SIGKILL)
		fail_msg("cnemu did not die of SIGKILL:\n%s", sfy_run.out);
}

/* Runs 'cnemu -c' with 'args' (a timeout keeps a hang from holding the
 * machine); returns what it printed (caller frees). */
static char *sfy_clean(const char *args)
{
	char *out = sh_out("timeout 120 %s -c %s 2>&1", test_cnemu(), args);

	printf("  cnemu -c %s: %s", args, out);
	return out;
}

/* Starts "sleep 300" as a child of the test; returns its pid. */
static pid_t sfy_spawn_sleep(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	return pid;
}

/* True while the test's child 'pid' lives (not ended, not a zombie). */
static bool sfy_child_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Starts "unshare -n sleep 300" as the test's child (in sfy_child) and
 * waits until it is in its own namespace. */
static void sfy_spawn_foreign_netns(void)
{
	sfy_child = fork();
	if (sfy_child == 0) {
		execlp("unshare", "unshare", "-n", "sleep", "300",
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 50; i++) {
		char *ns = sh_out("readlink /proc/%d/ns/net", (int)sfy_child);
		char *own = sh_out("readlink /proc/self/ns/net");
		bool moved = strcmp(ns, own) != 0;

		free(ns);
		free(own);
		if (moved)
			return;
		usleep(20000);
	}
	fail_msg("unshare -n did not start");
}

/* Appends the record "name dev ino" of /run/netns/'name' to the run
 * directory's namespace file, as the run would ('ino_delta' forges it;
 * -1: the name only, as before the namespace is made). */
static void sfy_note_netns(const char *name, int ino_delta)
{
	struct stat st = { 0 };
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (ino_delta >= 0)
		assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/" RUN_NETNS_FILE, sfy_run_dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "%s %llu %llu\n", name, (unsigned long long)st.st_dev,
		(unsigned long long)st.st_ino + (unsigned long long)ino_delta);
	fclose(f);
}

/* ---- namespaces: only those the run noted ------------------------- */

static void test_foreign_namespace_named_like_a_dead_run_survives_clean(
	void **state)
{
	char *left, *out, path[128];
	pid_t pid;

	(void)state;
	if (require_root())
		return;
	sfy_start(&sfy_run, "--topo minimal --switch lxbr", "*** Started in");
	pid = sfy_run.pid;
	sfy_kill_run();
	/* A namespace of someone else's, with a process inside, attached
	 * under the dead run's prefix. */
	sfy_spawn_foreign_netns();
	snprintf(sfy_netns, sizeof(sfy_netns), "cn%d-sfyx", (int)pid);
	assert_int_equal(sh("ip netns attach %s %d", sfy_netns,
			    (int)sfy_child),
			 0);
	out = sfy_clean("");
	free(out);
	if (!sfy_child_alive(sfy_child))
		fail_msg("cnemu -c killed the process of a namespace it did "
			 "not make");
	snprintf(path, sizeof(path), "/run/netns/%s", sfy_netns);
	if (access(path, F_OK))
		fail_msg("cnemu -c removed the namespace %s it did not make",
			 sfy_netns);
	/* What the run did make is gone. */
	left = test_run_leftovers(pid, 5000);
	if (strncmp(left, "namespace ", 10) ||
	    strncmp(left + 10, sfy_netns, strlen(sfy_netns)) ||
	    strchr(left, '\n') != left + strlen(left) - 1)
		fail_msg("after cnemu -c the run left:\n%s", left);
	free(left);
}

/* Even a record in the run's directory does not make the machine's own
 * namespace a run's: 'cnemu -c' would kill every process in it. */
static void test_root_namespace_is_never_a_runs_own(void **state)
{
	char tag[32];
	pid_t dead;

	(void)state;
	if (require_root())
		return;
	/* A dead run: the tag of a process that ended. */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(tag, sizeof(tag), "cn%d", (int)dead);
	snprintf(sfy_run_dir, sizeof(sfy_run_dir), RUN_DIR "/%s", tag);
	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST)
		fail_msg("cannot make " RUN_DIR);
	if (mkdir(sfy_run_dir, 0755) < 0)
		fail_msg("cannot make %s: %s", sfy_run_dir, strerror(errno));
	snprintf(sfy_root_netns, sizeof(sfy_root_netns), "%s-sfyroot", tag);
	/* The machine's namespace, which this test is in. */
	assert_int_equal(sh("ip netns attach %s %d", sfy_root_netns,
			    (int)getpid()),
			 0);
	sfy_spawn_foreign_netns();
	snprintf(sfy_netns, sizeof(sfy_netns), "%s-sfyx", tag);
	assert_int_equal(sh("ip netns attach %s %d", sfy_netns,
			    (int)sfy_child),
			 0);
	assert_true(run_is_dead(tag));
	/* Unnoted, or noted with another inode: not the run's. */
	assert_int_equal(run_netns_owner(tag, sfy_netns), RUN_NETNS_FOREIGN);
	sfy_note_netns(sfy_netns, 1);
	assert_int_equal(run_netns_owner(tag, sfy_netns), RUN_NETNS_FOREIGN);
	/* Noted as it is: the run's (the check is not always false). */
	sfy_note_netns(sfy_netns, 0);
	assert_int_equal(run_netns_owner(tag, sfy_netns), RUN_NETNS_OWN);
	/* The root namespace, noted as it is: never. */
	sfy_note_netns(sfy_root_netns, 0);
	assert_int_equal(run_netns_owner(tag, sfy_root_netns),
			 RUN_NETNS_FOREIGN);
	/* An empty file with no namespace on it: the run's only when it
	 * noted the name (it died before mounting one there). */
	snprintf(sfy_plain, sizeof(sfy_plain), "/run/netns/%s-sfyplain", tag);
	close(open(sfy_plain, O_CREAT | O_WRONLY, 0));
	assert_int_equal(run_netns_owner(tag, strrchr(sfy_plain, '/') + 1),
			 RUN_NETNS_FOREIGN);
	sfy_note_netns(strrchr(sfy_plain, '/') + 1, -1);
	assert_int_equal(run_netns_owner(tag, strrchr(sfy_plain, '/') + 1),
			 RUN_NETNS_UNMOUNTED);
}

/* ---- processes: by identity, never by pid alone ------------------- */

/* Replaces the pid at the start of the file 'path' by 'pid', keeping what
 * follows it on the line (a start time and executable, where the file
 * holds them). */
static void sfy_rewrite_pid(const char *path, pid_t pid)
{
	char line[4200] = "";
	const char *rest;
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot read %s", path);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	rest = line + strspn(line, "0123456789");
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s", path);
	fprintf(f, "%d%s", (int)pid, *rest ? rest : "\n");
	fclose(f);
}

static void test_recycled_controller_pid_survives_clean(void **state)
{
	char dir[64], path[128], *files, *out;
	pid_t pid;

	(void)state;
	if (require_root() || require_ovs())
		return;
	sfy_start(&sfy_run, "--topo minimal --switch ovs --controller builtin",
		  "*** Started in");
	pid = sfy_run.pid;
	snprintf(dir, sizeof(dir), "/run/cnemu/cn%d", (int)pid);
	sfy_kill_run();
	/* The controller dies with cnemu; wait until it is gone, so that
	 * its pid is free for the kernel to give to anyone. */
	for (int i = 0; i < 100; i++) {
		if (sh("pgrep -f 'cnemu-controller.*%s' >/dev/null", dir))
			break;
		usleep(50000);
	}
	/* A process of ours takes the place of the controller: the pid
	 * files of the dead run now name it. */
	sfy_child = sfy_spawn_sleep();
	files = sh_out("cd %s && ls *.pid *.proc 2>/dev/null | tr '\\n' ' '",
		       dir);
	printf("  run directory: %s\n", files);
	if (!strstr(files, ".pid"))
		fail_msg("no controller pid file in %s: %s", dir, files);
	for (char *save = NULL, *name = strtok_r(files, " ", &save); name;
	     name = strtok_r(NULL, " ", &save)) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		sfy_rewrite_pid(path, sfy_child);
	}
	free(files);
	out = sfy_clean("");
	free(out);
	if (!sfy_child_alive(sfy_child))
		fail_msg("cnemu -c killed pid %d, which a dead run's pid file "
			 "named but which is not its controller",
			 (int)sfy_child);
	out = test_run_leftovers(pid, 5000);
	if (*out)
		fail_msg("after cnemu -c the run left:\n%s", out);
	free(out);
}

/* ---- links to controller sockets of runs long gone ---------------- */

/* True when 'path' is there (a link counts even when it leads nowhere). */
static bool sfy_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

static void test_dangling_socket_link_of_a_gone_run_is_removed(void **state)
{
	static const char ovs_dir[] = "/var/run/openvswitch";
	char ours[128], elsewhere[128], plain[128], other[128], *out;
	pid_t dead;
	int fd;

	(void)state;
	if (require_root() || require_ovs())
		return;
	/* A pid no process has now, and no run directory: the run it
	 * stood for is gone with its directory (a /run emptied under
	 * OVS's run directory, a -c of an older cnemu). */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(sfy_ovs_glob, sizeof(sfy_ovs_glob), "%s/cn%d-sfy*.sock",
		 ovs_dir, (int)dead);
	if (!sh("[ -e /run/cnemu/cn%d ]", (int)dead))
		fail_msg("pid %d has a run directory", (int)dead);
	/* The link such a run made to its controller's socket ... */
	snprintf(ours, sizeof(ours), "%s/cn%d-sfyc0.sock", ovs_dir, (int)dead);
	assert_int_equal(sh("ln -s /run/cnemu/cn%d/sfyc0.sock %s", (int)dead,
			    ours),
			 0);
	/* ... and what only looks like one: a link named so that leads
	 * elsewhere, one into another run's directory, a plain file. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/cn%d-sfyx.sock", ovs_dir,
		 (int)dead);
	assert_int_equal(sh("ln -s /tmp/sfy-nowhere.sock %s", elsewhere), 0);
	snprintf(other, sizeof(other), "%s/cn%d-sfyo.sock", ovs_dir,
		 (int)dead);
	assert_int_equal(sh("ln -s /run/cnemu/cn%d0/sfyo.sock %s", (int)dead,
			    other),
			 0);
	snprintf(plain, sizeof(plain), "%s/cn%d-sfyp.sock", ovs_dir,
		 (int)dead);
	fd = open(plain, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	out = sfy_clean("");
	free(out);
	if (sfy_exists(ours))
		fail_msg("cnemu -c left %s, the link of a run that is gone, "
			 "leading nowhere",
			 ours);
	if (!sfy_exists(elsewhere) || !sfy_exists(other) ||
	    !sfy_exists(plain))
		fail_msg("cnemu -c removed a file in %s it did not make: "
			 "%s%s%s",
			 ovs_dir, sfy_exists(elsewhere) ? "" : elsewhere,
			 sfy_exists(other) ? "" : other,
			 sfy_exists(plain) ? "" : plain);
}

/* The machine's OVS stopped without removing its socket (a crash, a
 * kill -9): 'cnemu -c' has no bridge of it to remove and must still clean
 * the rest.  Seen from a mount namespace of the test's own, where OVS's
 * run directory is a directory holding such a socket. */
static void test_clean_works_while_the_machines_ovs_is_stopped(void **state)
{
	char dir[] = "/tmp/sfy-ovs.XXXXXX", *out;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, status;

	(void)state;
	if (require_root())
		return;
	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/db.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);	/* the file stays; nothing listens at it */
	out = sh_out("unshare -m sh -c 'mount --bind %s /var/run/openvswitch "
		     "&& timeout 120 %s -c' 2>&1; echo \"exit=$?\"; rm -rf %s",
		     dir, test_cnemu(), dir);
	printf("  cnemu -c with a dead ovsdb-server's socket: %s", out);
	status = test_exit_status(out);
	expect_has(out, "*** Removed ");
	expect_status(out, status, 0);
	free(out);
}

/* ---- a run whose main process died -------------------------------- */

static void test_run_with_dead_main_process_is_cleaned_though_locked(
	void **state)
{
	char path[128], *left, *out;
	pid_t pid;
	int sync[2];
	char c;

	(void)state;
	if (require_root())
		return;
	sfy_start(&sfy_run, "--topo minimal --switch lxbr", "*** Started in");
	pid = sfy_run.pid;
	sfy_kill_run();
	/* Something else holds the dead run's lock (as a child that
	 * inherited it would). */
	snprintf(path, sizeof(path), "/run/cnemu/cn%d/lock", (int)pid);
	assert_int_equal(pipe(sync), 0);
	sfy_child = fork();
	if (sfy_child == 0) {
		int fd = open(path, O_RDONLY);

		close(sync[0]);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			_exit(1);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) != 1)
		fail_msg("cannot hold %s", path);
	close(sync[0]);
	out = sfy_clean("");
	free(out);
	left = test_run_leftovers(pid, 5000);
	if (*left)
		fail_msg("a run whose main process died was taken for live; "
			 "it left:\n%s",
			 left);
	free(left);
}

static void test_foreground_container_command_does_not_hold_the_lock(
	void **state)
{
	double t0;
	char *left, *out;
	pid_t pid;
	bool free_now;

	(void)state;
	if (require_root() || require_docker())
		return;
	if (!sfy_have_docker()) {
		test_skip("no image " BUSYBOX);
		return;
	}
	sfy_start_script("docker");
	pid = sfy_run.pid;
	snprintf(sfy_docker_tag, sizeof(sfy_docker_tag), "cn%d", (int)pid);
	test_run_send(&sfy_run, "d1 sh -c 'echo SFY-IN-D1; sleep 600'");
	if (!test_run_expect(&sfy_run, "SFY-IN-D1", 20000))
		fail_msg("the command did not start:\n%s", sfy_run.out);
	sfy_kill_run();
	/* Nothing may hold the machine's lock, nor the run's own, once
	 * cnemu died. */
	t0 = test_now();
	free_now = test_wait_idle(3000);
	for (int i = 0; free_now && i < 30 &&
			sh("flock -n /run/cnemu/cn%d/lock true", (int)pid);
	     i++)
		usleep(100000);
	free_now = free_now &&
		   !sh("flock -n /run/cnemu/cn%d/lock true", (int)pid);
	printf("  machine lock %s %.2f s after the crash\n",
	       free_now ? "free" : "still held", test_now() - t0);
	if (!free_now)
		fail_msg("a process cnemu started holds the machine's lock "
			 "after cnemu died");
	out = sfy_clean("");
	free(out);
	left = test_run_leftovers(pid, 10000);
	if (*left)
		fail_msg("after cnemu -c the run left:\n%s", left);
	free(left);
}

/* ---- kept containers --------------------------------------------- */

/* Starts the 'keep' variant (d1 kept, d2 not) and waits until d1 holds
 * its data; the run's tag goes to 'tag'. */
static void sfy_start_kept(char *tag, size_t size)
{
	sfy_start_script("keep");
	snprintf(tag, size, "cn%d", (int)sfy_run.pid);
	if (!test_run_expect(&sfy_run, "SFY-WRITTEN", 20000))
		fail_msg("no data written in d1:\n%s", sfy_run.out);
}

/* Checks that of the run 'tag' only d1 is left, labelled kept, with the
 * data written in it. */
static void sfy_expect_kept(const char *tag, const char *when)
{
	char *s = sh_out("docker ps -a --filter label=cnemu.run=%s "
			 "--format '{{.Names}} {{.Label \"cnemu.keep\"}}'",
			 tag);
	char want[96];

	snprintf(want, sizeof(want), "%s.d1 true\n", tag);
	printf("  %s: %s", when, s);
	if (strcmp(s, want))
		fail_msg("%s: expected only '%s' kept, found '%s'", when, want,
			 s);
	free(s);
	s = sh_out("docker cp %s.d1:/sfy-kept.txt - 2>&1 | tar -xO", tag);
	if (!strstr(s, "sfy-kept-data"))
		fail_msg("%s: the data of %s.d1 is gone: '%s'", when, tag, s);
	free(s);
}

static void test_kept_container_and_its_data_survive_clean(void **state)
{
	char *s, *out;
	int status;

	(void)state;
	if (require_root() || require_docker())
		return;
	if (!sfy_have_docker()) {
		test_skip("no image " BUSYBOX);
		return;
	}
	/* One run stops as it should, one dies. */
	sfy_start_kept(sfy_docker_tag, sizeof(sfy_docker_tag));
	status = test_run_wait(&sfy_run, SFY_STOP_MS);
	if (status != 0)
		fail_msg("the run did not end cleanly (%d):\n%s", status,
			 sfy_run.out);
	sfy_expect_kept(sfy_docker_tag, "after a stop");
	test_run_end(&sfy_run);
	sfy_start_kept(sfy_docker_tag2, sizeof(sfy_docker_tag2));
	sfy_kill_run();
	/* Every -c leaves the kept ones and what was written in them. */
	for (int i = 0; i < 2; i++) {
		out = sfy_clean("");
		free(out);
		sfy_expect_kept(sfy_docker_tag, "stopped run, after cnemu -c");
		sfy_expect_kept(sfy_docker_tag2, "dead run, after cnemu -c");
	}
	s = sh_out("docker inspect -f '{{.State.Running}}' %s.d1",
		   sfy_docker_tag2);
	if (strcmp(s, "false\n"))
		fail_msg("the kept container of the dead run still runs: %s",
			 s);
	free(s);
	/* --all removes them, naming each. */
	out = sfy_clean("--all");
	if (!strstr(out, sfy_docker_tag) || !strstr(out, sfy_docker_tag2))
		fail_msg("cnemu -c --all does not name what it removes:\n%s",
			 out);
	free(out);
	s = sh_out("docker ps -aq --filter label=cnemu.run=%s; "
		   "docker ps -aq --filter label=cnemu.run=%s",
		   sfy_docker_tag, sfy_docker_tag2);
	if (*s)
		fail_msg("cnemu -c --all left kept containers: %s", s);
	free(s);
}

/* ---- ARP-cache limits -------------------------------------------- */

static void test_arp_limits_come_back_after_clean_beside_a_live_run(
	void **state)
{
	struct test_run live = { .in_fd = -1, .out_fd = -1, .status = -1 };
	char args[96], *out;
	long raised, hosts;

	(void)state;
	if (require_root())
		return;
	for (int i = 0; i < 2; i++)
		sfy_neigh[i] = sfy_read_long(neigh_files[i]);
	/* Enough hosts for a raise: the run wants 2 * hosts^2. */
	hosts = (long)sqrt((double)sfy_neigh[1] / 2.0) + 2;
	if (hosts > 120) {
		test_skip("the ARP-cache limits are high already");
		return;
	}
	snprintf(args, sizeof(args), "--topo single,%ld --switch lxbr", hosts);
	sfy_start(&sfy_run, args, "*** Started in");
	raised = sfy_read_long(neigh_files[1]);
	printf("  gc_thresh3 %ld -> %ld for %ld hosts\n", sfy_neigh[1],
	       raised, hosts);
	assert_true(raised > sfy_neigh[1]);
	sfy_kill_run();
	/* Another run lives while -c removes the dead one. */
	sfy_start(&live, "--topo minimal --switch lxbr", "*** Started in");
	out = sfy_clean("");
	free(out);
	if (test_run_wait(&live, SFY_STOP_MS) != 0)
		fail_msg("the live run did not stop cleanly:\n%s", live.out);
	test_run_end(&live);
	for (int i = 0; i < 2; i++) {
		long now = sfy_read_long(neigh_files[i]);

		printf("  %s: %ld, before the runs %ld\n",
		       strrchr(neigh_files[i], '/') + 1, now, sfy_neigh[i]);
		if (now != sfy_neigh[i])
			fail_msg("%s stays at %ld after every run is gone "
				 "(machine's value %ld)",
				 neigh_files[i], now, sfy_neigh[i]);
	}
}

/* ---- stop never waits for a command ------------------------------- */

static void test_stop_does_not_wait_for_a_command_ignoring_sigterm(
	void **state)
{
	double t0, took;
	int status;

	(void)state;
	if (require_root())
		return;
	sfy_start(&sfy_run, "--topo minimal --switch lxbr", "*** Started in");
	test_run_send(&sfy_run, "h1 sh -c \"trap '' TERM; echo SFY-TRAP; "
				"sleep 30\"");
	if (!test_run_expect(&sfy_run, "SFY-TRAP", 20000))
		fail_msg("the command did not start:\n%s", sfy_run.out);
	t0 = test_now();
	test_run_kill(&sfy_run, SIGTERM);
	status = test_run_wait(&sfy_run, SFY_STOP_MS);
	took = test_now() - t0;
	printf("  SIGTERM to exit with a node command ignoring SIGTERM: "
	       "%.2f s (status %d)\n",
	       took, status);
	if (took > SFY_STOP_BOUND_S)
		fail_msg("the stop waited %.1f s for the command", took);
	if (status < 0)
		fail_msg("cnemu did not stop:\n%s", sfy_run.out);
}

static void test_sigterm_ends_a_script_in_os_execute(void **state)
{
	double t0, took;
	int status;

	(void)state;
	if (require_root())
		return;
	sfy_start_script("execute");
	usleep(300000);		/* in os.execute() by now */
	t0 = test_now();
	test_run_kill(&sfy_run, SIGTERM);
	status = test_run_wait(&sfy_run, SFY_STOP_MS);
	took = test_now() - t0;
	printf("  SIGTERM to exit in os.execute('sleep 30'): %.2f s "
	       "(status %d)\n",
	       took, status);
	if (took > SFY_STOP_BOUND_S)
		fail_msg("the stop waited %.1f s for os.execute()", took);
	if (status < 0)
		fail_msg("cnemu did not stop:\n%s", sfy_run.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_foreign_namespace_named_like_a_dead_run_survives_clean,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_root_namespace_is_never_a_runs_own,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_recycled_controller_pid_survives_clean,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_dangling_socket_link_of_a_gone_run_is_removed,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_clean_works_while_the_machines_ovs_is_stopped,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_run_with_dead_main_process_is_cleaned_though_locked,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_foreground_container_command_does_not_hold_the_lock,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_kept_container_and_its_data_survive_clean,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_arp_limits_come_back_after_clean_beside_a_live_run,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_stop_does_not_wait_for_a_command_ignoring_sigterm,
			sfy_teardown),
		cmocka_unit_test_teardown(
			test_sigterm_ends_a_script_in_os_execute,
			sfy_teardown),
	};

	/* CNEMU_TEST_FILTER=test_kept* runs only those */
	if (getenv("CNEMU_TEST_FILTER"))
		cmocka_set_test_filter(getenv("CNEMU_TEST_FILTER"));
	return cmocka_run_group_tests_name("safety", tests, sfy_group_setup,
					   sfy_group_teardown);
}
