#include "link/shaping.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/util.h"

void shaping_init(struct shaping *s)
{
	memset(s, 0, sizeof(*s));
}

/* Parses a whole finite decimal number. */
static int parse_double(const char *text, double *out)
{
	char *end;
	double v;

	if (!text || !*text)
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parses "10ms", "1.5ms", "250us", "1s" or a bare number (milliseconds)
 * into microseconds, rounded.  -EINVAL on bad text, -ERANGE when above
 * SHAPING_TIME_MAX_US or negative. */
static int parse_time_us(const char *text, uint32_t *out)
{
	static const struct {
		const char *unit;
		double us;
	} units[] = {
		{ "", 1e3 },	 { "ms", 1e3 },	   { "msec", 1e3 },
		{ "msecs", 1e3 }, { "us", 1 },	   { "usec", 1 },
		{ "usecs", 1 },	 { "s", 1e6 },	   { "sec", 1e6 },
		{ "secs", 1e6 },	 { "ns", 1e-3 },   { "nsec", 1e-3 },
	};
	char *end;
	double v;

	if (!text || !*text)
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(end, units[i].unit))
			continue;
		v *= units[i].us;
		if (v < 0 || v > SHAPING_TIME_MAX_US)
			return -ERANGE;
		*out = (uint32_t)llround(v);
		return 0;
	}
	return -EINVAL;
}

/* Parses a percentage "1", "0.5" or "1%". */
static int parse_pct(const char *text, double *out)
{
	char buf[64];
	size_t len;

	if (!text)
		return -EINVAL;
	len = strlen(text);
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len + 1);
	if (len && buf[len - 1] == '%')
		buf[len - 1] = '\0';
	return parse_double(buf, out);
}

