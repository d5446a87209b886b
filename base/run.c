#include "base/run.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "base/err.h"
#include "base/file.h"
#include "base/proc.h"
#include "base/util.h"

#define RUN_LOCK_WAIT_MS 10000	/* for the registry lock */

struct run {
	char tag[24];		/* "cn<pid>" */
	char *dir;		/* RUN_DIR "/<tag>" */
	char *name;		/* the lab's name, unique among live runs */
	int global_fd;		/* RUN_DIR "/lock": held only while a name
				   is taken; -1 */
	int lock_fd;		/* <dir>/lock, held while the run lives */
	FILE *netns_file;	/* <dir>/RUN_NETNS_FILE once a namespace
				   was noted */
};

/* The run of this process (one at most), for run_note_netns() and for
 * closing its locks in children. */
static struct run *run_self;

/* What run_set_lab() was told, for the next run_open(). */
static struct {
	char *name;		/* NULL: "lab" */
	bool explicit;		/* --name: a clash is an error */
	char *script;		/* NULL: none */
} run_lab;

/* In every child right after fork(): a child that never execs (one that
 * waits for a command in a container's pid namespace) would otherwise
 * hold the locks after cnemu died.  Closing is enough and leaves the
 * parent's locks alone (LOCK_UN would release them for both). */
static void run_close_in_child(void)
{
	if (!run_self)
		return;
	if (run_self->lock_fd >= 0)
		close(run_self->lock_fd);
	if (run_self->global_fd >= 0)
		close(run_self->global_fd);
	run_self = NULL;
}

static void run_register_atfork(void)
{
	pthread_atfork(NULL, NULL, run_close_in_child);
}

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

/* True when the identity in 'path' names a process that is gone; false
 * when it lives or the file cannot tell (a run still writing it). */
static bool run_owner_gone(const char *path, long want_pid)
{
	struct proc_id id;

	if (proc_id_load(path, &id) || (want_pid && id.pid != want_pid))
		return false;
	return !proc_machine_id_alive(&id);
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
	if (!dead) {
		snprintf(path, sizeof(path), RUN_DIR "/%s/pid", tag);
		dead = run_owner_gone(path, strtol(tag + 2, NULL, 10));
	}
	return dead;
}

/* The identity of this process as the machine sees it (its pid there,
 * proc_machine_pid()), for the tag and the files of its run. */
static int run_self_id(struct proc_id *id, struct emu_err *err)
{
	int ret = proc_machine_id_of(proc_machine_pid(), id);

	if (ret)
		return emu_err_set(err, ret, "cannot read this process's "
				   "identity under %s: %s",
				   proc_machine_root(), strerror(-ret));
	return 0;
}

/* Writes the identity 'id' ("pid start exe") to 'fd'. */
static int run_write_pid(int fd, const struct proc_id *id)
{
	char buf[PATH_MAX + 64];
	int n;

	proc_id_format(id, buf, sizeof(buf) - 1);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

bool run_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > RUN_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

void run_default_name(const char *from, char *buf, size_t size)
{
	const char *base = from ? strrchr(from, '/') : NULL;
	size_t n = 0, len;

	base = base ? base + 1 : from;
	if (!base || !*base)
		base = "lab";
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".lua"))
		len -= 4;
	for (size_t i = 0; i < len && n + 1 < size && n < RUN_NAME_MAX; i++) {
		unsigned char c = (unsigned char)base[i];

		if (isalnum(c) || c == '_' || c == '.' || c == '-')
			buf[n++] = (char)c;
		else if (n && buf[n - 1] != '-')
			buf[n++] = '-';
	}
	while (n && !isalnum((unsigned char)buf[n - 1]))
		n--;
	if (!n || !isalnum((unsigned char)buf[0]))
		n = (size_t)snprintf(buf, size, "lab");
	buf[n] = '\0';
}

void run_set_lab(const char *name, bool explicit, const char *script)
{
	free(run_lab.name);
	free(run_lab.script);
	run_lab.name = xstrdup(name);
	run_lab.explicit = explicit;
	run_lab.script = xstrdup(script);
}

