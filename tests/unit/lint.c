/* SPDX-License-Identifier: MIT */
/*
 * lint.c - ferry_lint(): every rule on a statement that breaks it and on
 * one that does not, allows with and without a reason, and the engines.
 * Migration 1 creates the tables the others change, so they have traffic;
 * files only, no database.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>
#include <sys/stat.h>

static char dir[512];
static ferry_set *set;
static ferry_lint_result *res;
static ferry_error err;
static ferry__buf found;
static ferry__buf sql; /* a statement too long to write out */

static const char base[] =
	"CREATE TABLE users (id int, name text, email text, legacy text);\n"
	"CREATE TABLE orders (id int, user_id int);\n"
	"CREATE VIEW v AS SELECT id FROM users;\n"
	"CREATE INDEX users_name ON users (name);\n";

void test_lint__initialize(void)
{
	set = NULL;
	res = NULL;
	memset(&found, 0, sizeof(found));
	memset(&sql, 0, sizeof(sql));
	ferry_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
	cl_assert_equal_i(cl_write(dir, "1_base.sql", base), 0);
}

void test_lint__cleanup(void)
{
	ferry_lint_result_free(res);
	ferry_set_free(set);
	ferry__buf_release(&found);
	ferry__buf_release(&sql);
}

/*
 * Lint migration 2, `body`, with `engine` (NULL: both): its findings as
 * "section line:col rule", " allowed" after an allowed one, one a line.
 */
static const char *lint(const char *engine, const char *body)
{
	ferry_lint_options o = FERRY_LINT_OPTIONS_INIT;
	size_t i;

	ferry_lint_result_free(res);
	ferry_set_free(set);
	res = NULL;
	set = NULL;
	ferry__buf_clear(&found);
	o.engine = engine;
	if (cl_write(dir, "2_change.sql", body) < 0 ||
		ferry_set_open(&set, dir, &err) < 0 ||
		ferry_lint(&res, set, &o, &err) < 0)
		return err.message;
	for (i = 0; i < ferry_lint_result_count(res); i++) {
		const ferry_lint_finding *f = ferry_lint_result_at(res, i);

		if (f->migration->version != 2)
			continue;
		ferry__buf_printf(&found, "%s %d:%d %s%s\n", f->section,
			f->line, f->column, f->rule,
			f->allowed ? " allowed" : "");
	}
	return ferry__buf_cstr(&found);
}

#define SQ "sqlite"
#define PG "postgres"

void test_lint__drop_table_in_up_only(void)
{
	cl_assert_equal_s("up 2:1 up-drop-table\n",
		lint(SQ, "-- ferry:up\nDROP TABLE users;\n"));
	cl_assert_equal_s("", lint(SQ, "-- ferry:finish\nDROP TABLE users;\n"));
	cl_assert_equal_s("", lint(SQ, "-- ferry:down\nDROP TABLE users;\n"));
	/* created by this very migration: no traffic on it yet */
	cl_assert_equal_s("",
		lint(PG,
			"CREATE TABLE t (id int);\n"
			"DROP TABLE IF EXISTS t;\n"));
}

void test_lint__drop_column_and_view(void)
{
	cl_assert_equal_s("up 1:19 up-drop-column\n",
		lint(PG, "ALTER TABLE users DROP COLUMN legacy;\n"));
	cl_assert_equal_s("up 1:19 up-drop-column\n",
		lint(PG, "ALTER TABLE users DROP legacy;\n"));
	cl_assert_equal_s(
		"", lint(PG, "ALTER TABLE users DROP CONSTRAINT c;\n"));
	cl_assert_equal_s("up 1:1 up-drop-view\n", lint(SQ, "DROP VIEW v;\n"));
	cl_assert_equal_s("",
		lint(SQ,
			"CREATE VIEW w AS SELECT 1;\n"
			"DROP VIEW w;\n"));
}

