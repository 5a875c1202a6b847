/* SPDX-License-Identifier: MIT */
/*
 * split.c - cutting a section of SQL into statements, and telling which
 * statements must not run inside ferry's transaction.
 *
 * A lexer that knows each dialect's quoting is the whole trick: a ';' ends
 * a statement only outside strings, quoted identifiers, comments, dollar
 * quotes (PostgreSQL), parentheses, a `BEGIN ... END` function body
 * (PostgreSQL's BEGIN ATOMIC, by psql's own heuristic) or a trigger body
 * (SQLite's CREATE TRIGGER ... BEGIN ... END, as sqlite3_complete() sees
 * it). Spans run from a statement's first token to its ';'; the text
 * between spans is only whitespace and comments, so nothing is lost.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Why COPY ... FROM stdin is refused, and what to write instead. */
#define COPY_HINT \
	"ferry sends SQL statements, not inline data: load the rows with " \
	"INSERT, or COPY from a file the server can read"

#define COPY_OUT_HINT \
	"a migration's rows go nowhere: COPY to a file the server can " \
	"write, or leave the statement out"

typedef enum {
	T_EOF = 0,
	T_WORD,
	T_SEMI,
	T_LPAREN,
	T_RPAREN,
	T_STRING, /* a quoted string, identifier or dollar-quoted body */
	T_OTHER,
	T_ERROR
} tok_type;

typedef struct {
	const char *text; /* start of the whole input, for offsets */
	const char *p;
	const char *end;
	/* The reading: a dialect's, or both at once (lex_init_both). */
	int nest;     /* block comments nest, an open one is refused (PG) */
	int pg_quote; /* $tag$...$tag$, E'...' and U&'...' (PostgreSQL) */
	int sq_quote; /* [...] and `...` quote identifiers (SQLite) */
	int psql;     /* a backslash is a psql meta-command (PostgreSQL) */
	int guard;    /* '[' quotes only if no quote comes before its ']' */
	/* For `guard`: the first ']' and the first quote at or after where
	 * they were last looked for, so that each byte is looked at once. */
	const char *close_at, *quote_at;
	/* the current token */
	tok_type type;
	const char *tok;
	size_t len;
	const char *body; /* T_STRING: inside of a dollar quote */
	size_t body_len;
	const char *what; /* T_ERROR: the problem */
} lexer;

static int ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static void lex_init(lexer *lx, const char *text, size_t len, ferry__dialect d)
{
	int pg = d == FERRY__DIALECT_PG;

	memset(lx, 0, sizeof(*lx));
	lx->text = lx->p = text;
	lx->end = text + len;
	lx->nest = pg;
	lx->pg_quote = pg;
	lx->sq_quote = !pg;
	lx->psql = pg;
}

/*
 * Both engines' readings at once, for a text read before the engine is
 * known: every quote either engine has, so that what is quoted under
 * either reading is so here. Block comments are ferry__lex_at's: it reads
 * them both ways. Used only to tell where lines start.
 *
 * One guard keeps PostgreSQL's brackets from derailing the rest: in
 * ARRAY['a]b'] SQLite's reading of '[' as an identifier would end at the
 * ']' inside the string and pair every quote after it wrongly. So '['
 * opens an identifier only if no quote (' " ` $) comes before its ']'; a
 * SQLite identifier with a quote in it is read as the quote, which is then
 * lexed as one, so what it hides is still hidden.
 */
static void lex_init_both(lexer *lx, const char *text, size_t len)
{
	lex_init(lx, text, len, FERRY__DIALECT_PG);
	lx->sq_quote = 1;
	lx->psql = 0;
	lx->guard = 1;
}

static tok_type lex_error(lexer *lx, const char *at, const char *what)
{
	lx->type = T_ERROR;
	lx->tok = at;
	lx->len = 0;
	lx->what = what;
	return T_ERROR;
}

/*
 * At the start of a block comment: its end, nested if `nest`, or NULL if it
 * never closes. `*first` gets the end of its first "*\/", where SQLite, which
 * does not nest comments, ends it (NULL if there is none).
 */
