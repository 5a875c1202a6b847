/* SPDX-License-Identifier: MIT */
/*
 * created.c - what `stamp` asks a database for: the objects statements
 * create, less those they drop, renamed and moved as they are, names as
 * each engine stores them. Pure text; no database.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>

static ferry__created c;
static ferry__buf list;

void test_created__initialize(void)
{
	memset(&c, 0, sizeof(c));
	memset(&list, 0, sizeof(list));
}

void test_created__cleanup(void)
{
	ferry__created_clear(&c);
	ferry__buf_release(&list);
}

/* Read each statement of `sql` (one per line) as `dialect` does. */
static void feed(ferry__dialect dialect, const char *sql)
{
	const char *p = sql, *nl;

	c.dialect = dialect;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		cl_assert(nl);
		cl_assert_equal_i(0,
			ferry__created_statement(
				&c, NULL, 1, p, (size_t)(nl - p)));
	}
}

/* "kind schema.name on t" for each object left, one per line. */
static const char *left(void)
{
	size_t i;

	ferry__buf_clear(&list);
	for (i = 0; i < c.n; i++)
		ferry__buf_printf(&list, "%s %s%s%s%s%s\n",
			ferry__created_kind(&c.v[i]),
			c.v[i].schema ? c.v[i].schema : "",
			c.v[i].schema ? "." : "", c.v[i].name,
			c.v[i].on ? " on " : "", c.v[i].on ? c.v[i].on : "");
	return ferry__buf_cstr(&list);
}

void test_created__postgres_folds_unquoted_names_only(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE TABLE Accounts (id int);\n"
		"create table \"Mixed\"\"Case\" (id int);\n"
		"CREATE UNLOGGED TABLE IF NOT EXISTS App.Log (x int);\n"
		"CREATE TABLE db.\"S\".t3 (x int);\n");
	cl_assert_equal_s("table accounts\n"
			  "table Mixed\"Case\n"
			  "table app.log\n"
			  "table S.t3\n",
		left());
}

void test_created__sqlite_folds_every_name(void)
{
	feed(FERRY__DIALECT_SQLITE,
		"CREATE TABLE \"Quoted\" (id);\n"
		"CREATE TABLE [Bracket] (id);\n"
		"CREATE TABLE `Tick` (id);\n"
		"CREATE VIRTUAL TABLE Docs USING fts5(body);\n");
	cl_assert_equal_s("table quoted\ntable bracket\ntable tick\n"
			  "table docs\n",
		left());
}

void test_created__kinds(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE OR REPLACE VIEW v AS SELECT 1;\n"
		"CREATE OR REPLACE RECURSIVE VIEW rv (n) AS SELECT 1;\n"
		"CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;\n"
		"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY "
		"s.t (x);\n"
		"CREATE SEQUENCE seq;\n"
		"CREATE TYPE mood AS ENUM ('a');\n"
		"CREATE DOMAIN email AS text;\n"
		"CREATE FUNCTION f(a int) RETURNS int AS $$ SELECT 1 $$ "
		"LANGUAGE sql;\n"
		"CREATE PROCEDURE p() LANGUAGE sql AS $$ $$;\n"
		"CREATE CONSTRAINT TRIGGER tr AFTER INSERT ON t FOR EACH "
		"ROW EXECUTE FUNCTION f();\n"
		"CREATE SCHEMA IF NOT EXISTS sch;\n");
	cl_assert_equal_s("view v\nview rv\nmaterialized view mv\n"
			  "index i on t\nsequence seq\ntype mood\n"
			  "type email\nfunction f\nfunction p\n"
			  "trigger tr on t\nschema sch\n",
		left());
}

void test_created__what_is_not_asked_for(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE TEMP TABLE scratch (x int);\n"
		"CREATE GLOBAL TEMPORARY TABLE g (x int);\n"
		"CREATE INDEX ON t (x);\n"
		"CREATE SCHEMA AUTHORIZATION joe;\n"
		"CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
		"INSERT INTO t VALUES ('CREATE TABLE x (y int)');\n"
		"/* CREATE TABLE hidden (x int) */ SELECT 1;\n"
		"CREATE TABLE;\n"
		"CREATE TABLE 'not a name' (x int);\n");
	cl_assert_equal_s("", left());
}

void test_created__the_same_object_twice_is_asked_for_once(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE TABLE IF NOT EXISTS t (x int);\n"
		"CREATE TABLE IF NOT EXISTS T (x int);\n"
		"CREATE TABLE s.t (x int);\n");
	cl_assert_equal_s("table t\ntable s.t\n", left());
}

void test_created__drops(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE TABLE a (x int);\n"
		"CREATE TABLE b (x int);\n"
		"CREATE TABLE c (x int);\n"
		"CREATE INDEX a_x ON a (x);\n"
		"CREATE TRIGGER a_t BEFORE UPDATE OF x ON public.a FOR EACH "
		"ROW EXECUTE FUNCTION f();\n"
		"CREATE INDEX c_x ON c (x);\n"
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE "
		"sql;\n"
		"CREATE SCHEMA s;\n"
		"CREATE TABLE s.inside (x int);\n"
		"CREATE VIEW keep AS SELECT 1;\n"
		"DROP TABLE IF EXISTS a, public.b CASCADE;\n"
		"DROP INDEX CONCURRENTLY IF EXISTS c_x;\n"
		"DROP FUNCTION f(int), g();\n"
		"DROP SCHEMA s CASCADE;\n"
		"DROP TABLE keep;\n");
	cl_assert_equal_s("table c\nview keep\n", left());
}

void test_created__renames_and_moves(void)
{
	feed(FERRY__DIALECT_PG,
		"CREATE TABLE old (x int);\n"
		"CREATE INDEX old_x ON old (x);\n"
		"CREATE TABLE other (x int);\n"
		"CREATE FUNCTION fn(int) RETURNS int AS $$ SELECT 1 $$ "
		"LANGUAGE sql;\n"
		"ALTER TABLE IF EXISTS ONLY old RENAME TO New;\n"
		"ALTER TABLE other RENAME COLUMN x TO y;\n"
		"ALTER TABLE other RENAME x TO y;\n"
		"ALTER TABLE other SET SCHEMA archive;\n"
		"ALTER FUNCTION fn(int) RENAME TO fn2;\n"
		"ALTER INDEX old_x RENAME TO new_x;\n"
		"DROP TABLE new;\n");
	cl_assert_equal_s("table archive.other\nfunction fn2\n", left());
}
