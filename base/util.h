/* Small helpers every module uses: allocation that aborts on
 * out-of-memory, string formatting, container_of. */
#ifndef EMU_UTIL_H
#define EMU_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grows '*array' (of '*cap' elements of 'size') to hold 'n' elements. */
void xgrow(void **array, size_t *cap, size_t n, size_t size);
char *xstrdup(const char *s);		/* NULL gives NULL */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns true when 's' starts with 'prefix'. */
int str_starts_with(const char *s, const char *prefix);

/* Parses a whole decimal integer in [min, max]; 0 or -EINVAL/-ERANGE. */
int str_to_long(const char *s, long min, long max, long *out);

/* Reads 'fd' to its end into '*text' (NUL-ended, '*len' bytes before
 * it; caller frees; 'len' may be NULL).  Returns 0, or a negative errno
 * when a read failed, with what came before the failure in '*text'. */
int fd_read_all(int fd, char **text, size_t *len);

/* Listens on the unix socket 'path', made anew with mode 0600 from the
 * start (no moment where another user could connect).  Returns the fd
 * (close-on-exec) or a negative errno. */
int unix_socket_listen(const char *path);
/* True when something accepts connections at the unix socket 'path'. */
bool unix_socket_answers(const char *path);

/* Monotonic clock in microseconds. */
unsigned long long now_us(void);

#endif
