/* Node kinds stand on the context the Net lends them (node_ctx), not on
 * the Net: this program links node/, link/, topo/ and base/ without emu/
 * (see the Makefile), so a call up into the Net fails its build.  No
 * root, no machine: only nodes described. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "node/bridge.h"
#include "node/controller.h"
#include "node/docker.h"
#include "node/host.h"
#include "node/kinds.h"
#include "node/nat.h"
#include "node/node.h"
#include "node/switch_ovs.h"

/* What a Net would answer; here counted. */
struct fake_owner {
	unsigned int targets_asked;
};

static const char *const *fake_targets(void *owner, const struct node *sw)
{
	static const char *const targets[] = { "tcp:127.0.0.1:6653", NULL };

	(void)sw;
	((struct fake_owner *)owner)->targets_asked++;
	return targets;
}

static int fake_write_topology(void *owner, const struct node *ctl,
			       const char *path, struct emu_err *err)
{
	(void)owner;
	(void)ctl;
	(void)path;
	return emu_err_set(err, -EPERM, "not in a unit test");
}

static void ctx_init(struct node_ctx *ctx, struct fake_owner *owner)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->run_tag = "cn7";
	ctx->alias = "cnemu:cn7";
	ctx->switch_targets = fake_targets;
	ctx->write_topology = fake_write_topology;
	ctx->owner = owner;
}

static void test_every_kind_is_made_with_the_run_context(void **state)
{
	struct fake_owner owner = { 0 };
	struct docker_opts dopts = { .dimage = "ubuntu" };
	struct controller_opts copts = { .kind = "remote" };
	struct node_ctx ctx;
	struct node *nodes[6];
	static const struct {
		const char *kind;
		enum node_role role;
	} want[] = {
		{ "host", NODE_HOST },	  { "docker", NODE_HOST },
		{ "nat", NODE_HOST },	  { "lxbr", NODE_SWITCH },
		{ "ovs", NODE_SWITCH },	  { "remote", NODE_CONTROLLER },
	};

	(void)state;
	ctx_init(&ctx, &owner);
	nodes[0] = host_create(&ctx, "h1", NULL);
	nodes[1] = docker_create(&ctx, "d1", &dopts, NULL);
	nodes[2] = nat_create(&ctx, "nat0", "10.0.0.0/8");
	nodes[3] = bridge_create(&ctx, "s1", false);
	nodes[4] = ovs_switch_create(&ctx, "s2", 2, false, false);
	nodes[5] = controller_create(&ctx, "c0", &copts, NULL);
	for (size_t i = 0; i < 6; i++) {
		assert_non_null(nodes[i]);
		assert_ptr_equal(nodes[i]->ctx, &ctx);
		assert_string_equal(node_kind(nodes[i]), want[i].kind);
		assert_int_equal(node_role(nodes[i]), want[i].role);
		assert_false(node_is_running(nodes[i]));
		assert_int_equal(node_has_caps(nodes[i], NODE_KIND_CONTAINER),
				 i == 1);
		node_destroy(nodes[i]);
	}
	assert_int_equal(owner.targets_asked, 0);
}

/* A container takes the run's tag from the context; without a context it
 * needs one of its own. */
static void test_container_needs_a_context_or_a_run_tag(void **state)
{
	struct fake_owner owner = { 0 };
	struct docker_opts o = { .dimage = "ubuntu" };
	struct emu_err err = { 0 };
	struct node_ctx ctx;
	struct node *n;

	(void)state;
	ctx_init(&ctx, &owner);
	assert_null(docker_create(NULL, "d1", &o, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, "'d1': no Net and no run tag");
	n = docker_create(&ctx, "d1", &o, NULL);
	assert_non_null(n);
	node_destroy(n);
}

/* Interfaces are named from the node as Mininet does, and a kind's limit
 * holds whatever the Net is. */
static void test_intfs_are_named_from_the_node(void **state)
{
	struct fake_owner owner = { 0 };
	struct node_ctx ctx;
	struct node *s1, *h1;
	struct node_intf *i;

	(void)state;
	ctx_init(&ctx, &owner);
	s1 = bridge_create(&ctx, "s1", false);
	h1 = host_create(&ctx, "h1", NULL);
	i = node_add_intf(s1, NULL, -1, NULL);
	assert_non_null(i);
	assert_string_equal(i->name, "s1-eth1");
	i = node_add_intf(h1, NULL, -1, NULL);
	assert_string_equal(i->name, "h1-eth0");
	assert_ptr_equal(node_find_intf(h1, "h1-eth0"), i);
	node_destroy(s1);
	node_destroy(h1);
}

/* Every row of the table is made by its kind: a switch by
 * node_create_switch(), a controller by controller_create() under the
 * row's name and each alias, and each says the row's role. */
static void test_every_kind_of_the_table_is_made(void **state)
{
	struct fake_owner owner = { 0 };
	const struct node_kind *kinds;
	struct node_ctx ctx;
	size_t n;

	(void)state;
	ctx_init(&ctx, &owner);
	kinds = node_kinds(&n);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		const struct node_kind *k = &kinds[i];
		struct controller_opts co = { .kind = k->name };
		struct node *node = NULL;

		if (k->role == NODE_SWITCH) {
			node = node_create_switch(k, &ctx, "s1", 1, false,
						  false);
			assert_true(node_has_caps(node,
						  k->caps & NODE_KIND_OVS));
			assert_int_equal(node_has_caps(node, NODE_KIND_OVS),
					 !!(k->caps & NODE_KIND_OVS));
		} else if (k->role == NODE_CONTROLLER) {
			node = controller_create(&ctx, "c0", &co, NULL);
			assert_non_null(node);
			assert_string_equal(node_kind(node), k->name);
			for (size_t j = 0; k->aliases[j]; j++) {
				struct node *a;

				co.kind = k->aliases[j];
				a = controller_create(&ctx, "c1", &co, NULL);
				assert_non_null(a);
				assert_string_equal(node_kind(a), k->name);
				node_destroy(a);
			}
		} else {
			assert_int_equal(k->role, NODE_HOST);
			continue;	/* test_every_kind_is_made_... */
		}
		assert_int_equal(node_role(node), k->role);
		node_destroy(node);
	}
}

