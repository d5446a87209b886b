/* libFuzzer target: the pure decoders of Docker Engine API replies
 * (node/docker_json.c): errors, image and container inspections, the
 * creation reply, container lists, pull progress streams, multiplexed
 * logs; and the text helpers (ports, command lines, sizes).
 *
 * The input is one reply body ('len' bytes, not NUL-terminated, as curl
 * hands it over), given to every decoder.  A decoded reply must be whole
 * (strings set, arrays NULL-ended with their counts), an error must say
 * why, and what the helpers accept must read back the same. */
#include "tests/fuzz/fuzz.h"

#include <errno.h>

#include "node/docker_json.h"

/* Checks that 'v' holds 'n' strings and a NULL. */
static void fuzz_check_strings(char **v, size_t n, const char *what)
{
	if (!v) {
		fuzz_check(!n, "%s: NULL with %zu", what, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fuzz_check(v[i] != NULL, "%s[%zu] NULL", what, i);
	fuzz_check(!v[n], "%s: %zu not NULL-ended", what, n);
}

static void fuzz_replies(const char *body, size_t len)
{
	struct emu_err err = { 0 };
	struct docker_api_image image;
	struct docker_api_state state;
	struct docker_api_entry *entries;
	char msg[64], *id, **warnings;
	size_t n;
	int ret;

	/* Into a small buffer, so that a long message is cut safely. */
	memset(msg, 'x', sizeof(msg));
	docker_json_parse_error(body, len, msg, sizeof(msg));
	fuzz_check(memchr(msg, '\0', sizeof(msg)) && msg[0],
		   "error message unterminated or empty");
	for (const char *p = msg; *p; p++)
		fuzz_check((unsigned char)*p >= ' ',
			   "control character %#x in the error message",
			   (unsigned char)*p);

	ret = docker_json_parse_image(body, len, &image, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!image.id, "failed image has an id");
	} else {
		fuzz_check(image.id && image.working_dir && image.user,
			   "image strings");
		fuzz_check_strings(image.entrypoint, image.n_entrypoint,
				   "entrypoint");
		fuzz_check_strings(image.cmd, image.n_cmd, "cmd");
		fuzz_check_strings(image.env, image.n_env, "env");
	}
	docker_api_image_release(&image);

	emu_err_clear(&err);
	ret = docker_json_parse_state(body, len, &state, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
	} else {
		fuzz_check(state.id && state.name && state.status &&
				   state.error,
			   "state strings");
		fuzz_check(state.pid >= 0, "pid %d", (int)state.pid);
		fuzz_check(state.name[0] != '/', "name '%s'", state.name);
	}
	docker_api_state_release(&state);

	emu_err_clear(&err);
	ret = docker_json_parse_created(body, len, &id, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!id, "failed creation has an id");
	} else {
		fuzz_check(id && *id, "created without an id");
	}
	free(id);

	warnings = docker_json_parse_warnings(body, len);
	for (n = 0; warnings && warnings[n]; n++)
		;
	fuzz_check_strings(warnings, n, "warnings");
	docker_json_free_argv(warnings);

	emu_err_clear(&err);
	ret = docker_json_parse_list(body, len, &entries, &n, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!entries && !n, "failed list has entries");
	} else {
		for (size_t i = 0; i < n; i++) {
			fuzz_check(entries[i].id && entries[i].name &&
					   entries[i].state,
				   "entry %zu strings", i);
			fuzz_check_strings(entries[i].labels,
					   entries[i].n_labels, "labels");
			for (size_t k = 0; k < entries[i].n_labels; k++)
				fuzz_check(strchr(entries[i].labels[k], '='),
					   "label '%s'", entries[i].labels[k]);
			docker_api_entry_label(&entries[i], "cnemu.run");
		}
	}
	docker_api_entries_free(entries, n);

	memset(msg, 'x', sizeof(msg));
	ret = docker_json_parse_pull(body, len, msg, sizeof(msg));
	fuzz_check(ret == 0 || ret == -EIO, "pull: %d", ret);
	if (ret)
		fuzz_check(memchr(msg, '\0', sizeof(msg)),
			   "pull message unterminated");
}

static void fuzz_logs(const char *body, size_t len)
{
	char *buf = xmalloc(len ? len : 1);
	size_t out;

	memcpy(buf, body, len);
	out = docker_json_demux_logs(buf, len);
	fuzz_check(out <= len, "demuxed %zu of %zu", out, len);
	if (out == len)	/* not a stream: untouched */
		fuzz_check(!memcmp(buf, body, len), "text changed");
	free(buf);
}

static void fuzz_text(const char *s)
{
	struct emu_err err = { 0 };
	char port[32], again[32], **argv;
	long long bytes;
	size_t argc;
	int ret;

	ret = docker_json_parse_port(s, port, sizeof(port), &err);
	if (ret) {
		fuzz_check_err(&err, ret);
	} else {
		fuzz_check(strchr(port, '/'), "port '%s'", port);
		fuzz_check(!docker_json_parse_port(port, again, sizeof(again),
						   NULL) &&
				   !strcmp(port, again),
			   "port '%s' reads back as '%s'", port, again);
	}

	emu_err_clear(&err);
	ret = docker_json_split_command(s, &argv, &argc, &err);
	if (ret) {
		fuzz_check_err(&err, ret);
		fuzz_check(!argv && !argc, "failed split has words");
	} else {
		fuzz_check_strings(argv, argc, "argv");
		for (size_t i = 0; i < argc; i++)
			fuzz_check(strlen(argv[i]) <= strlen(s), "word %zu",
				   i);
	}
	docker_json_free_argv(argv);

	emu_err_clear(&err);
	ret = docker_json_parse_size(s, &bytes, &err);
	if (ret)
		fuzz_check_err(&err, ret);
	else
		fuzz_check(bytes >= 0, "size '%s' is %lld", s, bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact copy, so that a read past 'size' is caught. */
	char *body = xmalloc(size ? size : 1), *s;

	memcpy(body, data, size);
	fuzz_replies(body, size);
	fuzz_logs(body, size);
	free(body);

	s = fuzz_string(data, size);
	fuzz_text(s);
	free(s);
	return 0;
}
