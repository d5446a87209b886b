#include "node/docker.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/proc.h"
#include "base/log.h"
#include "base/run.h"
#include "base/util.h"
#include "node/docker_files.h"
#include "node/node.h"

EMU_LOG_MODULE(docker);

/* Where cnemu-init appears inside every container. */
#define DOCKER_INIT_TARGET "/.cnemu-init"
#define DOCKER_INIT_COMM ".cnemu-init"
/* How long ready waits for the init to wait, and then to exec. */
#define DOCKER_READY_TIMEOUT_US 5000000ULL
/* Log lines quoted when a container dies at start. */
#define DOCKER_LOG_TAIL 5

/* The static cnemu-init, built into the library by make (see the
 * Makefile's rule for build/node/init/cnemu-init); $CNEMU_INIT names
 * another. */
#ifdef CNEMU_INIT_BIN
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	"docker_init_blob:\n"
	".incbin \"" CNEMU_INIT_BIN "\"\n"
	"docker_init_blob_end:\n"
	".popsection\n");
extern const unsigned char docker_init_blob[], docker_init_blob_end[];

static size_t docker_init_size(void)
{
	return (size_t)(docker_init_blob_end - docker_init_blob);
}
#else
static const unsigned char docker_init_blob[1];

static size_t docker_init_size(void)
{
	return 0;
}
#endif

struct docker_node {
	struct node node;
	struct docker_opts opts;	/* every pointer owned (copy_opts()) */
	char *container;		/* "<run tag>.<name>"; NULL: none */
	char *id;			/* the container's id; NULL: none */
	bool released;			/* its command was let run */
	bool dead;			/* died while running, said so */
};

static const struct node_ops docker_ops;

static struct docker_node *docker_node(struct node *node)
{
	return container_of(node, struct docker_node, node);
}

bool node_is_docker(const struct node *node)
{
	return node && node->ops == &docker_ops;
}

const char *docker_id(const struct node *node)
{
	return node_is_docker(node)
		       ? container_of(node, struct docker_node, node)->id
		       : NULL;
}

const char *docker_container_name(const struct node *node)
{
	return node_is_docker(node)
		       ? container_of(node, struct docker_node, node)->container
		       : NULL;
}

const char *docker_image(const struct node *node)
{
	return node_is_docker(node)
		       ? container_of(node, struct docker_node, node)
				 ->opts.dimage
		       : NULL;
}

const struct docker_opts *docker_options(const struct node *node)
{
	return node_is_docker(node)
		       ? &container_of(node, struct docker_node, node)->opts
		       : NULL;
}

/* Options */

static const char *const *copy_strings(const char *const *src, size_t n)
{
	char **dst;

	if (!src || !n)
		return NULL;
	dst = xcalloc(n, sizeof(*dst));
	for (size_t i = 0; i < n; i++)
		dst[i] = xstrdup(src[i] ? src[i] : "");
	return (const char *const *)dst;
}

static void free_strings(const char *const *strings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)strings[i]);
	free((void *)strings);
}

static void copy_opts(struct docker_opts *dst, const struct docker_opts *src)
{
	struct docker_api_port *pbs = NULL;

	*dst = *src;
	dst->dimage = xstrdup(src->dimage);
	dst->dcmd = xstrdup(src->dcmd);
	dst->ip = xstrdup(src->ip);
	dst->mac = xstrdup(src->mac);
	dst->cpuset_cpus = xstrdup(src->cpuset_cpus);
	dst->hostname = xstrdup(src->hostname);
	dst->network_mode = xstrdup(src->network_mode);
	dst->run_tag = xstrdup(src->run_tag);
	dst->volumes = copy_strings(src->volumes, src->n_volumes);
	dst->environment = copy_strings(src->environment,
					src->n_environment);
	dst->ports = copy_strings(src->ports, src->n_ports);
	dst->dns = copy_strings(src->dns, src->n_dns);
	dst->labels = copy_strings(src->labels, src->n_labels);
	if (src->port_bindings && src->n_port_bindings) {
		pbs = xcalloc(src->n_port_bindings, sizeof(*pbs));
		for (size_t i = 0; i < src->n_port_bindings; i++) {
			pbs[i].port = xstrdup(src->port_bindings[i].port);
			pbs[i].host_ip = xstrdup(src->port_bindings[i].host_ip);
			pbs[i].host_port = src->port_bindings[i].host_port;
		}
	}
	dst->port_bindings = pbs;
	if (!pbs)
		dst->n_port_bindings = 0;
}

static void free_opts(struct docker_opts *o)
{
	free((char *)o->dimage);
	free((char *)o->dcmd);
	free((char *)o->ip);
	free((char *)o->mac);
	free((char *)o->cpuset_cpus);
	free((char *)o->hostname);
	free((char *)o->network_mode);
	free((char *)o->run_tag);
	free_strings(o->volumes, o->n_volumes);
	free_strings(o->environment, o->n_environment);
	free_strings(o->ports, o->n_ports);
	free_strings(o->dns, o->n_dns);
	free_strings(o->labels, o->n_labels);
	for (size_t i = 0; i < o->n_port_bindings; i++) {
		free((char *)o->port_bindings[i].port);
		free((char *)o->port_bindings[i].host_ip);
	}
	free((void *)o->port_bindings);
	memset(o, 0, sizeof(*o));
}

int docker_build_argv(const struct docker_api_image *image, const char *dcmd,
		      char ***argv, size_t *argc, struct emu_err *err)
{
	char **words = NULL, **out;
	size_t n_words = 0, n = 0;
	char *const *cmd;
	size_t n_cmd;
	int ret;

	*argv = NULL;
	*argc = 0;
	if (dcmd) {
		ret = docker_json_split_command(dcmd, &words, &n_words, err);
		if (ret)
			return ret;
		if (!n_words) {
			docker_json_free_argv(words);
			return emu_err_set(err, -EINVAL, "empty dcmd");
		}
		cmd = words;
		n_cmd = n_words;
	} else {
		cmd = image ? image->cmd : NULL;
		n_cmd = image ? image->n_cmd : 0;
	}
	out = xcalloc((image ? image->n_entrypoint : 0) + n_cmd + 2,
		      sizeof(*out));
	for (size_t i = 0; image && i < image->n_entrypoint; i++)
		out[n++] = xstrdup(image->entrypoint[i]);
	for (size_t i = 0; i < n_cmd; i++)
		out[n++] = xstrdup(cmd[i]);
	if (!n)
		out[n++] = xstrdup("/bin/sh");
	out[n] = NULL;
	docker_json_free_argv(words);
	*argv = out;
	*argc = n;
	return 0;
}

