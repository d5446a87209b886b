/* The CLI without a network: its table, the line parser, name
 * substitution, trailing '&', and the dispatcher's errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu/cli/cli.h"
#include "base/err.h"
#include "base/util.h"
#include "emu/net.h"
#include "node/node.h"

/* A CLI over no network, its output and errors in memory. */
struct fixture {
	struct cli *cli;
	FILE *out, *errout;
	char *out_buf, *err_buf;
	size_t out_len, err_len;
	int lua_calls;
	char lua_code[256];
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->cli = cli_create(NULL, NULL);
	f->out = open_memstream(&f->out_buf, &f->out_len);
	f->errout = open_memstream(&f->err_buf, &f->err_len);
	cli_set_output(f->cli, f->out, f->errout);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cli_destroy(f->cli);
	fclose(f->out);
	fclose(f->errout);
	free(f->out_buf);
	free(f->err_buf);
	free(f);
	return 0;
}

/* What the CLI printed on its output and error streams so far. */
static const char *out_text(struct fixture *f)
{
	fflush(f->out);
	return f->out_buf ? f->out_buf : "";
}

static const char *err_text(struct fixture *f)
{
	fflush(f->errout);
	return f->err_buf ? f->err_buf : "";
}

static void test_every_row_has_help_usage_and_sane_arity(void **state)
{
	size_t n;
	const struct cli_cmd *cmds = cli_commands(&n);

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const struct cli_cmd *c = &cmds[i];

		assert_non_null(c->name);
		assert_true(c->name[0] != '\0');
		assert_non_null(c->help);
		assert_true(strlen(c->help) > 5);
		assert_non_null(c->usage);
		assert_non_null(c->handler);
		assert_true(c->min_args >= 0);
		assert_true(c->max_args == -1 || c->min_args <= c->max_args);
		/* a usage names the arguments a row takes */
		assert_true(c->max_args == 0 || c->usage[0] != '\0');
		assert_ptr_equal(cli_find_command(c->name), c);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(cmds[j].name, c->name);
	}
}

static void test_table_has_mininets_commands(void **state)
{
	static const char *const names[] = {
		"help",	    "nodes",   "net",	   "links", "dump",   "intfs",
		"ports",    "pingall", "pingallfull",	    "pingpair",
		"iperf",    "iperfudp", "link",	    "noecho", "sh",   "time",
		"source",   "dpctl",   "switch",   "exit",  "quit",   "EOF",
		"set",	    "graph",   "lua",	   "py",    "x",      "xterm",
		"pingpairfull",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_non_null(cli_find_command(names[i]));
	/* names match exactly */
	assert_null(cli_find_command("ping"));
	assert_null(cli_find_command("PINGALL"));
}

static void test_split_honours_quotes_and_escapes(void **state)
{
	char **w;

	(void)state;
	assert_int_equal(cli_split("  set link  h1 s1\tbw=10 ", &w, NULL), 5);
	assert_string_equal(w[0], "set");
	assert_string_equal(w[2], "h1");
	assert_string_equal(w[4], "bw=10");
	assert_null(w[5]);
	cli_free_words(w);

	assert_int_equal(cli_split("dpctl add-flow 'in_port=1 actions=2' "
				   "\"a \\\"b\\\"\" c\\ d",
				   &w, NULL),
			 5);
	assert_string_equal(w[2], "in_port=1 actions=2");
	assert_string_equal(w[3], "a \"b\"");
	assert_string_equal(w[4], "c d");
	cli_free_words(w);

	assert_int_equal(cli_split("x '' y", &w, NULL), 3);
	assert_string_equal(w[1], "");
	cli_free_words(w);

	assert_int_equal(cli_split("   ", &w, NULL), 0);
	assert_null(w[0]);
	cli_free_words(w);
}

static void test_split_rejects_an_unclosed_quote(void **state)
{
	struct emu_err err = { 0 };
	char **w = (char **)1;

	(void)state;
	assert_int_equal(cli_split("sh echo 'oops", &w, &err), -EINVAL);
	assert_null(w);
	assert_string_equal(err.msg, "unclosed quote '");
}

/* A fake network: h1 and h2 have IPs, s1 has none. */
static const char *fake_lookup(void *aux, const char *word, char *buf,
			       size_t size)
{
	(void)aux;
	if (!strcmp(word, "h1"))
		snprintf(buf, size, "10.0.0.1");
	else if (!strcmp(word, "h2"))
		snprintf(buf, size, "10.0.0.2");
	else
		return NULL;
	return buf;
}

static void test_node_names_become_ips_as_whole_words(void **state)
{
	char *s;

	(void)state;
	s = cli_substitute("ping -c1 h2", fake_lookup, NULL);
	assert_string_equal(s, "ping -c1 10.0.0.2");
	free(s);
	/* spacing and quotes kept; parts of words and switches untouched */
	s = cli_substitute("echo  'h1x'\th1 h2:80 s1 h22 h1", fake_lookup,
			   NULL);
	assert_string_equal(s, "echo  'h1x'\t10.0.0.1 h2:80 s1 h22 10.0.0.1");
	free(s);
	s = cli_substitute("", fake_lookup, NULL);
	assert_string_equal(s, "");
	free(s);
	s = cli_substitute("a h2 ", NULL, NULL);
	assert_string_equal(s, "a h2 ");
	free(s);
}

static void test_trailing_ampersand_means_background(void **state)
{
	static const struct {
		const char *line, *rest;
		bool bg;
	} cases[] = {
		{ "iperf3 -s &", "iperf3 -s", true },
		{ "sleep 10&  ", "sleep 10", true },
		{ "ping h2", "ping h2", false },
		{ "a && b", "a && b", false },
		{ "cmd >/tmp/x 2>&1", "cmd >/tmp/x 2>&1", false },
		{ "cmd >/tmp/x 2>&1 &", "cmd >/tmp/x 2>&1", true },
		{ "echo \\&", "echo \\&", false },
		{ "&", "", true },
		{ "", "", false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *line = xstrdup(cases[i].line);

		assert_int_equal(cli_strip_background(line), cases[i].bg);
		assert_string_equal(line, cases[i].rest);
		free(line);
	}
}

static void test_wrong_argument_count_prints_the_usage(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "pingall 1 2"), -EINVAL);
	assert_string_equal(err_text(f),
			    "error: 'pingall' takes at most 1 argument "
			    "(usage: pingall [TIMEOUT])\n");
	assert_string_equal(out_text(f), "");
	assert_false(cli_is_done(f->cli));
}

