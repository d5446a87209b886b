/* link/nl.c against the real kernel: veth pairs between namespaces,
 * addresses, routes, bridges, aliases, tx checksum offload.  Everything
 * made here is named tnl-*: namespaces tnl-a, tnl-b, tnl-sw, tnl-r1..3; root links
 * tnl-br0, tnl-pa, tnl-pb, tnl-m0, tnl-m1.  Teardown removes them all. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/netns.h"
#include "base/util.h"
#include "link/nl.h"
#include "tests/lib/testlib.h"

struct fixture {
	int fa, fb, fsw;		/* netns fds of tnl-a, tnl-b, tnl-sw */
	struct nlsock *root, *na, *nb;
};

static void remove_all(void)
{
	sh("ip netns del tnl-a 2>/dev/null; ip netns del tnl-b 2>/dev/null; "
	   "ip netns del tnl-sw 2>/dev/null; "
	   "for n in tnl-r1 tnl-r2 tnl-r3; do ip netns del $n 2>/dev/null; "
	   "done; "
	   "for l in tnl-br0 tnl-pa tnl-pb tnl-m0 tnl-m1; do "
	   "ip link del $l 2>/dev/null; done; true");
}

static int open_ns(const char *name)
{
	struct emu_err err = { 0 };
	int fd = netns_open(name, &err);

	if (fd < 0)
		print_error("%s\n", err.msg);
	return fd;
}

static int teardown(void **state);