void test_lint__renames(void)
{
	cl_assert_equal_s("up 1:19 up-rename-table\n",
		lint(SQ, "ALTER TABLE users RENAME TO people;\n"));
	cl_assert_equal_s("up 1:19 up-rename-column\n",
		lint(SQ, "ALTER TABLE users RENAME COLUMN name TO n;\n"));
	cl_assert_equal_s("",
		lint(SQ,
			"CREATE TABLE t (a int);\n"
			"ALTER TABLE t RENAME COLUMN a TO b;\n"));
	cl_assert_equal_s(
		"", lint(PG, "ALTER TABLE users RENAME CONSTRAINT a TO b;\n"));
}

void test_lint__alter_type(void)
{
	cl_assert_equal_s("up 1:19 up-alter-type\n"
			  "up 1:19 pg-alter-type-rewrite\n",
		lint(PG, "ALTER TABLE users ALTER COLUMN id TYPE bigint;\n"));
	cl_assert_equal_s("finish 2:19 pg-alter-type-rewrite\n",
		lint(PG,
			"-- ferry:finish\nALTER TABLE users ALTER id SET "
			"DATA TYPE bigint;\n"));
	/* widening to text or varchar: binary-coercible, no rewrite */
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE users ALTER COLUMN name "
			"TYPE text;\n"));
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE users ALTER COLUMN name "
			"TYPE character varying(200);\n"));
	cl_assert_equal_s("up 1:19 up-alter-type\n"
			  "up 1:19 pg-alter-type-rewrite\n",
		lint(PG,
			"ALTER TABLE users ALTER COLUMN name TYPE text "
			"USING upper(name);\n"));
}

void test_lint__set_not_null(void)
{
	cl_assert_equal_s("up 1:19 up-set-not-null\n",
		lint(SQ,
			"ALTER TABLE users ALTER COLUMN email SET NOT "
			"NULL;\n"));
	cl_assert_equal_s("finish 2:19 pg-set-not-null-scan\n",
		lint(PG,
			"-- ferry:finish\nALTER TABLE users ALTER COLUMN "
			"email SET NOT NULL;\n"));
	/* a validated CHECK (email IS NOT NULL) spares the scan */
	cl_assert_equal_s("",
		lint(PG,
			"-- ferry:up\n"
			"ALTER TABLE users ADD CONSTRAINT e CHECK (email IS "
			"NOT NULL) NOT VALID;\n"
			"ALTER TABLE users VALIDATE CONSTRAINT e;\n"
			"-- ferry:finish\nALTER TABLE users ALTER COLUMN "
			"email SET NOT NULL;\n"));
	/* not validated: still a scan */
	cl_assert_equal_s("finish 4:19 pg-set-not-null-scan\n",
		lint(PG,
			"-- ferry:up\nALTER TABLE users ADD CONSTRAINT e CHECK (email IS "
			"NOT NULL) NOT VALID;\n"
			"-- ferry:finish\nALTER TABLE users ALTER COLUMN "
			"email SET NOT NULL;\n"));
}

void test_lint__truncate(void)
{
	cl_assert_equal_s(
		"up 1:1 up-truncate\n", lint(PG, "TRUNCATE TABLE orders;\n"));
	cl_assert_equal_s(
		"", lint(PG, "-- ferry:finish\nTRUNCATE TABLE orders;\n"));
}

void test_lint__add_column_not_null(void)
{
	cl_assert_equal_s("up 1:19 up-add-column-not-null\n",
		lint(SQ, "ALTER TABLE users ADD COLUMN age int NOT NULL;\n"));
	cl_assert_equal_s("",
		lint(SQ,
			"ALTER TABLE users ADD COLUMN age int "
			"NOT NULL DEFAULT 0;\n"));
	cl_assert_equal_s(
		"", lint(SQ, "ALTER TABLE users ADD COLUMN age int;\n"));
}

