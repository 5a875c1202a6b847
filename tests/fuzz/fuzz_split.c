/* SPDX-License-Identifier: MIT */
/*
 * fuzz_split.c - libFuzzer target for the statement splitter (split.c).
 *
 * The first byte picks the dialect: odd is SQLite, even is PostgreSQL, so
 * a seed that starts with 'S' or 'P' says which it is. The rest is the SQL.
 * For any input ferry__split must not crash and must not lose a byte:
 * spans come in order, inside the text, non-empty, each starting at a
 * token, every one but the last ending at its ';', and what lies between
 * them is only whitespace and comments. That last judgement comes from a
 * small scanner here that shares no code with split.c, so a lexer bug
 * there cannot hide itself. Besides: errors point inside the input at the
 * first problem, splitting is deterministic, a statement split on its own
 * is one statement, ferry__split_each delivers the same statements one
 * by one (and stops when told), ferry__stmt_classify takes any span, a
 * failed allocation gives FERRY_ENOMEM with nothing leaked, and in SQLite
 * the statements end where sqlite3_complete() says they do.
 */
#include "fuzz.h"

#include <sqlite3.h>
#include <strings.h>

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int starts_comment(const char *p, const char *end)
{
	return end - p >= 2 && ((p[0] == '-' && p[1] == '-') ||
		(p[0] == '/' && p[1] == '*'));
}

/*
 * Is [p, end) only whitespace and comments? PostgreSQL nests block
 * comments and refuses an open one; SQLite does not nest and reads an open
 * one to the end of the text. `at_end` says the gap runs to the end of the
 * input: only there may a line comment lack its newline, or a SQLite block
 * comment stay open. Anywhere else the comment would have swallowed the
 * statement after it.
 */
