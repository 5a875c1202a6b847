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

typedef enum {
	M_NONE = 0,
	M_UP,
	M_DOWN,
	M_BEGIN,
	M_END,
	M_FILE_NO_TXN, /* goose's NO TRANSACTION */
	M_IGNORED,     /* goose's ENVSUBST OFF */
	M_BAD	       /* the tool's marker, but nothing ferry knows */
} mark;

typedef struct {
	const char *up, *down, *begin, *end; /* as messages spell them */
} marker_set;

static const marker_set goose = { "-- +goose Up", "-- +goose Down",
	"-- +goose StatementBegin", "-- +goose StatementEnd" };
static const marker_set sql_migrate = { "-- +migrate Up", "-- +migrate Down",
	"-- +migrate StatementBegin", "-- +migrate StatementEnd" };
static const marker_set dbmate = { "-- migrate:up", "-- migrate:down", NULL,
	NULL };

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

/* [p, end) with blanks trimmed at both ends. */
static void trim(const char **p, const char **end)
{
	while (*p < *end && blank(**p))
		(*p)++;
	while (*end > *p && blank((*end)[-1]))
		(*end)--;
}

/* Is [p, end) exactly `s`? */
static int is(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) == n && memcmp(p, s, n) == 0;
}

/*
 * goose: a line that starts with "--", trimmed after it, and compared
 * whole and case-sensitively (its parser's `switch cmd`). What starts
 * "+goose" and is none of them, goose would take for a comment; ferry
 * refuses it, since the author meant a marker.
 */
static mark goose_marker(const char *p, const char *end)
{
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return M_NONE;
	p += 2;
	trim(&p, &end);
	if ((size_t)(end - p) < 6 || memcmp(p, "+goose", 6) != 0)
		return M_NONE;
	if (is(p, end, "+goose Up"))
		return M_UP;
	if (is(p, end, "+goose Down"))
		return M_DOWN;
	if (is(p, end, "+goose StatementBegin"))
		return M_BEGIN;
	if (is(p, end, "+goose StatementEnd"))
		return M_END;
	if (is(p, end, "+goose NO TRANSACTION"))
		return M_FILE_NO_TXN;
	/* ENVSUBST ON would put environment variables in: not ferry's. */
	if (is(p, end, "+goose ENVSUBST OFF"))
		return M_IGNORED;
	return M_BAD;
}

/*
 * sql-migrate: a line that starts "-- +migrate ", then words: the command
 * (case-sensitive) and options, of which `notransaction` counts.
 */
static mark sql_migrate_marker(const char *p, const char *end, int *notx)
{
	static const char prefix[] = "-- +migrate ";
	const char *w;
	mark m;

	if ((size_t)(end - p) < sizeof(prefix) - 1 ||
		memcmp(p, prefix, sizeof(prefix) - 1) != 0)
		return M_NONE;
	p += sizeof(prefix) - 1;
	trim(&p, &end);
	for (w = p; w < end && !blank(*w); w++)
		;
	if (is(p, w, "Up"))
		m = M_UP;
	else if (is(p, w, "Down"))
		m = M_DOWN;
	else if (is(p, w, "StatementBegin"))
		return M_BEGIN;
	else if (is(p, w, "StatementEnd"))
		return M_END;
	else
		return M_BAD;
	while (w < end) {
		const char *o;

		while (w < end && blank(*w))
			w++;
		for (o = w; w < end && !blank(*w); w++)
			;
		if (is(o, w, "notransaction"))
			*notx = 1;
	}
	return m;
}

/*
 * dbmate: "--", blanks, "migrate:up" or "migrate:down", then the end of
 * the line or blanks and `key:value` options; `transaction:false` runs
 * the section outside a transaction, other keys are dbmate's to ignore.
 */
static mark dbmate_marker(const char *p, const char *end, int *notx)
{
	mark m;

	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return M_NONE;
	p += 2;
	while (p < end && blank(*p))
		p++;
	if ((size_t)(end - p) >= 10 && memcmp(p, "migrate:up", 10) == 0) {
		m = M_UP;
		p += 10;
	} else if ((size_t)(end - p) >= 12 &&
		memcmp(p, "migrate:down", 12) == 0) {
		m = M_DOWN;
		p += 12;
	} else {
		return M_NONE;
	}
	if (p < end && !blank(*p))
		return M_NONE; /* "migrate:upgrade" */
	while (p < end) {
		const char *o, *colon;

		while (p < end && blank(*p))
			p++;
		for (o = p; p < end && !blank(*p); p++)
			;
		colon = memchr(o, ':', (size_t)(p - o));
		if (colon && !memchr(colon + 1, ':', (size_t)(p - colon - 1)) &&
			is(o, colon, "transaction"))
			*notx = is(colon + 1, p, "false");
	}
	return m;
}

/* What the line [p, end) is; `notx` for a section marker's option. */
static mark read_marker(
	ferry_format f, const char *p, const char *end, int *notx)
{
	*notx = 0;
	while (end > p && blank(end[-1]))
		end--;
	if (f == FERRY_FORMAT_GOOSE)
		return goose_marker(p, end);
	if (f == FERRY_FORMAT_SQL_MIGRATE)
		return sql_migrate_marker(p, end, notx);
	return dbmate_marker(p, end, notx);
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
			/* As goose and dbmate read it: down comes last. */
			if (k == FERRY__DOWN && !sec[FERRY__UP].present &&
				f != FERRY_FORMAT_SQL_MIGRATE)
				return fail(&ps, line,
					"put the up section first",
					"'%s' before the up section",
					ps.ms->down);
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
					? "goose reads '+goose' then, exactly: "
					  "Up, Down, StatementBegin, "
					  "StatementEnd, NO TRANSACTION, or "
					  "ENVSUBST OFF (ferry puts in no "
					  "environment variables)"
					: "sql-migrate reads '-- +migrate ' "
					  "then, exactly: Up or Down (with "
					  "notransaction), StatementBegin, "
					  "StatementEnd",
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
	if (f == FERRY_FORMAT_DBMATE && !sec[FERRY__DOWN].present)
		return fail(&ps, line - 1,
			"dbmate requires a down block, even an empty one: end "
			"the file with that line",
			"no '%s' marker", ps.ms->down);
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
