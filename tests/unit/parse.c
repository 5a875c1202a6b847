/* SPDX-License-Identifier: MIT */
/*
 * parse.c - a migration file's sections (ferry__parse_sections): markers
 * and their options, where each body starts and ends, the errors that name
 * path:line, and the per-section SHA-256 with CRLF read as LF.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>

#define PATH "migrations/0001_a.sql"

/* SHA-256 of "CREATE TABLE t (a int);\n", from sha256sum(1). */
#define SHA_CREATE \
	"25312a357ba5c43fcf8242755b307bf3c82a057fcc4c030926b979b34cca9bc8"
/* SHA-256 of "DROP TABLE t;\n". */
#define SHA_DROP \
	"2b7ffedb74b81e66d9bf4a83e5d7eb5ef17380c664415459a009e2827d6b9dbd"
/* SHA-256 of no bytes. */
#define SHA_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static ferry__section sec[FERRY__NSECTIONS];
static ferry_error err;
static const char *text;
static char *file_a, *file_b;

void test_parse__initialize(void)
{
	ferry_error_init(&err);
	text = NULL;
}

void test_parse__cleanup(void)
{
	free(file_a);
	free(file_b);
	file_a = file_b = NULL;
}

static int parse(const char *t)
{
	text = t;
	return ferry__parse_sections(sec, t, strlen(t), PATH, NULL, &err);
}

/* The body of section `k` of the text last parsed. */
static const char *body(int k)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%.*s", (int)sec[k].len,
		text + sec[k].offset);
	return buf;
}

static const char *sha(const ferry__section *s)
{
	static char hex[65];

	ferry__hex(hex, s->sha);
	return hex;
}

void test_parse__no_marker_is_all_up(void)
{
	cl_ferry_pass(parse("CREATE TABLE t (a int);\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 0);
	cl_assert_equal_i(sec[FERRY__UP].len, 24);
	cl_assert_equal_i(sec[FERRY__UP].line, 1);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__comment_only_file_is_all_up(void)
{
	cl_ferry_pass(parse("-- nothing to do yet\n/* really */\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_s(
		body(FERRY__UP), "-- nothing to do yet\n/* really */\n");
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__empty_file(void)
{
	cl_ferry_pass(parse(""), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 0);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_EMPTY);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__three_sections(void)
{
	cl_ferry_pass(parse("-- Add t.\n"		/* line 1 */
			    "-- ferry:up\n"		/* 2, offset 10 */
			    "CREATE TABLE t (a int);\n" /* 3, offset 22 */
			    "-- ferry:finish\n"		/* 4, offset 46 */
			    "DELETE FROM t;\n"		/* 5, offset 62 */
			    "\n"			/* 6 */
			    "-- ferry:down\n"		/* 7, offset 78 */
			    "DROP TABLE t;\n"),		/* 8, offset 92 */
		&err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 22);
	cl_assert_equal_i(sec[FERRY__UP].len, 24);
	cl_assert_equal_i(sec[FERRY__UP].line, 3);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);

	cl_assert_equal_i(sec[FERRY__FINISH].present, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].offset, 62);
	cl_assert_equal_i(sec[FERRY__FINISH].len, 16);
	cl_assert_equal_i(sec[FERRY__FINISH].line, 5);
	cl_assert_equal_s(body(FERRY__FINISH), "DELETE FROM t;\n\n");

	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].offset, 92);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 14);
	cl_assert_equal_i(sec[FERRY__DOWN].line, 8);
	cl_assert_equal_s(sha(&sec[FERRY__DOWN]), SHA_DROP);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].no_transaction, 0);
}