static const char *comment_end(
	const char *p, const char *end, int nest, const char **first)
{
	int depth = 1;

	*first = NULL;
	for (p += 2; p + 1 < end;) {
		if (p[0] == '*' && p[1] == '/') {
			p += 2;
			if (!*first)
				*first = p;
			if (--depth == 0)
				return p;
		} else if (nest && p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else {
			p++;
		}
	}
	return NULL;
}

/* Skip whitespace and comments. Returns 0, or -1 on an unterminated one. */
static int skip_space(lexer *lx)
{
	const char *p = lx->p, *end = lx->end;

	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		} else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			const char *first,
				*e = comment_end(p, end, lx->nest, &first);

			if (!e && lx->nest) {
				lx->p = p;
				return -1;
			}
			/* SQLite reads an unclosed comment to the end. */
			p = e ? e : end;
		} else {
			break;
		}
	}
	lx->p = p;
	return 0;
}

/* A quoted run closed by `q`, doubled to escape; `backslash` escapes too. */
static const char *scan_quoted(
	const char *p, const char *end, char q, int backslash)
{
	for (p++; p < end; p++) {
		if (backslash && *p == '\\') {
			if (++p >= end)
				break;
			continue;
		}
		if (*p != q)
			continue;
		if (p + 1 < end && p[1] == q) {
			p++;
			continue;
		}
		return p + 1;
	}
	return NULL;
}

/* At '$': the length of a dollar-quote tag ("$$", "$fn$"), or 0. */
static size_t dollar_tag(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q < end && *q == '$')
		return 2;
	if (q >= end || !ident_start((unsigned char)*q))
		return 0;
	while (q < end &&
		(isalnum((unsigned char)*q) || *q == '_' ||
			(unsigned char)*q >= 0x80))
		q++;
	return q < end && *q == '$' ? (size_t)(q - p + 1) : 0;
}

static tok_type lex_string(lexer *lx, const char *start, char q, int bs)
{
	const char *e = scan_quoted(lx->p, lx->end, q, bs);

	if (!e)
		return lex_error(lx, start,
			q == '\'' ? "unterminated quoted string"
				  : "unterminated quoted identifier");
	lx->type = T_STRING;
	lx->tok = start;
	lx->len = (size_t)(e - start);
	lx->p = e;
	return T_STRING;
}

static tok_type lex_dollar(lexer *lx, size_t tag)
{
	const char *start = lx->p, *q = start + tag;

	for (; q + tag <= lx->end; q++) {
		if (*q == '$' && memcmp(q, start, tag) == 0) {
			lx->type = T_STRING;
			lx->tok = start;
			lx->len = (size_t)(q + tag - start);
			lx->body = start + tag;
			lx->body_len = (size_t)(q - start) - tag;
			lx->p = q + tag;
			return T_STRING;
		}
	}
	return lex_error(lx, start, "unterminated dollar-quoted string");
}

/* The first byte of `set` at or after p, or end: cached in *at. */
static const char *next_of(
	const char **at, const char *p, const char *end, const char *set)
{
	const char *q = *at;

	if (q && q >= p)
		return q;
	for (q = p; q < end && !(*q && strchr(set, *q)); q++)
		;
	*at = q;
	return q;
}

/* With `guard`: does the '[' at p quote an identifier? */
static int bracket_quotes(lexer *lx, const char *p)
{
	const char *close = next_of(&lx->close_at, p + 1, lx->end, "]");

	return close == lx->end ||
		next_of(&lx->quote_at, p + 1, lx->end, "'\"`$") > close;
}

