#include "node/docker_json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/util.h"

/* The structs' own functions */

void docker_api_image_release(struct docker_api_image *image)
{
	if (!image)
		return;
	docker_json_free_argv(image->entrypoint);
	docker_json_free_argv(image->cmd);
	docker_json_free_argv(image->env);
	free(image->id);
	free(image->working_dir);
	free(image->user);
	memset(image, 0, sizeof(*image));
}

void docker_api_state_release(struct docker_api_state *state)
{
	if (!state)
		return;
	free(state->id);
	free(state->name);
	free(state->status);
	free(state->error);
	memset(state, 0, sizeof(*state));
}

void docker_api_entries_free(struct docker_api_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].id);
		free(entries[i].name);
		free(entries[i].state);
		for (size_t j = 0; j < entries[i].n_labels; j++)
			free(entries[i].labels[j]);
		free(entries[i].labels);
	}
	free(entries);
}

const char *docker_api_entry_label(const struct docker_api_entry *entry,
				   const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < entry->n_labels; i++)
		if (!strncmp(entry->labels[i], key, len) &&
		    entry->labels[i][len] == '=')
			return entry->labels[i] + len + 1;
	return NULL;
}

/* Replies */

int docker_json_status_errno(long status)
{
	if (status >= 200 && status < 300)
		return 0;
	switch (status) {
	case 304:
		return -EALREADY;
	case 400:
		return -EINVAL;
	case 401:
	case 403:
		return -EPERM;
	case 404:
		return -ENOENT;
	case 409:
		return -EEXIST;
	case 501:
		return -ENOSYS;
	case 503:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

void docker_json_parse_error(const char *body, size_t len, char *msg,
			     size_t size)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *text = NULL;
	size_t n;

	if (!size)
		return;
	if (json_is_object(root))
		text = json_string_value(json_object_get(root, "message"));
	if (text && *text) {
		body = text;
		len = strlen(text);
	}
	/* Blanks and control characters (NULs too) count as space. */
	while (len && (unsigned char)*body <= ' ') {
		body++;
		len--;
	}
	while (len && (unsigned char)body[len - 1] <= ' ')
		len--;
	n = len < size - 1 ? len : size - 1;
	if (!n) {
		snprintf(msg, size, "empty reply");
	} else {
		memcpy(msg, body, n);
		msg[n] = '\0';
		/* One line: no control characters in a sentence. */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)msg[i] < ' ')
				msg[i] = ' ';
	}
	json_decref(root);
}

static json_t *load(const char *body, size_t len, const char *what,
		    struct emu_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);

	if (!root)
		emu_err_set(err, -EPROTO,
			    "invalid reply of the Docker engine to %s: %s",
			    what, jerr.text);
	else if (!json_is_object(root) && !json_is_array(root)) {
		json_decref(root);
		root = NULL;
		emu_err_set(err, -EPROTO,
			    "invalid reply of the Docker engine to %s", what);
	}
	return root;
}

static char *dup_string(json_t *v)
{
	const char *s = json_string_value(v);

	return xstrdup(s ? s : "");
}

/* A string array (or a lone string, or null) into a NULL-ended vector. */
static char **dup_strings(json_t *v, size_t *n)
{
	char **argv;
	size_t i = 0;

	*n = 0;
	if (json_is_string(v)) {
		argv = xcalloc(2, sizeof(*argv));
		argv[0] = dup_string(v);
		*n = 1;
		return argv;
	}
	if (!json_is_array(v))
		return NULL;
	argv = xcalloc(json_array_size(v) + 1, sizeof(*argv));
	for (size_t k = 0; k < json_array_size(v); k++) {
		json_t *e = json_array_get(v, k);

		if (json_is_string(e))
			argv[i++] = dup_string(e);
	}
	*n = i;
	return argv;
}

int docker_json_parse_image(const char *body, size_t len,
			    struct docker_api_image *out, struct emu_err *err)
{
	json_t *root = load(body, len, "an image inspection", err), *config;

	memset(out, 0, sizeof(*out));
	if (!root)
		return emu_err_code(err, -EPROTO);
	if (!json_is_object(root) ||
	    !json_is_string(json_object_get(root, "Id"))) {
		json_decref(root);
		return emu_err_set(err, -EPROTO,
				   "invalid reply of the Docker engine to an "
				   "image inspection: no Id");
	}
	out->id = dup_string(json_object_get(root, "Id"));
	config = json_object_get(root, "Config");
	out->entrypoint = dup_strings(json_object_get(config, "Entrypoint"),
				      &out->n_entrypoint);
	out->cmd = dup_strings(json_object_get(config, "Cmd"), &out->n_cmd);
	out->env = dup_strings(json_object_get(config, "Env"), &out->n_env);
	out->working_dir = dup_string(json_object_get(config, "WorkingDir"));
	out->user = dup_string(json_object_get(config, "User"));
	json_decref(root);
	return 0;
}

