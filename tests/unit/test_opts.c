/* The command line: Mininet's options and their errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "emu/opts.h"
#include "base/util.h"
#include "node/kinds.h"

/* argv lives in the calling test's scope: opts borrow its strings. */
static int parse_args(struct emu_opts *o, struct emu_err *err, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return emu_opts_parse(o, argc, argv, err);
}

#define PARSE(o, err, ...)                                                     \
	parse_args(o, err, (char *[]){ "cnemu", __VA_ARGS__, NULL })

static void test_defaults_are_minimal_ovs_and_the_cli(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--log", "info"), 0);
	assert_string_equal(o.topo, "minimal");
	assert_string_equal(o.switch_kind, "ovs");
	assert_int_equal(o.test, EMU_TEST_CLI);
	assert_false(o.has_link);
	emu_opts_release(&o);
}

static void test_clean_all_goes_with_clean_only(void **state)
{
	struct emu_opts o;
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "-c"), 0);
	assert_true(o.clean);
	assert_false(o.clean_all);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "-c", "--all"), 0);
	assert_true(o.clean && o.clean_all);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, &err, "--all"), -EINVAL);
	assert_string_equal(err.msg, "--all goes with -c only");
	emu_opts_release(&o);
}

static void test_mininet_options_are_read(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--topo", "tree,depth=2,fanout=3",
			       "--switch", "lxbr,stp=1", "--controller",
			       "none", "--test", "pingall", "--mac",
			       "--ipbase", "192.168.0.0/16"),
			 0);
	assert_string_equal(o.topo, "tree,depth=2,fanout=3");
	assert_string_equal(o.switch_kind, "lxbr");
	assert_string_equal(o.switch_args, "stp=1");
	assert_string_equal(o.controller, "none");
	assert_int_equal(o.test, EMU_TEST_PINGALL);
	assert_true(o.mac);
	assert_string_equal(o.ipbase, "192.168.0.0/16");
	emu_opts_release(&o);
}

static void test_link_tc_options_fill_the_shaping(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--link", "tc,bw=10,delay=5ms"), 0);
	assert_true(o.has_link);
	assert_int_equal(o.link.rate_bps, 10000000);
	assert_int_equal(o.link.delay_us, 5000);
	emu_opts_release(&o);
}

static void test_script_and_its_arguments_end_the_options(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--switch", "lxbr", "topo.lua", "-x",
			       "3"),
			 0);
	assert_string_equal(o.script, "topo.lua");
	assert_int_equal(o.n_script_args, 2);
	assert_string_equal(o.script_args[0], "-x");
	emu_opts_release(&o);
}

static void test_bad_options_are_named_in_the_error(void **state)
{
	struct emu_err err = { 0 };
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "--frobnicate"), -EINVAL);
	assert_string_equal(err.msg, "unknown option '--frobnicate'");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--switch", "cisco"), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown switch 'cisco'"));
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--test", "fly"), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown test 'fly'"));
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--topo"), -EINVAL);
	assert_string_equal(err.msg, "option '--topo' needs an argument");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--link", "tc,bw=0"), -EINVAL);
	assert_non_null(strstr(err.msg, "--link: "));
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--controller", "pox"), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown controller 'pox'"));
	emu_opts_release(&o);
}

/* Found by tests/fuzz/fuzz_opts.c: "-mtoqo" was reported as "unknown
 * option 'cnemu'" (argv[0]), and the next parse went on inside the old
 * group ("-zc" made the next command line '-c' and its option a script). */
static void test_unknown_letter_in_a_group_is_named(void **state)
{
	struct emu_err err = { 0 };
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-mtoqo"), -EINVAL);
	assert_string_equal(err.msg, "unknown option '-m'");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "-cz"), -EINVAL);
	assert_string_equal(err.msg, "unknown option '-z'");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--clean=yes"), -EINVAL);
	assert_string_equal(err.msg, "unknown option '--clean=yes'");
	emu_opts_release(&o);
}