int run_read_lab(const char *tag, struct run_lab *lab)
{
	char path[128], line[PATH_MAX + 32];
	FILE *f;

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->tag, sizeof(lab->tag), "%s", tag);
	lab->pid = strtol(tag + 2, NULL, 10);
	snprintf(path, sizeof(path), RUN_DIR "/%s/" RUN_LAB_FILE, tag);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');

		if (!v)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "name"))
			snprintf(lab->name, sizeof(lab->name), "%s", v);
		else if (!strcmp(line, "script"))
			snprintf(lab->script, sizeof(lab->script), "%s", v);
		else if (!strcmp(line, "uid"))
			lab->uid = strtol(v, NULL, 10);
		else if (!strcmp(line, "started"))
			lab->started = strtoll(v, NULL, 10);
		else if (!strcmp(line, "nodes"))
			lab->nodes = strtol(v, NULL, 10);
	}
	fclose(f);
	return lab->name[0] ? 0 : -EINVAL;
}

/* Writes the lab file of 'run' (a reader never sees half of it). */
static int run_write_lab(const struct run *run, const struct run_lab *lab)
{
	char *path = xasprintf("%s/" RUN_LAB_FILE, run->dir);
	char *text = xasprintf("name=%s\nscript=%s\nuid=%ld\nstarted=%lld\n"
			       "nodes=%ld\n",
			       lab->name, lab->script, lab->uid, lab->started,
			       lab->nodes);
	int ret = file_replace(path, text);

	free(text);
	free(path);
	return ret;
}

/* The user who started the run: sudo's caller, else ours. */
static long run_owner_uid(void)
{
	const char *sudo = getenv("SUDO_UID");
	long uid;

	if (sudo && !str_to_long(sudo, 0, 0x7fffffffL, &uid))
		return uid;
	return (long)getuid();
}

int run_find_lab(const char *name, struct run_lab *lab)
{
	DIR *dir = opendir(RUN_DIR);
	struct dirent *de;
	int ret = -ENOENT;

	while (dir && ret && (de = readdir(dir)))
		if (run_tag_valid(de->d_name) && !run_is_dead(de->d_name) &&
		    !run_read_lab(de->d_name, lab) && !strcmp(lab->name, name))
			ret = 0;
	if (dir)
		closedir(dir);
	return ret;
}

/* Takes the lab name for 'run' and writes its lab file: the name asked
 * for, or with a default one "-2", "-3", ... until it is free among live
 * runs.  Called with RUN_DIR/lock held. */
static int run_take_name(struct run *run, struct emu_err *err)
{
	const char *want = run_lab.name ? run_lab.name : "lab";
	struct run_lab lab, other;
	char name[RUN_NAME_MAX + 1 + 8];

	snprintf(name, sizeof(name), "%s", want);
	for (int i = 2; !run_find_lab(name, &other); i++) {
		if (run_lab.explicit)
			return emu_err_set(err, -EEXIST,
					   "lab '%s' is running already (pid "
					   "%ld, uid %ld): stop it with "
					   "'cnemu stop %s' or pick another "
					   "--name",
					   name, other.pid, other.uid, name);
		snprintf(name, sizeof(name), "%.*s-%d", RUN_NAME_MAX - 6,
			 want, i);
	}
	memset(&lab, 0, sizeof(lab));
	snprintf(lab.name, sizeof(lab.name), "%s", name);
	snprintf(lab.script, sizeof(lab.script), "%s",
		 run_lab.script ? run_lab.script : "");
	lab.uid = run_owner_uid();
	lab.started = (long long)time(NULL);
	run->name = xstrdup(name);
	if (run_write_lab(run, &lab) < 0)
		return emu_err_set(err, -errno, "cannot write '%s/%s': %s",
				   run->dir, RUN_LAB_FILE, strerror(errno));
	return 0;
}

/* Takes the registry lock RUN_DIR/lock, held only while a name or a claim
 * is taken: a few milliseconds.  A cnemu from before labs side by side
 * held it for all its run: after RUN_LOCK_WAIT_MS the sentence names it.
 * Returns the fd or a negative errno with 'err' set. */
static int run_lock_registry(struct emu_err *err)
{
	unsigned long long deadline = now_us() + RUN_LOCK_WAIT_MS * 1000ULL;
	char pid[32] = "";
	int fd = open(RUN_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return emu_err_set(err, -errno, "cannot open %s/lock: %s",
				   RUN_DIR, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int ret = -errno;

			close(fd);
			return emu_err_set(err, ret, "cannot lock %s/lock: %s",
					   RUN_DIR, strerror(-ret));
		}
		if (now_us() > deadline) {
			if (pread(fd, pid, sizeof(pid) - 1, 0) < 0)
				pid[0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			close(fd);
			return emu_err_set(err, -EBUSY,
					   "%s/lock is held by pid %s (a cnemu "
					   "of before labs side by side, which "
					   "runs alone): wait for it to end",
					   RUN_DIR, pid[0] ? pid : "unknown");
		}
		usleep(10000);
	}
	return fd;
}

/* The value the live run 'tag' claimed of the kind 'what' that 'clash'
 * says collides with 'value', into 'theirs'; false when none. */
static bool run_find_claim(const char *tag, const char *what,
			   const char *value,
			   bool (*clash)(const char *a, const char *b),
			   char *theirs, size_t size)
{
	char path[300], line[512], *sp;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), RUN_DIR "/%s/" RUN_CLAIMS_FILE, tag);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp++ = '\0';
		if (strcmp(line, what))
			continue;
		found = clash ? clash(value, sp) : !strcmp(value, sp);
		if (found)
			snprintf(theirs, size, "%s", sp);
	}
	if (f)
		fclose(f);
	return found;
}

