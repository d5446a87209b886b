#include "cluster/swarm_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/util.h"

/* What the agent is given on each machine.  Swarm services cannot be
 * privileged, so the capabilities are named: namespaces, mounts and
 * setns (SYS_ADMIN), links, addresses and qdiscs (NET_ADMIN), the pump's
 * and ping's raw sockets (NET_RAW), other processes' namespaces under
 * /proc (SYS_PTRACE), Open vSwitch's locked memory (IPC_LOCK). */
static const char *const agent_caps[] = {
	"CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE",
	"CAP_IPC_LOCK", "CAP_DAC_OVERRIDE",
};

/* The machine's paths bound at the same place in the agent: its Docker
 * engine, its named namespaces (rslave: those made later by the agent
 * and the engine are seen both ways), cnemu's run directory, the cgroup
 * tree, and the engine's own namespace files (containers' namespaces are
 * reached through them: an agent in its own pid namespace cannot reach
 * them by pid), and the machine's /proc at SWARM_AGENT_MACHINE_PROC: a
 * service cannot share the machine's pid namespace, and a container's
 * namespaces, for links and commands, are reached by its pid there. */
static const struct agent_mount {
	const char *path;
	const char *propagation;	/* NULL: the engine's default */
	const char *target;		/* NULL: 'path' */
} agent_mounts[] = {
	{ "/var/run/docker.sock", NULL, NULL },
	{ "/run/netns", "rslave", NULL },
	{ "/run/cnemu", NULL, NULL },
	{ "/sys/fs/cgroup", NULL, NULL },
	{ "/var/run/docker/netns", "rslave", NULL },
	{ "/proc", NULL, SWARM_AGENT_MACHINE_PROC },
};

#define RUN_LABEL "cnemu.run"
#define MANAGER_LABEL "cnemu.manager"
#define MANAGER_PROC_LABEL "cnemu.manager-proc"
#define PORT_LABEL "cnemu.port"
#define SECRET_MODE 0400

void swarm_machines_free(struct swarm_machine *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].id);
		free(m[i].hostname);
		free(m[i].addr);
		for (size_t k = 0; k < m[i].n_labels; k++)
			free(m[i].labels[k]);
		free(m[i].labels);
	}
	free(m);
}

void swarm_tasks_free(struct swarm_task *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].id);
		free(t[i].node_id);
		free(t[i].state);
		free(t[i].desired);
		free(t[i].error);
		free(t[i].container_id);
	}
	free(t);
}

void swarm_runs_free(struct swarm_run *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].service_id);
		free(r[i].service_name);
		free(r[i].tag);
		free(r[i].manager_host);
		free(r[i].manager_proc);
	}
	free(r);
}

static json_t *load(const char *body, size_t len, const char *what,
		    bool array, struct emu_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);

	if (!root) {
		emu_err_set(err, -EPROTO,
			    "invalid reply of the Docker engine to %s: %s",
			    what, jerr.text);
		return NULL;
	}
	if (array ? !json_is_array(root) : !json_is_object(root)) {
		json_decref(root);
		emu_err_set(err, -EPROTO,
			    "invalid reply of the Docker engine to %s: not "
			    "a JSON %s",
			    what, array ? "array" : "object");
		return NULL;
	}
	return root;
}

