/* SPDX-License-Identifier: MIT */
/*
 * split.c - cutting SQL into statements (ferry__split) in both dialects,
 * and telling which statements cannot run inside ferry's transaction
 * (ferry__stmt_classify).
 *
 * Besides hand-picked cases, a property check builds many inputs from
 * tricky statements joined by whitespace and comments, and checks that
 * every statement comes back whole, in order, with only whitespace and
 * comments between them: no byte is lost or moved.
 */
#include "clar.h"
#include "ferry_int.h"

#include <ctype.h>
#include <stdlib.h>

#define SQ FERRY__DIALECT_SQLITE
#define PG FERRY__DIALECT_PG

static ferry__spans spans;
static ferry__split_error serr;
static const char *input;

void test_split__initialize(void)
{
	memset(&spans, 0, sizeof(spans));
	serr.offset = 0;
	serr.what = NULL;
}

void test_split__cleanup(void)
{
	ferry__spans_clear(&spans);
}

static int split(const char *text, ferry__dialect d)
{
	ferry__spans_clear(&spans);
	input = text;
	return ferry__split(&spans, text, strlen(text), d, &serr);
}

/* Statement `i` of the last split, as text. */
static const char *stmt(size_t i)
{
	static char buf[4][1024];
	static int next;
	char *b = buf[next++ % 4];

	if (i >= spans.n)
		return "(no such statement)";
	snprintf(b, 1024, "%.*s", (int)spans.v[i].len,
		input + spans.v[i].offset);
	return b;
}

/* Split `text` into exactly the statements given, NULL-terminated. */
static int expect_split(const char *file, int line, const char *text,
	ferry__dialect d, const char *const *want)
{
	char m[2400];
	size_t n = 0, i;

	while (want[n])
		n++;
	if (split(text, d) != 0) {
		snprintf(m, sizeof(m), "split of '%s' failed at %zu: %s", text,
			serr.offset, serr.what ? serr.what : "?");
		clar__fail(file, line, "split failed", m);
		return -1;
	}
	for (i = 0; i < n || i < spans.n; i++) {
		const char *got = stmt(i);

		if (i < n && i < spans.n && strcmp(got, want[i]) == 0)
			continue;
		snprintf(m, sizeof(m),
			"'%s' (%s):\n  %zu statements, expected "
			"%zu\n  statement %zu: got '%s'\n  expected '%s'",
			text, d == PG ? "pg" : "sqlite", spans.n, n, i + 1, got,
			i < n ? want[i] : "(none)");
		clar__fail(file, line, "wrong split", m);
		return -1;
	}
	return 0;
}

#define SPLITS(text, d, ...) \
	do { \
		static const char *const w_[] = { __VA_ARGS__, NULL }; \
		if (expect_split(__FILE__, __LINE__, (text), (d), w_) < 0) \
			return; \
	} while (0)

#define SPLITS_NONE(text, d) \
	do { \
		cl_assert_equal_i(split((text), (d)), 0); \
		cl_assert_equal_i(spans.n, 0); \
	} while (0)

#define SPLIT_FAILS(text, d, off, message) \
	do { \
		cl_assert_equal_i(split((text), (d)), FERRY_EINVALID); \
		cl_assert_equal_i(spans.n, 0); \
		cl_assert(spans.v == NULL); \
		cl_assert_equal_s(serr.what, (message)); \
		cl_assert_equal_i(serr.offset, (off)); \
	} while (0)

void test_split__simple(void)
{
	SPLITS("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n", SQ,
		"CREATE TABLE t (a int);", "INSERT INTO t VALUES (1);");
	cl_assert_equal_i(spans.v[0].offset, 0);
	cl_assert_equal_i(spans.v[0].len, 23);
	cl_assert_equal_i(spans.v[1].offset, 24);
	cl_assert_equal_i(spans.v[1].len, 25);
	SPLITS("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n", PG,
		"CREATE TABLE t (a int);", "INSERT INTO t VALUES (1);");
}

void test_split__spans_start_after_comments(void)
{
	SPLITS("-- first\n  /* a */ SELECT 1; -- after\n\n/* b */SELECT 2;", SQ,
		"SELECT 1;", "SELECT 2;");
	cl_assert_equal_i(spans.v[0].offset, 19);
	cl_assert_equal_i(spans.v[1].offset, 46);
	SPLITS("-- first\n  /* a */ SELECT 1; -- after\n\n/* b */SELECT 2;", PG,
		"SELECT 1;", "SELECT 2;");
}

void test_split__comments_inside_a_statement(void)
{
	SPLITS("SELECT 1 -- one; two\n + 2 /* ; */;\nSELECT 3;", SQ,
		"SELECT 1 -- one; two\n + 2 /* ; */;", "SELECT 3;");
	SPLITS("SELECT 1 -- one; two\n + 2 /* ; */;\nSELECT 3;", PG,
		"SELECT 1 -- one; two\n + 2 /* ; */;", "SELECT 3;");
}