int docker_json_parse_state(const char *body, size_t len,
			    struct docker_api_state *out, struct emu_err *err)
{
	json_t *root = load(body, len, "a container inspection", err), *st;
	const char *name;
	json_int_t pid;

	memset(out, 0, sizeof(*out));
	if (!root)
		return emu_err_code(err, -EPROTO);
	st = json_object_get(root, "State");
	if (!json_is_object(root) ||
	    !json_is_string(json_object_get(root, "Id")) ||
	    !json_is_object(st)) {
		json_decref(root);
		return emu_err_set(err, -EPROTO,
				   "invalid reply of the Docker engine to a "
				   "container inspection: no Id or State");
	}
	out->id = dup_string(json_object_get(root, "Id"));
	name = json_string_value(json_object_get(root, "Name"));
	out->name = xstrdup(name ? name + (name[0] == '/') : "");
	out->status = dup_string(json_object_get(st, "Status"));
	out->error = dup_string(json_object_get(st, "Error"));
	out->running = json_is_true(json_object_get(st, "Running"));
	pid = json_integer_value(json_object_get(st, "Pid"));
	out->pid = pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
	out->exit_code = (int)json_integer_value(
		json_object_get(st, "ExitCode"));
	json_decref(root);
	return 0;
}

int docker_json_parse_created(const char *body, size_t len, char **id,
			      struct emu_err *err)
{
	json_t *root = load(body, len, "a container creation", err);
	const char *s;

	*id = NULL;
	if (!root)
		return emu_err_code(err, -EPROTO);
	s = json_string_value(json_object_get(root, "Id"));
	if (!s || !*s) {
		json_decref(root);
		return emu_err_set(err, -EPROTO,
				   "invalid reply of the Docker engine to a "
				   "container creation: no Id");
	}
	*id = xstrdup(s);
	json_decref(root);
	return 0;
}

int docker_json_parse_list(const char *body, size_t len,
			   struct docker_api_entry **entries, size_t *n,
			   struct emu_err *err)
{
	json_t *root = load(body, len, "a container list", err);
	struct docker_api_entry *es;
	size_t k = 0;

	*entries = NULL;
	*n = 0;
	if (!root)
		return emu_err_code(err, -EPROTO);
	if (!json_is_array(root)) {
		json_decref(root);
		return emu_err_set(err, -EPROTO,
				   "invalid reply of the Docker engine to a "
				   "container list: not an array");
	}
	es = xcalloc(json_array_size(root) + 1, sizeof(*es));
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *c = json_array_get(root, i), *labels, *v;
		struct docker_api_entry *e = &es[k];
		const char *name, *key;

		if (!json_is_string(json_object_get(c, "Id")))
			continue;
		e->id = dup_string(json_object_get(c, "Id"));
		name = json_string_value(
			json_array_get(json_object_get(c, "Names"), 0));
		e->name = xstrdup(name ? name + (name[0] == '/') : "");
		e->state = dup_string(json_object_get(c, "State"));
		labels = json_object_get(c, "Labels");
		e->labels = xcalloc(json_object_size(labels) + 1,
				    sizeof(*e->labels));
		json_object_foreach(labels, key, v) {
			if (json_is_string(v))
				e->labels[e->n_labels++] = xasprintf(
					"%s=%s", key, json_string_value(v));
		}
		k++;
	}
	json_decref(root);
	*entries = es;
	*n = k;
	return 0;
}

int docker_json_parse_pull(const char *body, size_t len, char *msg,
			   size_t size)
{
	size_t off = 0;

	while (off < len) {
		json_error_t jerr;
		json_t *o, *e;
		const char *text = NULL;

		while (off < len && isspace((unsigned char)body[off]))
			off++;
		if (off >= len)
			break;
		o = json_loadb(body + off, len - off, JSON_DISABLE_EOF_CHECK,
			       &jerr);
		if (!o)
			break;
		off += jerr.position ? (size_t)jerr.position : len - off;
		e = json_object_get(o, "errorDetail");
		text = json_string_value(json_object_get(e, "message"));
		if (!text)
			text = json_string_value(json_object_get(o, "error"));
		if (text) {
			snprintf(msg, size, "%s", text);
			json_decref(o);
			return -EIO;
		}
		json_decref(o);
	}
	return 0;
}

