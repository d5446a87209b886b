/* Nodes: hosts, containers, switches and controllers behind one small
 * interface.
 *
 * 'struct node' holds what every kind shares (name, namespace, interfaces,
 * background processes); each kind embeds it first in its own struct and
 * fills one 'struct node_ops' (node/host.c, node/docker.c, node/bridge.c,
 * node/switch_ovs.c, node/nat.c, node/controller.c).  The Net owns every
 * node: it creates them with the kind's constructor, starts them kind by
 * kind through 'ops->start', and frees them with node_destroy(). */
#ifndef NODE_NODE_H
#define NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "link/intf.h"
#include "node/kinds.h"
#include "topo/index.h"

struct emu_err;
struct link;
struct node;
struct ovs_switch_db;
struct switch_ns;

/* What the Net lends the node kinds of one run: one per Net, owned by it,
 * borrowed by every node it makes (node->ctx).  Kinds read it and never
 * call the Net: what only the Net knows or owns (which controllers a
 * switch has, the topology a controller reads, the run's own OVS) they
 * ask through the functions, which the Net fills in with 'owner'.  The
 * Net updates the fields as the run goes ('run_dir' at start,
 * 'stopping' during stop). */
struct node_exec_opts;

struct node_ctx {
	const char *run_tag;	/* "cn1234": prefix of namespaces, OVS
				   external_ids, Docker labels */
	const char *alias;	/* "cnemu:cn1234": IFLA_IFALIAS of the run's
				   interfaces in the root namespace */
	const char *run_dir;	/* "/run/cnemu/<tag>"; NULL until start */
	bool ovs_userspace;	/* OVS runs its userspace datapath (no
				   openvswitch kernel module) */
	bool stopping;		/* the whole Net is stopping: a kind may
				   leave what goes with the run's namespaces
				   and interface group */
	struct switch_ns *switch_ns;	/* the run's namespace of Linux
					   bridges (node/switch_ns.h) */
	/* The controller targets of the switch 'sw' ("unix:...", NULL-
	 * ended), valid until the next call; NULL: no controller. */
	const char *const *(*switch_targets)(void *owner,
					     const struct node *sw);
	/* Writes the topology file 'path' that the controller 'ctl' reads
	 * (the switches under it, their links and known host MACs). */
	int (*write_topology)(void *owner, const struct node *ctl,
			      const char *path, struct emu_err *err);
	/* The run's own Open vSwitch (node/vswitch.h), started on first use:
	 * its OVSDB connection (NULL with 'err' set when it cannot run) ... */
	struct ovs_switch_db *(*ovs_db)(void *owner, struct emu_err *err);
	/* ... its run directory, where ovs-vswitchd reaches unix sockets
	 * (NULL with 'err' set) ... */
	const char *(*ovs_rundir)(void *owner, struct emu_err *err);
	/* ... the namespace of its ovs-vswitchd (-1 before it runs) ... */
	int (*ovs_nsfd)(void *owner);
	/* ... and whether ovs-vswitchd still runs (started again, with a
	 * warning, when it died; false when that failed). */
	bool (*ovs_check)(void *owner);
	/* Set while the nodes run on other machines (a cluster run): the
	 * local command that runs 'argv' in 'node' there and relays its
	 * streams and status, which node_spawn() then runs on this machine
	 * in its place.  NULL-ended, one allocation (the caller free()s
	 * it); NULL with 'err' set when it cannot. */
	char **(*relay_argv)(void *owner, const struct node *node,
			     char *const argv[],
			     const struct node_exec_opts *opts,
			     struct emu_err *err);
	void *owner;		/* passed to the functions above (the Net) */
};