static void test_too_few_arguments_prints_the_usage(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "link s1 h1"), -EINVAL);
	assert_string_equal(err_text(f),
			    "error: 'link' takes 3 arguments (usage: link "
			    "NODE1 NODE2 up|down)\n");
}

static void test_no_arguments_taken_is_said_so(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "nodes extra"), -EINVAL);
	assert_string_equal(err_text(f), "error: 'nodes' takes no arguments "
					 "(usage: nodes)\n");
}

static void test_unknown_command_is_one_line_and_the_cli_goes_on(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "frobnicate now"), -ENOENT);
	assert_string_equal(err_text(f), "error: unknown command or node "
					 "'frobnicate' (try help)\n");
	assert_false(cli_is_done(f->cli));
	assert_int_equal(cli_execute(f->cli, "help nodes"), 0);
	assert_string_equal(out_text(f), "usage: nodes\n  list the nodes\n");
}

static void test_commands_needing_a_network_say_so(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "nodes"), -ENETDOWN);
	assert_int_equal(cli_execute(f->cli, "pingall"), -ENETDOWN);
	assert_string_equal(err_text(f),
			    "error: 'nodes' needs a network\n"
			    "error: 'pingall' needs a network\n");
}

static void test_arity_is_checked_before_preconditions(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "iperfudp"), -EINVAL);
	assert_non_null(strstr(err_text(f), "(usage: iperfudp BW [CLIENT "
					    "SERVER])"));
}

static void test_help_lists_every_row(void **state)
{
	struct fixture *f = *state;
	size_t n;
	const struct cli_cmd *cmds = cli_commands(&n);

	assert_int_equal(cli_execute(f->cli, "help"), 0);
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "  %s ", cmds[i].name);
		assert_non_null(strstr(out_text(f), want));
	}
	assert_non_null(strstr(out_text(f), "NODE CMD..."));
	assert_int_equal(cli_execute(f->cli, "help nosuch"), -ENOENT);
	assert_string_equal(err_text(f), "error: no command 'nosuch'\n");
}

static void test_blank_and_comment_lines_do_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, ""), 0);
	assert_int_equal(cli_execute(f->cli, "   \t\n"), 0);
	assert_int_equal(cli_execute(f->cli, "# pingall"), 0);
	assert_string_equal(out_text(f), "");
	assert_string_equal(err_text(f), "");
}

