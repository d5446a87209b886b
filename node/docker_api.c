#include "node/docker_api.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(docker_api);

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_DEFAULT_VERSION "1.41"
#define DOCKER_TIMEOUT_S 120L		/* one ordinary request */
#define DOCKER_PULL_TIMEOUT_S 600L	/* a pull */
#define DOCKER_MAX_WORKERS 8u		/* dockerd gains little beyond */

struct docker_api {
	char *socket;		/* "/var/run/docker.sock" */
	char *version;		/* "1.41" */
	CURL *curl;		/* NULL until the first request */
};

/* A reply being received. */
struct reply {
	char *data;		/* NUL-terminated */
	size_t len, cap;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void init_curl(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Client */

struct docker_api *docker_api_open(const char *host, struct emu_err *err)
{
	const char *version = getenv("DOCKER_API_VERSION");
	struct docker_api *api;
	const char *path;

	if (!host || !*host)
		host = getenv("DOCKER_HOST");
	if (!host || !*host)
		host = "unix://" DOCKER_DEFAULT_SOCKET;
	if (str_starts_with(host, "unix://"))
		path = host + strlen("unix://");
	else if (host[0] == '/')
		path = host;
	else {
		emu_err_set(err, -EPROTONOSUPPORT,
			    "cannot use the Docker engine at '%s': only unix "
			    "sockets (unix:///path) are supported",
			    host);
		return NULL;
	}
	if (!*path) {
		emu_err_set(err, -EINVAL, "invalid Docker host '%s'", host);
		return NULL;
	}
	if (!version || !*version)
		version = DOCKER_DEFAULT_VERSION;
	if (version[0] == 'v')
		version++;
	pthread_once(&curl_once, init_curl);
	api = xcalloc(1, sizeof(*api));
	api->socket = xstrdup(path);
	api->version = xstrdup(version);
	return api;
}

struct docker_api *docker_api_connect(const char *host, struct emu_err *err)
{
	struct docker_api *api = docker_api_open(host, err);

	if (api && docker_api_ping(api, err)) {
		docker_api_close(api);
		return NULL;
	}
	return api;
}

struct docker_api *docker_api_clone(const struct docker_api *api)
{
	struct docker_api *copy = xcalloc(1, sizeof(*copy));

	copy->socket = xstrdup(api->socket);
	copy->version = xstrdup(api->version);
	return copy;
}

void docker_api_close(struct docker_api *api)
{
	if (!api)
		return;
	if (api->curl)
		curl_easy_cleanup(api->curl);
	free(api->socket);
	free(api->version);
	free(api);
}

const char *docker_api_socket(const struct docker_api *api)
{
	return api->socket;
}

/* HTTP over the socket */

static size_t on_data(char *p, size_t size, size_t nmemb, void *aux)
{
	struct reply *r = aux;
	size_t n = size * nmemb;

	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->data = xrealloc(r->data, r->cap);
	}
	memcpy(r->data + r->len, p, n);
	r->len += n;
	r->data[r->len] = '\0';
	return n;
}

static void reply_free(struct reply *r)
{
	free(r->data);
	r->data = NULL;
	r->len = r->cap = 0;
}

/* Escapes what a URL path cannot carry, keeping '/' (image names). */
static char *escape_path(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("/._-:@", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* Escapes a query parameter value. */
static char *escape_query(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("._-~", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* Sends 'method' 'path' (after the version prefix, with its query) with the
 * JSON 'body' (NULL: none) and receives the reply into 'r' and its status
 * into '*status'.  Fails only when the engine cannot be reached or does not
 * answer in 'timeout_s'. */
static int call(struct docker_api *api, const char *method, const char *path,
		const char *body, long timeout_s, struct reply *r,
		long *status, struct emu_err *err)
{
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url;
	CURLcode rc;

	if (!api->curl) {
		api->curl = curl_easy_init();
		if (!api->curl)
			return emu_err_set(err, -ENOMEM,
					   "cannot initialise libcurl");
	} else {
		curl_easy_reset(api->curl);
	}
	url = xasprintf("http://localhost/v%s%s", api->version, path);
	log_dbg("%s %s", method, url);
	r->len = 0;
	curl_easy_setopt(api->curl, CURLOPT_UNIX_SOCKET_PATH, api->socket);
	curl_easy_setopt(api->curl, CURLOPT_URL, url);
	curl_easy_setopt(api->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(api->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(api->curl, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(api->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(api->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(api->curl, CURLOPT_WRITEDATA, r);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(api->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(api->curl, CURLOPT_POSTFIELDS,
				 body ? body : "");
		curl_easy_setopt(api->curl, CURLOPT_POSTFIELDSIZE,
				 (long)(body ? strlen(body) : 0));
		if (body)
			headers = curl_slist_append(
				headers, "Content-Type: application/json");
		/* No "Expect: 100-continue" round trip for big bodies. */
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(api->curl, CURLOPT_HTTPHEADER, headers);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(api->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(api->curl);
	curl_slist_free_all(headers);
	free(url);
	if (rc == CURLE_COULDNT_CONNECT) {
		long os_errno = 0;

		curl_easy_getinfo(api->curl, CURLINFO_OS_ERRNO, &os_errno);
		if (!os_errno)
			os_errno = ECONNREFUSED;
		return emu_err_set(err, -(int)os_errno,
				   "cannot reach the Docker engine at %s: %s "
				   "(start dockerd, e.g. with 'make deps')",
				   api->socket, strerror((int)os_errno));
	}
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return emu_err_set(err, -ETIMEDOUT,
				   "the Docker engine at %s did not answer "
				   "%s %s within %ld s",
				   api->socket, method, path, timeout_s);
	if (rc != CURLE_OK)
		return emu_err_set(err, -EIO,
				   "cannot talk to the Docker engine at %s: %s",
				   api->socket,
				   *errbuf ? errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, status);
	if (!r->data) {
		r->data = xstrdup("");
		r->cap = 1;
	}
	log_dbg("%s %s: %ld, %zu bytes", method, path, *status, r->len);
	return 0;
}

/* Records the failure the reply 'r' with 'status' stands for: "cannot
 * <what>: <engine's sentence>". */
static int fail(long status, const struct reply *r, struct emu_err *err,
		const char *what_fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(long status, const struct reply *r, struct emu_err *err,
		const char *what_fmt, ...)
{
	char what[160], msg[200];
	va_list ap;
	int code = docker_api_status_errno(status);

	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);
	docker_api_parse_error(r->data, r->len, msg, sizeof(msg));
	if (!code)
		code = -EPROTO;
	return emu_err_set(err, code, "cannot %s: %s", what, msg);
}

int docker_api_ping(struct docker_api *api, struct emu_err *err)
{
	struct reply r = { 0 };
	long status;
	int ret;

	ret = call(api, "GET", "/_ping", NULL, 10, &r, &status, err);
	if (!ret && status != 200)
		ret = fail(status, &r, err, "ping the Docker engine at %s",
			   api->socket);
	reply_free(&r);
	return ret;
}

int docker_api_inspect_image(struct docker_api *api, const char *image,
			     struct docker_api_image *out,
			     struct emu_err *err)
{
	char *name = escape_path(image), *path;
	struct reply r = { 0 };
	long status;
	int ret;

	memset(out, 0, sizeof(*out));
	path = xasprintf("/images/%s/json", name);
	ret = call(api, "GET", path, NULL, DOCKER_TIMEOUT_S, &r, &status, err);
	if (ret)
		goto out;
	if (status == 404)
		ret = emu_err_set(err, -ENOENT, "image '%s' is not there",
				  image);
	else if (status != 200)
		ret = fail(status, &r, err, "inspect image '%s'", image);
	else
		ret = docker_api_parse_image(r.data, r.len, out, err);
out:
	reply_free(&r);
	free(path);
	free(name);
	return ret;
}

void docker_api_image_release(struct docker_api_image *image)
{
	if (!image)
		return;
	docker_api_free_argv(image->entrypoint);
	docker_api_free_argv(image->cmd);
	docker_api_free_argv(image->env);
	free(image->id);
	free(image->working_dir);
	free(image->user);
	memset(image, 0, sizeof(*image));
}

int docker_api_pull_image(struct docker_api *api, const char *image,
			  struct emu_err *err)
{
	const char *slash = strrchr(image, '/'), *colon;
	char *repo, *tag, *path, msg[200];
	struct reply r = { 0 };
	long status;
	int ret;

	colon = strrchr(slash ? slash : image, ':');
	if (strchr(image, '@') || colon) {
		repo = escape_query(image);
		tag = xstrdup("");
		if (colon && !strchr(image, '@')) {
			char *name = xstrdup(image);

			name[colon - image] = '\0';
			free(repo);
			repo = escape_query(name);
			free(tag);
			tag = escape_query(colon + 1);
			free(name);
		}
	} else {
		repo = escape_query(image);
		tag = xstrdup("latest");
	}
	path = xasprintf("/images/create?fromImage=%s%s%s", repo,
			 *tag ? "&tag=" : "", tag);
	ret = call(api, "POST", path, NULL, DOCKER_PULL_TIMEOUT_S, &r,
		   &status, err);
	if (ret)
		goto out;
	if (status != 200)
		ret = fail(status, &r, err, "pull image '%s'", image);
	else if (docker_api_parse_pull(r.data, r.len, msg, sizeof(msg)))
		ret = emu_err_set(err, -EIO, "cannot pull image '%s': %s",
				  image, msg);
out:
	reply_free(&r);
	free(path);
	free(repo);
	free(tag);
	return ret;
}

/* Logs the "Warnings" of a create reply (memory limit without swap
 * accounting, ...). */
static void log_warnings(const char *what, const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	json_t *w = json_object_get(root, "Warnings");

	for (size_t i = 0; i < json_array_size(w); i++) {
		const char *text = json_string_value(json_array_get(w, i));

		if (text)
			log_warn("container '%s': %s", what, text);
	}
	json_decref(root);
}

int docker_api_create(struct docker_api *api,
		      const struct docker_api_spec *spec, char **id,
		      struct emu_err *err)
{
	char *body, *path, *name = NULL;
	const char *what = spec->name ? spec->name : spec->image;
	struct emu_err local;
	struct reply r = { 0 };
	long status;
	int ret;

	*id = NULL;
	err = emu_err_sink(err, &local);
	body = docker_api_build_create(spec, err);
	if (!body)
		return emu_err_code(err, -EINVAL);
	if (spec->name) {
		name = escape_query(spec->name);
		path = xasprintf("/containers/create?name=%s", name);
	} else {
		path = xstrdup("/containers/create");
	}
	ret = call(api, "POST", path, body, DOCKER_TIMEOUT_S, &r, &status,
		   err);
	if (ret)
		goto out;
	if (status == 404)
		ret = fail(status, &r, err,
			   "create container '%s' from image '%s'", what,
			   spec->image);
	else if (status != 201 && status != 200)
		ret = fail(status, &r, err, "create container '%s'", what);
	else
		ret = docker_api_parse_created(r.data, r.len, id, err);
	if (!ret)
		log_warnings(what, r.data, r.len);
out:
	reply_free(&r);
	free(path);
	free(name);
	free(body);
	return ret;
}

/* A full id shortened the way docker ps shows it; names unchanged. */
static const char *short_id(const char *id, char *buf)
{
	size_t n = strspn(id, "0123456789abcdef");

	if (n != 64 || id[n])
		return id;
	memcpy(buf, id, 12);
	buf[12] = '\0';
	return buf;
}

/* POST /containers/{id}/<verb>[?query]; 204 and 'ok_status' are success. */
static int post_verb(struct docker_api *api, const char *id,
		     const char *verb, const char *query, const char *body,
		     long timeout_s, long ok_status, const char *what,
		     struct reply *r, struct emu_err *err)
{
	char *eid = escape_path(id), *path, sid[13];
	long status;
	int ret;

	path = xasprintf("/containers/%s/%s%s%s", eid, verb,
			 query ? "?" : "", query ? query : "");
	ret = call(api, "POST", path, body, timeout_s, r, &status, err);
	if (!ret && status != 204 && status != 200 && status != ok_status)
		ret = fail(status, r, err, "%s container '%s'", what,
			   short_id(id, sid));
	free(path);
	free(eid);
	return ret;
}

int docker_api_start(struct docker_api *api, const char *id,
		     struct emu_err *err)
{
	struct reply r = { 0 };
	int ret;

	ret = post_verb(api, id, "start", NULL, NULL, DOCKER_TIMEOUT_S, 304,
			"start", &r, err);
	reply_free(&r);
	return ret;
}

int docker_api_inspect(struct docker_api *api, const char *id,
		       struct docker_api_state *out, struct emu_err *err)
{
	char *eid = escape_path(id), *path, sid[13];
	struct reply r = { 0 };
	long status;
	int ret;

	memset(out, 0, sizeof(*out));
	path = xasprintf("/containers/%s/json", eid);
	ret = call(api, "GET", path, NULL, DOCKER_TIMEOUT_S, &r, &status, err);
	if (ret)
		goto out;
	if (status == 404)
		ret = emu_err_set(err, -ENOENT, "container '%s' is gone",
				  short_id(id, sid));
	else if (status != 200)
		ret = fail(status, &r, err, "inspect container '%s'",
			   short_id(id, sid));
	else
		ret = docker_api_parse_state(r.data, r.len, out, err);
out:
	reply_free(&r);
	free(path);
	free(eid);
	return ret;
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

int docker_api_stop(struct docker_api *api, const char *id, int timeout_s,
		    struct emu_err *err)
{
	struct reply r = { 0 };
	char query[32] = "";
	int ret;

	if (timeout_s >= 0)
		snprintf(query, sizeof(query), "t=%d", timeout_s);
	ret = post_verb(api, id, "stop", *query ? query : NULL, NULL,
			DOCKER_TIMEOUT_S + (timeout_s > 0 ? timeout_s : 0),
			304, "stop", &r, err);
	reply_free(&r);
	return ret;
}

int docker_api_remove(struct docker_api *api, const char *id, bool force,
		      bool volumes, struct emu_err *err)
{
	char *eid = escape_path(id), *path, sid[13];
	struct reply r = { 0 };
	long status;
	int ret;

	path = xasprintf("/containers/%s?force=%d&v=%d", eid, force ? 1 : 0,
			 volumes ? 1 : 0);
	ret = call(api, "DELETE", path, NULL, DOCKER_TIMEOUT_S, &r, &status,
		   err);
	if (!ret && status != 204 && status != 200 && status != 404)
		ret = fail(status, &r, err, "remove container '%s'",
			   short_id(id, sid));
	reply_free(&r);
	free(path);
	free(eid);
	return ret;
}

int docker_api_list(struct docker_api *api, const char *label, bool all,
		    struct docker_api_entry **entries, size_t *n,
		    struct emu_err *err)
{
	char *filters = NULL, *path;
	struct reply r = { 0 };
	long status;
	int ret;

	*entries = NULL;
	*n = 0;
	if (label) {
		json_t *f = json_pack("{s:[s]}", "label", label);
		char *text = json_dumps(f, JSON_COMPACT);

		if (!text)
			abort();
		filters = escape_query(text);
		free(text);
		json_decref(f);
	}
	path = xasprintf("/containers/json?all=%d%s%s", all ? 1 : 0,
			 filters ? "&filters=" : "", filters ? filters : "");
	ret = call(api, "GET", path, NULL, DOCKER_TIMEOUT_S, &r, &status, err);
	if (!ret && status != 200)
		ret = fail(status, &r, err, "list containers");
	if (!ret)
		ret = docker_api_parse_list(r.data, r.len, entries, n, err);
	reply_free(&r);
	free(path);
	free(filters);
	return ret;
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

int docker_api_update(struct docker_api *api, const char *id,
		      const struct docker_api_limits *limits,
		      struct emu_err *err)
{
	char *body = docker_api_build_update(limits);
	struct reply r = { 0 };
	int ret;

	ret = post_verb(api, id, "update", NULL, body, DOCKER_TIMEOUT_S, 200,
			"update the limits of", &r, err);
	reply_free(&r);
	free(body);
	return ret;
}

int docker_api_logs(struct docker_api *api, const char *id,
		    unsigned int tail, char **text, struct emu_err *err)
{
	char *eid = escape_path(id), *path, sid[13];
	struct reply r = { 0 };
	long status;
	int ret;

	*text = NULL;
	path = xasprintf("/containers/%s/logs?stdout=1&stderr=1&tail=%u", eid,
			 tail);
	ret = call(api, "GET", path, NULL, DOCKER_TIMEOUT_S, &r, &status, err);
	if (!ret && status != 200)
		ret = fail(status, &r, err, "read the logs of container '%s'",
			   short_id(id, sid));
	if (!ret) {
		r.len = docker_api_demux_logs(r.data, r.len);
		r.data[r.len] = '\0';
		*text = r.data;
		r.data = NULL;
	}
	reply_free(&r);
	free(path);
	free(eid);
	return ret;
}

/* Parallel requests */

struct pool {
	const struct docker_api *api;
	size_t n;
	size_t next;		/* next index to take (atomic) */
	int (*fn)(struct docker_api *api, size_t i, void *aux,
		  struct emu_err *err);
	void *aux;
	int *rets;
	struct emu_err *errs;
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	struct docker_api *api = docker_api_clone(p->api);

	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);

		if (i >= p->n)
			break;
		emu_err_clear(&p->errs[i]);
		p->rets[i] = p->fn(api, i, p->aux, &p->errs[i]);
	}
	docker_api_close(api);
	return NULL;
}

int docker_api_run_parallel(struct docker_api *api, size_t n,
			    unsigned int workers,
			    int (*fn)(struct docker_api *api, size_t i,
				      void *aux, struct emu_err *err),
			    void *aux, struct emu_err *errs,
			    struct emu_err *err)
{
	struct pool p = { .api = api, .n = n, .fn = fn, .aux = aux };
	pthread_t *threads;
	size_t started = 0;
	int ret = 0;

	if (!n)
		return 0;
	if (!workers)
		workers = DOCKER_MAX_WORKERS;
	if (workers > n)
		workers = (unsigned int)n;
	p.rets = xcalloc(n, sizeof(*p.rets));
	p.errs = errs ? errs : xcalloc(n, sizeof(*p.errs));
	threads = xcalloc(workers, sizeof(*threads));
	/* The caller's thread works too, on the caller's client. */
	for (unsigned int w = 1; w < workers; w++) {
		if (pthread_create(&threads[started], NULL, pool_worker, &p))
			break;
		started++;
	}
	for (;;) {
		size_t i = __atomic_fetch_add(&p.next, 1, __ATOMIC_RELAXED);

		if (i >= n)
			break;
		emu_err_clear(&p.errs[i]);
		p.rets[i] = fn(api, i, aux, &p.errs[i]);
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	for (size_t i = 0; i < n; i++) {
		if (!p.rets[i])
			continue;
		ret = p.rets[i];
		if (p.errs[i].code)
			emu_err_set(err, p.errs[i].code, "%s", p.errs[i].msg);
		else
			emu_err_set(err, ret, "%s", strerror(-ret));
		break;
	}
	free(threads);
	free(p.rets);
	if (!errs)
		free(p.errs);
	return ret;
}

/* Pure helpers */

int docker_api_status_errno(long status)
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

void docker_api_parse_error(const char *body, size_t len, char *msg,
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

int docker_api_parse_image(const char *body, size_t len,
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

int docker_api_parse_state(const char *body, size_t len,
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

int docker_api_parse_created(const char *body, size_t len, char **id,
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

int docker_api_parse_list(const char *body, size_t len,
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

int docker_api_parse_pull(const char *body, size_t len, char *msg,
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

size_t docker_api_demux_logs(char *buf, size_t len)
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

int docker_api_parse_port(const char *port, char *buf, size_t size,
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

char *docker_api_build_create(const struct docker_api_spec *spec,
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
	json_object_set_new(root, "Tty", json_boolean(spec->tty));
	json_object_set_new(root, "OpenStdin", json_boolean(spec->open_stdin));
	if (add_pairs(labels, spec->labels, spec->n_labels, "label", err))
		goto fail;
	json_object_set_new(root, "Labels", json_incref(labels));

	for (size_t i = 0; i < spec->n_ports; i++) {
		if (docker_api_parse_port(spec->ports[i] ? spec->ports[i] : "",
					  port, sizeof(port), err))
			goto fail;
		json_object_set_new(exposed, port, json_object());
	}
	for (size_t i = 0; i < spec->n_port_bindings; i++) {
		const struct docker_api_port *pb = &spec->port_bindings[i];
		json_t *list, *b;
		char host_port[16] = "";

		if (docker_api_parse_port(pb->port ? pb->port : "", port,
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

char *docker_api_build_update(const struct docker_api_limits *limits)
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

int docker_api_split_command(const char *cmd, char ***argv, size_t *argc,
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
	docker_api_free_argv(words);
	return emu_err_set(err, -EINVAL, "unterminated quote in command '%s'",
			   cmd);
}

void docker_api_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int docker_api_parse_size(const char *s, long long *bytes,
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
