#include "emu/cli/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"

static void cli_push_word(char ***words, size_t *n, size_t *cap,
			  const char *w, size_t len)
{
	xgrow((void **)words, cap, *n + 2, sizeof(**words));
	(*words)[*n] = xmalloc(len + 1);
	memcpy((*words)[*n], w, len);
	(*words)[*n][len] = '\0';
	(*words)[++*n] = NULL;
}

int cli_split(const char *line, char ***words, struct emu_err *err)
{
	size_t n = 0, cap = 0, w;
	char *word = xmalloc(strlen(line) + 1), **v = NULL;
	const char *p = line;
	char quote;

	xgrow((void **)&v, &cap, 1, sizeof(*v));	/* { NULL } */
	for (;;) {
		while (cli_is_blank(*p))
			p++;
		if (!*p)
			break;
		for (w = 0, quote = 0; *p; p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else if (*p == '\\' && quote == '"' &&
					 (p[1] == '"' || p[1] == '\\'))
					word[w++] = *++p;
				else
					word[w++] = *p;
			} else if (cli_is_blank(*p)) {
				break;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				word[w++] = *++p;
			} else {
				word[w++] = *p;
			}
		}
		if (quote) {
			free(word);
			cli_free_words(v);
			*words = NULL;
			return emu_err_set(err, -EINVAL, "unclosed quote %c",
					   quote);
		}
		cli_push_word(&v, &n, &cap, word, w);
	}
	free(word);
	*words = v;
	return (int)n;
}

int cli_split_blanks(const char *line, char ***words)
{
	size_t n = 0, cap = 0, len;
	char **v = NULL;

	xgrow((void **)&v, &cap, 1, sizeof(*v));	/* { NULL } */
	for (const char *p = line;; p += len) {
		while (cli_is_blank(*p))
			p++;
		if (!*p)
			break;
		for (len = 0; p[len] && !cli_is_blank(p[len]); len++)
			;
		cli_push_word(&v, &n, &cap, p, len);
	}
	*words = v;
	return (int)n;
}

void cli_free_words(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}

static void cli_append(char **buf, size_t *len, size_t *cap, const char *s,
		       size_t n)
{
	if (*len + n + 1 > *cap) {
		while (*len + n + 1 > *cap)
			*cap *= 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

char *cli_substitute(const char *line, cli_lookup_fn lookup, void *aux)
{
	size_t len = 0, cap = strlen(line) + 16, n;
	char *out = xmalloc(cap), word[256], buf[64];
	const char *p = line, *rep;

	out[0] = '\0';
	while (*p) {
		for (n = 0; p[n] == ' ' || p[n] == '\t'; n++)
			;
		cli_append(&out, &len, &cap, p, n);
		p += n;
		for (n = 0; p[n] && p[n] != ' ' && p[n] != '\t'; n++)
			;
		rep = NULL;
		if (n && n < sizeof(word) && lookup) {
			memcpy(word, p, n);
			word[n] = '\0';
			rep = lookup(aux, word, buf, sizeof(buf));
		}
		if (rep)
			cli_append(&out, &len, &cap, rep, strlen(rep));
		else
			cli_append(&out, &len, &cap, p, n);
		p += n;
	}
	return out;
}

bool cli_strip_background(char *line)
{
	size_t n = strlen(line);

	while (n && cli_is_blank(line[n - 1]))
		n--;
	line[n] = '\0';
	if (!n || line[n - 1] != '&' ||
	    (n >= 2 && strchr("&|<>\\", line[n - 2])))
		return false;
	n--;
	while (n && cli_is_blank(line[n - 1]))
		n--;
	line[n] = '\0';
	return true;
}