static void test_exit_quit_and_eof_end_the_cli(void **state)
{
	static const char *const lines[] = { "exit", "quit", "EOF",
					     "  exit  \n" };
	struct fixture *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		struct cli *cli = cli_create(NULL, NULL);

		cli_set_output(cli, f->out, f->errout);
		assert_false(cli_is_done(cli));
		assert_int_equal(cli_execute(cli, lines[i]), 0);
		assert_true(cli_is_done(cli));
		cli_destroy(cli);
	}
}

static int fake_lua(void *aux, const char *code, struct emu_err *err)
{
	struct fixture *f = aux;

	f->lua_calls++;
	snprintf(f->lua_code, sizeof(f->lua_code), "%s", code);
	if (!strcmp(code, "error()"))
		return emu_err_set(err, -EINVAL, "[string]:1: boom");
	return 0;
}

static void test_lua_without_its_hook_is_not_available(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "lua print(1)"), -ENOSYS);
	assert_string_equal(err_text(f), "error: Lua is not available\n");
}

static void test_lua_gets_the_raw_code(void **state)
{
	struct fixture *f = *state;

	cli_set_lua_hook(f->cli, fake_lua, f);
	assert_int_equal(cli_execute(f->cli, "lua  print(\"a  'b\")  "), 0);
	assert_int_equal(f->lua_calls, 1);
	assert_string_equal(f->lua_code, "print(\"a  'b\")");
	assert_int_equal(cli_execute(f->cli, "lua error()"), -EINVAL);
	assert_non_null(strstr(err_text(f), "error: [string]:1: boom"));
}

static void test_time_runs_a_command_and_prints_elapsed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "time help nodes"), 0);
	assert_non_null(strstr(out_text(f), "usage: nodes\n"));
	assert_non_null(strstr(out_text(f), "*** Elapsed time: "));
	assert_non_null(strstr(out_text(f), " secs\n"));
	/* the inner error is printed once */
	assert_int_equal(cli_execute(f->cli, "time nosuch"), -ENOENT);
	assert_string_equal(err_text(f), "error: unknown command or node "
					 "'nosuch' (try help)\n");
}

static void test_a_file_runs_until_exit_and_only_ends_itself(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_cli_XXXXXX";
	int fd = mkstemp(path);
	FILE *file = fdopen(fd, "w");

	cli_set_lua_hook(f->cli, fake_lua, f);
	fputs("# a comment\n\nlua one\n  lua two\nexit\nlua three\n", file);
	fclose(file);
	assert_int_equal(cli_run_file(f->cli, path, NULL), 0);
	assert_int_equal(f->lua_calls, 2);
	assert_string_equal(f->lua_code, "two");
	assert_false(cli_is_done(f->cli));
	/* source does the same from the prompt */
	{
		char line[64];

		snprintf(line, sizeof(line), "source %s", path);
		assert_int_equal(cli_execute(f->cli, line), 0);
		assert_int_equal(f->lua_calls, 4);
	}
	unlink(path);
}

static void test_source_of_a_missing_file_fails(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "source /nonexistent/cmds"),
			 -ENOENT);
	assert_string_equal(err_text(f),
			    "error: cannot read '/nonexistent/cmds': No such "
			    "file or directory\n");
}

static void test_a_file_sourcing_itself_stops(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_cli_XXXXXX";
	int fd = mkstemp(path);
	FILE *file = fdopen(fd, "w");

	fprintf(file, "source %s\n", path);
	fclose(file);
	assert_int_equal(cli_run_file(f->cli, path, NULL), 0);
	assert_non_null(strstr(err_text(f), "sources nest more than"));
	unlink(path);
}

static void test_piped_input_runs_lines_until_quit(void **state)
{
	struct fixture *f = *state;
	char text[] = "lua a\nlua b\nquit\nlua c\n";
	FILE *in = fmemopen(text, strlen(text), "r");

	cli_set_lua_hook(f->cli, fake_lua, f);
	assert_int_equal(cli_run(f->cli, in, false), 0);
	assert_true(cli_is_done(f->cli));
	assert_int_equal(f->lua_calls, 2);
	fclose(in);
}