static int setup(void **state)
{
	struct fixture *f;
	struct emu_err err;

	/* Skipping works in a test, not in its setup: tests call fixture(). */
	if (geteuid() != 0)
		return 0;
	remove_all();
	if (sh("ip netns add tnl-a && ip netns add tnl-b")) {
		remove_all();
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	f->fsw = -1;
	f->fa = open_ns("tnl-a");
	f->fb = open_ns("tnl-b");
	emu_err_clear(&err);
	f->root = nlsock_open(-1, &err);
	if (f->fa >= 0 && f->fb >= 0) {
		f->na = nlsock_open(f->fa, &err);
		f->nb = nlsock_open(f->fb, &err);
	}
	*state = f;
	if (!f->root || !f->na || !f->nb) {
		print_error("setup: %s\n", err.msg);
		teardown(state);	/* cmocka skips it when setup fails */
		*state = NULL;
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (geteuid() != 0)
		return 0;
	if (f) {
		nlsock_close(f->root);
		nlsock_close(f->na);
		nlsock_close(f->nb);
		if (f->fa >= 0)
			close(f->fa);
		if (f->fb >= 0)
			close(f->fb);
		if (f->fsw >= 0)
			close(f->fsw);
		free(f);
	}
	remove_all();
	return 0;
}

/* The fixture of a test; skips it (or fails it under CNEMU_TEST_STRICT=1)
 * when not root. */
static struct fixture *fixture(void **state)
{
	require_root();
	assert_non_null(*state);
	return *state;
}

#define assert_ok(call, err)                                                   \
	do {                                                                   \
		int ret_ = (call);                                             \
		if (ret_ < 0)                                                  \
			fail_msg("%s: %d %s", #call, ret_, (err).msg);         \
	} while (0)

/* Whether the output of a shell line contains 'needle' is 'want';
 * prints the output when it is not. */
static bool sh_shows(bool want, const char *needle, const char *cmd)
{
	char *out = sh_out("%s 2>&1", cmd);
	bool found = strstr(out, needle) != NULL;

	if (found != want)
		print_message("'%s' %s output of '%s':\n%s", needle,
			      want ? "not in" : "in", cmd, out);
	free(out);
	return found == want;
}
#define sh_has(needle, cmd) sh_shows(true, needle, cmd)
#define sh_lacks(needle, cmd) sh_shows(false, needle, cmd)

/* Pings 10.251.0.2 (02:00:00:25:10:02 on tnl-b0) from tnl-a0.  The ARP
 * table is shared by all namespaces, and other tests on the machine can
 * fill it ("neighbor table overflow", ping fails with ENOBUFS): permanent
 * entries on both sides are exempt from that limit. */
static bool ping_b_from_a(void)
{
	int i;

	sh("ip -n tnl-a neigh replace 10.251.0.2 lladdr 02:00:00:25:10:02 "
	   "dev tnl-a0 nud permanent; ip -n tnl-b neigh replace 10.251.0.1 "
	   "lladdr 02:00:00:25:10:01 dev tnl-b0 nud permanent");
	for (i = 0; i < 3; i++) {
		if (sh("ip netns exec tnl-a ping -c1 -W1 10.251.0.2 "
		       ">/dev/null") == 0)
			return true;
		sleep(1);
	}
	return false;
}

/* tnl-a0 in tnl-a <-> tnl-b0 in tnl-b, addressed 10.251.0.1/.2, up. */
static void make_pair(struct fixture *f, struct emu_err *err)
{
	struct nlsock_veth_end a = { "tnl-a0", f->fa, "02:00:00:25:10:01",
				 "tnl:a0", 0 };
	struct nlsock_veth_end b = { "tnl-b0", f->fb, "02:00:00:25:10:02",
				 "tnl:b0", 0 };

	assert_ok(nlsock_add_veth(f->root, &a, &b, 1400, err), *err);
	assert_ok(nlsock_add_addr(f->na, "tnl-a0", "10.251.0.1/24", err),
		  *err);
	assert_ok(nlsock_add_addr(f->nb, "tnl-b0", "10.251.0.2/24", err),
		  *err);
	assert_ok(nlsock_set_up(f->na, "tnl-a0", true, err), *err);
	assert_ok(nlsock_set_up(f->nb, "tnl-b0", true, err), *err);
	assert_ok(nlsock_set_up(f->na, "lo", true, err), *err);
	assert_ok(nlsock_set_up(f->nb, "lo", true, err), *err);
}

static void test_veth_between_namespaces_carries_ping(void **state)
{
	struct fixture *f = fixture(state);
	struct emu_err err;

	emu_err_clear(&err);
	make_pair(f, &err);
	assert_true(nlsock_ifindex(f->na, "tnl-a0") > 0);
	assert_int_equal(nlsock_ifindex(f->root, "tnl-a0"), -ENODEV);
	assert_int_equal(nlsock_ifindex(f->na, "tnl-b0"), -ENODEV);
	assert_true(sh_has("02:00:00:25:10:01",
			   "ip -n tnl-a link show tnl-a0"));
	assert_true(sh_has("mtu 1400", "ip -n tnl-b link show tnl-b0"));
	assert_true(sh_has("alias tnl:a0", "ip -n tnl-a link show tnl-a0"));
	assert_true(sh_has("alias tnl:b0", "ip -n tnl-b link show tnl-b0"));
	assert_true(ping_b_from_a());
}

static void test_add_veth_twice_names_the_veth_and_the_cause(void **state)
{
	struct fixture *f = fixture(state);
	struct nlsock_veth_end a = { "tnl-a0", f->fa, NULL, NULL, 0 };
	struct nlsock_veth_end b = { "tnl-b0", f->fb, NULL, NULL, 0 };
	struct emu_err err;

	emu_err_clear(&err);
	assert_ok(nlsock_add_veth(f->root, &a, &b, 0, &err), err);
	assert_int_equal(nlsock_add_veth(f->root, &a, &b, 0, &err), -EEXIST);
	print_message("error: %s\n", err.msg);
	assert_true(str_starts_with(err.msg,
				    "cannot create veth 'tnl-a0' <-> 'tnl-b0' "
				    "(one of the names is taken): File "
				    "exists"));
}

static void test_kernel_extack_text_is_in_the_error(void **state)
{
	struct fixture *f = fixture(state);
	struct emu_err err;

	emu_err_clear(&err);
	make_pair(f, &err);
	/* Host bits under the prefix: the kernel explains in its ext ack. */
	assert_int_equal(nlsock_add_route(f->na, "10.252.0.1/16", NULL,
					  "tnl-a0", &err),
			 -EINVAL);
	print_message("error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "cannot add route to '10.252.0.1/16' "
					"dev tnl-a0: Invalid argument ("));
	assert_non_null(strstr(err.msg, "prefix"));
}

static void test_routes_and_address_flush(void **state)
{
	struct fixture *f = fixture(state);
	struct emu_err err;

	emu_err_clear(&err);
	make_pair(f, &err);
	assert_ok(nlsock_add_addr(f->na, "tnl-a0", "10.253.0.1/16", &err), err);
	assert_ok(nlsock_add_addr(f->na, "tnl-a0", "10.251.0.9/24", &err), err);
	assert_ok(nlsock_add_addr(f->na, "tnl-a0", "fc00:251::1/64", &err),
		  err);
	assert_int_equal(nlsock_add_addr(f->na, "tnl-a0", "10.251.0.1/24",
					 &err),
			 -EEXIST);
	emu_err_clear(&err);
	assert_ok(nlsock_add_route(f->na, "default", "10.251.0.2", NULL, &err),
		  err);
	assert_ok(nlsock_add_route(f->na, "10.254.0.0/16", NULL, "tnl-a0",
				   &err),
		  err);
	assert_ok(nlsock_add_route(f->na, "10.250.0.0/16", "10.251.0.2",
				   "tnl-a0", &err),
		  err);
	assert_true(sh_has("default via 10.251.0.2 dev tnl-a0",
			   "ip -n tnl-a route"));
	assert_true(sh_has("10.254.0.0/16 dev tnl-a0 scope link",
			   "ip -n tnl-a route"));
	assert_true(sh_has("10.250.0.0/16 via 10.251.0.2 dev tnl-a0",
			   "ip -n tnl-a route"));
	assert_true(sh_has("brd 10.251.0.255", "ip -n tnl-a -4 addr"));

	assert_ok(nlsock_flush_addr4(f->na, "tnl-a0", &err), err);
	assert_true(sh_lacks("inet ", "ip -n tnl-a -4 addr show tnl-a0"));
	assert_true(sh_has("fc00:251::1", "ip -n tnl-a -6 addr show tnl-a0"));
	/* Flushing nothing is fine too. */
	assert_ok(nlsock_flush_addr4(f->na, "tnl-a0", &err), err);
	assert_int_equal(nlsock_flush_addr4(f->na, "tnl-zz", &err), -ENODEV);
}

static void test_move_link_and_set_mac(void **state)
{
	struct fixture *f = fixture(state);
	struct nlsock_veth_end a = { "tnl-m0", -1, NULL, NULL, 0 };
	struct nlsock_veth_end b = { "tnl-m1", -1, NULL, NULL, 0 };
	struct emu_err err;

	emu_err_clear(&err);
	assert_ok(nlsock_add_veth(f->root, &a, &b, 0, &err), err);
	assert_true(nlsock_ifindex(f->root, "tnl-m1") > 0);
	assert_ok(nlsock_move_link(f->root, "tnl-m1", f->fb, &err), err);
	assert_int_equal(nlsock_ifindex(f->root, "tnl-m1"), -ENODEV);
	assert_true(nlsock_ifindex(f->nb, "tnl-m1") > 0);
	assert_ok(nlsock_set_mac(f->nb, "tnl-m1", "02:00:00:25:10:aa", &err),
		  err);
	assert_true(sh_has("02:00:00:25:10:aa", "ip -n tnl-b link show tnl-m1"));
	assert_int_equal(nlsock_set_mac(f->nb, "tnl-m1", "02:00", &err),
			 -EINVAL);
	emu_err_clear(&err);
	assert_int_equal(nlsock_set_up(f->root, "tnl-zz", true, &err), -ENODEV);
	assert_string_equal(err.msg, "cannot set 'tnl-zz' up: No such device");
	assert_ok(nlsock_del_link(f->root, "tnl-m0", &err), err);
	assert_int_equal(nlsock_ifindex(f->nb, "tnl-m1"), -ENODEV);
}

static void collect(const char *ifname, const char *alias, void *aux)
{
	char *seen = aux;

	if (strlen(seen) + strlen(ifname) + strlen(alias) + 3 < 256)
		sprintf(seen + strlen(seen), "%s=%s ", ifname, alias);
}

static void test_root_bridge_has_nf_call_off_alias_and_ports(void **state)
{
	struct fixture *f = fixture(state);
	struct nlsock_bridge_opts opts = { .stp = false, .alias = "tnl:br0" };
	struct nlsock_veth_end a = { "tnl-a0", f->fa, NULL, NULL, 0 };
	struct nlsock_veth_end pa = { "tnl-pa", -1, NULL, "tnl:pa", 0 };
	struct nlsock_veth_end b = { "tnl-b0", f->fb, NULL, NULL, 0 };
	struct nlsock_veth_end pb = { "tnl-pb", -1, NULL, NULL, 0 };
	char seen[256] = "";
	struct emu_err err;

	emu_err_clear(&err);
	assert_ok(nlsock_add_bridge(f->root, "tnl-br0", &opts, &err), err);
	assert_ok(nlsock_add_veth(f->root, &pa, &a, 0, &err), err);
	assert_ok(nlsock_add_veth(f->root, &pb, &b, 0, &err), err);
	assert_ok(nlsock_set_master(f->root, "tnl-pa", "tnl-br0", &err), err);
	assert_ok(nlsock_set_master(f->root, "tnl-pb", "tnl-br0", &err), err);
	assert_ok(nlsock_set_up(f->root, "tnl-br0", true, &err), err);
	assert_true(sh_has("nf_call_iptables 0", "ip -d link show tnl-br0"));
	assert_true(sh_has("nf_call_ip6tables 0", "ip -d link show tnl-br0"));
	assert_true(sh_has("nf_call_arptables 0", "ip -d link show tnl-br0"));
	assert_true(sh_has("stp_state 0", "ip -d link show tnl-br0"));
	assert_true(sh_has("alias tnl:br0", "ip link show tnl-br0"));
	assert_true(sh_has("master tnl-br0", "ip link show tnl-pa"));
	assert_true(sh_has("master tnl-br0", "ip link show tnl-pb"));

	assert_int_equal(nlsock_foreach_alias(f->root, "tnl:", collect, seen,
					      &err),
			 2);
	assert_non_null(strstr(seen, "tnl-br0=tnl:br0 "));
	assert_non_null(strstr(seen, "tnl-pa=tnl:pa "));
	assert_int_equal(nlsock_set_master(f->root, "tnl-pa", "tnl-zz", &err),
			 -ENODEV);
	print_message("error: %s\n", err.msg);
	emu_err_clear(&err);
	assert_ok(nlsock_set_master(f->root, "tnl-pa", NULL, &err), err);
	assert_true(sh_lacks("master", "ip link show tnl-pa"));
	assert_ok(nlsock_set_alias(f->root, "tnl-pa", "", &err), err);
	assert_true(sh_lacks("alias", "ip link show tnl-pa"));

	assert_ok(nlsock_del_link(f->root, "tnl-br0", &err), err);
	assert_int_equal(nlsock_ifindex(f->root, "tnl-br0"), -ENODEV);
	assert_ok(nlsock_del_link(f->root, "tnl-br0", &err), err);
	seen[0] = '\0';
	assert_int_equal(nlsock_foreach_alias(f->root, "tnl:br", collect, seen,
					      &err),
			 0);
	/* The host's own namespace is never switched to nf_call off. */
	assert_int_equal(nlsock_set_bridge_nf_call(f->root, false, &err),
			 -EPERM);
}

static void test_bridge_in_own_namespace_forwards_between_hosts(void **state)
{
	struct fixture *f = fixture(state);
	struct nlsock_veth_end a = { "tnl-a0", f->fa, "02:00:00:25:10:01", NULL, 0 };
	struct nlsock_veth_end pa = { "tnl-pa", -1, NULL, NULL, 0 };
	struct nlsock_veth_end b = { "tnl-b0", f->fb, "02:00:00:25:10:02", NULL, 0 };
	struct nlsock_veth_end pb = { "tnl-pb", -1, NULL, NULL, 0 };
	char *root_before, *root_after;
	struct nlsock *sw;
	struct emu_err err;

	emu_err_clear(&err);
	assert_int_equal(sh("ip netns add tnl-sw"), 0);
	f->fsw = open_ns("tnl-sw");
	assert_true(f->fsw >= 0);
	sw = nlsock_open(f->fsw, &err);
	assert_non_null(sw);
	root_before = sh_out("sysctl -n net.bridge.bridge-nf-call-iptables");
	assert_ok(nlsock_set_bridge_nf_call(sw, false, &err), err);
	assert_ok(nlsock_add_bridge(sw, "tnl-br0", NULL, &err), err);
	assert_ok(nlsock_add_veth(sw, &pa, &a, 0, &err), err);
	assert_ok(nlsock_add_veth(sw, &pb, &b, 0, &err), err);
	assert_ok(nlsock_set_master(sw, "tnl-pa", "tnl-br0", &err), err);
	assert_ok(nlsock_set_master(sw, "tnl-pb", "tnl-br0", &err), err);
	assert_ok(nlsock_set_up(sw, "tnl-pa", true, &err), err);
	assert_ok(nlsock_set_up(sw, "tnl-pb", true, &err), err);
	assert_ok(nlsock_set_up(sw, "tnl-br0", true, &err), err);
	assert_ok(nlsock_add_addr(f->na, "tnl-a0", "10.251.0.1/24", &err), err);
	assert_ok(nlsock_add_addr(f->nb, "tnl-b0", "10.251.0.2/24", &err), err);
	assert_ok(nlsock_set_up(f->na, "tnl-a0", true, &err), err);
	assert_ok(nlsock_set_up(f->nb, "tnl-b0", true, &err), err);
	nlsock_close(sw);

	root_after = sh_out("sysctl -n net.bridge.bridge-nf-call-iptables");
	assert_string_equal(root_before, root_after);
	free(root_before);
	free(root_after);
	assert_true(sh_has("0", "ip netns exec tnl-sw sysctl -n "
				"net.bridge.bridge-nf-call-iptables"));
	assert_true(ping_b_from_a());
}

/* A VXLAN between tnl-a and tnl-b over the veth pair: made in tnl-a and
 * put into tnl-sw (its UDP socket stays in tnl-a), made in tnl-b where it
 * stays; 10.252.0.1 in tnl-sw pings 10.252.0.2 in tnl-b through it. */
static void test_vxlan_put_in_another_namespace_carries_ping(void **state)
{
	struct fixture *f = fixture(state);
	struct nlsock_vxlan_opts va = {
		.name = "tnl-vx", .vni = 4242, .local = "10.251.0.1",
		.remote = "10.251.0.2", .nsfd = -1,
	};
	struct nlsock_vxlan_opts vb = va;
	struct nlsock *sw;
	struct emu_err err;

	emu_err_clear(&err);
	make_pair(f, &err);
	assert_true(sh("ip netns add tnl-sw") == 0);
	f->fsw = open_ns("tnl-sw");
	assert_true(f->fsw >= 0);
	sw = nlsock_open(f->fsw, &err);
	assert_non_null(sw);
	assert_int_equal(nlsock_mtu(f->na, "tnl-a0"), 1400);
	assert_int_equal(nlsock_mtu(f->na, "tnl-none"), -ENODEV);
	va.link_ifindex = nlsock_ifindex(f->na, "tnl-a0");
	va.nsfd = f->fsw;
	va.mtu = 1350;
	assert_ok(nlsock_add_vxlan(f->na, &va, &err), err);
	vb.local = "10.251.0.2";
	vb.remote = "10.251.0.1";
	assert_ok(nlsock_add_vxlan(f->nb, &vb, &err), err);
	assert_int_equal(nlsock_ifindex(f->na, "tnl-vx"), -ENODEV);
	assert_int_equal(nlsock_mtu(sw, "tnl-vx"), 1350);
	/* ('ip' names the underlay by its index in tnl-sw: not checked.) */
	assert_true(sh_has("vxlan id 4242 remote 10.251.0.2 local 10.251.0.1 ",
			   "ip -d -n tnl-sw link show tnl-vx"));
	assert_true(sh_has("dstport 4789", "ip -d -n tnl-b link show tnl-vx"));
	assert_ok(nlsock_add_addr(sw, "tnl-vx", "10.252.0.1/24", &err), err);
	assert_ok(nlsock_add_addr(f->nb, "tnl-vx", "10.252.0.2/24", &err), err);
	assert_ok(nlsock_set_up(sw, "tnl-vx", true, &err), err);
	assert_ok(nlsock_set_up(f->nb, "tnl-vx", true, &err), err);
	assert_true(sh("ip netns exec tnl-sw ping -c1 -W2 10.252.0.2 "
		       ">/dev/null || ip netns exec tnl-sw ping -c1 -W2 "
		       "10.252.0.2 >/dev/null") == 0);
	/* The same name twice is the kernel's "exists", named. */
	err.code = 0;
	assert_int_equal(nlsock_add_vxlan(f->nb, &vb, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "cannot create VXLAN 'tnl-vx'"));
	nlsock_close(sw);
}

static void test_tx_csum_off_shows_in_ethtool(void **state)
{
	struct fixture *f = fixture(state);
	struct emu_err err;

	emu_err_clear(&err);
	make_pair(f, &err);
	assert_true(sh_has("tx-checksumming: on",
			   "ip netns exec tnl-a ethtool -k tnl-a0"));
	assert_ok(nlsock_set_tx_csum(f->fa, "tnl-a0", false, &err), err);
	assert_true(sh_has("tx-checksumming: off",
			   "ip netns exec tnl-a ethtool -k tnl-a0"));
	/* The kernel drops TSO with the checksum: ethtool then shows
	 * "tx-tcp-segmentation: off [requested on]". */
	assert_true(sh_has("tx-tcp-segmentation: off",
			   "ip netns exec tnl-a ethtool -k tnl-a0"));
	assert_ok(nlsock_set_tx_csum(f->fa, "tnl-a0", true, &err), err);
	assert_true(sh_has("tx-checksumming: on",
			   "ip netns exec tnl-a ethtool -k tnl-a0"));
	assert_int_equal(nlsock_set_tx_csum(f->fa, "tnl-zz", false, &err),
			 -ENODEV);
	print_message("error: %s\n", err.msg);
}

static void test_open_in_namespace_returns_to_callers_namespace(void **state)
{
	struct fixture *f = fixture(state);
	struct stat before, after;
	struct nlsock *s;

	assert_int_equal(stat("/proc/thread-self/ns/net", &before), 0);
	s = nlsock_open(f->fa, NULL);
	assert_non_null(s);
	assert_int_equal(stat("/proc/thread-self/ns/net", &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	/* ...and the socket acts in tnl-a. */
	assert_true(nlsock_ifindex(s, "lo") > 0);
	assert_int_equal(nlsock_ifindex(s, "docker0"), -ENODEV);
	nlsock_close(s);
}

static void test_many_sockets_open_at_once(void **state)
{
	struct rlimit rl;
	struct nlsock **socks;
	struct emu_err err;
	int i, n = 1500;

	fixture(state);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max :
							    (rlim_t)n + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)n + 64)
			n = rl.rlim_cur - 64;
	}
	socks = xcalloc(n, sizeof(*socks));
	emu_err_clear(&err);
	for (i = 0; i < n; i++) {
		socks[i] = nlsock_open(-1, &err);
		if (!socks[i])
			fail_msg("socket %d: %s", i, err.msg);
	}
	/* The last one still works. */
	assert_true(nlsock_ifindex(socks[n - 1], "lo") > 0);
	for (i = 0; i < n; i++)
		nlsock_close(socks[i]);
	free(socks);
}

/* Not a pass/fail figure: how long one veth pair with addresses takes. */
static void test_speed_of_200_veth_pairs(void **state)
{
	struct fixture *f = fixture(state);
	char a_name[24], b_name[24], addr[32];
	unsigned long long t0, t1;
	struct emu_err err;
	int i;

	emu_err_clear(&err);
	t0 = now_us();
	for (i = 0; i < 200; i++) {
		struct nlsock_veth_end a = { a_name, f->fa, NULL, NULL, 0 };
		struct nlsock_veth_end b = { b_name, f->fb, NULL, NULL, 0 };

		snprintf(a_name, sizeof(a_name), "tnl-a%d", i);
		snprintf(b_name, sizeof(b_name), "tnl-b%d", i);
		snprintf(addr, sizeof(addr), "10.%d.%d.1/30", 100 + i / 250,
			 i % 250);
		assert_ok(nlsock_add_veth(f->root, &a, &b, 0, &err), err);
		assert_ok(nlsock_add_addr(f->na, a_name, addr, &err), err);
		assert_ok(nlsock_set_up(f->na, a_name, true, &err), err);
		assert_ok(nlsock_set_up(f->nb, b_name, true, &err), err);
	}
	t1 = now_us();
	print_message("200 veth pairs (create, address, 2x up): %.1f ms, "
		      "%.0f us per pair\n",
		      (t1 - t0) / 1000.0, (t1 - t0) / 200.0);
}

/* Names taken at once become namespaces of their own, listed by 'ip
 * netns' under those names. */
static void test_reserved_names_become_namespaces(void **state)
{
	char *names[] = { "tnl-r1", "tnl-r2", "tnl-r3" };
	struct emu_err err = { 0 };
	struct stat st[3];
	int fd[3];

	(void)fixture(state);
	assert_ok(netns_reserve(names, 3, &err), err);
	for (int i = 0; i < 3; i++) {
		fd[i] = netns_create(names[i], &err);
		assert_ok(fd[i], err);
		assert_int_equal(fstat(fd[i], &st[i]), 0);
	}
	assert_true(st[0].st_ino != st[1].st_ino &&
		    st[1].st_ino != st[2].st_ino);
	assert_true(sh_has("tnl-r3", "ip netns list"));
	assert_int_equal(sh("ip netns exec tnl-r2 ip link show lo >/dev/null"),
			 0);
	for (int i = 0; i < 3; i++) {
		close(fd[i]);
		assert_int_equal(netns_delete(names[i]), 0);
	}
	assert_false(sh_has("tnl-r", "ip netns list"));
}

/* A name already taken by a namespace cnemu did not make fails the whole
 * reservation in one line, leaves that namespace alone and takes none of
 * the other names. */
static void test_reserve_meets_a_foreign_namespace(void **state)
{
	char *names[] = { "tnl-r1", "tnl-r2", "tnl-r3" };
	struct emu_err err = { 0 };

	(void)fixture(state);
	assert_int_equal(sh("ip netns add tnl-r2"), 0);
	assert_int_equal(netns_reserve(names, 3, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "'tnl-r2'"));
	assert_non_null(strstr(err.msg, "File exists"));
	assert_int_equal(access("/run/netns/tnl-r1", F_OK), -1);
	assert_int_equal(access("/run/netns/tnl-r3", F_OK), -1);
	assert_int_equal(sh("ip netns exec tnl-r2 true"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_veth_between_namespaces_carries_ping),
		T(test_add_veth_twice_names_the_veth_and_the_cause),
		T(test_kernel_extack_text_is_in_the_error),
		T(test_routes_and_address_flush),
		T(test_move_link_and_set_mac),
		T(test_root_bridge_has_nf_call_off_alias_and_ports),
		T(test_bridge_in_own_namespace_forwards_between_hosts),
		T(test_vxlan_put_in_another_namespace_carries_ping),
		T(test_tx_csum_off_shows_in_ethtool),
		T(test_open_in_namespace_returns_to_callers_namespace),
		T(test_many_sockets_open_at_once),
		T(test_speed_of_200_veth_pairs),
		T(test_reserved_names_become_namespaces),
		T(test_reserve_meets_a_foreign_namespace),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
