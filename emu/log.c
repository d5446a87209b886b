#include "emu/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/util.h"

static struct log_module *log_modules;
static enum log_level log_default = LOG_INFO;
static const char *const log_level_names[] = { "err", "warn", "info", "dbg" };

void log_register(struct log_module *m)
{
	m->level = log_default;
	m->next = log_modules;
	log_modules = m;
}

static int log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (!strcmp(s, log_level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_default(enum log_level level)
{
	log_default = level;
	for (struct log_module *m = log_modules; m; m = m->next)
		m->level = level;
}

static int log_configure_one(char *item)
{
	char *colon = strchr(item, ':');
	enum log_level level;
	int found = 0;

	if (!colon) {
		if (log_parse_level(item, &level))
			return -EINVAL;
		log_set_default(level);
		return 0;
	}
	*colon = '\0';
	if (log_parse_level(colon + 1, &level))
		return -EINVAL;
	for (struct log_module *m = log_modules; m; m = m->next) {
		if (!strcmp(m->name, item)) {
			m->level = level;
			found = 1;
		}
	}
	return found ? 0 : -ENOENT;
}

int log_configure(const char *spec)
{
	char *copy = xstrdup(spec), *save = NULL;
	int ret = 0;

	for (char *item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = log_configure_one(item);
	free(copy);
	return ret;
}

void log_write(struct log_module *m, enum log_level level, const char *fmt,
	       ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level == LOG_INFO)
		fprintf(stderr, "%s\n", line);
	else
		fprintf(stderr, "%s|%s: %s\n", log_level_names[level], m->name,
			line);
}

bool log_rl_allow(struct log_rl *rl, unsigned int *held)
{
	unsigned long long now = now_us();
	unsigned long long interval_us =
		(rl->interval_ms ? rl->interval_ms : 5000) * 1000ULL;

	if (rl->last_us && now - rl->last_us < interval_us) {
		rl->suppressed++;
		return false;
	}
	*held = rl->suppressed;
	rl->last_us = now;
	rl->suppressed = 0;
	return true;
}

void log_write_held(struct log_module *m, enum log_level level,
		    unsigned int held)
{
	log_write(m, level, "(%u similar message%s held back before this one)",
		  held, held == 1 ? "" : "s");
}
