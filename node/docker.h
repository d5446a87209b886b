/* The "docker" node kind: a Docker container as a host, through the Docker
 * Engine API (node/docker_api.h).
 *
 * docker_create() checks and copies Containernet's parameters and makes a
 * node that the Net owns (net_add_docker()); nothing happens on the
 * machine until the Net starts it.  Start creates and starts the
 * containers of a batch concurrently, each with network mode none (no
 * interface but lo), labelled cnemu.run=<run tag> and cnemu.node=<name>,
 * named "<run tag>.<name>"; it sets node->pid to the container's init and
 * node->nsfd to its network namespace, so that the Net creates the veth
 * ends directly inside.  The container's init is cnemu-init (node/init/),
 * bind-mounted read-only from the host: it waits, and only 'ready' makes
 * it exec the image's ENTRYPOINT + CMD (or 'dcmd'), once the interfaces
 * are up and addressed.  Without 'dcmd' the image's command runs with a
 * TTY and stdin open, so that a shell stays up (Containernet's way);
 * /bin/sh when the image has no command.  Stop removes the container
 * (only stops it with 'keep', labelled cnemu.keep=true so that no
 * 'cnemu -c' but 'cnemu -c --all' removes it).  Commands run in the container through
 * node_spawn(), which enters the namespaces of node->pid.  The engine is
 * found through $DOCKER_HOST (default unix:///var/run/docker.sock).
 *
 * cnemu-init is built into the library (make) and written once to
 * /run/cnemu/cnemu-init (/var/lib/cnemu/ when /run is noexec), where the
 * containers bind-mount it from; $CNEMU_INIT names another static one. */
#ifndef NODE_DOCKER_H
#define NODE_DOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "node/docker_api.h"

struct emu_err;
struct node_ctx;
struct node;
struct node_exec_ctx;

/* Containernet's addDocker() parameters; zero, NULL and false are
 * defaults.  Every string is copied. */
struct docker_opts {
	const char *dimage;		/* required: "ubuntu:trusty" */
	const char *dcmd;		/* command line (words split like
					   docker-py) replacing the image's
					   CMD, after its ENTRYPOINT; NULL:
					   the image's CMD */
	const char *ip;			/* "10.0.0.1/8" of the first
					   interface; NULL: the Net's plan */
	const char *mac;		/* NULL: the plan's or the kernel's */
	const char *const *volumes;	/* "/host:/ctr[:ro]" */
	size_t n_volumes;
	const char *const *environment;	/* "K=V" */
	size_t n_environment;
	const char *const *ports;	/* exposed: "80", "53/udp" */
	size_t n_ports;
	const struct docker_api_port *port_bindings;	/* published */
	size_t n_port_bindings;
	bool publish_all_ports;
	long long mem_limit;		/* bytes; <= 0: none */
	long long memswap_limit;	/* bytes, memory + swap; 0: the
					   engine's default; -1: unlimited */
	long long cpu_quota;		/* us per period; <= 0: none */
	long long cpu_period;		/* us; <= 0: the kernel's 100000 */
	long long cpu_shares;		/* <= 0: the kernel's 1024 */
	const char *cpuset_cpus;	/* "0-1"; NULL: every core */
	bool privileged;
	const char *hostname;		/* NULL: the node's name */
	const char *const *dns;		/* DNS server addresses */
	size_t n_dns;
	const char *const *labels;	/* more labels, "key=value" */
	size_t n_labels;
	bool keep;			/* stop, do not remove, at the end;
					   'cnemu -c' keeps it too (label
					   cnemu.keep=true) */
	const char *network_mode;	/* Docker's network of a management
					   eth0 outside the topology
					   ("bridge": docker0, where ports
					   are published; a network's name);
					   "none": no such interface; NULL:
					   "bridge" when 'ports',
					   'port_bindings' or
					   'publish_all_ports' are given,
					   else "none" */
	const char *run_tag;		/* NULL: the run context's
					   (tests set their own) */
};

/* Makes the node 'name' of the run 'ctx' from 'opts' (checked here: a bad
 * volume, label, port, size or command fails now, with nothing made).
 * The Net makes it in net_add_docker().  'ctx' may be NULL
 * when 'opts->run_tag' is given. */
struct node *docker_create(struct node_ctx *ctx, const char *name,
			   const struct docker_opts *opts,
			   struct emu_err *err);

/* Returns true when 'node' is a container. */
bool node_is_docker(const struct node *node);
/* The options the container was described with (borrowed, as copied by
 * docker_create()); NULL when 'node' is not a container. */
