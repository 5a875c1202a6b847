/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse.c - libFuzzer target for the migration-file reader
 * (ferry__parse_sections in parse.c).
 *
 * The input is a whole migration file, as ferry__read_into leaves it. For
 * any input the reader must not crash and must account for every byte:
 * each section lies inside the text and after the one before; each starts
 * just after its marker line, and the section before it ends where that
 * marker line starts; the last one runs to the end; before the first
 * marker stand only blank lines and comments. A file without a marker
 * line is one `up` section covering everything after an optional BOM.
 * Checksums are checked against OpenSSL directly, lines against a count
 * of newlines, and errors must be one line of text with a code.
 */
#include "fuzz.h"

#include <openssl/evp.h>
#include <strings.h>

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Is [p, end) only whitespace and comments: line comments, and block
 * comments that close, nested as PostgreSQL nests them (`nest`) or not, as
 * SQLite reads them? parse.c knows no dialect, so either reading will do.
 */
static int only_space_and_comments(const char *p, const char *end, int nest)
{
	while (p < end) {
		if (is_space(*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			int depth = 1;

			for (p += 2; depth > 0;) {
				if (end - p < 2)
					return 0;
				if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else if (nest && p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else {
					p++;
				}
			}
		} else {
			return 0;
		}
	}
	return 1;
}

/* Is [p, end) the word `w`, any case, then a blank or the end? */
static int word_then_blank(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0 &&
		(p + n == end || p[n] == ' ' || p[n] == '\t' || p[n] == '\r');
}

/*
 * Could [p, end) be a section's marker line: blanks, "--", blanks,
 * "ferry:", and not a directive (repeat, require, param), which opens no
 * section?
 */
static int marker_line(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	for (p += 2; p < end && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
		;
	if (end - p < 6 || strncasecmp(p, "ferry:", 6) != 0)
		return 0;
	for (p += 6; p < end && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
		;
	return !word_then_blank(p, end, "repeat") &&
		!word_then_blank(p, end, "require") &&
		!word_then_blank(p, end, "param") &&
		!word_then_blank(p, end, "allow");
}

/* Does any line of [p, end) look like a marker? */
static int has_marker(const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (marker_line(p, eol))
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static void check_error(const ferry_error *err, int rc, int nlines)
{
	CHECK(rc == FERRY_EINVALID);
	CHECK(err->code == rc);
	CHECK(err->message[0] != '\0');
	CHECK(strchr(err->message, '\n') == NULL);
	CHECK(strcmp(err->file, "fuzz.sql") == 0);
	CHECK(err->line >= 1 && err->line <= nlines);
	CHECK(err->column >= 0);
}

/* Does every marker line of [p, end) open one of the sections? */
static int markers_open_sections(const char *text, const char *p,
	const char *end, const ferry__section *sec)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t body =
			nl ? (size_t)(nl + 1 - text) : (size_t)(end - text);
		int k, found = 0;

		if (marker_line(p, eol)) {
			for (k = 0; k < FERRY__NSECTIONS; k++)
				found |=
					sec[k].present && sec[k].offset == body;
			if (!found)
				return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	ferry__section sec[FERRY__NSECTIONS];
	ferry_error err;
	size_t start, order[FERRY__NSECTIONS], n = 0, i, j;
	int rc, k, markers;

	ferry_error_init(&err);
	rc = ferry__parse_sections(sec, text, size, "fuzz.sql", NULL, &err);
	if (memchr(text, '\0', size)) {
		CHECK(rc == FERRY_EINVALID);
		CHECK(strstr(err.message, "NUL") != NULL);
		return 0;
	}
	if (rc != 0) {
		check_error(&err, rc, fuzz_line_of(text, size));
		return 0;
	}
	CHECK(err.code == FERRY_OK);

	start = size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	markers = has_marker(text + start, text + size);
	if (!markers) {
		CHECK(sec[FERRY__UP].present);
		CHECK(sec[FERRY__UP].offset == start);
		CHECK(sec[FERRY__UP].len == size - start);
		CHECK(sec[FERRY__UP].line == 1);
		CHECK(!sec[FERRY__UP].no_transaction);
		CHECK(!sec[FERRY__FINISH].present && !sec[FERRY__DOWN].present);
	}
	CHECK(sec[FERRY__UP].present);
	CHECK(markers_open_sections(text, text + start, text + size, sec));

	for (k = 0; k < FERRY__NSECTIONS; k++) {
		unsigned char sha[32];
		unsigned int shalen = 0;
		const ferry__section *s = &sec[k];

		if (!s->present) {
			CHECK(s->offset == 0 && s->len == 0);
			continue;
		}
		CHECK(s->offset >= start && s->offset <= size);
		CHECK(s->len <= size - s->offset);
		CHECK(EVP_Digest(text + s->offset, s->len, sha, &shalen,
			      EVP_sha256(), NULL) == 1);
		CHECK(memcmp(sha, s->sha, 32) == 0);
		/* An empty body at the very end has no first byte to count. */
		if (s->offset < size)
			CHECK(s->line == fuzz_line_of(text, s->offset));
		/* Sorted by offset, ties keep file order: insertion sort. */
		for (j = n; j > 0 && sec[order[j - 1]].offset > s->offset; j--)
			order[j] = order[j - 1];
		order[j] = (size_t)k;
		n++;
	}

	/*
	 * Between sections, one marker line; before the first, blank lines and
	 * comments and then its marker. Sections at the very end are empty and
	 * may have no marker of their own (the up section of a file that
	 * lacks one), so only the others are held to this.
	 */
	for (i = 0; i < n; i++) {
		const ferry__section *s = &sec[order[i]];
		const char *body = text + s->offset, *line;
		size_t prev_end = start;

		if (i > 0)
			prev_end = sec[order[i - 1]].offset +
				sec[order[i - 1]].len;
		CHECK(prev_end <= s->offset);
		if (s->offset == size && s->len == 0)
			continue;
		if (!markers) {
			CHECK(prev_end == s->offset);
			continue;
		}
		CHECK(s->offset > start && body[-1] == '\n');
		for (line = body - 1; line > text + start && line[-1] != '\n';
			line--)
			;
		CHECK(marker_line(line, body - 1));
		CHECK((size_t)(line - text) >= prev_end);
		if (i > 0)
			CHECK((size_t)(line - text) == prev_end);
		else
			CHECK(only_space_and_comments(text + start, line, 0) ||
				only_space_and_comments(text + start, line, 1));
	}
	/* The section that starts last runs to the end of the file. */
	if (n > 0)
		CHECK(sec[order[n - 1]].offset + sec[order[n - 1]].len == size);
	return 0;
}