static void test_a_parse_after_an_error_in_a_group_starts_afresh(void **state)
{
	struct emu_err err = { 0 };
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-zc"), -EINVAL);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--topo", "linear"), 0);
	assert_false(o.clean);
	assert_string_equal(o.topo, "linear");
	assert_null(o.script);
	emu_opts_release(&o);
}

/* Mininet's -v/--verbosity, --custom, --wait, --test iperf/iperfudp/all;
 * --help starting with Usage:. */
static void test_mininet_verbosity_custom_wait_and_tests(void **state)
{
	static const struct {
		const char *name;
		enum emu_verbosity v;
	} levels[] = {
		{ "debug", EMU_V_DEBUG },	{ "info", EMU_V_INFO },
		{ "output", EMU_V_OUTPUT },	{ "warning", EMU_V_WARNING },
		{ "warn", EMU_V_WARNING },	{ "error", EMU_V_ERROR },
		{ "critical", EMU_V_CRITICAL },
	};
	struct emu_err err = { 0 };
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--topo", "x"), 0);
	assert_int_equal(o.verbosity, EMU_V_INFO);
	assert_false(o.wait);
	assert_null(o.custom);
	emu_opts_release(&o);
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		assert_int_equal(PARSE(&o, NULL, "-v", (char *)levels[i].name),
				 0);
		assert_int_equal(o.verbosity, levels[i].v);
		emu_opts_release(&o);
		assert_int_equal(PARSE(&o, NULL, "--verbosity",
				       (char *)levels[i].name),
				 0);
		assert_int_equal(o.verbosity, levels[i].v);
		emu_opts_release(&o);
	}
	assert_int_equal(PARSE(&o, &err, "-v", "chatty"), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown level 'chatty' for "
					"--verbosity"));
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--custom", "my.lua", "-w", "--topo",
			       "mytopo,3"),
			 0);
	assert_string_equal(o.custom, "my.lua");
	assert_true(o.wait);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--wait", "--test", "iperf"), 0);
	assert_true(o.wait);
	assert_int_equal(o.test, EMU_TEST_IPERF);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--test", "iperfudp"), 0);
	assert_int_equal(o.test, EMU_TEST_IPERFUDP);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--test", "all"), 0);
	assert_int_equal(o.test, EMU_TEST_ALL);
	emu_opts_release(&o);
	assert_int_equal(strncmp(emu_opts_usage(), "Usage: cnemu", 12), 0);
}

/* The usage lists the switch and controller kinds of node/'s table, each
 * on its option's line, the default marked. */
static void test_usage_lists_the_table_of_kinds(void **state)
{
	const char *usage = emu_opts_usage();
	const char *sw = strstr(usage, "--switch S"),
		   *ctl = strstr(usage, "--controller C");
	size_t n;
	const struct node_kind *k = node_kinds(&n);

	(void)state;
	assert_non_null(sw);
	assert_non_null(ctl);
	for (size_t i = 0; i < n; i++) {
		const char *line = k[i].role == NODE_SWITCH ? sw
				   : k[i].role == NODE_CONTROLLER ? ctl : NULL;
		char word[48];

		if (!line)
			continue;
		snprintf(word, sizeof(word), "%s%s", k[i].name,
			 k[i].caps & NODE_KIND_DEFAULT ? " (default)" : "");
		assert_non_null(strstr(line, word));
		assert_true(strstr(line, word) < strchr(line, ';'));
	}
}

