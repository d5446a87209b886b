#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void emu_err_clear(struct emu_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

int emu_err_set(struct emu_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = -EINVAL;
	if (!err || err->code)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void emu_err_prefix(struct emu_err *err, const char *fmt, ...)
{
	char head[sizeof(err->msg)], joined[sizeof(err->msg)];
	size_t n;
	va_list ap;

	if (!err || !err->code)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	n = strlen(head);
	memcpy(joined, head, n);
	snprintf(joined + n, sizeof(joined) - n, "%.*s",
		 (int)(sizeof(joined) - n - 1), err->msg);
	memcpy(err->msg, joined, sizeof(err->msg));
}

void emu_err_suffix(struct emu_err *err, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!err || !err->code)
		return;
	n = strlen(err->msg);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
}