static void test_piped_input_ends_at_eof(void **state)
{
	struct fixture *f = *state;
	char text[] = "lua a\nfrobnicate\nlua b";	/* no final newline */
	FILE *in = fmemopen(text, strlen(text), "r");

	cli_set_lua_hook(f->cli, fake_lua, f);
	assert_int_equal(cli_run(f->cli, in, false), 0);
	assert_int_equal(f->lua_calls, 2);
	assert_string_equal(f->lua_code, "b");
	assert_non_null(strstr(err_text(f), "'frobnicate'"));
	fclose(in);
}

/* --pre /dev/zero grew memory until the OOM killer came, and under a
 * memory limit the ENOMEM was taken for the end of the file. */
static void test_a_file_of_zeros_is_refused_at_once(void **state)
{
	struct fixture *f = *state;
	struct emu_err err = { 0 };

	assert_int_equal(cli_run_file(f->cli, "/dev/zero", &err), -EINVAL);
	assert_string_equal(err.msg, "'/dev/zero': line 1 holds a NUL byte: "
				     "not a command file");
	assert_int_equal(cli_execute(f->cli, "source /dev/zero"), -EINVAL);
}

/* Writes 'n' copies of 'piece' into a new temporary file 'path'. */
static void write_repeated(char *path, const char *piece, size_t n)
{
	int fd = mkstemp(path);
	FILE *file = fdopen(fd, "w");

	assert_non_null(file);
	for (size_t i = 0; i < n; i++)
		fputs(piece, file);
	fclose(file);
}

static void test_overlong_lines_and_files_are_refused(void **state)
{
	struct fixture *f = *state;
	struct emu_err err = { 0 };
	char path[] = "/tmp/test_cli_XXXXXX", big[] = "/tmp/test_cli_XXXXXX";
	char text[] = "lua a\n";
	FILE *in;

	cli_set_lua_hook(f->cli, fake_lua, f);
	write_repeated(path, "x", 70000);
	assert_int_equal(cli_run_file(f->cli, path, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "line 1 is longer than 65536 bytes"));
	/* 4 MiB of comments: read up to the limit, then refused */
	write_repeated(big, "# a comment line\n", (5 << 20) / 17);
	emu_err_clear(&err);
	assert_int_equal(cli_run_file(f->cli, big, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "larger than 4194304 bytes"));
	/* piped commands: a line too long ends the input with an error */
	in = fopen(path, "r");
	assert_int_equal(cli_run(f->cli, in, false), -E2BIG);
	assert_non_null(strstr(err_text(f), "error: input: line 1 is longer"));
	fclose(in);
	/* a line just under the limit runs */
	in = fmemopen(text, strlen(text), "r");
	assert_int_equal(cli_run(f->cli, in, false), 0);
	assert_int_equal(f->lua_calls, 1);
	fclose(in);
	unlink(path);
	unlink(big);
}

/* A read error is an error, not the end of the commands. */
static void test_a_read_error_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct emu_err err = { 0 };

	assert_int_equal(cli_run_file(f->cli, "/tmp", &err), -EISDIR);
	assert_string_equal(err.msg, "'/tmp': cannot read line 1: Is a "
				     "directory");
}

/* Mininet's 'py' runs Lua here, and says so once. */
static void test_py_runs_lua_with_a_one_line_note(void **state)
{
	struct fixture *f = *state;

	cli_set_lua_hook(f->cli, fake_lua, f);
	assert_int_equal(cli_execute(f->cli, "py net.h1"), 0);
	assert_int_equal(cli_execute(f->cli, "py 1 + 1"), 0);
	assert_int_equal(f->lua_calls, 2);
	assert_string_equal(f->lua_code, "1 + 1");
	assert_string_equal(err_text(f),
			    "note: py runs Lua here, as 'lua' (net is the "
			    "network, nodes by name: h1:cmd('ifconfig'))\n");
}

static void test_set_checks_what_it_sets(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cli_execute(f->cli, "set link h1"), -EINVAL);
	assert_non_null(strstr(err_text(f), "(usage: set link NODE1 NODE2 "
					    "KEY=VALUE...)"));
}

/* The completions of the word at the end of 'line', blank-separated;
 * '*files' tells whether file names fit too. */
static char *completions(struct cli *cli, const char *line, bool *files)
{
	size_t end = strlen(line), start = end, len = 0;
	char **words, *text;

	while (start && line[start - 1] != ' ')
		start--;
	words = cli_complete_words(cli, line, start, end, files);
	for (size_t i = 0; words[i]; i++)
		len += strlen(words[i]) + 1;
	text = xcalloc(len + 1, 1);
	for (size_t i = 0; words[i]; i++) {
		strcat(text, i ? " " : "");
		strcat(text, words[i]);
	}
	cli_free_words(words);
	return text;
}