/* Mininet's --nat, alone, with its options as the next word, or with '='. */
static void test_nat_takes_mininet_options(void **state)
{
	struct emu_opts o;
	struct emu_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--nat", "--topo", "single,2"), 0);
	assert_true(o.nat);
	assert_null(o.nat_name);
	assert_string_equal(o.topo, "single,2");
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--nat", "name=nat1,ip=10.0.0.254",
			       "--test", "pingall"),
			 0);
	assert_string_equal(o.nat_name, "nat1");
	assert_string_equal(o.nat_ip, "10.0.0.254");
	assert_null(o.nat_subnet);
	assert_int_equal(o.test, EMU_TEST_PINGALL);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--nat=subnet=10.0.0.0/24"), 0);
	assert_string_equal(o.nat_subnet, "10.0.0.0/24");
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--nat", "lab.lua"), 0);
	assert_true(o.nat);
	assert_string_equal(o.script, "lab.lua");
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, &err, "--nat=mask=1"), -EINVAL);
	assert_string_equal(err.msg, "unknown option 'mask' for --nat "
				     "(known: name=, ip=, subnet=)");
	emu_opts_release(&o);
}

static void test_list_stop_and_name_are_read(void **state)
{
	struct emu_err err;
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "list"), 0);
	assert_int_equal(o.command, EMU_CMD_LIST);
	assert_false(o.json);
	assert_null(o.script);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "list", "--json"), 0);
	assert_true(o.json);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "stop", "class-7"), 0);
	assert_int_equal(o.command, EMU_CMD_STOP);
	assert_string_equal(o.lab, "class-7");
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "attach", "class-7"), 0);
	assert_int_equal(o.command, EMU_CMD_ATTACH);
	assert_string_equal(o.lab, "class-7");
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--name", "s-01.b", "lab.lua", "x"),
			 0);
	assert_int_equal(o.command, EMU_CMD_RUN);
	assert_string_equal(o.name, "s-01.b");
	assert_string_equal(o.script, "lab.lua");
	emu_opts_release(&o);

	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "stop"), -EINVAL);
	assert_string_equal(err.msg, "stop takes one lab name (cnemu stop LAB; "
				     "cnemu list shows them)");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "list", "--yaml"), -EINVAL);
	assert_string_equal(err.msg,
			    "unknown option '--yaml' for list (known: --json)");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--name", "-bad/x"), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid lab name '-bad/x' for "
					"--name"));
	emu_opts_release(&o);
}

static void test_cluster_and_plan_are_read_and_checked(void **state)
{
	struct emu_err err;
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "lab.lua"), 0);
	assert_null(o.cluster);
	assert_false(o.plan);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--cluster", "swarm", "--plan",
			       "lab.lua"),
			 0);
	assert_string_equal(o.cluster, "swarm");
	assert_true(o.plan);
	assert_string_equal(o.script, "lab.lua");
	emu_opts_release(&o);

	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--cluster", "k8s", "lab.lua"),
			 -EINVAL);
	assert_string_equal(err.msg, "unknown cluster 'k8s' for --cluster "
				     "(known: swarm)");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--plan", "lab.lua"), -EINVAL);
	assert_string_equal(err.msg, "--plan goes with --cluster only (cnemu "
				     "--cluster swarm --plan script.lua)");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--cluster", "swarm", "--plan",
			       "--graph", "a.svg"),
			 -EINVAL);
	assert_string_equal(err.msg, "--plan and --graph: one at a time");
	emu_opts_release(&o);
	emu_err_clear(&err);
	assert_int_equal(PARSE(&o, &err, "--cluster"), -EINVAL);
	assert_string_equal(err.msg, "option '--cluster' needs an argument");
	emu_opts_release(&o);
}

/* Parses 'argv' expecting -EINVAL with exactly 'msg'. */
static void expect_refused(char **argv, const char *msg)
{
	struct emu_err err = { 0 };
	struct emu_opts o;

	assert_int_equal(parse_args(&o, &err, argv), -EINVAL);
	assert_string_equal(err.msg, msg);
	emu_opts_release(&o);
}
#define REFUSED(msg, ...) expect_refused((char *[]){ "cnemu", __VA_ARGS__, \
						     NULL }, msg)

/* --cluster-loss: keep (the default) or stop, with --cluster or a script
 * (whose Net may name its cluster). */
