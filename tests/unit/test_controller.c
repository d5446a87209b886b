/* The --controller argument: kinds, Mininet's aliases, options, errors;
 * and controller nodes before start (no process, no target). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "node/controller.h"
#include "node/node.h"

static void test_builtin_spec_takes_a_mode(void **state)
{
	struct controller_opts o;
	char *buf = NULL;

	(void)state;
	assert_int_equal(controller_parse("builtin,mode=learning", &o, &buf,
					  NULL),
			 0);
	assert_string_equal(o.kind, "builtin");
	assert_string_equal(o.mode, "learning");
	assert_null(o.ip);
	assert_int_equal(o.port, 0);
	free(buf);
}

static void test_remote_spec_takes_address_and_port(void **state)
{
	struct controller_opts o;
	char *buf = NULL;

	(void)state;
	assert_int_equal(controller_parse("remote,ip=10.0.0.5,port=6633", &o,
					  &buf, NULL),
			 0);
	assert_string_equal(o.kind, "remote");
	assert_string_equal(o.ip, "10.0.0.5");
	assert_int_equal(o.port, 6633);
	free(buf);
}

static void test_mininet_names_are_known(void **state)
{
	static const char *const specs[] = { "default", "ref", "ovsc", "none",
					     "remote", "builtin,mode=topo" };

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct controller_opts o;
		char *buf = NULL;

		assert_int_equal(controller_parse(specs[i], &o, &buf, NULL),
				 0);
		free(buf);
	}
}

static void test_bad_specs_say_what_is_wrong(void **state)
{
	static const struct {
		const char *spec, *says;
	} cases[] = {
		{ "nox", "unknown controller 'nox' (known: builtin, ovsc, "
			 "remote, none)" },
		{ "builtin,mode=hub", "unknown controller mode 'hub'" },
		{ "remote,mode=topo", "mode 'topo' is for the builtin" },
		{ "remote,ip=host.example", "invalid controller address" },
		{ "remote,port=0", "invalid controller port '0'" },
		{ "remote,port=x", "invalid controller port 'x'" },
		{ "builtin,learning", "expected key=value" },
		{ "builtin,speed=9", "unknown controller option 'speed'" },
		{ "", "empty controller" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct controller_opts o;
		struct emu_err err = { 0 };
		char *buf = NULL;
		int ret = controller_parse(cases[i].spec, &o, &buf, &err);

		assert_true(ret < 0);
		assert_int_equal(ret, err.code);
		if (!strstr(err.msg, cases[i].says))
			fail_msg("'%s': expected '%s', got '%s'",
				 cases[i].spec, cases[i].says, err.msg);
		free(buf);
	}
}

static void test_new_controller_node_has_no_target_yet(void **state)
{
	struct controller_opts o = { .kind = "ovsc" };
	struct node *c = controller_create(NULL, "c1", &o, NULL);

	(void)state;
	assert_non_null(c);
	assert_string_equal(node_kind(c), "ovsc");
	assert_int_equal(node_role(c), NODE_CONTROLLER);
	assert_false(node_is_running(c));
	assert_null(controller_target(c));
	assert_null(controller_topo_file(c));
	assert_true(controller_check(c));
	assert_int_equal(controller_reload(c, NULL), 0);
	node_destroy(c);
}

static void test_default_controller_is_builtin(void **state)
{
	struct node *c = controller_create(NULL, "c0", NULL, NULL);

	(void)state;
	assert_non_null(c);
	assert_string_equal(node_kind(c), "builtin");
	node_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_spec_takes_a_mode),
		cmocka_unit_test(test_remote_spec_takes_address_and_port),
		cmocka_unit_test(test_mininet_names_are_known),
		cmocka_unit_test(test_bad_specs_say_what_is_wrong),
		cmocka_unit_test(test_new_controller_node_has_no_target_yet),
		cmocka_unit_test(test_default_controller_is_builtin),
	};

	return cmocka_run_group_tests_name("controller", tests, NULL, NULL);
}
