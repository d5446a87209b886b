#include "emu/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/run.h"
#include "base/util.h"
#include "emu/net.h"
#include "node/kinds.h"

static const char emu_usage[] =
	"Usage: cnemu [options] [script.lua [args...]]\n"
	"       cnemu list [--json]     the labs running on this machine\n"
	"       cnemu stop LAB          stop a running lab\n"
	"       cnemu attach LAB        a CLI on a running lab (exit "
	"detaches)\n"
	"  --name LAB        the lab's name, unique on the machine (default:\n"
	"                    from the script or topology, made unique)\n"
	"  --topo T          minimal, single,N, linear,N[,K], reversed,N,\n"
	"                    tree,depth=D,fanout=F, torus,X,Y (default "
	"minimal)\n"
	"  --switch S        %s;\n"
	"                    ovs,datapath=user, lxbr,stp=1\n"
	"  --controller C    %s;\n"
	"                    builtin,mode=topo|learning, remote,ip=A,port=P\n"
	"  --link tc,OPTS    shape every link: bw=10,delay=5ms,jitter=1ms,\n"
	"                    loss=1,max_queue_size=100,use_tbf=1\n"
	"  --link-engine E   auto (default), netem, pump\n"
	"  --test T          none, build, pingall, pingpair, iperf, iperfudp,\n"
	"                    all (default: the CLI)\n"
	"  --custom FILE     Lua file whose table 'topos' adds topologies for\n"
	"                    --topo\n"
	"  --ipbase N        host addresses from N (default 10.0.0.0/8)\n"
	"  --mac             MACs from host numbers (00:00:00:00:00:01)\n"
	"  --arp             static ARP entries on every host\n"
	"  --host H          proc (default), cfs or rt: CPU-limited hosts,\n"
	"                    cfs,cpu=.2,period_us=100000,cores=0-1\n"
	"  --nat [OPTS]      a NAT giving the hosts the machine's uplink:\n"
	"                    name=nat0,ip=A,subnet=S (default: --ipbase)\n"
	"  --pre F, --post F CLI command files to run before and after\n"
	"  --graph FILE      draw the topology (.svg, .png, .dot) without "
	"starting it\n"
	"  --cluster swarm   run over the machines of the Docker Swarm of\n"
	"                    DOCKER_HOST (on a Swarm manager)\n"
	"  --plan            with --cluster: print which machine each node\n"
	"                    would run on and the links cut, start nothing\n"
	"  --cluster-loss L  when a machine is lost (its agent or Docker\n"
	"                    engine gone): keep (default: report it, go on\n"
	"                    over the others) or stop (report it, stop the\n"
	"                    run on every machine)\n"
	"  -v, --verbosity L debug, info (default), output (results only),\n"
	"                    warning, error, critical\n"
	"  -w, --wait        wait for switches to connect before the test\n"
	"                    (exit status 1 when some do not)\n"
	"  --log SPEC        log levels: dbg, or module:level,...\n"
	"  --agent --listen ADDR[:PORT] --key-file F\n"
	"                    serve as a cluster run's agent on this machine\n"
	"  --agent-exec ADDR:PORT --key-file F NODE -- CMD...\n"
	"                    run CMD in NODE of the agent at ADDR:PORT\n"
	"  -c, --clean       remove what runs that died left behind (kept\n"
	"                    containers stay)\n"
	"  --all             with -c: remove kept containers too\n"
	"  -c --cluster swarm  also remove the Swarm's cluster runs whose\n"
	"                    manager died on this machine\n"
	"  -h, --help        this text\n"
	"  --version         print the version\n";

/* The kinds of 'role' from node/'s table, "ovs (default), ovsbr, lxbr". */
static void emu_opts_kinds(enum node_role role, char *buf, size_t size)
{
	size_t n, len = 0;
	const struct node_kind *k = node_kinds(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (k[i].role != role || len >= size)
			continue;
		len += snprintf(buf + len, size - len, "%s%s%s",
				len ? ", " : "", k[i].name,
				k[i].caps & NODE_KIND_DEFAULT ? " (default)"
							      : "");
	}
}

