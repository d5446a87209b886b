#include "node/nat.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/run.h"
#include "base/util.h"
#include "node/node.h"
#include "topo/plan.h"

EMU_LOG_MODULE(nat);

#define NAT_FORWARD "/proc/sys/net/ipv4/ip_forward"
/* In the run directory: the forwarding switch before the run turned it
 * on. */
#define NAT_FORWARD_FILE "nat-ip_forward"
/* In the run directory, "nat.<name>": "<intf> <subnet>" of the NAT
 * <name>, written before its rules go in: what 'cnemu -c' deletes when the
 * run died. */
#define NAT_NOTE_PREFIX "nat."

struct nat {
	struct node node;
	char *subnet;		/* the hosts' subnet, "10.0.0.0/8" */
	char *intf;		/* the interface the rules name */
	size_t n_added;		/* rules added, in order */
	char comment[40];	/* "cnemu:<tag>" */
	int forward_saved;	/* ip_forward before start; -1: unchanged */
};

/* Mininet's rules, in chain order. */
static const struct nat_rule {
	const char *table, *chain;
	const char *dir;	/* "-i" or "-o": the NAT's interface */
	const char *addr;	/* "-s" or "-d": the subnet */
	bool not_subnet;	/* and "! -d subnet" */
	const char *target;
} nat_rules[NAT_N_RULES] = {
	{ "filter", "FORWARD", "-i", "-d", false, "DROP" },
	{ "filter", "FORWARD", "-i", "-s", false, "ACCEPT" },
	{ "filter", "FORWARD", "-o", "-d", false, "ACCEPT" },
	{ "nat", "POSTROUTING", NULL, "-s", true, "MASQUERADE" },
};

/* Positions of the rules at the head of their chains, as strings. */
static const char *const nat_positions[NAT_N_RULES] = { "1", "2", "3", "1" };

size_t nat_rule_argv(size_t i, bool add, const char *intf,
		     const char *subnet, const char *comment,
		     const char *argv[NAT_ARGV_MAX])
{
	const struct nat_rule *r = &nat_rules[i];
	size_t n = 0;

	argv[n++] = "iptables";
	argv[n++] = "-w";
	argv[n++] = "-t";
	argv[n++] = r->table;
	argv[n++] = add ? "-I" : "-D";
	argv[n++] = r->chain;
	if (add)
		argv[n++] = nat_positions[i];
	if (r->dir) {
		argv[n++] = r->dir;
		argv[n++] = intf;
	}
	argv[n++] = r->addr;
	argv[n++] = subnet;
	if (r->not_subnet) {
		argv[n++] = "!";
		argv[n++] = "-d";
		argv[n++] = subnet;
	}
	argv[n++] = "-m";
	argv[n++] = "comment";
	argv[n++] = "--comment";
	argv[n++] = comment;
	argv[n++] = "-j";
	argv[n++] = r->target;
	argv[n] = NULL;
	return n;
}

/* Runs 'argv' (iptables) in the root namespace; its stdout in '*out' when
 * 'out' is not NULL (caller frees).  Returns its exit status, or a
 * negative errno with 'err' set (its first line of stderr when it
 * failed). */
