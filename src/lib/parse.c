/* SPDX-License-Identifier: MIT */
/*
 * parse.c - a migration file's sections: the marker lines that open them,
 * their options, and each body's checksum (SPEC section 1).
 *
 * A marker is a line `-- ferry:<section> [option ...]`. A file without
 * markers is all `up`. Before the first marker only comments and blank
 * lines may stand, so that no SQL is silently left out of every section.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *const ferry__section_names[FERRY__NSECTIONS] = { "up", "finish",
	"down" };

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/*
 * If the line [p, end) is a marker attempt, return 1 and the position just
 * after "ferry:". Anything starting "--" then "ferry:" is an attempt, so a
 * misspelt marker is an error rather than a comment that hides a section.
 */
static int marker_attempt(const char *p, const char *end, const char **after)
{
	p = skip_blanks(p, end);
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p = skip_blanks(p + 2, end);
	if (end - p < 6 || strncasecmp(p, "ferry:", 6) != 0)
		return 0;
	*after = p + 6;
	return 1;
}

static int word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(w, s, n) == 0;
}

static size_t word_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && !isspace((unsigned char)*q))
		q++;
	return (size_t)(q - p);
}

/* Parse the rest of a marker line: the section name and its options. */
static int parse_marker(const char *p, const char *end, int *kind, int *notx,
	const char *path, int line, ferry_error *err)
{
	size_t n;
	int k;

	p = skip_blanks(p, end);
	n = word_len(p, end);
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (word_is(p, n, ferry__section_names[k]))
			break;
	if (k == FERRY__NSECTIONS) {
		ferry__error_set(err, FERRY_EINVALID,
			"unknown marker 'ferry:%.*s'", (int)(n > 40 ? 40 : n),
			p);
		ferry__error_hint(err,
			"a section starts with '-- ferry:up', '-- "
			"ferry:finish' or '-- ferry:down'");
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	*kind = k;
	*notx = 0;
	for (p = skip_blanks(p + n, end); p < end;
		p = skip_blanks(p + n, end)) {
		n = word_len(p, end);
		if (word_is(p, n, "no-transaction")) {
			*notx = 1;
			continue;
		}
		ferry__error_set(err, FERRY_EINVALID,
			"unknown option '%.*s' on marker 'ferry:%s'",
			(int)(n > 40 ? 40 : n), p, ferry__section_names[k]);
		ferry__error_hint(
			err, "the only marker option is 'no-transaction'");
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	return 0;
}

/*
 * Check that [p, end) holds only whitespace and comments. Returns NULL, or
 * where the first other text starts.
 */
static const char *first_sql(const char *p, const char *end)
{
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			/* Nested as PostgreSQL nests them; harmless for SQLite,
			 * since this text is never run. */
			const char *q = p + 2;
			int depth = 1;

			while (q + 1 < end && depth > 0) {
				if (q[0] == '*' && q[1] == '/') {
					depth--;
					q += 2;
				} else if (q[0] == '/' && q[1] == '*') {
					depth++;
					q += 2;
				} else {
					q++;
				}
			}
			if (depth > 0)
				return p;
			p = q;
		} else {
			return p;
		}
	}
	return NULL;
}

static int nul_byte(
	const char *text, const char *nul, const char *path, ferry_error *err)
{
	int l, c;

	ferry__text_pos(text, (size_t)(nul - text), &l, &c);
	ferry__error_set(err, FERRY_EINVALID, "file contains a NUL byte");
	ferry__error_hint(err,
		"migration files are UTF-8 text; convert the file (UTF-16 is "
		"not supported)");
	ferry__error_at(err, path, l, c);
	return FERRY_EINVALID;
}

static int sql_before_marker(
	const char *text, const char *sql, const char *path, ferry_error *err)
{
	int l, c;

	ferry__text_pos(text, (size_t)(sql - text), &l, &c);
	ferry__error_set(
		err, FERRY_EINVALID, "SQL before the first '-- ferry:' marker");
	ferry__error_hint(err,
		"move it below '-- ferry:up', or start the file with that "
		"marker");
	ferry__error_at(err, path, l, c);
	return FERRY_EINVALID;
}

int ferry__parse_sections(ferry__section sec[FERRY__NSECTIONS],
	const char *text, size_t len, const char *path, ferry__hasher *h,
	ferry_error *err)
{
	const char *start = text, *end = text + len, *p, *nul;
	int line = 1, current = -1, k;

	memset(sec, 0, sizeof(*sec) * FERRY__NSECTIONS);
	nul = memchr(text, '\0', len);
	if (nul)
		return nul_byte(text, nul, path, err);
	/* A UTF-8 byte order mark, as some editors write, is not SQL. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		start += 3;

	for (p = start; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
		const char *after, *sql;
		int kind, notx, rc;

		if (!marker_attempt(p, eol, &after)) {
			p = next;
			continue;
		}
		if ((rc = parse_marker(
			     after, eol, &kind, &notx, path, line, err)) < 0)
			return rc;
		if (sec[kind].present) {
			ferry__error_set(err, FERRY_EINVALID,
				"second '-- ferry:%s' section",
				ferry__section_names[kind]);
			ferry__error_hint(err,
				"the first one starts at line %d; a file has "
				"at most one of each section",
				sec[kind].line - 1);
			ferry__error_at(err, path, line, 0);
			return FERRY_EINVALID;
		}
		if (current < 0 && (sql = first_sql(start, p)) != NULL)
			return sql_before_marker(text, sql, path, err);
		if (current >= 0)
			sec[current].len =
				(size_t)(p - text) - sec[current].offset;
		current = kind;
		sec[kind].present = 1;
		sec[kind].no_transaction = notx;
		sec[kind].offset = (size_t)(next - text);
		sec[kind].line = line + 1;
		p = next;
	}
	if (current < 0) {
		sec[FERRY__UP].present = 1;
		sec[FERRY__UP].offset = (size_t)(start - text);
		sec[FERRY__UP].line = 1;
		current = FERRY__UP;
	}
	sec[current].len = len - sec[current].offset;
	/* Markers without '-- ferry:up': the up section is empty. */
	if (!sec[FERRY__UP].present) {
		sec[FERRY__UP].present = 1;
		sec[FERRY__UP].offset = len;
		sec[FERRY__UP].line = line;
	}

	for (k = 0; k < FERRY__NSECTIONS; k++) {
		int rc;

		if (!sec[k].present)
			continue;
		rc = ferry__sha256(
			h, sec[k].sha, text + sec[k].offset, sec[k].len);
		if (rc == FERRY_ENOMEM)
			return ferry__error_oom(err);
		if (rc < 0) {
			ferry__error_set(err, FERRY_ERROR,
				"cannot compute a SHA-256 checksum: %s is "
				"missing",
				ferry__libcrypto_soname);
			ferry__error_hint(err,
				"install OpenSSL's library (apt-get install "
				"libssl3)");
			return FERRY_ERROR;
		}
	}
	return 0;
}