static int only_space_and_comments(const char *p, const char *end, int pg,
	int at_end)
{
	while (p < end) {
		if (is_space(*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
			if (p == end)
				return at_end;
			p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			int depth = 1;

			for (p += 2; depth > 0;) {
				if (end - p < 2)
					return at_end && !pg;
				if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else if (pg && p[0] == '/' && p[1] == '*') {
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

static void check_classify(const char *stmt, size_t len, ferry__dialect d)
{
	const char *what = NULL;
	ferry__stmt_kind k = ferry__stmt_classify(stmt, len, d, &what);

	CHECK(k == FERRY__STMT_PLAIN || k == FERRY__STMT_TXN_CONTROL ||
		k == FERRY__STMT_NO_TXN);
	CHECK(what != NULL);
	CHECK((k == FERRY__STMT_PLAIN) == (*what == '\0'));
}

static int contains_ci(const char *p, size_t len, const char *w)
{
	size_t n = strlen(w), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(p + i, w, n) == 0)
			return 1;
	return 0;
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Could ferry and sqlite3_complete() disagree on whether `p` is a CREATE
 * TRIGGER, on SQL that SQLite refuses anyway? ferry spots CREATE [TEMP]
 * TRIGGER from its words alone, sqlite3_complete() from all its tokens and
 * with any number of TEMPs: "CREATE/TEMP TRIGGER", "CREATE 1TEMP TRIGGER",
 * "CREATE TEMP TEMP TRIGGER". So before a TRIGGER only words of letters,
 * blanks, comments and at most one TEMP may stand.
 */
static int odd_trigger(const char *p, size_t len)
{
	const char *end = p + len, *w;
	int temps = 0;

	while (p < end) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			for (p += 2; end - p >= 2; p++)
				if (p[0] == '*' && p[1] == '/')
					break;
			if (end - p < 2)
				return 0;
			p += 2;
		} else if (is_space(*p)) {
			p++;
		} else if (is_letter(*p)) {
			for (w = p; p < end && is_letter(*p); p++)
				;
			if (p - w == 7 && strncasecmp(w, "trigger", 7) == 0)
				return temps > 1;
			temps += (p - w == 4 && strncasecmp(w, "temp", 4) == 0) ||
				(p - w == 9 &&
				strncasecmp(w, "temporary", 9) == 0);
		} else {
			return contains_ci(p, (size_t)(end - p), "trigger");
		}
	}
	return 0;
}

/*
 * SQLite's own judgement of a SQLite span: sqlite3_complete() says whether
 * text ends with a complete statement. No ';' inside a span may end one;
 * the ';' that ends a span must, unless it is the last span, which may
 * stop at the end of the text instead. Left out: spans with a NUL (the
 * end of a C string), with a vertical tab (a blank to ferry, a byte that
 * SQLite's tokenizer refuses), with EXPLAIN (ferry does not look for
 * EXPLAIN CREATE TRIGGER) and with an odd_trigger().
 */
static void check_sqlite_complete(const char *stmt, size_t len, int last)
{
	size_t k;
	char *s;

	if (memchr(stmt, '\0', len) || memchr(stmt, '\v', len) ||
		contains_ci(stmt, len, "explain") || odd_trigger(stmt, len))
		return;
	s = fuzz_dup(stmt, len, 1);
	for (k = 0; k < len; k++) {
		char c = s[k + 1];

		if (s[k] != ';' || (k + 1 == len && last))
			continue;
		s[k + 1] = '\0';
		CHECK(sqlite3_complete(s) == (k + 1 == len));
		s[k + 1] = c;
	}
	free(s);
}

static int split_copy(ferry__spans *out, const char *text, size_t len,
	ferry__dialect d, ferry__split_error *serr)
{
	char *copy = fuzz_dup(text, len, 0);
	int rc = ferry__split(out, copy, len, d, serr);

	free(copy);
	return rc;
}

static void check_error(const char *text, size_t len, ferry__dialect d,
	const ferry__spans *sp, const ferry__split_error *serr)
{
	ferry__spans again;
	ferry__split_error serr2 = { 0, NULL, NULL };

	CHECK(sp->v == NULL && sp->n == 0);
	CHECK(serr->what != NULL && *serr->what != '\0');
	CHECK(serr->offset < len);
	CHECK(ferry__split(&again, text, len, d, &serr2) == FERRY_EINVALID);
	CHECK(serr2.offset == serr->offset && serr2.what == serr->what);
	/*
	 * The error is the first problem: the text before it splits. (For
	 * COPY ... FROM stdin the offset is the statement's start, and what
	 * precedes it ended cleanly too.)
	 */
	CHECK(split_copy(&again, text, serr->offset, d, &serr2) == 0);
	ferry__spans_clear(&again);
}

/* The "no lost byte", stated as such: gaps + spans == input. */
static void check_reassembly(const char *text, size_t len,
	const ferry__spans *sp)
{
	char *buf = malloc(len ? len : 1);
	size_t i, pos = 0, k = 0;

	if (!buf)
		abort();
	for (i = 0; i < sp->n; i++) {
		memcpy(buf + k, text + pos, sp->v[i].offset - pos);
		k += sp->v[i].offset - pos;
		memcpy(buf + k, text + sp->v[i].offset, sp->v[i].len);
		k += sp->v[i].len;
		pos = sp->v[i].offset + sp->v[i].len;
	}
	memcpy(buf + k, text + pos, len - pos);
	k += len - pos;
	CHECK(k == len);
	CHECK(len == 0 || memcmp(buf, text, len) == 0);
	free(buf);
}

/*
 * One span on its own splits into exactly itself. A span runs from its
 * first token to the end of its last, so it carries no leading or
 * trailing comment that could change this; the statement state starts
 * from zero at a span's start in both runs; and a quote or comment that
 * opens inside a span closes inside it, or the split would have failed.
 */
static void check_alone(const char *stmt, size_t len, ferry__dialect d)
{
	ferry__spans one;
	ferry__split_error serr = { 0, NULL, NULL };

	CHECK(split_copy(&one, stmt, len, d, &serr) == 0);
	CHECK(one.n == 1);
	CHECK(one.v[0].offset == 0 && one.v[0].len == len);
	ferry__spans_clear(&one);
}

/* What ferry__split_each delivered, and when to stop it. */
typedef struct {
	ferry__span v[64];
	size_t n;      /* statements delivered */
	size_t stop;   /* return 1 on this statement, 1-based; 0: never */
	int overflow;  /* more than fit in v */
} stream;

static int collect(void *payload, size_t offset, size_t len)
{
	stream *st = payload;

	if (st->n < sizeof(st->v) / sizeof(*st->v)) {
		st->v[st->n].offset = offset;
		st->v[st->n].len = len;
	} else {
		st->overflow = 1;
	}
	st->n++;
	return st->n == st->stop ? 1 : 0;
}

static int same_spans(const ferry__span *a, const ferry__span *b, size_t n)
{
	return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

/*
 * ferry__split_each, which the driver and the pre-run check use, delivers
 * what ferry__split returns, in order; a nonzero return from the callback
 * stops it at once and is passed on.
 */
static void check_stream(const uint8_t *data, size_t size, const char *text,
	size_t len, ferry__dialect d, const ferry__spans *sp)
{
	stream st;
	ferry__split_error serr = { 0, NULL, NULL };

	memset(&st, 0, sizeof(st));
	CHECK(ferry__split_each(text, len, d, collect, &st, &serr) == 0);
	CHECK(st.n == sp->n);
	CHECK(st.overflow || same_spans(st.v, sp->v, sp->n));
	if (sp->n == 0)
		return;
	memset(&st, 0, sizeof(st));
	st.stop = (size_t)fuzz_pick(data, size, (long)sp->n);
	CHECK(ferry__split_each(text, len, d, collect, &st, &serr) == 1);
	CHECK(st.n == st.stop);
}

/*
 * On an error, ferry__split_each has delivered the statements that ended
 * before the problem, and no more: those of the text before the error,
 * bar a last one the error cuts short.
 */
static void check_stream_error(const char *text, size_t len, ferry__dialect d,
	const ferry__split_error *serr)
{
	stream st;
	ferry__spans before;
	ferry__split_error serr2 = { 0, NULL, NULL };

	memset(&st, 0, sizeof(st));
	CHECK(ferry__split_each(text, len, d, collect, &st, &serr2) ==
		FERRY_EINVALID);
	CHECK(serr2.offset == serr->offset && serr2.what == serr->what);
	CHECK(split_copy(&before, text, serr->offset, d, &serr2) == 0);
	CHECK(st.n == before.n || st.n + 1 == before.n);
	CHECK(st.overflow || same_spans(st.v, before.v, st.n));
	ferry__spans_clear(&before);
}

static void check_oom(const uint8_t *data, size_t size, const char *text,
	size_t len, ferry__dialect d)
{
	ferry__spans sp;
	long count;

	ferry__alloc_fail_from(0);
	CHECK(ferry__split(&sp, text, len, d, NULL) == 0);
	ferry__spans_clear(&sp);
	count = ferry__alloc_count();
	if (count == 0)
		return;
	ferry__alloc_fail_from(fuzz_pick(data, size, count));
	CHECK(ferry__split(&sp, text, len, d, NULL) == FERRY_ENOMEM);
	ferry__alloc_fail_from(0);
	CHECK(sp.v == NULL && sp.n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ferry__spans sp, again;
	ferry__split_error serr = { 0, NULL, NULL };
	ferry__dialect d;
	const char *text;
	size_t len, i, pos = 0;
	int pg, rc;

	if (size == 0)
		return 0;
	pg = !(data[0] & 1);
	d = pg ? FERRY__DIALECT_PG : FERRY__DIALECT_SQLITE;
	text = (const char *)data + 1;
	len = size - 1;

	check_classify(text, len, d);
	rc = ferry__split(&sp, text, len, d, &serr);
	if (rc == FERRY_EINVALID) {
		check_error(text, len, d, &sp, &serr);
		check_stream_error(text, len, d, &serr);
		return 0;
	}
	CHECK(rc == 0);

	for (i = 0; i < sp.n; i++) {
		size_t off = sp.v[i].offset, n = sp.v[i].len;
		char *stmt;

		CHECK(off >= pos);
		CHECK(off < len && n > 0 && n <= len - off);
		CHECK(only_space_and_comments(text + pos, text + off, pg, 0));
		CHECK(!is_space(text[off]));
		CHECK(!starts_comment(text + off, text + len));
		CHECK(i + 1 == sp.n || text[off + n - 1] == ';');
		stmt = fuzz_dup(text + off, n, 0);
		check_classify(stmt, n, d);
		check_alone(stmt, n, d);
		if (!pg)
			check_sqlite_complete(stmt, n, i + 1 == sp.n);
		free(stmt);
		pos = off + n;
	}
	CHECK(only_space_and_comments(text + pos, text + len, pg, 1));
	check_reassembly(text, len, &sp);
	check_stream(data, size, text, len, d, &sp);

	CHECK(ferry__split(&again, text, len, d, NULL) == 0);
	CHECK(again.n == sp.n);
	CHECK(sp.n == 0 || memcmp(again.v, sp.v, sp.n * sizeof(*sp.v)) == 0);
	ferry__spans_clear(&again);
	ferry__spans_clear(&sp);

	check_oom(data, size, text, len, d);
	return 0;
}