void test_lint__pg_index_concurrently(void)
{
	cl_assert_equal_s("up 1:1 pg-create-index-blocking\n",
		lint(PG, "CREATE INDEX o_u ON orders (user_id);\n"));
	cl_assert_equal_s("",
		lint(PG,
			"CREATE INDEX CONCURRENTLY o_u ON "
			"orders (user_id);\n"));
	cl_assert_equal_s("",
		lint(PG,
			"CREATE TABLE t (a int);\n"
			"CREATE UNIQUE INDEX t_a ON t (a);\n"));
	/* SQLite has no CONCURRENTLY: not its rule */
	cl_assert_equal_s(
		"", lint(SQ, "CREATE INDEX o_u ON orders (user_id);\n"));
	cl_assert_equal_s("up 1:1 pg-drop-index-blocking\n",
		lint(PG, "DROP INDEX users_name;\n"));
	cl_assert_equal_s("",
		lint(PG, "DROP INDEX CONCURRENTLY IF EXISTS users_name;\n"));
	/* a UNIQUE constraint builds its index the same way */
	cl_assert_equal_s("up 1:20 pg-create-index-blocking\n",
		lint(PG,
			"ALTER TABLE orders ADD CONSTRAINT u UNIQUE "
			"(user_id);\n"));
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE orders ADD CONSTRAINT u "
			"UNIQUE USING INDEX orders_u;\n"));
}

void test_lint__pg_volatile_default(void)
{
	cl_assert_equal_s("up 1:19 pg-volatile-default\n",
		lint(PG,
			"ALTER TABLE users ADD COLUMN t timestamptz DEFAULT "
			"clock_timestamp();\n"));
	cl_assert_equal_s("up 1:19 pg-volatile-default\n",
		lint(PG, "ALTER TABLE users ADD COLUMN n bigserial;\n"));
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE users ADD COLUMN t "
			"timestamptz DEFAULT now();\n"));
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE users ADD COLUMN k int "
			"DEFAULT 0;\n"));
}

void test_lint__pg_constraint_not_valid(void)
{
	cl_assert_equal_s("up 1:20 pg-constraint-not-valid\n",
		lint(PG,
			"ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY "
			"(user_id) REFERENCES users (id);\n"));
	cl_assert_equal_s("up 1:20 pg-constraint-not-valid\n",
		lint(PG, "ALTER TABLE orders ADD CHECK (id > 0);\n"));
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY "
			"(user_id) REFERENCES users (id) NOT VALID;\n"
			"ALTER TABLE orders VALIDATE CONSTRAINT f;\n"));
}

void test_lint__pg_rewrites_and_locks(void)
{
	cl_assert_equal_s("up 1:1 pg-vacuum-full\n"
			  "up 2:1 pg-vacuum-full\n"
			  "up 3:1 pg-cluster\n"
			  "up 4:1 pg-lock-table\n",
		lint(PG,
			"VACUUM FULL users;\nVACUUM (FULL, VERBOSE) users;\n"
			"CLUSTER users USING users_name;\n"
			"LOCK TABLE users IN SHARE MODE;\n"));
	cl_assert_equal_s("up 1:1 pg-cluster\nup 2:1 pg-lock-table\n",
		lint(PG,
			"CLUSTER VERBOSE users_name ON users;\n"
			"LOCK users;\n"));
	/* no table: the whole database, every table with traffic */
	cl_assert_equal_s("up 2:1 pg-vacuum-full\nup 3:1 pg-cluster\n",
		lint(PG,
			"-- ferry:up no-transaction\nVACUUM FULL;\n"
			"CLUSTER;\n"));
	/* one table with traffic in the list is enough */
	cl_assert_equal_s("up 2:1 pg-vacuum-full\nup 3:1 pg-lock-table\n",
		lint(PG,
			"CREATE TABLE t (a int);\nVACUUM FULL t, orders;\n"
			"LOCK TABLE t, ONLY orders IN SHARE MODE;\n"));
	cl_assert_equal_s("", lint(PG, "VACUUM users;\nANALYZE users;\n"));
	cl_assert_equal_s("",
		lint(PG,
			"VACUUM (ANALYZE, VERBOSE) users (name);\n"
			"VACUUM FREEZE VERBOSE users;\n"));
	/* statements about clustering and locks that neither rewrite nor
	 * lock a table */
	cl_assert_equal_s("",
		lint(PG,
			"ALTER TABLE users CLUSTER ON users_name;\n"
			"ALTER TABLE users SET WITHOUT CLUSTER;\n"
			"SELECT pg_advisory_xact_lock(1);\n"
			"SELECT id FROM orders WHERE id = 1 FOR UPDATE;\n"));
}