char **docker_json_parse_warnings(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	json_t *w = json_object_get(root, "Warnings");
	char **warnings = NULL;
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(w); i++) {
		const char *text = json_string_value(json_array_get(w, i));

		if (!text)
			continue;
		warnings = xrealloc(warnings, (n + 2) * sizeof(*warnings));
		warnings[n++] = xstrdup(text);
		warnings[n] = NULL;
	}
	json_decref(root);
	return warnings;
}

char *docker_json_build_label_filter(const char *label)
{
	json_t *f = json_pack("{s:[s]}", "label", label);
	char *text;

	if (!f)
		return NULL;	/* not UTF-8 */
	text = json_dumps(f, JSON_COMPACT);
	json_decref(f);
	if (!text)
		abort();
	return text;
}

size_t docker_json_demux_logs(char *buf, size_t len)
{
	size_t in = 0, out = 0;

	/* Check that the whole buffer is frames before touching it. */
	while (in < len) {
		const unsigned char *h = (const unsigned char *)buf + in;
		uint32_t size;

		if (len - in < 8 || h[0] > 2 || h[1] || h[2] || h[3])
			return len;
		size = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
		       (uint32_t)h[6] << 8 | h[7];
		if (size > len - in - 8)
			return len;
		in += 8 + size;
	}
	for (in = 0; in < len;) {
		const unsigned char *h = (const unsigned char *)buf + in;
		uint32_t size = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
				(uint32_t)h[6] << 8 | h[7];

		memmove(buf + out, buf + in + 8, size);
		out += size;
		in += 8 + size;
	}
	return out;
}

static bool parse_port_number(const char *s, const char *end, long *out)
{
	long v = 0;

	if (s == end || end - s > 5)
		return false;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*out = v;
	return true;
}

int docker_json_parse_port(const char *port, char *buf, size_t size,
			   struct emu_err *err)
{
	const char *slash = strchr(port, '/'), *end, *dash;
	const char *proto = "tcp";
	long lo, hi;

	end = slash ? slash : port + strlen(port);
	if (slash) {
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp") &&
		    strcmp(proto, "sctp"))
			goto bad;
	}
	dash = memchr(port, '-', (size_t)(end - port));
	if (dash) {
		if (!parse_port_number(port, dash, &lo) ||
		    !parse_port_number(dash + 1, end, &hi) || hi < lo)
			goto bad;
	} else if (!parse_port_number(port, end, &lo)) {
		goto bad;
	}
	if ((size_t)snprintf(buf, size, "%.*s/%s", (int)(end - port), port,
			     proto) >= size)
		goto bad;
	return 0;
bad:
	return emu_err_set(err, -EINVAL,
			   "invalid port '%s': expected PORT[/tcp|udp|sctp] "
			   "with 1 <= PORT <= 65535",
			   port);
}

static json_t *string_array(const char *const *strings, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(strings[i] ? strings[i]
								 : ""));
	return a;
}

/* "key=value" strings into an object; -EINVAL names the bad one. */
static int add_pairs(json_t *obj, const char *const *pairs, size_t n,
		     const char *what, struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = pairs[i] ? strchr(pairs[i], '=') : NULL;
		char *key;

		if (!eq || eq == pairs[i])
			return emu_err_set(err, -EINVAL,
					   "invalid %s '%s': expected "
					   "KEY=VALUE",
					   what, pairs[i] ? pairs[i] : "");
		key = xstrdup(pairs[i]);
		key[eq - pairs[i]] = '\0';
		json_object_set_new(obj, key, json_string(eq + 1));
		free(key);
	}
	return 0;
}

static int check_env(const char *const *env, size_t n, struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = env[i] ? strchr(env[i], '=') : NULL;

		if (!eq || eq == env[i])
			return emu_err_set(err, -EINVAL,
					   "invalid environment variable "
					   "'%s': expected NAME=VALUE",
					   env[i] ? env[i] : "");
	}
	return 0;
}

static int check_binds(const char *const *binds, size_t n,
		       struct emu_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *b = binds[i] ? binds[i] : "";
		const char *colon = strchr(b, ':');

		if (!colon || colon == b || colon[1] != '/')
			return emu_err_set(err, -EINVAL,
					   "invalid volume '%s': expected "
					   "/host/path:/container/path[:ro]",
					   b);
	}
	return 0;
}

static int check_strings(const char *const *strings, size_t n,
			 const char *what, struct emu_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (!strings[i] || !*strings[i])
			return emu_err_set(err, -EINVAL, "empty %s", what);
	return 0;
}

static void set_int(json_t *obj, const char *key, long long v)
{
	if (v)
		json_object_set_new(obj, key, json_integer(v));
}

