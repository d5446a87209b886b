/* cnemu: the command line.  Parses options, then either removes what dead
 * runs left (-c) or builds a network, runs the test or the CLI, and stops
 * it, also on SIGINT, SIGTERM and SIGHUP. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cluster/agent.h"
#include "cluster/manager.h"
#include "emu/cleanup.h"
#include "emu/cli/cli.h"
#include "emu/draw.h"
#include "emu/labs.h"
#include "base/run.h"
#include "base/err.h"
#include "base/log.h"
#include "emu/net.h"
#include "emu/opts.h"
#include "base/util.h"
#include "lua/script.h"
#include "node/controller.h"
#include "node/node.h"
#include "topo/plan.h"
#include "topo/topo.h"

#define CNEMU_VERSION "0.1"
#define MAIN_IPERFUDP_BW "10M"	/* Mininet's --test iperfudp rate */
#define MAIN_STOP_MS 60000	/* 'cnemu stop': for the lab to stop */

EMU_LOG_MODULE(main);

static volatile sig_atomic_t main_stop_signal;
/* The Lua state of a script run, for the CLI's 'lua' command; NULL. */
static struct script *main_script;

static void main_on_signal(int sig)
{
	main_stop_signal = sig;
}

static void main_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = main_on_signal };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Many hosts mean many namespace fds and sockets. */
static void main_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Checks the topology before anything is made. */
static int main_check_topo(const char *spec, struct emu_err *err)
{
	struct topo t;
	int ret;

	topo_init(&t);
	ret = topo_build(&t, spec, err);
	topo_release(&t);
	if (ret)
		emu_err_prefix(err, "--topo: ");
	return ret;
}

/* Checks --controller before anything is made. */
static int main_check_controller(const char *spec, struct emu_err *err)
{
	struct controller_opts co;
	char *buf = NULL;
	int ret;

	if (!spec)
		return 0;
	ret = controller_parse(spec, &co, &buf, err);
	free(buf);
	if (ret)
		emu_err_prefix(err, "--controller: ");
	return ret;
}

/* Checks --switch, --host and --ipbase, and that the --pre and --post
 * files can be read, before anything is made: each error names its
 * option. */
static int main_check_net(const struct emu_opts *o, struct emu_err *err)
{
	struct net_opts sw = { .switch_kind = o->switch_kind,
			       .switch_args = o->switch_args };
	const char *files[2] = { o->pre, o->post };
	static const char *const names[2] = { "--pre", "--post" };
	struct plan_net ipbase;
	struct net *net;

	net = net_create(&sw, err);
	if (!net) {
		emu_err_prefix(err, "--switch: ");
		return err->code;
	}
	net_destroy(net);
	if (o->host) {
		struct net_opts ho = { .host = o->host };

		net = net_create(&ho, err);
		if (!net) {
			emu_err_prefix(err, "--");
			return err->code;
		}
		net_destroy(net);
	}
	if (o->ipbase && plan_parse_net(o->ipbase, &ipbase, err)) {
		emu_err_prefix(err, "--ipbase: ");
		return err->code;
	}
	for (int i = 0; i < 2; i++)
		if (files[i] && access(files[i], R_OK))
			return emu_err_set(err, -errno,
					   "%s: cannot read '%s': %s",
					   names[i], files[i], strerror(errno));
	return 0;
}

/* The CLI lines of each --test (Mininet's; the CLI prints the results). */
static const struct {
	enum emu_test test;
	const char *lines[2];
} main_tests[] = {
	{ EMU_TEST_PINGALL, { "pingall" } },
	{ EMU_TEST_PINGPAIR, { "pingpair" } },
	{ EMU_TEST_IPERF, { "iperf" } },
	{ EMU_TEST_IPERFUDP, { "iperfudp " MAIN_IPERFUDP_BW } },
	{ EMU_TEST_ALL, { "pingall", "iperf" } },
};

/* The CLI of 'cli', and more of them attached over the run's socket while
 * it runs.  Returns the exit status. */
static int main_cli(struct cli *cli, bool tty)
{
	if (tty)
		log_info("*** Starting CLI:");
	return cli_run_attachable(cli, stdin, tty) ? 1 : 0;
}

/* Runs the test of 'o' in 'cli': its lines, or the CLI on stdin
 * (readline when it is a terminal).  Returns the exit status. */