/* What a create request points to, freed with spec_release(). */
struct spec_store {
	char **argv;
	size_t argc;
	const char **binds;
	const char **labels;
	char *label_run, *label_node, *init_bind;
	char *file_binds[DOCKER_FILE_N];
};

static void spec_release(struct spec_store *st)
{
	docker_json_free_argv(st->argv);
	free(st->binds);
	free(st->labels);
	free(st->label_run);
	free(st->label_node);
	free(st->init_bind);
	for (int i = 0; i < DOCKER_FILE_N; i++)
		free(st->file_binds[i]);
	memset(st, 0, sizeof(*st));
}

static const char *const docker_entrypoint[] = { DOCKER_INIT_TARGET };
/* The resolver of a container that has no way out of the emulation: a
 * lookup fails at once (nothing listens) instead of timing out in the
 * emulated network, where the machine's own server (often in 10.0.0.0/8)
 * would be routed. */
static const char *const docker_no_dns[] = { "127.0.0.1" };

int docker_check_network_mode(const char *mode, struct emu_err *err)
{
	static const struct {
		const char *prefix;
		const char *what;
	} shared[] = {
		{ "host", "the machine's network namespace" },
		{ "container:", "the network namespace of another container" },
		{ "ns:", "an existing network namespace" },
	};

	for (size_t i = 0; mode && i < ARRAY_SIZE(shared); i++) {
		size_t len = strlen(shared[i].prefix);

		if (strncmp(mode, shared[i].prefix, len) ||
		    (shared[i].prefix[len - 1] != ':' && mode[len]))
			continue;
		return emu_err_set(err, -EINVAL,
				   "network_mode '%s' is refused: the container "
				   "would share %s, and cnemu would configure "
				   "it (use the default \"none\", or "
				   "\"bridge\" for a management interface)",
				   mode, shared[i].what);
	}
	return 0;
}


static const char *const docker_caps[] = { "NET_ADMIN" };

/* The Docker network mode of the container of 'o': the one given, else
 * Docker's default bridge when ports are exposed or published (they need
 * a management interface to be reached through), else "none".  A mode
 * without a network cannot publish ports: an error naming the option. */
static int docker_network_mode(const struct docker_opts *o, const char **mode,
			       struct emu_err *err)
{
	const char *wants = o->n_port_bindings	 ? "port_bindings"
			    : o->publish_all_ports ? "publish_all_ports"
			    : o->n_ports	   ? "ports"
						   : NULL;

	*mode = o->network_mode ? o->network_mode : wants ? "bridge" : "none";
	if (wants && !strcmp(*mode, "none"))
		return emu_err_set(err, -EINVAL,
				   "option '%s' needs a management interface, "
				   "which network_mode 'none' does not give "
				   "(leave network_mode out, or use 'bridge')",
				   wants);
	return 0;
}

/* Fills 'spec' for the container of node 'node_name' from 'o'. */
/* The resolvers of the container of 'o': the ones given, else none that
 * answers. */
static void resolvers(const struct docker_opts *o, const char *const **dns,
		      size_t *n_dns)
{
	*dns = o->n_dns ? o->dns : docker_no_dns;
	*n_dns = o->n_dns ? o->n_dns : ARRAY_SIZE(docker_no_dns);
}

/* Whether the volume "source:target[:mode]" 'vol' binds onto 'target'. */
static bool volume_targets(const char *vol, const char *target)
{
	const char *t = strchr(vol, ':');
	size_t len = strlen(target);

	return t && !strncmp(t + 1, target, len) &&
	       (t[1 + len] == '\0' || t[1 + len] == ':');
}

/* Binds the network files of 'container' in 'files_dir' (see
 * node/docker_files.h) but those the user binds himself; returns how many
 * binds 'st' has then. */
static size_t bind_files(const struct docker_opts *o, const char *files_dir,
			 const char *container, struct spec_store *st,
			 size_t n)
{
	for (int f = 0; f < DOCKER_FILE_N; f++) {
		bool own = false;

		for (size_t v = 0; v < o->n_volumes && !own; v++)
			own = volume_targets(o->volumes[v],
					     docker_file_target(f));
		if (own)
			continue;
		st->file_binds[f] = docker_file_bind(files_dir, container, f);
		st->binds[n++] = st->file_binds[f];
	}
	return n;
}

/* Fills 'spec' for the container of node 'node_name' from 'o'.  With
 * 'files_dir', a container of network mode "none" gets the engine's
 * networking off and its network files from there. */
static int fill_spec(const struct docker_opts *o, const char *node_name,
		     const char *run_tag, const char *container_name,
		     const struct docker_api_image *image,
		     const char *init_path, const char *files_dir,
		     struct docker_api_spec *spec, struct spec_store *st,
		     struct emu_err *err)
{
	size_t n, n_binds;
	int ret;

	memset(spec, 0, sizeof(*spec));
	memset(st, 0, sizeof(*st));
	if (!o->dimage || !*o->dimage)
		return emu_err_set(err, -EINVAL, "no dimage given");
	ret = docker_check_network_mode(o->network_mode, err);
	if (!ret)
		ret = docker_build_argv(image, o->dcmd, &st->argv, &st->argc,
					err);
	if (ret)
		return ret;
	st->init_bind = xasprintf("%s:%s:ro", init_path ? init_path
						       : "/cnemu-init",
				  DOCKER_INIT_TARGET);
	st->binds = xcalloc(o->n_volumes + 1 + DOCKER_FILE_N,
			    sizeof(*st->binds));
	for (n = 0; n < o->n_volumes; n++)
		st->binds[n] = o->volumes[n];
	st->binds[n++] = st->init_bind;
	n_binds = n;
	st->label_run = xasprintf("cnemu.run=%s", run_tag);
	st->label_node = xasprintf("cnemu.node=%s", node_name);
	st->labels = xcalloc(o->n_labels + 3, sizeof(*st->labels));
	st->labels[0] = st->label_run;
	st->labels[1] = st->label_node;
	for (n = 0; n < o->n_labels; n++) {
		if (str_starts_with(o->labels[n], "cnemu.run=") ||
		    str_starts_with(o->labels[n], "cnemu.node=") ||
		    str_starts_with(o->labels[n], DOCKER_LABEL_KEEP "="))
			return emu_err_set(err, -EINVAL,
					   "invalid label '%s': cnemu.run, "
					   "cnemu.node and " DOCKER_LABEL_KEEP
					   " are cnemu's own",
					   o->labels[n]);
		st->labels[n + 2] = o->labels[n];
	}
	/* Says to every later 'cnemu -c' that the user keeps it. */
	if (o->keep)
		st->labels[n++ + 2] = DOCKER_LABEL_KEEP "=true";