/* The token at lx->p, which is not whitespace or a comment. */
static tok_type lex_token(lexer *lx)
{
	const char *p = lx->p, *end = lx->end;
	size_t tag;

	lx->body = NULL;
	lx->body_len = 0;
	if (p >= end) {
		lx->type = T_EOF;
		lx->tok = p;
		lx->len = 0;
		return T_EOF;
	}
	switch (*p) {
	case ';':
	case '(':
	case ')':
		lx->type = *p == ';' ? T_SEMI : *p == '(' ? T_LPAREN : T_RPAREN;
		lx->tok = p;
		lx->len = 1;
		lx->p = p + 1;
		return lx->type;
	case '\'':
		return lex_string(lx, p, '\'', 0);
	case '"':
		return lex_string(lx, p, '"', 0);
	case '[':
	case '`':
		if (*p == '[' && lx->guard && !bracket_quotes(lx, p))
			break;
		if (lx->sq_quote) {
			const char *e = memchr(p + 1, *p == '[' ? ']' : '`',
				(size_t)(end - p - 1));

			if (*p == '`')
				return lex_string(lx, p, '`', 0);
			if (!e)
				return lex_error(
					lx, p, "unterminated [identifier]");
			lx->type = T_STRING;
			lx->tok = p;
			lx->len = (size_t)(e + 1 - p);
			lx->p = e + 1;
			return T_STRING;
		}
		break;
	case '$':
		if (lx->pg_quote && (tag = dollar_tag(p, end)) > 0)
			return lex_dollar(lx, tag);
		break;
	case '\\':
		if (lx->psql)
			return lex_error(lx, p, "psql meta-command");
		break;
	default:
		break;
	}
	if (ident_start((unsigned char)*p)) {
		const char *q = p;

		while (q < end && ident_char((unsigned char)*q))
			q++;
		/* E'...' takes backslash escapes; U&'...' and U&"..." do not. */
		if (lx->pg_quote && q == p + 1 && q < end && *q == '\'' &&
			(*p == 'E' || *p == 'e')) {
			lx->p = q;
			if (lex_string(lx, p, '\'', 1) == T_ERROR)
				return T_ERROR;
			return T_STRING;
		}
		if (lx->pg_quote && q == p + 1 && (*p == 'U' || *p == 'u') &&
			q + 1 < end && q[0] == '&' &&
			(q[1] == '\'' || q[1] == '"')) {
			lx->p = q + 1;
			return lex_string(lx, p, q[1], 0);
		}
		lx->type = T_WORD;
		lx->tok = p;
		lx->len = (size_t)(q - p);
		lx->p = q;
		return T_WORD;
	}
	/* numbers, operators, parameters: one run of non-special bytes */
	lx->type = T_OTHER;
	lx->tok = p;
	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c) || c == ';' || c == '(' || c == ')' ||
			c == '\'' || c == '"' || c == '$' || c == '\\' ||
			ident_start(c) ||
			(c == '-' && p + 1 < end && p[1] == '-') ||
			(c == '/' && p + 1 < end && p[1] == '*') ||
			(lx->sq_quote && (c == '[' || c == '`')))
			break;
	}
	lx->len = (size_t)(p - lx->tok);
	lx->p = p;
	return T_OTHER;
}

static tok_type lex_next(lexer *lx)
{
	if (skip_space(lx) < 0)
		return lex_error(lx, lx->p, "unterminated /* comment");
	return lex_token(lx);
}

static int word_eq(const lexer *lx, const char *w)
{
	return lx->type == T_WORD && strlen(w) == lx->len &&
		strncasecmp(lx->tok, w, lx->len) == 0;
}

static int spans_push(ferry__spans *s, size_t offset, size_t len)
{
	if (FERRY__GROW(s->v, s->alloc, s->n + 1, 16) < 0)
		return FERRY_ENOMEM;
	s->v[s->n].offset = offset;
	s->v[s->n].len = len;
	s->n++;
	return 0;
}