const char *emu_opts_usage(void)
{
	static char text[sizeof(emu_usage) + 256];
	char sw[96], ctl[96];

	emu_opts_kinds(NODE_SWITCH, sw, sizeof(sw));
	emu_opts_kinds(NODE_CONTROLLER, ctl, sizeof(ctl));
	snprintf(text, sizeof(text), emu_usage, sw, ctl);
	return text;
}

static const struct {
	const char *name;
	enum emu_test test;
} emu_tests[] = {
	{ "none", EMU_TEST_NONE },     { "build", EMU_TEST_BUILD },
	{ "pingall", EMU_TEST_PINGALL }, { "pingpair", EMU_TEST_PINGPAIR },
	{ "iperf", EMU_TEST_IPERF },   { "iperfudp", EMU_TEST_IPERFUDP },
	{ "all", EMU_TEST_ALL },       { "cli", EMU_TEST_CLI },
};

static int emu_opts_test(struct emu_opts *o, const char *arg,
			 struct emu_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(emu_tests); i++) {
		if (!strcmp(arg, emu_tests[i].name)) {
			o->test = emu_tests[i].test;
			return 0;
		}
	}
	return emu_err_set(err, -EINVAL,
			   "unknown test '%s' for --test (known: none, build, "
			   "pingall, pingpair, iperf, iperfudp, all)",
			   arg);
}

static int emu_opts_verbosity(struct emu_opts *o, const char *arg,
			      struct emu_err *err)
{
	static const struct {
		const char *name;
		enum emu_verbosity v;
	} levels[] = {
		{ "debug", EMU_V_DEBUG },     { "info", EMU_V_INFO },
		{ "output", EMU_V_OUTPUT },   { "warning", EMU_V_WARNING },
		{ "warn", EMU_V_WARNING },    { "error", EMU_V_ERROR },
		{ "critical", EMU_V_CRITICAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		if (!strcmp(arg, levels[i].name)) {
			o->verbosity = levels[i].v;
			return 0;
		}
	}
	return emu_err_set(err, -EINVAL,
			   "unknown level '%s' for --verbosity (known: debug, "
			   "info, output, warning, error, critical)",
			   arg);
}

static int emu_opts_switch(struct emu_opts *o, const char *arg,
			   struct emu_err *err)
{
	char *comma, known[128];

	free(o->switch_buf);
	o->switch_buf = xstrdup(arg);
	comma = strchr(o->switch_buf, ',');
	if (comma)
		*comma = '\0';
	o->switch_kind = o->switch_buf;
	o->switch_args = comma ? comma + 1 : NULL;
	if (node_kind_find(NODE_SWITCH, o->switch_kind))
		return 0;
	return emu_err_set(err, -EINVAL,
			   "unknown switch '%s' for --switch (known: %s)",
			   o->switch_kind,
			   node_kind_names(NODE_SWITCH, known, sizeof(known)));
}

static int emu_opts_controller(struct emu_opts *o, const char *arg,
			       struct emu_err *err)
{
	char *kind = xasprintf("%.*s", (int)strcspn(arg, ","), arg);
	char known[128];
	int ret = 0;

	o->controller = arg;
	if (!node_kind_find(NODE_CONTROLLER, kind))
		ret = emu_err_set(err, -EINVAL,
				  "unknown controller '%s' for --controller "
				  "(known: %s)",
				  kind,
				  node_kind_names(NODE_CONTROLLER, known,
						  sizeof(known)));
	free(kind);
	return ret;
}

static int emu_opts_link(struct emu_opts *o, const char *arg,
			 struct emu_err *err)
{
	int ret;