#define assert_completes(cli, line, want, want_files)                   \
	do {                                                             \
		bool files_;                                             \
		char *got_ = completions(cli, line, &files_);            \
		assert_string_equal(got_, want);                         \
		assert_int_equal(files_, want_files);                    \
		free(got_);                                              \
	} while (0)

static void test_completion_offers_each_row_of_the_table(void **state)
{
	struct fixture *f = *state;
	size_t n, k = 0;
	const struct cli_cmd *cmds = cli_commands(&n);
	bool files;
	char **words = cli_complete_words(f->cli, "", 0, 0, &files);

	for (; words[k]; k++)
		assert_string_equal(words[k], cmds[k].name);
	assert_int_equal(k, n);
	assert_false(files);
	cli_free_words(words);
	assert_completes(f->cli, "pingp", "pingpair pingpairfull", false);
	assert_completes(f->cli, "help pingp", "pingpair pingpairfull",
			 false);
}

static void test_completion_follows_each_commands_usage(void **state)
{
	struct fixture *f = *state;

	assert_completes(f->cli, "link s1 h1 ", "up down", false);
	assert_completes(f->cli, "link s1 h1 d", "down", false);
	assert_completes(f->cli, "switch s1 st", "start stop", false);
	assert_completes(f->cli, "links ", "--json", false);
	assert_completes(f->cli, "set ", "link", false);
	assert_completes(f->cli, "set link h1 s1 d", "delay= duplicate=",
			 false);
	assert_completes(f->cli, "set link h1 s1 bw=10 max",
			 "max_queue_size=", false);
	assert_completes(f->cli, "source ", "", true);
	assert_completes(f->cli, "graph t", "", true);
	assert_completes(f->cli, "pingall ", "", false);
	assert_completes(f->cli, "lua ", "", false);
	/* 'time' takes a command line: its own words complete as one */
	assert_completes(f->cli, "time pingp", "pingpair pingpairfull", false);
	assert_completes(f->cli, "time link a b ", "up down", false);
}

static void test_completion_names_the_nodes_an_argument_takes(void **state)
{
	struct emu_err err = { 0 };
	struct net *net = net_create(NULL, &err);
	struct cli *cli;

	(void)state;
	assert_int_equal(net_build(net, "linear,2", &err), 0);
	cli = cli_create(net, &err);
	assert_completes(cli, "h", "help h1 h2", false);
	assert_completes(cli, "switch ", "s1 s2", false);
	assert_completes(cli, "iperf h1 ", "h1 h2", false);
	assert_completes(cli, "iperfudp 10M ", "h1 h2", false);
	assert_completes(cli, "link h1 ", "h1 h2 s1 s2", false);
	assert_completes(cli, "xterm h1 s", "s1 s2", false);
	assert_completes(cli, "help h", "help", false);
	/* a node's shell line: node names (they become IPs) and files */
	assert_completes(cli, "h1 ping ", "h1 h2 s1 s2", true);
	assert_completes(cli, "noecho h2 cat ", "h1 h2 s1 s2", true);
	assert_completes(cli, "sh ls ", "h1 h2 s1 s2", true);
	assert_completes(cli, "nodes ", "", false);
	assert_completes(cli, "nosuch ", "", false);
	cli_destroy(cli);
	net_destroy(net);
}

/* A cluster run as its engine would report it: hosts on m2, the rest on
 * m1, nothing made on this machine. */
static int c_start(struct net *net, void **state, struct emu_err *err)
{
	(void)net, (void)err;
	*state = net;
	return 0;
}

static void c_stop(struct net *net, void *state)
{
	(void)net, (void)state;
}

static const char *c_machine(void *state, const struct node *node)
{
	(void)state;
	return node_name(node)[0] == 'h' ? "m2" : "m1";
}

static int c_check(void *state)
{
	(void)state;
	return 0;
}