static void test_cluster_loss_is_read_and_checked(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--cluster", "swarm"), 0);
	assert_int_equal(o.cluster_loss, NET_LOSS_KEEP);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--cluster", "swarm",
			       "--cluster-loss", "stop"),
			 0);
	assert_int_equal(o.cluster_loss, NET_LOSS_STOP);
	emu_opts_release(&o);
	assert_int_equal(PARSE(&o, NULL, "--cluster-loss", "keep", "lab.lua"),
			 0);
	assert_int_equal(o.cluster_loss, NET_LOSS_KEEP);
	emu_opts_release(&o);
	REFUSED("unknown choice 'halt' for --cluster-loss (known: keep, "
		"stop)",
		"--cluster", "swarm", "--cluster-loss", "halt");
	REFUSED("--cluster-loss goes with --cluster or a script's "
		"cnemu.Net{cluster = ...}",
		"--cluster-loss", "stop", "--topo", "linear,2");
}

static void test_agent_and_agent_exec_are_read_and_checked(void **state)
{
	struct emu_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, NULL, "--agent", "--listen",
			       "192.168.250.1", "--key-file", "/run/k"),
			 0);
	assert_int_equal(o.command, EMU_CMD_AGENT);
	assert_string_equal(o.listen, "192.168.250.1");
	assert_string_equal(o.key_file, "/run/k");
	emu_opts_release(&o);
	/* The command's own options are not cnemu's. */
	assert_int_equal(PARSE(&o, NULL, "--agent-exec", "10.0.0.1:6690",
			       "--key-file", "k", "h1", "--", "ping", "-c1",
			       "h2"),
			 0);
	assert_int_equal(o.command, EMU_CMD_AGENT_EXEC);
	assert_string_equal(o.agent_addr, "10.0.0.1:6690");
	assert_string_equal(o.exec_node, "h1");
	assert_string_equal(o.exec_argv[0], "ping");
	assert_string_equal(o.exec_argv[1], "-c1");
	assert_string_equal(o.exec_argv[2], "h2");
	assert_null(o.exec_argv[3]);
	assert_null(o.script);
	emu_opts_release(&o);

	REFUSED("--agent needs --key-file FILE", "--agent", "--listen", "a");
	REFUSED("--agent needs --listen ADDR[:PORT]", "--agent",
		"--key-file", "k");
	REFUSED("--agent takes no script ('x.lua')", "--agent", "--listen",
		"a", "--key-file", "k", "x.lua");
	REFUSED("--agent-exec needs NODE -- CMD...", "--agent-exec", "a:1",
		"--key-file", "k", "h1");
	REFUSED("--listen goes with --agent, not --agent-exec", "--agent-exec",
		"a:1", "--listen", "b", "--key-file", "k", "h1", "--", "true");
	REFUSED("--key-file goes with --agent or --agent-exec only",
		"--key-file", "k", "x.lua");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_stop_and_name_are_read),
		cmocka_unit_test(test_cluster_and_plan_are_read_and_checked),
		cmocka_unit_test(test_cluster_loss_is_read_and_checked),
		cmocka_unit_test(
			test_agent_and_agent_exec_are_read_and_checked),
		cmocka_unit_test(test_defaults_are_minimal_ovs_and_the_cli),
		cmocka_unit_test(test_mininet_verbosity_custom_wait_and_tests),
		cmocka_unit_test(test_mininet_options_are_read),
		cmocka_unit_test(test_nat_takes_mininet_options),
		cmocka_unit_test(test_usage_lists_the_table_of_kinds),
		cmocka_unit_test(test_link_tc_options_fill_the_shaping),
		cmocka_unit_test(
			test_script_and_its_arguments_end_the_options),
		cmocka_unit_test(test_bad_options_are_named_in_the_error),
		cmocka_unit_test(test_clean_all_goes_with_clean_only),
		cmocka_unit_test(test_unknown_letter_in_a_group_is_named),
		cmocka_unit_test(
			test_a_parse_after_an_error_in_a_group_starts_afresh),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