static void test_kinds_are_found_by_name_alias_and_class(void **state)
{
	const struct node_kind *ovs = node_kind_find(NODE_SWITCH, "ovs");

	(void)state;
	assert_non_null(ovs);
	assert_ptr_equal(node_kind_find(NODE_SWITCH, "ovsk"), ovs);
	assert_ptr_equal(node_kind_find(NODE_SWITCH, "user"), ovs);
	assert_ptr_equal(node_kind_find_class(NODE_SWITCH, "OVSKernelSwitch"),
			 ovs);
	assert_ptr_equal(node_kind_default(NODE_SWITCH), ovs);
	assert_string_equal(node_kind_find_class(NODE_SWITCH, "OVSBridge")->name,
			    "ovsbr");
	assert_string_equal(
		node_kind_find_class(NODE_SWITCH, "LinuxBridge")->name, "lxbr");
	assert_string_equal(node_kind_find(NODE_CONTROLLER, "ref")->name,
			    "ovsc");
	assert_string_equal(
		node_kind_find_class(NODE_CONTROLLER, "RemoteController")->name,
		"remote");
	assert_string_equal(node_kind_default(NODE_CONTROLLER)->name,
			    "builtin");
	assert_string_equal(node_kind_default(NODE_HOST)->name, "host");
	/* A name is a kind of its role only; a class is not a name. */
	assert_null(node_kind_find(NODE_HOST, "ovs"));
	assert_null(node_kind_find(NODE_SWITCH, "OVSSwitch"));
	assert_null(node_kind_find_class(NODE_SWITCH, "ovs"));
	assert_null(node_kind_find(NODE_SWITCH, NULL));
}

static void test_unknown_kind_says_which_are_known(void **state)
{
	const struct node_kind *k = NULL;
	struct emu_err err = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(node_kind_lookup(NODE_SWITCH, "cisco", &k, &err),
			 -EINVAL);
	assert_null(k);
	assert_string_equal(err.msg,
			    "unknown switch 'cisco' (known: ovs, ovsbr, lxbr)");
	emu_err_clear(&err);
	assert_int_equal(node_kind_lookup(NODE_CONTROLLER, "nox", &k, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "unknown controller 'nox' (known: "
				     "builtin, ovsc, remote, none)");
	assert_string_equal(node_kind_classes(node_kind_default(NODE_HOST),
					      buf, sizeof(buf)),
			    "Host, CPULimitedHost");
	/* Cut at the buffer's end, never past it. */
	assert_string_equal(node_kind_names(NODE_SWITCH, buf, 6), "ovs, ");
}

/* 'dump' shows Mininet's class of a kind, or the kind without one. */
static void test_dump_shows_the_first_class_of_a_kind(void **state)
{
	(void)state;
	assert_string_equal(node_kind_class("lxbr"), "LinuxBridge");
	assert_string_equal(node_kind_class("ovs"), "OVSSwitch");
	assert_string_equal(node_kind_class("builtin"), "Controller");
	assert_string_equal(node_kind_class("host"), "Host");
	assert_string_equal(node_kind_class("none"), "none");
	assert_string_equal(node_kind_class("other"), "other");
	assert_string_equal(node_role_name(NODE_SWITCH), "switch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_is_made_with_the_run_context),
		cmocka_unit_test(test_container_needs_a_context_or_a_run_tag),
		cmocka_unit_test(test_intfs_are_named_from_the_node),
		cmocka_unit_test(test_every_kind_of_the_table_is_made),
		cmocka_unit_test(test_kinds_are_found_by_name_alias_and_class),
		cmocka_unit_test(test_unknown_kind_says_which_are_known),
		cmocka_unit_test(test_dump_shows_the_first_class_of_a_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
