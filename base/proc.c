#include "base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"

static const char *proc_machine = "/proc";

const char *proc_machine_root(void)
{
	return proc_machine;
}

void proc_set_machine_root(const char *dir)
{
	proc_machine = dir;
}

/* The start time of 'pid' from /proc/<pid>/stat (field 22, counted after
 * the command name, which may hold spaces and parentheses). */
static int proc_start_time(const char *root, pid_t pid,
			   unsigned long long *start)
{
	char path[PATH_MAX], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* ") S ppid ...": 'p' at the space before field 3 (the state),
	 * moved on to the space before field 22 (the start time) */
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start) != 1)
		return -EINVAL;
	return 0;
}

static void proc_exe(const char *root, pid_t pid, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	char path[PATH_MAX];
	ssize_t n;
	size_t len;

	snprintf(path, sizeof(path), "%s/%d/exe", root, (int)pid);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		n = 0;		/* a kernel thread, a zombie */
	buf[n] = '\0';
	/* A binary replaced while it runs is still the same process. */
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 &&
	    !strcmp(buf + len - (sizeof(deleted) - 1), deleted))
		buf[len - (sizeof(deleted) - 1)] = '\0';
}

/* The identity of 'pid' as the /proc at 'root' shows it. */
static int proc_id_in(const char *root, pid_t pid, struct proc_id *id)
{
	int ret;

	memset(id, 0, sizeof(*id));
	if (pid <= 0)
		return -ESRCH;
	id->pid = pid;
	ret = proc_start_time(root, pid, &id->start);
	if (ret)
		return ret;
	proc_exe(root, pid, id->exe, sizeof(id->exe));
	return 0;
}

int proc_id_of(pid_t pid, struct proc_id *id)
{
	return proc_id_in("/proc", pid, id);
}

pid_t proc_machine_pid(void)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;

	if (!strcmp(proc_machine, "/proc"))
		return getpid();
	/* "self" of a /proc names the reader as that /proc's pid namespace
	 * numbers it. */
	snprintf(path, sizeof(path), "%s/self", proc_machine);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return getpid();
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

int proc_machine_id_of(pid_t pid, struct proc_id *id)
{
	return proc_id_in(proc_machine, pid, id);
}

bool proc_machine_id_alive(const struct proc_id *id)
{
	struct proc_id now;

	if (!strcmp(proc_machine, "/proc"))
		return proc_id_alive(id);
	return !proc_machine_id_of(id->pid, &now) && now.start == id->start &&
	       !strcmp(now.exe, id->exe);
}

void proc_id_format(const struct proc_id *id, char *buf, size_t size)
{
	snprintf(buf, size, "%d %llu %s", (int)id->pid, id->start, id->exe);
}

int proc_id_parse(const char *line, struct proc_id *id)
{
	char *end;
	long pid;
	unsigned long long start;
	size_t len;

	memset(id, 0, sizeof(*id));
	errno = 0;
	pid = strtol(line, &end, 10);
	if (errno || end == line || *end != ' ' || pid <= 0 ||
	    pid > INT32_MAX)
		return -EINVAL;
	line = end + 1;
	start = strtoull(line, &end, 10);
	if (errno || end == line || (*end && *end != ' ' && *end != '\n'))
		return -EINVAL;
	id->pid = (pid_t)pid;
	id->start = start;
	if (*end == ' ')
		end++;
	len = strcspn(end, "\n");
	if (len >= sizeof(id->exe))
		return -EINVAL;
	memcpy(id->exe, end, len);
	id->exe[len] = '\0';
	return 0;
}

int proc_id_save(const char *path, pid_t pid, struct emu_err *err)
{
	struct proc_id id;
	int ret = proc_id_of(pid, &id);

	if (ret)
		return emu_err_set(err, ret, "cannot read process %d: %s",
				   (int)pid, strerror(-ret));
	return proc_id_write(path, &id, err);
}

int proc_id_write(const char *path, const struct proc_id *id,
		  struct emu_err *err)
{
	char line[PATH_MAX + 64];
	FILE *f;
	int ret;

	proc_id_format(id, line, sizeof(line));
	f = fopen(path, "we");
	if (!f || fprintf(f, "%s\n", line) < 0 || fclose(f)) {
		ret = -errno;
		return emu_err_set(err, ret, "cannot write '%s': %s", path,
				   strerror(-ret));
	}
	return 0;
}

int proc_id_load(const char *path, struct proc_id *id)
{
	char line[PATH_MAX + 64];
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return -errno;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	return ok ? proc_id_parse(line, id) : -EINVAL;
}

int proc_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

int proc_pidfd_signal(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

int proc_id_open(const struct proc_id *id)
{
	struct proc_id now;
	int fd;

	if (id->pid <= 0)
		return -ESRCH;
	fd = proc_pidfd_open(id->pid);
	if (fd < 0)
		return fd == -EINVAL ? -ESRCH : fd;
	/* The pidfd names the process that had the pid at the open; if the
	 * one that has it now is the recorded one, it is that one (a process
	 * started since cannot have started before). */
	if (proc_id_of(id->pid, &now) || now.start != id->start ||
	    strcmp(now.exe, id->exe)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

bool proc_id_alive(const struct proc_id *id)
{
	int fd = proc_id_open(id);
	bool alive;

	if (fd == -ESRCH)
		return false;
	if (fd < 0)
		return true;	/* cannot tell: assume it lives */
	/* A zombie has ended: only its reaping is left. */
	alive = !proc_pidfd_signal(fd, 0);
	close(fd);
	return alive;
}

/* Waits up to 'timeout_ms' for the process of 'pidfd' to end. */
static bool proc_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	unsigned long long deadline = now_us() + timeout_ms * 1000ULL;

	for (;;) {
		long long left = (long long)(deadline - now_us()) / 1000;
		int r = poll(&pfd, 1, left > 0 ? (int)left : 0);

		if (r > 0)
			return true;
		if (r == 0 || (errno != EINTR) || now_us() >= deadline)
			return false;
	}
}

int proc_id_end(const struct proc_id *id, int grace_ms)
{
	int fd = proc_id_open(id), ret;

	if (fd < 0)
		return fd;
	ret = proc_pidfd_signal(fd, SIGTERM);
	if (!ret && !proc_pidfd_wait(fd, grace_ms))
		proc_pidfd_signal(fd, SIGKILL);
	close(fd);
	return ret;
}

bool proc_wait_child(pid_t pid, int timeout_ms, int *status)
{
	unsigned long long deadline = now_us() + (unsigned long long)
						 (timeout_ms < 0 ? 0 : timeout_ms) * 1000ULL;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD)) {
			if (status)
				*status = r == pid ? st : 0;
			return true;
		}
		if (r < 0 && errno != EINTR)
			return false;
		if (timeout_ms >= 0) {
			if (now_us() >= deadline)
				return false;
			usleep(10000);
		}
	}
}

int proc_end_child(pid_t pid, bool group, int sig, int grace_ms)
{
	int status = 0;

	kill(group ? -pid : pid, sig);
	if (!proc_wait_child(pid, grace_ms, &status)) {
		kill(group ? -pid : pid, SIGKILL);
		proc_wait_child(pid, -1, &status);
	}
	return status;
}
