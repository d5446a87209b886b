/* The Docker Engine API's messages without I/O: the JSON bodies of
 * requests (container creation, limit updates, label filters), the
 * replies read into structs (image and container inspections, creation,
 * lists, pull progress, warnings), the engine's error sentences, and the
 * text conventions around them (ports, command lines as docker-py splits
 * them, sizes, multiplexed log streams).
 *
 * Pure code over buffers (jansson, no sockets, no engine), used by the
 * transport node/docker_api.c and by node/docker.c, and tested and fuzzed
 * alone.  Structs filled by a parser own their strings; the caller
 * releases them with the release function named after the struct. */
#ifndef NODE_DOCKER_JSON_H
#define NODE_DOCKER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct emu_err;

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
	bool network_disabled;		/* no network sandbox at all: the
					   namespace is the caller's to fill */
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

/* Frees what a parser put into 'image' and zeroes it; accepts NULL. */
void docker_api_image_release(struct docker_api_image *image);
/* Frees what a parser put into 'state' and zeroes it; accepts NULL. */
void docker_api_state_release(struct docker_api_state *state);
/* Frees the 'n' entries of a list and the array. */
void docker_api_entries_free(struct docker_api_entry *entries, size_t n);
/* The value of label 'key' of 'entry'; NULL when it has none. */
const char *docker_api_entry_label(const struct docker_api_entry *entry,
				   const char *key);

/* The negative errno that HTTP status 'status' stands for (0 for 2xx). */
int docker_json_status_errno(long status);
/* Writes the engine's error sentence of the reply 'body' ('len' bytes,
 * {"message": "..."}) into 'msg'; the body itself (trimmed) when it is not
 * such JSON. */
void docker_json_parse_error(const char *body, size_t len, char *msg,
			     size_t size);
int docker_json_parse_image(const char *body, size_t len,
			    struct docker_api_image *out, struct emu_err *err);
int docker_json_parse_state(const char *body, size_t len,
			    struct docker_api_state *out, struct emu_err *err);
/* Reads the id from a create reply ({"Id": ..., "Warnings": [...]}). */
int docker_json_parse_created(const char *body, size_t len, char **id,
			      struct emu_err *err);
int docker_json_parse_list(const char *body, size_t len,
			   struct docker_api_entry **entries, size_t *n,
			   struct emu_err *err);
/* Checks the progress stream of a pull (JSON objects, one per line) for an
 * "error"; 0, or -EIO with the engine's sentence in 'msg'. */
int docker_json_parse_pull(const char *body, size_t len, char *msg,
			   size_t size);
/* Reads the "Warnings" of a create reply (memory limit without swap
 * accounting, ...) into a NULL-ended array (free with
 * docker_json_free_argv()); NULL when there are none. */
char **docker_json_parse_warnings(const char *body, size_t len);
/* The JSON value of the "filters" query parameter selecting containers
 * with label 'label' ("key" or "key=value"); caller frees. */
char *docker_json_build_label_filter(const char *label);

/* Turns the multiplexed log stream of a container without a TTY (8-byte
 * frame headers) into plain text, in place; returns the new length.  Text
 * that is not such a stream is left as it is. */
size_t docker_json_demux_logs(char *buf, size_t len);
/* Normalises the port 'port' ("80", "80/tcp", "53/udp", "5000-5001/sctp")
 * into 'buf' as "80/tcp". */
int docker_json_parse_port(const char *port, char *buf, size_t size,
			   struct emu_err *err);
/* The JSON body of POST /containers/create for 'spec' (caller frees);
 * NULL when a field is invalid. */
char *docker_json_build_create(const struct docker_api_spec *spec,
			       struct emu_err *err);
/* The JSON body of POST /containers/{id}/update (caller frees). */
char *docker_json_build_update(const struct docker_api_limits *limits);

/* Splits the command line 'cmd' the way docker-py does for Containernet's
 * 'dcmd' (POSIX shell words: quotes and backslashes, no expansion) into a
 * NULL-ended '*argv' of '*argc' words (free with docker_json_free_argv()). */
int docker_json_split_command(const char *cmd, char ***argv, size_t *argc,
			      struct emu_err *err);
void docker_json_free_argv(char **argv);
/* Parses a size like docker-py's mem_limit: "512m", "1g", "100k", "4096",
 * "1.5g" (binary units, b/k/m/g/t, any case) into '*bytes'. */
int docker_json_parse_size(const char *s, long long *bytes,
			   struct emu_err *err);

#endif
