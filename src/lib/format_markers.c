/* SPDX-License-Identifier: MIT */
/*
 * format_markers.c - single-file migrations whose sections other tools'
 * marker comments open, as their documentation and parsers read them:
 *
 *   dbmate       `-- migrate:up`, `-- migrate:down`; an option
 *                `transaction:false` on the marker runs that section
 *                outside a transaction
 *   goose        `-- +goose Up`, `-- +goose Down`; `-- +goose NO
 *                TRANSACTION` anywhere: the whole file outside one;
 *                `-- +goose StatementBegin` ... `StatementEnd`: the lines
 *                between are one statement, never split at ';'
 *   sql-migrate  `-- +migrate Up`, `-- +migrate Down`, each with an
 *                optional `notransaction`; StatementBegin/End as goose
 *
 * A section's body runs from the line after its marker to the next
 * section marker; block markers stay in it (they are SQL comments) and
 * the section is marked `blocks` for the splitter (format_blocks.c). The
 * up marker is required; before the first marker only comments and blank
 * lines may stand, so no SQL is silently left out.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum {
	M_NONE = 0,
	M_UP,
	M_DOWN,
	M_BEGIN,
	M_END,
	M_FILE_NO_TXN, /* goose's NO TRANSACTION */
	M_IGNORED,     /* goose's ENVSUB OFF */
	M_BAD	       /* the tool's marker, but nothing ferry knows */
} mark;

typedef struct {
	const char *prefix; /* what starts its markers, after "--" */
	const char *up, *down, *begin, *end; /* as messages spell them */
} marker_set;

static const marker_set goose = { "+goose", "-- +goose Up", "-- +goose Down",
	"-- +goose StatementBegin", "-- +goose StatementEnd" };
static const marker_set sql_migrate = { "+migrate", "-- +migrate Up",
	"-- +migrate Down", "-- +migrate StatementBegin",
	"-- +migrate StatementEnd" };
static const marker_set dbmate = { "migrate:", "-- migrate:up",
	"-- migrate:down", NULL, NULL };

static const marker_set *markers_of(ferry_format f)
{
	return f == FERRY_FORMAT_GOOSE		? &goose
		: f == FERRY_FORMAT_SQL_MIGRATE ? &sql_migrate
						: &dbmate;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Is [p, end) the word `w`, any case, then a blank or the end? */
static int word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - *p) < n || strncasecmp(*p, w, n) != 0 ||
		(*p + n < end && !blank((*p)[n])))
		return 0;
	*p += n;
	while (*p < end && blank(**p))
		(*p)++;
	return 1;
}

/* Options after a section marker; 0, or -1 for one ferry does not know. */
static int options(ferry_format f, const char *p, const char *end, int *notx)
{
	/* sql-migrate's word, and dbmate's option either way. */
	const char *off = f == FERRY_FORMAT_SQL_MIGRATE ? "notransaction"
							: "transaction:false";
	const char *on = f == FERRY_FORMAT_DBMATE ? "transaction:true" : NULL;

	if (f == FERRY_FORMAT_GOOSE)
		return p < end ? -1 : 0;
	while (p < end) {
		if (word(&p, end, off))
			*notx = 1;
		else if (on && word(&p, end, on))
			*notx = 0;
		else
			return -1;
	}
	return 0;
}

/* What the line [p, end) is; `notx` for a section marker's option. */
static mark read_marker(
	ferry_format f, const char *p, const char *end, int *notx)
{
	const marker_set *ms = markers_of(f);
	size_t n = strlen(ms->prefix);

	*notx = 0;
	while (end > p && blank(end[-1]))
		end--;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return M_NONE;
	p += 2;
	while (p < end && blank(*p))
		p++;
	if ((size_t)(end - p) < n || strncmp(p, ms->prefix, n) != 0)
		return M_NONE;
	p += n;
	if (f != FERRY_FORMAT_DBMATE) {
		if (p < end && !blank(*p))
			return M_NONE; /* "+gooseberry" */
		while (p < end && blank(*p))
			p++;
	}
	if (word(&p, end, "up"))
		return options(f, p, end, notx) < 0 ? M_BAD : M_UP;
	if (word(&p, end, "down"))
		return options(f, p, end, notx) < 0 ? M_BAD : M_DOWN;
	if (f == FERRY_FORMAT_DBMATE)
		return M_BAD;
	if (word(&p, end, "statementbegin"))
		return p == end ? M_BEGIN : M_BAD;
	if (word(&p, end, "statementend"))
		return p == end ? M_END : M_BAD;
	if (f == FERRY_FORMAT_GOOSE && word(&p, end, "no") &&
		word(&p, end, "transaction"))
		return p == end ? M_FILE_NO_TXN : M_BAD;
	if (f == FERRY_FORMAT_GOOSE && word(&p, end, "envsub") &&
		word(&p, end, "off"))
		return p == end ? M_IGNORED : M_BAD;
	return M_BAD;
}

