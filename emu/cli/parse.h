/* The CLI's line parser: words of a command line, node names replaced by
 * their addresses, the '&' of a background command.
 *
 * Pure functions, no state, nothing touched on the machine: emu/cli/
 * and the Lua binding use them, the unit tests and the fuzz targets
 * (tests/fuzz/) link them alone. */
#ifndef EMU_CLI_PARSE_H
#define EMU_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;

/* True for the blanks between words: space, tab, CR and LF. */
static inline bool cli_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits 'line' into words at blanks, honouring '...' and "..." quotes and
 * backslash escapes; '*words' gets a NULL-ended array (free it with
 * cli_free_words()).  Returns the number of words or -EINVAL with 'err'
 * set for an unclosed quote. */
int cli_split(const char *line, char ***words, struct emu_err *err);
/* Splits 'line' at blanks only, quotes and backslashes kept in the words
 * (shell lines and Lua code, whose text stays as typed).  '*words' gets a
 * NULL-ended array (free it with cli_free_words()); returns the number of
 * words. */
int cli_split_blanks(const char *line, char ***words);
void cli_free_words(char **words);	/* accepts NULL */

/* Resolves a word to its replacement text (an IP) in 'buf', or NULL to
 * keep it. */
typedef const char *(*cli_lookup_fn)(void *aux, const char *word, char *buf,
				     size_t size);
/* Returns a copy of 'line' (caller frees) in which each blank-separated
 * word that 'lookup' resolves is replaced, everything else (quotes,
 * spacing) kept as it was. */
char *cli_substitute(const char *line, cli_lookup_fn lookup, void *aux);

/* Removes a trailing '&' (and the blanks around it) from 'line'; returns
 * true when there was one ("cmd &", not "a && b" nor "2>&1"). */
bool cli_strip_background(char *line);

#endif
