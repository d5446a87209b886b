#include "tests/lib/testlib.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int test_skip(const char *reason)
{
	const char *strict = getenv("CNEMU_TEST_STRICT");

	printf("skipped: %s\n", reason);
	fflush(stdout);
	if (strict && !strcmp(strict, "1"))
		fail_msg("CNEMU_TEST_STRICT=1 and a precondition is missing: "
			 "%s", reason);
	skip();
	return -1;
}

int require_root(void)
{
	return geteuid() == 0 ? 0 : test_skip("not running as root");
}

int require_ovs(void)
{
	if (require_root())
		return -1;
	/* Every run starts its own OVS (node/vswitch.h): its programs are
	 * what it needs, not the machine's ovsdb-server. */
	if (sh("ovsdb-server --version >/dev/null 2>&1 && "
	       "ovs-vswitchd --version >/dev/null 2>&1 && "
	       "test -r /usr/share/openvswitch/vswitch.ovsschema"))
		return test_skip("no ovsdb-server, ovs-vswitchd or the vswitch "
				 "schema (apt-get install openvswitch-switch)");
	return 0;
}

int require_docker(void)
{
	if (require_root())
		return -1;
	if (sh("docker info >/dev/null 2>&1"))
		return test_skip("no Docker engine at /var/run/docker.sock");
	return 0;
}

static char *test_vformat(const char *fmt, va_list ap)
{
	char *line;

	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	return line;
}

int sh(const char *fmt, ...)
{
	va_list ap;
	char *line;
	int status;

	va_start(ap, fmt);
	line = test_vformat(fmt, ap);
	va_end(ap);
	status = system(line);
	free(line);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

char *sh_out(const char *fmt, ...)
{
	size_t len = 0, cap = 4096;
	char *line, *buf = malloc(cap);
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	line = test_vformat(fmt, ap);
	va_end(ap);
	p = popen(line, "r");
	free(line);
	if (!p || !buf)
		abort();
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024 && !(buf = realloc(buf, cap *= 2)))
			abort();
	}
	buf[len] = '\0';
	pclose(p);
	return buf;
}

char *test_write_file(const char *prefix, const char *suffix,
		      const char *text)
{
	static int n;
	char *path;
	FILE *f;

	if (asprintf(&path, "/tmp/%s-%d-%d%s", prefix, (int)getpid(), n++,
		     suffix) < 0)
		abort();
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

void test_run_tag(const char *out, char *tag, size_t size)
{
	const char *p = strstr(out, "*** cnemu cn");

	tag[0] = '\0';
	if (p)
		snprintf(tag, size, "%.*s", (int)strcspn(p + 10, ":\n"),
			 p + 10);
}

const char *test_cnemu(void)
{
	const char *c = getenv("CNEMU");

	return c ? c : "./cnemu";
}

void expect_has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("expected '%s' in:\n%s", want, out);
}

void expect_lacks(const char *out, const char *unwanted)
{
	if (strstr(out, unwanted))
		fail_msg("did not expect '%s' in:\n%s", unwanted, out);
}

void expect_matches(const char *out, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE),
			 0);
	if (regexec(&re, out, 0, NULL, 0))
		fail_msg("expected /%s/ in:\n%s", pattern, out);
	regfree(&re);
}

void expect_status(const char *out, int status, int want)
{
	if (status != want)
		fail_msg("expected exit %d, got %d:\n%s", want, status, out);
}

int test_exit_status(const char *out)
{
	const char *st = strstr(out, "exit=");

	while (st && strstr(st + 1, "exit="))
		st = strstr(st + 1, "exit=");
	return st ? atoi(st + 5) : -1;
}

static int cnemu_with(char **out, const char *input, const char *args,
		      bool wait)
{
	for (int tries = 0;; tries++) {
		char *o;
		char *st;
		int status;

		if (input)
			o = sh_out("printf '%s' | %s %s 2>&1; "
				   "echo \"status=$?\"",
				   input, test_cnemu(), args);
		else
			o = sh_out("%s %s 2>&1 </dev/null; echo \"status=$?\"",
				   test_cnemu(), args);
		st = strrchr(o, '=');
		status = st ? atoi(st + 1) : -1;
		if (wait && strstr(o, "another cnemu run is active") &&
		    tries < 150) {
			free(o);
			sleep(2);
			continue;
		}
		if (out)
			*out = o;
		else
			free(o);
		return status;
	}
}

int test_cnemu_run(char **out, const char *input, const char *args)
{
	return cnemu_with(out, input, args, true);
}

int test_cnemu_once(char **out, const char *input, const char *args)
{
	return cnemu_with(out, input, args, false);
}

static int test_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double test_ping_median(const char *out)
{
	double *t = NULL, median = -1;
	size_t n = 0, cap = 0;

	for (const char *p = out; (p = strstr(p, "time=")); p += 5) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			t = realloc(t, cap * sizeof(*t));
			assert_non_null(t);
		}
		t[n++] = strtod(p + 5, NULL);
	}
	if (n) {
		qsort(t, n, sizeof(*t), test_cmp_double);
		median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	}
	free(t);
	return median;
}
