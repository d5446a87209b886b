#include "node/vswitch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/util.h"

EMU_LOG_MODULE(vswitch);

#define VSWITCH_DB "conf.db"
#define VSWITCH_SOCK "db.sock"
#define VSWITCH_STOP_MS 1000	/* SIGTERM to SIGKILL */
/* The Open_vSwitch row that 'ovs-vsctl init' would insert, with one
 * revalidator thread: a run has a handful of bridges, not a data centre. */
#define VSWITCH_INIT_TXN                                                     \
	"[\"Open_vSwitch\",{\"op\":\"insert\",\"table\":\"Open_vSwitch\","   \
	"\"row\":{\"other_config\":[\"map\",[[\"n-revalidator-threads\","    \
	"\"1\"],[\"n-handler-threads\",\"1\"]]]}}]"

extern char **environ;

static const char *const vswitch_names[VSWITCH_N] = { "ovsdb-server",
						      "ovs-vswitchd" };
static const char *const vswitch_ids[VSWITCH_N] = { VSWITCH_DB_ID,
						    VSWITCH_D_ID };

struct vswitch {
	char *dir;
	char *remote;			/* "unix:<dir>/db.sock" */
	int nsfd;			/* of the daemons, owned; -1 */
	pid_t pids[VSWITCH_N];		/* children; 0: none */
	int status[VSWITCH_N];		/* wait status once reaped */
	bool reaped[VSWITCH_N];
};

const char *vswitch_remote(const struct vswitch *vs)
{
	return vs->remote;
}

const char *vswitch_dir(const struct vswitch *vs)
{
	return vs->dir;
}

pid_t vswitch_pid(const struct vswitch *vs, enum vswitch_daemon which)
{
	return vs->pids[which];
}

/* Formats one argument into 'buf' at '*used' (of VSWITCH_ARGV_BUF);
 * returns it ("" when it does not fit). */
static char *vswitch_arg(char *buf, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *vswitch_arg(char *buf, size_t *used, const char *fmt, ...)
{
	char *s = buf + *used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, VSWITCH_ARGV_BUF - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= VSWITCH_ARGV_BUF - *used) {
		n = 0;
		*s = '\0';
	}
	*used += (size_t)n + 1;
	return s;
}

int vswitch_build_argv(enum vswitch_daemon which, const char *dir,
		       char *argv[], char *buf)
{
	const char *name = vswitch_names[which];
	size_t used = 0;
	int k = 0;

	argv[k++] = (char *)name;
	if (which == VSWITCH_DBSERVER) {
		argv[k++] = vswitch_arg(buf, &used, "%s/" VSWITCH_DB, dir);
		argv[k++] = vswitch_arg(buf, &used,
					"--remote=punix:%s/" VSWITCH_SOCK,
					dir);
	} else {
		argv[k++] = vswitch_arg(buf, &used, "unix:%s/" VSWITCH_SOCK,
					dir);
	}
	argv[k++] = vswitch_arg(buf, &used, "--unixctl=%s/%s.ctl", dir, name);
	argv[k++] = vswitch_arg(buf, &used, "--pidfile=%s/%s.pid", dir, name);
	argv[k++] = "-vconsole:warn";
	argv[k++] = "-vsyslog:off";
	argv[k] = NULL;
	return k;
}

/* The environment of the daemons: the caller's, with OVS's run, database
 * and log directories set to 'dir'.  The caller frees the array and its
 * first three strings. */
static char **vswitch_build_env(const char *dir)
{
	static const char *const keys[] = { "OVS_RUNDIR=", "OVS_DBDIR=",
					    "OVS_LOGDIR=" };
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + ARRAY_SIZE(keys) + 1, sizeof(*env));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		env[k++] = xasprintf("%s%s", keys[i], dir);
	for (size_t i = 0; i < n; i++) {
		bool ours = false;

		for (size_t j = 0; j < ARRAY_SIZE(keys) && !ours; j++)
			ours = str_starts_with(environ[i], keys[j]);
		if (!ours)
			env[k++] = environ[i];
	}
	return env;
}

static void vswitch_free_env(char **env)
{
	for (int i = 0; i < 3; i++)
		free(env[i]);
	free(env);
}