static int nat_exec(const char *const argv[], char **out, struct emu_err *err)
{
	int pipefd[2] = { -1, -1 }, errfd, status;
	char *buf = NULL, msg[256];
	ssize_t n;
	pid_t pid;

	errfd = memfd_create("iptables-stderr", MFD_CLOEXEC);
	if (errfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		status = -errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		status = -errno;
		goto fail;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(errfd, 2) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	fd_read_all(pipefd[0], &buf, NULL);	/* what came is the output */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if (status == 127) {
		status = emu_err_set(err, -ENOENT,
				     "cannot run '%s': not installed (the NAT "
				     "needs iptables)",
				     argv[0]);
	} else if (status) {
		n = pread(errfd, msg, sizeof(msg) - 1, 0);
		msg[n > 0 ? n : 0] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		status = emu_err_set(err, -EIO, "%s %s %s failed: %s", argv[0],
				     argv[4], argv[5],
				     msg[0] ? msg : "no reason given");
	}
	close(pipefd[0]);
	close(errfd);
	if (!status && out) {
		*out = buf;
		buf = NULL;
	}
	free(buf);
	return status;
fail:
	if (errfd >= 0)
		close(errfd);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	return emu_err_set(err, status, "cannot run '%s': %s", argv[0],
			   strerror(-status));
}

static int nat_read_forward(void)
{
	long v;

	return file_read_long(NAT_FORWARD, &v) ? -1 : (int)v;
}

static int nat_write_forward(int v, struct emu_err *err)
{
	int ret = file_write_long(NAT_FORWARD, v);

	if (ret)
		return emu_err_set(err, ret, "cannot write %s: %s",
				   NAT_FORWARD, strerror(-ret));
	return 0;
}

/* Deletes the rules 'nat' added. */
static void nat_del_rules(struct nat *nat)
{
	const char *argv[NAT_ARGV_MAX];
	struct emu_err err = { 0 };

	for (size_t i = 0; i < nat->n_added; i++) {
		nat_rule_argv(i, false, nat->intf, nat->subnet, nat->comment,
			      argv);
		if (nat_exec(argv, NULL, &err))
			log_warn("'%s': %s", nat->node.name, err.msg);
		emu_err_clear(&err);
	}
	nat->n_added = 0;
	free(nat->intf);
	nat->intf = NULL;
}

/* Puts the forwarding switch back when the NAT turned it on. */
static void nat_restore_forward(struct nat *nat)
{
	char *file;

	if (nat->forward_saved < 0)
		return;
	if (nat_write_forward(nat->forward_saved, NULL))
		log_warn("'%s': cannot put %s back to %d", nat->node.name,
			 NAT_FORWARD, nat->forward_saved);
	file = xasprintf("%s/" NAT_FORWARD_FILE, nat->node.ctx->run_dir);
	unlink(file);
	free(file);
	nat->forward_saved = -1;
}

/* The NAT's note in the run directory (caller frees). */
static char *nat_note_path(const struct nat *nat)
{
	return xasprintf("%s/" NAT_NOTE_PREFIX "%s",
			 nat->node.ctx->run_dir, nat->node.name);
}

/* Notes the NAT's rules in the run directory before they go in. */
static int nat_note(const struct nat *nat, struct emu_err *err)
{
	char *file = nat_note_path(nat);
	FILE *f = fopen(file, "w");
	int ret = 0;

	if (!f || fprintf(f, "%s %s\n", nat->intf, nat->subnet) < 0 ||
	    fclose(f))
		ret = emu_err_set(err, errno ? -errno : -EIO,
				  "cannot write %s: %s", file,
				  strerror(errno ? errno : EIO));
	free(file);
	return ret;
}

bool nat_subnets_overlap(const char *a, const char *b)
{
	struct in_addr x, y;
	char ax[64], bx[64];
	long la = 32, lb = 32;
	uint32_t mask;

	snprintf(ax, sizeof(ax), "%s", a);
	snprintf(bx, sizeof(bx), "%s", b);
	if (strchr(ax, '/')) {
		la = strtol(strchr(ax, '/') + 1, NULL, 10);
		*strchr(ax, '/') = '\0';
	}
	if (strchr(bx, '/')) {
		lb = strtol(strchr(bx, '/') + 1, NULL, 10);
		*strchr(bx, '/') = '\0';
	}
	if (inet_pton(AF_INET, ax, &x) != 1 || inet_pton(AF_INET, bx, &y) != 1
	    || la < 0 || la > 32 || lb < 0 || lb > 32)
		return !strcmp(a, b);
	if (la > lb)
		la = lb;
	mask = la ? htonl(~0U << (32 - la)) : 0;
	return (x.s_addr & mask) == (y.s_addr & mask);
}

/* The machine's thing a NAT takes, which no other lab may have at once:
 * its subnet's route and masquerade.  (Its interface is named after the
 * run, see nat_name_intf().) */
static int nat_claim(const struct nat *nat, struct emu_err *err)
{
	char desc[128];
	int ret;

	snprintf(desc, sizeof(desc), "subnet %s", nat->subnet);
	ret = run_claim("nat-subnet", nat->subnet, nat_subnets_overlap, desc,
			err);
	if (ret)
		emu_err_suffix(err, ": give one of them another --ipbase");
	return ret;
}

/* The NAT's interfaces are in the machine's namespace, where every lab's
 * "nat0" would want "nat0-eth0": they are named after the run instead,
 * "cn1234-nat0" (then "cn1234-nat0-1", ...), so that two labs' NATs never
 * meet and no bare Mininet name is left where other tools look. */
static int nat_name_intf(const struct node *node, int port, char *buf,
			 size_t size, struct emu_err *err)
{
	const char *tag = node->ctx ? node->ctx->run_tag : "cn";
	int n = port ? snprintf(buf, size, "%s-%s-%d", tag, node->name, port)
		     : snprintf(buf, size, "%s-%s", tag, node->name);

	if (n < 0 || (size_t)n >= size || n > PLAN_IFNAME_MAX)
		return emu_err_set(err, -ENAMETOOLONG,
				   "the NAT's interface in the machine's "
				   "namespace, '%s-%s', is longer than %d "
				   "characters: give the NAT a shorter name",
				   tag, node->name, PLAN_IFNAME_MAX);
	return 0;
}

static int nat_start_one(struct nat *nat, struct emu_err *err)
{
	const char *argv[NAT_ARGV_MAX];
	int fwd, ret = 0;

	if (!nat->node.n_intfs)
		return emu_err_set(err, -EINVAL,
				   "a NAT needs a link to the topology");
	ret = nat_claim(nat, err);
	if (ret)
		return ret;
	nat->node.running = true;	/* from here, stop undoes it */
	fwd = nat_read_forward();
	if (fwd == 0) {
		char *file = xasprintf("%s/" NAT_FORWARD_FILE,
				       nat->node.ctx->run_dir);

		file_write_long(file, fwd);
		free(file);
		nat->forward_saved = fwd;
		ret = nat_write_forward(1, err);
	}
	nat->intf = xstrdup(nat->node.intfs[0]->name);
	if (!ret)
		ret = nat_note(nat, err);
	for (size_t i = 0; i < NAT_N_RULES && !ret; i++) {
		nat_rule_argv(i, true, nat->intf, nat->subnet, nat->comment,
			      argv);
		ret = nat_exec(argv, NULL, err);
		if (!ret)
			nat->n_added++;
	}
	if (!ret)
		log_info("*** NAT '%s': %s masqueraded behind '%s'",
			 nat->node.name, nat->subnet, nat->intf);
	return ret;
}

static int nat_start(struct node **nodes, size_t n, struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct nat *nat = container_of(nodes[i], struct nat, node);
		int ret = nat_start_one(nat, err);

		if (ret) {
			emu_err_prefix(err, "NAT '%s': ", nat->node.name);
			return ret;
		}
	}
	return 0;
}