	if (!strcmp(arg, "default"))
		return 0;
	if (strcmp(arg, "tc") && strncmp(arg, "tc,", 3))
		return emu_err_set(err, -EINVAL,
				   "unknown link '%s' for --link (known: "
				   "default, tc[,bw=..,delay=..])",
				   arg);
	ret = shaping_parse_list(&o->link, arg[2] ? arg + 3 : "", err);
	if (ret)
		emu_err_prefix(err, "--link: ");
	o->has_link = true;
	return ret;
}

static int emu_opts_engine(struct emu_opts *o, const char *arg,
			   struct emu_err *err)
{
	if (strcmp(arg, "auto") && strcmp(arg, "netem") && strcmp(arg, "pump"))
		return emu_err_set(err, -EINVAL,
				   "unknown engine '%s' for --link-engine "
				   "(known: auto, netem, pump)",
				   arg);
	o->link_engine = arg;
	return 0;
}

/* Mininet's --nat [name=N,ip=A,subnet=S]: the options as one word. */
static int emu_opts_nat(struct emu_opts *o, const char *arg,
			struct emu_err *err)
{
	char *save = NULL, *kv;

	o->nat = true;
	o->nat_name = o->nat_ip = o->nat_subnet = NULL;
	free(o->nat_buf);
	o->nat_buf = xstrdup(arg ? arg : "");
	for (kv = strtok_r(o->nat_buf, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = '\0';
		if (eq && !strcmp(kv, "name"))
			o->nat_name = eq + 1;
		else if (eq && !strcmp(kv, "ip"))
			o->nat_ip = eq + 1;
		else if (eq && !strcmp(kv, "subnet"))
			o->nat_subnet = eq + 1;
		else
			return emu_err_set(err, -EINVAL,
					   "unknown option '%s' for --nat "
					   "(known: name=, ip=, subnet=)",
					   kv);
	}
	return 0;
}

/* 'list [--json]', 'stop LAB' and 'attach LAB' in place of a script. */
static int emu_opts_command(struct emu_opts *o, struct emu_err *err)
{
	if (!strcmp(o->script, "list")) {
		o->command = EMU_CMD_LIST;
		for (int i = 0; i < o->n_script_args; i++) {
			if (strcmp(o->script_args[i], "--json"))
				return emu_err_set(err, -EINVAL,
						   "unknown option '%s' for "
						   "list (known: --json)",
						   o->script_args[i]);
			o->json = true;
		}
	} else if (!strcmp(o->script, "stop") ||
		   !strcmp(o->script, "attach")) {
		o->command = o->script[0] == 's' ? EMU_CMD_STOP
						 : EMU_CMD_ATTACH;
		if (o->n_script_args != 1)
			return emu_err_set(err, -EINVAL,
					   "%s takes one lab name (cnemu "
					   "%s LAB; cnemu list shows them)",
					   o->script, o->script);
		o->lab = o->script_args[0];
	} else {
		return 0;
	}
	o->script = NULL;
	o->script_args = NULL;
	o->n_script_args = 0;
	return 0;
}

/* --agent and --agent-exec: what each needs, and the node and command
 * of --agent-exec in place of a script. */
static int emu_opts_agent(struct emu_opts *o, struct emu_err *err)
{
	bool exec = o->command == EMU_CMD_AGENT_EXEC;

	if (!o->key_file)
		return emu_err_set(err, -EINVAL, "%s needs --key-file FILE",
				   exec ? "--agent-exec" : "--agent");
	if (!exec) {
		if (!o->listen)
			return emu_err_set(err, -EINVAL,
					   "--agent needs --listen ADDR[:PORT]");
		if (o->script)
			return emu_err_set(err, -EINVAL,
					   "--agent takes no script ('%s')",
					   o->script);
		return 0;
	}
	if (o->listen)
		return emu_err_set(err, -EINVAL,
				   "--listen goes with --agent, not "
				   "--agent-exec");
	/* NODE -- CMD...: getopt put NODE first and dropped the "--". */
	if (o->n_script_args > 0 && !strcmp(o->script_args[0], "--")) {
		o->script_args++;
		o->n_script_args--;
	}
	if (!o->script || o->n_script_args < 1)
		return emu_err_set(err, -EINVAL,
				   "--agent-exec needs NODE -- CMD...");
	o->exec_node = o->script;
	o->exec_argv = o->script_args;
	o->script = NULL;
	o->script_args = NULL;
	o->n_script_args = 0;
	return 0;
}

enum {
	OPT_TOPO = 256, OPT_SWITCH, OPT_CONTROLLER, OPT_LINK, OPT_ENGINE,
	OPT_TEST, OPT_IPBASE, OPT_MAC, OPT_ARP, OPT_LOG, OPT_PRE, OPT_POST,
	OPT_VERSION, OPT_GRAPH, OPT_CUSTOM, OPT_ALL, OPT_NAT, OPT_HOST,
	OPT_NAME, OPT_CLUSTER, OPT_PLAN, OPT_CLUSTER_LOSS, OPT_AGENT,
	OPT_LISTEN, OPT_KEY_FILE, OPT_AGENT_EXEC,
};

static const struct option emu_longopts[] = {
	{ "topo", required_argument, NULL, OPT_TOPO },
	{ "switch", required_argument, NULL, OPT_SWITCH },
	{ "controller", required_argument, NULL, OPT_CONTROLLER },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "link-engine", required_argument, NULL, OPT_ENGINE },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "ipbase", required_argument, NULL, OPT_IPBASE },
	{ "mac", no_argument, NULL, OPT_MAC },
	{ "arp", no_argument, NULL, OPT_ARP },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "pre", required_argument, NULL, OPT_PRE },
	{ "post", required_argument, NULL, OPT_POST },
	{ "clean", no_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "graph", required_argument, NULL, OPT_GRAPH },
	{ "custom", required_argument, NULL, OPT_CUSTOM },
	{ "verbosity", required_argument, NULL, 'v' },
	{ "wait", no_argument, NULL, 'w' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "nat", optional_argument, NULL, OPT_NAT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "cluster", required_argument, NULL, OPT_CLUSTER },
	{ "plan", no_argument, NULL, OPT_PLAN },
	{ "cluster-loss", required_argument, NULL, OPT_CLUSTER_LOSS },
	{ "agent", no_argument, NULL, OPT_AGENT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "agent-exec", required_argument, NULL, OPT_AGENT_EXEC },
	{ NULL, 0, NULL, 0 },
};