struct node_ops {
	const char *kind;	/* "host", "docker", "lxbr", "ovs", ... */
	enum node_role role;
	unsigned int max_intfs;	/* interfaces a node can hold; 0: no limit
				   (checked as links are described) */
	const char *max_intfs_why;	/* says whose limit it is */
	/* Starts the 'n' not yet running nodes of this kind in one go
	 * (concurrently or in one transaction where the kind can).  Sets
	 * 'running' on each node it started, also when it fails part way, so
	 * that the Net can stop exactly those. Switches are started after
	 * their ports exist (node->intfs). */
	int (*start)(struct node **nodes, size_t n, struct emu_err *err);
	/* Optional: called for the 'n' nodes of this kind before any link is
	 * made, so that a kind can give its nodes a namespace ('nsfd') for
	 * their link ends.  What it makes must go away with the Net's
	 * namespaces or with 'stop'. */
	int (*prepare)(struct node **nodes, size_t n, struct emu_err *err);
	/* Switches: makes 'intf' of a running switch a port (runtime links). */
	int (*attach)(struct node *node, struct node_intf *intf,
		      struct emu_err *err);
	/* Switches: removes 'intf' from a running switch. */
	int (*detach)(struct node *node, struct node_intf *intf,
		      struct emu_err *err);
	/* Optional: the name of the interface 'port' when none is given
	 * (default: Mininet's "<node>-eth<port>"), into 'buf'; a kind whose
	 * interfaces are in the machine's namespace names them per run. */
	int (*name_intf)(const struct node *node, int port, char *buf,
			 size_t size, struct emu_err *err);
	/* Optional: called once the node's interfaces are up and addressed
	 * (a container's own command starts then). */
	int (*ready)(struct node *node, struct emu_err *err);
	/* Optional: checks that a running node still works.  When it died
	 * (or something it needs did), says so once as a warning with what
	 * broke, and returns false when the node itself died; true while it
	 * lives.  The Net calls it before each CLI command. */
	bool (*check)(struct node *node);
	/* Stops the 'n' running nodes of this kind in one go and removes
	 * what they made on the machine; cannot fail (problems are logged
	 * as warnings).  Clears 'running' on each. */
	void (*stop)(struct node **nodes, size_t n);
	/* Optional: in the child of node_spawn() after fork(), before it
	 * enters the namespaces: puts the process where the kind keeps its
	 * processes (a host's cgroup).  Async-signal-safe calls only;
	 * returns 0 or a negative errno (the command then fails). */
	int (*enter)(const struct node *node);
	/* Frees the kind's struct (the embedded node's fields are freed by
	 * node_destroy()). */
	void (*free)(struct node *node);
};

/* How the commands that enter all namespaces of a container start: as
 * its own process did (docker exec's rule: the image's Env plus the
 * node's environment, its WorkingDir and User).  Owned by the node. */
struct node_exec_ctx {
	char **env;		/* "K=V", NULL-ended; NULL: cnemu's own */
	char *cwd;		/* in the node's mount namespace; NULL: "/" */
	bool set_ids;		/* switch to 'uid', 'gid' and 'groups' */
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups */
	size_t n_groups;
};

struct node {
	char *name;
	const struct node_ops *ops;
	const struct node_kind *kind;	/* its row of node/kinds.c when made
					   for one (a switch); NULL: the row
					   named ops->kind */
	struct node_ctx *ctx;	/* the run's context (borrowed); NULL for a
				   node made outside a Net (tests) */
	int nsfd;		/* network namespace; -1: the root one */
	pid_t pid;		/* exec enters all namespaces of this process
				   (containers); 0: only 'nsfd' */
	bool running;
	bool readied;		/* 'ops->ready' was called */
	struct node_intf **intfs;
	size_t n_intfs, cap_intfs;
	struct topo_index intf_names;	/* name -> intf */
	int next_port;		/* first free interface number */
	pid_t *bg_pids;		/* background processes, killed at stop */
	size_t n_bg, cap_bg;
	char *default_ip;	/* "10.0.0.1/8" for the first interface */
	char *default_mac;	/* for the first interface; NULL: kernel's */
	char *default_route;	/* "via GW", "dev IF" or "GW"; NULL: none */
	bool routed;		/* 'default_route' is in place */
	struct node_exec_ctx *exec_ctx;	/* owned; NULL: commands run as
					   root in / with cnemu's env */
	char *placement;	/* over a cluster: the machine it is pinned
				   to, a hostname or "key=value" of a
				   machine's labels; NULL: anywhere */
};

/* Initialises the shared part of a kind's node, of the run 'ctx'
 * (borrowed; NULL outside a Net). */
void node_init(struct node *node, const struct node_ops *ops,
	       struct node_ctx *ctx, const char *name, int first_port);
/* Makes the switch 'name' of the switch kind 'kind' (node/kinds.h) for the
 * run 'ctx': a Linux bridge, or an OVS bridge with the datapath ID 'dpid'
 * (never 0) under the run's controllers unless the kind takes none or
 * 'standalone'; 'stp' turns spanning tree on.  The caller owns it until
 * it hands it to the Net. */
