/* Logging per module, on stderr.
 *
 * A .c file names its module once after the includes:
 *	EMU_LOG_MODULE(veth);
 * and then logs with log_dbg/log_info/log_warn/log_err.  Levels are set per
 * module with log_configure("veth:dbg,ctl:info") or for all ("dbg"). */
#ifndef EMU_LOG_H
#define EMU_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DBG };

struct log_module {
	const char *name;
	enum log_level level;
	struct log_module *next;
};

/* A rate limit for log_*_rl: at most one message per 'interval_ms'. */
struct log_rl {
	unsigned long long last_us;
	unsigned int suppressed;
};

void log_register(struct log_module *m);
/* Parses "dbg" or "mod:level,mod:level"; 0 or -EINVAL. */
int log_configure(const char *spec);
/* The default level of modules that the spec does not name (LOG_INFO). */
void log_set_default(enum log_level level);
void log_write(struct log_module *m, enum log_level level, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));
/* Returns true when a message may go now (and counts one suppressed if not). */
int log_rl_allow(struct log_rl *rl);

#define EMU_LOG_MODULE(NAME)                                                   \
	static struct log_module log_this_module = { #NAME, LOG_INFO, 0 };     \
	__attribute__((constructor)) static void log_register_##NAME(void)    \
	{                                                                      \
		log_register(&log_this_module);                                \
	}

#define log_at(LEVEL, ...)                                                     \
	do {                                                                   \
		if (log_this_module.level >= (LEVEL))                          \
			log_write(&log_this_module, (LEVEL), __VA_ARGS__);     \
	} while (0)
#define log_dbg(...) log_at(LOG_DBG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_err(...) log_at(LOG_ERR, __VA_ARGS__)
#define log_warn_rl(RL, ...)                                                   \
	do {                                                                   \
		if (log_rl_allow(RL))                                          \
			log_at(LOG_WARN, __VA_ARGS__);                         \
	} while (0)
#define log_info_rl(RL, ...)                                                   \
	do {                                                                   \
		if (log_rl_allow(RL))                                          \
			log_at(LOG_INFO, __VA_ARGS__);                         \
	} while (0)

#endif