char *docker_json_build_create(const struct docker_api_spec *spec,
			       struct emu_err *err)
{
	json_t *root = NULL, *hc, *exposed, *bindings, *labels;
	char port[64], *text = NULL;

	if (!spec->image || !*spec->image) {
		emu_err_set(err, -EINVAL, "no image given");
		return NULL;
	}
	if (check_env(spec->env, spec->n_env, err) ||
	    check_binds(spec->binds, spec->n_binds, err) ||
	    check_strings(spec->cap_add, spec->n_cap_add, "capability",
			  err) ||
	    check_strings(spec->dns, spec->n_dns, "DNS server", err) ||
	    check_strings(spec->cmd, spec->n_cmd, "command word", err))
		return NULL;
	if (spec->memory_bytes < 0 || spec->memswap_bytes < -1 ||
	    spec->cpu_period_us < 0 || spec->cpu_shares < 0 ||
	    spec->cpu_quota_us < -1) {
		emu_err_set(err, -EINVAL, "invalid negative CPU or memory "
					  "limit");
		return NULL;
	}
	if (spec->memory_bytes && spec->memswap_bytes > 0 &&
	    spec->memswap_bytes < spec->memory_bytes) {
		emu_err_set(err, -EINVAL,
			    "invalid memswap_limit %lld: smaller than "
			    "mem_limit %lld",
			    spec->memswap_bytes, spec->memory_bytes);
		return NULL;
	}

	root = json_object();
	hc = json_object();
	exposed = json_object();
	bindings = json_object();
	labels = json_object();
	json_object_set_new(root, "Image", json_string(spec->image));
	if (spec->hostname)
		json_object_set_new(root, "Hostname",
				    json_string(spec->hostname));
	if (spec->entrypoint)
		json_object_set_new(root, "Entrypoint",
				    string_array(spec->entrypoint,
						 spec->n_entrypoint));
	if (spec->cmd)
		json_object_set_new(root, "Cmd",
				    string_array(spec->cmd, spec->n_cmd));
	if (spec->n_env)
		json_object_set_new(root, "Env",
				    string_array(spec->env, spec->n_env));
	if (spec->working_dir)
		json_object_set_new(root, "WorkingDir",
				    json_string(spec->working_dir));
	if (spec->network_disabled)
		json_object_set_new(root, "NetworkDisabled", json_true());
	json_object_set_new(root, "Tty", json_boolean(spec->tty));
	json_object_set_new(root, "OpenStdin", json_boolean(spec->open_stdin));
	if (add_pairs(labels, spec->labels, spec->n_labels, "label", err))
		goto fail;
	json_object_set_new(root, "Labels", json_incref(labels));

	for (size_t i = 0; i < spec->n_ports; i++) {
		if (docker_json_parse_port(spec->ports[i] ? spec->ports[i] : "",
					   port, sizeof(port), err))
			goto fail;
		json_object_set_new(exposed, port, json_object());
	}
	for (size_t i = 0; i < spec->n_port_bindings; i++) {
		const struct docker_api_port *pb = &spec->port_bindings[i];
		json_t *list, *b;
		char host_port[16] = "";

		if (docker_json_parse_port(pb->port ? pb->port : "", port,
					   sizeof(port), err))
			goto fail;
		if (pb->host_port > 65535) {
			emu_err_set(err, -EINVAL,
				    "invalid host port %u for port '%s'",
				    pb->host_port, pb->port);
			goto fail;
		}
		if (pb->host_port)
			snprintf(host_port, sizeof(host_port), "%u",
				 pb->host_port);
		json_object_set_new(exposed, port, json_object());
		list = json_object_get(bindings, port);
		if (!list) {
			list = json_array();
			json_object_set_new(bindings, port, list);
		}
		b = json_object();
		json_object_set_new(b, "HostIp",
				    json_string(pb->host_ip ? pb->host_ip : ""));
		json_object_set_new(b, "HostPort", json_string(host_port));
		json_array_append_new(list, b);
	}
	if (json_object_size(exposed))
		json_object_set(root, "ExposedPorts", exposed);