void test_parse__sections_in_any_order(void)
{
	cl_ferry_pass(parse("-- ferry:down\nDROP TABLE t;\n"
			    "-- ferry:up\nCREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 4);
	cl_assert_equal_s(body(FERRY__DOWN), "DROP TABLE t;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].line, 2);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
}

void test_parse__last_line_without_newline(void)
{
	cl_ferry_pass(parse("-- ferry:up\nSELECT 1;"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;");
	cl_ferry_pass(parse("-- ferry:up\nSELECT 1;\n-- ferry:down"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 0);
}

void test_parse__markers_without_up(void)
{
	cl_ferry_pass(parse("-- header\n-- ferry:finish\nDELETE FROM t;\n"
			    "-- ferry:down\nSELECT 1;\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_EMPTY);
	cl_assert_equal_s(body(FERRY__FINISH), "DELETE FROM t;\n");
	cl_assert_equal_s(body(FERRY__DOWN), "SELECT 1;\n");
}

void test_parse__empty_sections(void)
{
	cl_ferry_pass(
		parse("-- ferry:up\n-- ferry:finish\n-- ferry:down\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].len, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__FINISH]), SHA_EMPTY);
}

void test_parse__no_transaction_option(void)
{
	cl_ferry_pass(
		parse("-- ferry:up no-transaction\n"
		      "CREATE INDEX CONCURRENTLY i ON t (a);\n"
		      "-- ferry:finish\nSELECT 1;\n"
		      "-- ferry:down   no-transaction  \nDROP INDEX i;\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].no_transaction, 1);
	cl_assert_equal_s(
		body(FERRY__UP), "CREATE INDEX CONCURRENTLY i ON t (a);\n");
	cl_assert_equal_s(body(FERRY__DOWN), "DROP INDEX i;\n");
}

void test_parse__marker_spelling(void)
{
	/* Case, blanks around "--" and after "ferry:", a CR at the end. */
	cl_ferry_pass(parse("  --ferry:UP\r\nSELECT 1;\n"
			    "--  Ferry:Finish No-Transaction\nSELECT 2;\n"
			    "\t-- FERRY: down\nSELECT 3;\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;\n");
	cl_assert_equal_s(body(FERRY__FINISH), "SELECT 2;\n");
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 1);
	cl_assert_equal_s(body(FERRY__DOWN), "SELECT 3;\n");
}

void test_parse__comment_lines_are_not_markers(void)
{
	/* "ferry" is not the first word, or not a word of its own. */
	static const char t[] =
		"-- ferry:up\n"
		"-- the ferry rollout, ferry:down and all\n"
		"--- see '-- ferry:up' in the README\n"
		"SELECT 1; -- ferry rocks\n"
		"SELECT 2; -- ferry:down\n"
		"-- ferrying the data over\n"
		"-- ferry_boat, ferry2 and ferryman are other words\n"
		"--ferrymen\n"
		"/* ferrying */\n"
		"-- : ferry up\n"
		"SELECT '-- ferry finish';\n";

	cl_ferry_pass(parse(t), &err);
	cl_assert_equal_i(sec[FERRY__UP].offset, 12);
	cl_assert_equal_i(sec[FERRY__UP].len, sizeof(t) - 1 - 12);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

/* Parse `t`, expect a refusal at `line`:`col` with `msg` and `hint`. */
#define cl_refused(t, msg, hnt, l, c) \
	do { \
		cl_assert_equal_i(parse(t), FERRY_EINVALID); \
		cl_assert_equal_i(err.code, FERRY_EINVALID); \
		cl_assert_equal_s(err.message, msg); \
		cl_assert_equal_s(err.hint, hnt); \
		cl_assert_equal_s(err.file, PATH); \
		cl_assert_equal_i(err.line, l); \
		cl_assert_equal_i(err.column, c); \
	} while (0)

#define HINT_FERRY_WORD \
	"a section starts with '-- ferry:up', '-- ferry:finish' or '-- " \
	"ferry:down'; reword a comment that starts with the word 'ferry'"

void test_parse__misspelt_markers(void)
{
	/* The issue's own: a finish section read as part of up. */
	cl_refused("-- ferry:up\nALTER TABLE t ADD COLUMN b int;\n"
		   "-- ferry finish\nALTER TABLE t DROP COLUMN a;\n",
		"misspelt marker '-- ferry finish'", "write '-- ferry:finish'",
		3, 9);
	cl_refused("-- ferry:up\nSELECT 1;\n-- ferry :finish\nSELECT 2;\n",
		"misspelt marker '-- ferry :finish'", "write '-- ferry:finish'",
		3, 9);
	cl_refused("-- ferry-finish\nSELECT 2;\n",
		"misspelt marker '-- ferry-finish'", "write '-- ferry:finish'",
		1, 9);
	cl_refused("-- ferry.finish\n", "misspelt marker '-- ferry.finish'",
		"write '-- ferry:finish'", 1, 9);
	cl_refused("-- ferry;finish\n", "misspelt marker '-- ferry;finish'",
		"write '-- ferry:finish'", 1, 9);
	/* A fullwidth colon, U+FF1A; the column counts characters. */
	cl_refused("-- ferry\xEF\xBC\x9A"
		   "finish \nSELECT 2;\n",
		"misspelt marker '-- ferry\xEF\xBC\x9A"
		"finish'",
		"write '-- ferry:finish'", 1, 9);
	cl_refused("-- ferry:up\nSELECT 1;\n\n  -- ferry :down\nSELECT 2;\n",
		"misspelt marker '-- ferry :down'", "write '-- ferry:down'", 4,
		11);
	cl_refused("--Ferry UP no-transaction\r\nSELECT 1;\n",
		"misspelt marker '--Ferry UP no-transaction'",
		"write '-- ferry:up no-transaction'", 1, 8);
	cl_refused("-- ferry\n", "misspelt marker '-- ferry'", HINT_FERRY_WORD,
		1, 9);
	cl_refused("-- ferry", "misspelt marker '-- ferry'", HINT_FERRY_WORD, 1,
		9);
	cl_refused("-- Ferry migrations for the billing service\n",
		"misspelt marker '-- Ferry migrations for the billing "
		"service'",
		HINT_FERRY_WORD, 1, 9);
}

void test_parse__misspelt_marker_with_extra_dashes(void)
{
	cl_refused("--- ferry:up\nSELECT 1;\n",
		"misspelt marker '--- ferry:up'", "write '-- ferry:up'", 1, 3);
	cl_refused("-- -- ferry:down\n", "misspelt marker '-- -- ferry:down'",
		"write '-- ferry:down'", 1, 4);
	cl_refused("---ferry:down\n", "misspelt marker '---ferry:down'",
		"write '-- ferry:down'", 1, 3);
}

void test_parse__block_comment_marker(void)
{
	cl_refused("-- ferry:up\nSELECT 1;\n/* ferry:down */\nSELECT 2;\n",
		"misspelt marker '/* ferry:down */'",
		"markers are '--' comments: write '-- ferry:down'", 3, 1);
	cl_refused("  /** FERRY finish\n */\n",
		"misspelt marker '/** FERRY finish'",
		"markers are '--' comments: write '-- ferry:finish'", 1, 3);
	cl_refused("/*ferry*/\n", "misspelt marker '/*ferry*/'",
		HINT_FERRY_WORD, 1, 1);
}

void test_parse__misspelt_message_is_cut(void)
{
	cl_refused("-- ferry is how this service moves its schema, one release "
		   "at a time\n",
		"misspelt marker '-- ferry is how this service moves its "
		"schema, o...'",
		HINT_FERRY_WORD, 1, 9);
	/* Not inside a UTF-8 character: 47 bytes, then a 2-byte one. */
	cl_refused("-- ferry aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xC3\xA9\n",
		"misspelt marker '-- ferry "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
		HINT_FERRY_WORD, 1, 9);
}

void test_parse__misspelt_markers_inside_text_are_text(void)
{
	/* In a comment or a string, a misspelling cuts nothing: it is text. */
	cl_ferry_pass(parse("-- ferry:up\n/*\n-- ferry finish\n"
			    "/* ferry:down */\n*/\n"
			    "SELECT '\n-- ferry finish\n-- +goose Down\n';\n"
			    "CREATE FUNCTION f() RETURNS int AS $$\n"
			    "-- ferry down\n-- migrate:down\n"
			    "SELECT 1 $$ LANGUAGE sql;\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_i(sec[FERRY__UP].len, strlen(text) - 12);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

#define HINT_TOOL(tool) \
	"ferry reads a set of " tool " files with '--format " tool "'; in a " \
	"ferry set, rewrite the markers as '-- ferry:up' and '-- ferry:down'"
#define HINT_LIQUIBASE \
	"ferry does not read Liquibase formatted SQL (yet); rewrite each " \
	"changeset as a migration file with '-- ferry:up' and '-- " \
	"ferry:down'"

void test_parse__dbmate_markers(void)
{
	/* The issue's own: the down half ran during up. */
	cl_refused("-- migrate:up\nCREATE TABLE users (id int);\n\n"
		   "-- migrate:down\nDROP TABLE users;\n",
		"dbmate marker '-- migrate:up'", HINT_TOOL("dbmate"), 1, 1);
	cl_refused("-- ferry:up\nSELECT 1;\n  --migrate:down\nSELECT 2;\n",
		"dbmate marker '--migrate:down'", HINT_TOOL("dbmate"), 3, 3);
	cl_refused("-- MIGRATE:Up transaction:false\n",
		"dbmate marker '-- MIGRATE:Up transaction:false'",
		HINT_TOOL("dbmate"), 1, 1);
}

void test_parse__goose_markers(void)
{
	cl_refused("-- +goose Up\nCREATE TABLE users (id int);\n"
		   "-- +goose Down\nDROP TABLE users;\n",
		"goose marker '-- +goose Up'", HINT_TOOL("goose"), 1, 1);
	cl_refused("-- ferry:up\nSELECT 1;\n--+goose down\n",
		"goose marker '--+goose down'", HINT_TOOL("goose"), 3, 1);
	cl_refused("-- ferry:up\n-- +goose StatementBegin\n",
		"goose marker '-- +goose StatementBegin'", HINT_TOOL("goose"),
		2, 1);
	cl_refused("-- +goose NO TRANSACTION\n",
		"goose marker '-- +goose NO TRANSACTION'", HINT_TOOL("goose"),
		1, 1);
}

void test_parse__sql_migrate_markers(void)
{
	cl_refused("-- +migrate Up\nCREATE TABLE t (a int);\n"
		   "-- +migrate Down\nDROP TABLE t;\n",
		"sql-migrate marker '-- +migrate Up'", HINT_TOOL("sql-migrate"),
		1, 1);
	cl_refused("-- +migrate StatementBegin\n",
		"sql-migrate marker '-- +migrate StatementBegin'",
		HINT_TOOL("sql-migrate"), 1, 1);
}

void test_parse__atlas_directives(void)
{
	cl_refused("-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t "
		   "(a);\n",
		"Atlas directive '-- atlas:txmode none'",
		"ferry does not read Atlas files (yet); remove the directive "
		"and mark sections with '-- ferry:up' and '-- ferry:down'",
		1, 1);
}

void test_parse__liquibase_markers(void)
{
	cl_refused("--liquibase formatted sql\n\n--changeset alice:1\n"
		   "CREATE TABLE t (a int);\n--rollback DROP TABLE t;\n",
		"Liquibase marker '--liquibase formatted sql'", HINT_LIQUIBASE,
		1, 1);
	cl_refused("-- Liquibase  Formatted SQL\n",
		"Liquibase marker '-- Liquibase  Formatted SQL'",
		HINT_LIQUIBASE, 1, 1);
	cl_refused("-- ferry:up\n-- changeset alice:create-t\n",
		"Liquibase marker '-- changeset alice:create-t'",
		HINT_LIQUIBASE, 2, 1);
	cl_refused("-- ferry:up\nCREATE TABLE t (a int);\n"
		   "--rollback DROP TABLE t;\n",
		"Liquibase marker '--rollback DROP TABLE t;'", HINT_LIQUIBASE,
		3, 1);
}

void test_parse__prose_is_not_a_foreign_marker(void)
{
	cl_ferry_pass(parse("-- ferry:up\n"
			    "-- migrate: the rows move in finish\n"
			    "-- migrate:later, maybe\n"
			    "-- goose and +goose are birds\n"
			    "-- atlas: see the map\n"
			    "-- rollback is not possible; restore a backup\n"
			    "-- Rollback: none\n"
			    "-- changeset: none\n"
			    "-- liquibase would not read this\n"
			    "SELECT 1; -- +goose Down\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__marker_inside_block_comment(void)
{
	cl_refused("-- ferry:up\nSELECT 1;\n/* the old down section:\n"
		   "-- ferry:down\nDROP TABLE t;\n*/\n",
		"'-- ferry:down' inside a /* comment opened at line 3",
		"close the comment with '*/' before the marker", 4, 1);
	/* Unterminated before the first marker: the marker is in it. */
	cl_refused("/* header\n\t-- ferry:up\nSELECT 1;\n",
		"'-- ferry:up' inside a /* comment opened at line 1",
		"close the comment with '*/' before the marker", 2, 2);
}

void test_parse__marker_inside_nested_comment(void)
{
	/* SQLite ends the comment at line 2; PostgreSQL nests, and reads
	 * the marker as part of it. */
	cl_refused("-- ferry:up\nSELECT 1; /* a /* b\n*/\n-- ferry:down\n"
		   "DROP TABLE t;\n*/\n",
		"'-- ferry:down' inside a nested /* comment opened at line 2",
		"PostgreSQL nests /* */ comments, so each '/*' needs its own "
		"'*/'; close them before the marker",
		4, 1);
}

void test_parse__marker_inside_string(void)
{
	cl_refused("-- ferry:up\nINSERT INTO t VALUES ('it''s\n"
		   "-- ferry:down\n');\n",
		"'-- ferry:down' inside a quoted string opened at line 2",
		"close the string before the marker: a quote may be missing "
		"or not doubled",
		3, 1);
	/* A backslash does not escape in '...': the string ends at 'a\'. */
	cl_refused("-- ferry:up\nSELECT 'a\\', 'b;\n-- ferry:down\n",
		"'-- ferry:down' inside a quoted string opened at line 2",
		"close the string before the marker: a quote may be missing "
		"or not doubled",
		3, 1);
	/* It does in E'...'. */
	cl_refused("-- ferry:up\nSELECT E'it\\'s\n  -- ferry:finish\n';\n",
		"'-- ferry:finish' inside a quoted string opened at line 2",
		"close the string before the marker: a quote may be missing "
		"or not doubled",
		3, 3);
}

void test_parse__marker_inside_identifier(void)
{
	cl_refused("-- ferry:up\nCREATE TABLE \"odd\n-- ferry:down\n\" (a "
		   "int);\n",
		"'-- ferry:down' inside a quoted identifier opened at line 2",
		"close the identifier before the marker: a quote may be "
		"missing",
		3, 1);
	cl_refused("-- ferry:up\nCREATE TABLE `odd\n-- ferry:down\n` (a "
		   "int);\n",
		"'-- ferry:down' inside a quoted identifier opened at line 2",
		"close the identifier before the marker: a quote may be "
		"missing",
		3, 1);
	cl_refused("-- ferry:up\nCREATE TABLE [odd\n-- ferry:down\n] (a "
		   "int);\n",
		"'-- ferry:down' inside a [bracketed] identifier opened at "
		"line 2",
		"close it with ']' before the marker; SQLite reads '[' as the "
		"start of an identifier",
		3, 1);
}

void test_parse__marker_inside_dollar_quote(void)
{
	cl_refused("-- ferry:up\nCREATE TABLE t (a int);\n\n"
		   "CREATE FUNCTION f() RETURNS int AS $$\n"
		   "-- ferry:down\nSELECT 1\n$$ LANGUAGE sql;\n",
		"'-- ferry:down' inside a dollar-quoted string opened at line 4",
		"close it with '$$' before the marker", 5, 1);
	cl_refused("-- ferry:up\nDO $body$ BEGIN\n"
		   "  -- ferry:finish no-transaction\nEND $body$;\n",
		"'-- ferry:finish no-transaction' inside a dollar-quoted "
		"string opened at line 2",
		"close it with '$body$' before the marker", 3, 3);
	/* Unterminated: it runs to the end. */
	cl_refused("-- ferry:up\nSELECT $q$ a;\n-- ferry:down\nSELECT 1;\n",
		"'-- ferry:down' inside a dollar-quoted string opened at line 2",
		"close it with '$q$' before the marker", 3, 1);
}

void test_parse__dollar_quote_starts_only_where_postgres_starts_one(void)
{
	/* After an identifier character, '$' is part of the name; $1 is a
	 * parameter. Neither opens a quote, so the markers are markers. */
	cl_ferry_pass(parse("-- ferry:up\nCREATE TABLE cost$$ (v$1 int);\n"
			    "PREPARE p(int) AS SELECT $1;\n"
			    "-- ferry:down\nDROP TABLE cost$$;\n"),
		&err);
	cl_assert_equal_s(body(FERRY__DOWN), "DROP TABLE cost$$;\n");
}

void test_parse__postgres_brackets_with_quotes_are_not_identifiers(void)
{
	/* Read as SQLite reads '[', the first ']' would end an identifier
	 * inside the string, and the quotes after it would pair wrongly. */
	cl_ferry_pass(parse("-- ferry:up\n"
			    "INSERT INTO t VALUES (ARRAY['a]b', 'c'], "
			    "ARRAY['[a-z]+'], ARRAY[$$]$$]);\n"
			    "UPDATE t SET doc['k]'] = '1';\n"
			    "-- ferry:down\nDELETE FROM t;\n"),
		&err);
	cl_assert_equal_s(body(FERRY__DOWN), "DELETE FROM t;\n");
}

void test_parse__closed_quotes_and_comments_are_fine(void)
{
	static const char t[] =
		"-- ferry:up\n"
		"/* a /* nested */ comment */\n"
		"SELECT 'one\n-- two', \"th\"\"ree\", E'f\\'our',\n"
		"  $x$ $$ -- ferry:down $x$, [a\n b], `c`;\n"
		"/* closed */ -- ferry:finish ok\n"
		"-- ferry:down\n"
		"DROP TABLE t;\n";

	cl_ferry_pass(parse(t), &err);
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_s(body(FERRY__DOWN), "DROP TABLE t;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].line, 9);
}

void test_parse__unterminated_comment(void)
{
	/* SQLite would read the rest as a comment and run nothing. */
	cl_refused("-- ferry:up\nCREATE TABLE t (a int);\n"
		   "/* TODO: backfill\nINSERT INTO t VALUES (1);\n",
		"unterminated /* comment",
		"close it with '*/'; SQLite would silently skip the rest of "
		"the section",
		3, 1);
	cl_refused("SELECT 1; /* to the end", "unterminated /* comment",
		"close it with '*/'; SQLite would silently skip the rest of "
		"the section",
		1, 11);
	cl_refused("-- ferry:up\nSELECT 1;\n-- ferry:down\n  /*\n",
		"unterminated /* comment",
		"close it with '*/'; SQLite would silently skip the rest of "
		"the section",
		4, 3);
}

void test_parse__comment_open_only_under_nesting_is_left_to_the_engine(void)
{
	/* SQLite reads "/\* a /\* b *\/" as a whole comment; PostgreSQL's
	 * splitter refuses it when the file runs there. */
	cl_ferry_pass(parse("-- ferry:up\nSELECT 1; /* a /* b */\n"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1; /* a /* b */\n");
}

void test_parse__unterminated_comment_nested_for_postgres_only(void)
{
	/* For PostgreSQL the second comment is nested in the first; SQLite
	 * ends the first and reads the second to the end. */
	cl_refused("-- ferry:up\nSELECT 1; /* a /* b */\nSELECT 2; /* c\n"
		   "SELECT 3;\n",
		"unterminated /* comment",
		"close it with '*/'; SQLite would silently skip the rest of "
		"the section",
		3, 11);
}

void test_parse__nested_comments_before_the_first_marker(void)
{
	/* As before: read as PostgreSQL nests them, the text before the
	 * first marker is only comments. */
	cl_ferry_pass(parse("/* /* */ */\n-- ferry:up\nSELECT 1;\n"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;\n");
}

void test_parse__open_string_at_the_end_is_left_to_the_engine(void)
{
	/* Both engines refuse these when they run them; nothing is hidden. */
	cl_ferry_pass(parse("-- ferry:up\nSELECT 'a;\n"), &err);
	cl_ferry_pass(parse("-- ferry:up\nSELECT $$a;\n"), &err);
}

void test_parse__sql_before_marker_behind_a_string(void)
{
	/* A string before the first marker is SQL, not a comment. */
	cl_refused("-- top\n'-- ferry:up';\n-- ferry:up\nSELECT 1;\n",
		"SQL before the first '-- ferry:' marker",
		"move it below '-- ferry:up', or start the file with that "
		"marker",
		2, 1);
}

void test_parse__unknown_marker(void)
{
	cl_assert_equal_i(parse("-- ferry:up\nSELECT 1;\n-- ferry:dwon\n"
				"SELECT 2;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown marker 'ferry:dwon'");
	cl_assert_equal_s(err.hint,
		"a section starts with '-- ferry:up', "
		"'-- ferry:finish' or '-- ferry:down'");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
}

void test_parse__unknown_marker_joined_option(void)
{
	cl_assert_equal_i(parse("-- ferry:up-no-transaction\nSELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "unknown marker 'ferry:up-no-transaction'");
	cl_assert_equal_i(err.line, 1);
}

void test_parse__empty_marker(void)
{
	cl_assert_equal_i(
		parse("-- a\n-- ferry:\nSELECT 1;\n"), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown marker 'ferry:'");
	cl_assert_equal_i(err.line, 2);
}

void test_parse__unknown_option(void)
{
	cl_assert_equal_i(
		parse("-- ferry:up\nSELECT 1;\n"
		      "-- ferry:Down no-transaction notx\nSELECT 2;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "unknown option 'notx' on marker 'ferry:down'");
	cl_assert_equal_s(err.hint,
		"the marker options are 'no-transaction' and 'confirm'");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
}

void test_parse__second_section_of_a_kind(void)
{
	cl_assert_equal_i(
		parse("-- top\n-- ferry:up\nSELECT 1;\n"
		      "-- ferry:down\nSELECT 2;\n-- ferry:up\nSELECT 3;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "second '-- ferry:up' section");
	cl_assert_equal_s(err.hint,
		"the first one starts at line 2; a file "
		"has at most one of each section");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 6);
}

void test_parse__sql_before_first_marker(void)
{
	cl_assert_equal_i(parse("-- Add t.\n\n  CREATE TABLE t (a int);\n"
				"-- ferry:up\nSELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "SQL before the first '-- ferry:' marker");
	cl_assert_equal_s(err.hint,
		"move it below '-- ferry:up', or start "
		"the file with that marker");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
	cl_assert_equal_i(err.column, 3);
}

void test_parse__sql_after_block_comment_before_marker(void)
{
	cl_assert_equal_i(parse("/* a\n * b */ SELECT 1;\n-- ferry:down\n"),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "SQL before the first '-- ferry:' marker");
	cl_assert_equal_i(err.line, 2);
	cl_assert_equal_i(err.column, 9);
}

void test_parse__comments_before_first_marker(void)
{
	cl_ferry_pass(parse("-- Add t.\n\n/* several\n   lines */\n\t\n"
			    "-- ferry:up\nCREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 7);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}

void test_parse__nul_byte(void)
{
	static const char t[] = "-- ferry:up\nSELECT\0 1;\n";

	text = t;
	cl_assert_equal_i(
		ferry__parse_sections(sec, t, sizeof(t) - 1, PATH, NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_s(err.hint,
		"migration files are UTF-8 text; convert "
		"the file (UTF-16 is not supported)");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 2);
	cl_assert_equal_i(err.column, 7);
}

void test_parse__utf16_is_a_nul_byte(void)
{
	/* "SE" in UTF-16LE, after its byte order mark. */
	static const char t[] = "\xFF\xFE"
				"S\0E\0";

	text = t;
	cl_assert_equal_i(
		ferry__parse_sections(sec, t, sizeof(t) - 1, PATH, NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_i(err.line, 1);
	cl_assert_equal_i(err.column, 4);
}

void test_parse__bom_is_skipped(void)
{
	cl_ferry_pass(parse("\xEF\xBB\xBF"
			    "CREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].offset, 3);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);

	cl_ferry_pass(parse("\xEF\xBB\xBF-- ferry:up\n"
			    "CREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}

void test_parse__error_without_err(void)
{
	cl_assert_equal_i(ferry__parse_sections(
				  sec, "-- ferry:x\n", 11, PATH, NULL, NULL),
		FERRY_EINVALID);
}

/* Write `content` to a file and read it back as ferry does. */
static int read_back(
	const char *name, const char *content, char **out, size_t *len)
{
	const char *dir = cl_tmpdir();

	if (cl_write(dir, name, content) < 0)
		return -1;
	return ferry__read_file(cl_path(dir, name), out, len, &err);
}

void test_parse__crlf_and_lf_checksums_agree(void)
{
	ferry__section lf[FERRY__NSECTIONS], crlf[FERRY__NSECTIONS];
	ferry__hasher h;
	size_t la, lb;
	int k, rc;

	cl_ferry_pass(
		read_back("lf.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a int);\n-- ferry:finish\nSELECT 1;\n"
			"-- ferry:down\nDROP TABLE t;\n",
			&file_a, &la),
		&err);
	cl_ferry_pass(
		read_back("crlf.sql",
			"-- ferry:up\r\n"
			"CREATE TABLE t (a int);\r\n-- ferry:finish\r\nSELECT 1;\r\n"
			"-- ferry:down\r\nDROP TABLE t;\r\n",
			&file_b, &lb),
		&err);
	cl_assert_equal_i(la, lb);
	cl_assert_equal_s(file_a, file_b);
	/* One-off hashing for one, a reused hasher for the other. */
	cl_ferry_pass(
		ferry__parse_sections(lf, file_a, la, "lf.sql", NULL, &err),
		&err);
	ferry__hasher_init(&h);
	rc = ferry__parse_sections(crlf, file_b, lb, "crlf.sql", &h, &err);
	ferry__hasher_release(&h);
	cl_ferry_pass(rc, &err);
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		cl_assert_equal_i(crlf[k].present, 1);
		cl_assert(memcmp(lf[k].sha, crlf[k].sha, 32) == 0);
	}
	cl_assert_equal_s(sha(&crlf[FERRY__UP]), SHA_CREATE);
	cl_assert_equal_s(sha(&crlf[FERRY__DOWN]), SHA_DROP);
}

void test_parse__one_byte_changes_the_checksum(void)
{
	ferry__section a[FERRY__NSECTIONS], b[FERRY__NSECTIONS];
	size_t la, lb;

	cl_ferry_pass(
		read_back("a.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a int);\n-- ferry:down\nDROP TABLE t;\n",
			&file_a, &la),
		&err);
	cl_ferry_pass(
		read_back("b.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a Int);\n-- ferry:down\nDROP TABLE t;\n",
			&file_b, &lb),
		&err);
	cl_ferry_pass(ferry__parse_sections(a, file_a, la, "a.sql", NULL, &err),
		&err);
	cl_ferry_pass(ferry__parse_sections(b, file_b, lb, "b.sql", NULL, &err),
		&err);
	cl_assert_equal_s(sha(&a[FERRY__UP]), SHA_CREATE);
	cl_assert(memcmp(a[FERRY__UP].sha, b[FERRY__UP].sha, 32) != 0);
	/* The down sections are the same bytes. */
	cl_assert(memcmp(a[FERRY__DOWN].sha, b[FERRY__DOWN].sha, 32) == 0);
}

void test_parse__marker_line_is_not_in_the_checksum(void)
{
	ferry__section a[FERRY__NSECTIONS];

	cl_ferry_pass(parse("-- ferry:up no-transaction\n"
			    "CREATE TABLE t (a int);\n"),
		&err);
	memcpy(a, sec, sizeof(a));
	cl_ferry_pass(parse("-- ferry:up\nCREATE TABLE t (a int);\n"), &err);
	cl_assert(memcmp(a[FERRY__UP].sha, sec[FERRY__UP].sha, 32) == 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}

/*
 * -- ferry:repeat (issue 14): where it may stand, its options, and how the
 * runner finds it again before a statement.
 */

void test_parse__repeat_options_and_limits(void)
{
	static const char *const good[] = { "", " pause=0ms", " pause=3600s",
		" max=1", " max=1000000000", " pause=250ms max=7",
		"   max=7   pause=1s  " };
	static const char *const bad[] = { " pause=3601s", " pause=3600001ms",
		" pause=5", " pause=ms", " max=0", " max=1000000001", " max=-1",
		" max=7x", " every=3", " max=99999999999999999999" };
	char file[256];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		snprintf(file, sizeof(file),
			"-- ferry:up no-transaction\n-- ferry:repeat%s\n"
			"UPDATE t SET a = 1;\n",
			good[i]);
		cl_ferry_pass(parse(file), &err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(file, sizeof(file),
			"-- ferry:up no-transaction\n-- ferry:repeat%s\n"
			"UPDATE t SET a = 1;\n",
			bad[i]);
		cl_assert_equal_i(parse(file), FERRY_EINVALID);
		cl_assert(strstr(err.message, "unknown option") != NULL);
		cl_assert_equal_i(err.line, 2);
	}
}

void test_parse__repeat_is_part_of_the_section_and_its_checksum(void)
{
	unsigned char with[32];

	cl_ferry_pass(parse("-- ferry:up no-transaction\n-- ferry:repeat\n"
			    "UPDATE t SET a = 1;\n"),
		&err);
	cl_assert_equal_s(
		body(FERRY__UP), "-- ferry:repeat\nUPDATE t SET a = 1;\n");
	memcpy(with, sec[FERRY__UP].sha, 32);
	cl_ferry_pass(
		parse("-- ferry:up no-transaction\n-- ferry:repeat max=9\n"
		      "UPDATE t SET a = 1;\n"),
		&err);
	cl_assert(memcmp(with, sec[FERRY__UP].sha, 32) != 0);
}

void test_parse__repeat_found_again_before_its_statement(void)
{
	const char *t = "SELECT 1; -- ferry:repeat max=5\n"
			"-- a comment\n"
			"-- FERRY:Repeat pause=2s max=3\n"
			"UPDATE t SET a = 1;\n";
	size_t stmt = strstr(t, "UPDATE") - t;
	ferry__repeat rep;

	/* From the end of "SELECT 1;": the rest of that line is no directive. */
	cl_assert_equal_i(ferry__repeat_find(t, 9, stmt, &rep), 1);
	cl_assert_equal_i(rep.pause_ms, 2000);
	cl_assert_equal_i(rep.max_batches, 3);
	cl_assert_equal_i(
		ferry__repeat_find(t, 9, strstr(t, "-- FERRY") - t, &rep), 0);
	cl_assert_equal_i(ferry__count_repeats(t, strlen(t)), 1);
	cl_assert_equal_i(ferry_sql_repeats(t), 1);
	cl_assert_equal_i(ferry_sql_repeats(NULL), 0);
	cl_assert_equal_i(
		ferry_sql_repeats("-- ferry:repeat\nUPDATE t SET a = 1;\n"
				  "-- ferry:repeat\nDELETE FROM t;\n"),
		2);
}

void test_parse__require_needs_a_message_and_a_query(void)
{
	const char *t = "-- ferry:up\n"
			"-- ferry:require  stop the workers first  \n"
			"SELECT count(*) = 0 FROM workers;\n"
			"CREATE TABLE t (a int);\n";
	size_t q = strstr(t, "SELECT") - t, len;
	const char *msg;

	cl_ferry_pass(parse(t), &err);
	cl_assert_equal_i(ferry__require_find(t, 0, q, &msg, &len), 1);
	cl_assert_equal_i(len, strlen("stop the workers first"));
	cl_assert(strncmp(msg, "stop the workers first", len) == 0);
	cl_assert_equal_i(ferry__require_find(t, q, strlen(t), &msg, &len), 0);

	cl_assert_equal_i(parse("-- ferry:up\n-- ferry:require\nSELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert(strstr(err.message, "needs a message") != NULL);
	cl_assert_equal_i(err.line, 2);
	cl_assert_equal_i(
		parse("-- ferry:up\n-- ferry:require go\n-- ferry:down\n"),
		FERRY_EINVALID);
	cl_assert(strstr(err.message, "followed by no statement") != NULL);
	/* One directive for one statement: not both. */
	cl_assert_equal_i(parse("-- ferry:up no-transaction\n"
				"-- ferry:require go\n-- ferry:repeat\n"
				"UPDATE t SET a = 1;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.line, 2);
	/* The word, then a blank: "require-x" is an unknown marker. */
	cl_assert_equal_i(parse("-- ferry:up\n-- ferry:require-x go\n"
				"SELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert(strstr(err.message, "unknown marker") != NULL);
	/* A require is allowed in a section that runs in one transaction. */
	cl_ferry_pass(
		parse("-- ferry:finish\n-- ferry:require go\nSELECT 1;\n"),
		&err);
}

void test_parse__confirm_option(void)
{
	cl_ferry_pass(parse("-- ferry:up confirm\nSELECT 1;\n"
			    "-- ferry:finish no-transaction confirm\n"
			    "SELECT 2;\n"),
		&err);
	cl_assert(sec[FERRY__UP].confirm && !sec[FERRY__UP].no_transaction);
	cl_assert(sec[FERRY__FINISH].confirm &&
		sec[FERRY__FINISH].no_transaction);
	cl_assert(!sec[FERRY__DOWN].confirm);
}