void test_split__last_statement_without_semicolon(void)
{
	SPLITS("SELECT 1;\nSELECT 2\n", SQ, "SELECT 1;", "SELECT 2");
	SPLITS("SELECT 1;\nSELECT 2 -- no end\n", PG, "SELECT 1;", "SELECT 2");
	SPLITS("SELECT 1", PG, "SELECT 1");
}

void test_split__empty_input(void)
{
	SPLITS_NONE("", SQ);
	SPLITS_NONE("", PG);
	SPLITS_NONE(" \n\t\n", SQ);
	SPLITS_NONE(" \n\t\n", PG);
}

void test_split__comments_only(void)
{
	SPLITS_NONE("-- nothing\n/* at\n all */\n-- here", SQ);
	SPLITS_NONE("-- nothing\n/* at /* nested */ all */\n-- here", PG);
}

void test_split__empty_statements(void)
{
	/* A lone ';' is a statement of its own; it does nothing. */
	SPLITS("SELECT 1;;\n;", SQ, "SELECT 1;", ";", ";");
}

void test_split__sqlite_strings_and_identifiers(void)
{
	SPLITS("INSERT INTO t VALUES ('it''s; fine');\nSELECT 2;", SQ,
		"INSERT INTO t VALUES ('it''s; fine');", "SELECT 2;");
	SPLITS("SELECT \"a;b\"\"c\" FROM t; SELECT 2;", SQ,
		"SELECT \"a;b\"\"c\" FROM t;", "SELECT 2;");
	SPLITS("SELECT [a;b] FROM t; SELECT 2;", SQ, "SELECT [a;b] FROM t;",
		"SELECT 2;");
	SPLITS("SELECT `a;b` FROM t; SELECT 2;", SQ, "SELECT `a;b` FROM t;",
		"SELECT 2;");
	/* No backslash escapes in SQLite. */
	SPLITS("SELECT 'a\\'; SELECT 2;", SQ, "SELECT 'a\\';", "SELECT 2;");
	SPLITS("SELECT '-- ;', '/* ; */'; SELECT 2;", SQ,
		"SELECT '-- ;', '/* ; */';", "SELECT 2;");
}

void test_split__sqlite_trigger(void)
{
	SPLITS("CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	       "  INSERT INTO log VALUES (new.a);\n"
	       "  UPDATE c SET n = n + 1;\n"
	       "END;\nSELECT 2;",
		SQ,
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		"  INSERT INTO log VALUES (new.a);\n"
		"  UPDATE c SET n = n + 1;\n"
		"END;",
		"SELECT 2;");
	SPLITS("create temp trigger tr after delete on t begin "
	       "delete from u; end; select 2;",
		SQ,
		"create temp trigger tr after delete on t begin "
		"delete from u; end;",
		"select 2;");
	SPLITS("CREATE TEMPORARY TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON t "
	       "BEGIN SELECT 1; END; SELECT 2;",
		SQ,
		"CREATE TEMPORARY TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON t "
		"BEGIN SELECT 1; END;",
		"SELECT 2;");
}

void test_split__sqlite_trigger_with_case(void)
{
	/* As sqlite3_complete(): a trigger ends at ";END;", not at "END;". */
	SPLITS("CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	       "  UPDATE c SET n = CASE WHEN new.a > 0 THEN 1 ELSE 0 END;\n"
	       "END;\nSELECT 2;",
		SQ,
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		"  UPDATE c SET n = CASE WHEN new.a > 0 THEN 1 ELSE 0 END;\n"
		"END;",
		"SELECT 2;");
}

void test_split__sqlite_is_not_pg(void)
{
	/* SQLite has no dollar quotes and no nested comments. */
	SPLITS("SELECT $a; SELECT 2;", SQ, "SELECT $a;", "SELECT 2;");
	SPLITS("SELECT 1 /* a /* b */; SELECT 2;", SQ, "SELECT 1 /* a /* b */;",
		"SELECT 2;");
	/* Parentheses do not hold a ';' in SQLite (sqlite3_complete). */
	SPLITS("SELECT (1; SELECT 2);", SQ, "SELECT (1;", "SELECT 2);");
	/* An unclosed comment runs to the end, as SQLite reads it. */
	SPLITS("SELECT 1; /* open", SQ, "SELECT 1;");
}

void test_split__pg_strings(void)
{
	SPLITS("SELECT E'it\\'s; fine'; SELECT 2;", PG,
		"SELECT E'it\\'s; fine';", "SELECT 2;");
	SPLITS("SELECT e'a\\\\'; SELECT 2;", PG, "SELECT e'a\\\\';",
		"SELECT 2;");
	SPLITS("SELECT 'a\\'; SELECT 2;", PG, "SELECT 'a\\';", "SELECT 2;");
	SPLITS("SELECT 'it''s;'; SELECT 2;", PG, "SELECT 'it''s;';",
		"SELECT 2;");
	SPLITS("SELECT U&'d\\0061t;'' '; SELECT 2;", PG,
		"SELECT U&'d\\0061t;'' ';", "SELECT 2;");
	SPLITS("SELECT u&\"a;b\" FROM t; SELECT 2;", PG,
		"SELECT u&\"a;b\" FROM t;", "SELECT 2;");
	SPLITS("SELECT \"a;\"\"b\" FROM t; SELECT 2;", PG,
		"SELECT \"a;\"\"b\" FROM t;", "SELECT 2;");
	/* A word ending in E is not an E'' string. */
	SPLITS("SELECT 1 AS fee, 'x\\'; SELECT 2;", PG,
		"SELECT 1 AS fee, 'x\\';", "SELECT 2;");
}

