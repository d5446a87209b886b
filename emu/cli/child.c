/* Children of the CLI: node command lines, shell lines, an interactive
 * shell in a node, and the terminal they share with the prompt. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/err.h"
#include "base/proc.h"
#include "emu/net.h"
#include "node/docker.h"

/* True when the terminal on stdin delivers Ctrl-C to our process group
 * (and so to a child in it). */
static bool cli_tty_foreground(void)
{
	return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* True when the CLI's user is at the process's terminal: never for an
 * attached CLI, whose user is at another one (emu/cli/attached.c). */
static bool cli_has_tty(const struct cli *cli)
{
	return !cli->attached && isatty(STDIN_FILENO);
}

/* The stdin a foreground child gets: the terminal, never the stream the
 * commands come from. */
static int cli_child_stdin(const struct cli *cli)
{
	return cli_has_tty(cli) ? STDIN_FILENO : -1;
}

/* Takes the terminal back after a child that made its own process group
 * (an interactive shell) and restores its modes. */
static void cli_reclaim_tty(const struct termios *saved)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (!saved)
		return;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGTTOU, &ign, &old);
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		tcsetpgrp(STDIN_FILENO, getpgrp());
	tcsetattr(STDIN_FILENO, TCSADRAIN, saved);
	sigaction(SIGTTOU, &old, NULL);
}

/* Waits for the foreground child 'pid'.  Ctrl-C from the terminal reaches
 * it directly; without a terminal SIGINT is passed on; the stop flag
 * ends it: SIGTERM, then SIGKILL after PROC_GRACE_MS, so that a command
 * ignoring SIGTERM never holds the stop up.  Returns its exit status
 * (128 + signal when killed). */
static int cli_wait(struct cli *cli, pid_t pid)
{
	int status;

	for (;;) {
		if (cli_stopping(cli)) {
			status = proc_end_child(pid, false, SIGTERM,
						PROC_GRACE_MS);
			break;
		}
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR)
			return 0;
		if (cli_sigint && !cli_tty_foreground())
			kill(pid, SIGINT);
		cli_sigint = 0;
	}
	cli_sigint = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
		fputc('\n', cli->out);
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

/* Runs 'argv' in the root namespace in the foreground. */
int cli_run_root(struct cli *cli, char *const argv[],
		 struct emu_err *err)
{
	int out = fileno(cli->out), errout = fileno(cli->errout);
	int in = cli_child_stdin(cli);
	pid_t pid;

	fflush(cli->out);
	fflush(cli->errout);
	pid = fork();
	if (pid < 0)
		return emu_err_set(err, -errno, "cannot fork: %s",
				   strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(errout >= 0 ? errout : null, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "error: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return cli_wait(cli, pid);
}

/* The IP of the node named 'word' for node command lines. */
static const char *cli_lookup_ip(void *aux, const char *word, char *buf,
				 size_t size)
{
	struct node *node = net_get(aux, word);

	return node ? node_ip(node, buf, size) : NULL;
}

/* True when 'line' is only a shell's name: an interactive shell. */
static bool cli_is_shell(const char *line)
{
	return !strcmp(line, "sh") || !strcmp(line, "bash");
}

/* Runs the text 'text' in 'node': a shell line, in the background with a
 * trailing '&', or an interactive shell with the terminal passed through
 * ('h1 bash').  'noecho' turns the terminal's echo off meanwhile. */
int cli_node_command(struct cli *cli, struct node *node,
		     const char *text, bool noecho,
		     struct emu_err *err)
{
	struct node_exec_opts opts = { 0 };
	struct termios saved, quiet;
	bool tty = cli_has_tty(cli), bg;
	char *argv[4], *line;
	int ret;
	pid_t pid;

	if (!cli->net || !net_is_started(cli->net))
		return emu_err_set(err, -ENETDOWN,
				   "'%s': the network is not started",
				   node_name(node));
	if (!node_is_running(node))
		return emu_err_set(err, -ENETDOWN, "'%s' is not running",
				   node_name(node));
	line = cli_substitute(text, cli_lookup_ip, cli->net);
	bg = cli_strip_background(line);
	if (!line[0]) {
		free(line);
		return emu_err_set(err, -EINVAL,
				   "'%s' needs a command (usage: %s CMD...)",
				   node_name(node), node_name(node));
	}
	if (!bg && cli->attached && cli_is_shell(line)) {
		free(line);
		return emu_err_set(err, -ENOTTY,
				   "'%s %s': an attached CLI has no terminal "
				   "for an interactive shell: run commands one "
				   "at a time ('%s CMD'), or use the lab's own "
				   "CLI",
				   node_name(node), text, node_name(node));
	}
	if (!bg && tty && cli_is_shell(line)) {
		argv[0] = line;
		argv[1] = NULL;
		opts.keep_signals = true;	/* the shell's own Ctrl-C */
	} else {
		/* bash as Mininet where the node sees our file system; a
		 * container's own /bin/sh otherwise (also one on another
		 * machine of a cluster run, where it has no pid here) */
		argv[0] = !node_is_docker(node) && !access("/bin/bash", X_OK)
				  ? "bash"
				  : "sh";
		argv[1] = "-c";
		argv[2] = line;
		argv[3] = NULL;
	}
	fflush(cli->out);
	fflush(cli->errout);
	if (bg) {
		/* XXX: output of background commands is dropped, as Mininet
		 * shows it only at the node's next command */
		opts.background = true;
		pid = node_spawn(node, argv, &opts, err);
		free(line);
		return pid < 0 ? pid : 0;
	}
	opts.stdin_from = NODE_FD(cli_child_stdin(cli));
	opts.stdout_to = NODE_FD(fileno(cli->out));
	opts.stderr_to = NODE_FD(fileno(cli->errout));
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		if (noecho) {
			quiet = saved;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSADRAIN, &quiet);
		}
	} else {
		tty = false;
	}
	pid = node_spawn(node, argv, &opts, err);
	ret = pid < 0 ? pid : cli_wait(cli, pid);
	cli_reclaim_tty(tty ? &saved : NULL);
	free(line);
	return ret;
}
