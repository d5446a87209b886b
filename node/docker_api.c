#include "node/docker_api.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(docker_api);

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_DEFAULT_VERSION "1.41"
#define DOCKER_TIMEOUT_S 120L		/* one ordinary request */
#define REMOVE_WAIT_S 60ULL		/* for another client's removal */
#define REMOVE_POLL_MS 100		/* asking whether it is done */
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
	int code = docker_json_status_errno(status);

	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);
	docker_json_parse_error(r->data, r->len, msg, sizeof(msg));
	if (!code)
		code = -EPROTO;
	return emu_err_set(err, code, "cannot %s: %s", what, msg);
}

int docker_api_request(struct docker_api *api, const char *method,
		       const char *path, const char *body, long *status,
		       char **reply, size_t *len, struct emu_err *err)
{
	struct reply r = { 0 };
	int ret;

	*reply = NULL;
	*len = 0;
	ret = call(api, method, path, body, DOCKER_TIMEOUT_S, &r, status,
		   err);
	if (ret) {
		reply_free(&r);
		return ret;
	}
	*reply = r.data;
	*len = r.len;
	return 0;
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
		ret = docker_json_parse_image(r.data, r.len, out, err);
out:
	reply_free(&r);
	free(path);
	free(name);
	return ret;
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
	else if (docker_json_parse_pull(r.data, r.len, msg, sizeof(msg)))
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
	char **warnings = docker_json_parse_warnings(body, len);

	for (size_t i = 0; warnings && warnings[i]; i++)
		log_warn("container '%s': %s", what, warnings[i]);
	docker_json_free_argv(warnings);
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
	body = docker_json_build_create(spec, err);
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
		ret = docker_json_parse_created(r.data, r.len, id, err);
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
		ret = docker_json_parse_state(r.data, r.len, out, err);
out:
	reply_free(&r);
	free(path);
	free(eid);
	return ret;
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
	unsigned long long deadline;
	struct reply r = { 0 };
	long status;
	int ret;

	path = xasprintf("/containers/%s?force=%d&v=%d", eid, force ? 1 : 0,
			 volumes ? 1 : 0);
	ret = call(api, "DELETE", path, NULL, DOCKER_TIMEOUT_S, &r, &status,
		   err);
	/* A forced removal is refused (409) only while another one is under
	 * way: a run killed as it removed its containers, a second
	 * 'cnemu -c'.  Asked again until that one is done (then 404). */
	deadline = now_us() + REMOVE_WAIT_S * 1000000ULL;
	while (!ret && force && status == 409 && now_us() < deadline) {
		usleep(REMOVE_POLL_MS * 1000);
		ret = call(api, "DELETE", path, NULL, DOCKER_TIMEOUT_S, &r,
			   &status, err);
	}
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
		char *text = docker_json_build_label_filter(label);

		if (!text)
			return emu_err_set(err, -EINVAL,
					   "cannot list containers: label '%s' "
					   "is not UTF-8",
					   label);
		filters = escape_query(text);
		free(text);
	}
	path = xasprintf("/containers/json?all=%d%s%s", all ? 1 : 0,
			 filters ? "&filters=" : "", filters ? filters : "");
	ret = call(api, "GET", path, NULL, DOCKER_TIMEOUT_S, &r, &status, err);
	if (!ret && status != 200)
		ret = fail(status, &r, err, "list containers");
	if (!ret)
		ret = docker_json_parse_list(r.data, r.len, entries, n, err);
	reply_free(&r);
	free(path);
	free(filters);
	return ret;
}

int docker_api_update(struct docker_api *api, const char *id,
		      const struct docker_api_limits *limits,
		      struct emu_err *err)
{
	char *body = docker_json_build_update(limits);
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
		r.len = docker_json_demux_logs(r.data, r.len);
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
