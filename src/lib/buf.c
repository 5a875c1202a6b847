/* SPDX-License-Identifier: MIT */
/*
 * buf.c - growable strings for building SQL, messages and paths.
 *
 * Out-of-memory is sticky (see ferry_int.h), which keeps the many small
 * appends of a query builder free of error checks until the end.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ferry__buf_grow(ferry__buf *b, size_t extra)
{
	size_t want;
	char *p;

	if (b->oom)
		return FERRY_ENOMEM;
	if (b->len + extra + 1 <= b->alloc)
		return 0;
	want = b->alloc ? b->alloc : 64;
	while (want < b->len + extra + 1)
		want *= 2;
	p = ferry__realloc(b->buf, want);
	if (!p) {
		b->oom = 1;
		return FERRY_ENOMEM;
	}
	b->buf = p;
	b->alloc = want;
	return 0;
}

void ferry__buf_put(ferry__buf *b, const char *data, size_t len)
{
	if (ferry__buf_grow(b, len) < 0)
		return;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void ferry__buf_puts(ferry__buf *b, const char *s)
{
	ferry__buf_put(b, s, strlen(s));
}

void ferry__buf_vprintf(ferry__buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (ferry__buf_grow(b, 64) < 0)
		return;
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		if (ferry__buf_grow(b, (size_t)n) < 0)
			return;
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void ferry__buf_printf(ferry__buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ferry__buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void ferry__buf_quote_ident(ferry__buf *b, const char *s)
{
	ferry__buf_put(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			ferry__buf_put(b, "\"", 1);
		ferry__buf_put(b, s, 1);
	}
	ferry__buf_put(b, "\"", 1);
}

void ferry__buf_quote_literal(ferry__buf *b, const char *s)
{
	ferry__buf_put(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			ferry__buf_put(b, "'", 1);
		ferry__buf_put(b, s, 1);
	}
	ferry__buf_put(b, "'", 1);
}

const char *ferry__buf_cstr(const ferry__buf *b)
{
	return b->buf && !b->oom ? b->buf : "";
}

char *ferry__buf_detach(ferry__buf *b)
{
	char *p = NULL;

	if (!b->oom)
		p = b->buf ? b->buf : ferry__strdup("");
	else
		free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->oom = 0;
	return p;
}

void ferry__buf_clear(ferry__buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void ferry__buf_release(ferry__buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->oom = 0;
}
