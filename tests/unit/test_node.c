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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_is_made_with_the_run_context),
		cmocka_unit_test(test_container_needs_a_context_or_a_run_tag),
		cmocka_unit_test(test_intfs_are_named_from_the_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
