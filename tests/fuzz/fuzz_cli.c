/* libFuzzer target: the CLI's line parser (emu/cli/parse.c): words with
 * quotes and escapes, node names replaced by IPs, the trailing '&'.
 *
 * The input is one command line.  Checks: words come back NULL-ended and
 * never longer than the line; a line without quotes or backslashes splits
 * as it does at blanks; substitution keeps every byte that it does not
 * replace; stripping '&' leaves a prefix of the line. */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "emu/cli/parse.h"
#include "emu/traffic.h"

/* Replaces words starting with 'h' by "10.0.0.1", as cli.c's lookup
 * replaces node names, and keeps the others. */
static const char *fuzz_lookup(void *aux, const char *word, char *buf,
			       size_t size)
{
	(void)aux;
	if (word[0] != 'h')
		return NULL;
	snprintf(buf, size, "10.0.0.1");
	return buf;
}

/* What cli_substitute() must make of 'line' with fuzz_lookup(): words
 * are runs of non-blanks (space, tab) shorter than 256 bytes. */
static char *fuzz_expected_substitute(const char *line)
{
	char *out = xmalloc(strlen(line) * 8 + 1), *o = out;
	const char *p = line;

	while (*p) {
		size_t n = strspn(p, " \t");

		memcpy(o, p, n);
		o += n;
		p += n;
		n = strcspn(p, " \t");
		if (n && n < 256 && p[0] == 'h') {
			memcpy(o, "10.0.0.1", 8);
			o += 8;
		} else {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

static void fuzz_split(const char *line)
{
	struct emu_err err = { 0 };
	char **words, **blank_words;
	int n, nb;

	n = cli_split(line, &words, &err);
	if (n < 0) {
		fuzz_check_err(&err, n);
		fuzz_check(!words, "words left after an error");
		fuzz_check(strpbrk(line, "'\""), "'%s': %s", line, err.msg);
		return;
	}
	for (int i = 0; i < n; i++)
		fuzz_check(words[i] && strlen(words[i]) <= strlen(line),
			   "word %d", i);
	fuzz_check(!words[n], "%d words not NULL-ended", n);

	nb = cli_split_blanks(line, &blank_words);
	fuzz_check(nb >= 0 && !blank_words[nb], "%d blank words", nb);
	if (!strpbrk(line, "'\"\\")) {
		fuzz_check(n == nb, "'%s': %d words, %d at blanks", line, n,
			   nb);
		for (int i = 0; i < n; i++)
			fuzz_check(!strcmp(words[i], blank_words[i]),
				   "word %d: '%s', at blanks '%s'", i,
				   words[i], blank_words[i]);
	}
	cli_free_words(blank_words);
	cli_free_words(words);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size), *out, *want;
	size_t len = strlen(line);
	char buf[64];
	double bps;
	bool bg;

	fuzz_split(line);

	out = cli_substitute(line, NULL, NULL);
	fuzz_check(!strcmp(out, line), "'%s' became '%s' without lookup",
		   line, out);
	free(out);
	out = cli_substitute(line, fuzz_lookup, NULL);
	want = fuzz_expected_substitute(line);
	fuzz_check(!strcmp(out, want), "'%s' became '%s', not '%s'", line,
		   out, want);
	free(want);
	free(out);

	out = xstrdup(line);
	bg = cli_strip_background(out);
	fuzz_check(!strncmp(out, line, strlen(out)), "'%s' is not a prefix",
		   out);
	fuzz_check(!*out || !cli_is_blank(out[strlen(out) - 1]),
		   "'%s' ends in a blank", out);
	fuzz_check(!bg || strlen(out) < len, "'&' stripped from nothing");
	free(out);

	/* Any double formats without overflow; a rate iperf can report
	 * (up to a Pbit/s) fits the caller's small buffer. */
	if (size >= sizeof(bps)) {
		int n;

		memcpy(&bps, data, sizeof(bps));
		n = traffic_format_rate(bps, buf, sizeof(buf));
		fuzz_check(n > 0, "rate %g", bps);
		if (bps >= 0 && bps <= 1e15)
			fuzz_check(n < 32, "rate %g: '%s'", bps, buf);
	}
	free(line);
	return 0;
}
