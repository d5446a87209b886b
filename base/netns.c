#include "base/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
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
