/* Tab completion.  Nothing here lists a command: the first word completes
 * to the names of the command table and the nodes; a later word to what
 * the command's usage string names at that place:
 *
 *   COMMAND         command names ("COMMAND...": a whole command line)
 *   NODE, NODE1     node names
 *   CLIENT, SERVER  host names            SWITCH  switch names
 *   FILE            file names            CMD     a shell line: node
 *                                                 names, file names
 *   KEY=VALUE       link option keys (link/shaping.h), "bw=" ...
 *   up|down, link   those words (lowercase: literal)
 *
 * "[...]" marks an optional word, a trailing "..." one that repeats.
 * Which nodes an argument takes is asked of emu/cli/kinds.c. */
#include "emu/cli/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "base/util.h"
#include "emu/net.h"
#include "link/shaping.h"

/* What a place of a command line takes. */
enum cli_arg {
	CLI_ARG_NONE,		/* free text: nothing to offer */
	CLI_ARG_COMMAND,	/* a command name */
	CLI_ARG_LINE,		/* a command line from here on */
	CLI_ARG_NODE,		/* a node name */
	CLI_ARG_HOST,
	CLI_ARG_SWITCH,
	CLI_ARG_FILE,
	CLI_ARG_SHELL,		/* a shell word: node names, file names */
	CLI_ARG_LINK_KEY,	/* a link option "key=" */
	CLI_ARG_WORDS,		/* the literal words of the usage token */
};

/* The candidates being gathered: borrowed words. */
struct cli_words {
	const char **words;
	size_t n, cap;
};

static void cli_words_add(struct cli_words *w, const char *word)
{
	xgrow((void **)&w->words, &w->cap, w->n + 1, sizeof(*w->words));
	w->words[w->n++] = word;
}

/* The placeholders of usage strings and what they take. */
static const struct {
	const char *name;
	enum cli_arg arg;
} cli_placeholders[] = {
	{ "COMMAND", CLI_ARG_COMMAND }, { "NODE", CLI_ARG_NODE },
	{ "CLIENT", CLI_ARG_HOST },	{ "SERVER", CLI_ARG_HOST },
	{ "SWITCH", CLI_ARG_SWITCH },	{ "FILE", CLI_ARG_FILE },
	{ "CMD", CLI_ARG_SHELL },	{ "KEY=VALUE", CLI_ARG_LINK_KEY },
};

/* What the usage token 'tok' ('len' bytes, brackets and dots removed)
 * takes. */
static enum cli_arg cli_token_arg(const char *tok, size_t len)
{
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		if (islower((unsigned char)tok[i]) || tok[i] == '-' ||
		    tok[i] == '|')
			return CLI_ARG_WORDS;
	while (n && isdigit((unsigned char)tok[n - 1]))
		n--;	/* NODE1, NODE2 */
	for (size_t i = 0; i < ARRAY_SIZE(cli_placeholders); i++)
		if (strlen(cli_placeholders[i].name) == n &&
		    !strncmp(cli_placeholders[i].name, tok, n))
			return cli_placeholders[i].arg;
	return CLI_ARG_NONE;
}

/* What the 'pos'th word after the name of 'cmd' (1: the first) takes by
 * its usage; for CLI_ARG_WORDS, 'words' gets the token ("up|down", at
 * most 'size' - 1 bytes); for CLI_ARG_LINE, '*line_pos' gets the place
 * where the command line starts. */
static enum cli_arg cli_usage_arg(const struct cli_cmd *cmd, int pos,
				  char *words, size_t size, int *line_pos)
{
	const char *p = cmd->usage;
	int at = 0;

	for (;;) {
		char tok[64];
		size_t len = 0;
		enum cli_arg arg;
		bool repeats;

		p += strspn(p, " ");
		if (!*p || at >= pos)
			return CLI_ARG_NONE;
		for (; *p && *p != ' '; p++)
			if (*p != '[' && *p != ']' && len + 1 < sizeof(tok))
				tok[len++] = *p;
		repeats = len >= 3 && !strncmp(tok + len - 3, "...", 3);
		if (repeats)
			len -= 3;
		tok[len] = '\0';
		arg = cli_token_arg(tok, len);
		if (++at < pos && !repeats)
			continue;
		if (repeats && arg == CLI_ARG_COMMAND) {
			*line_pos = at;
			return CLI_ARG_LINE;
		}
		snprintf(words, size, "%s", tok);
		return arg;
	}
}

static void cli_add_commands(struct cli_words *w)
{
	size_t n;
	const struct cli_cmd *cmds = cli_commands(&n);

	for (size_t i = 0; i < n; i++)
		cli_words_add(w, cmds[i].name);
}

