/* The Docker Swarm a cluster run stands on, over the Engine API of a
 * Swarm manager ($DOCKER_HOST, as node/docker_api.h): its machines (the
 * Swarm's nodes), the run's key as a Swarm secret, and the global service
 * that runs cnemu's agent on every machine.
 *
 * Each call opens its own client of the engine and closes it: these are a
 * handful of requests a run.  What the functions create on the Swarm (a
 * secret, a service and its tasks' containers) is the caller's to remove
 * with the matching remove function.  The JSON in and out is
 * cluster/swarm_json.h (pure, unit-tested); this file is the HTTP. */
#ifndef CLUSTER_SWARM_H
#define CLUSTER_SWARM_H

#include <stddef.h>

#include "cluster/swarm_json.h"

struct emu_err;

/* The Swarm's nodes, in '*out' ('*n' of them; free with
 * swarm_machines_free()).  -ENOTCONN when the engine is not a Swarm
 * manager. */
int swarm_list_machines(struct swarm_machine **out, size_t *n,
			struct emu_err *err);

/* The cluster runs whose agents' services are on the Swarm, in '*out'
 * ('*n' of them; free with swarm_runs_free()). */
int swarm_list_runs(struct swarm_run **out, size_t *n, struct emu_err *err);

/* Creates the secret 'name' holding the 'len' bytes of 'data'; '*id' gets
 * its id (caller frees).  -EEXIST when the name is taken. */
int swarm_create_secret(const char *name, const void *data, size_t len,
			char **id, struct emu_err *err);
/* Removes the secret 'id_or_name'; -ENOENT when there is none. */
int swarm_remove_secret(const char *id_or_name, struct emu_err *err);

/* Creates the agents' global service of 'spec' (cluster/swarm_json.h
 * says what it is given on each machine); '*svc_id' gets its id (caller
 * frees).  The image is not resolved against a registry: each machine
 * must hold it (scripts/agent-image.sh). */
int swarm_deploy_agents(const struct swarm_agent_spec *spec, char **svc_id,
			struct emu_err *err);
/* Waits up to 'timeout_ms' until 'n' tasks of service 'svc_id' run.  A
 * task that failed or was rejected ends the wait with its node and the
 * Swarm's reason; -ETIMEDOUT names how many run. */
int swarm_wait_agents(const char *svc_id, size_t n, int timeout_ms,
		      struct emu_err *err);
/* Waits up to 'timeout_ms' until 'n' tasks of the one-shot service
 * 'svc_id' (the cleaner of 'cnemu -c --cluster swarm') have completed; a
 * task that failed ends the wait with its node and the Swarm's reason. */
int swarm_wait_done(const char *svc_id, size_t n, int timeout_ms,
		    struct emu_err *err);
/* Removes service 'svc_id' and waits (up to 30 s) until none of its
 * tasks runs, but for those on the Swarm nodes 'skip_nodes' (their ids,
 * NULL-ended; NULL: none), lost machines whose engine cannot stop them;
 * each machine removes the task's stopped container on its own a moment
 * later.  A service already gone is not an error. */
int swarm_remove_service(const char *svc_id, const char *const *skip_nodes,
			 struct emu_err *err);
/* Removes service 'svc_id' and returns at once, its tasks still stopping:
 * for an agent removing the service it runs in. */
int swarm_delete_service(const char *svc_id, struct emu_err *err);

#endif
