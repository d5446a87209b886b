#include "base/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/run.h"
#include "base/util.h"

EMU_LOG_MODULE(netns);

int netns_open(const char *name, struct emu_err *err)
{
	char path[sizeof(NETNS_RUN_DIR) + 256];
	int fd;

	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") ||
	    strlen(name) >= sizeof(path) - sizeof(NETNS_RUN_DIR))
		return emu_err_set(err, -EINVAL, "invalid namespace name '%s'",
				   name ? name : "");
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return emu_err_set(err, -errno, "cannot open namespace '%s': %s",
				   name, strerror(errno));
	return fd;
}

int netns_open_current(struct emu_err *err)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return emu_err_set(err, -errno,
				   "cannot open the current network namespace: %s",
				   strerror(errno));
	return fd;
}

int netns_enter(int nsfd, int *saved, struct emu_err *err)
{
	int ret;

	*saved = -1;
	if (nsfd < 0)
		return 0;
	ret = netns_open_current(err);
	if (ret < 0)
		return ret;
	*saved = ret;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		ret = -errno;
		close(*saved);
		*saved = -1;
		return emu_err_set(err, ret,
				   "cannot enter network namespace: %s",
				   strerror(-ret));
	}
	return 0;
}

void netns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET) < 0) {
		/* See netns.h: no caller can make acting in the wrong
		 * namespace right. */
		log_err("cannot return to the thread's network namespace: %s",
			strerror(errno));
		abort();
	}
	close(saved);
}

int netns_run(int nsfd, int (*fn)(void *aux, struct emu_err *err), void *aux,
	      struct emu_err *err)
{
	int saved, ret;

	ret = netns_enter(nsfd, &saved, err);
	if (ret < 0)
		return ret;
	ret = fn(aux, err);
	netns_leave(saved);
	return ret;
}

int netns_socket(int nsfd, int domain, int type, int protocol,
		 struct emu_err *err)
{
	int saved, fd, ret;

	ret = netns_enter(nsfd, &saved, err);
	if (ret < 0)
		return ret;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	ret = fd < 0 ? -errno : fd;
	netns_leave(saved);
	if (ret < 0)
		return emu_err_set(err, ret, "cannot open a socket: %s",
				   strerror(-ret));
	return fd;
}

bool netns_is_host(int nsfd)
{
	static const char *const hosts[] = { "/proc/self/ns/net",
					     "/proc/1/ns/net" };
	struct stat ns, h;
	size_t i;

	if (fstat(nsfd, &ns) < 0)
		return true;	/* cannot tell: assume the worst */
	for (i = 0; i < ARRAY_SIZE(hosts); i++)
		if (stat(hosts[i], &h) == 0 && h.st_dev == ns.st_dev &&
		    h.st_ino == ns.st_ino)
			return true;
	return false;
}

/* Makes /run/netns a shared mount point, as iproute2 does, so that the
 * bind mounts of namespaces are seen by every mount namespace. */
static int netns_prepare_run_dir_once(struct emu_err *err)
{
	static bool done;

	if (done)
		return 0;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return emu_err_set(err, -errno, "cannot create %s: %s",
				   NETNS_RUN_DIR, strerror(errno));
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
		if (errno != EINVAL ||
		    mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL))
			return emu_err_set(err, -errno,
					   "cannot mount %s: %s",
					   NETNS_RUN_DIR, strerror(errno));
	}
	done = true;
	return 0;
}

static int netns_prepare_run_dir(struct emu_err *err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int ret;

	pthread_mutex_lock(&lock);
	ret = netns_prepare_run_dir_once(err);
	pthread_mutex_unlock(&lock);
	return ret;
}

/* The file netns_reserve() made last, whose names netns_create() takes. */
static struct {
	dev_t dev;
	ino_t ino;
} netns_reserved;

/* True when 'path' is one of the names of the file netns_reserve() made
 * (regular, empty: no namespace is mounted on it). */
static bool netns_is_reserved(const char *path)
{
	struct stat st;

	return netns_reserved.ino && !lstat(path, &st) && S_ISREG(st.st_mode) &&
	       !st.st_size && st.st_dev == netns_reserved.dev &&
	       st.st_ino == netns_reserved.ino;
}

int netns_reserve(char *const *names, size_t n, struct emu_err *err)
{
	char first[PATH_MAX], path[PATH_MAX];
	struct stat st;
	size_t made = 0;
	int ret, fd;

	ret = netns_prepare_run_dir(err);
	for (; made < n && !ret; made++) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", names[made]);
		ret = run_note_netns(names[made], -1, err);
		if (ret)
			break;
		if (made) {
			if (link(first, path) < 0)
				ret = -errno;
		} else if ((fd = open(path, O_RDONLY | O_CREAT | O_EXCL |
				      O_CLOEXEC, 0)) < 0) {
			ret = -errno;
		} else {
			ret = fstat(fd, &st) < 0 ? -errno : 0;
			close(fd);
			netns_reserved.dev = st.st_dev;
			netns_reserved.ino = ret ? 0 : st.st_ino;
			snprintf(first, sizeof(first), "%s", path);
		}
		if (ret) {
			emu_err_set(err, ret, "cannot create namespace '%s': "
				    "%s", names[made], strerror(-ret));
			break;
		}
	}
	if (ret)
		for (size_t i = 0; i < made; i++)
			netns_delete(names[i]);
	return ret;
}

int netns_create(const char *ns_name, struct emu_err *err)
{
	char path[PATH_MAX];
	int saved, fd, ret;

	ret = netns_prepare_run_dir(err);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns_name);
	/* The run notes the name before the file exists and the namespace
	 * before it is mounted there: wherever cnemu dies, 'cnemu -c' knows
	 * what it finds under the name for the run's own. */
	ret = run_note_netns(ns_name, -1, err);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && (errno != EEXIST || !netns_is_reserved(path)))
		return emu_err_set(err, -errno,
				   "cannot create namespace '%s': %s", ns_name,
				   strerror(errno));
	if (fd >= 0)
		close(fd);
	saved = netns_open_current(err);
	if (saved < 0) {
		ret = saved;
		goto fail_unlink;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		ret = emu_err_set(err, -errno,
				  "cannot create namespace '%s': %s", ns_name,
				  strerror(errno));
		close(saved);
		goto fail_unlink;
	}
	fd = netns_open_current(err);
	ret = fd < 0 ? fd : run_note_netns(ns_name, fd, err);
	if (!ret &&
	    mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL))
		ret = emu_err_set(err, -errno,
				  "cannot bind namespace '%s': %s", ns_name,
				  strerror(errno));
	netns_leave(saved);
	if (ret) {
		if (fd >= 0)
			close(fd);
		goto fail_unlink;
	}
	return fd;
fail_unlink:
	unlink(path);
	return ret;
}

int netns_delete(const char *ns_name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns_name);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL &&
	    errno != ENOENT)
		log_warn("cannot unmount %s: %s", path, strerror(errno));
	if (unlink(path) < 0 && errno != ENOENT) {
		log_warn("cannot remove %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}
