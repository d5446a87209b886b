#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static const char *const log_level_names[] = { "err", "warn", "info", "dbg" };

/* The table of every module linked in (see log.h); log.c's own makes
 * sure it exists. */
EMU_LOG_MODULE(log);
extern struct log_module *const __start_emu_log_modules[];
extern struct log_module *const __stop_emu_log_modules[];

/* Every module linked in, one after the other. */
#define log_modules_each(P)                                                    \
	for (struct log_module *const *P = __start_emu_log_modules;           \
	     P < __stop_emu_log_modules; P++)

/* The one progress line (log_progress_begin). */
static struct {
	const char *what;		/* NULL: none counting */
	size_t total, done;
	unsigned long long start_us;	/* when it began */
	unsigned long long drawn_us;	/* when it was last drawn; 0: never */
	bool shown;			/* on the terminal now */
} log_progress;

static void log_progress_erase(void)
{
	if (!log_progress.shown)
		return;
	fputs("\r\033[K", stderr);
	log_progress.shown = false;
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
	log_modules_each(m)
		(*m)->level = level;
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
	log_modules_each(m) {
		if (!strcmp((*m)->name, item)) {
			(*m)->level = level;
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
	log_progress_erase();	/* drawn again at its next step */
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

double log_lap(unsigned long long *t_us)
{
	unsigned long long now = now_us(), then = *t_us;

	*t_us = now;
	return (now - then) / 1e6;
}

int log_progress_format(char *buf, size_t size, const char *what,
			size_t done, size_t total,
			unsigned long long elapsed_us)
{
	double rate = done && elapsed_us ? done * 1e6 / elapsed_us : 0;
	unsigned int pct = total ? (unsigned int)(done * 100 / total) : 100;
	char left[32] = "?", per_s[32] = "?";

	if (rate > 0) {
		snprintf(per_s, sizeof(per_s), "%.0f", rate);
		snprintf(left, sizeof(left), "%.1f s",
			 done >= total ? 0 : (total - done) / rate);
	}
	return snprintf(buf, size, "*** %s: %zu/%zu (%u%%), %s/s, %s left",
			what, done, total, pct, per_s, left);
}

void log_progress_begin(const char *what, size_t total)
{
	log_progress_end();
	if (total < LOG_PROGRESS_MIN || !isatty(STDERR_FILENO))
		return;
	log_progress.what = what;
	log_progress.total = total;
	log_progress.done = 0;
	log_progress.start_us = now_us();
	log_progress.drawn_us = 0;
}

void log_progress_step(size_t n)
{
	unsigned long long now;
	char line[160];

	if (!log_progress.what)
		return;
	log_progress.done += n;
	now = now_us();
	if (log_progress.drawn_us &&
	    now - log_progress.drawn_us < LOG_PROGRESS_REDRAW_MS * 1000ULL)
		return;
	log_progress_format(line, sizeof(line), log_progress.what,
			    log_progress.done, log_progress.total,
			    now - log_progress.start_us);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	log_progress.drawn_us = now;
	log_progress.shown = true;
}

void log_progress_end(void)
{
	log_progress_erase();
	log_progress.what = NULL;
}