static int parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; text && i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(text, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_bw(struct shaping *s, const char *key, const char *value,
		  struct emu_err *err)
{
	double mbit;

	if (parse_double(value, &mbit))
		return emu_err_set(err, -EINVAL,
				   "invalid %s '%s': expected Mbit/s like 10",
				   key, value);
	if (mbit * 1e6 < SHAPING_RATE_MIN_BPS - 0.5 ||
	    mbit * 1e6 > SHAPING_RATE_MAX_BPS + 0.5)
		return emu_err_set(err, -EINVAL,
				   "%s %s out of range (0.1..10000 Mbit/s)",
				   key, value);
	s->rate_bps = (uint64_t)llround(mbit * 1e6);
	return 0;
}

static int set_time(uint32_t *field, const char *key, const char *value,
		    struct emu_err *err)
{
	int ret = parse_time_us(value, field);

	if (ret == -ERANGE)
		return emu_err_set(err, -EINVAL, "%s %s out of range (0..60s)",
				   key, value);
	if (ret)
		return emu_err_set(err, -EINVAL,
				   "invalid %s '%s': expected a time like 10ms",
				   key, value);
	return 0;
}

static int set_pct(double *field, const char *key, const char *value,
		   struct emu_err *err)
{
	double pct;

	if (parse_pct(value, &pct))
		return emu_err_set(err, -EINVAL,
				   "invalid %s '%s': expected a percentage like 1.5",
				   key, value);
	if (pct < 0 || pct > 100)
		return emu_err_set(err, -EINVAL,
				   "%s %s out of range (0..100 %%)", key,
				   value);
	*field = pct;
	return 0;
}

static int set_count(uint32_t *field, const char *key, const char *value,
		     long min, long max, const char *what, struct emu_err *err)
{
	long n;
	int ret = str_to_long(value ? value : "", min, max, &n);

	if (ret == -ERANGE)
		return emu_err_set(err, -EINVAL,
				   "%s %s out of range (%ld..%ld %s)", key,
				   value, min, max, what);
	if (ret)
		return emu_err_set(err, -EINVAL,
				   "invalid %s '%s': expected a number of %s",
				   key, value, what);
	*field = (uint32_t)n;
	return 0;
}

static int set_flag(bool *field, const char *key, const char *value,
		    struct emu_err *err)
{
	if (parse_bool(value, field))
		return emu_err_set(err, -EINVAL,
				   "invalid %s '%s': expected true or false",
				   key, value);
	return 0;
}

/* Mininet's link options: the key, how its value reads, where it goes. */
enum shaping_kind { SH_BW, SH_TIME, SH_PCT, SH_COUNT, SH_FLAG };

static const struct shaping_option {
	const char *key;
	enum shaping_kind kind;
	size_t offset;		/* of the field in struct shaping */
	long min, max;		/* SH_COUNT: bounds, packets */
} shaping_options[] = {
	{ "bw", SH_BW, offsetof(struct shaping, rate_bps), 0, 0 },
	{ "delay", SH_TIME, offsetof(struct shaping, delay_us), 0, 0 },
	{ "jitter", SH_TIME, offsetof(struct shaping, jitter_us), 0, 0 },
	{ "loss", SH_PCT, offsetof(struct shaping, loss_pct), 0, 0 },
	{ "loss_corr", SH_PCT, offsetof(struct shaping, loss_corr_pct), 0, 0 },
	{ "duplicate", SH_PCT, offsetof(struct shaping, duplicate_pct), 0, 0 },
	{ "corrupt", SH_PCT, offsetof(struct shaping, corrupt_pct), 0, 0 },
	{ "reorder", SH_PCT, offsetof(struct shaping, reorder_pct), 0, 0 },
	{ "gap", SH_COUNT, offsetof(struct shaping, reorder_gap), 0,
	  1000000 },
	{ "max_queue_size", SH_COUNT, offsetof(struct shaping, max_queue_pkts),
	  1, 1000000 },
	{ "use_htb", SH_FLAG, offsetof(struct shaping, use_htb), 0, 0 },
	{ "use_tbf", SH_FLAG, offsetof(struct shaping, use_tbf), 0, 0 },
};

const char *shaping_key(size_t i)
{
	return i < ARRAY_SIZE(shaping_options) ? shaping_options[i].key : NULL;
}

int shaping_set(struct shaping *s, const char *key, const char *value,
		struct emu_err *err)
{
	const struct shaping_option *o = NULL;
	struct shaping tmp = *s;
	void *field;
	int ret = 0;

	if (!key)
		return emu_err_set(err, -EINVAL, "missing link option name");
	if (!value)
		return emu_err_set(err, -EINVAL,
				   "link option '%s' needs a value", key);
	for (size_t i = 0; i < ARRAY_SIZE(shaping_options) && !o; i++)
		if (!strcmp(key, shaping_options[i].key))
			o = &shaping_options[i];
	if (!o)
		return emu_err_set(err, -EINVAL, "unknown link option '%s'",
				   key);
	field = (char *)&tmp + o->offset;
	if (!strcasecmp(value, "none")) {
		/* Mininet's None: the option is removed */
		static const size_t sizes[] = {
			[SH_BW] = sizeof(tmp.rate_bps),
			[SH_TIME] = sizeof(tmp.delay_us),
			[SH_PCT] = sizeof(tmp.loss_pct),
			[SH_COUNT] = sizeof(tmp.max_queue_pkts),
			[SH_FLAG] = sizeof(tmp.use_tbf),
		};
		struct shaping none;

		shaping_init(&none);
		memcpy(field, (char *)&none + o->offset, sizes[o->kind]);
		*s = tmp;
		return 0;
	}
	switch (o->kind) {
	case SH_BW: ret = set_bw(&tmp, key, value, err); break;
	case SH_TIME: ret = set_time(field, key, value, err); break;
	case SH_PCT: ret = set_pct(field, key, value, err); break;
	case SH_COUNT:
		ret = set_count(field, key, value, o->min, o->max, "packets",
				err);
		break;
	case SH_FLAG: ret = set_flag(field, key, value, err); break;
	}
	if (ret)
		return ret;
	*s = tmp;
	return 0;
}

int shaping_get(const struct shaping *s, size_t i, char *buf, size_t size)
{
	const struct shaping_option *o;
	const char *field;

	if (i >= ARRAY_SIZE(shaping_options))
		return -1;
	o = &shaping_options[i];
	field = (const char *)s + o->offset;
	buf[0] = '\0';
	switch (o->kind) {
	case SH_BW:
		if (!s->rate_bps)
			return 0;
		return snprintf(buf, size, "%.17g", (double)s->rate_bps / 1e6);
	case SH_TIME:
		if (!*(const uint32_t *)field)
			return 0;
		return snprintf(buf, size, "%uus", *(const uint32_t *)field);
	case SH_PCT:
		if (!*(const double *)field)
			return 0;
		return snprintf(buf, size, "%.17g", *(const double *)field);
	case SH_COUNT:
		if (!*(const uint32_t *)field)
			return 0;
		return snprintf(buf, size, "%u", *(const uint32_t *)field);
	case SH_FLAG:
		if (!*(const bool *)field)
			return 0;
		return snprintf(buf, size, "1");
	}
	return 0;
}

int shaping_parse_list(struct shaping *s, const char *list,
		       struct emu_err *err)
{
	char *copy = xstrdup(list ? list : "");
	char *save = NULL;
	int ret = 0;

	for (char *item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			ret = emu_err_set(err, -EINVAL,
					  "link option '%s' needs a value (key=value)",
					  item);
			break;
		}
		*eq = '\0';
		ret = shaping_set(s, item, eq + 1, err);
		if (ret)
			break;
	}
	free(copy);
	return ret;
}