void test_split__pg_dollar_quotes(void)
{
	SPLITS("CREATE FUNCTION f() RETURNS int AS $$\n"
	       "BEGIN RETURN 1; END;\n$$ LANGUAGE plpgsql;\nSELECT f();",
		PG,
		"CREATE FUNCTION f() RETURNS int AS $$\n"
		"BEGIN RETURN 1; END;\n$$ LANGUAGE plpgsql;",
		"SELECT f();");
	SPLITS("DO $fn$ BEGIN EXECUTE $$SELECT 1;$$; "
	       "EXECUTE $q$ $$ ; $q$; END $fn$; SELECT 2;",
		PG,
		"DO $fn$ BEGIN EXECUTE $$SELECT 1;$$; "
		"EXECUTE $q$ $$ ; $q$; END $fn$;",
		"SELECT 2;");
	SPLITS("SELECT $a$ $b$ ; $b$ $a$; SELECT 2;", PG,
		"SELECT $a$ $b$ ; $b$ $a$;", "SELECT 2;");
	SPLITS("SELECT $_x1$;'$_x1$; SELECT 2;", PG, "SELECT $_x1$;'$_x1$;",
		"SELECT 2;");
}

void test_split__pg_parameters_and_dollar_identifiers(void)
{
	SPLITS("PREPARE p(int) AS SELECT $1; EXECUTE p(1);", PG,
		"PREPARE p(int) AS SELECT $1;", "EXECUTE p(1);");
	SPLITS("SELECT $1 + $2; SELECT $3;", PG, "SELECT $1 + $2;",
		"SELECT $3;");
	SPLITS("SELECT a$b$c FROM t; SELECT 2;", PG, "SELECT a$b$c FROM t;",
		"SELECT 2;");
}

void test_split__pg_nested_comments(void)
{
	SPLITS("SELECT 1 /* a /* b ; */ c ; */; SELECT 2;", PG,
		"SELECT 1 /* a /* b ; */ c ; */;", "SELECT 2;");
	SPLITS("/* /* ; */ */ SELECT 1;", PG, "SELECT 1;");
}

void test_split__pg_begin_atomic(void)
{
	SPLITS("CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
	       "BEGIN ATOMIC\n  SELECT 1;\n  SELECT x + 1;\nEND;\nSELECT 2;",
		PG,
		"CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
		"BEGIN ATOMIC\n  SELECT 1;\n  SELECT x + 1;\nEND;",
		"SELECT 2;");
	SPLITS("CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC "
	       "INSERT INTO t VALUES (1); END; SELECT 2;",
		PG,
		"CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC "
		"INSERT INTO t VALUES (1); END;",
		"SELECT 2;");
}

void test_split__pg_begin_atomic_with_case(void)
{
	SPLITS("CREATE FUNCTION sign(x int) RETURNS int LANGUAGE sql "
	       "BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 "
	       "ELSE CASE WHEN x < 0 THEN -1 ELSE 0 END END; END;\n"
	       "SELECT sign(2);",
		PG,
		"CREATE FUNCTION sign(x int) RETURNS int LANGUAGE sql "
		"BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 "
		"ELSE CASE WHEN x < 0 THEN -1 ELSE 0 END END; END;",
		"SELECT sign(2);");
	/* CASE outside a function body is not a block. */
	SPLITS("SELECT CASE WHEN true THEN 1 END; SELECT 2;", PG,
		"SELECT CASE WHEN true THEN 1 END;", "SELECT 2;");
}

void test_split__pg_transaction_begin_is_not_a_block(void)
{
	SPLITS("BEGIN; SELECT 1; COMMIT;", PG, "BEGIN;", "SELECT 1;",
		"COMMIT;");
	SPLITS("BEGIN; SELECT 1; END;", SQ, "BEGIN;", "SELECT 1;", "END;");
}

void test_split__pg_parentheses(void)
{
	SPLITS("CREATE RULE r AS ON INSERT TO t DO ALSO "
	       "(INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n"
	       "SELECT 2;",
		PG,
		"CREATE RULE r AS ON INSERT TO t DO ALSO "
		"(INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));",
		"SELECT 2;");
	SPLITS("SELECT (1) + (2); SELECT ((3));", PG, "SELECT (1) + (2);",
		"SELECT ((3));");
	/* A stray ')' does not swallow the rest. */
	SPLITS("SELECT 1); SELECT 2;", PG, "SELECT 1);", "SELECT 2;");
}

