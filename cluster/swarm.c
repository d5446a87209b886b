#include "cluster/swarm.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "node/docker_api.h"

EMU_LOG_MODULE(swarm);

#define POLL_MS 100			/* asking for tasks */
#define REMOVE_WAIT_MS 30000		/* for a removed service's tasks */

/* A request's reply. */
struct answer {
	long status;
	char *body;
	size_t len;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends 'method' 'path' with 'body' to the engine of $DOCKER_HOST; a
 * status other than 2xx fails with "cannot <what>: <engine's sentence>",
 * the errno from the status (503, not a Swarm manager: -ENOTCONN). */
static int request(const char *method, const char *path, const char *body,
		   struct answer *a, const char *what, struct emu_err *err)
{
	struct docker_api *api = docker_api_open(NULL, err);
	char msg[200];
	int ret, code;

	memset(a, 0, sizeof(*a));
	if (!api)
		return emu_err_code(err, -EINVAL);
	ret = docker_api_request(api, method, path, body, &a->status,
				 &a->body, &a->len, err);
	docker_api_close(api);
	if (ret) {
		emu_err_prefix(err, "cannot %s: ", what);
		return ret;
	}
	log_dbg("%s %s: %ld", method, path, a->status);
	code = docker_json_status_errno(a->status);
	if (a->status >= 200 && a->status < 300)
		return 0;
	if (a->status == 503)
		code = -ENOTCONN;
	docker_json_parse_error(a->body, a->len, msg, sizeof(msg));
	return emu_err_set(err, code ? code : -EPROTO, "cannot %s: %s", what,
			   msg);
}

static void answer_release(struct answer *a)
{
	free(a->body);
	a->body = NULL;
}

int swarm_list_machines(struct swarm_machine **out, size_t *n,
			struct emu_err *err)
{
	struct answer a;
	int ret;

	*out = NULL;
	*n = 0;
	ret = request("GET", "/nodes", NULL, &a, "list the Swarm's machines",
		      err);
	if (!ret)
		ret = swarm_json_parse_nodes(a.body, a.len, out, n, err);
	answer_release(&a);
	return ret;
}

int swarm_list_runs(struct swarm_run **out, size_t *n, struct emu_err *err)
{
	struct answer a;
	int ret;

	*out = NULL;
	*n = 0;
	ret = request("GET", "/services", NULL, &a,
		      "list the Swarm's services", err);
	if (!ret)
		ret = swarm_json_parse_runs(a.body, a.len, out, n, err);
	answer_release(&a);
	return ret;
}

int swarm_create_secret(const char *name, const void *data, size_t len,
			char **id, struct emu_err *err)
{
	char *body = swarm_json_build_secret(name, data, len), *what;
	struct answer a;
	int ret;

	*id = NULL;
	what = xasprintf("create the Swarm secret '%s'", name);
	ret = request("POST", "/secrets/create", body, &a, what, err);
	if (!ret)
		ret = swarm_json_parse_id(a.body, a.len, id, err);
	answer_release(&a);
	free(what);
	free(body);
	return ret;
}

/* DELETE /<kind>s/<id>, escaped; 'what' names it in the error. */
static int delete(const char *kind, const char *id, const char *what,
		  struct emu_err *err)
{
	char *path, *msg;
	struct answer a;
	int ret;

	for (const char *p = id; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("._-", *p)))
			return emu_err_set(err, -EINVAL,
					   "cannot remove %s '%s': invalid "
					   "name",
					   what, id);
	if (!*id)
		return emu_err_set(err, -EINVAL, "cannot remove %s: no name",
				   what);
	path = xasprintf("/%ss/%s", kind, id);
	msg = xasprintf("remove %s '%s'", what, id);
	ret = request("DELETE", path, NULL, &a, msg, err);
	answer_release(&a);
	free(msg);
	free(path);
	return ret;
}

int swarm_remove_secret(const char *id_or_name, struct emu_err *err)
{
	return delete("secret", id_or_name, "the Swarm secret", err);
}

int swarm_deploy_agents(const struct swarm_agent_spec *spec, char **svc_id,
			struct emu_err *err)
{
	struct emu_err local;
	struct answer a;
	char *body, *what;
	int ret;