/* Forks 'argv' with 'env' in the namespace 'nsfd' (-1: ours), its output
 * appended to 'log' (NULL: /dev/null); with 'daemon', in a session of its
 * own (a Ctrl-C at the terminal is not for it) and ending when we die.
 * Returns the pid or a negative errno with 'err' set. */
static pid_t vswitch_spawn(char *const argv[], char **env, int nsfd,
			   const char *log, bool daemon, struct emu_err *err)
{
	int out = open(log ? log : "/dev/null",
		       O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC), pipefd[2], child;
	pid_t parent = getpid(), pid;
	ssize_t got;

	if (out < 0 || in < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		int ret = -errno;

		if (out >= 0)
			close(out);
		if (in >= 0)
			close(in);
		return emu_err_set(err, ret, "cannot run %s: %s", argv[0],
				   strerror(-ret));
	}
	pid = fork();
	if (pid == 0) {
		/* Raw steps only: we may be a threaded program. */
		child = 0;
		if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
			child = -errno;
		if (!child && daemon &&
		    (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
		     getppid() != parent))
			child = -ECHILD;
		if (!child && (dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
			       dup2(out, 2) < 0))
			child = -errno;
		/* Whatever else is open (a lock a caller holds) stays here. */
		syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
		if (!child) {
			execvpe(argv[0], argv, env);
			child = -errno;
		}
		if (write(pipefd[1], &child, sizeof(child)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pipefd[1]);
	close(out);
	close(in);
	if (pid < 0) {
		close(pipefd[0]);
		return emu_err_set(err, -errno, "cannot fork for %s: %s",
				   argv[0], strerror(errno));
	}
	child = 0;
	do
		got = read(pipefd[0], &child, sizeof(child));
	while (got < 0 && errno == EINTR);
	close(pipefd[0]);
	if (got == sizeof(child) && child < 0) {
		proc_wait_child(pid, -1, NULL);
		return emu_err_set(err, child, "cannot run %s: %s", argv[0],
				   strerror(-child));
	}
	return pid;
}

/* Runs the tool 'argv' to its end; 0 or a negative errno with 'err'. */
static int vswitch_run_tool(char *const argv[], struct emu_err *err)
{
	pid_t pid = vswitch_spawn(argv, environ, -1, NULL, false, err);
	int status = 0;

	if (pid < 0)
		return pid;
	proc_wait_child(pid, -1, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return emu_err_set(err, -EIO, "'%s %s' failed (status 0x%x)",
				   argv[0], argv[1], (unsigned int)status);
	return 0;
}

/* Copies the file 'from' to 'to' (made anew, mode 0600). */
static int vswitch_copy(const char *from, const char *to, struct emu_err *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, ret = 0;
	char buf[16384];
	ssize_t n;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			ret = -errno;
			break;
		}
	}
	if (in < 0 || out < 0)
		ret = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !ret)
		ret = -errno;
	if (ret)
		return emu_err_set(err, ret, "cannot copy '%s' to '%s': %s",
				   from, to, strerror(-ret));
	return 0;
}

/* Makes the database 'db' of 'schema' with its Open_vSwitch row. */
static int vswitch_make_db(const char *db, const char *schema,
			   struct emu_err *err)
{
	char *create[] = { "ovsdb-tool", "create", (char *)db, (char *)schema,
			   NULL };
	char *init[] = { "ovsdb-tool", "transact", (char *)db,
			 VSWITCH_INIT_TXN, NULL };
	int ret = vswitch_run_tool(create, err);

	if (!ret)
		ret = vswitch_run_tool(init, err);
	return ret;
}

/* Makes '<dir>/conf.db': a copy of the template of 'schema' in
 * 'cache_dir', made first when there is none (under a temporary name,
 * renamed: a run beside us never copies half a template). */
static int vswitch_prepare_db(const struct vswitch_opts *o, const char *dir,
			      struct emu_err *err)
{
	const char *schema = o->schema ? o->schema : VSWITCH_SCHEMA;
	char *db = xasprintf("%s/" VSWITCH_DB, dir), *tpl = NULL, *tmp = NULL;
	struct stat st;
	int ret;