	json_object_set_new(hc, "NetworkMode",
			    json_string(spec->network_mode ? spec->network_mode
							   : "none"));
	if (spec->n_binds)
		json_object_set_new(hc, "Binds",
				    string_array(spec->binds, spec->n_binds));
	if (json_object_size(bindings))
		json_object_set(hc, "PortBindings", bindings);
	if (spec->publish_all_ports)
		json_object_set_new(hc, "PublishAllPorts", json_true());
	if (spec->privileged)
		json_object_set_new(hc, "Privileged", json_true());
	if (spec->n_cap_add)
		json_object_set_new(hc, "CapAdd",
				    string_array(spec->cap_add,
						 spec->n_cap_add));
	if (spec->n_dns)
		json_object_set_new(hc, "Dns",
				    string_array(spec->dns, spec->n_dns));
	set_int(hc, "Memory", spec->memory_bytes);
	set_int(hc, "MemorySwap", spec->memswap_bytes);
	set_int(hc, "CpuQuota", spec->cpu_quota_us);
	set_int(hc, "CpuPeriod", spec->cpu_period_us);
	set_int(hc, "CpuShares", spec->cpu_shares);
	if (spec->cpuset_cpus && *spec->cpuset_cpus)
		json_object_set_new(hc, "CpusetCpus",
				    json_string(spec->cpuset_cpus));
	json_object_set(root, "HostConfig", hc);

	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		abort();
fail:
	json_decref(hc);
	json_decref(exposed);
	json_decref(bindings);
	json_decref(labels);
	json_decref(root);
	return text;
}

char *docker_json_build_update(const struct docker_api_limits *limits)
{
	json_t *root = json_object();
	char *text;

	set_int(root, "CpuQuota", limits->cpu_quota_us);
	set_int(root, "CpuPeriod", limits->cpu_period_us);
	set_int(root, "CpuShares", limits->cpu_shares);
	if (limits->cpuset_cpus && *limits->cpuset_cpus)
		json_object_set_new(root, "CpusetCpus",
				    json_string(limits->cpuset_cpus));
	set_int(root, "Memory", limits->memory_bytes);
	set_int(root, "MemorySwap", limits->memswap_bytes);
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		abort();
	json_decref(root);
	return text;
}

int docker_json_split_command(const char *cmd, char ***argv, size_t *argc,
			      struct emu_err *err)
{
	size_t n = 0, cap = 4, len = strlen(cmd);
	char **words = xcalloc(cap, sizeof(*words));
	char *word = xmalloc(len + 1);
	const char *p = cmd;

	*argv = NULL;
	*argc = 0;
	for (;;) {
		size_t w = 0;
		bool have = false;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		while (*p && !isspace((unsigned char)*p)) {
			have = true;
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (!end)
					goto unterminated;
				memcpy(word + w, p + 1, (size_t)(end - p - 1));
				w += (size_t)(end - p - 1);
				p = end + 1;
			} else if (*p == '"') {
				for (p++; *p != '"'; p++) {
					if (!*p)
						goto unterminated;
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\'))
						p++;
					word[w++] = *p;
				}
				p++;
			} else if (*p == '\\') {
				if (p[1])
					p++;
				word[w++] = *p++;
			} else {
				word[w++] = *p++;
			}
		}
		if (have) {
			if (n + 2 > cap) {
				cap *= 2;
				words = xrealloc(words, cap * sizeof(*words));
			}
			word[w] = '\0';
			words[n++] = xstrdup(word);
		}
	}
	free(word);
	words[n] = NULL;
	*argv = words;
	*argc = n;
	return 0;
unterminated:
	free(word);
	words[n] = NULL;
	docker_json_free_argv(words);
	return emu_err_set(err, -EINVAL, "unterminated quote in command '%s'",
			   cmd);
}

void docker_json_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int docker_json_parse_size(const char *s, long long *bytes,
			   struct emu_err *err)
{
	size_t len = s ? strlen(s) : 0, dots = 0;
	long double v, unit = 1;
	char buf[64];
	int c;

	if (!len || len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len + 1);
	/* "512mb" as "512m", like docker-py. */
	if (len >= 2 && isalpha((unsigned char)buf[len - 2]) &&
	    tolower((unsigned char)buf[len - 1]) == 'b')
		buf[--len] = '\0';
	c = tolower((unsigned char)buf[len - 1]);
	if (isalpha(c)) {
		const char *units = "bkmgt", *u = strchr(units, c);

		if (!u)
			goto bad;
		for (long i = 0; i < u - units; i++)
			unit *= 1024;
		buf[--len] = '\0';
	}
	if (!len)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)buf[i]))
			goto bad;
	}
	if (dots > 1 || (dots && len == 1))
		goto bad;
	v = strtold(buf, NULL) * unit;
	if (!isfinite(v) || v >= 9.2e18L)
		goto bad;
	*bytes = (long long)v;
	return 0;
bad:
	return emu_err_set(err, -EINVAL,
			   "invalid size '%s': expected a number with an "
			   "optional unit b, k, m, g or t",
			   s ? s : "");
}