/* A comment or a blank line: what may stand before the first marker. */
static int only_comment(const char *p, const char *end)
{
	while (p < end && blank(*p))
		p++;
	return p == end || (end - p >= 2 && p[0] == '-' && p[1] == '-');
}

typedef struct {
	ferry_format f;
	const marker_set *ms;
	const char *text, *path;
	ferry_error *err;
} parser;

static int fail(const parser *ps, int line, const char *hint, const char *fmt,
	const char *what)
{
	ferry__error_set(ps->err, FERRY_EINVALID, fmt, what);
	ferry__error_hint(ps->err, "%s", hint);
	ferry__error_at(ps->err, ps->path, line, 1);
	return FERRY_EINVALID;
}

int ferry__markers_parse(ferry_format f, ferry__section sec[FERRY__NSECTIONS],
	const char *text, size_t len, const char *path, ferry__hasher *h,
	ferry_error *err)
{
	parser ps = { f, markers_of(f), text, path, err };
	const char *p = text, *end = text + len;
	int line = 1, current = -1, block_line = 0, file_notx = 0, k;
	int sql_line = 0; /* the first line of SQL before any section */
	char bad[64];

	memset(sec, 0, sizeof(*sec) * FERRY__NSECTIONS);
	if (memchr(text, '\0', len))
		return fail(&ps, 0, "a migration is SQL text; remove it",
			"%s contains a NUL byte", "file");
	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
		int notx;
		mark m = read_marker(f, p, eol, &notx);

		switch (m) {
		case M_NONE:
		case M_IGNORED:
			if (current < 0 && !sql_line && !only_comment(p, eol))
				sql_line = line;
			break;
		case M_UP:
		case M_DOWN:
			k = m == M_UP ? FERRY__UP : FERRY__DOWN;
			if (block_line)
				return fail(&ps, block_line,
					"close the block before the next "
					"section",
					"'%s' is never closed", ps.ms->begin);
			if (sec[k].present)
				return fail(&ps, line,
					"a migration has one of each; merge "
					"the two sections",
					"a second '%s'",
					k == FERRY__UP ? ps.ms->up
						       : ps.ms->down);
			if (current >= 0)
				sec[current].len = (size_t)(p - text) -
					sec[current].offset;
			current = k;
			sec[k].present = 1;
			sec[k].no_transaction = notx;
			sec[k].offset = (size_t)(next - text);
			sec[k].line = line + 1;
			break;
		case M_BEGIN:
			if (current < 0 || block_line)
				return fail(&ps, line,
					current < 0 ? "blocks belong in a "
						      "section"
						    : "close the first block "
						      "before opening another",
					"'%s' out of place", ps.ms->begin);
			block_line = line;
			sec[current].blocks = 1;
			break;
		case M_END:
			if (!block_line)
				return fail(&ps, line,
					"remove it, or open the block before "
					"it",
					"'%s' without a block to close",
					ps.ms->end);
			block_line = 0;
			break;
		case M_FILE_NO_TXN:
			file_notx = 1;
			break;
		case M_BAD:
			snprintf(bad, sizeof(bad), "%.*s",
				(int)(eol - p > 48 ? 48 : eol - p), p);
			return fail(&ps, line,
				f == FERRY_FORMAT_GOOSE
					? "goose's annotations ferry reads: "
					  "Up, Down, StatementBegin, "
					  "StatementEnd, NO TRANSACTION, "
					  "ENVSUB OFF"
					: f == FERRY_FORMAT_DBMATE
					? "dbmate's markers ferry reads: "
					  "'-- migrate:up' and "
					  "'-- migrate:down', with "
					  "'transaction:false'"
					: "sql-migrate's markers ferry reads: "
					  "Up and Down (with notransaction), "
					  "StatementBegin, StatementEnd",
				"unknown marker '%s'", bad);
		}
		p = next;
	}
	if (block_line)
		return fail(&ps, block_line, "close it with its end marker",
			"'%s' is never closed", ps.ms->begin);
	if (!sec[FERRY__UP].present)
		return fail(&ps, sql_line ? sql_line : 1,
			"put it on the line before the SQL to run",
			"no '%s' marker", ps.ms->up);
	if (sql_line)
		return fail(&ps, sql_line,
			"a migration's SQL follows its up marker; put it "
			"after that line",
			"SQL before '%s'", ps.ms->up);
	if (current >= 0)
		sec[current].len = len - sec[current].offset;
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		if (!sec[k].present)
			continue;
		if (file_notx)
			sec[k].no_transaction = 1;
		ferry__sha256(h, sec[k].sha, text + sec[k].offset, sec[k].len);
	}
	return 0;
}