static int main_test(struct cli *cli, const struct emu_opts *o)
{
	bool tty = isatty(STDIN_FILENO);
	int status = 0;

	if (o->test == EMU_TEST_CLI)
		return main_cli(cli, tty);
	for (size_t i = 0; i < ARRAY_SIZE(main_tests); i++)
		for (size_t j = 0; main_tests[i].test == o->test && j < 2 &&
				   main_tests[i].lines[j] && !main_stop_signal;
		     j++)
			if (cli_execute(cli, main_tests[i].lines[j]))
				status = 1;	/* dropped, or an error */
	return status;
}

/* Runs --pre, the test of 'o' (none, the CLI, pingall, iperf...) and
 * --post on the started 'net', as Mininet's mn.  Returns the exit
 * status. */
static int main_run_test(struct net *net, const struct emu_opts *o)
{
	struct emu_err err = { 0 };
	struct cli *cli;
	struct script *own = NULL;
	bool unconnected = false;
	int status = 0;

	if (o->wait) {
		/* Mininet's --wait; the start already waited, this says so
		 * and waits again for switches that lost their controller
		 * (a warning names them; the exit status says it) */
		log_info("*** Waiting for switches to connect");
		unconnected = !net_wait_connected(net, -1);
	}
	if (!o->pre && !o->post &&
	    (o->test == EMU_TEST_NONE || o->test == EMU_TEST_BUILD))
		return unconnected ? 1 : 0;
	cli = cli_create(net, &err);
	if (!cli) {
		fprintf(stderr, "cnemu: %s\n", err.msg);
		return 1;
	}
	cli_set_stop_flag(cli, &main_stop_signal);
	if (!main_script) {
		/* The built-in topology: 'lua' lines see it as 'net'. */
		own = script_create(NULL);
		script_set_net(own, net);
	}
	cli_set_lua_hook(cli, script_cli_hook, own ? own : main_script);
	if (o->pre && cli_run_file(cli, o->pre, &err)) {
		fprintf(stderr, "cnemu: --pre: %s\n", err.msg);
		status = 1;
	}
	if (!status && !main_stop_signal)
		status = main_test(cli, o);
	emu_err_clear(&err);
	if (!main_stop_signal && o->post && cli_run_file(cli, o->post, &err)) {
		fprintf(stderr, "cnemu: --post: %s\n", err.msg);
		status = 1;
	}
	cli_destroy(cli);
	script_destroy(own);
	return status ? status : unconnected ? 1 : 0;
}

/* Says that a signal stops the run; returns the exit status it gives
 * (128 + signal, as a shell reports a process the signal ended), or
 * 'status' when none came. */
static int main_interrupted(int status)
{
	if (!main_stop_signal)
		return status;
	fprintf(stderr, "*** Interrupted (%s): stopping\n",
		strsignal(main_stop_signal));
	return 128 + main_stop_signal;
}

/* --graph FILE: draws the Net as described ('aux' is the file). */
static int main_draw(void *aux, struct net *net, struct emu_err *err)
{
	return net_draw(net, aux, err);
}

/* --plan: prints which machine of the cluster would run each node. */
static int main_plan(void *aux, struct net *net, struct emu_err *err)
{
	(void)aux;
	return manager_print_plan(net, stdout, err);
}

/* What --graph or --plan does in place of a start, with its 'aux' and the
 * option's name; NULL: the Net starts. */
static script_instead_fn *main_instead(const struct emu_opts *o, void **aux,
				       const char **what)
{
	*aux = NULL;
	*what = NULL;
	if (o->graph) {
		*aux = (void *)o->graph;
		*what = "--graph";
		return main_draw;
	}
	if (o->plan) {
		*what = "--plan";
		return main_plan;
	}
	return NULL;
}

/* Runs the Lua script of 'o', whose cnemu.Net{} takes 'no' (the command
 * line's options) as defaults.  A Net the script returns is started when
 * it is not, then tested or given the CLI as --test says; every Net the
 * script made is stopped and removed at the end, also after an error or
 * a signal.  With --graph, the Net is drawn where it would start, with
 * --plan its placement over the cluster is printed, and nothing starts.  Returns the exit status. */
