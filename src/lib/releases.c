/* SPDX-License-Identifier: MIT */
/*
 * releases.c - the `releases` file: product releases mapped onto the set.
 *
 * One line per release, oldest first: `<release> <last-version>
 * [checkpoint]`; `#` starts a comment. A release name must not be all
 * digits, so that `--to` can tell a release from a version.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void ferry__releases_free(ferry__release *rel, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)rel[i].pub.name);
	free(rel);
}

static int bad_line(ferry_error *err, const char *path, int line,
	const char *hint, const char *fmt, const char *arg, int len)
{
	ferry__error_set(err, FERRY_EINVALID, fmt, len, arg);
	ferry__error_hint(err, "%s", hint);
	ferry__error_at(err, path, line, 0);
	return FERRY_EINVALID;
}

static int name_ok(const char *s, size_t n)
{
	size_t i;
	int digits_only = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+')
			return 0;
		if (!isdigit(c))
			digits_only = 0;
	}
	return !digits_only;
}

/* Split [p, end) into up to 4 blank-separated words. */
static int words(const char *p, const char *end, const char *w[4], size_t wl[4])
{
	int n = 0;

	while (p < end) {
		const char *q;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		q = p;
		while (q < end && *q != ' ' && *q != '\t' && *q != '\r')
			q++;
		if (n == 4)
			return 5;
		w[n] = p;
		wl[n++] = (size_t)(q - p);
		p = q;
	}
	return n;
}

static int parse_line(ferry__release *r, const char *p, const char *end,
	const char *path, int line, ferry_error *err)
{
	static const char form[] = "each line is '<release> <last-version> "
				   "[checkpoint]'";
	const char *w[4];
	size_t wl[4];
	int n = words(p, end, w, wl);

	if (n < 2)
		return bad_line(err, path, line, form,
			"release line '%.*s' has no version", p,
			(int)(end - p > 60 ? 60 : end - p));
	if (n > 3)
		return bad_line(err, path, line, form,
			"too many words on release line '%.*s'", p,
			(int)(end - p > 60 ? 60 : end - p));
	if (!name_ok(w[0], wl[0]))
		return bad_line(err, path, line,
			"a release name has letters, digits, '.', '_', '-' or "
			"'+', and not only digits (write '5.0', not '5')",
			"invalid release name '%.*s'", w[0],
			(int)(wl[0] > 60 ? 60 : wl[0]));
	if (ferry__parse_version(w[1], wl[1], &r->pub.last_version) < 0)
		return bad_line(err, path, line,
			"a version is 1 to 18 digits, as in the migration "
			"file names",
			"invalid version '%.*s'", w[1],
			(int)(wl[1] > 60 ? 60 : wl[1]));
	if (n == 3 && !(wl[2] == 10 && memcmp(w[2], "checkpoint", 10) == 0))
		return bad_line(err, path, line, form,
			"unknown word '%.*s' after the version", w[2],
			(int)(wl[2] > 60 ? 60 : wl[2]));
	r->pub.checkpoint = n == 3;
	r->line = line;
	r->pub.name = ferry__strndup(w[0], wl[0]);
	return r->pub.name ? 0 : ferry__error_oom(err);
}

/* Duplicate names and versions that do not ascend. */
static int check_order(
	const ferry__release *rel, size_t n, const char *path, ferry_error *err)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(rel[i].pub.name, rel[j].pub.name) != 0)
				continue;
			ferry__error_set(err, FERRY_EINVALID,
				"release '%s' is listed twice",
				rel[i].pub.name);
			ferry__error_hint(err, "the first one is at line %d",
				rel[j].line);
			ferry__error_at(err, path, rel[i].line, 0);
			return FERRY_EINVALID;
		}
		if (rel[i].pub.last_version <= rel[i - 1].pub.last_version) {
			ferry__error_set(err, FERRY_EINVALID,
				"release '%s' ends at version %lld, not after "
				"release '%s' (%lld)",
				rel[i].pub.name,
				(long long)rel[i].pub.last_version,
				rel[i - 1].pub.name,
				(long long)rel[i - 1].pub.last_version);
			ferry__error_hint(err,
				"list releases oldest first, each ending at a "
				"newer migration");
			ferry__error_at(err, path, rel[i].line, 0);
			return FERRY_EINVALID;
		}
	}
	return 0;
}

int ferry__releases_parse(ferry__release **out, size_t *n, const char *text,
	size_t len, const char *path, ferry_error *err)
{
	const char *p = text, *end = text + len;
	ferry__release *rel = NULL;
	size_t count = 0, alloc = 0;
	int line = 0, rc;

	*out = NULL;
	*n = 0;
	if ((p = memchr(text, '\0', len)) != NULL) {
		int l, c;

		ferry__text_pos(text, (size_t)(p - text), &l, &c);
		ferry__error_set(
			err, FERRY_EINVALID, "file contains a NUL byte");
		ferry__error_at(err, path, l, c);
		return FERRY_EINVALID;
	}
	p = text;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *hash;
		const char *q;

		line++;
		hash = memchr(p, '#', (size_t)(eol - p));
		if (hash)
			eol = hash;
		for (q = p; q < eol && isspace((unsigned char)*q); q++)
			;
		if (q < eol) {
			if (count == alloc) {
				size_t na = alloc ? alloc * 2 : 8;
				ferry__release *r =
					ferry__realloc(rel, na * sizeof(*r));

				if (!r) {
					rc = ferry__error_oom(err);
					goto fail;
				}
				rel = r;
				alloc = na;
			}
			memset(&rel[count], 0, sizeof(rel[count]));
			rc = parse_line(&rel[count], q, eol, path, line, err);
			if (rel[count].pub.name)
				count++;
			if (rc < 0)
				goto fail;
		}
		p = nl ? nl + 1 : end;
	}
	if ((rc = check_order(rel, count, path, err)) < 0)
		goto fail;
	*out = rel;
	*n = count;
	return 0;
fail:
	ferry__releases_free(rel, count);
	return rc;
}
