/* SPDX-License-Identifier: MIT */
/*
 * error.c - filling the caller's ferry_error.
 *
 * The error value lives in fixed buffers so that reporting never allocates
 * and works under out-of-memory (curl's CURLOPT_ERRORBUFFER). Texts are
 * truncated at their buffer's size rather than failing.
 */
#include "ferry_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void ferry_error_init(ferry_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

const char *ferry_version(void)
{
	return FERRY_VERSION;
}

/* Keep a message on one line: a newline from a server becomes a space. */
static void one_line(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

int ferry__error_set(ferry_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	one_line(err->message);
	return code;
}

void ferry__error_detail(ferry_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	one_line(err->detail);
}

void ferry__error_hint(ferry_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
	one_line(err->hint);
}

void ferry__error_at(ferry_error *err, const char *file, int line, int column)
{
	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = column;
}

int ferry__error_oom(ferry_error *err)
{
	return ferry__error_set(err, FERRY_ENOMEM, "out of memory");
}

int ferry__error_interrupted(ferry_error *err)
{
	ferry__error_set(err, FERRY_EINTERRUPTED, "interrupted");
	ferry__error_hint(err, "nothing was changed");
	return FERRY_EINTERRUPTED;
}

/*
 * The text of errno value `e`, thread-safe: strerror() may use one static
 * buffer for every thread. _GNU_SOURCE gives glibc's strerror_r, which
 * returns the text (maybe not in `buf`); elsewhere the XSI one fills `buf`.
 */
static const char *error_text(int e, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, size);
#else
	if (strerror_r(e, buf, size) != 0)
		snprintf(buf, size, "error %d", e);
	return buf;
#endif
}

int ferry__error_os(
	ferry_error *err, int code, const char *what, const char *path)
{
	int e = errno;
	char text[256];

	if (e == ENOMEM)
		return ferry__error_oom(err);
	ferry__error_set(err, code, "cannot %s '%s'", what, path);
	ferry__error_detail(err, "%s", error_text(e, text, sizeof(text)));
	if (e == EACCES || e == EPERM)
		ferry__error_hint(err, "check the permissions of '%s'", path);
	return code;
}