bool shaping_has_rate(const struct shaping *s)
{
	return s && s->rate_bps;
}

bool shaping_has_impairment(const struct shaping *s)
{
	return s && (s->delay_us || s->jitter_us || s->loss_pct > 0 ||
		     s->duplicate_pct > 0 || s->corrupt_pct > 0 ||
		     s->reorder_pct > 0);
}

bool shaping_is_set(const struct shaping *s)
{
	return shaping_has_rate(s) || shaping_has_impairment(s) ||
	       (s && s->max_queue_pkts);
}

int shaping_format_time(uint32_t us, char *buf, size_t size)
{
	char ms[32];
	size_t len;

	if (us && us % 1000000 == 0)
		return snprintf(buf, size, "%us", us / 1000000);
	if (us % 1000 == 0)
		return snprintf(buf, size, "%ums", us / 1000);
	if (us < 1000)
		return snprintf(buf, size, "%uus", us);
	snprintf(ms, sizeof(ms), "%u.%03u", us / 1000, us % 1000);
	len = strlen(ms);
	while (ms[len - 1] == '0')
		ms[--len] = '\0';
	return snprintf(buf, size, "%sms", ms);
}

/* Appends to 'buf' like snprintf at offset '*len', keeping the total. */
__attribute__((format(printf, 4, 5))) static void
append(char *buf, size_t size, int *len, const char *fmt, ...)
{
	size_t off = (size_t)*len < size ? (size_t)*len : size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf ? buf + off : NULL, size - off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += n;
}

int shaping_format(const struct shaping *s, char *buf, size_t size)
{
	char t[32];
	int len = 0;

	if (size)
		buf[0] = '\0';
	/* Mininet's TCIntf.config() prints the same words, in this order. */
	if (s->rate_bps)
		append(buf, size, &len, "%.2fMbit", s->rate_bps / 1e6);
	if (s->delay_us) {
		shaping_format_time(s->delay_us, t, sizeof(t));
		append(buf, size, &len, "%s%s delay", len ? " " : "", t);
	}
	if (s->jitter_us) {
		shaping_format_time(s->jitter_us, t, sizeof(t));
		append(buf, size, &len, "%s%s jitter", len ? " " : "", t);
	}
	if (s->loss_pct > 0)
		append(buf, size, &len, "%s%.5f%% loss", len ? " " : "",
		       s->loss_pct);
	if (s->duplicate_pct > 0)
		append(buf, size, &len, "%s%.5f%% duplicate", len ? " " : "",
		       s->duplicate_pct);
	if (s->corrupt_pct > 0)
		append(buf, size, &len, "%s%.5f%% corrupt", len ? " " : "",
		       s->corrupt_pct);
	if (s->reorder_pct > 0)
		append(buf, size, &len, "%s%.5f%% reorder", len ? " " : "",
		       s->reorder_pct);
	return len;
}

uint32_t shaping_pct_to_prob(double pct)
{
	/* tc: parse_percent() divides by 100, set_percent() scales by
	 * UINT32_MAX and rounds with rint(). */
	double per = pct / 100.;

	if (per <= 0)
		return 0;
	if (per >= 1)
		return UINT32_MAX;
	return (uint32_t)rint(per * UINT32_MAX);
}