static int main_run_script(const struct emu_opts *o,
			   const struct net_opts *no)
{
	struct emu_err err = { 0 };
	struct net *net = NULL;
	const char *what;
	void *aux;
	script_instead_fn *instead = main_instead(o, &aux, &what);
	int status;

	main_script = script_create(no);
	script_set_instead(main_script, instead, aux);
	status = script_run_file(main_script, o->script, o->script_args,
				 o->n_script_args, &net, &err);
	if (status < 0) {
		fprintf(stderr, "%s\n", err.msg);
		status = 1;
	} else if (!status && instead && !script_did_instead(main_script)) {
		if (!net)
			status = emu_err_set(&err, -EINVAL,
					     "%s: the script neither starts "
					     "nor returns a Net",
					     o->script);
		else
			status = instead(aux, net, &err);
		if (status)
			fprintf(stderr, "cnemu: %s: %s\n", what, err.msg);
		status = status ? 1 : 0;
	} else if (!status && net && !instead && !net_is_started(net) &&
		   net_start(net, &err)) {
		fprintf(stderr, "%s: %s\n", o->script, err.msg);
		status = 1;
	} else if (!status && net && !instead) {
		status = main_stop_signal ? 1 : main_run_test(net, o);
	}
	status = main_interrupted(status);
	script_destroy(main_script);
	main_script = NULL;
	return status;
}

/* Describes the topology of --topo into 'net': one of the --custom
 * file's, else a built-in one.  Returns 0 or the exit status. */
static int main_build(struct net *net, const struct emu_opts *o,
		      const struct net_opts *no)
{
	struct emu_err err = { 0 };
	int ret = 0;

	if (o->custom) {
		main_script = script_create(no);
		ret = script_build_topo(main_script, o->custom, o->topo, net,
					&err);
		if (ret < 0) {
			fprintf(stderr, "cnemu: --custom: %s\n", err.msg);
			return 1;
		}
	}
	if (!ret && net_build(net, o->topo, &err)) {
		/* the description itself: bad input, nothing was made */
		fprintf(stderr, "cnemu: --topo: %s\n", err.msg);
		return 2;
	}
	return 0;
}

static int main_run(const struct emu_opts *o)
{
	struct net_opts no = {
		.switch_kind = o->switch_kind,
		.switch_args = o->switch_args,
		.controller = o->controller,
		.ipbase = o->ipbase,
		.auto_mac = o->mac,
		.auto_arp = o->arp,
		.link_engine = o->link_engine,
		.link_defaults = o->has_link ? &o->link : NULL,
		.host = o->host,
		.cluster = o->cluster,
		.cluster_ops = &manager_ops,	/* also a script's
						   Net{cluster = ...} */
		.cluster_loss = o->cluster_loss,
	};
	struct emu_err err = { 0 };
	unsigned long long t0 = now_us();
	const char *what;
	void *aux;
	script_instead_fn *instead = main_instead(o, &aux, &what);
	struct net *net;
	int status;

	if (o->script)
		return main_run_script(o, &no);
	net = net_create(&no, &err);
	if (!net) {
		fprintf(stderr, "cnemu: %s\n", err.msg);
		return 1;
	}
	status = main_build(net, o, &no);
	if (!status && o->nat) {  /* Mininet: mn.addNAT(...).configDefault() */
		struct net_nat_opts nat = { .ip = o->nat_ip,
					    .subnet = o->nat_subnet };

		if (!net_add_nat(net, o->nat_name, &nat, &err)) {
			fprintf(stderr, "cnemu: --nat: %s\n", err.msg);
			status = 2;
		}
	}
	if (!status && instead) {	/* as described, never started */
		status = instead(aux, net, &err) ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s: %s\n", what, err.msg);
	} else if (!status && net_start(net, &err)) {
		fprintf(stderr, "cnemu: %s\n", err.msg);
		status = 1;
	} else if (!status) {
		log_info("*** Started in %.3f s", (now_us() - t0) / 1e6);
		status = main_stop_signal ? 1 : main_run_test(net, o);
		net_check_nodes(net);	/* what died says so */
		if (net_stopped_by_loss(net))
			status = 1;
		status = main_interrupted(status);
	}
	script_destroy(main_script);	/* before the Net it borrows */
	main_script = NULL;
	net_destroy(net);
	if (!instead)
		log_info("completed in %0.3f seconds", (now_us() - t0) / 1e6);
	return status;
}

/* The lab's name: --name, else from the script or the topology. */
static void main_set_lab(const struct emu_opts *o)
{
	char name[RUN_NAME_MAX + 1];

	if (o->name) {
		run_set_lab(o->name, true, o->script);
		return;
	}
	run_default_name(o->script ? o->script : o->topo, name, sizeof(name));
	run_set_lab(name, false, o->script);
}

