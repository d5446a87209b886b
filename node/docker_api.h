/* A client of the Docker Engine API over its unix socket (libcurl and
 * jansson; no 'docker' child processes).
 *
 * A 'struct docker_api' names the engine ($DOCKER_HOST "unix:///path",
 * default /var/run/docker.sock, so Podman's compatible socket works too)
 * and holds one curl handle with its kept-alive connection.  It is used by
 * one thread at a time; docker_api_clone() gives another thread its own,
 * and docker_api_run_parallel() runs many requests on a small pool of
 * threads, each with its own handle.  The caller owns what it opens and
 * closes it with docker_api_close().
 *
 * Requests talk to the engine; the docker_api_parse_*() and
 * docker_api_build_*() functions at the end only turn JSON into structs
 * and back (no I/O), so that they can be tested and fuzzed alone. */
#ifndef NODE_DOCKER_API_H
#define NODE_DOCKER_API_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct emu_err;
struct docker_api;

/* What a container starts from: the image's config. */
struct docker_api_image {
	char *id;		/* "sha256:..." */
	char **entrypoint;	/* Config.Entrypoint; NULL when none */
	size_t n_entrypoint;
	char **cmd;		/* Config.Cmd; NULL when none */
	size_t n_cmd;
	char **env;		/* Config.Env, "K=V" */
	size_t n_env;
	char *working_dir;	/* "" when unset */
	char *user;		/* "" when unset */
};

/* One published port: container 'port' reachable at 'host_ip':'host_port'
 * of the host. */
struct docker_api_port {
	const char *port;	/* "80", "80/tcp", "53/udp" */
	const char *host_ip;	/* NULL: every address */
	unsigned int host_port;	/* 0: one the engine picks */
};

/* A container to create (POST /containers/create).  NULL, zero and false
 * mean "not set": the image's or the engine's default. */
struct docker_api_spec {
	const char *name;		/* container name; NULL: engine's */
	const char *image;		/* required */
	const char *hostname;
	const char *const *entrypoint;	/* NULL: the image's */
	size_t n_entrypoint;
	const char *const *cmd;		/* NULL: the image's */
	size_t n_cmd;
	const char *const *env;		/* "K=V", added to the image's */
	size_t n_env;
	const char *const *labels;	/* "key=value" */
	size_t n_labels;
	const char *working_dir;
	bool tty, open_stdin;
	const char *network_mode;	/* NULL: "none" */
	const char *const *binds;	/* "/host:/ctr[:ro]", "volume:/ctr" */
	size_t n_binds;
	const char *const *ports;	/* exposed: "80", "53/udp" */
	size_t n_ports;
	const struct docker_api_port *port_bindings;	/* also exposed */
	size_t n_port_bindings;
	bool publish_all_ports;
	bool privileged;
	const char *const *cap_add;	/* "NET_ADMIN" */
	size_t n_cap_add;
	const char *const *dns;		/* server addresses */
	size_t n_dns;
	long long memory_bytes;		/* 0: no limit */
	long long memswap_bytes;	/* memory + swap; 0: engine default,
					   -1: unlimited swap */
	long long cpu_quota_us;		/* per period; 0: none */
	long long cpu_period_us;	/* 0: kernel default (100000) */
	long long cpu_shares;		/* relative weight; 0: 1024 */
	const char *cpuset_cpus;	/* "0-2,4"; NULL: all */
};

/* Limits changed at runtime (POST /containers/{id}/update); zero or NULL
 * leaves a limit as it is (the engine's rule), so "no CPU quota" is
 * cpu_quota_us -1. */
struct docker_api_limits {
	long long cpu_quota_us;
	long long cpu_period_us;
	long long cpu_shares;
	const char *cpuset_cpus;
	long long memory_bytes;
	long long memswap_bytes;	/* -1: unlimited swap */
};

/* A container as inspected (GET /containers/{id}/json). */
struct docker_api_state {
	char *id;		/* full id, 64 hex digits */
	char *name;		/* without the leading '/' */
	char *status;		/* "created", "running", "exited", ... */
	char *error;		/* State.Error; "" */
	pid_t pid;		/* of its init in the root pid namespace; 0 */
	bool running;
	int exit_code;
};

/* A container as listed (GET /containers/json). */
struct docker_api_entry {
	char *id;
	char *name;		/* first name, without the leading '/' */
	char *state;		/* "running", "exited", ... */
	char **labels;		/* "key=value" */
	size_t n_labels;
};

/* Opens a client of the engine at 'host' ("unix:///path" or a bare path;
 * NULL: $DOCKER_HOST, else unix:///var/run/docker.sock).  The API version
 * is $DOCKER_API_VERSION or "1.41".  Sends nothing; NULL on a host that is
 * not a unix socket. */
struct docker_api *docker_api_open(const char *host, struct emu_err *err);
/* docker_api_open() and docker_api_ping(): NULL with the sentence naming
 * the socket when no engine answers. */
struct docker_api *docker_api_connect(const char *host, struct emu_err *err);
/* A new client of the same engine, for another thread. */
struct docker_api *docker_api_clone(const struct docker_api *api);
void docker_api_close(struct docker_api *api);	/* accepts NULL */
/* The socket's path, "/var/run/docker.sock". */
const char *docker_api_socket(const struct docker_api *api);

/* Checks that the engine answers (GET /_ping). */
int docker_api_ping(struct docker_api *api, struct emu_err *err);

/* Reads the config of the local image 'image' into 'out' (release it with
 * docker_api_image_release()); -ENOENT when the image is not there. */
int docker_api_inspect_image(struct docker_api *api, const char *image,
			     struct docker_api_image *out,
			     struct emu_err *err);
void docker_api_image_release(struct docker_api_image *image);