void ferry__spans_clear(ferry__spans *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Per-statement state of the terminator heuristics. */
typedef struct {
	int words;     /* word tokens seen */
	char first[4]; /* first letters of create/or/replace/function/... */
	int paren;
	int begin_depth; /* PostgreSQL: BEGIN ... END in a function body */
	int trigger;	 /* SQLite: CREATE [TEMP] TRIGGER */
	int last_semi;	 /* SQLite: the previous token was ';' */
	int last_end;	 /* SQLite: the previous token was END, after a ';' */
	int copy;	 /* PostgreSQL: COPY ... */
	int last_from;	 /* ... the previous word was FROM */
	int copy_stdin;	 /* ... FROM STDIN: inline data follows */
	int last_to;	 /* ... the previous word was TO */
	int copy_stdout; /* ... TO STDOUT: rows for a client to read */
} stmt_state;

static void track_pg_word(stmt_state *st, const lexer *lx)
{
	static const char *const kw[] = { "create", "or", "replace", "function",
		"procedure" };
	size_t i;

	if (st->words < 4)
		for (i = 0; i < sizeof(kw) / sizeof(*kw); i++)
			if (word_eq(lx, kw[i]))
				st->first[st->words] = kw[i][0];
	if (st->words == 0 && word_eq(lx, "copy"))
		st->copy = 1;
	if (st->copy && st->last_from && word_eq(lx, "stdin"))
		st->copy_stdin = 1;
	if (st->copy && st->last_to && word_eq(lx, "stdout"))
		st->copy_stdout = 1;
	st->last_from = word_eq(lx, "from");
	st->last_to = word_eq(lx, "to");
	st->words++;
	/* CREATE [OR REPLACE] FUNCTION|PROCEDURE, as psql decides it. */
	if (!(st->first[0] == 'c' &&
		    (st->first[1] == 'f' || st->first[1] == 'p' ||
			    (st->first[1] == 'o' && st->first[2] == 'r' &&
				    (st->first[3] == 'f' ||
					    st->first[3] == 'p')))) ||
		st->paren != 0)
		return;
	/* CASE also ends with END, so it counts inside a BEGIN. */
	if (word_eq(lx, "begin") ||
		(word_eq(lx, "case") && st->begin_depth >= 1))
		st->begin_depth++;
	else if (word_eq(lx, "end") && st->begin_depth > 0)
		st->begin_depth--;
}

static void track_sqlite_word(stmt_state *st, const lexer *lx)
{
	if (st->words == 0 && word_eq(lx, "create"))
		st->first[0] = 'c';
	else if (st->words == 1 && st->first[0] == 'c' &&
		(word_eq(lx, "temp") || word_eq(lx, "temporary")))
		st->first[1] = 't';
	else if (st->first[0] == 'c' && word_eq(lx, "trigger") &&
		(st->words == 1 || (st->words == 2 && st->first[1] == 't')))
		st->trigger = 1;
	/* A trigger ends at "; END ;": an END right after a ';', as
	 * sqlite3_complete() decides, not the END of a CASE. */
	st->last_end = st->last_semi && word_eq(lx, "end");
	st->last_semi = 0;
	st->words++;
}

static int stmt_ends(const stmt_state *st, ferry__dialect d)
{
	if (st->paren > 0 && d == FERRY__DIALECT_PG)
		return 0;
	if (d == FERRY__DIALECT_PG)
		return st->begin_depth == 0;
	return !st->trigger || st->last_end;
}

/*
 * COPY to or from the client: ferry has no rows to send and reads none
 * back (the protocol would wait for a client that never speaks).
 */
static int copy_refused(const char *text, const char *start,
	const stmt_state *st, ferry__split_error *serr)
{
	if (serr) {
		serr->offset = (size_t)(start - text);
		serr->what = st->copy_stdin ? "COPY ... FROM stdin"
					    : "COPY ... TO stdout";
		serr->hint = st->copy_stdin ? COPY_HINT : COPY_OUT_HINT;
	}
	return FERRY_EINVALID;
}

int ferry__split_each(const char *text, size_t len, ferry__dialect dialect,
	ferry__stmt_fn fn, void *payload, ferry__split_error *serr)
{
	lexer lx;
	stmt_state st;
	const char *start = NULL, *last = NULL;
	tok_type t;
	int rc;

	memset(&st, 0, sizeof(st));
	lex_init(&lx, text, len, dialect);
	while ((t = lex_next(&lx)) != T_EOF) {
		/* Inside COPY ... FROM stdin, the data's fault is the COPY's;
		 * and a COPY ... TO stdout is refused whatever follows it, so
		 * it is the first problem either way. */
		if (t == T_ERROR && start && (st.copy_stdin || st.copy_stdout))
			return copy_refused(text, start, &st, serr);
		if (t == T_ERROR) {
			if (serr) {
				serr->offset = (size_t)(lx.tok - text);
				serr->what = lx.what;
				serr->hint = NULL;
			}
			return FERRY_EINVALID;
		}
		if (!start)
			start = lx.tok;
		last = lx.tok + lx.len;
		switch (t) {
		case T_WORD:
			if (dialect == FERRY__DIALECT_PG)
				track_pg_word(&st, &lx);
			else
				track_sqlite_word(&st, &lx);
			continue;
		case T_LPAREN:
			st.paren++;
			break;
		case T_RPAREN:
			if (st.paren > 0)
				st.paren--;
			break;
		case T_SEMI:
			if (!stmt_ends(&st, dialect)) {
				st.last_end = 0;
				st.last_semi = 1;
				continue;
			}
			/* psql would read the lines after it as data. */
			if (st.copy_stdin || st.copy_stdout)
				return copy_refused(text, start, &st, serr);
			if ((rc = fn(payload, (size_t)(start - text),
				     (size_t)(last - start))) != 0)
				return rc;
			start = NULL;
			memset(&st, 0, sizeof(st));
			continue;
		default:
			break;
		}
		st.last_end = 0;
		st.last_semi = 0;
	}
	if (start && (st.copy_stdin || st.copy_stdout))
		return copy_refused(text, start, &st, serr);
	if (start)
		return fn(payload, (size_t)(start - text),
			(size_t)(last - start));
	return 0;
}

static int push_span(void *payload, size_t offset, size_t len)
{
	return spans_push(payload, offset, len) < 0 ? FERRY_ENOMEM : 0;
}

int ferry__split(ferry__spans *out, const char *text, size_t len,
	ferry__dialect dialect, ferry__split_error *serr)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ferry__split_each(text, len, dialect, push_span, out, serr);
	if (rc < 0)
		ferry__spans_clear(out);
	return rc;
}

