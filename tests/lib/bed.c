#include "tests/lib/bed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/testlib.h"

#define BED_DAEMON_RE "--data-root /var/lib/cnemu-tbe[d]/"
#define BED_NET "192.168.250"

const char *bed_dir(void)
{
	const char *dir = getenv("CNEMU_BED_DIR");

	return dir && *dir ? dir : "tests/cluster";
}

int require_bed(void)
{
	static const char *const tools[] = { "dockerd", "docker", "nsenter",
					     "unshare", "ip" };
	static char reason[160];

	if (require_root())
		return -1;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (sh("command -v %s >/dev/null", tools[i])) {
			snprintf(reason, sizeof(reason),
				 "no '%s' for the simulated cluster (run "
				 "scripts/deps.sh)",
				 tools[i]);
			return test_skip(reason);
		}
	if (sh("test -x %s/up.sh", bed_dir())) {
		snprintf(reason, sizeof(reason), "no %s/up.sh", bed_dir());
		return test_skip(reason);
	}
	return 0;
}

/* Runs script 'name' of the bed with 'args'; prints its output when it
 * fails. */
static int run_script(const char *name, const char *args)
{
	char *out = sh_out("CNEMU_BED=%s %s/%s %s 2>&1; echo \"exit=$?\"",
			   BED_NAME, bed_dir(), name, args);
	int status = test_exit_status(out);

	if (status)
		printf("%s/%s failed (%d):\n%s", bed_dir(), name, status, out);
	free(out);
	return status ? -1 : 0;
}

int bed_up(const char *const *images)
{
	char args[1024] = "";
	size_t len = 0;

	for (size_t i = 0; images && images[i]; i++)
		len += (size_t)snprintf(args + len, sizeof(args) - len, " '%s'",
					images[i]);
	if (len >= sizeof(args))
		abort();
	return run_script("up.sh", args);
}

int bed_down(void)
{
	return run_script("down.sh", "");
}

int bed_kill_dockerd(int i)
{
	return sh("kill -KILL \"$(cat /run/%s/m%d/run/docker.pid)\"",
		  BED_NAME, i) ? -1 : 0;
}

int bed_restart(int i)
{
	char args[32];

	snprintf(args, sizeof(args), "--restart m%d", i);
	return run_script("up.sh", args);
}

const char *bed_docker_host(int i)
{
	static char host[96];

	snprintf(host, sizeof(host), "unix:///run/%s/m%d/run/docker.sock",
		 BED_NAME, i);
	return host;
}

const char *bed_addr(int i)
{
	static char addr[24];

	snprintf(addr, sizeof(addr), BED_NET ".%d", i);
	return addr;
}

char *bed_sh_out(int i, const char *fmt, ...)
{
	char *line, *out;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	/* Inside, 'docker' is the machine's engine, not the test's. */
	out = sh_out("CNEMU_BED=%s %s/enter.sh m%d env -u DOCKER_HOST "
		     "sh -c '%s'", BED_NAME,
		     bed_dir(), i, line);
	free(line);
	return out;
}

char *bed_leftovers(void)
{
	return sh_out(
		"{ ip netns list | awk '$1 ~ /^" BED_NAME "-/ "
		"{ print \"netns \" $1 }'; "
		"ls -d /run/" BED_NAME " /var/lib/" BED_NAME " 2>/dev/null | "
		"sed 's/^/dir /'; "
		"find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -name '" BED_NAME
		"-*' 2>/dev/null | sed 's/^/cgroup /'; "
		"grep -F '" BED_NAME "' /proc/self/mountinfo | "
		"awk '{ print \"mount \" $5 }'; "
		/* "[d]": the pattern does not match this shell's own line. */
		"pgrep -af -- '" BED_DAEMON_RE "' | sed 's/^/process /'; } | "
		"sort");
}
