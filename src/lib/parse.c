/* SPDX-License-Identifier: MIT */
/*
 * parse.c - a migration file's sections: the marker lines that open them,
 * their options, and each body's checksum (SPEC section 1).
 *
 * A marker is a line `-- ferry:<section> [option ...]`. A file without
 * markers is all `up`. Before the first marker only comments and blank
 * lines may stand, so that no SQL is silently left out of every section.
 *
 * A marker that is not read as one hides a section: its SQL runs in the
 * phase before. So every line that looks meant as a marker either is one
 * or is an error naming file:line:column:
 *
 *  - a comment line whose first word is `ferry` (any case; the word ends
 *    at anything but an ASCII letter, digit or '_') and that is not
 *    `-- ferry:...`: `-- ferry finish`, `-- ferry :down`, `--- ferry:up`,
 *    `-- ferry：up`, `/\* ferry:down *\/` (markers are `--` comments);
 *  - another tool's marker: dbmate, goose, sql-migrate, Atlas, Liquibase;
 *  - a marker inside a block comment, a quoted string or identifier, or a
 *    dollar quote, under either engine's reading (split.c's lexer reads
 *    the file as both at once: see ferry__lex_at);
 *  - a block comment still open at the end of the file, which SQLite would
 *    read as a comment to the end, skipping the rest of the section.
 *
 * Misspelt and foreign markers inside a comment or quote are text, not
 * markers, and are left alone. A file valid before these rules has the
 * same sections, byte for byte, so the same checksums.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *const ferry__section_names[FERRY__NSECTIONS] = { "up", "finish",
	"down" };

/* The longest part of a line that a message quotes. */
#define SHOWN_MAX 48

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