/*
 * Lexical state at line starts
 */

void ferry__lex_cursor_init(ferry__lex_cursor *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->text = text;
	c->len = len;
	c->last.kind = FERRY__LEX_CODE;
	c->nested.kind = FERRY__LEX_CODE;
}

static int span_holds(const ferry__lex_span *s, size_t offset)
{
	return s->kind != FERRY__LEX_CODE && s->start < offset &&
		offset < s->end;
}

/* What a quoted token (or an unterminated one) at lx->tok is. */
static ferry__lex_kind quote_kind(const lexer *lx)
{
	const char *p = lx->tok;

	if (*p == '$')
		return FERRY__LEX_DOLLAR;
	if (*p == '"' || *p == '[' || *p == '`')
		return FERRY__LEX_IDENT;
	/* U&"..." */
	if ((*p == 'U' || *p == 'u') && lx->end - p > 2 && p[2] == '"')
		return FERRY__LEX_IDENT;
	return FERRY__LEX_STRING;
}

/*
 * Lex one comment or token at lx->p (not whitespace, not a line comment)
 * into `s`, which keeps FERRY__LEX_CODE for a plain token. A comment's
 * `end` is where PostgreSQL, nesting, ends it if `nest`, else where SQLite
 * does.
 */
static void lex_span(lexer *lx, ferry__lex_span *s, int nest)
{
	const char *text = lx->text, *p = lx->p, *end = lx->end;
	tok_type t;

	memset(s, 0, sizeof(*s));
	s->kind = FERRY__LEX_CODE;
	s->start = (size_t)(p - text);
	s->end = SIZE_MAX;
	s->first_end = SIZE_MAX;
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		const char *first, *e = comment_end(p, end, nest, &first);

		s->kind = FERRY__LEX_COMMENT;
		if (e)
			s->end = (size_t)(e - text);
		if (first)
			s->first_end = (size_t)(first - text);
		lx->p = e ? e : end;
		return;
	}
	t = lex_token(lx);
	if (t != T_STRING && t != T_ERROR)
		return;
	s->kind = quote_kind(lx);
	if (s->kind == FERRY__LEX_DOLLAR)
		s->tag_len = dollar_tag(p, end);
	if (t == T_STRING) {
		s->end = (size_t)(lx->tok + lx->len - text);
	} else {
		/* Unterminated: it runs to the end. */
		lx->p = end;
	}
}

/*
 * The walk. Where the two readings of a comment part (SQLite ends it at its
 * first star-slash, PostgreSQL nests), the comment as PostgreSQL reads it
 * is kept aside in c->nested, and the walk goes on after SQLite's end, as
 * SQLite reads on: so a line is inside a comment if either reading says
 * so, and a comment SQLite leaves open is found even where PostgreSQL
 * would count it as nested in another.
 */
