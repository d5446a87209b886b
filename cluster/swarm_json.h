/* The Docker Swarm messages of the Engine API without I/O: the machines
 * read from GET /nodes, the tasks from GET /tasks, the bodies of a secret
 * and of the agents' global service, the id of what was created.
 *
 * Pure code over buffers (jansson, no sockets, no engine), used by the
 * transport cluster/swarm.c and tested alone.  Structs filled by a parser
 * own their strings; free them with the function named after them. */
#ifndef CLUSTER_SWARM_JSON_H
#define CLUSTER_SWARM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_err;

/* A machine of the Swarm: one node of GET /nodes. */
struct swarm_machine {
	char *id, *hostname;
	char *addr;		/* the node's Status.Addr: its underlay address */
	char **labels;		/* "key=value", node labels (Spec.Labels) */
	size_t n_labels;
	unsigned int cores;	/* Description.Resources.NanoCPUs / 1e9 */
	uint64_t mem_bytes;	/* Description.Resources.MemoryBytes */
	bool ready, manager;	/* Status.State "ready"; Spec.Role "manager" */
};

/* The global service that runs cnemu's agent on every machine. */
struct swarm_agent_spec {
	const char *name;	/* service name, "cnemu-<tag>-agent" */
	const char *image;	/* "cnemu/agent:latest" */
	const char *const *args;	/* cnemu's argv after the program,
					   NULL-ended; NULL: the image's */
	const char *secret_id, *secret_name;	/* mounted at
					   /run/secrets/<secret_name>;
					   NULL: no secret */
	const char *run_label;	/* label cnemu.run=<tag> on service+tasks */
	const char *manager_host;	/* label cnemu.manager=<hostname> on
					   the service; NULL: none */
	const char *manager_proc;	/* label cnemu.manager-proc: the
					   manager's proc_id_format();
					   NULL: none */
	int port;		/* label cnemu.port: the TCP port its
				   agents listen on; 0: none */
};

/* A cluster run's agents' service on the Swarm (GET /services). */
struct swarm_run {
	char *service_id;
	char *service_name;
	char *tag;		/* its label cnemu.run: the run's tag */
	char *manager_host;	/* its label cnemu.manager; "" */
	char *manager_proc;	/* its label cnemu.manager-proc; "" */
	int port;		/* its label cnemu.port; 0: none (a run
				   from before the label: CHAN_PORT) */
};

/* Where the agent's container sees the machine's /proc (its containers'
 * pids are the machine's). */
#define SWARM_AGENT_MACHINE_PROC "/run/cnemu-machine/proc"

/* The state of one task (GET /tasks). */
struct swarm_task {
	char *id;
	char *node_id;
	char *state;		/* Status.State: "running", "failed", ... */
	char *desired;		/* DesiredState: "running", "shutdown", ... */
	char *error;		/* Status.Err; "" */
	char *container_id;	/* Status.ContainerStatus.ContainerID; "" */
};

void swarm_machines_free(struct swarm_machine *m, size_t n);
void swarm_tasks_free(struct swarm_task *t, size_t n);
void swarm_runs_free(struct swarm_run *r, size_t n);

/* Reads the reply of GET /nodes into '*out' ('*n' machines, in the order
 * of the reply). */
int swarm_json_parse_nodes(const char *body, size_t len,
			   struct swarm_machine **out, size_t *n,
			   struct emu_err *err);
/* Reads the tasks of service 'service_id' from the reply of GET /tasks
 * into '*out' ('*n' of them); other services' tasks are skipped. */
int swarm_json_parse_tasks(const char *body, size_t len,
			   const char *service_id, struct swarm_task **out,
			   size_t *n, struct emu_err *err);
/* Reads the services that carry the label cnemu.run (cnemu's runs) from
 * the reply of GET /services into '*out' ('*n' of them); others are
 * skipped. */
int swarm_json_parse_runs(const char *body, size_t len,
			  struct swarm_run **out, size_t *n,
			  struct emu_err *err);
/* Reads "ID" (or "Id") from a create reply into '*id' (caller frees). */
int swarm_json_parse_id(const char *body, size_t len, char **id,
			struct emu_err *err);

/* The JSON body of POST /secrets/create: 'name', the 'len' bytes of 'data'
 * in base64.  Caller frees. */
char *swarm_json_build_secret(const char *name, const void *data,
			      size_t len);
/* The JSON body of POST /services/create for 'spec': a global service on
 * the host network, never restarted, with the capabilities and the
 * machine's mounts an agent needs (swarm_json.c lists them and why).
 * NULL with the reason when a field is missing or invalid.  Caller
 * frees. */
char *swarm_json_build_agent_service(const struct swarm_agent_spec *spec,
				     struct emu_err *err);

/* True when a task in 'state' will not run again ("failed", "rejected",
 * "shutdown", "complete", "orphaned", "remove"). */
bool swarm_task_state_is_final(const char *state);

#endif
