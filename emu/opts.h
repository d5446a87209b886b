/* The command line of cnemu, in Mininet's spelling:
 *   cnemu [--topo T] [--switch S[,args]] [--controller C[,args]]
 *         [--link tc,bw=10,...] [--test none|build|pingall|pingpair|
 *         iperf|iperfudp|all] [--ipbase N] [--mac] [--arp]
 *         [--nat [name=N,ip=A,subnet=S]] [--custom F] [-v LEVEL] [--wait]
 *         [--log SPEC] [--cluster swarm [--plan] [--cluster-loss
 *         keep|stop]] [-c [--all]]
 *         [script.lua args]
 * Parsing touches nothing on the machine; struct emu_opts borrows the
 * strings of argv. */
#ifndef EMU_OPTS_H
#define EMU_OPTS_H

#include <stdbool.h>

#include "emu/net.h"
#include "link/shaping.h"

struct emu_err;

enum emu_test { EMU_TEST_CLI, EMU_TEST_NONE, EMU_TEST_BUILD,
		EMU_TEST_PINGALL, EMU_TEST_PINGPAIR, EMU_TEST_IPERF,
		EMU_TEST_IPERFUDP, EMU_TEST_ALL };

/* Mininet's --verbosity levels, quietest first. */
enum emu_verbosity { EMU_V_CRITICAL, EMU_V_ERROR, EMU_V_WARNING,
		     EMU_V_OUTPUT, EMU_V_INFO, EMU_V_DEBUG };

/* What the command line asks for: a run (the default), or something
 * about the labs running ('cnemu list', 'cnemu stop LAB'). */
enum emu_command { EMU_CMD_RUN, EMU_CMD_LIST, EMU_CMD_STOP, EMU_CMD_ATTACH,
		   EMU_CMD_AGENT, EMU_CMD_AGENT_EXEC };

struct emu_opts {
	enum emu_command command;
	const char *lab;		/* stop, attach: its name */
	bool json;			/* list --json */
	const char *name;		/* --name: the lab's; NULL: from the
					   script or topology */
	const char *topo;		/* "minimal" default */
	const char *switch_kind;	/* "ovs" default */
	const char *switch_args;	/* after the first comma; NULL */
	const char *controller;		/* NULL: the switch's default */
	struct shaping link;		/* --link tc,... */
	bool has_link;
	const char *link_engine;	/* "auto" */
	enum emu_test test;
	const char *ipbase;
	bool mac, arp;
	const char *log;		/* --log spec; NULL */
	enum emu_verbosity verbosity;	/* -v; EMU_V_INFO */
	const char *custom;		/* --custom: Lua file of topologies */
	bool wait;			/* --wait: for switches to connect */
	bool clean;			/* -c */
	bool clean_all;			/* --all: -c removes kept containers */
	bool help, version;
	const char *pre, *post;		/* CLI command files */
	const char *graph;		/* --graph FILE: draw, don't start */
	const char *cluster;		/* --cluster: "swarm"; NULL: this
					   machine */
	bool plan;			/* --plan: print the placement over
					   the cluster, don't start */
	enum net_cluster_loss cluster_loss;	/* --cluster-loss */
	bool has_cluster_loss;
	const char *host;		/* --host proc|cfs|rt[,cpu=F,...] */
	bool nat;			/* --nat[=name=N,ip=A,subnet=S] */
	const char *nat_name, *nat_ip, *nat_subnet;	/* NULL: defaults */
	char *nat_buf;			/* owned copy split into those */
	const char *script;		/* a Lua script; NULL */
	char **script_args;		/* after the script, NULL-ended */
	int n_script_args;
	char *switch_buf;		/* owned copy split into kind/args */
	const char *listen;		/* --agent: --listen ADDR[:PORT] */
	const char *key_file;		/* --key-file: the run's key */
	const char *agent_addr;		/* --agent-exec ADDR:PORT */
	const char *exec_node;		/* --agent-exec: the node */
	char **exec_argv;		/* --agent-exec: the command, NULL-ended */
};

/* Parses 'argv'; returns 0 or -EINVAL with a sentence naming the option.
 * The caller releases 'o' with emu_opts_release(). */
int emu_opts_parse(struct emu_opts *o, int argc, char **argv,
		   struct emu_err *err);
void emu_opts_release(struct emu_opts *o);

/* The usage text. */
const char *emu_opts_usage(void);

#endif