void test_lint__pg_rewrites_and_locks_of_a_new_table(void)
{
	static const char fresh[] = "-- ferry:up no-transaction\n"
				    "CREATE TABLE t (a int);\n"
				    "CREATE INDEX t_a ON t (a);\n"
				    "VACUUM FULL t;\n"
				    "VACUUM (FULL, ANALYZE) public.t (a);\n"
				    "CLUSTER t USING t_a;\n"
				    "CLUSTER (VERBOSE) t;\n"
				    "CLUSTER t_a ON t;\n"
				    "LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\n"
				    "LOCK ONLY t NOWAIT;\n"
				    "-- ferry:finish\n"
				    "CLUSTER t USING t_a;\n"
				    "LOCK t;\n";

	/* no traffic on a table the migration created */
	cl_assert_equal_s("", lint(PG, fresh));
}

void test_lint__unbounded_write(void)
{
	cl_assert_equal_s("up 1:1 unbounded-write\nup 2:1 unbounded-write\n",
		lint(SQ, "UPDATE users SET name = '';\nDELETE FROM orders;\n"));
	cl_assert_equal_s("",
		lint(SQ,
			"UPDATE users SET name = '' WHERE id "
			"= 1;\n"));
	/* a WHERE in a subquery bounds nothing */
	cl_assert_equal_s("up 1:1 unbounded-write\n",
		lint(PG,
			"UPDATE users SET name = (SELECT max(id) FROM orders "
			"WHERE id > 1);\n"));
	cl_assert_equal_s("",
		lint(PG,
			"-- ferry:up no-transaction\n-- ferry:repeat\n"
			"DELETE FROM orders;\n"));
}

void test_lint__reads_a_long_statement_to_its_end(void)
{
	int i;

	/* 800 tokens before its WHERE */
	ferry__buf_puts(&sql, "UPDATE users SET name = name");
	for (i = 0; i < 200; i++)
		ferry__buf_printf(&sql, ", c%d = %d", i, i);
	ferry__buf_puts(&sql, " WHERE id = 1;\n");
	cl_assert_equal_s("", lint(PG, ferry__buf_cstr(&sql)));
	cl_assert_equal_s("", lint(SQ, ferry__buf_cstr(&sql)));
	/* 1000 tokens before its DROP COLUMN, on line 202 */
	ferry__buf_clear(&sql);
	ferry__buf_puts(&sql, "ALTER TABLE users\n");
	for (i = 0; i < 200; i++)
		ferry__buf_printf(&sql, "ADD COLUMN c%d int,\n", i);
	ferry__buf_puts(&sql, "DROP COLUMN legacy;\n");
	cl_assert_equal_s(
		"up 202:1 up-drop-column\n", lint(PG, ferry__buf_cstr(&sql)));
	cl_assert_equal_s(
		"up 202:1 up-drop-column\n", lint(SQ, ferry__buf_cstr(&sql)));
}

void test_lint__sqlite_table_rebuild(void)
{
	static const char rebuild[] =
		"CREATE TABLE new_users (id int, name text NOT NULL);\n"
		"INSERT INTO new_users (id, name) SELECT id, name FROM "
		"users;\n"
		"DROP TABLE users;\n"
		"ALTER TABLE new_users RENAME TO users;\n";

	cl_assert_equal_s("up 2:1 sqlite-table-rebuild\nup 3:1 up-drop-table\n",
		lint(SQ, rebuild));
	cl_assert_equal_s("up 3:1 up-drop-table\n", lint(PG, rebuild));
	/* a copy into a new table, the old one kept: no rebuild */
	cl_assert_equal_s("",
		lint(SQ,
			"CREATE TABLE archive (id int);\n"
			"INSERT INTO archive SELECT id FROM users;\n"));
}

void test_lint__sqlite_pragma_in_transaction(void)
{
	cl_assert_equal_s("up 1:1 sqlite-pragma-in-transaction\n",
		lint(SQ, "PRAGMA foreign_keys = OFF;\n"));
	cl_assert_equal_s("",
		lint(SQ,
			"-- ferry:up no-transaction\nPRAGMA foreign_keys = "
			"OFF;\n"));
	cl_assert_equal_s("", lint(SQ, "PRAGMA user_version = 3;\n"));
}