/* Does [p, end) start with the word `w`, in any case? */
static int word_at(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return p < end && (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0 &&
		((size_t)(end - p) == n || !is_word_char(p[n]));
}

/* What a line is, as far as sections go. */
typedef enum {
	LINE_PLAIN = 0, /* SQL, a blank line or a comment */
	LINE_MARKER,	/* `-- ferry:...`: a marker, or an unknown one */
	LINE_MISSPELT,	/* a comment whose first word is `ferry` */
	LINE_FOREIGN	/* another tool's marker */
} line_kind;

typedef struct {
	line_kind kind;
	const char *begin; /* the line's first non-blank */
	const char *end;   /* the line's end, trailing blanks dropped */
	const char *at;	   /* MARKER: after "ferry:"; MISSPELT: the first
			      character that is wrong */
	const char *word;  /* MISSPELT: where "ferry" stands */
	const char *tool;  /* FOREIGN: the tool, for the message */
	const char *what;  /* FOREIGN: "marker" or "directive" */
	const char *hint;  /* FOREIGN */
} line_info;

#define FOREIGN_HINT(tool) \
	"ferry reads a set of " tool " files with '--format " tool "'; in a " \
	"ferry set, rewrite the markers as '-- ferry:up' and '-- ferry:down'"

/*
 * Liquibase formatted SQL, as Liquibase matches it (`q` is just after "--"
 * and the blanks after it; `tight` says there were none). Its `-- rollback
 * ...` with a blank reads as prose ("-- rollback is not possible"), so only
 * `--rollback` counts; a Liquibase file starts with `--liquibase formatted
 * sql` anyway, which counts in every spelling.
 */
static int liquibase(const char *q, const char *end, int tight)
{
	const char *r;

	if (word_at(q, end, "liquibase"))
		return (r = skip_blanks(q + 9, end)) > q + 9 &&
			word_at(r, end, "formatted");
	if (word_at(q, end, "changeset"))
		return (r = skip_blanks(q + 9, end)) > q + 9 && r < end &&
			memchr(r, ':', (size_t)(end - r)) != NULL;
	return tight && word_at(q, end, "rollback") &&
		(q + 8 == end || is_blank(q[8]));
}

/* Another tool's marker (case aside), as `liquibase` takes its arguments. */
static int foreign(const char *q, const char *end, int tight, line_info *li)
{
	li->what = "marker";
	if (word_at(q, end, "+goose")) {
		li->tool = "goose";
		li->hint = FOREIGN_HINT("goose");
	} else if (word_at(q, end, "+migrate")) {
		li->tool = "sql-migrate";
		li->hint = FOREIGN_HINT("sql-migrate");
	} else if (end - q > 8 && strncasecmp(q, "migrate:", 8) == 0 &&
		(word_at(q + 8, end, "up") || word_at(q + 8, end, "down"))) {
		li->tool = "dbmate";
		li->hint = FOREIGN_HINT("dbmate");
	} else if (end - q > 6 && strncasecmp(q, "atlas:", 6) == 0 &&
		is_word_char(q[6])) {
		li->tool = "Atlas";
		li->what = "directive";
		li->hint = "ferry does not read Atlas files (yet); remove the "
			   "directive and mark sections with '-- ferry:up' and "
			   "'-- ferry:down'";
	} else if (liquibase(q, end, tight)) {
		li->tool = "Liquibase";
		li->hint = "ferry does not read Liquibase formatted SQL (yet); "
			   "rewrite each changeset as a migration file with "
			   "'-- ferry:up' and '-- ferry:down'";
	} else {
		return 0;
	}
	return 1;
}

/*
 * What the line [p, eol) is. Only lines that start, after blanks, with
 * "--" or a block comment's opening can be anything but LINE_PLAIN.
 */
static line_kind classify(const char *p, const char *eol, line_info *li)
{
	const char *q, *r;

	memset(li, 0, sizeof(*li));
	p = skip_blanks(p, eol);
	if (eol - p < 2)
		return LINE_PLAIN;
	li->begin = p;
	for (li->end = eol; li->end > p && is_blank(li->end[-1]); li->end--)
		;
	if (p[0] == '-' && p[1] == '-') {
		q = skip_blanks(p + 2, eol);
		if (eol - q >= 6 && strncasecmp(q, "ferry:", 6) == 0) {
			li->at = q + 6;
			return li->kind = LINE_MARKER;
		}
		/* Decoration: "--- ferry:up", "-- -- ferry:up". */
		for (r = p + 2; r < eol && (*r == '-' || is_blank(*r)); r++)
			;
		if (word_at(r, eol, "ferry")) {
			li->word = r;
			/* The first extra '-', or what follows "ferry". */
			li->at = r == q
				? r + 5
				: memchr(p + 2, '-', (size_t)(r - p - 2));
			return li->kind = LINE_MISSPELT;
		}
		if (q < li->end && foreign(q, li->end, q == p + 2, li))
			return li->kind = LINE_FOREIGN;
	} else if (p[0] == '/' && p[1] == '*') {
		for (r = p + 2; r < eol && (*r == '*' || is_blank(*r)); r++)
			;
		if (word_at(r, eol, "ferry")) {
			li->word = r;
			li->at = p;
			return li->kind = LINE_MISSPELT;
		}
	}
	return LINE_PLAIN;
}

/* How much of a line a message shows, and whether it was cut. */
static int shown(const line_info *li, const char **dots)
{
	size_t n = (size_t)(li->end - li->begin);

	*dots = "";
	if (n <= SHOWN_MAX)
		return (int)n;
	/* Cut before a UTF-8 continuation byte's character, not inside it. */
	for (n = SHOWN_MAX; n > 0 && (li->begin[n] & 0xC0) == 0x80; n--)
		;
	*dots = "...";
	return (int)n;
}

static int fail_at(
	ferry_error *err, const char *text, const char *at, const char *path)
{
	int l, c;

	ferry__text_pos(text, (size_t)(at - text), &l, &c);
	ferry__error_at(err, path, l, c);
	return FERRY_EINVALID;
}

/*
 * For a misspelt marker's hint: the section it seems to name, after
 * "ferry" and whatever stands in for the colon, or -1.
 */
static int meant_section(const char *p, const char *end, int *notx)
{
	const char *r;
	int k;

	while (p < end && !is_word_char(*p))
		p++;
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (word_at(p, end, ferry__section_names[k]))
			break;
	if (k == FERRY__NSECTIONS)
		return -1;
	r = skip_blanks(p + strlen(ferry__section_names[k]), end);
	*notx = (size_t)(end - r) == 14 &&
		strncasecmp(r, "no-transaction", 14) == 0;
	return k;
}

static int misspelt(const char *text, const line_info *li, const char *path,
	ferry_error *err)
{
	const char *dots;
	int n = shown(li, &dots), notx = 0;
	int k = meant_section(li->word + 5, li->end, &notx);

	ferry__error_set(err, FERRY_EINVALID, "misspelt marker '%.*s%s'", n,
		li->begin, dots);
	if (k >= 0)
		ferry__error_hint(err, "%swrite '-- ferry:%s%s'",
			li->begin[0] == '/' ? "markers are '--' comments: "
					    : "",
			ferry__section_names[k], notx ? " no-transaction" : "");
	else
		ferry__error_hint(err,
			"a section starts with '-- ferry:up', '-- "
			"ferry:finish' or '-- ferry:down'; reword a comment "
			"that starts with the word 'ferry'");
	return fail_at(err, text, li->at, path);
}

static int foreign_marker(const char *text, const line_info *li,
	const char *path, ferry_error *err)
{
	const char *dots;
	int n = shown(li, &dots);

	ferry__error_set(err, FERRY_EINVALID, "%s %s '%.*s%s'", li->tool,
		li->what, n, li->begin, dots);
	ferry__error_hint(err, "%s", li->hint);
	return fail_at(err, text, li->begin, path);
}

/* A marker line inside a comment or quote: `base` is where `s` counts. */
static int marker_inside(const char *text, const char *base,
	const line_info *li, const ferry__lex_span *s, const char *path,
	ferry_error *err)
{
	const char *open = base + s->start, *dots;
	int n = shown(li, &dots), line, col;

	ferry__text_pos(text, (size_t)(open - text), &line, &col);
	switch (s->kind) {
	case FERRY__LEX_COMMENT:
		if (s->first_end <= (size_t)(li->begin - base)) {
			ferry__error_set(err, FERRY_EINVALID,
				"'%.*s%s' inside a nested /* comment opened "
				"at line %d",
				n, li->begin, dots, line);
			ferry__error_hint(err,
				"PostgreSQL nests /* */ comments, so each "
				"'/*' needs its own '*/'; close them before "
				"the marker");
		} else {
			ferry__error_set(err, FERRY_EINVALID,
				"'%.*s%s' inside a /* comment opened at line "
				"%d",
				n, li->begin, dots, line);
			ferry__error_hint(err,
				"close the comment with '*/' before the "
				"marker");
		}
		break;
	case FERRY__LEX_DOLLAR:
		ferry__error_set(err, FERRY_EINVALID,
			"'%.*s%s' inside a dollar-quoted string opened at "
			"line %d",
			n, li->begin, dots, line);
		ferry__error_hint(err, "close it with '%.*s' before the marker",
			(int)s->tag_len, open);
		break;
	case FERRY__LEX_IDENT:
		if (*open == '[') {
			ferry__error_set(err, FERRY_EINVALID,
				"'%.*s%s' inside a [bracketed] identifier "
				"opened at line %d",
				n, li->begin, dots, line);
			ferry__error_hint(err,
				"close it with ']' before the marker; SQLite "
				"reads '[' as the start of an identifier");
			break;
		}
		ferry__error_set(err, FERRY_EINVALID,
			"'%.*s%s' inside a quoted identifier opened at line %d",
			n, li->begin, dots, line);
		ferry__error_hint(err,
			"close the identifier before the marker: a quote may "
			"be missing");
		break;
	default:
		ferry__error_set(err, FERRY_EINVALID,
			"'%.*s%s' inside a quoted string opened at line %d", n,
			li->begin, dots, line);
		ferry__error_hint(err,
			"close the string before the marker: a quote may be "
			"missing or not doubled");
		break;
	}
	return fail_at(err, text, li->begin, path);
}

static int unterminated_comment(
	const char *text, const char *open, const char *path, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID, "unterminated /* comment");
	ferry__error_hint(err,
		"close it with '*/'; SQLite would silently skip the rest of "
		"the section");
	return fail_at(err, text, open, path);
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
	int *confirm, const char *path, int line, ferry_error *err)
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
	*confirm = 0;
	for (p = skip_blanks(p + n, end); p < end;
		p = skip_blanks(p + n, end)) {
		n = word_len(p, end);
		if (word_is(p, n, "no-transaction")) {
			*notx = 1;
			continue;
		}
		if (word_is(p, n, "confirm")) {
			*confirm = 1;
			continue;
		}
		ferry__error_set(err, FERRY_EINVALID,
			"unknown option '%.*s' on marker 'ferry:%s'",
			(int)(n > 40 ? 40 : n), p, ferry__section_names[k]);
		ferry__error_hint(err,
			"the marker options are 'no-transaction' and "
			"'confirm'");
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	return 0;
}