void test_split__pg_psql_meta_command(void)
{
	SPLIT_FAILS("SELECT 1;\n\\i other.sql\nSELECT 2;", PG, 10,
		"psql meta-command");
	SPLIT_FAILS("\\connect db", PG, 0, "psql meta-command");
	/* In a string it is only a backslash. */
	SPLITS("SELECT '\\i x';", PG, "SELECT '\\i x';");
	/* SQLite has no meta-commands to refuse. */
	SPLITS("SELECT 1 \\ 2;", SQ, "SELECT 1 \\ 2;");
}

void test_split__pg_copy_from_stdin(void)
{
	SPLIT_FAILS("SELECT 1;\nCOPY t (a) FROM stdin;\n1\n\\.\n", PG, 10,
		"COPY ... FROM stdin");
	/* Without the ';', at the end of the text. */
	SPLIT_FAILS("COPY t FROM STDIN", PG, 0, "COPY ... FROM stdin");
	/* An unclosed '(' keeps the COPY open over its data: the fault
	 * found in the data (a meta-command) is still the COPY's. */
	SPLIT_FAILS("COPY t (a FROM stdin;\n1;\n\\.\n", PG, 0,
		"COPY ... FROM stdin");
	SPLITS("COPY t FROM '/tmp/x';", PG, "COPY t FROM '/tmp/x';");
}

void test_split__unterminated(void)
{
	SPLIT_FAILS("SELECT 1;\nSELECT 'abc;", SQ, 17,
		"unterminated quoted string");
	SPLIT_FAILS("SELECT 1;\nSELECT 'abc;", PG, 17,
		"unterminated quoted string");
	SPLIT_FAILS("SELECT \"abc;", SQ, 7, "unterminated quoted identifier");
	SPLIT_FAILS("SELECT \"abc;", PG, 7, "unterminated quoted identifier");
	SPLIT_FAILS("SELECT [abc;", SQ, 7, "unterminated [identifier]");
	SPLIT_FAILS("SELECT `abc;", SQ, 7, "unterminated quoted identifier");
	SPLIT_FAILS("SELECT 1; SELECT E'it\\';", PG, 17,
		"unterminated quoted string");
	SPLIT_FAILS("SELECT 1; SELECT $$abc;", PG, 17,
		"unterminated dollar-quoted string");
	SPLIT_FAILS("SELECT $fn$ abc $$;", PG, 7,
		"unterminated dollar-quoted string");
	SPLIT_FAILS("SELECT 1; /* abc", PG, 10, "unterminated /* comment");
	SPLIT_FAILS("SELECT 1 /* a /* b */;", PG, 9, "unterminated /* comment");
}

void test_split__unicode_text(void)
{
	SPLITS("INSERT INTO t VALUES ('\xc3\xa9t\xc3\xa9;');\n"
	       "SELECT \xc3\xa9t\xc3\xa9 FROM t;",
		PG, "INSERT INTO t VALUES ('\xc3\xa9t\xc3\xa9;');",
		"SELECT \xc3\xa9t\xc3\xa9 FROM t;");
}

/*
 * The property check: no byte lost
 */

static const char *const sqlite_stmts[] = {
	"SELECT 1;",
	"CREATE TABLE t (a int, b text DEFAULT 'x;y');",
	"INSERT INTO t VALUES (1, 'it''s; ok');",
	"SELECT \"we;ird\"\"name\" FROM t;",
	"SELECT [br;acket] FROM t;",
	"SELECT `back;tick` FROM t;",
	"SELECT 1 -- trailing; comment\n + 2;",
	"SELECT /* ; */ 3;",
	"CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1); "
	"DELETE FROM v; END;",
	"CREATE TEMP TRIGGER tt BEFORE DELETE ON t BEGIN SELECT 1; END;",
	"SELECT 'a\\';",
	"SELECT $x, :y, @z, ?1;",
	"UPDATE t SET b = 'end' WHERE a = 1;",
	";",
};

static const char *const pg_stmts[] = {
	"SELECT 1;",
	"SELECT E'it\\'s; fine';",
	"SELECT U&'d\\0061t;a';",
	"SELECT 'a\\';",
	"SELECT $$a;b$$;",
	"DO $fn$ BEGIN PERFORM $$;$$; END $fn$;",
	"SELECT $t$ $u$ ; $u$ $t$;",
	"PREPARE p(int) AS SELECT $1 + $2;",
	"SELECT 1 /* a /* b ; */ c ; */;",
	"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
	"SELECT CASE WHEN true THEN 2 END; END;",
	"CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);",
	"SELECT \"we;ird\"\"name\" FROM t;",
	"CREATE INDEX CONCURRENTLY i ON t (a);",
	"SELECT 1 -- trailing; comment\n + 2;",
	"SELECT a$b$c FROM t;",
	"BEGIN;",
	"END;",
};

