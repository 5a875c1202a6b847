/* SPDX-License-Identifier: MIT */
/*
 * pooler.c - what ferry refuses behind a transaction pooler: the
 * statements that outlive their transaction (SET without LOCAL, RESET,
 * ...) and those that do not, the sections and runs that need one
 * session, and nothing at all on a direct connection.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>

static ferry_db db;
static ferry_migration mig;
static ferry_error err;

void test_pooler__initialize(void)
{
	memset(&db, 0, sizeof(db));
	db.drv = &ferry__sqlite_driver;
	db.pooled = 1;
	memset(&mig, 0, sizeof(mig));
	mig.id = "0007_search";
	ferry_error_init(&err);
}

void test_pooler__cleanup(void)
{
}

static int refuse(const char *stmt)
{
	ferry_error_init(&err);
	return ferry__pooler_refuse_stmt(&db, &mig, stmt, strlen(stmt), &err);
}

void test_pooler__session_set_is_refused(void)
{
	cl_assert_equal_i(FERRY_EREFUSED, refuse("SET search_path TO app;"));
	cl_assert_equal_i(FERRY_EREFUSED, err.code);
	cl_assert_equal_s("'SET search_path' in migration '0007_search' "
			  "outlives its transaction, which a transaction "
			  "pooler does not allow",
		err.message);
	cl_assert(strncmp(err.hint, "write SET LOCAL", 15) == 0);
	cl_assert_equal_i(FERRY_EREFUSED, refuse("set role app_owner"));
	cl_assert_equal_i(FERRY_EREFUSED,
		refuse("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"));
	cl_assert_equal_i(FERRY_EREFUSED,
		refuse("-- first\n/* then */ SET statement_timeout = 0;"));
	cl_assert_equal_s("'SET statement_timeout' in migration '0007_search' "
			  "outlives its transaction, which a transaction "
			  "pooler does not allow",
		err.message);
}

void test_pooler__what_ends_with_the_transaction_runs(void)
{
	cl_assert_equal_i(0, refuse("SET LOCAL search_path TO app;"));
	cl_assert_equal_i(0, refuse("set local role app_owner"));
	cl_assert_equal_i(
		0, refuse("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;"));
	cl_assert_equal_i(0, refuse("SET CONSTRAINTS ALL DEFERRED;"));
	cl_assert_equal_i(0, refuse("SELECT 'SET search_path TO x';"));
	cl_assert_equal_i(0, refuse("CREATE TABLE settings (reset int);"));
	cl_assert_equal_i(0, refuse("UPDATE t SET a = 1;"));
	cl_assert_equal_i(FERRY_OK, err.code);
}

void test_pooler__other_session_statements_are_refused(void)
{
	static const char *const stmts[] = { "RESET ALL;", "reset role",
		"DISCARD ALL;", "PREPARE q AS SELECT 1;", "DEALLOCATE q;",
		"LISTEN jobs;", "UNLISTEN *;", "LOAD 'auto_explain';" };
	size_t i;

	for (i = 0; i < sizeof(stmts) / sizeof(*stmts); i++)
		cl_assert_equal_i(FERRY_EREFUSED, refuse(stmts[i]));
	cl_assert(strncmp(err.hint,
			  "run it with a URL that reaches "
			  "PostgreSQL directly",
			  50) == 0);
}

void test_pooler__sections_and_runs(void)
{
	cl_assert_equal_i(FERRY_EREFUSED,
		ferry__pooler_refuse_section(&db, &mig, "up", 1, 0, &err));
	cl_assert_equal_s("the up section of migration '0007_search' is "
			  "no-transaction, which cannot run through a "
			  "transaction pooler",
		err.message);
	ferry_error_init(&err);
	cl_assert_equal_i(FERRY_EREFUSED,
		ferry__pooler_refuse_section(&db, &mig, "up", 0, 1, &err));
	cl_assert_equal_s("'--single-transaction' cannot run through a "
			  "transaction pooler",
		err.message);
	cl_assert_equal_i(
		0, ferry__pooler_refuse_section(&db, &mig, "up", 0, 0, NULL));
	cl_assert_equal_i(
		FERRY_EREFUSED, ferry__pooler_refuse_tool(&db, "backup", NULL));
}

void test_pooler__nothing_is_refused_on_a_direct_connection(void)
{
	db.pooled = 0;
	cl_assert_equal_i(0, refuse("SET search_path TO app;"));
	cl_assert_equal_i(0, refuse("DISCARD ALL;"));
	cl_assert_equal_i(
		0, ferry__pooler_refuse_section(&db, &mig, "up", 1, 1, &err));
	cl_assert_equal_i(0, ferry__pooler_refuse_tool(&db, "restore", &err));
	cl_assert_equal_i(FERRY_OK, err.code);
}