/* Pulls 'image' ("name[:tag]", default tag "latest") from its registry;
 * returns when the pull is done. */
int docker_api_pull_image(struct docker_api *api, const char *image,
			  struct emu_err *err);

/* Creates a container from 'spec'; '*id' gets its id (caller frees).
 * -EEXIST when the name is taken, -ENOENT when the image is missing. */
int docker_api_create(struct docker_api *api,
		      const struct docker_api_spec *spec, char **id,
		      struct emu_err *err);
/* Starts the container 'id' (a name works too); one already running is
 * not an error. */
int docker_api_start(struct docker_api *api, const char *id,
		     struct emu_err *err);
/* Reads the state of container 'id' into 'out' (release it with
 * docker_api_state_release()); -ENOENT when there is no such container. */
int docker_api_inspect(struct docker_api *api, const char *id,
		       struct docker_api_state *out, struct emu_err *err);
void docker_api_state_release(struct docker_api_state *state);
/* Stops 'id': SIGTERM, SIGKILL after 'timeout_s' (negative: the
 * container's own timeout); one already stopped is not an error. */
int docker_api_stop(struct docker_api *api, const char *id, int timeout_s,
		    struct emu_err *err);
/* Removes 'id'; 'force' kills it first when it runs, 'volumes' removes
 * its anonymous volumes.  A container already gone is not an error. */
int docker_api_remove(struct docker_api *api, const char *id, bool force,
		      bool volumes, struct emu_err *err);
/* Lists the containers (also stopped ones when 'all') that carry the
 * label 'label' ("key" or "key=value"; NULL: every container) into
 * '*entries' ('*n' of them; free with docker_api_entries_free()). */
int docker_api_list(struct docker_api *api, const char *label, bool all,
		    struct docker_api_entry **entries, size_t *n,
		    struct emu_err *err);
void docker_api_entries_free(struct docker_api_entry *entries, size_t n);
/* The value of label 'key' of 'entry'; NULL when it has none. */
const char *docker_api_entry_label(const struct docker_api_entry *entry,
				   const char *key);
/* Changes the CPU and memory limits of the running container 'id'. */
int docker_api_update(struct docker_api *api, const char *id,
		      const struct docker_api_limits *limits,
		      struct emu_err *err);
/* The last 'tail' lines of the output of container 'id' (stdout and
 * stderr), in '*text' (caller frees). */
int docker_api_logs(struct docker_api *api, const char *id,
		    unsigned int tail, char **text, struct emu_err *err);

/* Calls 'fn' for i = 0 .. n-1 on up to 'workers' threads (0: a default
 * that suits the engine), each with its own client of the engine of 'api'
 * and its own error (in 'errs[i]' when 'errs' is not NULL).  Returns 0
 * when every call returned 0, else the first failed call's code, with its
 * error copied into 'err'. */
int docker_api_run_parallel(struct docker_api *api, size_t n,
			    unsigned int workers,
			    int (*fn)(struct docker_api *api, size_t i,
				      void *aux, struct emu_err *err),
			    void *aux, struct emu_err *errs,
			    struct emu_err *err);

/* Pure helpers: no I/O. */

/* The negative errno that HTTP status 'status' stands for (0 for 2xx). */
int docker_api_status_errno(long status);
/* Writes the engine's error sentence of the reply 'body' ('len' bytes,
 * {"message": "..."}) into 'msg'; the body itself (trimmed) when it is not
 * such JSON. */
void docker_api_parse_error(const char *body, size_t len, char *msg,
			    size_t size);
int docker_api_parse_image(const char *body, size_t len,
			   struct docker_api_image *out, struct emu_err *err);
int docker_api_parse_state(const char *body, size_t len,
			   struct docker_api_state *out, struct emu_err *err);
/* Reads the id from a create reply ({"Id": ..., "Warnings": [...]}). */
int docker_api_parse_created(const char *body, size_t len, char **id,
			     struct emu_err *err);
int docker_api_parse_list(const char *body, size_t len,
			  struct docker_api_entry **entries, size_t *n,
			  struct emu_err *err);
/* Checks the progress stream of a pull (JSON objects, one per line) for an
 * "error"; 0, or -EIO with the engine's sentence in 'msg'. */
int docker_api_parse_pull(const char *body, size_t len, char *msg,
			  size_t size);
/* Turns the multiplexed log stream of a container without a TTY (8-byte
 * frame headers) into plain text, in place; returns the new length.  Text
 * that is not such a stream is left as it is. */
size_t docker_api_demux_logs(char *buf, size_t len);
/* Normalises the port 'port' ("80", "80/tcp", "53/udp", "5000-5001/sctp")
 * into 'buf' as "80/tcp". */
int docker_api_parse_port(const char *port, char *buf, size_t size,
			  struct emu_err *err);
/* The JSON body of POST /containers/create for 'spec' (caller frees);
 * NULL when a field is invalid. */
char *docker_api_build_create(const struct docker_api_spec *spec,
			      struct emu_err *err);
/* The JSON body of POST /containers/{id}/update (caller frees). */
char *docker_api_build_update(const struct docker_api_limits *limits);

/* Splits the command line 'cmd' the way docker-py does for Containernet's
 * 'dcmd' (POSIX shell words: quotes and backslashes, no expansion) into a
 * NULL-ended '*argv' of '*argc' words (free with docker_api_free_argv()). */
int docker_api_split_command(const char *cmd, char ***argv, size_t *argc,
			     struct emu_err *err);
void docker_api_free_argv(char **argv);
/* Parses a size like docker-py's mem_limit: "512m", "1g", "100k", "4096",
 * "1.5g" (binary units, b/k/m/g/t, any case) into '*bytes'. */
int docker_api_parse_size(const char *s, long long *bytes,
			  struct emu_err *err);

#endif