/* What may stand between statements. */
static const char *const sqlite_gaps[] = {
	"",
	" ",
	"\n",
	"\t\n  ",
	"-- a comment; 'with quotes\n",
	"/* block ; comment */",
	"\n/* multi\nline */\n",
	"-- \n",
};

static const char *const pg_gaps[] = {
	"",
	" ",
	"\n",
	"\t\n  ",
	"-- a comment; 'with quotes\n",
	"/* block ; comment */",
	"/* nested /* ; */ comment */\n",
	"-- \n",
};

static unsigned long rng;

static size_t pick(size_t n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)((rng >> 33) % n);
}

/* Is [p, end) only whitespace and comments, as the dialect reads them? */
static int only_space(const char *p, const char *end, ferry__dialect d)
{
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			int depth = 1;

			for (p += 2; p < end && depth > 0; p++) {
				if (end - p >= 2 && p[0] == '*' && p[1] == '/')
					depth--, p++;
				else if (d == PG && end - p >= 2 &&
					p[0] == '/' && p[1] == '*')
					depth++, p++;
			}
			if (depth > 0 && d == PG)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

static int check_property(ferry__dialect d, char *m, size_t msize)
{
	const char *const *stmts = d == PG ? pg_stmts : sqlite_stmts;
	const char *const *gaps = d == PG ? pg_gaps : sqlite_gaps;
	size_t nstmts = d == PG ? sizeof(pg_stmts) / sizeof(*pg_stmts)
				: sizeof(sqlite_stmts) / sizeof(*sqlite_stmts);
	size_t ngaps = d == PG ? sizeof(pg_gaps) / sizeof(*pg_gaps)
			       : sizeof(sqlite_gaps) / sizeof(*sqlite_gaps);
	int round;

	for (round = 0; round < 2000; round++) {
		char text[8192];
		size_t want[24], wlen[24], woff[24], n = pick(12), len = 0, i;
		size_t prev_end = 0;
		int drop_last;

		text[0] = '\0';
		for (i = 0; i < n; i++) {
			const char *g = gaps[pick(ngaps)];
			const char *s;

			/* A "--" comment needs its newline before SQL. */
			len += (size_t)snprintf(
				text + len, sizeof(text) - len, "%s", g);
			want[i] = pick(nstmts);
			s = stmts[want[i]];
			woff[i] = len;
			wlen[i] = strlen(s);
			len += (size_t)snprintf(
				text + len, sizeof(text) - len, "%s", s);
		}
		/*
		 * Sometimes the last statement has no ';'. Its span then ends
		 * at its last token, so leave out those that end in a comment.
		 */
		drop_last = n > 0 && pick(3) == 0 && wlen[n - 1] > 1 &&
			stmts[want[n - 1]][wlen[n - 1] - 2] != '/';
		if (drop_last) {
			len--;
			wlen[n - 1]--;
			text[len] = '\0';
			/* Keep a "-- ...;" comment from eating what follows. */
			len += (size_t)snprintf(
				text + len, sizeof(text) - len, "\n");
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s",
			gaps[pick(ngaps)]);

		ferry__spans_clear(&spans);
		input = text;
		if (ferry__split(&spans, text, len, d, &serr) != 0) {
			snprintf(m, msize,
				"round %d: split failed at %zu (%s) "
				"in:\n%s",
				round, serr.offset, serr.what, text);
			return -1;
		}
		if (spans.n != n) {
			snprintf(m, msize,
				"round %d: %zu statements, expected "
				"%zu, in:\n%s",
				round, spans.n, n, text);
			return -1;
		}
		for (i = 0; i < n; i++) {
			const ferry__span *sp = &spans.v[i];

			/* Ordered, non-overlapping, within bounds. */
			if (sp->offset < prev_end || sp->len == 0 ||
				sp->offset + sp->len > len ||
				!only_space(text + prev_end, text + sp->offset,
					d) ||
				sp->offset != woff[i] || sp->len != wlen[i]) {
				snprintf(m, msize,
					"round %d: statement %zu is "
					"[%zu, +%zu), expected [%zu, +%zu), "
					"in:\n%s",
					round, i + 1, sp->offset, sp->len,
					woff[i], wlen[i], text);
				return -1;
			}
			prev_end = sp->offset + sp->len;
		}
		if (!only_space(text + prev_end, text + len, d)) {
			snprintf(m, msize,
				"round %d: text after the last "
				"statement is not space, in:\n%s",
				round, text);
			return -1;
		}
	}
	return 0;
}

void test_split__no_byte_lost_sqlite(void)
{
	char m[10000];

	rng = 1;
	if (check_property(SQ, m, sizeof(m)) < 0)
		cl_fail(m);
}

void test_split__no_byte_lost_pg(void)
{
	char m[10000];

	rng = 2;
	if (check_property(PG, m, sizeof(m)) < 0)
		cl_fail(m);
}

/*
 * Classification
 */

/* Classify `s`; `kind` and `what` must match. */
#define CLASSIFIES(s, d, kind, what_) \
	do { \
		const char *w_ = NULL; \
		const char *s_ = (s); \
		cl_assert_equal_i( \
			ferry__stmt_classify(s_, strlen(s_), (d), &w_), \
			(kind)); \
		cl_assert_equal_s(w_, (what_)); \
	} while (0)

#define TXN FERRY__STMT_TXN_CONTROL
#define NOTXN FERRY__STMT_NO_TXN
#define PLAIN FERRY__STMT_PLAIN

void test_split__classify_transaction_control(void)
{
	static const ferry__dialect both[] = { SQ, PG };
	size_t i;

	for (i = 0; i < 2; i++) {
		ferry__dialect d = both[i];

		CLASSIFIES("BEGIN;", d, TXN, "BEGIN");
		CLASSIFIES("begin transaction", d, TXN, "BEGIN");
		CLASSIFIES(
			"-- note\n/* x */ BEGIN IMMEDIATE;", d, TXN, "BEGIN");
		CLASSIFIES("COMMIT;", d, TXN, "COMMIT");
		CLASSIFIES("commit work;", d, TXN, "COMMIT");
		CLASSIFIES("END;", d, TXN, "END");
		CLASSIFIES("END TRANSACTION;", d, TXN, "END");
		CLASSIFIES("ROLLBACK;", d, TXN, "ROLLBACK");
		CLASSIFIES("Rollback Transaction;", d, TXN, "ROLLBACK");
		CLASSIFIES("START TRANSACTION;", d, TXN, "START TRANSACTION");
		CLASSIFIES("ABORT;", d, TXN, "ABORT");
	}
}

void test_split__classify_savepoints_are_plain(void)
{
	CLASSIFIES("ROLLBACK TO SAVEPOINT a;", SQ, PLAIN, "");
	CLASSIFIES("ROLLBACK TO a;", PG, PLAIN, "");
	CLASSIFIES("rollback transaction to savepoint a;", SQ, PLAIN, "");
	CLASSIFIES("SAVEPOINT a;", PG, PLAIN, "");
	CLASSIFIES("RELEASE SAVEPOINT a;", SQ, PLAIN, "");
}

void test_split__classify_begin_atomic_is_plain(void)
{
	CLASSIFIES("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
		   "SELECT 1; END;",
		PG, PLAIN, "");
	CLASSIFIES("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
		SQ, PLAIN, "");
}

void test_split__classify_vacuum(void)
{
	CLASSIFIES("VACUUM;", SQ, NOTXN, "VACUUM");
	CLASSIFIES("vacuum analyze t;", PG, NOTXN, "VACUUM");
	CLASSIFIES("VACUUM (FULL) t;", PG, NOTXN, "VACUUM");
}

void test_split__classify_concurrently(void)
{
	CLASSIFIES("CREATE INDEX CONCURRENTLY i ON t (a);", PG, NOTXN,
		"CREATE INDEX CONCURRENTLY");
	CLASSIFIES("create unique index concurrently if not exists i on t (a);",
		PG, NOTXN, "CREATE INDEX CONCURRENTLY");
	CLASSIFIES("DROP INDEX CONCURRENTLY IF EXISTS i;", PG, NOTXN,
		"DROP INDEX CONCURRENTLY");
	CLASSIFIES("REINDEX INDEX CONCURRENTLY i;", PG, NOTXN,
		"REINDEX CONCURRENTLY");
	CLASSIFIES("REINDEX (VERBOSE) TABLE CONCURRENTLY t;", PG, NOTXN,
		"REINDEX CONCURRENTLY");
	/* Words inside parentheses are not the statement's. */
	CLASSIFIES("CREATE INDEX i ON t (concurrently);", PG, PLAIN, "");
	CLASSIFIES("CREATE TABLE concurrently (index int);", PG, PLAIN, "");
	CLASSIFIES("CREATE INDEX i ON t (a);", PG, PLAIN, "");
	CLASSIFIES("REINDEX TABLE t;", PG, PLAIN, "");
	/* SQLite has no CONCURRENTLY: its parser will say so. */
	CLASSIFIES("CREATE INDEX CONCURRENTLY i ON t (a);", SQ, PLAIN, "");
}

void test_split__classify_databases_and_system(void)
{
	CLASSIFIES("CREATE DATABASE shop;", PG, NOTXN, "CREATE DATABASE");
	CLASSIFIES("DROP DATABASE IF EXISTS shop;", PG, NOTXN, "DROP DATABASE");
	CLASSIFIES("CREATE TABLESPACE fast LOCATION '/ssd';", PG, NOTXN,
		"CREATE TABLESPACE");
	CLASSIFIES("ALTER SYSTEM SET work_mem = '64MB';", PG, NOTXN,
		"ALTER SYSTEM");
	CLASSIFIES("ALTER DATABASE shop SET timezone = 'UTC';", PG, PLAIN, "");
	CLASSIFIES(
		"REINDEX DATABASE shop;", PG, NOTXN, "REINDEX SYSTEM/DATABASE");
}

void test_split__classify_do_blocks(void)
{
	CLASSIFIES("DO $$ BEGIN UPDATE t SET a = 1; COMMIT; END $$;", PG, TXN,
		"a COMMIT or ROLLBACK inside a DO block");
	CLASSIFIES("DO LANGUAGE plpgsql $body$ BEGIN ROLLBACK; END $body$;", PG,
		TXN, "a COMMIT or ROLLBACK inside a DO block");
	CLASSIFIES("DO $$ BEGIN PERFORM 1; END $$;", PG, PLAIN, "");
	CLASSIFIES("DO $$ BEGIN RAISE NOTICE 'commit'; END $$;", PG, PLAIN, "");
	CLASSIFIES("DO $$ BEGIN -- commit later\n PERFORM 1; END $$;", PG,
		PLAIN, "");
}

void test_split__classify_plain(void)
{
	static const char *const plain[] = {
		"CREATE TABLE t (a int);",
		"INSERT INTO t VALUES (1);",
		"UPDATE t SET a = 2 WHERE a = 1;",
		"ALTER TABLE t ADD COLUMN b text;",
		"WITH x AS (SELECT 1) SELECT * FROM x;",
		"SELECT 'COMMIT';",
		"-- COMMIT\nSELECT 1;",
		"CREATE TABLE commit_log (a int);",
		"ANALYZE t;",
		"",
		"-- only a comment",
	};
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		CLASSIFIES(plain[i], SQ, PLAIN, "");
		CLASSIFIES(plain[i], PG, PLAIN, "");
	}
}