void ferry__lex_at(ferry__lex_cursor *c, size_t offset, ferry__lex_span *out)
{
	lexer lx;
	ferry__lex_span s;

	lex_init_both(&lx, c->text, c->len);
	lx.p = c->text + c->pos;
	lx.close_at = c->cache[0];
	lx.quote_at = c->cache[1];
	while (lx.p < lx.end && (size_t)(lx.p - c->text) < offset) {
		const char *p = lx.p;

		if (isspace((unsigned char)*p)) {
			lx.p++;
			continue;
		}
		if (p + 1 < lx.end && p[0] == '-' && p[1] == '-') {
			const char *nl = memchr(p, '\n', (size_t)(lx.end - p));

			lx.p = nl ? nl + 1 : lx.end;
			continue;
		}
		/* A comment inside the one kept aside is part of it for
		 * PostgreSQL, and ends before it: only SQLite's end matters,
		 * and looking for PostgreSQL's again would read the rest of
		 * the text once per comment. */
		lex_span(&lx, &s,
			!span_holds(&c->nested, (size_t)(p - c->text)));
		if (s.kind == FERRY__LEX_CODE)
			continue;
		if (s.kind == FERRY__LEX_COMMENT && s.first_end != s.end) {
			c->nested = s;
			s.end = s.first_end;
			lx.p = c->text + s.end;
		}
		c->last = s;
	}
	c->pos = (size_t)(lx.p - c->text);
	c->cache[0] = lx.close_at;
	c->cache[1] = lx.quote_at;
	if (span_holds(&c->last, offset)) {
		*out = c->last;
	} else if (span_holds(&c->nested, offset)) {
		*out = c->nested;
	} else {
		memset(out, 0, sizeof(*out));
		out->kind = FERRY__LEX_CODE;
	}
}

size_t ferry__first_token(const char *text, size_t len)
{
	lexer lx;

	lex_init(&lx, text, len, FERRY__DIALECT_PG);
	skip_space(&lx);
	return (size_t)(lx.p - text);
}

/*
 * Classification
 */

/* Does the body of a DO block commit or roll back? */
static int body_ends_txn(const char *body, size_t len)
{
	lexer lx;
	tok_type t;

	lex_init(&lx, body, len, FERRY__DIALECT_PG);
	while ((t = lex_next(&lx)) != T_EOF && t != T_ERROR) {
		if (word_eq(&lx, "commit"))
			return 1;
		if (word_eq(&lx, "rollback")) {
			if (lex_next(&lx) == T_WORD &&
				(word_eq(&lx, "transaction") ||
					word_eq(&lx, "work")))
				lex_next(&lx);
			if (word_eq(&lx, "to"))
				continue;
			return 1;
		}
	}
	return 0;
}

/* Statements whose first word can make them need special handling. */
static int may_be_special(const char *w, size_t n)
{
	static const char *const words[] = { "begin", "start", "commit", "end",
		"abort", "rollback", "prepare", "vacuum", "do", "create",
		"drop", "reindex", "alter", "cluster", NULL };
	int i;

	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Read up to `max` words of a statement, skipping parenthesised groups.
 * Stops at the first word when it cannot start a special statement: an
 * INSERT of 50 MB is not lexed a second time to learn it is plain.
 */
static int first_words(lexer *lx, const char *w[], size_t wl[], int max,
	const char **dollar_body, size_t *dollar_len)
{
	int n = 0, depth = 0;
	tok_type t;

	while ((t = lex_next(lx)) != T_EOF && t != T_ERROR && t != T_SEMI) {
		if (n == 1 && !may_be_special(w[0], wl[0]))
			break;
		if (n == max && (!dollar_body || *dollar_body))
			break;
		if (t == T_LPAREN)
			depth++;
		else if (t == T_RPAREN && depth > 0)
			depth--;
		else if (t == T_STRING && lx->body && dollar_body &&
			!*dollar_body) {
			*dollar_body = lx->body;
			*dollar_len = lx->body_len;
		} else if (t == T_WORD && depth == 0 && n < max) {
			w[n] = lx->tok;
			wl[n++] = lx->len;
		}
	}
	return n;
}

static int is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(w, s, n) == 0;
}

static int has_word(
	const char *const w[], const size_t wl[], int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (is(w[i], wl[i], s))
			return 1;
	return 0;
}