struct node *node_create_switch(const struct node_kind *kind,
				struct node_ctx *ctx, const char *name,
				uint64_t dpid, bool standalone, bool stp);
/* Stops 'node' if it runs, frees it (accepts NULL). */
void node_destroy(struct node *node);

const char *node_name(const struct node *node);
const char *node_kind(const struct node *node);
/* The machine 'node' is pinned to over a cluster ("m2", "rack=a"); NULL:
 * placed by the plan.  Set by the Net (net_set_placement()). */
const char *node_placement(const struct node *node);
enum node_role node_role(const struct node *node);
/* True when the kind of 'node' has every one of 'caps' (enum
 * node_kind_caps, node/kinds.h). */
bool node_has_caps(const struct node *node, unsigned int caps);
bool node_is_running(const struct node *node);
/* The IP of the first interface with one, without the prefix; NULL. */
const char *node_ip(const struct node *node, char *buf, size_t size);

/* Adds an interface named 'name' (NULL: "<node>-eth<next port>") at
 * 'port' (-1: next free); returns it (owned by the node). */
struct node_intf *node_add_intf(struct node *node, const char *name,
				int port, struct emu_err *err);
void node_remove_intf(struct node *node, struct node_intf *intf);
struct node_intf *node_find_intf(const struct node *node, const char *name);
/* What links ask of the nodes their ends belong to (link/intf.h). */
extern const struct link_end_ops node_link_ends;

/* Gives 'node' the context 'ctx' of its commands (takes ownership; NULL:
 * none); frees the one it had. */
void node_set_exec_ctx(struct node *node, struct node_exec_ctx *ctx);
/* Frees 'ctx' (accepts NULL). */
void node_exec_ctx_free(struct node_exec_ctx *ctx);

/* A descriptor of the caller for a field of struct node_exec_opts. */
#define NODE_FD(fd) ((fd) + 1)

/* How node_spawn() runs a command; the zero value runs it in the
 * foreground with /dev/null as stdin, stdout and stderr. */
struct node_exec_opts {
	/* NODE_FD(fd): the command gets the caller's 'fd' as 0, 1 or 2;
	   0 (or NODE_FD(-1)): /dev/null */
	int stdin_from, stdout_to, stderr_to;
	bool background;	/* tracked and killed when the node stops;
				   dies with cnemu (PR_SET_PDEATHSIG) */
	bool keep_signals;	/* leave SIGINT to the child's terminal */
	bool net_only;		/* enter only the network namespace and run
				   the machine's program (pingall: any image
				   answers, with no fork into its pid
				   namespace) */
};

/* True while the node runs on another machine (a cluster run): its
 * commands run here as relays, and nothing of it is in this machine's
 * /proc. */
bool node_is_relayed(const struct node *node);

/* Runs 'argv' inside the node's namespaces (fork, setns, exec), with the
 * node's exec context when it enters all of a container's namespaces.
 * Returns as soon as the command runs (never waits for its end) with the
 * pid of the command itself, a child of the caller also in a container
 * (the process that enters a pid namespace makes it with CLONE_PARENT and
 * exits at once), or a negative errno when it cannot run. */
pid_t node_spawn(struct node *node, char *const argv[],
		 const struct node_exec_opts *opts, struct emu_err *err);

/* Runs 'argv' in the node as node_spawn() with 'opts' (in the
 * foreground; its stdout and stderr go to a pipe), collects its output in
 * '*output' (caller frees; NULL: dropped) and waits for it; returns its
 * exit status (>= 0; 128 + signal) or a negative errno. */
int node_capture(struct node *node, char *const argv[],
		 const struct node_exec_opts *opts, char **output,
		 struct emu_err *err);

/* Runs the shell line 'cmd' in the node ("/bin/sh -c"), collects its
 * output (stdout and stderr) in '*output' (caller frees) and waits for it;
 * returns its exit status (>= 0) or a negative errno. */
int node_run(struct node *node, const char *cmd, char **output,
	     struct emu_err *err);

/* Kills the node's background processes (SIGTERM, then SIGKILL). */
void node_kill_background(struct node *node);

/* Opens the namespace 'type' ("net", "mnt", ...) of 'node' for setns();
 * returns an fd or a negative errno. */
int node_open_ns(const struct node *node, const char *type);

#endif
