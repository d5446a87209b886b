/* Mininet's NAT: a node in the machine's own network namespace, linked to
 * a switch of the topology, through which the hosts reach the machine and
 * its uplink (Mininet's NAT class in mininet/nodelib.py): at start the
 * kernel forwards (net.ipv4.ip_forward=1) and iptables gets Mininet's four
 * rules — FORWARD drops what comes in from the topology for the
 * topology, accepts what leaves it and what comes back to it; POSTROUTING
 * masquerades what leaves the topology's subnet.  They go in at the head
 * of their chains, so that a firewall's own rules (Docker's FORWARD
 * policy is DROP) cannot drop the hosts' traffic first.
 *
 * Every rule carries the comment "cnemu:<tag>" and is noted in the run's
 * directory before it goes in: net stop removes exactly the rules it
 * added, and nat_cleanup() those that runs which died noted.  The
 * forwarding switch is put back at stop when the NAT turned it on; the
 * run directory keeps the earlier value for nat_cleanup().
 *
 * iptables has no stable library interface (Docker, libvirt and Mininet
 * all run it): the rules are added by running 'iptables -w', four times
 * per run, never per host.
 *
 * nat_create() makes the node object; the Net owns it (role host, in the
 * root namespace: 'nsfd' -1). */
#ifndef NODE_NAT_H
#define NODE_NAT_H

#include <stdbool.h>
#include <stddef.h>

struct emu_err;
struct node;
struct node_ctx;

/* How many rules a NAT adds. */
#define NAT_N_RULES 4
/* Room for one rule's argv (NULL-ended). */
#define NAT_ARGV_MAX 24

/* Returns a new NAT node 'name' of the run 'ctx' for the hosts' 'subnet'
 * ("10.0.0.0/8"; copied).  Its first interface is the one toward the
 * topology (Mininet's localIntf). */
struct node *nat_create(struct node_ctx *ctx, const char *name,
			const char *subnet);

/* True when 'node' is a NAT. */
bool node_is_nat(const struct node *node);

/* Fills 'argv' with the iptables command that adds ('add') or deletes
 * rule 'i' (0 .. NAT_N_RULES - 1) of a NAT whose interface toward the
 * topology is 'intf', for 'subnet', tagged 'comment'; the strings are
 * borrowed.  Returns the number of words. */
size_t nat_rule_argv(size_t i, bool add, const char *intf,
		     const char *subnet, const char *comment,
		     const char *argv[NAT_ARGV_MAX]);

/* True when the IPv4 subnets 'a' and 'b' ("10.0.0.0/8") share an
 * address (two labs' NATs must not: their routes and masquerades would
 * take each other's traffic). */
bool nat_subnets_overlap(const char *a, const char *b);

/* Removes the rules that the runs 'is_dead' says died noted in their
 * directories (only rules with their comment "cnemu:<tag>" can match),
 * and puts their forwarding switch back (unless a run still lives).
 * Returns how many rules it removed. */
int nat_cleanup(bool (*is_dead)(const char *tag, void *aux), void *aux);

#endif