	if (!o->cache_dir) {
		ret = vswitch_make_db(db, schema, err);
		goto out;
	}
	if (stat(schema, &st) < 0) {
		ret = emu_err_set(err, -errno, "cannot read OVS schema '%s': %s",
				  schema, strerror(errno));
		goto out;
	}
	tpl = xasprintf("%s/vswitch-%lld-%lld.db", o->cache_dir,
			(long long)st.st_size, (long long)st.st_mtime);
	if (access(tpl, R_OK) < 0) {
		tmp = xasprintf("%s.%d", tpl, (int)proc_machine_pid());
		unlink(tmp);
		ret = vswitch_make_db(tmp, schema, err);
		if (!ret && rename(tmp, tpl) < 0)
			ret = emu_err_set(err, -errno, "cannot rename '%s': %s",
					  tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		tmp = xasprintf("%s/.vswitch-%lld-%lld.db.%d.~lock~",
				o->cache_dir, (long long)st.st_size,
				(long long)st.st_mtime,
				(int)proc_machine_pid());
		unlink(tmp);	/* the lock file ovsdb-tool left */
		if (ret)
			goto out;
	}
	ret = vswitch_copy(tpl, db, err);
out:
	free(tmp);
	free(tpl);
	free(db);
	return ret;
}

/* Removes the flat directory 'dir' with everything in it. */
static void vswitch_remove_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The last line of the log of daemon 'which', into 'buf' ("" if none). */
static void vswitch_last_log(const struct vswitch *vs, int which, char *buf,
			     size_t size)
{
	char *path = xasprintf("%s/%s.log", vs->dir, vswitch_names[which]);
	char line[512];
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"),
				 line);
	if (f)
		fclose(f);
	free(path);
}

/* Whether daemon 'which' still runs; reaps it when it ended. */
static bool vswitch_alive(struct vswitch *vs, int which)
{
	int status;
	pid_t got;

	if (!vs->pids[which] || vs->reaped[which])
		return false;
	got = waitpid(vs->pids[which], &status, WNOHANG);
	if (got == vs->pids[which]) {
		vs->reaped[which] = true;
		vs->status[which] = status;
		return false;
	}
	return true;
}

static void vswitch_describe_end(const struct vswitch *vs, int which,
				 char *how, size_t size)
{
	int st = vs->status[which];

	if (WIFSIGNALED(st))
		snprintf(how, size, "%s was killed by signal %d",
			 vswitch_names[which], WTERMSIG(st));
	else
		snprintf(how, size, "%s exited with status %d",
			 vswitch_names[which], WEXITSTATUS(st));
}

bool vswitch_check(struct vswitch *vs, char *how, size_t size)
{
	for (int i = 0; i < VSWITCH_N; i++) {
		if (vswitch_alive(vs, i))
			continue;
		vswitch_describe_end(vs, i, how, size);
		return false;
	}
	return true;
}

/* Waits until ovsdb-server answers on its socket. */
static int vswitch_wait_db(struct vswitch *vs, int timeout_ms,
			   struct emu_err *err)
{
	unsigned long long deadline = now_us() + timeout_ms * 1000ULL;
	char *sock = xasprintf("%s/" VSWITCH_SOCK, vs->dir);
	char how[96], last[300];
	int ret = 0;

	while (!unix_socket_answers(sock)) {
		if (!vswitch_alive(vs, VSWITCH_DBSERVER)) {
			vswitch_describe_end(vs, VSWITCH_DBSERVER, how,
					     sizeof(how));
			vswitch_last_log(vs, VSWITCH_DBSERVER, last,
					 sizeof(last));
			ret = emu_err_set(err, -ECHILD, "%s at start%s%s", how,
					  last[0] ? ": " : "", last);
			break;
		}
		if (now_us() > deadline) {
			ret = emu_err_set(err, -ETIMEDOUT,
					  "ovsdb-server does not answer on "
					  "'%s' after %d ms",
					  sock, timeout_ms);
			break;
		}
		usleep(1000);
	}
	free(sock);
	return ret;
}