int emu_opts_parse(struct emu_opts *o, int argc, char **argv,
		   struct emu_err *err)
{
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	shaping_init(&o->link);
	o->topo = "minimal";
	o->switch_kind = "ovs";
	o->link_engine = "auto";
	o->verbosity = EMU_V_INFO;
	/* 0, not 1: glibc then also forgets where it stopped inside a
	 * group of short options ("-ch") of an earlier parse. */
	optind = 0;
	opterr = 0;
	while (!ret) {
		/* The argument getopt reads now (0 is the first one). */
		int word = optind ? optind : 1;

		/* '+': options end at the script, whose own options are its
		 * own. */
		c = getopt_long(argc, argv, "+:chv:w", emu_longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_TOPO: o->topo = optarg; break;
		case OPT_SWITCH: ret = emu_opts_switch(o, optarg, err); break;
		case OPT_CONTROLLER:
			ret = emu_opts_controller(o, optarg, err);
			break;
		case OPT_LINK: ret = emu_opts_link(o, optarg, err); break;
		case OPT_ENGINE: ret = emu_opts_engine(o, optarg, err); break;
		case OPT_TEST: ret = emu_opts_test(o, optarg, err); break;
		case OPT_IPBASE: o->ipbase = optarg; break;
		case OPT_MAC: o->mac = true; break;
		case OPT_ARP: o->arp = true; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_PRE: o->pre = optarg; break;
		case OPT_POST: o->post = optarg; break;
		case 'c': o->clean = true; break;
		case 'h': o->help = true; break;
		case OPT_VERSION: o->version = true; break;
		case OPT_GRAPH: o->graph = optarg; break;
		case OPT_CUSTOM: o->custom = optarg; break;
		case 'v': ret = emu_opts_verbosity(o, optarg, err); break;
		case 'w': o->wait = true; break;
		case OPT_ALL: o->clean_all = true; break;
		case OPT_HOST: o->host = optarg; break;
		case OPT_CLUSTER:
			o->cluster = optarg;
			if (!net_cluster_known(optarg))
				ret = emu_err_set(err, -EINVAL,
						  "unknown cluster '%s' for "
						  "--cluster (known: %s)",
						  optarg, NET_CLUSTERS);
			break;
		case OPT_PLAN: o->plan = true; break;
		case OPT_CLUSTER_LOSS:
			o->has_cluster_loss = true;
			if (net_cluster_loss_parse(optarg, &o->cluster_loss))
				ret = emu_err_set(err, -EINVAL,
						  "unknown choice '%s' for "
						  "--cluster-loss (known: %s)",
						  optarg, NET_CLUSTER_LOSSES);
			break;
		case OPT_AGENT: o->command = EMU_CMD_AGENT; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_KEY_FILE: o->key_file = optarg; break;
		case OPT_AGENT_EXEC:
			o->command = EMU_CMD_AGENT_EXEC;
			o->agent_addr = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			if (!run_name_valid(optarg))
				ret = emu_err_set(err, -EINVAL,
						  "invalid lab name '%s' for "
						  "--name: 1 to %d letters, "
						  "digits, '_', '.', '-', "
						  "starting with a letter or "
						  "digit",
						  optarg, RUN_NAME_MAX);
			break;
		case OPT_NAT:
			/* Mininet's "--nat ip=A": the next word when it
			 * holds options. */
			if (!optarg && optind < argc &&
			    argv[optind][0] != '-' &&
			    strchr(argv[optind], '=') &&
			    !strstr(argv[optind], ".lua"))
				optarg = argv[optind++];
			ret = emu_opts_nat(o, optarg, err);
			break;
		case ':':
			ret = emu_err_set(err, -EINVAL,
					  "option '%s' needs an argument",
					  argv[word]);
			break;
		default:
			/* In a group ("-cx") name the letter, not the group. */
			if (strncmp(argv[word], "--", 2))
				ret = emu_err_set(err, -EINVAL,
						  "unknown option '-%c'", optopt);
			else
				ret = emu_err_set(err, -EINVAL,
						  "unknown option '%s'",
						  argv[word]);
			break;
		}
	}
	if (!ret && o->clean_all && !o->clean)
		ret = emu_err_set(err, -EINVAL, "--all goes with -c only");
	if (!ret && o->plan && !o->cluster)
		ret = emu_err_set(err, -EINVAL,
				  "--plan goes with --cluster only (cnemu "
				  "--cluster swarm --plan script.lua)");
	if (!ret && o->has_cluster_loss && !o->cluster && optind >= argc)
		ret = emu_err_set(err, -EINVAL,
				  "--cluster-loss goes with --cluster or a "
				  "script's cnemu.Net{cluster = ...}");
	if (!ret && o->plan && o->graph)
		ret = emu_err_set(err, -EINVAL,
				  "--plan and --graph: one at a time");
	if (!ret && optind < argc) {
		o->script = argv[optind];
		o->script_args = &argv[optind + 1];
		o->n_script_args = argc - optind - 1;
	}
	if (!ret && (o->command == EMU_CMD_AGENT ||
		     o->command == EMU_CMD_AGENT_EXEC))
		return emu_opts_agent(o, err);
	if (!ret && (o->listen || o->key_file))
		ret = emu_err_set(err, -EINVAL, "%s goes with --agent or "
				  "--agent-exec only",
				  o->listen ? "--listen" : "--key-file");
	if (!ret && o->script)
		ret = emu_opts_command(o, err);
	return ret;
}

void emu_opts_release(struct emu_opts *o)
{
	free(o->switch_buf);
	o->switch_buf = NULL;
	free(o->nat_buf);
	o->nat_buf = NULL;
}