	*svc_id = NULL;
	err = emu_err_sink(err, &local);
	body = swarm_json_build_agent_service(spec, err);
	if (!body)
		return emu_err_code(err, -EINVAL);
	what = xasprintf("create the Swarm service '%s'", spec->name);
	/* Since API 1.30 the engine asks no registry for the image's
	 * digest: the image is the one each machine holds. */
	ret = request("POST", "/services/create", body, &a, what, err);
	if (!ret)
		ret = swarm_json_parse_id(a.body, a.len, svc_id, err);
	answer_release(&a);
	free(what);
	free(body);
	return ret;
}

/* The tasks of 'svc_id' now. */
static int list_tasks(const char *svc_id, struct swarm_task **tasks,
		      size_t *n, struct emu_err *err)
{
	struct answer a;
	int ret;

	ret = request("GET", "/tasks", NULL, &a, "list the Swarm's tasks",
		      err);
	if (!ret)
		ret = swarm_json_parse_tasks(a.body, a.len, svc_id, tasks, n,
					     err);
	answer_release(&a);
	return ret;
}

/* Waits up to 'timeout_ms' until 'n' tasks of 'svc_id' are in the state
 * 'want' ("running", "complete"); a task that ended otherwise ends the
 * wait with its node and the Swarm's reason.  'what' names the tasks'
 * program in messages. */
static int wait_tasks(const char *svc_id, size_t n, const char *want,
		      const char *what, int timeout_ms, struct emu_err *err)
{
	long long deadline = now_ms() + timeout_ms;
	size_t running = 0;

	for (;;) {
		struct swarm_task *t;
		size_t nt;
		int ret = list_tasks(svc_id, &t, &nt, err);

		if (ret)
			return ret;
		running = 0;
		for (size_t i = 0; i < nt; i++) {
			if (!strcmp(t[i].state, want))
				running++;
			else if (swarm_task_state_is_final(t[i].state) &&
				 !strcmp(t[i].desired, "running")) {
				ret = emu_err_set(
					err, -EIO,
					"the %s's task on machine '%s' is "
					"%s: %s",
					what, t[i].node_id, t[i].state,
					*t[i].error ? t[i].error
						    : "no reason given");
				break;
			}
		}
		swarm_tasks_free(t, nt);
		if (ret)
			return ret;
		if (running >= n)
			return 0;
		if (now_ms() >= deadline)
			break;
		usleep(POLL_MS * 1000);
	}
	return emu_err_set(err, -ETIMEDOUT,
			   "%zu of %zu tasks of the %s are %s after %d ms",
			   running, n, what, want, timeout_ms);
}

int swarm_wait_agents(const char *svc_id, size_t n, int timeout_ms,
		      struct emu_err *err)
{
	return wait_tasks(svc_id, n, "running", "agent", timeout_ms, err);
}

int swarm_wait_done(const char *svc_id, size_t n, int timeout_ms,
		    struct emu_err *err)
{
	return wait_tasks(svc_id, n, "complete", "cleaner", timeout_ms, err);
}

int swarm_delete_service(const char *svc_id, struct emu_err *err)
{
	return delete("service", svc_id, "the Swarm service", err);
}

/* True when 'id' is one of the NULL-ended 'ids' (NULL: none). */
static bool id_among(const char *id, const char *const *ids)
{
	for (size_t i = 0; ids && ids[i]; i++)
		if (!strcmp(id, ids[i]))
			return true;
	return false;
}

int swarm_remove_service(const char *svc_id, const char *const *skip_nodes,
			 struct emu_err *err)
{
	long long deadline = now_ms() + REMOVE_WAIT_MS;
	int ret = delete("service", svc_id, "the Swarm service", err);

	if (ret == -ENOENT) {
		emu_err_clear(err);
		ret = 0;
	}
	if (ret)
		return ret;
	for (;;) {
		struct swarm_task *t;
		size_t nt, live = 0;

		ret = list_tasks(svc_id, &t, &nt, err);
		if (ret)
			return ret;
		for (size_t i = 0; i < nt; i++)
			live += !swarm_task_state_is_final(t[i].state) &&
				!id_among(t[i].node_id, skip_nodes);
		swarm_tasks_free(t, nt);
		if (!live)
			return 0;
		if (now_ms() >= deadline)
			return emu_err_set(err, -ETIMEDOUT,
					   "service '%s': %zu tasks still "
					   "run %d s after its removal",
					   svc_id, live, REMOVE_WAIT_MS / 1000);
		usleep(POLL_MS * 1000);
	}
}