/* Mininet's --verbosity as the default log level ('output' shows only
 * results and warnings). */
static void main_set_verbosity(enum emu_verbosity v)
{
	static const enum log_level levels[] = {
		[EMU_V_CRITICAL] = LOG_ERR, [EMU_V_ERROR] = LOG_ERR,
		[EMU_V_WARNING] = LOG_WARN, [EMU_V_OUTPUT] = LOG_WARN,
		[EMU_V_INFO] = LOG_INFO,    [EMU_V_DEBUG] = LOG_DBG,
	};

	log_set_default(levels[v]);
}

int main(int argc, char **argv)
{
	struct emu_err err = { 0 };
	struct emu_opts o;
	int status;

	if (emu_opts_parse(&o, argc, argv, &err)) {
		fprintf(stderr, "cnemu: %s (see cnemu --help)\n", err.msg);
		emu_opts_release(&o);
		return 2;
	}
	if (o.help || o.version) {
		fputs(o.help ? emu_opts_usage() : "cnemu " CNEMU_VERSION "\n",
		      stdout);
		emu_opts_release(&o);
		return 0;
	}
	main_set_verbosity(o.verbosity);
	if (o.log && log_configure(o.log)) {
		fprintf(stderr, "cnemu: invalid --log '%s' (try dbg or "
				"net:dbg,veth:info)\n", o.log);
		emu_opts_release(&o);
		return 2;
	}
	if (o.script && o.nat) {
		fprintf(stderr, "cnemu: --nat is for --topo: a script adds its "
				"NAT with net:addNAT() (see cnemu --help)\n");
		emu_opts_release(&o);
		return 2;
	}
	if (!o.clean && !o.command && !o.script && !o.custom &&
	    main_check_topo(o.topo, &err)) {
		fprintf(stderr, "cnemu: %s\n", err.msg);
		emu_opts_release(&o);
		return 2;
	}
	if (!o.clean && !o.command &&
	    (main_check_controller(o.controller, &err) ||
	     main_check_net(&o, &err))) {
		fprintf(stderr, "cnemu: %s\n", err.msg);
		emu_opts_release(&o);
		return 2;
	}
	if (o.command == EMU_CMD_AGENT_EXEC) {
		/* The relay: no root needed, no run of its own. */
		main_catch_signals();
		status = agent_exec(o.agent_addr, o.key_file, o.exec_node,
				    o.exec_argv, &main_stop_signal, &err);
		if (status < 0) {
			fprintf(stderr, "cnemu: %s\n", err.msg);
			status = 127;
		}
		emu_opts_release(&o);
		return status;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "cnemu: must run as root (try: sudo %s)\n",
			argv[0]);
		emu_opts_release(&o);
		return 1;
	}
	/* Results and messages in the order they happen, also through a
	 * pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_raise_fd_limit();
	main_catch_signals();
	if (o.clean || o.command == EMU_CMD_AGENT)
		agent_find_machine_proc();
	if (o.clean) {
		status = cleanup_dead_runs(o.clean_all ? CLEANUP_KEPT : 0, NULL,
					   stdout, &err) ? 1 : 0;
		if (!status && o.cluster)
			status = manager_clean(stdout, &err) ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s\n", err.msg);
	} else if (o.command == EMU_CMD_AGENT) {
		struct agent_opts ao = { .listen = o.listen,
					 .key_file = o.key_file,
					 .stop = &main_stop_signal };

		run_set_lab(o.name ? o.name : "agent", o.name != NULL, NULL);
		status = agent_run(&ao, &err) ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s\n", err.msg);
	} else if (o.command == EMU_CMD_LIST) {
		status = labs_list(stdout, o.json, &err) < 0 ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s\n", err.msg);
	} else if (o.command == EMU_CMD_ATTACH) {
		status = labs_attach(o.lab, stdin, stdout, &err) ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s\n", err.msg);
	} else if (o.command == EMU_CMD_STOP) {
		status = labs_stop(o.lab, MAIN_STOP_MS, &err) ? 1 : 0;
		if (status)
			fprintf(stderr, "cnemu: %s\n", err.msg);
		else
			printf("*** Stopped lab %s\n", o.lab);
	} else {
		main_set_lab(&o);
		status = main_run(&o);
	}
	emu_opts_release(&o);
	return status;
}