static void nat_stop(struct node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct nat *nat = container_of(nodes[i], struct nat, node);

		char *note = nat_note_path(nat);

		nat_del_rules(nat);
		unlink(note);
		free(note);
		nat_restore_forward(nat);
		nat->node.running = false;
	}
}

static void nat_free(struct node *node)
{
	struct nat *nat = container_of(node, struct nat, node);

	free(nat->subnet);
	free(nat->intf);
	free(nat);
}

static const struct node_ops nat_ops = {
	.kind = "nat",
	.role = NODE_HOST,
	.start = nat_start,
	.stop = nat_stop,
	.name_intf = nat_name_intf,
	.free = nat_free,
};

struct node *nat_create(struct node_ctx *ctx, const char *name,
			const char *subnet)
{
	struct nat *nat = xcalloc(1, sizeof(*nat));

	node_init(&nat->node, &nat_ops, ctx, name, 0);
	nat->subnet = xstrdup(subnet);
	nat->forward_saved = -1;
	snprintf(nat->comment, sizeof(nat->comment), "cnemu:%s",
		 ctx ? ctx->run_tag : "");
	return &nat->node;
}

bool node_is_nat(const struct node *node)
{
	return node && node->ops == &nat_ops;
}

/* ---- cleanup of dead runs ------------------------------------------- */

/* Removes the rules the note 'file' of the dead run 'tag' names; returns
 * how many. */
static int nat_cleanup_note(const char *tag, const char *file)
{
	char intf[32], subnet[64], comment[40];
	const char *argv[NAT_ARGV_MAX];
	FILE *f = fopen(file, "r");
	int removed = 0;

	if (!f)
		return 0;
	snprintf(comment, sizeof(comment), "cnemu:%s", tag);
	if (fscanf(f, "%31s %63s", intf, subnet) == 2) {
		for (size_t i = 0; i < NAT_N_RULES; i++) {
			nat_rule_argv(i, false, intf, subnet, comment, argv);
			if (!nat_exec(argv, NULL, NULL))
				removed++;
		}
	}
	fclose(f);
	unlink(file);
	return removed;
}

/* Removes the rules the dead run 'tag' noted; returns how many. */
static int nat_cleanup_rules(const char *tag)
{
	char *path = xasprintf(RUN_DIR "/%s", tag);
	DIR *dir = opendir(path);
	int removed = 0;

	for (struct dirent *de; dir && (de = readdir(dir));) {
		char *file;

		if (!str_starts_with(de->d_name, NAT_NOTE_PREFIX))
			continue;
		file = xasprintf("%s/%s", path, de->d_name);
		removed += nat_cleanup_note(tag, file);
		free(file);
	}
	if (dir)
		closedir(dir);
	free(path);
	return removed;
}

/* True when a run lives (its NAT may rely on forwarding). */
static bool nat_any_run_alive(void)
{
	DIR *dir = opendir(RUN_DIR);
	bool alive = false;

	for (struct dirent *de; dir && !alive && (de = readdir(dir));)
		alive = run_tag_valid(de->d_name) && !run_is_dead(de->d_name);
	if (dir)
		closedir(dir);
	return alive;
}

/* Puts back the forwarding switch that the dead run 'tag' turned on. */
static void nat_cleanup_forward(const char *tag)
{
	char *file = xasprintf(RUN_DIR "/%s/" NAT_FORWARD_FILE, tag);
	long v;

	if (!file_read_long(file, &v) && v == 0 && !nat_any_run_alive())
		nat_write_forward(0, NULL);
	unlink(file);
	free(file);
}

int nat_cleanup(bool (*is_dead)(const char *tag, void *aux), void *aux)
{
	DIR *dir = opendir(RUN_DIR);
	int removed = 0;

	for (struct dirent *de; dir && (de = readdir(dir));) {
		if (!is_dead(de->d_name, aux))
			continue;
		removed += nat_cleanup_rules(de->d_name);
		nat_cleanup_forward(de->d_name);
	}
	if (dir)
		closedir(dir);
	return removed;
}
