#include "emu/labs.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "base/proc.h"
#include "base/util.h"
#include "emu/attach.h"
#include "base/run.h"

/* The live labs, oldest first (caller frees); their number in '*n'. */
static struct run_lab *labs_collect(size_t *n)
{
	struct run_lab *labs = NULL;
	size_t cap = 0;
	DIR *dir = opendir(RUN_DIR);
	struct dirent *de;

	*n = 0;
	while (dir && (de = readdir(dir))) {
		struct run_lab lab;

		if (!run_tag_valid(de->d_name) || run_is_dead(de->d_name) ||
		    run_read_lab(de->d_name, &lab))
			continue;
		xgrow((void **)&labs, &cap, *n + 1, sizeof(*labs));
		labs[(*n)++] = lab;
	}
	if (dir)
		closedir(dir);
	for (size_t i = 1; i < *n; i++)	/* few: insertion sort */
		for (size_t j = i; j > 0 && labs[j].started <
						    labs[j - 1].started; j--) {
			struct run_lab t = labs[j];

			labs[j] = labs[j - 1];
			labs[j - 1] = t;
		}
	return labs;
}

static void labs_format_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "%lld", t);
}

static int labs_print_json(FILE *out, const struct run_lab *labs, size_t n,
			   struct emu_err *err)
{
	json_t *arr = json_array();
	char *text;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		char started[64];

		labs_format_time(labs[i].started, started, sizeof(started));
		json_array_append_new(
			arr, json_pack("{s:s, s:i, s:i, s:i, s:s, s:I, s:s}",
				       "name", labs[i].name, "pid",
				       (int)labs[i].pid, "uid",
				       (int)labs[i].uid, "nodes",
				       (int)labs[i].nodes, "started", started,
				       "started_epoch",
				       (json_int_t)labs[i].started, "script",
				       labs[i].script));
	}
	text = json_dumps(arr, JSON_INDENT(2));
	json_decref(arr);
	if (!text || fprintf(out, "%s\n", text) < 0)
		ret = emu_err_set(err, -EIO, "cannot print the labs");
	free(text);
	return ret;
}

int labs_list(FILE *out, bool json, struct emu_err *err)
{
	size_t n;
	struct run_lab *labs = labs_collect(&n);
	int ret = 0;

	if (json) {
		ret = labs_print_json(out, labs, n, err);
	} else {
		fprintf(out, "%-24s %8s %6s %6s  %-19s  %s\n", "NAME", "PID",
			"UID", "NODES", "STARTED", "SCRIPT");
		for (size_t i = 0; i < n; i++) {
			char started[64];

			labs_format_time(labs[i].started, started,
					 sizeof(started));
			fprintf(out, "%-24s %8ld %6ld %6ld  %-19s  %s\n",
				labs[i].name, labs[i].pid, labs[i].uid,
				labs[i].nodes, started,
				labs[i].script[0] ? labs[i].script : "-");
		}
	}
	free(labs);
	return ret ? ret : (int)n;
}

/* "a, b, c" of the live labs' names, or "none" (caller frees). */
static char *labs_names(void)
{
	size_t n, len = 0;
	struct run_lab *labs = labs_collect(&n);
	char *s = xstrdup(n ? "" : "none");

	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(labs[i].name);

		s = xrealloc(s, len + k + 3);
		len += (size_t)sprintf(s + len, "%s%s", i ? ", " : "",
				       labs[i].name);
	}
	free(labs);
	return s;
}

/* The live lab 'name' into 'lab'; -ENOENT naming those that run. */
static int labs_find(const char *name, struct run_lab *lab,
		     struct emu_err *err)
{
	char *names;
	int ret;

	if (!run_find_lab(name, lab))
		return 0;
	names = labs_names();
	ret = emu_err_set(err, -ENOENT, "no lab '%s' is running (running: %s)",
			  name, names);
	free(names);
	return ret;
}

int labs_stop(const char *name, int timeout_ms, struct emu_err *err)
{
	unsigned long long deadline;
	struct run_lab lab;
	struct proc_id id;
	char path[128];
	int ret = labs_find(name, &lab, err);

	if (ret)
		return ret;
	snprintf(path, sizeof(path), RUN_DIR "/%s/pid", lab.tag);
	ret = proc_id_load(path, &id);
	if (!ret) {
		int fd = proc_id_open(&id);

		ret = fd < 0 ? fd : proc_pidfd_signal(fd, SIGTERM);
		if (fd >= 0)
			close(fd);
	}
	if (ret == -ESRCH)
		return 0;	/* it ended meanwhile */
	if (ret)
		return emu_err_set(err, ret, "cannot stop lab '%s' (pid %ld): "
				   "%s", name, lab.pid, strerror(-ret));
	deadline = now_us() + (unsigned long long)timeout_ms * 1000ULL;
	while (!run_is_dead(lab.tag)) {
		if (now_us() > deadline) {
			proc_id_end(&id, 0);
			return emu_err_set(err, -ETIMEDOUT,
					   "lab '%s' (pid %ld) did not stop "
					   "within %d s: killed it, 'cnemu -c' "
					   "removes what it left",
					   name, lab.pid, timeout_ms / 1000);
		}
		usleep(20000);
	}
	return 0;
}

int labs_attach(const char *name, FILE *in, FILE *out, struct emu_err *err)
{
	bool tty = isatty(fileno(in));
	const char *home = getenv("HOME");
	char *path, *history = NULL;
	struct run_lab lab;
	int ret = labs_find(name, &lab, err);

	if (ret)
		return ret;
	path = xasprintf(RUN_DIR "/%s/" LABS_CLI_SOCKET, lab.tag);
	if (access(path, F_OK)) {
		free(path);
		return emu_err_set(err, -ENOENT,
				   "lab '%s' has no CLI to attach to (it runs "
				   "a --test, or a script without a CLI)",
				   name);
	}
	if (tty && home && *home)
		history = xasprintf("%s/.cnemu_history-%s", home, name);
	if (tty)
		fprintf(out, "*** Attached to lab %s (pid %ld): exit detaches, "
			     "the lab runs on\n",
			name, lab.pid);
	ret = attach_client(path, in, out, tty, history, err);
	free(history);
	free(path);
	return ret;
}