void test_lint__allow_suppresses_with_a_reason(void)
{
	const ferry_lint_finding *f;

	cl_assert_equal_s("up 2:1 up-drop-table allowed\n",
		lint(SQ,
			"-- ferry:allow up-drop-table nothing reads it since "
			"2.0\nDROP TABLE users;\n"));
	f = ferry_lint_result_at(res, 0);
	cl_assert_equal_s(f->reason, "nothing reads it since 2.0");
	cl_assert_equal_i(ferry_lint_result_errors(res), 0);
	/* on the statement's own first line */
	cl_assert_equal_s("up 1:1 up-drop-table allowed\n",
		lint(SQ,
			"DROP TABLE users; -- ferry:allow up-drop-table "
			"unused\n"));
	/* an allow of another rule does not */
	cl_assert_equal_s("up 2:1 up-drop-table\n",
		lint(SQ,
			"-- ferry:allow up-truncate fine\nDROP TABLE "
			"users;\n"));
	/* nor one of the statement before */
	cl_assert_equal_s("up 2:1 up-drop-table\n",
		lint(SQ,
			"SELECT 1; -- ferry:allow up-drop-table why\nDROP "
			"TABLE users;\n"));
}

void test_lint__allow_without_reason_or_rule(void)
{
	cl_assert_equal_s("up 1:1 allow-without-reason\nup 2:1 up-drop-table\n",
		lint(SQ, "-- ferry:allow up-drop-table\nDROP TABLE users;\n"));
	cl_assert_equal_i(ferry_lint_result_errors(res), 2);
	cl_assert_equal_s("up 1:1 allow-unknown-rule\n",
		lint(SQ,
			"-- ferry:allow drop-everything because\nSELECT "
			"1;\n"));
}

void test_lint__both_engines_tag_findings(void)
{
	const ferry_lint_finding *f;

	cl_assert_equal_s("up 1:1 pg-create-index-blocking\n"
			  "up 2:1 up-drop-table\n",
		lint(NULL,
			"CREATE INDEX o_u ON orders (user_id);\n"
			"DROP TABLE users;\n"));
	f = ferry_lint_result_at(res, 0);
	cl_assert_equal_s(f->engine, "postgres");
	cl_assert_equal_i(f->level, FERRY_LINT_ERROR);
	cl_assert_equal_i(f->breaking, 0);
	f = ferry_lint_result_at(res, 1);
	cl_assert_equal_s(f->engine, "any");
	cl_assert_equal_i(f->breaking, 1);
	cl_assert_equal_s(f->file, cl_path(dir, "2_change.sql"));
	lint(SQ, "DROP TABLE users;\n");
	cl_assert_equal_s(ferry_lint_result_at(res, 0)->engine, "sqlite");
}

void test_lint__both_engines_read_generic_rules_as_postgres(void)
{
	static const char fn[] = "CREATE FUNCTION f() RETURNS int AS $$ "
				 "SELECT 1; DELETE FROM users; SELECT 2 $$ "
				 "LANGUAGE sql;\n";

	/* SQLite's reading cuts the body at its ';' */
	cl_assert_equal_s("up 1:49 unbounded-write\n", lint(SQ, fn));
	cl_assert_equal_s("", lint(NULL, fn));
}

void test_lint__bad_arguments(void)
{
	ferry_lint_options o = FERRY_LINT_OPTIONS_INIT;

	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	o.engine = "mysql";
	cl_assert_equal_i(ferry_lint(&res, set, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown engine 'mysql'");
	cl_assert(res == NULL);
	o.engine = NULL;
	o.version = 99;
	cl_assert_equal_i(ferry_lint(&res, set, &o, NULL), FERRY_EINVALID);
	cl_assert_equal_i(ferry_lint(NULL, set, NULL, NULL), FERRY_EINVALID);
	cl_assert_equal_i(ferry_lint_result_count(NULL), 0);
	cl_assert(ferry_lint_result_at(NULL, 0) == NULL);
	ferry_lint_result_free(NULL);
}