ferry__stmt_kind ferry__stmt_classify(
	const char *stmt, size_t len, ferry__dialect dialect, const char **what)
{
	const char *w[16], *body = NULL;
	size_t wl[16], body_len = 0;
	lexer lx;
	int n, pg = dialect == FERRY__DIALECT_PG;

	*what = "";
	lex_init(&lx, stmt, len, dialect);
	n = first_words(&lx, w, wl, 16, &body, &body_len);
	if (n == 0)
		return FERRY__STMT_PLAIN;
#define K(s) is(w[0], wl[0], s)
#define K2(s) (n > 1 && is(w[1], wl[1], s))
#define K3(s) (n > 2 && is(w[2], wl[2], s))
	if (K("begin") && !(pg && K2("atomic"))) {
		*what = "BEGIN";
		return FERRY__STMT_TXN_CONTROL;
	}
	if ((K("start") && K2("transaction")) || K("commit") || K("end") ||
		K("abort") ||
		(K("rollback") && !K2("to") &&
			!((K2("transaction") || K2("work")) && K3("to"))) ||
		(pg && K("prepare") && K2("transaction"))) {
		*what = K("start")	? "START TRANSACTION"
			: K("commit")	? "COMMIT"
			: K("end")	? "END"
			: K("abort")	? "ABORT"
			: K("rollback") ? "ROLLBACK"
					: "PREPARE TRANSACTION";
		return FERRY__STMT_TXN_CONTROL;
	}
	if (K("vacuum")) {
		*what = "VACUUM";
		return FERRY__STMT_NO_TXN;
	}
	if (!pg)
		return FERRY__STMT_PLAIN;
	if (K("do") && body && body_ends_txn(body, body_len)) {
		*what = "a COMMIT or ROLLBACK inside a DO block";
		return FERRY__STMT_TXN_CONTROL;
	}
	if ((K("create") || K("drop")) && has_word(w, wl, n, "index") &&
		has_word(w, wl, n, "concurrently")) {
		*what = K("create") ? "CREATE INDEX CONCURRENTLY"
				    : "DROP INDEX CONCURRENTLY";
		return FERRY__STMT_NO_TXN;
	}
	if (K("reindex") &&
		(has_word(w, wl, n, "concurrently") || K2("system") ||
			K2("database"))) {
		*what = has_word(w, wl, n, "concurrently")
			? "REINDEX CONCURRENTLY"
			: "REINDEX SYSTEM/DATABASE";
		return FERRY__STMT_NO_TXN;
	}
	if ((K("create") || K("drop")) &&
		(K2("database") || K2("tablespace"))) {
		*what = K2("database")
			? (K("create") ? "CREATE DATABASE" : "DROP DATABASE")
			: (K("create") ? "CREATE TABLESPACE"
				       : "DROP TABLESPACE");
		return FERRY__STMT_NO_TXN;
	}
	if (K("alter") && K2("table") && has_word(w, wl, n, "detach") &&
		has_word(w, wl, n, "concurrently")) {
		*what = "DETACH PARTITION CONCURRENTLY";
		return FERRY__STMT_NO_TXN;
	}
	if (K("alter") && K2("system")) {
		*what = "ALTER SYSTEM";
		return FERRY__STMT_NO_TXN;
	}
	if (K("cluster") && n == 1) {
		*what = "CLUSTER without a table";
		return FERRY__STMT_NO_TXN;
	}
#undef K
#undef K2
#undef K3
	return FERRY__STMT_PLAIN;
}

/*
 * Tokens, for readers of a statement's words (created.c)
 */

int ferry__stmt_tokens(const char *stmt, size_t len, ferry__dialect dialect,
	ferry__tok *out, int max)
{
	lexer lx;
	tok_type t;
	int n = 0;

	lex_init(&lx, stmt, len, dialect);
	while (n < max && (t = lex_next(&lx)) != T_EOF && t != T_ERROR &&
		t != T_SEMI) {
		ferry__tok *k = &out[n++];

		k->s = lx.tok;
		k->len = lx.len;
		if (t == T_WORD)
			k->type = FERRY__TOK_WORD;
		else if (t == T_STRING &&
			(*lx.tok == '"' || *lx.tok == '[' || *lx.tok == '`'))
			k->type = FERRY__TOK_QUOTED;
		else if (t == T_STRING)
			k->type = FERRY__TOK_STRING;
		else
			k->type = FERRY__TOK_PUNCT;
	}
	return n;
}
