/* The catalogue of bad input: topology scripts (syntax errors, unknown
 * keys, out-of-range values, duplicate, overlong and hostile names,
 * topologies beyond the address plan) and command-line options.  Each
 * must exit non-zero, say the script's file:line or name the option,
 * finish in under a second (printed, not asserted: the machine is shared)
 * and leave nothing of its run on the machine. */
#include "tests/lib/testlib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/runs.h"

/* Each run: its own time limit before we call it a hang. */
#define BAD_TIMEOUT_MS 20000
/* What "in under a second" means. */
#define BAD_FAST_S 1.0
#define BAD_MAX_CASES 128

/* A script: its body, the line the error must name and a piece of the
 * message.  Line 1 is the same for most. */
struct bad_script {
	const char *name;
	int line;
	const char *says;
	const char *body;
};

#define NET "local net = cnemu.Net{switch = \"lxbr\", controller = false}\n"
#define H1S1                                                                   \
	NET "local h1 = net:addHost(\"h1\")\n"                                 \
	    "local s1 = net:addSwitch(\"s1\")\n"

static const struct bad_script bad_scripts[] = {
	/* syntax */
	{ "syntax_call", 2, "')' expected",
	  NET "net:addHost(\"h1\" \"h2\")\n" },
	{ "syntax_string", 2, "unfinished string", NET "net:addHost(\"h1)\n" },
	{ "syntax_eof", 3, "expected", NET "for i = 1, 3 do\n" },
	{ "syntax_binary", 1, "unexpected symbol", "\x7f" "ELF\x01\x01\n" },
	{ "runtime_nil_call", 2, "addHots", NET "net:addHots(\"h1\")\n" },
	{ "runtime_error", 2, "boom", NET "error(\"boom\")\n" },
	/* unknown keys */
	{ "unknown_net_key", 1, "swich", "cnemu.Net{swich = \"lxbr\"}\n" },
	{ "unknown_host_key", 2, "ipp",
	  NET "net:addHost(\"h1\", {ipp = \"10.0.0.1\"})\n" },
	{ "unknown_switch_key", 2, "colour",
	  NET "net:addSwitch(\"s1\", {colour = \"red\"})\n" },
	{ "unknown_link_key", 4, "bww",
	  H1S1 "net:addLink(h1, s1, {bww = 10})\n" },
	{ "unknown_controller_key", 2, "flavour",
	  NET "net:addController(\"c0\", {flavour = \"x\"})\n" },
	{ "unknown_switch_class", 1, "cisco",
	  "cnemu.Net{switch = \"cisco\"}\n" },
	{ "unknown_link_class", 4, "Wormhole",
	  H1S1 "net:addLink(h1, s1, {cls = \"Wormhole\"})\n" },
	{ "non_table_options", 2, "table", NET "net:addHost(\"h1\", 42)\n" },
	/* out-of-range and malformed values */
	{ "bw_negative", 4, "bw", H1S1 "net:addLink(h1, s1, {bw = -1})\n" },
	{ "bw_text", 4, "bw", H1S1 "net:addLink(h1, s1, {bw = \"fast\"})\n" },
	{ "loss_150", 4, "loss", H1S1 "net:addLink(h1, s1, {loss = 150})\n" },
	{ "delay_negative", 4, "delay",
	  H1S1 "net:addLink(h1, s1, {delay = \"-5ms\"})\n" },
	{ "delay_unit", 4, "delay",
	  H1S1 "net:addLink(h1, s1, {delay = \"5parsecs\"})\n" },
	{ "mtu_tiny", 4, "mtu", H1S1 "net:addLink(h1, s1, {mtu = 1})\n" },
	{ "port_negative", 4, "port1",
	  H1S1 "net:addLink(h1, s1, {port1 = -5})\n" },
	{ "port_taken", 5, "taken",
	  H1S1 "net:addLink(h1, s1, {port2 = 1})\n"
	       "net:addLink(net:addHost(\"h2\"), s1, {port2 = 1})\n" },
	{ "ip_octet", 2, "10.0.0.300",
	  NET "net:addHost(\"h1\", {ip = \"10.0.0.300/8\"})\n" },
	{ "ip_prefix", 2, "10.0.0.1/40",
	  NET "net:addHost(\"h1\", {ip = \"10.0.0.1/40\"})\n" },
	{ "mac_bad", 2, "zz:zz",
	  NET "net:addHost(\"h1\", {mac = \"zz:zz:zz:zz:zz:zz\"})\n" },
	{ "controller_port", 2, "port",
	  NET "net:addController(\"c0\", {port = 70000})\n" },
	{ "controller_ip", 2, "300.1.1.1",
	  NET "net:addController(\"c0\", {cls = \"remote\", "
	      "ip = \"300.1.1.1\"})\n" },
	{ "ipbase_33", 1, "10.0.0.0/33",
	  "cnemu.Net{ipBase = \"10.0.0.0/33\"}\n" },
	{ "dpid_text", 2, "xyz",
	  NET "net:addSwitch(\"s1\", {dpid = \"xyz\"})\n" },
	{ "docker_no_image", 2, "dimage", NET "net:addDocker(\"d1\", {})\n" },
	{ "docker_volume", 2, "volume",
	  NET "net:addDocker(\"d1\", "
	      "{dimage = \"x\", volumes = {\"nocolon\"}})\n" },
	{ "bw_huge", 4, "bw", H1S1 "net:addLink(h1, s1, {bw = 1e300})\n" },
	{ "delay_huge", 4, "delay",
	  H1S1 "net:addLink(h1, s1, {delay = \"99999999999999s\"})\n" },
	{ "loss_text", 4, "loss",
	  H1S1 "net:addLink(h1, s1, {loss = \"abc\"})\n" },
	{ "queue_zero", 4, "max_queue_size",
	  H1S1 "net:addLink(h1, s1, {max_queue_size = -1})\n" },
	{ "link_ip_bad", 4, "bogus",
	  H1S1 "net:addLink(h1, s1, {params1 = {ip = \"bogus\"}})\n" },
	{ "ip_two_prefixes", 2, "10.0.0.1/8/9",
	  NET "net:addHost(\"h1\", {ip = \"10.0.0.1/8/9\"})\n" },
	{ "dpid_17_digits", 2, "dpid",
	  NET "net:addSwitch(\"s1\", {dpid = \"fffffffffffffffff\"})\n" },
	{ "controller_type", 1, "controller",
	  "cnemu.Net{controller = 42}\n" },
	{ "topo_zero", 1, "linear,0", "cnemu.Net{topo = \"linear,0\"}\n" },
	{ "docker_mem", 2, "mem_limit",
	  NET "net:addDocker(\"d1\", "
	      "{dimage = \"x\", mem_limit = \"12q\"})\n" },
	{ "stack_overflow", 1, "stack overflow",
	  "local function f() return f() + 1 end f()\n" },
	/* names */
	{ "duplicate_host", 3, "duplicate",
	  NET "net:addHost(\"h1\")\nnet:addHost(\"h1\")\n" },
	{ "duplicate_kinds", 3, "duplicate",
	  NET "net:addHost(\"s1\")\nnet:addSwitch(\"s1\")\n" },
	{ "overlong_name", 2, "too long",
	  NET "net:addHost(\"averyveryverylongname\")\n" },
	{ "huge_name", 2, "too long",
	  NET "net:addHost(string.rep(\"h\", 100000))\n" },
	{ "empty_name", 2, "empty", NET "net:addHost(\"\")\n" },
	{ "shell_name", 2, "h1;rm", NET "net:addHost(\"h1;rm\")\n" },
	{ "subshell_name", 2, "invalid node name",
	  NET "net:addSwitch(\"$(reboot)\")\n" },
	{ "path_name", 2, "../x", NET "net:addHost(\"../x\")\n" },
	{ "slash_name", 2, "a/b", NET "net:addSwitch(\"a/b\")\n" },
	{ "space_name", 2, "invalid node name", NET "net:addHost(\"h 1\")\n" },
	{ "newline_name", 2, "invalid node name",
	  NET "net:addHost(\"h1\\nh2\")\n" },
	{ "dash_name", 2, "-h1", NET "net:addHost(\"-h1\")\n" },
	{ "dot_name", 2, "..", NET "net:addHost(\"..\")\n" },
	{ "binary_name", 2, "invalid node name",
	  NET "net:addHost(\"h\\255\")\n" },
	{ "intf_slash", 4, "a/b",
	  H1S1 "net:addLink(h1, s1, {intfName1 = \"a/b\"})\n" },
	{ "intf_overlong", 4, "longer",
	  H1S1 "net:addLink(h1, s1, {intfName1 = \"abcdefghijklmnopq\"})\n" },
	{ "intf_empty", 4, "interface name",
	  H1S1 "net:addLink(h1, s1, {intfName2 = \"\"})\n" },
	/* links */
	{ "link_to_itself", 3, "itself",
	  NET "local h1 = net:addHost(\"h1\")\nnet:addLink(h1, h1)\n" },
	{ "link_to_number", 3, "must be a node",
	  NET "local h1 = net:addHost(\"h1\")\nnet:addLink(h1, 42)\n" },
	{ "link_to_nobody", 3, "no node 'h9'",
	  NET "local h1 = net:addHost(\"h1\")\nnet:addLink(h1, \"h9\")\n" },
	/* beyond the address plan */
	{ "hosts_beyond_ipbase", 3, "too many hosts",
	  "local net = cnemu.Net{switch = \"lxbr\", ipBase = \"10.9.0.0/30\"}\n"
	  "for i = 1, 10 do\n"
	  "  net:addHost(\"h\" .. i)\n"
	  "end\n" },
	{ "topo_huge", 1, "too large",
	  "local net = cnemu.Net{switch = \"lxbr\", "
	  "topo = \"tree,depth=20,fanout=20\"}\n" },
	{ "topo_beyond_ipbase", 1, "too many hosts",
	  "local net = cnemu.Net{switch = \"lxbr\", ipBase = \"10.9.0.0/30\", "
	  "topo = \"single,10\"}\n" },
	/* started, then a failure: the run is taken down */
	{ "error_after_start", 6, "after start",
	  H1S1 "net:addLink(h1, s1)\nnet:start()\nerror(\"after start\")\n" },
};