/*
 * ferry__lex_at: what a line start is inside, read as both engines would.
 */

/* What the line starting with `at` in the cursor's text is inside. */
static ferry__lex_span lex_at(ferry__lex_cursor *c, const char *at)
{
	ferry__lex_span s;
	const char *p = strstr(c->text, at);

	if (!p) {
		clar__fail(__FILE__, __LINE__, "no such line", at);
		p = c->text + c->len;
	}
	ferry__lex_at(c, (size_t)(p - c->text), &s);
	return s;
}

void test_split__lex_at_each_kind(void)
{
	static const char t[] = "SELECT 1;\n"
				"/* c\n1 */ '\n2' \"\n3\" [\n4] `\n5`\n"
				"E'\\'\n6' U&\"\n7\" $x$\n8$x$;\n"
				"9";
	ferry__lex_cursor c;
	ferry__lex_span s;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	s = lex_at(&c, "/* c");
	cl_assert_equal_i(s.kind, FERRY__LEX_CODE);
	s = lex_at(&c, "1 */");
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(s.start, 10);
	cl_assert_equal_i(s.end, 19);
	cl_assert_equal_i(s.first_end, 19);
	/* Asked again, the same answer. */
	s = lex_at(&c, "1 */");
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(lex_at(&c, "2'").kind, FERRY__LEX_STRING);
	s = lex_at(&c, "3\"");
	cl_assert_equal_i(s.kind, FERRY__LEX_IDENT);
	cl_assert_equal_i(t[s.start], '"');
	s = lex_at(&c, "4]");
	cl_assert_equal_i(s.kind, FERRY__LEX_IDENT);
	cl_assert_equal_i(t[s.start], '[');
	cl_assert_equal_i(lex_at(&c, "5`").kind, FERRY__LEX_IDENT);
	s = lex_at(&c, "6'");
	cl_assert_equal_i(s.kind, FERRY__LEX_STRING);
	cl_assert_equal_i(t[s.start], 'E');
	cl_assert_equal_i(lex_at(&c, "7\"").kind, FERRY__LEX_IDENT);
	s = lex_at(&c, "8$x$");
	cl_assert_equal_i(s.kind, FERRY__LEX_DOLLAR);
	cl_assert_equal_i(s.tag_len, 3);
	cl_assert_equal_i(lex_at(&c, "9").kind, FERRY__LEX_CODE);
	ferry__lex_at(&c, sizeof(t) - 1, &s);
	cl_assert_equal_i(s.kind, FERRY__LEX_CODE);
}

