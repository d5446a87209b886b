#include "base/listener.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(listener);

void listener_init(struct listener *l)
{
	memset(l, 0, sizeof(*l));
	l->listen_fd = l->stop_fd = -1;
}

int listener_start(struct listener *l, const char *path,
		   void *(*main)(void *), void *arg, struct emu_err *err)
{
	sigset_t all, old;
	int ret;

	l->path = xstrdup(path);
	l->listen_fd = unix_socket_listen(path);
	if (l->listen_fd < 0) {
		ret = l->listen_fd;
		l->listen_fd = -1;
		emu_err_set(err, ret, "cannot listen on '%s': %s", path,
			    strerror(-ret));
		goto fail;
	}
	l->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (l->stop_fd < 0) {
		ret = emu_err_set(err, -errno, "cannot make an eventfd: %s",
				  strerror(errno));
		goto fail;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&l->thread, NULL, main, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		emu_err_set(err, ret, "cannot start a thread for '%s': %s",
			    path, strerror(-ret));
		goto fail;
	}
	l->started = true;
	return 0;
fail:
	listener_release(l);
	return ret;
}

void listener_release(struct listener *l)
{
	uint64_t one = 1;

	if (l->started) {
		if (write(l->stop_fd, &one, sizeof(one)) < 0)
			log_warn("cannot stop the thread of '%s': %s", l->path,
				 strerror(errno));
		pthread_join(l->thread, NULL);
		l->started = false;
	}
	if (l->listen_fd >= 0) {
		close(l->listen_fd);
		unlink(l->path);
	}
	if (l->stop_fd >= 0)
		close(l->stop_fd);
	free(l->path);
	listener_init(l);
}
