/* libFuzzer target: cnemu's command line (emu_opts_parse()), with the
 * --link list it hands to shaping_parse_list() and the --log spec that
 * main gives log_configure().
 *
 * The input is argv after "cnemu": split on NUL bytes when it has any,
 * else on spaces (so that seeds are readable text).  Each input is parsed
 * twice: getopt's state is global, and a second parse of the same words
 * must give the same result. */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <stdbool.h>

#include "base/log.h"
#include "emu/opts.h"

#define FUZZ_MAX_ARGS 64

/* Splits the copy 'buf' ('size' bytes) in place into 'argv' after
 * "cnemu"; returns argc. */
static int fuzz_argv(char *buf, size_t size, char **argv)
{
	char sep = memchr(buf, '\0', size) ? '\0' : ' ';
	int argc = 0;
	size_t start = 0;

	argv[argc++] = "cnemu";
	for (size_t i = 0; i <= size && argc < FUZZ_MAX_ARGS; i++) {
		if (i < size && buf[i] != sep)
			continue;
		buf[i] = '\0';
		if (sep == '\0' || i > start)	/* spaces: no empty words */
			argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static void fuzz_check_opts(const struct emu_opts *o, int argc, char **argv)
{
	fuzz_check(o->topo && o->switch_kind && o->link_engine, "defaults");
	fuzz_check(!strcmp(o->link_engine, "auto") ||
			   !strcmp(o->link_engine, "netem") ||
			   !strcmp(o->link_engine, "pump"),
		   "engine '%s'", o->link_engine);
	fuzz_check(o->test >= EMU_TEST_CLI && o->test <= EMU_TEST_PINGPAIR,
		   "test %d", (int)o->test);
	if (o->has_link)
		fuzz_check_shaping(&o->link);
	else
		fuzz_check(!shaping_is_set(&o->link), "shaping without --link");
	if (o->script) {
		fuzz_check(o->n_script_args >= 0 &&
				   o->script_args + o->n_script_args ==
					   argv + argc &&
				   !o->script_args[o->n_script_args],
			   "%d script arguments", o->n_script_args);
	} else {
		fuzz_check(!o->script_args && !o->n_script_args,
			   "arguments without a script");
	}
}

static bool fuzz_same_opts(const struct emu_opts *a, const struct emu_opts *b)
{
	return !strcmp(a->topo, b->topo) &&
	       !strcmp(a->switch_kind, b->switch_kind) &&
	       !a->switch_args == !b->switch_args &&
	       (!a->switch_args || !strcmp(a->switch_args, b->switch_args)) &&
	       a->controller == b->controller && a->has_link == b->has_link &&
	       !memcmp(&a->link, &b->link, sizeof(a->link)) &&
	       a->test == b->test && a->ipbase == b->ipbase &&
	       a->mac == b->mac && a->arp == b->arp && a->log == b->log &&
	       a->clean == b->clean && a->help == b->help &&
	       a->version == b->version && a->pre == b->pre &&
	       a->post == b->post && a->graph == b->graph &&
	       a->script == b->script &&
	       a->n_script_args == b->n_script_args;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_string(data, size), *argv[FUZZ_MAX_ARGS + 1];
	struct emu_opts o1, o2;
	struct emu_err e1 = { 0 }, e2 = { 0 };
	int argc = fuzz_argv(buf, size, argv), r1, r2;

	r1 = emu_opts_parse(&o1, argc, argv, &e1);
	r2 = emu_opts_parse(&o2, argc, argv, &e2);
	fuzz_check(r1 == r2 && !strcmp(e1.msg, e2.msg),
		   "parsed twice: %d '%s', then %d '%s'", r1, e1.msg, r2,
		   e2.msg);
	if (r1) {
		fuzz_check_err(&e1, r1);
		/* The error names an option, never the program or a
		 * script argument. */
		if (!strncmp(e1.msg, "unknown option '", 16) ||
		    !strncmp(e1.msg, "option '", 8))
			fuzz_check(strchr(e1.msg, '\'')[1] == '-',
				   "'%s'", e1.msg);
	} else {
		fuzz_check(fuzz_same_opts(&o1, &o2), "parsed twice: differs");
		fuzz_check_opts(&o1, argc, argv);
		if (o1.log) {
			int ret = log_configure(o1.log);

			fuzz_check(ret == 0 || ret == -EINVAL || ret == -ENOENT,
				   "log_configure: %d", ret);
			log_set_default(LOG_INFO);
		}
	}
	emu_opts_release(&o1);
	emu_opts_release(&o2);
	free(buf);
	return 0;
}