/*
 * The repeat directive
 */

/* "500ms", "2s", at most an hour: 0 and *ms, or -1. */
static int parse_duration(const char *p, size_t n, int64_t *ms)
{
	int64_t v = 0;
	size_t i = 0;

	while (i < n && p[i] >= '0' && p[i] <= '9' && v <= 3600000)
		v = v * 10 + (p[i++] - '0');
	if (i == 0)
		return -1;
	if (n - i == 1 && p[i] == 's')
		v *= 1000;
	else if (n - i != 2 || p[i] != 'm' || p[i + 1] != 's')
		return -1;
	if (v > 3600000)
		return -1;
	*ms = v;
	return 0;
}

/* 1 to 10^9: 0 and *out, or -1. */
static int parse_count(const char *p, size_t n, int64_t *out)
{
	int64_t v;

	if (ferry__parse_version(p, n, &v) < 0 || v < 1 || v > 1000000000)
		return -1;
	*out = v;
	return 0;
}

/* Lines that say something of the statement after them. */
typedef enum {
	DIRECTIVE_NONE,
	DIRECTIVE_REPEAT,
	DIRECTIVE_REQUIRE,
	DIRECTIVE_PARAM, /* of the file, not of a statement */
	DIRECTIVE_ALLOW	 /* for `ferry lint` (lint.c), which reads it */
} directive;