void test_split__lex_at_a_run_starting_there_is_not_around_it(void)
{
	static const char t[] = "SELECT 1;\n'a'\n/* b */\n";
	ferry__lex_cursor c;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	cl_assert_equal_i(lex_at(&c, "'a'").kind, FERRY__LEX_CODE);
	cl_assert_equal_i(lex_at(&c, "/* b").kind, FERRY__LEX_CODE);
}

void test_split__lex_at_nested_comment(void)
{
	/* SQLite ends it at the first star-slash; PostgreSQL at the second. */
	static const char t[] = "/* a /* b */\nc */\nd";
	ferry__lex_cursor c;
	ferry__lex_span s;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	s = lex_at(&c, "c */");
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(s.first_end, 12);
	cl_assert_equal_i(s.end, 17);
	cl_assert_equal_i(lex_at(&c, "d").kind, FERRY__LEX_CODE);
}

void test_split__lex_at_open_for_sqlite_inside_a_nested_comment(void)
{
	/* For PostgreSQL the second comment is nested in the first, and
	 * both are open at the end; for SQLite the first ends, and the second
	 * runs to the end. Either way the end is inside a comment. */
	static const char t[] = "/* a /* b */\nSELECT 1; /* c\n";
	ferry__lex_cursor c;
	ferry__lex_span s;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	ferry__lex_at(&c, sizeof(t) - 1, &s);
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(s.start, 23);
	cl_assert(s.end == SIZE_MAX);
	cl_assert(s.first_end == SIZE_MAX);
}

