/* The agent of a machine in a cluster run ('cnemu --agent'), and the
 * relay that runs a command in one of its nodes ('cnemu --agent-exec').
 *
 * The agent listens on its underlay address (port CHAN_PORT) for the
 * authenticated channel (cluster/chan.h) and answers requests, each a
 * JSON object {"op": ...}; every answer carries "ok" (true, or false with
 * "error", one sentence):
 *   hello      {version, hostname, addr, mtu (of the underlay device)};
 *              the connection that says hello is the manager's
 *   build      {part}: makes this machine's part (cluster/part.h),
 *              answered once it runs; one part at a time
 *   set_link   {node1, node2 | vni, shaping1, shaping2}: the shaping of
 *              the links between node1 and node2 (or node1's end of the
 *              cut with that VNI); a missing shaping stays as it is
 *   link_up    {node1, node2 | vni, up}
 *   topology   {topology}: the text the part's controllers read now
 *              (cluster/part.h: a link was set down or up)
 *   rtt        {addr}: {rtt_ms}, the underlay's round trip to 'addr'
 *   add_node   {node}, add_link {link}, add_cut {cut}: one item of a
 *              part (cluster/part.h), made at once in the running part
 *   remove_link {link} (found by its node1 and intf1), remove_node
 *              {node}, remove_cut {vni}: taken out of the running part
 *   stop       removes the part
 * A connection whose first request is "exec" {node, argv} is served by a
 * child process of its own: the command runs in the node with its stdin,
 * stdout and stderr relayed as frames {"op": "stdin"|"stdout"|"stderr",
 * "data": base64}, {"op": "eof"} (stdin closed), {"op": "signal", "sig"}
 * and at the end {"op": "exit", "status"} (128 + signal when killed).
 *
 * When the manager's connection is lost and no manager says hello again
 * within AGENT_LINGER_MS, the agent removes its part by itself (the
 * manager was killed); the run's objects carry its tag as any run's, so
 * 'cnemu -c' removes what an agent killed itself left behind. */
#ifndef CLUSTER_AGENT_H
#define CLUSTER_AGENT_H

#include <signal.h>

struct emu_err;

#define AGENT_LINGER_MS 10000

struct agent_opts {
	const char *listen;	/* "ADDR" or "ADDR:PORT" ("[v6]:PORT") */
	const char *key_file;	/* the run's key (chan_read_key()) */
	int linger_ms;		/* 0: AGENT_LINGER_MS */
	volatile sig_atomic_t *stop;	/* set by a signal: the agent
					   removes its part and returns */
};

/* Serves until '*opts->stop' is set; removes its part on the way out.
 * Returns 0, or a negative errno when it cannot start (bad address, key,
 * port taken) with 'err' set. */
int agent_run(const struct agent_opts *opts, struct emu_err *err);

/* Runs 'argv' in the node 'node' of the agent at 'addr' ("ADDR:PORT"),
 * relaying this process's stdin, stdout and stderr, and a SIGINT or
 * SIGTERM (when '*stop' becomes set) to the command.  Returns the
 * command's exit status (0..255), or a negative errno with 'err' set
 * when it could not run. */
int agent_exec(const char *addr, const char *key_file, const char *node,
	       char *const argv[], volatile sig_atomic_t *stop,
	       struct emu_err *err);

/* In a container of the agents' image (a Swarm service: the agent, or
 * the one-shot 'cnemu -c' of 'cnemu -c --cluster swarm'), the machine's
 * /proc is bound at SWARM_AGENT_MACHINE_PROC: makes it
 * proc_machine_root(), so that runs are told apart, live or dead, by
 * their pids on the machine.  Elsewhere does nothing. */
void agent_find_machine_proc(void);

/* Splits "ADDR[:PORT]" ("[v6]:PORT" for IPv6) into 'host' and '*port'
 * (CHAN_PORT when not given).  Returns 0 or -EINVAL with 'err' set. */
int agent_parse_addr(const char *s, char *host, size_t size, int *port,
		     struct emu_err *err);

#endif