static int vswitch_start_daemon(struct vswitch *vs, int which, char **env,
				int nsfd, struct emu_err *err)
{
	char *argv[VSWITCH_ARGV_MAX], buf[VSWITCH_ARGV_BUF], *path;
	char *log = xasprintf("%s/%s.log", vs->dir, vswitch_names[which]);
	pid_t pid;
	int ret;

	vswitch_build_argv(which, vs->dir, argv, buf);
	pid = vswitch_spawn(argv, env, nsfd, log, true, err);
	free(log);
	if (pid < 0)
		return pid;
	vs->pids[which] = pid;
	path = xasprintf("%s/%s", vs->dir, vswitch_ids[which]);
	ret = proc_id_save(path, pid, err);
	free(path);
	log_dbg("%s: pid %d", vswitch_names[which], (int)pid);
	return ret;
}

struct vswitch *vswitch_start(const struct vswitch_opts *opts,
			      struct emu_err *err)
{
	struct vswitch *vs = xcalloc(1, sizeof(*vs));
	int timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 5000;
	unsigned long long t0 = now_us();
	char **env = NULL;
	int ret;

	vs->dir = xstrdup(opts->dir);
	vs->remote = xasprintf("unix:%s/" VSWITCH_SOCK, vs->dir);
	vs->nsfd = opts->nsfd >= 0 ? fcntl(opts->nsfd, F_DUPFD_CLOEXEC, 3)
				   : -1;
	if (mkdir(vs->dir, 0700) < 0) {
		ret = emu_err_set(err, -errno, "cannot create '%s': %s",
				  vs->dir, strerror(errno));
		free(vs->dir);
		vs->dir = NULL;	/* not ours to remove */
		goto fail;
	}
	ret = vswitch_prepare_db(opts, vs->dir, err);
	if (ret)
		goto fail;
	env = vswitch_build_env(vs->dir);
	ret = vswitch_start_daemon(vs, VSWITCH_DBSERVER, env, opts->nsfd,
				   err);
	if (!ret)
		ret = vswitch_wait_db(vs, timeout, err);
	if (!ret)
		ret = vswitch_start_daemon(vs, VSWITCH_DAEMON, env, opts->nsfd,
					   err);
	if (ret)
		goto fail;
	vswitch_free_env(env);
	log_dbg("private OVS in '%s' up in %.3f s", vs->dir,
		(now_us() - t0) / 1e6);
	return vs;
fail:
	if (env)
		vswitch_free_env(env);
	emu_err_prefix(err, "private OVS: ");
	vswitch_stop(vs);
	return NULL;
}

void vswitch_stop(struct vswitch *vs)
{
	if (!vs)
		return;
	/* ovs-vswitchd first: it would otherwise reconnect for nothing. */
	for (int i = VSWITCH_N - 1; i >= 0; i--)
		if (vswitch_alive(vs, i)) {
			proc_end_child(vs->pids[i], false, SIGTERM,
				       VSWITCH_STOP_MS);
			vs->reaped[i] = true;
		}
	if (vs->dir)
		vswitch_remove_files(vs->dir);
	if (vs->nsfd >= 0)
		close(vs->nsfd);
	free(vs->dir);
	free(vs->remote);
	free(vs);
}

int vswitch_restart(struct vswitch *vs, struct emu_err *err)
{
	char **env = vswitch_build_env(vs->dir);
	int ret = 0;

	for (int i = 0; i < VSWITCH_N && !ret; i++) {
		if (vswitch_alive(vs, i))
			continue;
		vs->pids[i] = 0;
		vs->reaped[i] = false;
		ret = vswitch_start_daemon(vs, i, env, vs->nsfd, err);
		if (!ret && i == VSWITCH_DBSERVER)
			ret = vswitch_wait_db(vs, 5000, err);
	}
	vswitch_free_env(env);
	return ret;
}

int vswitch_remove_dir(const char *dir)
{
	struct stat st;
	int n = 0;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (int i = VSWITCH_N - 1; i >= 0; i--) {
		char *path = xasprintf("%s/%s", dir, vswitch_ids[i]);
		struct proc_id id;

		if (!proc_id_load(path, &id) &&
		    proc_id_end(&id, VSWITCH_STOP_MS) == 0)
			n++;
		free(path);
	}
	vswitch_remove_files(dir);
	return n;
}
