/* cnemu-init: the waiting entry point of cnemu's containers.
 *
 * cnemu creates every container with this static program, bind-mounted
 * read-only from the host at /.cnemu-init, as its entry point and the
 * image's own ENTRYPOINT + CMD as its arguments.  It runs as the
 * container's init and waits, with nothing else running, until cnemu has
 * moved the container's interfaces in and addressed them; cnemu then sends
 * SIGUSR1 and it execs its arguments (/bin/sh when there are none), which
 * so keep pid 1.  SIGTERM, SIGINT or SIGHUP while waiting end it (docker
 * stop does not have to wait for SIGKILL).
 *
 * A signal from outside the container's pid namespace that pid 1 neither
 * blocks nor handles is dropped by the kernel, so SIGUSR1 is blocked
 * first and then given a handler, and cnemu sends it only once SigCgt in
 * /proc/PID/status shows the handler (SigBlk reads 0 during
 * sigwaitinfo(): the kernel keeps the mask aside while it waits).
 *
 * Built static (make: build/node/init/cnemu-init) so that it runs in any
 * image, with or without a libc. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Never runs: SIGUSR1 stays blocked until sigwaitinfo() takes it. */
static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	static char *shell[] = { "/bin/sh", NULL };
	struct sigaction act = { .sa_handler = on_signal };
	sigset_t set, old;
	char **cmd = argc > 1 ? argv + 1 : shell;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0 ||
	    sigaction(SIGUSR1, &act, NULL) < 0) {
		perror("cnemu-init");
		return 126;
	}
	do {
		sig = sigwaitinfo(&set, NULL);
	} while (sig < 0 && errno == EINTR);
	if (sig != SIGUSR1)
		return sig < 0 ? 126 : 128 + sig;
	act.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &act, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	execvp(cmd[0], cmd);
	dprintf(2, "cnemu-init: cannot run '%s': %s\n", cmd[0],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
