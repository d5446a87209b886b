/* The CLI: Mininet's command set at a "cnemu> " prompt, over one table.
 *
 * cli_create() makes a CLI over a Net it borrows (NULL is accepted: only
 * commands that need no network then work, which is what the unit tests
 * use); cli_run() reads commands from a stream until exit, quit or EOF —
 * with GNU readline, history in ~/.cnemu_history and tab completion when
 * interactive, line by line otherwise; cli_run_file() runs a command file
 * ('source', --pre, --post); cli_execute() runs one line; cli_destroy()
 * frees.  While a CLI exists it owns SIGINT: Ctrl-C at the prompt clears
 * the line, Ctrl-C during a command reaches only that command.
 *
 * Every command is one row of 'struct cli_cmd'; the dispatcher checks the
 * argument count and the preconditions and builds help and completion
 * from the rows (emu/cli/internal.h maps the files).  A first word
 * naming a node runs the rest of the line in that node, other node names
 * replaced by their IPs (Mininet's 'h1 ping h2'), in the background with
 * a trailing '&'.  Results go to the output stream (stdout), errors as
 * one line "error: <msg>" to the error stream (stderr); the CLI goes on
 * after an error.  The CLI changes nodes and links only through the Net
 * (emu/net.h) and runs traffic tests through emu/traffic.h. */
#ifndef EMU_CLI_CLI_H
#define EMU_CLI_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "emu/cli/parse.h"	/* the line parser */

struct emu_err;
struct net;
struct cli;

/* Preconditions of a command, checked by the dispatcher. */
enum cli_flags {
	CLI_NET = 1 << 0,	/* needs a network (described or running) */
	CLI_STARTED = 1 << 1,	/* needs a started network */
	CLI_RAW = 1 << 2,	/* takes the rest of the line as text (shell
				   lines, Lua code): words split on blanks
				   only, the handler gets the rest of the
				   line as its text */
};

/* One command: a row of the table. */
struct cli_cmd {
	const char *name;
	int min_args, max_args;		/* words after the name; max -1:
					   unlimited */
	const char *usage;		/* "[TIMEOUT]"; "" when none */
	const char *help;		/* one line, lowercase */
	unsigned int flags;		/* enum cli_flags */
	int (*handler)(struct cli *cli, int argc, char **argv,
		       struct emu_err *err);
};

/* The command table ('*n' gets its length), for help and tests. */
const struct cli_cmd *cli_commands(size_t *n);
/* The row named exactly 'name', or NULL. */
const struct cli_cmd *cli_find_command(const char *name);

/* Returns a new CLI over 'net' (borrowed; may be NULL), printing on
 * stdout and stderr, and installs its SIGINT handler (the previous one
 * comes back at cli_destroy()).  Cannot fail today; NULL with 'err' set
 * is reserved. */
struct cli *cli_create(struct net *net, struct emu_err *err);
/* Restores SIGINT's previous handler and frees 'cli' (accepts NULL). */
void cli_destroy(struct cli *cli);

/* Sends results to 'out' and errors to 'errout' (NULL: unchanged). */
void cli_set_output(struct cli *cli, FILE *out, FILE *errout);
/* Makes cli_run() and cli_run_file() return, and a running command be
 * terminated, as soon as '*flag' becomes non-zero (main's SIGTERM and
 * SIGHUP flag).  NULL: none. */
void cli_set_stop_flag(struct cli *cli, volatile sig_atomic_t *flag);

/* The Net of 'cli' (borrowed; NULL). */
struct net *cli_net(const struct cli *cli);

/* Each command of 'cli' runs between 'lock(aux)' and 'unlock(aux)': other
 * CLIs on the same Net (attached ones, emu/attach.h) wait meanwhile.
 * NULL: none. */
void cli_set_guard(struct cli *cli, void (*lock)(void *aux),
		   void (*unlock)(void *aux), void *aux);

/* The 'lua CODE' command calls 'fn' with 'aux' and the code; 'fn' returns
 * 0 or a negative errno with 'err' set.  Without a hook the command fails
 * with "Lua is not available". */
typedef int (*cli_lua_fn)(void *aux, const char *code, struct emu_err *err);
void cli_set_lua_hook(struct cli *cli, cli_lua_fn fn, void *aux);

/* Reads and runs commands from 'in' until exit, quit, EOF or the stop
 * flag.  'interactive': readline on 'in' with the prompt, history and
 * completion; otherwise plain lines without prompt or echo, each at most
 * 64 KiB of text.  Returns 0, or a negative errno after printing "error:
 * input: <why>" when reading fails or the input is no command text. */
int cli_run(struct cli *cli, FILE *in, bool interactive);

/* As cli_run(), and while it runs other CLIs may attach to the lab
 * ('cnemu attach LAB') over its run directory's socket, each a CLI of its
 * own on the same Net with this one's stop flag and 'lua' hook; commands
 * run one at a time across them (emu/cli/attached.c).  Without the
 * socket (a Net not started, the socket refused), a warning says no CLI
 * can attach and the CLI runs alone. */
int cli_run_attachable(struct cli *cli, FILE *in, bool interactive);

/* Runs the command file 'path' line by line (blank lines and lines
 * starting with '#' are skipped) until its end or an 'exit' in it.
 * Returns 0 (failed commands print their error and the file goes on) or
 * a negative errno with 'err' set when the file cannot be read or is no
 * command text: a NUL byte, a line over 64 KiB, more than 4 MiB (what
 * came before it has run). */
int cli_run_file(struct cli *cli, const char *path, struct emu_err *err);

/* Runs one command line.  Returns 0, the exit status of a command run in
 * a node or shell (> 0; 1 for a pingall that dropped packets), or a
 * negative errno after printing "error: <msg>". */
int cli_execute(struct cli *cli, const char *line);

/* The words tab completion offers for the word at bytes 'start' to 'end'
 * of 'line' (what stands before 'start' decides): command names and node
 * names first, then what the command's usage names at that place (nodes,
 * hosts, switches, "up|down", link keys "bw=", a command line), all of
 * them starting with the word.  '*files' is set when file names fit
 * there too.  Returns a NULL-ended array (free with cli_free_words()). */
char **cli_complete_words(struct cli *cli, const char *line, size_t start,
			  size_t end, bool *files);

/* True once 'exit', 'quit' or EOF was met. */
bool cli_is_done(const struct cli *cli);

#endif
