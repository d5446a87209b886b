/* Errors: a negative errno plus one human sentence.
 *
 * A fallible function takes 'struct emu_err *err' (may be NULL) last and
 * returns 0 or a negative errno (or NULL).  The first error set is kept;
 * callers add context in front with emu_err_prefix(). */
#ifndef EMU_ERR_H
#define EMU_ERR_H

struct emu_err {
	int code;	/* negative errno, 0: no error */
	char msg[256];	/* lowercase sentence, no full stop */
};

/* Clears 'err' (NULL accepted). */
void emu_err_clear(struct emu_err *err);

/* Records 'code' and the message from 'fmt' in 'err' unless it already
 * holds an error.  Returns 'code' (or -EINVAL when 'code' is not negative),
 * so that callers can write 'return emu_err_set(err, -errno, ...)'. */
int emu_err_set(struct emu_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts the text of 'fmt' in front of the message held by 'err', if any. */
void emu_err_prefix(struct emu_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds the text of 'fmt' after the message held by 'err', if any. */
void emu_err_suffix(struct emu_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns true when 'err' holds an error. */
static inline int emu_err_is_set(const struct emu_err *err)
{
	return err && err->code;
}

/* Returns 'err', or 'local' (cleared) when 'err' is NULL.  A function
 * whose callee reports a failure only in the sink (a NULL return) passes
 * its sink through this first, so that the errno is not lost when its own
 * caller gave none:
 *
 *	struct emu_err local;
 *
 *	err = emu_err_sink(err, &local);
 *	...
 *	if (!thing)
 *		return emu_err_code(err, -EIO);
 */
static inline struct emu_err *emu_err_sink(struct emu_err *err,
					   struct emu_err *local)
{
	if (err)
		return err;
	emu_err_clear(local);
	return local;
}

/* The negative errno held by 'err', or 'fallback' when it holds none
 * (NULL, or a callee that failed without a sentence). */
static inline int emu_err_code(const struct emu_err *err, int fallback)
{
	return err && err->code ? err->code : fallback;
}

#endif