/* Options: the command line after cnemu and a piece of the message that
 * names the option (or the file). */
static const struct {
	const char *args, *says;
} bad_options[] = {
	{ "--topo", "--topo" },
	{ "--topo ring,3", "--topo" },
	{ "--topo ''", "--topo" },
	{ "--topo linear,0", "--topo" },
	{ "--topo linear,-3", "--topo" },
	{ "--topo single,abc", "--topo" },
	{ "--topo linear,99999999999999999999", "--topo" },
	{ "--topo tree,depth=0,fanout=2", "--topo" },
	{ "--topo tree,depth=2,fanout=2,colour=red", "--topo" },
	{ "--topo tree,depth=12,fanout=12", "--topo" },
	{ "--topo torus,1,1", "--topo" },
	/* a Linux bridge holds 1023 ports: refused before anything is made */
	{ "--topo single,1024 --switch lxbr", "cannot take more than 1023" },
	{ "--switch", "--switch" },
	{ "--switch cisco", "--switch" },
	{ "--switch 'ovs;reboot'", "--switch" },
	{ "--switch lxbr,frob=1", "--switch" },
	{ "--switch ovs,stp=2", "--switch" },
	{ "--controller", "--controller" },
	{ "--controller cisco", "--controller" },
	{ "--controller builtin,mode=chaos", "--controller" },
	{ "--controller remote,port=99999", "--controller" },
	{ "--controller remote,ip=300.1.1.1", "--controller" },
	{ "--controller builtin,frob=1", "--controller" },
	{ "--controller remote,port", "--controller" },
	{ "--link", "--link" },
	{ "--link ethernet", "--link" },
	{ "--link tc,bw=abc", "--link" },
	{ "--link tc,bw=-1", "--link" },
	{ "--link tc,delay=5xs", "--link" },
	{ "--link tc,loss=150", "--link" },
	{ "--link tc,frob=1", "--link" },
	{ "--link tc,max_queue_size=-4", "--link" },
	{ "--link-engine warp", "--link-engine" },
	{ "--test", "--test" },
	{ "--test fly", "--test" },
	{ "--ipbase", "--ipbase" },
	{ "--ipbase banana", "--ipbase" },
	{ "--ipbase 10.0.0.0/33", "--ipbase" },
	{ "--ipbase 300.0.0.0/8", "--ipbase" },
	{ "--ipbase 10.9.0.0/30 --topo single,10 --switch lxbr --test none",
	  "too many hosts for 10.9.0.0/30" },
	{ "--log", "--log" },
	{ "--log bogus:dbg", "--log" },
	{ "--log net:loud", "--log" },
	{ "--pre /nonexistent/cmds --switch lxbr", "--pre" },
	{ "--post /nonexistent/cmds --switch lxbr", "--post" },
	{ "--graph", "--graph" },
	{ "--topo single,1000000", "--topo" },
	{ "--topo 'linear,3;reboot'", "--topo" },
	{ "--topo linear,3,999999", "--topo" },
	{ "--link tc,bw=1e309", "--link" },
	{ "--link tc,delay=1e20ms", "--link" },
	{ "--controller remote,ip=", "--controller" },
	{ "--ipbase 10.0.0.0/31 --topo single,3 --switch lxbr",
	  "--ipbase" },
	{ "--frobnicate", "--frobnicate" },
	{ "-x", "-x" },
	{ "--mac=3", "--mac" },
	{ "/nonexistent/topo.lua", "/nonexistent/topo.lua" },
};