void test_split__lex_at_open_only_for_postgres(void)
{
	static const char t[] = "/* a /* b */\nSELECT 1;\n";
	ferry__lex_cursor c;
	ferry__lex_span s;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	cl_assert_equal_i(lex_at(&c, "SELECT").kind, FERRY__LEX_COMMENT);
	ferry__lex_at(&c, sizeof(t) - 1, &s);
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(s.start, 0);
	cl_assert(s.end == SIZE_MAX);
	cl_assert_equal_i(s.first_end, 12);
}

void test_split__first_token(void)
{
	cl_assert_equal_i(ferry__first_token("", 0), 0);
	cl_assert_equal_i(ferry__first_token("  -- a\n/* b */ \n", 16), 16);
	cl_assert_equal_i(ferry__first_token("/* /* */ */ x", 13), 12);
	/* Unclosed, for PostgreSQL: a token at its start. */
	cl_assert_equal_i(ferry__first_token("\n/* /* */", 10), 1);
}

void test_split__lex_at_unterminated_runs_to_the_end(void)
{
	static const char *const open[] = { "/* a", "'a", "\"a", "[a", "`a",
		"$$a", "E'a\\'", "/* a /* b */" };
	size_t i;

	for (i = 0; i < sizeof(open) / sizeof(*open); i++) {
		ferry__lex_cursor c;
		ferry__lex_span s;
		size_t len = strlen(open[i]);

		ferry__lex_cursor_init(&c, open[i], len);
		ferry__lex_at(&c, len, &s);
		cl_assert(s.kind != FERRY__LEX_CODE);
		cl_assert_equal_i(s.start, 0);
		cl_assert(s.end == SIZE_MAX);
	}
}

void test_split__lex_at_dollar_quotes_only_where_postgres_has_them(void)
{
	/* '$' inside a name, and $1, open nothing. */
	static const char t[] = "SELECT a$$b, $1$, c$x$\nd FROM t;\n";
	ferry__lex_cursor c;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	cl_assert_equal_i(lex_at(&c, "d FROM").kind, FERRY__LEX_CODE);
}

void test_split__lex_at_brackets_with_quotes_are_postgres_brackets(void)
{
	static const char t[] = "SELECT ARRAY['a]b', 'c'], x[1], [it\ny];\n"
				"z;\n";
	ferry__lex_cursor c;

	ferry__lex_cursor_init(&c, t, sizeof(t) - 1);
	cl_assert_equal_i(lex_at(&c, "y];").kind, FERRY__LEX_IDENT);
	cl_assert_equal_i(lex_at(&c, "z;").kind, FERRY__LEX_CODE);
}

void test_split__lex_at_many_brackets_is_linear(void)
{
	/* Each '[' looks for its ']' and for a quote before it: once each
	 * for the whole text, or this takes minutes, not milliseconds. */
	size_t n = 400000, i;
	char *t = malloc(n + 8);
	ferry__lex_cursor c;
	ferry__lex_span s;

	cl_assert(t != NULL);
	for (i = 0; i < n; i++)
		t[i] = i % 1000 == 999 ? '\n' : '[';
	memcpy(t + n, "'x'];\n", 7);
	ferry__lex_cursor_init(&c, t, n + 6);
	for (i = 1000; i <= n; i += 1000)
		ferry__lex_at(&c, i, &s);
	ferry__lex_at(&c, n + 6, &s);
	cl_assert_equal_i(s.kind, FERRY__LEX_CODE);
	free(t);
}

void test_split__lex_at_many_nested_comments_is_linear(void)
{
	/* For PostgreSQL each "/\* /\* *\/" opens one comment more, and all
	 * stay open to the end; each is looked for PostgreSQL's end of only
	 * once, or this takes minutes. */
	static const char unit[] = "/* /* */ ";
	size_t n = 200000, i, u = sizeof(unit) - 1;
	char *t = malloc(n * u + 1);
	ferry__lex_cursor c;
	ferry__lex_span s;

	cl_assert(t != NULL);
	for (i = 0; i < n; i++)
		memcpy(t + i * u, unit, u);
	t[n * u] = '\n';
	ferry__lex_cursor_init(&c, t, n * u + 1);
	ferry__lex_at(&c, n * u + 1, &s);
	cl_assert_equal_i(s.kind, FERRY__LEX_COMMENT);
	cl_assert_equal_i(s.start, 0);
	cl_assert(s.end == SIZE_MAX);
	cl_assert_equal_i(s.first_end, 8);
	free(t);
}