/* nodes, net and dump --json say which machine runs each node. */
static void test_a_cluster_run_shows_each_nodes_machine(void **state)
{
	static const struct net_cluster_ops ops = { .start = c_start,
						    .stop = c_stop,
						    .machine = c_machine,
						    .check = c_check };
	struct net_opts o = { .cluster = "swarm", .cluster_ops = &ops,
			      .switch_kind = "lxbr", .controller = "none" };
	struct emu_err err = { 0 };
	struct net *net = net_create(&o, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct cli *cli;

	(void)state;
	assert_int_equal(net_build(net, "single,2", &err), 0);
	assert_int_equal(net_start(net, &err), 0);
	cli = cli_create(net, &err);
	cli_set_output(cli, out, out);
	assert_int_equal(cli_execute(cli, "nodes"), 0);
	assert_int_equal(cli_execute(cli, "net"), 0);
	assert_int_equal(cli_execute(cli, "dump --json"), 0);
	fflush(out);
	assert_non_null(strstr(buf, "available nodes are: \nh1 h2 s1\n"
				    "on m2: h1 h2\non m1: s1\n"));
	assert_non_null(strstr(buf, "h1 h1-eth0:s1-eth1  (on m2)\n"));
	assert_non_null(strstr(buf, "\"machine\": \"m1\""));
	cli_destroy(cli);
	fclose(out);
	free(buf);
	net_destroy(net);
}

/* A lock that counts, and fails a test when taken twice (a mutex would
 * hang). */
static int guard_depth, guard_taken;

static void guard_lock(void *aux)
{
	(void)aux;
	assert_int_equal(guard_depth++, 0);
	guard_taken++;
}

static void guard_unlock(void *aux)
{
	(void)aux;
	assert_int_equal(--guard_depth, 0);
}

/* Attached CLIs wait for the guard: a line holds it once, also while a
 * 'source'd file runs its own lines (it deadlocked). */
static void test_guard_is_held_once_per_line(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_cli-guard-XXXXXX";
	int fd = mkstemp(path);
	char *line;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "# nothing\nhelp\n", 15), 15);
	close(fd);
	cli_set_guard(f->cli, guard_lock, guard_unlock, NULL);
	line = xasprintf("source %s", path);
	guard_taken = 0;
	assert_int_equal(cli_execute(f->cli, line), 0);
	assert_int_equal(guard_taken, 1);
	assert_int_equal(guard_depth, 0);
	assert_int_equal(cli_execute(f->cli, "help"), 0);
	assert_int_equal(guard_taken, 2);
	cli_set_guard(f->cli, NULL, NULL, NULL);
	assert_int_equal(cli_execute(f->cli, "help"), 0);
	assert_int_equal(guard_taken, 2);
	free(line);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_has_help_usage_and_sane_arity),
		cmocka_unit_test(test_table_has_mininets_commands),
		cmocka_unit_test(test_split_honours_quotes_and_escapes),
		cmocka_unit_test(test_split_rejects_an_unclosed_quote),
		cmocka_unit_test(test_node_names_become_ips_as_whole_words),
		cmocka_unit_test(test_trailing_ampersand_means_background),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_wrong_argument_count_prints_the_usage),
		T(test_too_few_arguments_prints_the_usage),
		T(test_no_arguments_taken_is_said_so),
		T(test_unknown_command_is_one_line_and_the_cli_goes_on),
		T(test_commands_needing_a_network_say_so),
		T(test_arity_is_checked_before_preconditions),
		T(test_help_lists_every_row),
		T(test_blank_and_comment_lines_do_nothing),
		T(test_exit_quit_and_eof_end_the_cli),
		T(test_lua_without_its_hook_is_not_available),
		T(test_lua_gets_the_raw_code),
		T(test_time_runs_a_command_and_prints_elapsed),
		T(test_a_file_runs_until_exit_and_only_ends_itself),
		T(test_source_of_a_missing_file_fails),
		T(test_a_file_sourcing_itself_stops),
		T(test_piped_input_runs_lines_until_quit),
		T(test_piped_input_ends_at_eof),
		T(test_a_file_of_zeros_is_refused_at_once),
		T(test_overlong_lines_and_files_are_refused),
		T(test_a_read_error_is_an_error),
		T(test_py_runs_lua_with_a_one_line_note),
		T(test_set_checks_what_it_sets),
		T(test_guard_is_held_once_per_line),
		T(test_completion_offers_each_row_of_the_table),
		T(test_completion_follows_each_commands_usage),
#undef T
		cmocka_unit_test(
			test_completion_names_the_nodes_an_argument_takes),
		cmocka_unit_test(test_a_cluster_run_shows_each_nodes_machine),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
