#include "emu/run.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/err.h"
#include "emu/util.h"

struct run {
	char tag[24];		/* "cn<pid>" */
	char *dir;		/* RUN_DIR "/<tag>" */
	int global_fd;		/* RUN_DIR "/lock", held exclusively */
	int lock_fd;		/* <dir>/lock, held while the run lives */
};

const char *run_tag(const struct run *run)
{
	return run->tag;
}

const char *run_dir(const struct run *run)
{
	return run->dir;
}

bool run_tag_valid(const char *tag)
{
	if (strncmp(tag, "cn", 2) || !tag[2])
		return false;
	for (const char *p = tag + 2; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return strlen(tag) < 16;
}

bool run_tag_of(const char *name, char sep, char *buf, size_t size)
{
	const char *end = strchr(name, sep);
	size_t len = end ? (size_t)(end - name) : strlen(name);

	if (len >= size)
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return run_tag_valid(buf);
}

bool run_is_dead(const char *tag)
{
	char path[128];
	bool dead;
	int fd;

	snprintf(path, sizeof(path), RUN_DIR "/%s/lock", tag);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	dead = flock(fd, LOCK_SH | LOCK_NB) == 0;
	close(fd);
	return dead;
}

bool run_any_alive(void)
{
	int fd = open(RUN_DIR "/lock", O_RDONLY | O_CLOEXEC);
	bool alive;

	if (fd < 0)
		return false;
	alive = flock(fd, LOCK_SH | LOCK_NB) < 0;
	close(fd);
	return alive;
}

/* Reads the pid written in the global lock file, 0 if none. */
static long run_lock_owner(int fd)
{
	char buf[32] = "";
	long pid = 0;

	if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
		pid = strtol(buf, NULL, 10);
	return pid;
}

static int run_write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

struct run *run_open(struct emu_err *err)
{
	struct run *run = xcalloc(1, sizeof(*run));
	char path[160];

	run->global_fd = run->lock_fd = -1;
	snprintf(run->tag, sizeof(run->tag), "cn%d", (int)getpid());
	run->dir = xasprintf(RUN_DIR "/%s", run->tag);
	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST) {
		emu_err_set(err, -errno, "cannot create %s: %s", RUN_DIR,
			    strerror(errno));
		goto fail;
	}
	run->global_fd = open(RUN_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC,
			      0644);
	if (run->global_fd < 0) {
		emu_err_set(err, -errno, "cannot open %s/lock: %s", RUN_DIR,
			    strerror(errno));
		goto fail;
	}
	if (flock(run->global_fd, LOCK_EX | LOCK_NB) < 0) {
		emu_err_set(err, -EBUSY,
			    "another cnemu run is active (pid %ld): only one "
			    "run at a time, its interface names would clash",
			    run_lock_owner(run->global_fd));
		close(run->global_fd);
		run->global_fd = -1;
		goto fail;
	}
	run_write_pid(run->global_fd);
	if (mkdir(run->dir, 0755) < 0 && errno != EEXIST) {
		emu_err_set(err, -errno, "cannot create %s: %s", run->dir,
			    strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lock", run->dir);
	run->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (run->lock_fd < 0 || flock(run->lock_fd, LOCK_EX | LOCK_NB) < 0 ||
	    run_write_pid(run->lock_fd) < 0) {
		emu_err_set(err, -errno, "cannot lock %s: %s", path,
			    strerror(errno));
		goto fail;
	}
	return run;
fail:
	run_close(run);
	return NULL;
}

/* Removes the files of a run directory and the directory. */
static void run_remove_dir(const char *dir)
{
	char cmd_path[300];
	static const char *const files[] = { "lock", "pid" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(cmd_path, sizeof(cmd_path), "%s/%s", dir, files[i]);
		unlink(cmd_path);
	}
	rmdir(dir);
}

void run_close(struct run *run)
{
	if (!run)
		return;
	if (run->lock_fd >= 0) {
		run_remove_dir(run->dir);
		close(run->lock_fd);
	}
	if (run->global_fd >= 0) {
		if (ftruncate(run->global_fd, 0) < 0)
			(void)0;
		close(run->global_fd);
	}
	free(run->dir);
	free(run);
}