	spec->name = container_name;
	spec->image = o->dimage;
	spec->hostname = o->hostname ? o->hostname : node_name;
	spec->entrypoint = docker_entrypoint;
	spec->n_entrypoint = ARRAY_SIZE(docker_entrypoint);
	spec->cmd = (const char *const *)st->argv;
	spec->n_cmd = st->argc;
	spec->env = o->environment;
	spec->n_env = o->n_environment;
	spec->labels = st->labels;
	spec->n_labels = o->n_labels + 2 + (o->keep ? 1 : 0);
	/* A shell as the command stays up on its terminal (Containernet). */
	spec->tty = true;
	spec->open_stdin = true;
	ret = docker_network_mode(o, &spec->network_mode, err);
	if (ret)
		return ret;
	/* A kept container may start again after the run and its files. */
	if (files_dir && !o->keep && !strcmp(spec->network_mode, "none")) {
		spec->network_disabled = true;
		n_binds = bind_files(o, files_dir, container_name, st, n_binds);
	}
	spec->binds = st->binds;
	spec->n_binds = n_binds;
	spec->ports = o->ports;
	spec->n_ports = o->n_ports;
	spec->port_bindings = o->port_bindings;
	spec->n_port_bindings = o->n_port_bindings;
	spec->publish_all_ports = o->publish_all_ports;
	spec->privileged = o->privileged;
	/* tc and ip inside work like in Containernet. */
	spec->cap_add = docker_caps;
	spec->n_cap_add = ARRAY_SIZE(docker_caps);
	spec->dns = o->dns;
	spec->n_dns = o->n_dns;
	if (!strcmp(spec->network_mode, "none"))
		resolvers(o, &spec->dns, &spec->n_dns);
	spec->memory_bytes = o->mem_limit > 0 ? o->mem_limit : 0;
	spec->memswap_bytes = o->memswap_limit;
	spec->cpu_quota_us = o->cpu_quota > 0 ? o->cpu_quota : 0;
	spec->cpu_period_us = o->cpu_period > 0 ? o->cpu_period : 0;
	spec->cpu_shares = o->cpu_shares > 0 ? o->cpu_shares : 0;
	spec->cpuset_cpus = o->cpuset_cpus;
	return 0;
}

char *docker_build_request(const struct docker_opts *opts,
			   const char *node_name, const char *run_tag,
			   const char *container_name,
			   const struct docker_api_image *image,
			   const char *init_path, const char *files_dir,
			   struct emu_err *err)
{
	struct docker_api_spec spec;
	struct spec_store st;
	char *text = NULL;

	if (!fill_spec(opts, node_name, run_tag, container_name, image,
		       init_path, files_dir, &spec, &st, err))
		text = docker_json_build_create(&spec, err);
	spec_release(&st);
	return text;
}

/* Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+. */
static bool valid_container_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

struct node *docker_create(struct node_ctx *ctx, const char *name,
			   const struct docker_opts *opts,
			   struct emu_err *err)
{
	struct docker_opts none = { 0 };
	struct docker_node *dn;
	char *text;

	if (!opts)
		opts = &none;
	if (!name || !*name || !valid_container_name(name)) {
		emu_err_set(err, -EINVAL,
			    "invalid container name '%s': letters, digits, "
			    "'_', '.' and '-' only",
			    name ? name : "");
		return NULL;
	}
	if (!ctx && !opts->run_tag) {
		emu_err_set(err, -EINVAL, "'%s': no Net and no run tag", name);
		return NULL;
	}
	if (opts->mem_limit > 0 && opts->memswap_limit > 0 &&
	    opts->memswap_limit < opts->mem_limit) {
		emu_err_set(err, -EINVAL,
			    "'%s': memswap_limit %lld is below mem_limit %lld",
			    name, opts->memswap_limit, opts->mem_limit);
		return NULL;
	}
	/* Build a request once to check every option now. */
	text = docker_build_request(opts, name, "cn0", "cn0.x", NULL, NULL,
				    NULL, err);
	if (!text) {
		emu_err_prefix(err, "'%s': ", name);
		return NULL;
	}
	free(text);
	dn = xcalloc(1, sizeof(*dn));
	node_init(&dn->node, &docker_ops, ctx, name, 0);
	copy_opts(&dn->opts, opts);
	dn->node.default_ip = xstrdup(opts->ip);
	dn->node.default_mac = xstrdup(opts->mac);
	return &dn->node;
}

/* cnemu-init on the host */

static bool same_content(const char *path, const unsigned char *data,
			 size_t size)
{
	unsigned char buf[65536];
	size_t off = 0;
	struct stat st;
	bool same;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || (size_t)st.st_size != size ||
	    !(st.st_mode & S_IXUSR)) {
		close(fd);
		return false;
	}
	same = true;
	while (same && off < size) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			same = false;
		else if (memcmp(buf, data + off, (size_t)n))
			same = false;
		else
			off += (size_t)n;
	}
	close(fd);
	return same;
}

static int write_init(const char *dir, const char *path, struct emu_err *err)
{
	char *tmp = xasprintf("%s/.cnemu-init.%d", dir,
			      (int)proc_machine_pid());
	size_t off = 0;
	int fd, ret = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0) {
		ret = emu_err_set(err, -errno, "cannot write '%s': %s", tmp,
				  strerror(errno));
		goto out;
	}
	while (off < docker_init_size()) {
		ssize_t n = write(fd, docker_init_blob + off,
				  docker_init_size() - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = emu_err_set(err, n < 0 ? -errno : -EIO,
					  "cannot write '%s': %s", tmp,
					  n < 0 ? strerror(errno)
						: "short write");
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !ret)
		ret = emu_err_set(err, -errno, "cannot write '%s': %s", tmp,
				  strerror(errno));
	if (!ret && rename(tmp, path))
		ret = emu_err_set(err, -errno, "cannot rename '%s' to '%s': %s",
				  tmp, path, strerror(errno));
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

/* Puts cnemu-init where containers can bind-mount and execute it; copies
 * its path into 'path'. */
static int install_init(char *path, size_t size, struct emu_err *err)
{
	static const char *const dirs[] = { "/run/cnemu", "/var/lib/cnemu" };
	const char *env = getenv("CNEMU_INIT");
	int ret = -ENOENT;

	if (env && *env) {
		char *abs = realpath(env, NULL);

		if (!abs || access(abs, X_OK)) {
			ret = -errno;
			free(abs);
			return emu_err_set(err, ret,
					   "cannot use CNEMU_INIT '%s': %s",
					   env, strerror(-ret));
		}
		snprintf(path, size, "%s", abs);
		free(abs);
		return 0;
	}
	if (!docker_init_size())
		return emu_err_set(err, -ENOENT,
				   "cnemu-init is not built in: build cnemu "
				   "with make, or set CNEMU_INIT to a static "
				   "cnemu-init");
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct statvfs vfs;

		if (mkdir(dirs[i], 0755) && errno != EEXIST)
			continue;
		/* A bind mount keeps noexec: pick a place without it. */
		if (statvfs(dirs[i], &vfs) || (vfs.f_flag & ST_NOEXEC))
			continue;
		snprintf(path, size, "%s/cnemu-init", dirs[i]);
		if (same_content(path, docker_init_blob, docker_init_size()))
			return 0;
		ret = write_init(dirs[i], path, err);
		if (!ret)
			return 0;
	}
	return emu_err_set(err, ret,
			   "cannot find a directory without noexec for "
			   "cnemu-init (tried /run/cnemu, /var/lib/cnemu)");
}