/* What the catalogue found, printed and failed on at the end. */
struct bad_tally {
	char *failures;
	size_t len, cap;
	unsigned int tried, failed, slow;
	double max_s;
	pid_t pids[BAD_MAX_CASES];
	size_t n_pids;
};

static void bad_note(struct bad_tally *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad_note(struct bad_tally *t, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (t->len + strlen(msg) + 2 > t->cap) {
		t->cap = (t->len + strlen(msg) + 2) * 2;
		t->failures = realloc(t->failures, t->cap);
		if (!t->failures)
			abort();
	}
	t->len += (size_t)sprintf(t->failures + t->len, "%s\n", msg);
	free(msg);
}

/* Runs cnemu with 'args'; checks it failed, said 'says' (and 'where' when
 * given), was quick and left nothing. */
static void bad_try(struct bad_tally *t, const char *label, const char *args,
		    const char *where, const char *says)
{
	struct test_run r;
	double t0 = test_now(), took;
	char *left;
	int status;

	t->tried++;
	test_wait_idle(60000);
	if (test_run_start(&r, "%s %s", test_cnemu(), args)) {
		bad_note(t, "%s: cannot start cnemu", label);
		t->failed++;
		return;
	}
	status = test_run_wait(&r, BAD_TIMEOUT_MS);
	took = test_now() - t0;
	if (t->n_pids < BAD_MAX_CASES)
		t->pids[t->n_pids++] = r.pid;
	printf("  %-26s %6.3f s  status %d\n", label, took, status);
	if (took > t->max_s)
		t->max_s = took;
	if (took >= BAD_FAST_S)
		t->slow++;
	if (status <= 0 || status >= 128 || (where && !strstr(r.out, where)) ||
	    !strstr(r.out, says)) {
		bad_note(t, "%s: cnemu %s: status %d, expected non-zero and "
			    "'%s'%s%s, got:\n%s",
			 label, args, status, says, where ? " at " : "",
			 where ? where : "", r.out);
		t->failed++;
	}
	left = test_run_leftovers(r.pid, 3000);
	if (*left) {
		bad_note(t, "%s: cnemu %s left:\n%s", label, args, left);
		t->failed++;
	}
	free(left);
	test_run_end(&r);
}

static void bad_report(struct bad_tally *t, const char *what)
{
	printf("%s: %u tried, %u failed, %u took %.1f s or more, slowest "
	       "%.3f s\n",
	       what, t->tried, t->failed, t->slow, BAD_FAST_S, t->max_s);
	fflush(stdout);
	if (t->failed)
		fail_msg("%s", t->failures);
	free(t->failures);
}

/* Nothing new on the machine but what other runs (other tags) made. */
static void bad_check_machine(struct bad_tally *t, const char *before)
{
	char *after = test_machine_state();
	char *diff = test_state_diff(before, after, t->pids, t->n_pids);

	if (*diff) {
		bad_note(t, "the machine gained:\n%s", diff);
		t->failed++;
	}
	free(diff);
	free(after);
}

static void test_bad_scripts_fail_at_their_line_and_leave_nothing(
	void **state)
{
	char dir[] = "/tmp/rbbad.XXXXXX", path[256], where[300], *before;
	struct bad_tally t = { 0 };

	(void)state;
	if (require_root())
		return;
	if (!mkdtemp(dir))
		fail_msg("cannot make a temporary directory");
	before = test_machine_state();
	for (size_t i = 0; i < sizeof(bad_scripts) / sizeof(bad_scripts[0]);
	     i++) {
		const struct bad_script *b = &bad_scripts[i];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.lua", dir, b->name);
		f = fopen(path, "w");
		if (!f || fputs(b->body, f) < 0 || fclose(f))
			fail_msg("cannot write %s", path);
		snprintf(where, sizeof(where), "%s:%d:", path, b->line);
		bad_try(&t, b->name, path, where, b->says);
		unlink(path);
	}
	rmdir(dir);
	bad_check_machine(&t, before);
	free(before);
	bad_report(&t, "bad scripts");
}

static void test_bad_options_name_the_option_and_leave_nothing(void **state)
{
	struct bad_tally t = { 0 };
	char *before;

	(void)state;
	if (require_root())
		return;
	before = test_machine_state();
	for (size_t i = 0; i < sizeof(bad_options) / sizeof(bad_options[0]);
	     i++)
		bad_try(&t, bad_options[i].args, bad_options[i].args, NULL,
			bad_options[i].says);
	bad_check_machine(&t, before);
	free(before);
	bad_report(&t, "bad options");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_bad_scripts_fail_at_their_line_and_leave_nothing),
		cmocka_unit_test(
			test_bad_options_name_the_option_and_leave_nothing),
	};

	return cmocka_run_group_tests_name("badinput", tests, NULL, NULL);
}
