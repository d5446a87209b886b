/* Reading commands: command files (source, --pre, --post), plain lines
 * from a pipe, and the interactive loop over readline's callback
 * interface with history. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"

EMU_LOG_MODULE(cli);

#define CLI_HISTORY_FILE ".cnemu_history"
#define CLI_HISTORY_MAX 1000
#define CLI_SOURCE_DEPTH 16	/* nested 'source' */
#define CLI_LINE_MAX 65536	/* bytes in a command line */
#define CLI_FILE_MAX (4 << 20)	/* bytes in a command file ('source',
				   --pre, --post) */

/* The line readline's callback handed over, and whether it did. */
static char *cli_line;
static bool cli_line_ready;

/* True when 'in' holds read input not taken yet (glibc's FILE). */
static bool cli_buffered(FILE *in)
{
	return in->_IO_read_ptr < in->_IO_read_end;
}

/* Waits until 'in' can be read, watching the Net every CLI_WATCH_MS
 * meanwhile (cli_watch()); Ctrl-C is only a blank line here.  False when
 * the watch or the stop flag ended the CLI. */
static bool cli_wait_input(struct cli *cli, FILE *in)
{
	struct pollfd p = { .fd = fileno(in), .events = POLLIN };

	while (!cli_buffered(in)) {
		int n = poll(&p, 1, CLI_WATCH_MS);

		if (n < 0 && errno == EINTR) {
			if (cli_stopping(cli))
				return false;
			cli_sigint = 0;
		} else if (n) {
			return true;	/* input, its end, or an error */
		} else if (cli_watch(cli) < 0) {
			return false;
		}
	}
	return true;
}

/* Reads the next line of 'in' into 'buf' (CLI_LINE_MAX + 1 bytes) without
 * its newline.  '*total' counts the bytes read; past 'max_total' (0: no
 * limit) the input is refused, as is a NUL byte: a command file is text.
 * While it waits for input it watches the Net when cli_watches().
 * Returns 1 with a line, 0 at the end of the input, when the stop flag
 * is set or the watch stopped the run, or a negative errno with 'err'
 * set. */
static int cli_read_line(struct cli *cli, FILE *in, char *buf, size_t *total,
			 size_t max_total, unsigned long lineno,
			 struct emu_err *err)
{
	size_t len = 0;
	int c;

	for (;;) {
		if (cli_watches(cli) && !cli_wait_input(cli, in))
			return 0;
		errno = 0;
		c = getc(in);
		if (c == EOF && ferror(in)) {
			int e = errno ? errno : EIO;

			if (e == EINTR && !cli_stopping(cli)) {
				/* Ctrl-C: only a command is interrupted */
				clearerr(in);
				cli_sigint = 0;
				continue;
			}
			if (e == EINTR)
				return 0;
			return emu_err_set(err, -e, "cannot read line %lu: %s",
					   lineno, strerror(e));
		}
		if (c == EOF) {
			if (!len)
				return 0;
			break;
		}
		if (max_total && ++*total > max_total)
			return emu_err_set(err, -EFBIG,
					   "larger than %d bytes: not a command "
					   "file",
					   CLI_FILE_MAX);
		if (c == '\n')
			break;
		if (!c)
			return emu_err_set(err, -EINVAL,
					   "line %lu holds a NUL byte: not a "
					   "command file",
					   lineno);
		if (len == CLI_LINE_MAX)
			return emu_err_set(err, -E2BIG,
					   "line %lu is longer than %d bytes",
					   lineno, CLI_LINE_MAX);
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	return 1;
}

/* Reads lines from 'in' and runs them until its end, exit or the stop
 * flag; Ctrl-C only interrupts the command it meets.  A file is read up
 * to 'max_total' bytes (0: no limit).  Returns 0 or a negative errno with
 * 'err' set when the input cannot be read or is no command text. */
static int cli_read_lines(struct cli *cli, FILE *in, size_t max_total,
			  struct emu_err *err)
{
	char *line = xmalloc(CLI_LINE_MAX + 1);
	unsigned long lineno = 0;
	size_t total = 0;
	int ret = 0;