/* Start */

/* One container being made. */
struct start_job {
	struct docker_node *dn;
	struct docker_api_spec spec;
	struct spec_store store;
	char *container;	/* "<tag>.<name>" */
	const struct docker_api_image *image;	/* load_images()' */
	char *id;		/* once created */
	pid_t pid;		/* once started */
	const char *files_dir;	/* of its network files; NULL: none */
};

/* Appends the last log lines of 'id' to the error in 'err'. */
static void add_logs(struct docker_api *api, const char *id,
		     struct emu_err *err)
{
	char *text = NULL;
	size_t len;

	if (!err || !err->code ||
	    docker_api_logs(api, id, DOCKER_LOG_TAIL, &text, NULL))
		return;
	len = strlen(text);
	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	/* One line, and no terminal escapes: a TTY's shell writes some
	 * (ESC [6n asks the user's terminal to type an answer). */
	for (char *p = text; *p; p++)
		if (*p == '\n' || iscntrl((unsigned char)*p))
			*p = *p == '\n' ? '|' : ' ';
	if (len) {
		size_t used = strlen(err->msg), room;
		const char *tail = text;

		/* The end of the output says most. */
		room = used + 20 < sizeof(err->msg)
			       ? sizeof(err->msg) - used - 20
			       : 0;
		if (len > room)
			tail += len - room;
		snprintf(err->msg + used, sizeof(err->msg) - used,
			 "; last output: %s", tail);
	}
	free(text);
}

static int start_one(struct docker_api *api, size_t i, void *aux,
		     struct emu_err *err)
{
	struct start_job *job = (struct start_job *)aux + i;
	struct docker_api_state st;
	int ret = 0;

	/* fill_spec() chose the resolvers: the file says the same. */
	if (job->spec.network_disabled)
		ret = docker_files_write(job->files_dir, job->container,
					 job->spec.dns, job->spec.n_dns, err);
	if (!ret && (ret = docker_api_create(api, &job->spec, &job->id, err)) &&
	    job->spec.network_disabled)
		docker_files_remove(job->files_dir, job->container);
	if (!ret)
		ret = docker_api_start(api, job->id, err);
	if (!ret)
		ret = docker_api_inspect(api, job->id, &st, err);
	if (ret)
		return ret;
	if (!st.running || st.pid <= 0) {
		ret = emu_err_set(err, -ECHILD,
				  "container '%s' exited at once "
				  "(status %d%s%s)",
				  job->container, st.exit_code,
				  *st.error ? ": " : "", st.error);
		add_logs(api, job->id, err);
	}
	job->pid = st.pid;
	docker_api_state_release(&st);
	return ret;
}

/* Reads the config of the image of every job into 'images', pulling a
 * missing one once. */
static int load_images(struct docker_api *api, struct start_job *jobs,
		       size_t n, struct docker_api_image *images,
		       size_t *n_images, struct emu_err *err)
{
	int ret;

	*n_images = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = jobs[i].dn->opts.dimage;
		struct docker_api_image *image = &images[*n_images];
		struct emu_err ierr = { 0 };
		size_t k;

		for (k = 0; k < i; k++)
			if (!strcmp(jobs[k].dn->opts.dimage, name))
				break;
		if (k < i) {
			jobs[i].image = jobs[k].image;
			continue;
		}
		ret = docker_api_inspect_image(api, name, image, &ierr);
		if (ret && ret != -ENOENT)
			return emu_err_set(err, ret, "%s", ierr.msg);
		if (ret) {
			struct emu_err perr = { 0 };

			log_info("*** Pulling image %s", name);
			ret = docker_api_pull_image(api, name, &perr);
			if (ret) {
				const char *why = strstr(perr.msg, "': ");

				why = why ? why + 3 : perr.msg;
				return emu_err_set(
					err, -ENOENT,
					"image '%s' is not there and cannot "
					"be pulled: %s (import one: docker "
					"import ROOTFS.tar %s)",
					name, why, name);
			}
			ret = docker_api_inspect_image(api, name, image, err);
		}
		if (ret)
			return ret;
		jobs[i].image = image;
		(*n_images)++;
	}
	return 0;
}

static const char *docker_run_tag(const struct docker_node *dn)
{
	return dn->opts.run_tag ? dn->opts.run_tag : dn->node.ctx->run_tag;
}

/* Where the network files of the run's containers are, "<run
 * dir>/docker" (caller frees); NULL outside a started Net. */
static char *docker_files_dir(const struct docker_node *dn)
{
	const struct node_ctx *ctx = dn->node.ctx;

	return ctx && ctx->run_dir
		       ? xasprintf("%s/" DOCKER_FILES_DIR, ctx->run_dir)
		       : NULL;
}

