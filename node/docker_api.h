/* A client of the Docker Engine API over its unix socket (libcurl; no
 * 'docker' child processes).
 *
 * A 'struct docker_api' names the engine ($DOCKER_HOST "unix:///path",
 * default /var/run/docker.sock, so Podman's compatible socket works too)
 * and holds one curl handle with its kept-alive connection.  It is used by
 * one thread at a time; docker_api_clone() gives another thread its own,
 * and docker_api_run_parallel() runs many requests on a small pool of
 * threads, each with its own handle.  The caller owns what it opens and
 * closes it with docker_api_close().
 *
 * This file is the transport: HTTP over the socket (libcurl), one
 * function per request.  What goes into a request and comes out of a
 * reply (the JSON bodies, the engine's error sentences, the structs
 * below) is node/docker_json.h, pure code tested and fuzzed without an
 * engine. */
#ifndef NODE_DOCKER_API_H
#define NODE_DOCKER_API_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "node/docker_json.h"

struct emu_err;
struct docker_api;

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

/* Sends 'method' ("GET", "POST", "DELETE") 'path' (after the version
 * prefix, query included, already escaped) with the JSON 'body' (NULL:
 * none) and gives the reply's HTTP status in '*status' and its body in
 * '*reply' ('*len' bytes, NUL-terminated; caller frees).  Fails only when
 * the engine cannot be reached or does not answer within a default
 * timeout; the status is the caller's to judge (docker_json_status_errno,
 * docker_json_parse_error).  For requests this file has no function
 * for (the Swarm's, cluster/swarm.c). */
int docker_api_request(struct docker_api *api, const char *method,
		       const char *path, const char *body, long *status,
		       char **reply, size_t *len, struct emu_err *err);

/* Reads the config of the local image 'image' into 'out' (release it with
 * docker_api_image_release()); -ENOENT when the image is not there. */
int docker_api_inspect_image(struct docker_api *api, const char *image,
			     struct docker_api_image *out,
			     struct emu_err *err);

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
/* Stops 'id': SIGTERM, SIGKILL after 'timeout_s' (negative: the
 * container's own timeout); one already stopped is not an error. */
int docker_api_stop(struct docker_api *api, const char *id, int timeout_s,
		    struct emu_err *err);
/* Removes 'id'; 'force' kills it first when it runs, 'volumes' removes
 * its anonymous volumes.  A container already gone is not an error; with
 * 'force', one that another client is removing is waited for (up to a
 * minute) and then gone, not an error either. */
int docker_api_remove(struct docker_api *api, const char *id, bool force,
		      bool volumes, struct emu_err *err);
/* Lists the containers (also stopped ones when 'all') that carry the
 * label 'label' ("key" or "key=value"; NULL: every container) into
 * '*entries' ('*n' of them; free with docker_api_entries_free()). */
int docker_api_list(struct docker_api *api, const char *label, bool all,
		    struct docker_api_entry **entries, size_t *n,
		    struct emu_err *err);
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

#endif