	while (!cli->done && !cli_stopping(cli)) {
		ret = cli_read_line(cli, in, line, &total, max_total,
				    ++lineno, err);
		if (ret <= 0)
			break;
		ret = 0;
		cli_execute(cli, line);
		cli_sigint = 0;
	}
	free(line);
	return ret < 0 ? ret : 0;
}

int cli_run_file(struct cli *cli, const char *path, struct emu_err *err)
{
	bool done = cli->done;
	FILE *f;
	int ret;

	if (cli->depth >= CLI_SOURCE_DEPTH)
		return emu_err_set(err, -ELOOP,
				   "'%s': sources nest more than %d deep",
				   path, CLI_SOURCE_DEPTH);
	f = fopen(path, "re");
	if (!f)
		return emu_err_set(err, -errno, "cannot read '%s': %s", path,
				   strerror(errno));
	cli->depth++;
	ret = cli_read_lines(cli, f, CLI_FILE_MAX, err);
	cli->depth--;
	fclose(f);
	/* 'exit' in a file ends that file only, as Mininet's --pre */
	cli->done = done;
	if (ret)
		emu_err_prefix(err, "'%s': ", path);
	return ret;
}

static char *cli_history_path(void)
{
	const char *home = getenv("HOME");

	return home && *home ? xasprintf("%s/%s", home, CLI_HISTORY_FILE)
			     : NULL;
}

/* Readline's line callback: hands the line over and leaves callback
 * mode, so that commands run with the terminal in its normal modes. */
static void cli_on_line(char *line)
{
	cli_line = line;
	cli_line_ready = true;
	rl_callback_handler_remove();
}

/* Clears the line being edited after Ctrl-C and shows a fresh prompt. */
static void cli_clear_line(void)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_callback_handler_remove();
	rl_replace_line("", 0);
	fputs("^C\n", rl_outstream ? rl_outstream : stdout);
	rl_callback_handler_install(CLI_PROMPT, cli_on_line);
}

/* Adds 'line' to the history without its trailing blanks (completion
 * leaves one), unless blank or the same as the previous one '*prev'. */
static void cli_remember(const char *line, char **prev)
{
	size_t len = strlen(line);
	char *entry;

	while (len && cli_is_blank(line[len - 1]))
		len--;
	if (!line[strspn(line, " \t")])
		return;
	entry = xmalloc(len + 1);
	memcpy(entry, line, len);
	entry[len] = '\0';
	if (*prev && !strcmp(*prev, entry)) {
		free(entry);
		return;
	}
	add_history(entry);
	free(*prev);
	*prev = entry;
}

static int cli_read_interactive(struct cli *cli, FILE *in)
{
	char *history = cli_history_path(), *prev = NULL;
	int fd = fileno(in), ret = 0;

	rl_instream = in;
	rl_readline_name = "cnemu";
	rl_catch_signals = 0;	/* SIGINT is ours: see cli_clear_line() */
	rl_attempted_completion_function = cli_rl_complete;
	rl_completer_word_break_characters = " \t\n";
	using_history();
	stifle_history(CLI_HISTORY_MAX);
	if (history)
		read_history(history);
	cli_active = cli;
	while (!cli->done && !cli_stopping(cli)) {
		fd_set fds;

		cli_line = NULL;
		cli_line_ready = false;
		cli_sigint = 0;
		rl_callback_handler_install(CLI_PROMPT, cli_on_line);
		while (!cli_line_ready) {
			struct timeval tv = { .tv_usec = CLI_WATCH_MS * 1000 };
			int n;

			FD_ZERO(&fds);
			FD_SET(fd, &fds);
			n = select(fd + 1, &fds, NULL, NULL,
				   cli_watches(cli) ? &tv : NULL);
			if (!n) {	/* a while without input */
				n = cli_watch(cli);
				if (n < 0)
					break;
				if (n)	/* its warning broke the line */
					rl_forced_update_display();
				continue;
			}
			if (n < 0) {
				if (errno != EINTR) {
					ret = -errno;
					break;
				}
				if (cli_stopping(cli))
					break;
				if (cli_sigint) {
					cli_sigint = 0;
					cli_clear_line();
				}
				continue;
			}
			rl_callback_read_char();
		}
		if (!cli_line_ready) {	/* stopped or broken */
			rl_callback_handler_remove();
			fputc('\n', stdout);
			break;
		}
		if (!cli_line) {	/* Ctrl-D */
			fputc('\n', stdout);
			cli->done = true;
			break;
		}
		cli_remember(cli_line, &prev);
		cli_execute(cli, cli_line);
		free(cli_line);
		cli_line = NULL;
	}
	cli_active = NULL;
	if (history && write_history(history))
		log_warn("cannot write history to '%s'", history);
	free(history);
	free(prev);
	return ret;
}

int cli_run(struct cli *cli, FILE *in, bool interactive)
{
	struct emu_err err = { 0 };
	int ret;

	cli->done = false;
	if (interactive)
		return cli_read_interactive(cli, in);
	ret = cli_read_lines(cli, in, 0, &err);
	if (ret) {
		fprintf(cli->errout, "error: input: %s\n", err.msg);
		fflush(cli->errout);
	}
	return ret;
}