static const char *const directive_names[] = { "", "repeat", "require", "param",
	"allow" };

/* Which directive the marker line `li` is; what follows its word at *rest. */
static directive directive_of(const line_info *li, const char **rest)
{
	const char *q = skip_blanks(li->at, li->end);
	int d;

	/* The word, then a blank or the end: "require-x" is no directive. */
	for (d = DIRECTIVE_REPEAT; d <= DIRECTIVE_ALLOW; d++) {
		const char *w = q + strlen(directive_names[d]);

		if (word_at(q, li->end, directive_names[d]) &&
			(w == li->end || is_blank(*w))) {
			*rest = skip_blanks(w, li->end);
			return (directive)d;
		}
	}
	return DIRECTIVE_NONE;
}

static int is_repeat(const line_info *li, const char **opts)
{
	return directive_of(li, opts) == DIRECTIVE_REPEAT;
}

/*
 * The whole lines of text[from, to), a statement's gap: the line `li` of
 * the first `want` directive in it, or 0.
 */
static int directive_in(const char *text, size_t from, size_t to,
	directive want, line_info *li, const char **rest)
{
	const char *p = text + from, *end = text + to;

	/* Only whole lines are directives: not "SELECT 1; -- ferry:..." */
	if (from > 0 && text[from - 1] != '\n') {
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (classify(p, nl ? nl : end, li) == LINE_MARKER &&
			directive_of(li, rest) == want)
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

size_t ferry__directive_within(const char *stmt, size_t len)
{
	const char *p = memchr(stmt, '\n', len), *end = stmt + len, *rest;
	line_info li;

	while (p && ++p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (classify(p, nl ? nl : end, &li) == LINE_MARKER &&
			directive_of(&li, &rest) != DIRECTIVE_NONE)
			return (size_t)(p - stmt);
		p = nl;
	}
	return len;
}

int ferry__require_find(const char *text, size_t from, size_t to,
	const char **message, size_t *len)
{
	line_info li;

	if (!directive_in(text, from, to, DIRECTIVE_REQUIRE, &li, message))
		return 0;
	*len = (size_t)(li.end - *message);
	return 1;
}

/* Its options: 0, or -1 with the wrong one in [*bad, *bad + *n). */
static int repeat_options(const char *p, const char *end, ferry__repeat *out,
	const char **bad, size_t *n)
{
	out->pause_ms = 0;
	out->max_batches = FERRY__REPEAT_MAX_BATCHES;
	for (p = skip_blanks(p, end); p < end; p = skip_blanks(p + *n, end)) {
		*n = word_len(p, end);
		if (*n > 6 && strncmp(p, "pause=", 6) == 0 &&
			parse_duration(p + 6, *n - 6, &out->pause_ms) == 0)
			continue;
		if (*n > 4 && strncmp(p, "max=", 4) == 0 &&
			parse_count(p + 4, *n - 4, &out->max_batches) == 0)
			continue;
		*bad = p;
		return -1;
	}
	return 0;
}

int ferry__repeat_find(
	const char *text, size_t from, size_t to, ferry__repeat *out)
{
	const char *opts, *bad;
	line_info li;
	size_t n;

	return directive_in(text, from, to, DIRECTIVE_REPEAT, &li, &opts) &&
		repeat_options(opts, li.end, out, &bad, &n) == 0;
}

size_t ferry__count_repeats(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *opts;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line_info li;

		if (classify(p, eol, &li) == LINE_MARKER &&
			is_repeat(&li, &opts))
			n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

size_t ferry_sql_repeats(const char *sql)
{
	return sql ? ferry__count_repeats(sql, strlen(sql)) : 0;
}

/*
 * A repeat directive at line `line`, in section `current` (-1: before any
 * marker, the implicit up section): allowed only where each batch can
 * commit on its own, and with options ferry knows.
 */
static int repeat_directive(const ferry__section *sec, int current,
	const line_info *li, const char *opts, const char *path, int line,
	ferry_error *err)
{
	ferry__repeat rep;
	const char *bad;
	size_t n;

	if (current < 0 || !sec[current].no_transaction) {
		const char *name =
			ferry__section_names[current < 0 ? 0 : current];

		ferry__error_set(err, FERRY_EINVALID,
			"'-- ferry:repeat' in a section that runs in one "
			"transaction");
		ferry__error_hint(err,
			"mark the section '-- ferry:%s no-transaction': each "
			"batch of a repeated statement commits on its own",
			name);
	} else if (repeat_options(opts, li->end, &rep, &bad, &n) < 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"unknown option '%.*s' on '-- ferry:repeat'",
			(int)(n > 40 ? 40 : n), bad);
		ferry__error_hint(err,
			"the options are pause=DURATION (e.g. pause=500ms or "
			"pause=2s, at most 1 hour) and max=N (batches, default "
			"%d)",
			FERRY__REPEAT_MAX_BATCHES);
	} else {
		return 0;
	}
	ferry__error_at(err, path, line, 0);
	return FERRY_EINVALID;
}

/* A directive `d` at `line` with no statement after it. */
static int no_statement_after(
	directive d, const char *path, int line, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID,
		"'-- ferry:%s' is followed by no statement",
		directive_names[d]);
	ferry__error_hint(err,
		d == DIRECTIVE_REPEAT
			? "put the statement to repeat right after it, in the "
			  "same section"
			: "put the query that must return true right after "
			  "it, in the same section");
	ferry__error_at(err, path, line, 0);
	return FERRY_EINVALID;
}

/*
 * The param directive
 */

/*
 * "NAME [default [VALUE]]" from `p` to the line's end: 0 and `out`, or -1
 * with what is wrong in *why.
 */
static int param_parse(const char *p, const char *end, ferry__param_decl *out,
	const char **why)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	while (p + n < end && is_word_char(p[n]))
		n++;
	if (n == 0 || (p[0] >= '0' && p[0] <= '9') ||
		n > FERRY__PARAM_NAME_MAX) {
		*why = "a parameter's name is a letter or '_', then letters, "
		       "digits and '_', at most 63 of them";
		return -1;
	}
	out->name = p;
	out->name_len = n;
	p = skip_blanks(p + n, end);
	if (p == end)
		return 0;
	if (p == out->name + n || !word_at(p, end, "default") ||
		(p + 7 < end && !is_blank(p[7]))) {
		*why = "after the name, only 'default VALUE'";
		return -1;
	}
	out->has_default = 1;
	out->value = skip_blanks(p + 7, end);
	out->value_len = (size_t)(end - out->value);
	return 0;
}