/* The string at the dotted 'path' under 'obj'; "" when absent. */
static const char *str_at(json_t *obj, const char *path)
{
	const char *s;
	char key[64];
	const char *dot;

	while (obj && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	s = json_string_value(json_object_get(obj, path));
	return s ? s : "";
}

static json_t *at(json_t *obj, const char *a, const char *b)
{
	return json_object_get(json_object_get(obj, a), b);
}

static void read_labels(json_t *labels, struct swarm_machine *m)
{
	const char *key;
	json_t *v;

	m->labels = xcalloc(json_object_size(labels) + 1,
			    sizeof(*m->labels));
	json_object_foreach(labels, key, v)
		m->labels[m->n_labels++] = xasprintf(
			"%s=%s", key,
			json_string_value(v) ? json_string_value(v) : "");
}

int swarm_json_parse_nodes(const char *body, size_t len,
			   struct swarm_machine **out, size_t *n,
			   struct emu_err *err)
{
	json_t *root = load(body, len, "GET /nodes", true, err), *node;
	struct swarm_machine *m;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!root)
		return -EPROTO;
	m = xcalloc(json_array_size(root) + 1, sizeof(*m));
	json_array_foreach(root, i, node) {
		json_t *res = at(node, "Description", "Resources");
		json_int_t cpus, mem;

		if (!*str_at(node, "ID")) {
			swarm_machines_free(m, i);
			json_decref(root);
			return emu_err_set(err, -EPROTO,
					   "invalid reply of the Docker engine "
					   "to GET /nodes: node %zu has no ID",
					   i);
		}
		cpus = json_integer_value(json_object_get(res, "NanoCPUs"));
		mem = json_integer_value(json_object_get(res, "MemoryBytes"));
		m[i].id = xstrdup(str_at(node, "ID"));
		m[i].hostname = xstrdup(str_at(node, "Description.Hostname"));
		m[i].addr = xstrdup(str_at(node, "Status.Addr"));
		read_labels(at(node, "Spec", "Labels"), &m[i]);
		m[i].cores = cpus > 0 ? (unsigned int)(cpus / 1000000000) : 0;
		m[i].mem_bytes = mem > 0 ? (uint64_t)mem : 0;
		m[i].ready = !strcmp(str_at(node, "Status.State"), "ready");
		m[i].manager = !strcmp(str_at(node, "Spec.Role"), "manager");
	}
	*n = json_array_size(root);
	*out = m;
	json_decref(root);
	return 0;
}

int swarm_json_parse_tasks(const char *body, size_t len,
			   const char *service_id, struct swarm_task **out,
			   size_t *n, struct emu_err *err)
{
	json_t *root = load(body, len, "GET /tasks", true, err), *task;
	struct swarm_task *t;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!root)
		return -EPROTO;
	t = xcalloc(json_array_size(root) + 1, sizeof(*t));
	json_array_foreach(root, i, task) {
		if (strcmp(str_at(task, "ServiceID"), service_id))
			continue;
		t[k].id = xstrdup(str_at(task, "ID"));
		t[k].node_id = xstrdup(str_at(task, "NodeID"));
		t[k].state = xstrdup(str_at(task, "Status.State"));
		t[k].desired = xstrdup(str_at(task, "DesiredState"));
		t[k].error = xstrdup(str_at(task, "Status.Err"));
		t[k].container_id = xstrdup(
			str_at(task, "Status.ContainerStatus.ContainerID"));
		k++;
	}
	*n = k;
	*out = t;
	json_decref(root);
	return 0;
}

int swarm_json_parse_runs(const char *body, size_t len,
			  struct swarm_run **out, size_t *n,
			  struct emu_err *err)
{
	json_t *root = load(body, len, "GET /services", true, err), *svc;
	struct swarm_run *r;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!root)
		return -EPROTO;
	r = xcalloc(json_array_size(root) + 1, sizeof(*r));
	json_array_foreach(root, i, svc) {
		json_t *labels = at(svc, "Spec", "Labels");
		const char *tag = json_string_value(
			json_object_get(labels, RUN_LABEL));
		const char *mgr = json_string_value(
			json_object_get(labels, MANAGER_LABEL));
		const char *proc = json_string_value(
			json_object_get(labels, MANAGER_PROC_LABEL));
		const char *port = json_string_value(
			json_object_get(labels, PORT_LABEL));
		long p = 0;

		if (!tag || !*tag)
			continue;
		r[k].service_id = xstrdup(str_at(svc, "ID"));
		r[k].service_name = xstrdup(str_at(svc, "Spec.Name"));
		r[k].tag = xstrdup(tag);
		r[k].manager_host = xstrdup(mgr ? mgr : "");
		r[k].manager_proc = xstrdup(proc ? proc : "");
		if (port && str_to_long(port, 1, 65535, &p) < 0)
			p = 0;
		r[k].port = (int)p;
		k++;
	}
	*n = k;
	*out = r;
	json_decref(root);
	return 0;
}

int swarm_json_parse_id(const char *body, size_t len, char **id,
			struct emu_err *err)
{
	json_t *root = load(body, len, "a create request", false, err);
	const char *s;

	*id = NULL;
	if (!root)
		return -EPROTO;
	s = str_at(root, "ID");
	if (!*s)
		s = str_at(root, "Id");
	if (*s)
		*id = xstrdup(s);
	json_decref(root);
	if (!*id)
		return emu_err_set(err, -EPROTO,
				   "invalid reply of the Docker engine to a "
				   "create request: no ID");
	return 0;
}