static void cli_add_nodes(struct cli *cli, struct cli_words *w,
			  enum cli_node_arg which)
{
	size_t n;
	struct node **nodes;

	if (!cli || !cli->net)
		return;
	nodes = net_nodes(cli->net, &n);
	for (size_t i = 0; i < n; i++)
		if (cli_kind_fits(nodes[i], which))
			cli_words_add(w, node_name(nodes[i]));
}

/* Adds the candidates for the word after the 'n' 'words' typed; 'buf'
 * keeps the literal words of a usage alive.  Sets '*files' when file
 * names fit, '*keys' when the candidates are link option keys. */
static void cli_gather(struct cli *cli, char **words, int n,
		       struct cli_words *w, char *buf, size_t size,
		       bool *files, bool *keys)
{
	const struct cli_cmd *cmd;
	int line_pos = 0;

	if (n == 0) {
		cli_add_commands(w);
		cli_add_nodes(cli, w, CLI_ANY_NODE);
		return;
	}
	cmd = cli_find_command(words[0]);
	if (!cmd) {
		if (cli && cli->net && net_get(cli->net, words[0])) {
			/* a node's shell line */
			cli_add_nodes(cli, w, CLI_ANY_NODE);
			*files = true;
		}
		return;
	}
	switch (cli_usage_arg(cmd, n, buf, size, &line_pos)) {
	case CLI_ARG_NONE:
		break;
	case CLI_ARG_COMMAND:
		cli_add_commands(w);
		break;
	case CLI_ARG_LINE:
		cli_gather(cli, words + line_pos, n - line_pos, w, buf, size,
			   files, keys);
		break;
	case CLI_ARG_NODE:
		cli_add_nodes(cli, w, CLI_ANY_NODE);
		break;
	case CLI_ARG_HOST:
		cli_add_nodes(cli, w, CLI_HOST_NODE);
		break;
	case CLI_ARG_SWITCH:
		cli_add_nodes(cli, w, CLI_SWITCH_NODE);
		break;
	case CLI_ARG_FILE:
		*files = true;
		break;
	case CLI_ARG_SHELL:
		cli_add_nodes(cli, w, CLI_ANY_NODE);
		*files = true;
		break;
	case CLI_ARG_LINK_KEY:
		*keys = true;
		for (size_t i = 0; shaping_key(i); i++)
			cli_words_add(w, shaping_key(i));
		break;
	case CLI_ARG_WORDS:
		for (char *p = buf; *p;) {
			size_t len = strcspn(p, "|");

			cli_words_add(w, p);
			if (!p[len])
				break;
			p[len] = '\0';
			p += len + 1;
		}
		break;
	}
}

char **cli_complete_words(struct cli *cli, const char *line, size_t start,
			  size_t end, bool *files)
{
	size_t len = end - start, k = 0;
	struct cli_words w = { 0 };
	char **before = NULL, **out, *head, buf[64];
	bool keys = false;
	int n;

	*files = false;
	head = xmalloc(start + 1);
	memcpy(head, line, start);
	head[start] = '\0';
	n = cli_split_blanks(head, &before);
	free(head);
	cli_gather(cli, before, n, &w, buf, sizeof(buf), files, &keys);
	out = xcalloc(w.n + 1, sizeof(*out));
	for (size_t i = 0; i < w.n; i++)
		if (!strncmp(w.words[i], line + start, len))
			out[k++] = keys ? xasprintf("%s=", w.words[i])
					: xstrdup(w.words[i]);
	cli_free_words(before);
	free(w.words);
	return out;
}

/* ---- readline's side ------------------------------------------------ */

/* The matches of the word being completed, handed out one by one. */
static char **cli_matches;
static size_t cli_next_match;

static char *cli_generate(const char *text, int state)
{
	(void)text;	/* cli_matches hold only words starting with it */
	if (!state)
		cli_next_match = 0;
	if (!cli_matches || !cli_matches[cli_next_match])
		return NULL;
	return xstrdup(cli_matches[cli_next_match++]);
}

char **cli_rl_complete(const char *text, int start, int end)
{
	char **matches = NULL;
	bool files;

	rl_attempted_completion_over = 1;
	cli_matches = cli_complete_words(cli_active, rl_line_buffer,
					 (size_t)start, (size_t)end, &files);
	if (cli_matches[0]) {
		size_t last = strlen(cli_matches[0]);

		/* "bw=" waits for its value */
		if (last && cli_matches[0][last - 1] == '=')
			rl_completion_append_character = '\0';
		matches = rl_completion_matches(text, cli_generate);
	}
	cli_free_words(cli_matches);
	cli_matches = NULL;
	if (!matches && files)
		rl_attempted_completion_over = 0;	/* file names */
	return matches;
}