/* A parameter's declaration at `line`: well formed, and the first of its
 * name (`seen` holds the names before it, `*nseen` of them). */
static int param_directive(const line_info *li, const char *rest,
	const char *path, int line, ferry__param_decl *seen, size_t *nseen,
	ferry_error *err)
{
	ferry__param_decl d;
	const char *why;
	size_t i;

	if (param_parse(rest, li->end, &d, &why) < 0) {
		ferry__error_set(
			err, FERRY_EINVALID, "invalid '-- ferry:param' line");
		ferry__error_hint(err,
			"%s, e.g. '-- ferry:param "
			"log_port default 514'",
			why);
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	for (i = 0; i < *nseen; i++) {
		if (seen[i].name_len != d.name_len ||
			memcmp(seen[i].name, d.name, d.name_len) != 0)
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"parameter '%.*s' is declared twice", (int)d.name_len,
			d.name);
		ferry__error_hint(err, "the first declaration is at line %d",
			seen[i].line);
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	if (*nseen == FERRY__PARAMS_MAX) {
		ferry__error_set(err, FERRY_EINVALID,
			"more than %d parameters in one file",
			FERRY__PARAMS_MAX);
		ferry__error_at(err, path, line, 0);
		return FERRY_EINVALID;
	}
	d.line = line;
	seen[(*nseen)++] = d;
	return 0;
}

int ferry__params_each(
	const char *text, size_t len, ferry__param_fn fn, void *payload)
{
	const char *p = text, *end = text + len, *rest, *why;
	int line = 1, rc;

	/* As ferry__parse_sections reads it: a byte order mark is no text. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		ferry__param_decl d;
		line_info li;

		/* The file was read: a directive here is in the open. */
		if (classify(p, nl ? nl : end, &li) == LINE_MARKER &&
			directive_of(&li, &rest) == DIRECTIVE_PARAM &&
			param_parse(rest, li.end, &d, &why) == 0) {
			d.line = line;
			if ((rc = fn(payload, &d)) != 0)
				return rc;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* A precondition says what to do when it is not met. */
static int require_directive(const line_info *li, const char *message,
	const char *path, int line, ferry_error *err)
{
	if (message < li->end)
		return 0;
	ferry__error_set(
		err, FERRY_EINVALID, "'-- ferry:require' needs a message");
	ferry__error_hint(err,
		"say what to do when the query after it is not true, e.g. "
		"'-- ferry:require stop every worker first'");
	ferry__error_at(err, path, line, 0);
	return FERRY_EINVALID;
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
	const char *start = text, *end = text + len, *p, *nul, *opts;
	const char *pending = NULL; /* after a directive, till a statement */
	directive pending_kind = DIRECTIVE_NONE, d;
	ferry__param_decl params[FERRY__PARAMS_MAX];
	ferry__lex_cursor lex;
	ferry__lex_span span;
	int line = 1, current = -1, pending_line = 0, k;
	size_t nparams = 0;

	memset(sec, 0, sizeof(*sec) * FERRY__NSECTIONS);
	nul = memchr(text, '\0', len);
	if (nul)
		return nul_byte(text, nul, path, err);
	/* A UTF-8 byte order mark, as some editors write, is not SQL. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		start += 3;
	ferry__lex_cursor_init(&lex, start, (size_t)(end - start));

	for (p = start; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
		line_info li;
		size_t first;
		int kind, notx, confirm, rc;

		if (classify(p, eol, &li) == LINE_PLAIN) {
			p = next;
			continue;
		}
		ferry__lex_at(&lex, (size_t)(p - start), &span);
		if (span.kind != FERRY__LEX_CODE) {
			/* Text in a comment or a quote, unless it would cut
			 * the section there. */
			if (li.kind == LINE_MARKER)
				return marker_inside(
					text, start, &li, &span, path, err);
			p = next;
			continue;
		}
		if (li.kind == LINE_MISSPELT)
			return misspelt(text, &li, path, err);
		if (li.kind == LINE_FOREIGN)
			return foreign_marker(text, &li, path, err);
		if (pending &&
			ferry__first_token(pending, (size_t)(p - pending)) ==
				(size_t)(p - pending))
			return no_statement_after(
				pending_kind, path, pending_line, err);
		pending = NULL;
		if ((d = directive_of(&li, &opts)) == DIRECTIVE_ALLOW) {
			/* Its words are the linter's to judge. */
			p = next;
			continue;
		}
		if (d == DIRECTIVE_PARAM) {
			if ((rc = param_directive(&li, opts, path, line, params,
				     &nparams, err)) < 0)
				return rc;
			p = next;
			continue;
		}
		if (d != DIRECTIVE_NONE) {
			rc = d == DIRECTIVE_REPEAT
				? repeat_directive(sec, current, &li, opts,
					  path, line, err)
				: require_directive(&li, opts, path, line, err);
			if (rc < 0)
				return rc;
			pending = next;
			pending_kind = d;
			pending_line = line;
			p = next;
			continue;
		}
		if ((rc = parse_marker(li.at, eol, &kind, &notx, &confirm, path,
			     line, err)) < 0)
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
		if (current < 0 &&
			(first = ferry__first_token(start,
				 (size_t)(p - start))) < (size_t)(p - start))
			return sql_before_marker(
				text, start + first, path, err);
		if (current >= 0)
			sec[current].len =
				(size_t)(p - text) - sec[current].offset;
		current = kind;
		sec[kind].present = 1;
		sec[kind].no_transaction = notx;
		sec[kind].confirm = confirm;
		sec[kind].offset = (size_t)(next - text);
		sec[kind].line = line + 1;
		p = next;
	}
	if (pending &&
		ferry__first_token(pending, (size_t)(end - pending)) ==
			(size_t)(end - pending))
		return no_statement_after(
			pending_kind, path, pending_line, err);
	/* A comment open at the end hides the rest from SQLite. */
	ferry__lex_at(&lex, (size_t)(end - start), &span);
	if (span.kind == FERRY__LEX_COMMENT && span.first_end == SIZE_MAX)
		return unterminated_comment(
			text, start + span.start, path, err);
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

	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (sec[k].present)
			ferry__sha256(h, sec[k].sha, text + sec[k].offset,
				sec[k].len);
	return 0;
}
