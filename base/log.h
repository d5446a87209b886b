/* Logging per module, on stderr.
 *
 * A .c file names its module once after the includes:
 *	EMU_LOG_MODULE(veth);
 * and then logs with log_dbg/log_info/log_warn/log_err.  Levels are set per
 * module with log_configure("veth:dbg,ctl:info") or for all ("dbg").
 *
 * The table of modules is static: EMU_LOG_MODULE puts a pointer to the
 * file's module in the ELF section "emu_log_modules", and the linker
 * gathers those of every object in the program into one array, which
 * log.c walks (__start_/__stop_emu_log_modules).  No code runs before
 * main() and nothing registers at run time; a program has exactly the
 * modules of the objects linked into it. */
#ifndef EMU_LOG_H
#define EMU_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DBG };

struct log_module {
	const char *name;
	enum log_level level;	/* messages up to this level are written */
};

/* A rate limit for log_*_rl: at most one message per 'interval_ms' (0:
 * 5000); the first message after a quiet spell is followed by a line
 * counting the messages held back before it.  Zeroed: ready. */
struct log_rl {
	unsigned int interval_ms;	/* 0: 5000 */
	unsigned long long last_us;	/* when the last message went */
	unsigned int suppressed;	/* messages held back since */
};

/* Parses "dbg" or "mod:level,mod:level"; 0 or -EINVAL. */
int log_configure(const char *spec);
/* The default level of modules that the spec does not name (LOG_INFO). */
void log_set_default(enum log_level level);
void log_write(struct log_module *m, enum log_level level, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));
/* True when a message may go now, with the number of messages held back
 * before it in '*held'; false (counting this one as held back) if not. */
bool log_rl_allow(struct log_rl *rl, unsigned int *held);
/* Writes the line that follows a rate-limited message after 'held' others
 * were held back. */
void log_write_held(struct log_module *m, enum log_level level,
		    unsigned int held);

/* Seconds since '*t_us' (a now_us() reading), which becomes now: times the
 * phases of a long step one after the other (see log_phase). */
double log_lap(unsigned long long *t_us);

/* A progress line on stderr for long work ("*** Starting hosts: 450/1000
 * (45%), 812/s, 0.7 s left"), redrawn in place at most every
 * LOG_PROGRESS_REDRAW_MS, erased at the end.  Only when stderr is a
 * terminal and the work has at least LOG_PROGRESS_MIN items: otherwise
 * nothing is written.  One at a time, process-wide (the terminal has one
 * last line); a log message written meanwhile erases it first. */
#define LOG_PROGRESS_MIN 300
#define LOG_PROGRESS_REDRAW_MS 100
/* Starts counting 'total' items of 'what' (a string that must outlive the
 * progress, e.g. a literal), ending one that was still shown. */
void log_progress_begin(const char *what, size_t total);
/* Counts 'n' more items done; redraws when due. */
void log_progress_step(size_t n);
/* Erases the line; nothing more is drawn until the next begin. */
void log_progress_end(void);
/* Formats the line of 'done' of 'total' items of 'what' after
 * 'elapsed_us' into 'buf' of 'size' bytes (truncated to fit): the count,
 * the percentage, the rate and the time left, both "?" until an item is
 * done.  Returns what snprintf returns. */
int log_progress_format(char *buf, size_t size, const char *what,
			size_t done, size_t total,
			unsigned long long elapsed_us);

#define EMU_LOG_MODULE(NAME)                                                   \
	static struct log_module log_this_module = { #NAME, LOG_INFO };        \
	static struct log_module *const log_module_##NAME                      \
		__attribute__((used, section("emu_log_modules"))) =            \
			&log_this_module

#define log_at(LEVEL, ...)                                                     \
	do {                                                                   \
		if (log_this_module.level >= (LEVEL))                          \
			log_write(&log_this_module, (LEVEL), __VA_ARGS__);     \
	} while (0)
#define log_dbg(...) log_at(LOG_DBG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_err(...) log_at(LOG_ERR, __VA_ARGS__)
#define log_rl_at(LEVEL, RL, ...)                                              \
	do {                                                                   \
		unsigned int log_held_;                                        \
		if (log_this_module.level >= (LEVEL) &&                        \
		    log_rl_allow((RL), &log_held_)) {                          \
			log_write(&log_this_module, (LEVEL), __VA_ARGS__);     \
			if (log_held_)                                         \
				log_write_held(&log_this_module, (LEVEL),      \
					       log_held_);                     \
		}                                                              \
	} while (0)
/* Ends the phase timed from '*T' (see log_lap) with a debug line "phase
 * WHAT: <seconds> s"; the next phase starts now. */
#define log_phase(T, WHAT)                                                     \
	do {                                                                   \
		double log_s_ = log_lap(T);                                    \
		log_dbg("phase %s: %.3f s", (WHAT), log_s_);                   \
	} while (0)
#define log_warn_rl(RL, ...) log_rl_at(LOG_WARN, RL, __VA_ARGS__)
#define log_info_rl(RL, ...) log_rl_at(LOG_INFO, RL, __VA_ARGS__)

#endif