int run_claim(const char *what, const char *value,
	      bool (*clash)(const char *a, const char *b), const char *desc,
	      struct emu_err *err)
{
	struct run_lab other;
	char theirs[256];
	DIR *dir;
	struct dirent *de;
	char *path;
	FILE *f;
	int lock, ret = 0;

	if (!run_self)
		return 0;
	lock = run_lock_registry(err);
	if (lock < 0)
		return lock;
	dir = opendir(RUN_DIR);
	while (dir && !ret && (de = readdir(dir)))
		if (run_tag_valid(de->d_name) &&
		    strcmp(de->d_name, run_self->tag) &&
		    !run_is_dead(de->d_name) &&
		    run_find_claim(de->d_name, what, value, clash, theirs,
				   sizeof(theirs)) &&
		    !run_read_lab(de->d_name, &other))
			ret = emu_err_set(err, -EADDRINUSE,
					  "%s of lab '%s' clashes with lab '%s' "
					  "(pid %ld), which has %s",
					  desc, run_self->name, other.name,
					  other.pid, theirs);
	if (dir)
		closedir(dir);
	if (!ret) {
		path = xasprintf("%s/" RUN_CLAIMS_FILE, run_self->dir);
		f = fopen(path, "ae");
		if (!f || fprintf(f, "%s %s\n", what, value) < 0)
			ret = emu_err_set(err, -errno, "cannot write '%s': %s",
					  path, strerror(errno));
		if (f && fclose(f) && !ret)
			ret = emu_err_set(err, -errno, "cannot write '%s': %s",
					  path, strerror(errno));
		free(path);
	}
	close(lock);
	return ret;
}

int run_note_nodes(struct run *run, long nodes)
{
	struct run_lab lab;
	int ret = run_read_lab(run->tag, &lab);

	if (ret)
		return ret;
	lab.nodes = nodes;
	return run_write_lab(run, &lab);
}

const char *run_name(const struct run *run)
{
	return run->name;
}

struct run *run_open(struct emu_err *err)
{
	static bool atfork_done;
	struct run *run = xcalloc(1, sizeof(*run));
	struct proc_id self;
	char path[160];

	run->global_fd = run->lock_fd = -1;
	if (run_self) {
		emu_err_set(err, -EBUSY,
			    "a Net of this process runs already (%s): one "
			    "at a time",
			    run_self->tag);
		free(run);
		return NULL;
	}
	if (run_self_id(&self, err)) {
		free(run);
		return NULL;
	}
	run_self = run;
	if (!atfork_done) {
		run_register_atfork();
		atfork_done = true;
	}
	snprintf(run->tag, sizeof(run->tag), "cn%d", (int)self.pid);
	run->dir = xasprintf(RUN_DIR "/%s", run->tag);
	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST) {
		emu_err_set(err, -errno, "cannot create %s: %s", RUN_DIR,
			    strerror(errno));
		goto fail;
	}
	/* Held only while the name is taken: runs side by side. */
	run->global_fd = run_lock_registry(err);
	if (run->global_fd < 0)
		goto fail;
	if (mkdir(run->dir, 0755) < 0 && errno != EEXIST) {
		emu_err_set(err, -errno, "cannot create %s: %s", run->dir,
			    strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lock", run->dir);
	run->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (run->lock_fd < 0 || flock(run->lock_fd, LOCK_EX | LOCK_NB) < 0 ||
	    run_write_pid(run->lock_fd, &self) < 0) {
		emu_err_set(err, -errno, "cannot lock %s: %s", path,
			    strerror(errno));
		goto fail;
	}
	/* The identity of the run's main process, for 'cnemu -c' to know a
	 * run whose main process died even while its lock is held. */
	snprintf(path, sizeof(path), "%s/pid", run->dir);
	if (proc_id_write(path, &self, err) || run_take_name(run, err))
		goto fail;
	close(run->global_fd);
	run->global_fd = -1;
	return run;
fail:
	run_close(run);
	return NULL;
}

/* Removes the files of a run directory and the directory. */
static void run_remove_dir(const char *dir)
{
	char cmd_path[300];
	static const char *const files[] = { "lock", "pid", RUN_NETNS_FILE,
					     RUN_SYSCTL_FILE, RUN_LAB_FILE,
					     RUN_CLAIMS_FILE };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(cmd_path, sizeof(cmd_path), "%s/%s", dir, files[i]);
		unlink(cmd_path);
	}
	rmdir(dir);
}