static int open_netns(struct docker_node *dn, struct emu_err *err)
{
	char path[64];
	int fd;

	struct stat ns, own;

	snprintf(path, sizeof(path), "%s/%d/ns/net", proc_machine_root(), (int)dn->node.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return emu_err_set(err, -errno,
				   "cannot open the network namespace of "
				   "container '%s' (%s): %s",
				   dn->container, path, strerror(errno));
	/* Whatever the engine made of the network mode: never the
	 * machine's own namespace, where the links would go. */
	if (fstat(fd, &ns) || stat("/proc/self/ns/net", &own) ||
	    (ns.st_ino == own.st_ino && ns.st_dev == own.st_dev)) {
		close(fd);
		return emu_err_set(err, -EINVAL,
				   "container '%s' shares the machine's "
				   "network namespace: refused",
				   dn->container);
	}
	dn->node.nsfd = fd;
	return 0;
}

/* The machine's ports that the container of 'dn' publishes: no other
 * lab may publish them at once (Docker would refuse the second with a
 * sentence that names neither lab). */
static int docker_claim_ports(const struct docker_node *dn,
			      struct emu_err *err)
{
	const struct docker_opts *o = &dn->opts;
	int ret = 0;

	for (size_t i = 0; i < o->n_port_bindings && !ret; i++) {
		const struct docker_api_port *pb = &o->port_bindings[i];
		const char *proto = strchr(pb->port, '/');
		char value[32], desc[96];

		if (!pb->host_port)
			continue;	/* the engine picks a free one */
		snprintf(value, sizeof(value), "%u/%s", pb->host_port,
			 proto ? proto + 1 : "tcp");
		snprintf(desc, sizeof(desc), "port %s published by '%s'",
			 value, dn->node.name);
		ret = run_claim("port", value, NULL, desc, err);
	}
	return ret;
}

static int docker_start(struct node **nodes, size_t n, struct emu_err *err)
{
	struct docker_api_image *images = NULL;
	struct start_job *jobs;
	struct docker_api *api;
	struct emu_err local;
	size_t n_images = 0;
	char init[256], *files_dir;
	int ret;

	if (!n)
		return 0;
	err = emu_err_sink(err, &local);
	api = docker_api_connect(NULL, err);
	if (!api)
		return emu_err_code(err, -EIO);
	jobs = xcalloc(n, sizeof(*jobs));
	images = xcalloc(n, sizeof(*images));
	files_dir = docker_files_dir(docker_node(nodes[0]));
	for (size_t i = 0; i < n; i++) {
		jobs[i].dn = docker_node(nodes[i]);
		jobs[i].container = xasprintf("%s.%s", docker_run_tag(jobs[i].dn),
					      nodes[i]->name);
		jobs[i].files_dir = files_dir;
	}
	ret = 0;
	for (size_t i = 0; i < n && !ret; i++)
		ret = docker_claim_ports(jobs[i].dn, err);
	if (!ret)
		ret = install_init(init, sizeof(init), err);
	if (!ret)
		ret = load_images(api, jobs, n, images, &n_images, err);
	for (size_t i = 0; i < n && !ret; i++) {
		struct start_job *job = &jobs[i];

		ret = fill_spec(&job->dn->opts, job->dn->node.name,
				docker_run_tag(job->dn), job->container,
				job->image, init, files_dir, &job->spec,
				&job->store, err);
		if (ret)
			emu_err_prefix(err, "'%s': ", job->dn->node.name);
	}
	if (!ret) {
		unsigned long long t0 = now_us();

		ret = docker_api_run_parallel(api, n, 0, start_one, jobs, NULL,
					      err);
		log_dbg("%zu container(s) created and started in %llu ms", n,
			(now_us() - t0) / 1000);
	}
	if (ret && files_dir)
		rmdir(files_dir);	/* when no container was made */
	for (size_t i = 0; i < n; i++) {
		struct start_job *job = &jobs[i];
		struct docker_node *dn = job->dn;

		if (job->id) {
			/* Made: the Net stops (removes) it, also on failure. */
			dn->id = job->id;
			dn->container = job->container;
			job->id = job->container = NULL;
			dn->node.running = true;
			dn->node.pid = job->pid;
			if (!ret && job->pid > 0)
				ret = open_netns(dn, err);
		}
		free(job->id);
		free(job->container);
		spec_release(&job->store);
	}
	for (size_t i = 0; i < n_images; i++)
		docker_api_image_release(&images[i]);
	free(images);
	free(jobs);
	free(files_dir);
	docker_api_close(api);
	return ret;
}

/* Ready */

/* Reads a line "Key:\tvalue" of /proc/<pid>/status. */
static bool read_status(pid_t pid, const char *key, char *buf, size_t size)
{
	char path[64], line[256];
	size_t len = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/status", proc_machine_root(), (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, len) || line[len] != ':')
			continue;
		const char *v = line + len + 1;

		snprintf(buf, size, "%s", v + strspn(v, " \t"));
		buf[strcspn(buf, "\n")] = '\0';
		found = true;
	}
	fclose(f);
	return found;
}

enum init_state {
	INIT_GONE,		/* exited (or a zombie) */
	INIT_OTHER,		/* runc's init still, or the command */
	INIT_STARTING,		/* cnemu-init, not waiting yet */
	INIT_WAITING,		/* cnemu-init, SIGUSR1 blocked, handled */
};

static enum init_state init_state(pid_t pid)
{
	char name[64], buf[64];
	unsigned long long mask;

	if (!read_status(pid, "Name", name, sizeof(name)) ||
	    !read_status(pid, "State", buf, sizeof(buf)) || buf[0] == 'Z')
		return INIT_GONE;
	if (strcmp(name, DOCKER_INIT_COMM))
		return INIT_OTHER;
	/* Its SIGUSR1 handler is set once the signal is blocked (see
	 * node/init/cnemu-init.c). */
	if (!read_status(pid, "SigCgt", buf, sizeof(buf)))
		return INIT_GONE;
	mask = strtoull(buf, NULL, 16);
	return mask & (1ULL << (SIGUSR1 - 1)) ? INIT_WAITING : INIT_STARTING;
}

/* Polls 'pid' while its state is 'a' or 'b', up to the ready timeout. */
static enum init_state wait_init(pid_t pid, enum init_state a,
				 enum init_state b)
{
	unsigned long long t0 = now_us();
	struct timespec ts = { 0, 100000 };
	enum init_state state;

	while (((state = init_state(pid)) == a || state == b) &&
	       now_us() - t0 < DOCKER_READY_TIMEOUT_US) {
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 20000000)
			ts.tv_nsec *= 2;
	}
	return state;
}

/* Error for a container that died: its status and last output. */
static int report_dead(struct docker_node *dn, const char *when,
		       struct emu_err *err)
{
	struct docker_api *api = docker_api_open(NULL, NULL);
	struct docker_api_state st = { 0 };
	struct timespec ts = { 0, 10000000 };
	bool known = false;
	int ret;

	/* The engine learns of the death a moment after the kernel. */
	for (int i = 0; api && i < 100; i++) {
		docker_api_state_release(&st);
		if (docker_api_inspect(api, dn->id, &st, NULL))
			break;
		known = !st.running;
		if (known)
			break;
		nanosleep(&ts, NULL);
	}
	if (known)
		ret = emu_err_set(err, -ECHILD,
				  "container '%s' exited %s (status %d)",
				  dn->container, when, st.exit_code);
	else
		ret = emu_err_set(err, -ECHILD, "container '%s' exited %s",
				  dn->container, when);
	if (api)
		add_logs(api, dn->id, err);
	docker_api_state_release(&st);
	docker_api_close(api);
	return ret;
}