static char *base64(const unsigned char *p, size_t len)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = digits[v >> 18 & 63];
		*o++ = digits[v >> 12 & 63];
		*o++ = i + 1 < len ? digits[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? digits[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *swarm_json_build_secret(const char *name, const void *data,
			      size_t len)
{
	json_t *root = json_object();
	char *b64 = base64(data, len), *text;

	json_object_set_new(root, "Name", json_string(name));
	json_object_set_new(root, "Data", json_string(b64));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(b64);
	return text;
}

static json_t *run_labels(const char *tag)
{
	json_t *labels = json_object();

	if (tag)
		json_object_set_new(labels, RUN_LABEL, json_string(tag));
	return labels;
}

static json_t *agent_container(const struct swarm_agent_spec *spec)
{
	json_t *c = json_object(), *mounts = json_array(), *caps = json_array();

	json_object_set_new(c, "Image", json_string(spec->image));
	if (spec->args) {
		json_t *args = json_array();

		for (size_t i = 0; spec->args[i]; i++)
			json_array_append_new(args, json_string(spec->args[i]));
		json_object_set_new(c, "Args", args);
	}
	json_object_set_new(c, "Labels", run_labels(spec->run_label));
	json_object_set_new(c, "Env",
			    json_pack("[s]",
				      "CNEMU_MACHINE={{.Node.Hostname}}"));
	for (size_t i = 0; i < ARRAY_SIZE(agent_mounts); i++) {
		const struct agent_mount *am = &agent_mounts[i];
		json_t *m = json_pack("{s:s, s:s, s:s}", "Type", "bind",
				      "Source", am->path, "Target",
				      am->target ? am->target : am->path);

		if (am->propagation)
			json_object_set_new(m, "BindOptions",
					    json_pack("{s:s}", "Propagation",
						      am->propagation));
		json_array_append_new(mounts, m);
	}
	json_object_set_new(c, "Mounts", mounts);
	for (size_t i = 0; i < ARRAY_SIZE(agent_caps); i++)
		json_array_append_new(caps, json_string(agent_caps[i]));
	json_object_set_new(c, "CapabilityAdd", caps);
	if (spec->secret_id)
		json_object_set_new(
			c, "Secrets",
			json_pack("[{s:s, s:s, s:{s:s, s:s, s:s, s:i}}]",
				  "SecretID", spec->secret_id, "SecretName",
				  spec->secret_name, "File", "Name",
				  spec->secret_name, "UID", "0", "GID", "0",
				  "Mode", SECRET_MODE));
	return c;
}

char *swarm_json_build_agent_service(const struct swarm_agent_spec *spec,
				     struct emu_err *err)
{
	json_t *root, *task, *labels;
	char *text;

	if (!spec->name || !*spec->name)
		return emu_err_set(err, -EINVAL, "the agent service has no "
				   "name"), NULL;
	if (!spec->image || !*spec->image)
		return emu_err_set(err, -EINVAL, "service '%s': no image",
				   spec->name), NULL;
	if (!spec->secret_id != !spec->secret_name ||
	    (spec->secret_name && (!*spec->secret_name ||
				   strchr(spec->secret_name, '/'))))
		return emu_err_set(err, -EINVAL,
				   "service '%s': a secret needs both an id "
				   "and a file name without '/'",
				   spec->name), NULL;
	task = json_pack("{s:o, s:{s:s}, s:[{s:s}]}", "ContainerSpec",
			 agent_container(spec), "RestartPolicy", "Condition",
			 "none", "Networks", "Target", "host");
	labels = run_labels(spec->run_label);
	if (spec->manager_host)
		json_object_set_new(labels, MANAGER_LABEL,
				    json_string(spec->manager_host));
	if (spec->manager_proc)
		json_object_set_new(labels, MANAGER_PROC_LABEL,
				    json_string(spec->manager_proc));
	if (spec->port > 0)
		json_object_set_new(labels, PORT_LABEL,
				    json_sprintf("%d", spec->port));
	root = json_pack("{s:s, s:o, s:o, s:{s:{}}}", "Name", spec->name,
			 "Labels", labels, "TaskTemplate", task, "Mode",
			 "Global");
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

bool swarm_task_state_is_final(const char *state)
{
	static const char *const final[] = {
		"complete", "failed", "shutdown", "rejected", "orphaned",
		"remove",
	};

	for (size_t i = 0; i < ARRAY_SIZE(final); i++)
		if (!strcmp(state, final[i]))
			return true;
	return false;
}