void run_close(struct run *run)
{
	bool had_dir;

	if (!run)
		return;
	if (run_self == run)
		run_self = NULL;
	if (run->netns_file)
		fclose(run->netns_file);
	had_dir = run->lock_fd >= 0;
	if (had_dir) {
		run_remove_dir(run->dir);
		close(run->lock_fd);
	}
	if (run->global_fd >= 0)
		close(run->global_fd);
	if (had_dir)
		run_restore_sysctls();	/* when this run was the last */
	free(run->dir);
	free(run->name);
	free(run);
}

/* Serializes the notes of threads making namespaces at once. */
static pthread_mutex_t run_note_lock = PTHREAD_MUTEX_INITIALIZER;

static int run_note_netns_locked(const char *name, int nsfd,
				 struct emu_err *err)
{
	unsigned long long dev = 0, ino = 0;
	struct stat st;
	char *path;

	if (nsfd >= 0) {
		if (fstat(nsfd, &st) < 0)
			return emu_err_set(err, -errno,
					   "cannot stat namespace '%s': %s",
					   name, strerror(errno));
		dev = (unsigned long long)st.st_dev;
		ino = (unsigned long long)st.st_ino;
	}
	if (!run_self->netns_file) {
		path = xasprintf("%s/" RUN_NETNS_FILE, run_self->dir);
		run_self->netns_file = fopen(path, "ae");
		if (!run_self->netns_file) {
			int ret = emu_err_set(err, -errno,
					      "cannot write '%s': %s", path,
					      strerror(errno));

			free(path);
			return ret;
		}
		free(path);
	}
	/* Flushed at once: on disk before the namespace gets its name, and
	 * nothing buffered for a fork to write twice. */
	if (fprintf(run_self->netns_file, "%s %llu %llu\n", name, dev, ino) < 0
	    || fflush(run_self->netns_file))
		return emu_err_set(err, -errno, "cannot note namespace '%s': %s",
				   name, strerror(errno));
	return 0;
}

int run_note_netns(const char *name, int nsfd, struct emu_err *err)
{
	int ret;

	if (!run_self)
		return 0;
	pthread_mutex_lock(&run_note_lock);
	ret = run_note_netns_locked(name, nsfd, err);
	pthread_mutex_unlock(&run_note_lock);
	return ret;
}

/* True when 'a' and 'b' are the same file. */
static bool run_same_file(const struct stat *a, const char *b)
{
	struct stat st;

	return !stat(b, &st) && st.st_dev == a->st_dev &&
	       st.st_ino == a->st_ino;
}

enum run_netns run_netns_owner(const char *tag, const char *name)
{
	char path[PATH_MAX], line[512], want[300];
	unsigned long long dev, ino;
	bool noted = false, same = false;
	struct statfs sfs;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (lstat(path, &st) < 0 || statfs(path, &sfs) < 0)
		return RUN_NETNS_FOREIGN;
	snprintf(path, sizeof(path), RUN_DIR "/%s/" RUN_NETNS_FILE, tag);
	f = fopen(path, "re");
	if (!f)
		return RUN_NETNS_FOREIGN;
	while (!same && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%299s %llu %llu", want, &dev, &ino) != 3 ||
		    strcmp(want, name))
			continue;
		noted = true;
		same = ino && dev == st.st_dev && ino == st.st_ino;
	}
	fclose(f);
	if ((unsigned long)sfs.f_type == NSFS_MAGIC) {
		if (!same || run_same_file(&st, "/proc/1/ns/net") ||
		    run_same_file(&st, "/proc/self/ns/net"))
			return RUN_NETNS_FOREIGN;
		return RUN_NETNS_OWN;
	}
	/* No namespace mounted there: the empty file the run made for the
	 * name before it died. */
	if (noted && S_ISREG(st.st_mode) && st.st_size == 0)
		return RUN_NETNS_UNMOUNTED;
	return RUN_NETNS_FOREIGN;
}

