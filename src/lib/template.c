/* SPDX-License-Identifier: MIT */
/*
 * template.c - telling an up section `ferry new` wrote from one a person
 * wrote. The template's up section holds one placeholder line; a section
 * that still holds nothing else was never written, and running it would
 * record the migration as applied with nothing done (the mistake of a
 * `ferry new` committed before its SQL). An empty section without the
 * placeholder is someone's choice, and runs.
 */
#include "ferry_int.h"

#include <string.h>

/* 1 when the body's only non-blank line is the placeholder; *line is then
 * its 0-based line within the body. */
int ferry__section_is_template(const char *body, size_t len, int *line)
{
	size_t n = strlen(FERRY__TEMPLATE_PLACEHOLDER), i = 0;
	int at = 0, found = 0;

	while (i < len) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - body) : len, a = i, b = end;

		while (a < b && (body[a] == ' ' || body[a] == '\t'))
			a++;
		while (b > a &&
			(body[b - 1] == ' ' || body[b - 1] == '\t' ||
				body[b - 1] == '\r'))
			b--;
		if (b > a) {
			if (found || b - a != n ||
				memcmp(body + a, FERRY__TEMPLATE_PLACEHOLDER,
					n) != 0)
				return 0;
			found = 1;
			*line = at;
		}
		i = end + 1;
		at++;
	}
	return found;
}