/* Exec context: what runc gave the container's init */

/* Reads /proc/<pid>/<file> whole into '*text' (NUL-ended, '*len' bytes
 * before it; caller frees). */
static int read_proc(pid_t pid, const char *file, char **text, size_t *len)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%d/%s", proc_machine_root(), (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fd_read_all(fd, text, len);
	close(fd);
	if (ret) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

/* The effective id of the "Uid:" or "Gid:" line (real, effective, saved,
 * fs) of a /proc status text. */
static bool status_id(const char *status, const char *key, unsigned long *id)
{
	const char *line = strstr(status, key);
	char *end;

	if (!line || (line != status && line[-1] != '\n'))
		return false;
	line += strlen(key);
	strtoul(line, &end, 10);	/* real */
	if (end == line)
		return false;
	line = end;
	*id = strtoul(line, &end, 10);
	return end != line;
}

struct node_exec_ctx *docker_parse_exec_ctx(const char *environ,
					    size_t env_len,
					    const char *status,
					    const char *cwd)
{
	struct node_exec_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *p, *end = environ + env_len;
	unsigned long uid, gid;
	size_t n = 1, cap = 0, len;

	for (p = environ; p < end; p++)
		n += !*p;
	ctx->env = xcalloc(n + 1, sizeof(*ctx->env));
	n = 0;
	for (p = environ; p < end; p += len + 1) {
		len = strnlen(p, (size_t)(end - p));
		if (!len || !memchr(p, '=', len))
			continue;	/* not a variable */
		ctx->env[n] = xmalloc(len + 1);
		memcpy(ctx->env[n], p, len);
		ctx->env[n++][len] = '\0';
	}
	ctx->cwd = cwd && *cwd == '/' ? xstrdup(cwd) : NULL;
	if (!status || !status_id(status, "Uid:", &uid) ||
	    !status_id(status, "Gid:", &gid))
		return ctx;
	ctx->set_ids = true;
	ctx->uid = (uid_t)uid;
	ctx->gid = (gid_t)gid;
	p = strstr(status, "\nGroups:");
	for (p = p ? p + strlen("\nGroups:") : ""; *p && *p != '\n';) {
		char *stop;
		unsigned long g = strtoul(p, &stop, 10);

		if (stop == p) {
			p++;
			continue;
		}
		xgrow((void **)&ctx->groups, &cap, ctx->n_groups + 1,
		      sizeof(*ctx->groups));
		ctx->groups[ctx->n_groups++] = (gid_t)g;
		p = stop;
	}
	return ctx;
}

/* The environment, working directory and user of the waiting init: what
 * runc made of the image's Env, WorkingDir and User and of the node's
 * environment (docker exec's rule). */
static int read_exec_ctx(struct docker_node *dn, struct emu_err *err)
{
	char path[64], cwd[PATH_MAX], *env = NULL, *status = NULL;
	size_t env_len = 0, status_len = 0;
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/%d/cwd", proc_machine_root(), (int)dn->node.pid);
	n = readlink(path, cwd, sizeof(cwd) - 1);
	cwd[n > 0 ? n : 0] = '\0';
	ret = read_proc(dn->node.pid, "environ", &env, &env_len);
	if (!ret)
		ret = read_proc(dn->node.pid, "status", &status, &status_len);
	if (ret) {
		free(env);
		return emu_err_set(err, ret,
				   "cannot read the environment of container "
				   "'%s': %s",
				   dn->container, strerror(-ret));
	}
	node_set_exec_ctx(&dn->node,
			  docker_parse_exec_ctx(env, env_len, status,
						n > 0 ? cwd : NULL));
	free(env);
	free(status);
	return 0;
}

/* Adds "<ip> <hostname>" to the container's /etc/hosts (as the engine
 * does for the networks it makes), so that the image's process finds its
 * own name without asking a resolver.  Opened inside the container's
 * root: a link in the image cannot lead out of it. */