const struct docker_opts *docker_options(const struct node *node);
/* The container's id; NULL before start. */
const char *docker_id(const struct node *node);
/* The container's name, "<run tag>.<name>"; NULL before start. */
const char *docker_container_name(const struct node *node);
/* The image name given at creation. */
const char *docker_image(const struct node *node);

/* Returns true while the container's init runs: false once the container
 * was killed or stopped behind cnemu's back (no engine round trip). */
bool docker_is_alive(const struct node *node);

/* Changes the CPU limits of the running container 'node' through the
 * engine (Containernet's updateCpuLimit): 'cpu_quota' us per period (0:
 * unchanged, -1: no limit), 'cpu_period' us and 'cpu_shares' (<= 0:
 * unchanged), 'cores' the cpuset ("0-1"; NULL: unchanged). */
int docker_update_cpu(struct node *node, long long cpu_quota,
		      long long cpu_period, long long cpu_shares,
		      const char *cores, struct emu_err *err);
/* Changes the memory limit of 'node' (Containernet's updateMemoryLimit):
 * 'mem_limit' bytes (<= 0: unchanged), 'memswap_limit' bytes of memory +
 * swap (0: unchanged, or 2 x 'mem_limit' when 'mem_limit' is raised above
 * it, the engine's rule at create; -1: unlimited). */
int docker_update_memory(struct node *node, long long mem_limit,
			 long long memswap_limit, struct emu_err *err);

/* The label of containers made with 'keep': no cleanup removes them
 * unless told to (DOCKER_CLEANUP_KEPT). */
#define DOCKER_LABEL_KEEP "cnemu.keep"

enum docker_cleanup_flags {
	DOCKER_CLEANUP_KEPT = 1 << 0,	/* remove kept containers too */
};

struct docker_cleanup_counts {
	unsigned int removed;
	unsigned int kept;	/* labelled DOCKER_LABEL_KEEP: stopped,
				   left in place with their volumes */
};

/* Removes the containers labelled cnemu.run (with their anonymous
 * volumes): those of the run 'run_tag' when it is not NULL, else those of
 * every run for which 'is_dead' (NULL: every run) returns true.  Kept
 * containers among them are only stopped, unless 'flags' has
 * DOCKER_CLEANUP_KEPT.  Never touches a container without the label.
 * Says on 'out' (may be NULL) each kept container it keeps or removes;
 * adds to 'counts' (may be NULL).  Returns the number removed or a
 * negative errno (-ENOENT or -ECONNREFUSED when no engine runs: nothing
 * to clean). */
int docker_cleanup(const char *run_tag,
		   bool (*is_dead)(const char *tag, void *aux), void *aux,
		   enum docker_cleanup_flags flags, FILE *out,
		   struct docker_cleanup_counts *counts, struct emu_err *err);

/* Refuses a network mode that shares another network namespace ("host",
 * "container:<id>", "ns:<path>"): cnemu would configure that one. */
int docker_check_network_mode(const char *mode, struct emu_err *err);

/* Pure helpers, for tests. */

/* The exec context (caller frees with node_exec_ctx_free()) from a
 * process's /proc files: 'environ' ('env_len' bytes of "K=V\0"), the
 * text of 'status' (its Uid, Gid and Groups lines; NULL: keep root) and
 * the target of 'cwd' (NULL: "/"). */
struct node_exec_ctx *docker_parse_exec_ctx(const char *environ,
					    size_t env_len,
					    const char *status,
					    const char *cwd);

/* The argv the container's init execs at ready (NULL-ended, caller frees
 * with docker_json_free_argv()): the image's entry point, then 'dcmd' split
 * into words or else the image's command; ["/bin/sh"] when both are
 * empty. */
int docker_build_argv(const struct docker_api_image *image, const char *dcmd,
		      char ***argv, size_t *argc, struct emu_err *err);
/* The create request of the container 'container_name' for node
 * 'node_name' of run 'run_tag' from 'opts' and the image's config (NULL:
 * only checks 'opts'), with 'init_path' the host's cnemu-init.  With
 * 'files_dir' (NULL: none), a container of network mode "none" has the
 * engine's networking off and binds its network files from there
 * (node/docker_files.h). */
char *docker_build_request(const struct docker_opts *opts,
			   const char *node_name, const char *run_tag,
			   const char *container_name,
			   const struct docker_api_image *image,
			   const char *init_path, const char *files_dir,
			   struct emu_err *err);

#endif