/* Sysctls: the machine's values in RUN_SYSCTL_ORIG, the runs relying on
 * the raise marked by RUN_SYSCTL_FILE in their directories; both changed
 * under RUN_DIR/sysctl.lock. */

static const char run_sysctl_prefix[] = "/proc/sys/net/ipv4/neigh/default/";

static bool run_sysctl_path_ok(const char *path)
{
	return !strncmp(path, run_sysctl_prefix, sizeof(run_sysctl_prefix) - 1)
	       && !strstr(path, "..");
}

static int run_sysctl_lock(void)
{
	int fd;

	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(RUN_DIR "/sysctl.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	return fd;
}

static void run_sysctl_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The value of 'path' in the "path value" file 'file'; 0 when none. */
static long run_sysctl_lookup(const char *file, const char *path)
{
	char name[256];
	long value, found = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return 0;
	while (!found && fscanf(f, "%255s %ld", name, &value) == 2)
		if (!strcmp(name, path))
			found = value;
	fclose(f);
	return found;
}

static void run_sysctl_append(const char *file, const char *path, long v)
{
	FILE *f = fopen(file, "ae");

	if (f) {
		fprintf(f, "%s %ld\n", path, v);
		fclose(f);
	}
}

long run_raise_sysctl(struct run *run, const char *path, long want)
{
	static const char orig_file[] = RUN_DIR "/" RUN_SYSCTL_ORIG;
	char *mark = xasprintf("%s/" RUN_SYSCTL_FILE, run->dir);
	long cur, orig, ret = 0;
	int lock;

	if (!run_sysctl_path_ok(path)) {
		free(mark);
		return -EINVAL;
	}
	lock = run_sysctl_lock();
	if (lock < 0) {
		free(mark);
		return lock;
	}
	file_read_long(path, &cur);	/* 0 when unreadable: no raise */
	orig = run_sysctl_lookup(orig_file, path);
	if (cur > 0 && want > (orig ? orig : cur)) {
		/* This run relies on the raise, made now or by a run before
		 * whose value stays until the last of them is gone. */
		if (!orig)
			run_sysctl_append(orig_file, path, cur);
		if (!run_sysctl_lookup(mark, path))
			run_sysctl_append(mark, path, orig ? orig : cur);
		if (cur < want) {
			int w = file_write_long(path, want);

			ret = w ? w : cur;
		}
	}
	run_sysctl_unlock(lock);
	free(mark);
	return ret;
}

void run_adopt_sysctls(const char *tag)
{
	static const char orig_file[] = RUN_DIR "/" RUN_SYSCTL_ORIG;
	char *mark = xasprintf(RUN_DIR "/%s/" RUN_SYSCTL_FILE, tag);
	char name[256];
	long value;
	int lock = run_sysctl_lock();
	FILE *f = fopen(mark, "re");

	while (f && fscanf(f, "%255s %ld", name, &value) == 2)
		if (run_sysctl_path_ok(name) && value > 0 &&
		    !run_sysctl_lookup(orig_file, name))
			run_sysctl_append(orig_file, name, value);
	if (f)
		fclose(f);
	unlink(mark);
	run_sysctl_unlock(lock);
	free(mark);
}

/* True when a run directory still has a RUN_SYSCTL_FILE. */
static bool run_sysctls_relied_on(void)
{
	DIR *dir = opendir(RUN_DIR);
	struct dirent *de;
	bool relied = false;

	while (dir && !relied && (de = readdir(dir))) {
		char path[300];

		if (!run_tag_valid(de->d_name))
			continue;
		snprintf(path, sizeof(path), RUN_DIR "/%s/" RUN_SYSCTL_FILE,
			 de->d_name);
		relied = !access(path, F_OK);
	}
	if (dir)
		closedir(dir);
	return relied;
}

void run_restore_sysctls(void)
{
	static const char orig_file[] = RUN_DIR "/" RUN_SYSCTL_ORIG;
	char name[256];
	long value;
	int lock;
	FILE *f;

	if (access(orig_file, F_OK))
		return;
	lock = run_sysctl_lock();
	if (!run_sysctls_relied_on() && (f = fopen(orig_file, "re"))) {
		/* In the order they were raised: thresh2 before thresh3 */
		while (fscanf(f, "%255s %ld", name, &value) == 2)
			if (run_sysctl_path_ok(name) && value > 0)
				file_write_long(name, value);
		fclose(f);
		unlink(orig_file);
	}
	run_sysctl_unlock(lock);
}