static int add_hosts_line(struct docker_node *dn, struct emu_err *err)
{
	struct open_how how = {
		.flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *host = dn->opts.hostname ? dn->opts.hostname
					     : dn->node.name;
	char ip[64], path[64], *line;
	int root, fd, ret = 0;
	ssize_t n;

	if (!node_ip(&dn->node, ip, sizeof(ip)))
		return 0;
	snprintf(path, sizeof(path), "%s/%d/root", proc_machine_root(), (int)dn->node.pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return emu_err_set(err, -errno, "cannot open '%s': %s", path,
				   strerror(errno));
	fd = (int)syscall(SYS_openat2, root, "etc/hosts", &how, sizeof(how));
	close(root);
	if (fd < 0) {
		/* An image without /etc/hosts, or a kernel before 5.6. */
		log_dbg("'%s': /etc/hosts not written: %s", dn->node.name,
			strerror(errno));
		return 0;
	}
	line = xasprintf("%s\t%s\n", ip, host);
	n = write(fd, line, strlen(line));
	if (n != (ssize_t)strlen(line))
		ret = emu_err_set(err, n < 0 ? -errno : -EIO,
				  "cannot add '%s' to /etc/hosts of '%s': %s",
				  host, dn->container,
				  n < 0 ? strerror(errno) : "short write");
	close(fd);
	free(line);
	return ret;
}

/* SIGUSR1 to the container's cnemu-init: by its pid, or through the
 * engine when this process cannot reach that pid (a cluster's agent runs
 * in a pid namespace of its own). */
static int docker_release_init(struct docker_node *dn, struct emu_err *err)
{
	struct docker_api *api;
	char *path, *body = NULL;
	long status = 0;
	size_t len;
	int ret;

	if (!kill(dn->node.pid, SIGUSR1))
		return 0;
	if (errno != ESRCH || !strcmp(proc_machine_root(), "/proc"))
		return emu_err_set(err, -errno,
				   "cannot signal container '%s' (pid %d): %s",
				   dn->container, (int)dn->node.pid,
				   strerror(errno));
	api = docker_api_open(NULL, err);
	if (!api)
		return emu_err_code(err, -EINVAL);
	path = xasprintf("/containers/%s/kill?signal=SIGUSR1", dn->id);
	ret = docker_api_request(api, "POST", path, NULL, &status, &body, &len,
				 err);
	free(body);
	free(path);
	docker_api_close(api);
	if (!ret && (status < 200 || status >= 300))
		ret = emu_err_set(err, -ESRCH, "cannot signal container '%s': "
				  "the engine answered %ld",
				  dn->container, status);
	return ret;
}

static int docker_ready(struct node *node, struct emu_err *err)
{
	struct docker_node *dn = docker_node(node);
	unsigned long long t0;
	enum init_state state;
	int ret;

	if (dn->released)
		return 0;
	if (!node->running || node->pid <= 0)
		return emu_err_set(err, -ENETDOWN,
				   "container '%s' is not running",
				   node->name);
	/* Until it blocks SIGUSR1, cnemu-init would lose the signal. */
	state = wait_init(node->pid, INIT_OTHER, INIT_STARTING);
	if (state == INIT_GONE)
		return report_dead(dn, "before its command ran", err);
	if (state != INIT_WAITING)
		return emu_err_set(err, -ETIMEDOUT,
				   "container '%s': cnemu-init does not wait "
				   "for its signal",
				   dn->container);
	ret = read_exec_ctx(dn, err);
	if (!ret)
		ret = add_hosts_line(dn, err);
	if (ret)
		return ret;
	t0 = now_us();
	ret = docker_release_init(dn, err);
	if (ret)
		return ret;
	dn->released = true;
	/* Wait for the exec, to report a command that cannot run (a bad
	 * dcmd) now. */
	state = wait_init(node->pid, INIT_WAITING, INIT_STARTING);
	if (state == INIT_GONE)
		return report_dead(dn, "at once", err);
	log_dbg("'%s': command started after %llu us", node->name,
		now_us() - t0);
	return 0;
}

bool docker_is_alive(const struct node *node)
{
	struct stat ours, now;
	char path[64];

	if (!node_is_docker(node) || !node->running || node->pid <= 0 ||
	    node->nsfd < 0)
		return false;
	/* The same namespace as at start: not a reused pid. */
	snprintf(path, sizeof(path), "%s/%d/ns/net", proc_machine_root(), (int)node->pid);
	if (fstat(node->nsfd, &ours) || stat(path, &now) ||
	    ours.st_ino != now.st_ino || ours.st_dev != now.st_dev)
		return false;
	return init_state(node->pid) != INIT_GONE;
}

/* A container killed or stopped behind cnemu's back: said once, with its
 * status; its network namespace, which only cnemu's fd kept, goes away
 * with its interfaces, as with Docker's own containers. */
static bool docker_check(struct node *node)
{
	struct docker_node *dn = docker_node(node);
	struct emu_err err = { 0 };

	if (!node->running || dn->dead || docker_is_alive(node))
		return true;
	dn->dead = true;
	report_dead(dn, "while the network ran", &err);
	log_warn("'%s': %s", node->name, err.msg);
	if (node->nsfd >= 0)
		close(node->nsfd);
	node->nsfd = -1;
	return false;
}

/* Stop */

static int stop_one(struct docker_api *api, size_t i, void *aux,
		    struct emu_err *err)
{
	struct docker_node *dn = ((struct docker_node **)aux)[i];

	if (!dn->id)
		return 0;
	if (dn->opts.keep)
		return docker_api_stop(api, dn->id, 1, err);
	return docker_api_remove(api, dn->id, true, true, err);
}

static void docker_stop(struct node **nodes, size_t n)
{
	struct docker_node **dns = xcalloc(n ? n : 1, sizeof(*dns));
	struct emu_err *errs = xcalloc(n ? n : 1, sizeof(*errs));
	struct emu_err err = { 0 };
	struct docker_api *api;
	char *files_dir = n ? docker_files_dir(docker_node(nodes[0])) : NULL;

	for (size_t i = 0; i < n; i++)
		dns[i] = docker_node(nodes[i]);
	api = docker_api_open(NULL, &err);
	if (api)
		docker_api_run_parallel(api, n, 0, stop_one, dns, errs, NULL);
	for (size_t i = 0; i < n; i++) {
		struct docker_node *dn = dns[i];

		if (!api && dn->id)
			log_warn("cannot remove container '%s': %s",
				 dn->container, err.msg);
		else if (errs[i].code)
			log_warn("%s", errs[i].msg);
		else if (dn->id)
			log_dbg("'%s': container %s %s", dn->node.name,
				dn->container,
				dn->opts.keep ? "stopped, kept" : "removed");
		if (dn->node.nsfd >= 0)
			close(dn->node.nsfd);
		dn->node.nsfd = -1;
		dn->node.pid = 0;
		dn->node.running = false;
		node_set_exec_ctx(&dn->node, NULL);
		dn->released = dn->dead = false;
		if (!dn->opts.keep) {
			if (files_dir && dn->container && !errs[i].code)
				docker_files_remove(files_dir, dn->container);
			free(dn->id);
			dn->id = NULL;
			free(dn->container);
			dn->container = NULL;
		}
	}
	docker_api_close(api);
	/* Gone with the run's last container. */
	if (files_dir)
		rmdir(files_dir);
	free(files_dir);
	free(errs);
	free(dns);
}

static void docker_free(struct node *node)
{
	struct docker_node *dn = docker_node(node);

	free_opts(&dn->opts);
	free(dn->id);
	free(dn->container);
	free(dn);
}

static const struct node_ops docker_ops = {
	.kind = "docker",
	.role = NODE_HOST,
	.start = docker_start,
	.ready = docker_ready,
	.check = docker_check,
	.stop = docker_stop,
	.free = docker_free,
};

/* Runtime limits */

static int check_running(struct node *node, struct emu_err *err)
{
	if (!node_is_docker(node))
		return emu_err_set(err, -EINVAL, "'%s' is not a container",
				   node ? node->name : "");
	if (!node->running || !docker_node(node)->id)
		return emu_err_set(err, -ENETDOWN,
				   "container '%s' is not running",
				   node->name);
	return 0;
}

static int update(struct node *node, const struct docker_api_limits *l,
		  struct emu_err *err)
{
	struct emu_err local;
	struct docker_api *api;
	int ret;

	err = emu_err_sink(err, &local);
	api = docker_api_open(NULL, err);
	if (!api)
		return emu_err_code(err, -EIO);
	ret = docker_api_update(api, docker_node(node)->container, l, err);
	docker_api_close(api);
	return ret;
}

int docker_update_cpu(struct node *node, long long cpu_quota,
		      long long cpu_period, long long cpu_shares,
		      const char *cores, struct emu_err *err)
{
	struct docker_api_limits l = { 0 };
	int ret = check_running(node, err);

	if (ret)
		return ret;
	if (cpu_quota < -1 || (cpu_quota > 0 && cpu_quota < 1000))
		return emu_err_set(err, -EINVAL,
				   "invalid cpu_quota %lld: -1 or at least "
				   "1000 us",
				   cpu_quota);
	if (cpu_period > 0 && (cpu_period < 1000 || cpu_period > 1000000))
		return emu_err_set(err, -EINVAL,
				   "invalid cpu_period %lld: 1000..1000000 us",
				   cpu_period);
	l.cpu_quota_us = cpu_quota;
	l.cpu_period_us = cpu_period > 0 ? cpu_period : 0;
	l.cpu_shares = cpu_shares > 0 ? cpu_shares : 0;
	l.cpuset_cpus = cores;
	ret = update(node, &l, err);
	if (!ret) {
		struct docker_opts *o = &docker_node(node)->opts;

		if (cpu_quota)
			o->cpu_quota = cpu_quota;
		if (l.cpu_period_us)
			o->cpu_period = l.cpu_period_us;
		if (l.cpu_shares)
			o->cpu_shares = l.cpu_shares;
		if (cores && *cores) {
			free((char *)o->cpuset_cpus);
			o->cpuset_cpus = xstrdup(cores);
		}
	}
	return ret;
}

int docker_update_memory(struct node *node, long long mem_limit,
			 long long memswap_limit, struct emu_err *err)
{
	struct docker_api_limits l = { 0 };
	struct emu_err first = { 0 };
	int ret = check_running(node, err);

	if (ret)
		return ret;
	if (memswap_limit < -1 ||
	    (mem_limit > 0 && memswap_limit > 0 && memswap_limit < mem_limit))
		return emu_err_set(err, -EINVAL,
				   "invalid memswap_limit %lld: -1 or at "
				   "least mem_limit",
				   memswap_limit);
	l.memory_bytes = mem_limit > 0 ? mem_limit : 0;
	l.memswap_bytes = memswap_limit;
	ret = update(node, &l, &first);
	if (ret && !memswap_limit && l.memory_bytes) {
		/* The engine refuses memory above the swap limit set at
		 * create (2 x memory): move swap along, by the engine's rule
		 * for a new container (-1 does not work: runc then writes
		 * the memory limit first, which the kernel refuses). */
		log_dbg("'%s': %s; retrying with swap at 2 x memory",
			node->name, first.msg);
		l.memswap_bytes = 2 * l.memory_bytes;
		if (!update(node, &l, NULL))
			ret = 0;
	}
	if (ret)
		return emu_err_set(err, ret, "%s", first.msg);
	if (mem_limit > 0)
		docker_node(node)->opts.mem_limit = mem_limit;
	if (memswap_limit)
		docker_node(node)->opts.memswap_limit = memswap_limit;
	return 0;
}

/* Cleanup */

/* What cleanup does to one container. */
struct cleanup_job {
	struct docker_api_entry *entry;
	bool remove;		/* else stop it: kept */
};

static int cleanup_one(struct docker_api *api, size_t i, void *aux,
		       struct emu_err *err)
{
	struct cleanup_job *job = &((struct cleanup_job *)aux)[i];

	if (job->remove)
		return docker_api_remove(api, job->entry->id, true, true, err);
	if (job->entry->state && !strcmp(job->entry->state, "running"))
		return docker_api_stop(api, job->entry->id, 1, err);
	return 0;
}

/* True when 'entry' carries DOCKER_LABEL_KEEP=true. */
static bool entry_is_kept(const struct docker_api_entry *entry)
{
	const char *keep = docker_api_entry_label(entry, DOCKER_LABEL_KEEP);

	return keep && !strcmp(keep, "true");
}

/* The label the Swarm puts on its tasks' containers. */
#define SWARM_TASK_LABEL "com.docker.swarm.task.id"

int docker_cleanup(const char *run_tag,
		   bool (*is_dead)(const char *tag, void *aux), void *aux,
		   enum docker_cleanup_flags flags, FILE *out,
		   struct docker_cleanup_counts *counts, struct emu_err *err)
{
	struct docker_api_entry *entries = NULL;
	struct cleanup_job *jobs;
	struct emu_err *errs;
	struct docker_api *api;
	struct emu_err local;
	size_t n = 0, n_jobs = 0;
	char *filter;
	int ret, removed = 0;

	err = emu_err_sink(err, &local);
	api = docker_api_connect(NULL, err);
	if (!api)
		return emu_err_code(err, -EIO);
	filter = run_tag ? xasprintf("cnemu.run=%s", run_tag)
			 : xstrdup("cnemu.run");
	ret = docker_api_list(api, filter, true, &entries, &n, err);
	free(filter);
	if (ret) {
		docker_api_close(api);
		return ret;
	}
	jobs = xcalloc(n + 1, sizeof(*jobs));
	errs = xcalloc(n + 1, sizeof(*errs));
	for (size_t i = 0; i < n; i++) {
		const char *tag = docker_api_entry_label(&entries[i],
							 "cnemu.run");

		/* The engine filtered; check again, never remove more. */
		if (!tag || !*tag)
			continue;
		/* A cluster run's agent, a Swarm task labelled with its
		 * manager's run (which has no directory on this machine):
		 * the Swarm removes it with its service, and only one that
		 * ended is taken here. */
		if (docker_api_entry_label(&entries[i], SWARM_TASK_LABEL) &&
		    entries[i].state && !strcmp(entries[i].state, "running"))
			continue;
		if (run_tag ? strcmp(tag, run_tag)
			    : (is_dead && !is_dead(tag, aux)))
			continue;
		jobs[n_jobs].entry = &entries[i];
		jobs[n_jobs++].remove = !entry_is_kept(&entries[i]) ||
					(flags & DOCKER_CLEANUP_KEPT);
	}
	docker_api_run_parallel(api, n_jobs, 0, cleanup_one, jobs, errs,
				NULL);
	for (size_t i = 0; i < n_jobs; i++) {
		struct docker_api_entry *e = jobs[i].entry;
		bool kept = entry_is_kept(e);

		if (errs[i].code) {
			log_warn("%s", errs[i].msg);
			if (!ret)
				ret = emu_err_set(err, errs[i].code, "%s",
						  errs[i].msg);
			continue;
		}
		if (!jobs[i].remove) {
			if (counts)
				counts->kept++;
			if (out)
				fprintf(out, "*** Kept container %s "
					     "(keep = true)\n", e->name);
			continue;
		}
		if (out && kept)
			fprintf(out, "*** Removed kept container %s and its "
				     "volumes\n", e->name);
		log_info("removed container %s of run %s", e->name,
			 docker_api_entry_label(e, "cnemu.run"));
		removed++;
	}
	if (counts)
		counts->removed += (unsigned int)removed;
	free(errs);
	free(jobs);
	docker_api_entries_free(entries, n);
	docker_api_close(api);
	return ret ? ret : removed;
}
